package calls

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

const benchLines = 100_000

var benchInput = sync.OnceValue(func() []byte {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	b := make([]byte, 0, benchLines*300)
	for i := range benchLines {
		b = appendGenerated(b, i, loc)
	}
	return b
})

// reportLines reports the lines read per second over the benchmark.
func reportLines(b *testing.B) {
	b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAsteriskReader measures the whole parse: splitting, times in
// Europe/London, checks, keys.
func BenchmarkAsteriskReader(b *testing.B) {
	in := benchInput()
	loc := london(b)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for range b.N {
		r := NewAsteriskReader(bytes.NewReader(in), loc)
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchLines {
			b.Fatalf("read %d calls, want %d", n, benchLines)
		}
	}
	reportLines(b)
}

// BenchmarkSplit_Records and BenchmarkSplit_EncodingCSV compare the
// hand-written splitter with encoding/csv (ReuseRecord, FieldsPerRecord
// -1) on the same lines, splitting only.
func BenchmarkSplit_Records(b *testing.B) {
	in := benchInput()
	b.SetBytes(int64(len(in)))
	for range b.N {
		r := newRecords(bytes.NewReader(in))
		for {
			_, _, err := r.read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	reportLines(b)
}

func BenchmarkSplit_EncodingCSV(b *testing.B) {
	in := benchInput()
	b.SetBytes(int64(len(in)))
	for range b.N {
		r := csv.NewReader(bytes.NewReader(in))
		r.ReuseRecord = true
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			_, _ = r.FieldPos(len(rec) - 1)
		}
	}
	reportLines(b)
}

func TestAsteriskReader_MillionLinesInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million lines")
	}
	const lines = 1_000_000
	const limit = 20 << 20
	loc := london(t)
	r := NewAsteriskReader(&generated{loc: loc, n: lines}, loc)
	runtime.GC()
	var ms runtime.MemStats
	peak := uint64(0)
	calls := 0
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("record %d: %v", calls+1, err)
		}
		// Every generated line is a call whose start the test knows; with a
		// uniqueid it must come out exact, even in the hour repeated on
		// 2026-10-25. Without one, a call wholly inside that hour is taken
		// in its first pass, an hour early.
		want, got := generatedStart(c.Line-1), c.Start.Unix()
		if got != want && !(len(c.Key) == 64 && got == want-3600) {
			t.Fatalf("line %d (key %s): Start %v, want %v", c.Line, c.Key, c.Start, time.Unix(want, 0).UTC())
		}
		calls++
		if calls%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if calls != lines {
		t.Errorf("read %d calls, want %d", calls, lines)
	}
	if peak == 0 || peak > limit {
		t.Errorf("HeapInuse reached %d bytes reading %d lines; the limit is %d", peak, lines, limit)
	}
	t.Logf("peak HeapInuse %.1f MB over %d lines", float64(peak)/(1<<20), lines)
}
