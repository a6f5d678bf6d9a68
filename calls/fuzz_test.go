package calls

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// checkStream reads r to the end and checks what every reader promises:
// each record is a Call with a UTC Start and 0 ≤ Billsec ≤ Duration, or a
// *LineError; line numbers rise and stay within the input; the input
// (which cannot fail) ends in io.EOF.
func checkStream(t *testing.T, r Reader, data []byte) {
	lines := bytes.Count(data, []byte("\n")) + 1
	last := 0
	for n := 0; ; n++ {
		if n > lines {
			t.Fatalf("more records than the %d lines of the input", lines)
		}
		c, err := r.Next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &le):
			if le.Line < 1 || le.Line <= last || le.Line > lines || le.Reason == "" {
				t.Fatalf("LineError %+v after line %d of %d", le, last, lines)
			}
			last = le.Line
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			if c.Line < 1 || c.Line <= last || c.Line > lines {
				t.Fatalf("call on line %d after line %d of %d", c.Line, last, lines)
			}
			last = c.Line
			if c.Start.Location() != time.UTC || c.Billsec < 0 || c.Billsec > c.Duration || c.Key == "" {
				t.Fatalf("line %d: %+v", c.Line, *c)
			}
		}
	}
}

func FuzzAsteriskReader(f *testing.F) {
	sample, err := os.ReadFile("testdata/asterisk-cdr-sample.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0, "1792891800.1", "a\nb")))
	f.Add([]byte(cdr("2026-03-29 01:30:00", "", "2026-03-29 03:00:00", 10, 0)))
	f.Add([]byte(`"x` + "\n" + `"","a""b",` + "\r\n\n" + cdr("2026-03-02 09:15:04", "2026-03-02 09:15:05", "2026-03-02 09:15:34", 30, 29)))
	loc := london(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, NewAsteriskReader(bytes.NewReader(data), loc), data)
	})
}

func FuzzCSVReader(f *testing.F) {
	f.Add([]byte("start,from,to,duration_seconds\n2026-03-02T09:15:04Z,07700900101,7001,60\n"))
	f.Add([]byte("\uFEFFTo,x,START,From,Duration_seconds\r\n\"a\"\"b\",\"c,d\",2026-06-01T10:00:00+01:00,e,0\r\n\"open\n"))
	f.Add([]byte("start,from,to,duration_seconds\n0001-01-01T00:00:00-01:00,a,b,-1\n9999-12-31T23:59:59-01:00,a,b,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSVReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkStream(t, r, data)
	})
}
