package calls

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAsteriskReader_SampleFileReadsEveryLine(t *testing.T) {
	f, err := os.Open("testdata/asterisk-cdr-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := readAll(t, NewAsteriskReader(f, london(t)))
	want := []Call{
		{Line: 1, Start: utc(t, "2026-03-02T09:15:04Z"), From: "07700900101", To: "07700900555", Duration: 396, Billsec: 389, Key: "1772442904.2587"},
		{Line: 2, Start: utc(t, "2026-03-02T22:47:31Z"), From: "+447700900555", To: "7001", Duration: 4478, Billsec: 4474, Key: "1772491651.2601"},
		// NO ANSWER: the answer field is empty and unquoted.
		{Line: 3, Start: utc(t, "2026-03-03T11:02:00Z"), From: "07700900101", To: "07700 900556", Duration: 30, Billsec: 0, Key: "1772535720.2650"},
		// Starts at 00:58:10 GMT, ends at 02:03:02 BST: 292 seconds, not
		// the 3892 the wall clock suggests.
		{Line: 4, Start: utc(t, "2026-03-29T00:58:10Z"), From: "07700900102", To: "00447700900555", Duration: 292, Billsec: 287, Key: "1774745890.2700"},
		{Line: 5, Start: utc(t, "2026-03-04T08:00:00Z"), From: "07700900103", To: "999", Duration: 1, Billsec: 0, Key: "1772611200.2711"},
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d:\n%s", len(got), len(want), outline(got))
	}
	for i, r := range got {
		if r.err != nil {
			t.Errorf("line %d: %v", i+1, r.err)
			continue
		}
		got := *r.call
		if !isHexKey(got.Key) {
			t.Errorf("line %d: Key = %q, want a SHA-256 in hex", i+1, got.Key)
		}
		got.Key, want[i].Key = "", ""
		if got != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i+1, got, want[i])
		}
		if r.call.Start.Location() != time.UTC {
			t.Errorf("line %d: Start in %v, want UTC", i+1, r.call.Start.Location())
		}
	}
	if len(got) == len(want) {
		for i, answered := range []bool{true, true, false, true, false} {
			if got[i].call != nil && got[i].call.Answered() != answered {
				t.Errorf("line %d: Answered() = %v, want %v", i+1, !answered, answered)
			}
		}
	}
}

func TestAsteriskReader_FieldCounts(t *testing.T) {
	const start, end = "2026-03-02 09:15:04", "2026-03-02 09:21:40"
	sixteen := cdr(start, "2026-03-02 09:15:11", end, 396, 389)
	for _, tc := range []struct {
		name, line string
		key        string // "" for a hash
		reason     string // "" for a call
	}{
		{"16 fields", sixteen, "", ""},
		{"17 fields", cdr(start, "2026-03-02 09:15:11", end, 396, 389, "1772442904.2587"), "1772442904.2587", ""},
		{"18 fields", cdr(start, "2026-03-02 09:15:11", end, 396, 389, "1772442904.2587", "ref 12"), "1772442904.2587", ""},
		{"17 fields, empty uniqueid", cdr(start, "2026-03-02 09:15:11", end, 396, 389, ""), "", ""},
		{"15 fields", strings.TrimSuffix(sixteen, ",\"DOCUMENTATION\"\n") + "\n", "", "15 fields: an Asterisk CDR line has 16, 17 or 18"},
		{"19 fields", cdr(start, "2026-03-02 09:15:11", end, 396, 389, "a", "b", "c"), "", "19 fields: an Asterisk CDR line has 16, 17 or 18"},
		{"1 field", "hello\n", "", "1 field: an Asterisk CDR line has 16, 17 or 18"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, NewAsteriskReader(strings.NewReader(tc.line), london(t)))
			if len(got) != 1 {
				t.Fatalf("read %d records, want 1:\n%s", len(got), outline(got))
			}
			r := got[0]
			switch {
			case tc.reason != "":
				if r.err == nil || r.err.Reason != tc.reason || r.err.Line != 1 {
					t.Fatalf("got %s, want line 1: error %s", outline(got), tc.reason)
				}
			case r.err != nil:
				t.Fatal(r.err)
			case !isHexKey(r.call.Key):
				t.Errorf("Key = %q, want a SHA-256 in hex", r.call.Key)
			case r.call.Start != utc(t, "2026-03-02T09:15:04Z") || r.call.Duration != 396 || r.call.Billsec != 389:
				t.Errorf("got %+v", *r.call)
			}
		})
	}
}

