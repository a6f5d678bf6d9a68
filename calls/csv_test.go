package calls

import (
	"strings"
	"testing"
)

func TestCSVReader_ColumnsInAnyOrderAndCase(t *testing.T) {
	in := "\uFEFFDuration_Seconds, note ,TO,From,START\r\n" +
		"60,first,07700 900555,07700900101,2026-03-02T09:15:04Z\r\n" +
		"\r\n" +
		`0,"unanswered, ""rang out""",+447700900555,7001,2026-06-01T10:00:00+01:00` + "\r\n" +
		"5,,a,b,2026-06-01T10:00:00.250-04:00,extra,columns"
	r, err := NewCSVReader(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	if o := outline(got); o != "2: ok\n4: ok\n5: ok\n" {
		t.Fatalf("got:\n%s", o)
	}
	want := []Call{
		{Line: 2, Start: utc(t, "2026-03-02T09:15:04Z"), From: "07700900101", To: "07700 900555", Duration: 60, Billsec: 60},
		{Line: 4, Start: utc(t, "2026-06-01T09:00:00Z"), From: "7001", To: "+447700900555", Duration: 0, Billsec: 0},
		{Line: 5, Start: utc(t, "2026-06-01T14:00:00.25Z"), From: "b", To: "a", Duration: 5, Billsec: 5},
	}
	for i, r := range got {
		c := *r.call
		if len(c.Key) != 64 {
			t.Errorf("line %d: Key %q, want a SHA-256 in hex", c.Line, c.Key)
		}
		c.Key = ""
		if c != want[i] {
			t.Errorf("\n got %+v\nwant %+v", c, want[i])
		}
	}
	if got[1].call.Answered() || !got[0].call.Answered() {
		t.Error("Answered() should follow duration_seconds")
	}
}

func TestCSVReader_HeaderErrorsNameTheProblem(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"missing to", "start,from,duration_seconds\n", `header line 1: missing column "to"`},
		{"missing two", "from,to\n", `header line 1: missing columns "start", "duration_seconds"`},
		{"duration misspelt", "start,from,to,duration\n", `header line 1: missing column "duration_seconds"`},
		{"named twice", "start,from,to,duration_seconds,START\n", `header line 1: column "start" is named twice`},
		{"empty file", "", "the CSV file is empty: it needs a header line naming start, from, to and duration_seconds"},
		{"only blank lines", "\n\r\n", "the CSV file is empty: it needs a header line naming start, from, to and duration_seconds"},
		{"malformed header", "\"start,from,to,duration_seconds\n", "header line 1: " + unclosedQuote},
		{"header after a blank line", "\nstart,from,to\n", `header line 2: missing column "duration_seconds"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Errorf("NewCSVReader = %v, %v; want error %q", r, err, tc.want)
			}
		})
	}
}

func TestCSVReader_BadRecordsAreRejectedAndReadingGoesOn(t *testing.T) {
	in := "start,from,to,duration_seconds\n" +
		"2026-03-02 09:15:04,a,b,60\n" +
		"2026-03-02T09:15:04,a,b,60\n" +
		"yesterday,a,b,60\n" +
		"2026-03-02T09:15:04Z,a,b,-60\n" +
		"2026-03-02T09:15:04Z,a,b,1.5\n" +
		"2026-03-02T09:15:04Z,a,b,\n" +
		"2026-03-02T09:15:04Z,a,b\n" +
		"2026-03-02T09:15:04Z,\"a,b,60\n" +
		"0001-01-01T00:00:00Z,a,b,60\n" +
		"2026-03-02T09:15:04Z,a,b,60\n"
	r, err := NewCSVReader(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := outline(readAll(t, r))
	want := `2: error start "2026-03-02 09:15:04" is not an RFC 3339 time with a zone, such as 2026-03-02T09:15:04Z
3: error start "2026-03-02T09:15:04" is not an RFC 3339 time with a zone, such as 2026-03-02T09:15:04Z
4: error start "yesterday" is not an RFC 3339 time with a zone, such as 2026-03-02T09:15:04Z
5: error duration_seconds -60 is negative
6: error duration_seconds "1.5" is not a whole number of seconds
7: error duration_seconds "" is not a whole number of seconds
8: error 3 fields: the columns named in the header need 4
9: error a quoted field is never closed (a stray or missing double quote)
10: error start "0001-01-01T00:00:00Z" is not between 1970 and 9998
11: ok
`
	if got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
}

func TestCSVReader_KeyIsStable(t *testing.T) {
	in := "start,from,to,duration_seconds\n" +
		"2026-03-02T09:15:04Z,a,b,60\n" +
		"2026-03-02T10:15:04+01:00, a ,b,60\n" + // the same instant, spelt otherwise
		"2026-03-02T09:15:04Z,a,b,61\n" +
		"2026-03-02T09:15:04Z,b,a,60\n"
	r, err := NewCSVReader(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	if len(got) != 4 {
		t.Fatalf("got:\n%s", outline(got))
	}
	if got[0].call.Key != got[1].call.Key {
		t.Error("the same call spelt two ways has two keys")
	}
	if got[0].call.Key == got[2].call.Key || got[0].call.Key == got[3].call.Key {
		t.Error("different calls have the same key")
	}
}