func TestAsteriskReader_DoubledQuotesAndCommasStayInTheirField(t *testing.T) {
	line := `"acct ""7""","0770""0900101","7001","from-internal","""Jo, ""the"" Bloggs"" <0770>","SIP/7001-1","","Dial","SIP/trunk/07700900555,60,tT,""x,y""","2026-03-02 09:15:04","2026-03-02 09:15:11","2026-03-02 09:21:40",396,389,"ANSWERED","DOCUMENTATION","1.2","a ""quoted"", comma"` + "\n"
	got := readAll(t, NewAsteriskReader(strings.NewReader(line), london(t)))
	if len(got) != 1 || got[0].err != nil {
		t.Fatalf("got:\n%s", outline(got))
	}
	c := got[0].call
	if c.From != `0770"0900101` || c.To != "7001" || c.Start != utc(t, "2026-03-02T09:15:04Z") || c.Billsec != 389 || !isHexKey(c.Key) {
		t.Errorf("got %+v", *c)
	}
}

func TestAsteriskReader_BadTimesAreRejected(t *testing.T) {
	const good = "2026-03-02 09:15:04"
	for _, tc := range []struct {
		name, start, answer, end, reason string
	}{
		{"ISO T separator", "2026-03-02T09:15:04", "", good, `start "2026-03-02T09:15:04" is not a time YYYY-MM-DD HH:MM:SS`},
		{"with zone", good, "", "2026-03-02 09:21:40Z", `end "2026-03-02 09:21:40Z" is not a time YYYY-MM-DD HH:MM:SS`},
		{"no such day", "2026-02-29 10:00:00", "", good, `start "2026-02-29 10:00:00" is not a time YYYY-MM-DD HH:MM:SS`},
		{"hour 24", "2026-03-02 24:00:00", "", good, `start "2026-03-02 24:00:00" is not a time YYYY-MM-DD HH:MM:SS`},
		{"leap second", "2026-03-02 09:15:60", "", good, `start "2026-03-02 09:15:60" is not a time YYYY-MM-DD HH:MM:SS`},
		{"one-digit hour", "2026-03-02 9:15:04", "", good, `start "2026-03-02 9:15:04" is not a time YYYY-MM-DD HH:MM:SS`},
		{"empty start", "", "", good, `start "" is not a time YYYY-MM-DD HH:MM:SS`},
		{"before 1970", "1969-12-31 23:59:59", "", good, `start "1969-12-31 23:59:59" is not a time YYYY-MM-DD HH:MM:SS`},
		{"bad answer", good, "soon", good, `answer "soon" is not a time YYYY-MM-DD HH:MM:SS`},
		{"month 13", good, "", "2026-13-02 09:21:40", `end "2026-13-02 09:21:40" is not a time YYYY-MM-DD HH:MM:SS`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "\n" + cdr(tc.start, tc.answer, tc.end, 0, 0)
			got := outline(readAll(t, NewAsteriskReader(strings.NewReader(in), london(t))))
			if want := "2: error " + tc.reason + "\n"; got != want {
				t.Errorf("got  %swant %s", got, want)
			}
		})
	}
}

func TestAsteriskReader_InconsistentSecondsAreRejected(t *testing.T) {
	const s, e = "2026-03-02 09:15:04", "2026-03-02 09:15:34"
	for _, tc := range []struct {
		name, line, reason string
	}{
		{"billsec over duration", cdr(s, s, e, 30, 31), "billsec 31 is more than duration 30"},
		{"negative duration", cdr(s, "", e, -30, 0), "duration -30 is negative"},
		{"negative billsec", cdr(s, "", e, 30, -1), "billsec -1 is negative"},
		{"fractional duration", strings.Replace(cdr(s, "", e, 30, 0), ",30,", ",30.5,", 1), `duration "30.5" is not a whole number of seconds`},
		{"empty billsec", strings.Replace(cdr(s, "", e, 30, 0), ",30,0,", ",30,,", 1), `billsec "" is not a whole number of seconds`},
		{"huge duration", strings.Replace(cdr(s, "", e, 30, 0), ",30,", ",99999999999999999999,", 1), `duration "99999999999999999999" is too large for a call`},
		{"start after end", cdr(e, "", s, 0, 0), "start 2026-03-02 09:15:34 is after end 2026-03-02 09:15:04"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outline(readAll(t, NewAsteriskReader(strings.NewReader(tc.line), london(t))))
			if want := "1: error " + tc.reason + "\n"; got != want {
				t.Errorf("got  %swant %s", got, want)
			}
		})
	}
}

func TestAsteriskReader_TimeInSkippedHourIsRejected(t *testing.T) {
	// 2026-03-29: at 01:00 GMT, London's clocks went to 02:00 BST.
	in := cdr("2026-03-29 01:30:00", "", "2026-03-29 03:00:10", 10, 0) +
		cdr("2026-03-29 00:59:50", "", "2026-03-29 01:00:00", 10, 0) +
		cdr("2026-03-29 00:59:50", "", "2026-03-29 02:00:00", 10, 0)
	got := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	want := "1: error start 2026-03-29 01:30:00 does not exist in Europe/London: clocks went forward\n" +
		"2: error end 2026-03-29 01:00:00 does not exist in Europe/London: clocks went forward\n" +
		"3: ok\n"
	if o := outline(got); o != want {
		t.Fatalf("got:\n%swant:\n%s", o, want)
	}
	if s := got[2].call.Start; s != utc(t, "2026-03-29T00:59:50Z") {
		t.Errorf("line 3 starts %v", s)
	}
}

func TestAsteriskReader_RepeatedHourResolvedByDuration(t *testing.T) {
	// 2026-10-25: at 02:00 BST, London's clocks went back to 01:00 GMT, so
	// 01:00–01:59:59 happened twice: first at 00:xx UTC, then at 01:xx UTC.
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC).Unix()
	second := first + 3600
	for _, tc := range []struct {
		name, line string
		start      string
	}{
		{"end unambiguous, second pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 02:10:00", 2400, 0), "2026-10-25T01:30:00Z"},
		{"end unambiguous, first pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 02:10:00", 6000, 0), "2026-10-25T00:30:00Z"},
		{"start unambiguous", cdr("2026-10-25 00:50:00", "", "2026-10-25 01:30:00", 6000, 0), "2026-10-24T23:50:00Z"},
		{"end reads earlier than start", cdr("2026-10-25 01:50:00", "", "2026-10-25 01:10:00", 1200, 0), "2026-10-25T00:50:00Z"},
		{"both in the hour, crossing the change", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:30:00", 3600, 0), "2026-10-25T00:30:00Z"},
		{"both in the hour, uniqueid names the second pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0, itoa(second)+".17"), "2026-10-25T01:30:00Z"},
		{"both in the hour, uniqueid with system name", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0, "pbx1-"+itoa(second)+".17"), "2026-10-25T01:30:00Z"},
		{"both in the hour, uniqueid names the first pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0, itoa(first)+".17"), "2026-10-25T00:30:00Z"},
		{"both in the hour, no uniqueid: the first pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0), "2026-10-25T00:30:00Z"},
		{"both in the hour, uniqueid not a time: the first pass", cdr("2026-10-25 01:30:00", "", "2026-10-25 01:40:00", 600, 0, "abc"), "2026-10-25T00:30:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, NewAsteriskReader(strings.NewReader(tc.line), london(t)))
			if len(got) != 1 || got[0].err != nil {
				t.Fatalf("got:\n%s", outline(got))
			}
			if s := got[0].call.Start; s != utc(t, tc.start) {
				t.Errorf("Start = %v, want %s", s, tc.start)
			}
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestAsteriskReader_NilZoneIsUTC(t *testing.T) {
	got := readAll(t, NewAsteriskReader(strings.NewReader(cdr("2026-03-29 01:30:00", "", "2026-03-29 01:30:10", 10, 0)), nil))
	if len(got) != 1 || got[0].err != nil || got[0].call.Start != utc(t, "2026-03-29T01:30:00Z") {
		t.Fatalf("got:\n%s", outline(got))
	}
}

// good is a well-formed line of calls starting at 09:00:0n.
func good(n int) string {
	s := fmt.Sprintf("2026-03-02 09:00:%02d", n)
	return cdr(s, "", s, 0, 0)
}

// checkStarts checks that each call in rs started at 09:00:0n, n the
// number of its line: that no line was read as another.
func checkStarts(t *testing.T, rs []result) {
	t.Helper()
	for _, r := range rs {
		if c := r.call; c != nil && c.Start != time.Date(2026, 3, 2, 9, 0, c.Line, 0, time.UTC) {
			t.Errorf("line %d starts %v: another line's start", c.Line, c.Start)
		}
	}
}

// bare writes line without quotes (and without the commas of lastdata):
// bare fields are read as they are.
func bare(line string) string {
	return strings.ReplaceAll(strings.ReplaceAll(line, ",60,tT", ""), `"`, "")
}

func TestAsteriskReader_MalformedQuoteRejectsOnlyItsLine(t *testing.T) {
	in := good(1) +
		`"","07700900101","0770` + "\n" + // cut short inside a quote
		good(3) +
		`"","0770"x,"07700900555"` + strings.Repeat(`,"a"`, 13) + "\n" + // text after a closing quote
		`"",07700"900101,"07700900555"` + strings.Repeat(`,"a"`, 13) + "\n" + // a quote inside a bare field
		good(6) +
		`"x` + "\n" + "unquoted text\n" + "more\n" + // a quote left open over lines with none
		good(10) +
		`"never closed, but what follows has no quotes` + "\n" +
		bare(good(12)) +
		bare(good(13)) +
		`"never closed, at the end of the file`
	rs := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	checkStarts(t, rs)
	got := outline(rs)
	want := "1: ok\n" +
		"2: error a quoted field is never closed (a stray or missing double quote)\n" +
		"3: ok\n" +
		"4: error field 2: text after the closing double quote\n" +
		"5: error field 2: a double quote inside a field that does not start with one\n" +
		"6: ok\n" +
		"7: error a quoted field is never closed (a stray or missing double quote)\n" +
		"8: error 1 field: an Asterisk CDR line has 16, 17 or 18\n" +
		"9: error 1 field: an Asterisk CDR line has 16, 17 or 18\n" +
		"10: ok\n" +
		"11: error a quoted field is never closed (a stray or missing double quote)\n" +
		"12: ok\n" +
		"13: ok\n" +
		"14: error a quoted field is never closed (a stray or missing double quote)\n"
	if got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
}

func TestAsteriskReader_OpenQuoteGivesUpAfterSixteenLines(t *testing.T) {
	in := `"x` + "\n" + strings.Repeat("no quote here\n", 20) + good(22)
	got := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	checkStarts(t, got)
	if len(got) != 22 {
		t.Fatalf("read %d records, want 22:\n%s", len(got), outline(got))
	}
	if r := got[0]; r.err == nil || r.err.Line != 1 || !strings.Contains(r.err.Reason, "never closed") {
		t.Errorf("first: %s", outline(got[:1]))
	}
	for i, r := range got[1:21] {
		if r.err == nil || r.err.Line != i+2 {
			t.Errorf("record %d: %s", i+2, outline(got[i+1:i+2]))
		}
	}
	if r := got[21]; r.call == nil || r.call.Line != 22 {
		t.Errorf("last: %s", outline(got[21:]))
	}
}

func TestAsteriskReader_QuotedNewlineContinuesTheRecord(t *testing.T) {
	in := good(1) +
		cdr("2026-03-02 10:00:00", "", "2026-03-02 10:00:30", 30, 0, "1772445600.1", "a note\non two lines") +
		good(4)
	got := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	checkStarts(t, []result{got[0], got[2]})
	if o := outline(got); o != "1: ok\n2: ok\n4: ok\n" {
		t.Fatalf("got:\n%s", o)
	}
	if c := got[1].call; !isHexKey(c.Key) || c.Start != utc(t, "2026-03-02T10:00:00Z") {
		t.Errorf("got %+v", *c)
	}
}

func TestAsteriskReader_LineTooLongIsRejectedAndSkipped(t *testing.T) {
	long := strings.TrimSuffix(cdr("2026-03-02 09:15:04", "", "2026-03-02 09:15:34", 30, 0, strings.Repeat("x", 200_000)), "\n")
	for _, in := range []string{good(1) + long + "\n" + good(3), good(1) + long} {
		rs := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
		checkStarts(t, rs)
		got := outline(rs)
		want := "1: ok\n2: error the line is longer than 65536 bytes\n"
		if strings.HasSuffix(in, "\n"+good(3)) {
			want += "3: ok\n"
		}
		if got != want {
			t.Errorf("got:\n%swant:\n%s", got, want)
		}
	}
}

func TestAsteriskReader_BlankLinesAndCRLF(t *testing.T) {
	good := cdr("2026-03-02 09:15:04", "", "2026-03-02 09:15:34", 30, 0)
	crlf := strings.TrimSuffix(good, "\n") + "\r\n"
	in := "\n" + crlf + "\r\n  \n" + crlf + strings.TrimSuffix(good, "\n") // no newline at the end
	got := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	if o := outline(got); o != "2: ok\n5: ok\n6: ok\n" {
		t.Fatalf("got:\n%s", o)
	}
	if got[0].call.Key != got[2].call.Key {
		t.Errorf("the same record with CRLF and LF has keys %q and %q", got[0].call.Key, got[2].call.Key)
	}
}

func TestAsteriskReader_KeyIsStable(t *testing.T) {
	read := func(in string) []result {
		return readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	}
	a := cdr("2026-03-02 09:15:04", "", "2026-03-02 09:15:34", 30, 0)
	b := strings.Replace(a, `"07700900555"`, `"07700900556"`, 1)
	twice := read(a + b + a)
	bare := read(strings.Replace(a, `"07700900101"`, `07700900101`, 1))
	other := read(strings.Replace(a, "SIP/7001-00000a1b", "SIP/7001-00000a1c", 1))
	if len(twice) != 3 || len(bare) != 1 || len(other) != 1 {
		t.Fatal("lines rejected")
	}
	if twice[0].call.Key != twice[2].call.Key || twice[0].call.Key != bare[0].call.Key {
		t.Errorf("the same line has keys %q, %q and, with a field left bare, %q", twice[0].call.Key, twice[2].call.Key, bare[0].call.Key)
	}
	if twice[0].call.Key == twice[1].call.Key || twice[0].call.Key == other[0].call.Key {
		t.Error("different calls have the same key")
	}
	// The key names the instant, so the same line read in another zone is
	// another call.
	if ny := readAll(t, NewAsteriskReader(strings.NewReader(a), time.FixedZone("X", 3600))); ny[0].call.Key == twice[0].call.Key {
		t.Error("different starts have the same key")
	}
}

// failing gives its text, then fails.
type failing struct {
	text string
	err  error
}

func (f *failing) Read(p []byte) (int, error) {
	if f.text == "" {
		return 0, f.err
	}
	n := copy(p, f.text)
	f.text = f.text[n:]
	return n, nil
}

func TestAsteriskReader_InputFailureIsNotALineError(t *testing.T) {
	boom := errors.New("disk on fire")
	good := cdr("2026-03-02 09:15:04", "", "2026-03-02 09:15:34", 30, 0)
	for _, text := range []string{good, good + `"an open quote` + "\n"} {
		r := NewAsteriskReader(&failing{text: text, err: boom}, london(t))
		if c, err := r.Next(); err != nil || c.Line != 1 {
			t.Fatalf("first Next = %v, %v", c, err)
		}
		for range 2 {
			if _, err := r.Next(); !errors.Is(err, boom) {
				t.Fatalf("Next = %v, want the input's error", err)
			}
		}
	}
	if _, err := NewAsteriskReader(&failing{err: io.ErrUnexpectedEOF}, nil).Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Next = %v, want io.ErrUnexpectedEOF", err)
	}
}

// isHexKey reports whether k is a SHA-256 in hex, as every Key is.
func isHexKey(k string) bool {
	return len(k) == 64 && strings.Trim(k, "0123456789abcdef") == ""
}

// TestAsteriskReader_OneUniqueidTwoCallsTwoKeys: Asterisk writes several
// lines with one uniqueid after a transfer; they are different calls and
// must not be taken for duplicates.
func TestAsteriskReader_OneUniqueidTwoCallsTwoKeys(t *testing.T) {
	in := cdr("2026-03-02 09:15:04", "2026-03-02 09:15:11", "2026-03-02 09:21:40", 396, 389, "1772442904.2587") +
		cdr("2026-03-02 09:21:40", "2026-03-02 09:21:45", "2026-03-02 09:30:00", 500, 495, "1772442904.2587")
	got := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	if len(got) != 2 || got[0].err != nil || got[1].err != nil {
		t.Fatalf("got:\n%s", outline(got))
	}
	if got[0].call.Key == got[1].call.Key {
		t.Errorf("two calls with one uniqueid share the Key %s", got[0].call.Key)
	}
	again := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
	if again[0].call.Key != got[0].call.Key || again[1].call.Key != got[1].call.Key {
		t.Errorf("the same lines gave other Keys on a second read")
	}
}
