package calls

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

// london is the zone of the sample PBX.
func london(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// result is what one call of Next gave.
type result struct {
	call *Call
	err  *LineError
}

// readAll reads r to the end, failing the test on an error other than a
// *LineError.
func readAll(t *testing.T, r Reader) []result {
	t.Helper()
	var out []result
	for range 1_000_000 {
		c, err := r.Next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			if c, err := r.Next(); c != nil || !errors.Is(err, io.EOF) {
				t.Fatalf("Next after io.EOF = %v, %v; want io.EOF again", c, err)
			}
			return out
		case errors.As(err, &le):
			out = append(out, result{err: le})
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			out = append(out, result{call: c})
		}
	}
	t.Fatal("Next never returned io.EOF")
	return nil
}

// outline writes results as "line: ok" or "line: error reason", one a line,
// so that a test can compare what was read, in order, at a glance.
func outline(rs []result) string {
	var b strings.Builder
	for _, r := range rs {
		if r.err != nil {
			fmt.Fprintf(&b, "%d: error %s\n", r.err.Line, r.err.Reason)
		} else {
			fmt.Fprintf(&b, "%d: ok\n", r.call.Line)
		}
	}
	return b.String()
}

// cdr writes an Asterisk Master.csv line with the given times and seconds,
// made-up values elsewhere, and extra quoted fields (uniqueid, userfield)
// after the sixteenth. An empty answer is written empty and unquoted, as
// Asterisk writes it.
func cdr(start, answer, end string, duration, billsec int, extra ...string) string {
	ans := ""
	if answer != "" {
		ans = `"` + answer + `"`
	}
	disposition := "ANSWERED"
	if billsec == 0 {
		disposition = "NO ANSWER"
	}
	line := fmt.Sprintf(`"","07700900101","07700900555","from-internal","""DC Alex Morgan"" <07700900101>","SIP/7001-00000a1b","SIP/trunk-00000a1c","Dial","SIP/trunk/07700900555,60,tT","%s",%s,"%s",%d,%d,"%s","DOCUMENTATION"`,
		start, ans, end, duration, billsec, disposition)
	for _, e := range extra {
		line += `,"` + strings.ReplaceAll(e, `"`, `""`) + `"`
	}
	return line + "\n"
}

// utc parses an RFC 3339 time for a test's expectations.
func utc(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t.UTC()
}

// generatedStart is the instant the i-th generated line starts: a call
// every 37 seconds from 2026-01-05 08:00 UTC, so that a million lines cross
// both changes of clocks of 2026 in Europe/London.
func generatedStart(i int) int64 {
	return time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).Unix() + int64(i)*37
}

// appendGenerated appends the i-th generated Master.csv line, as a PBX in
// loc would write it: every tenth answered call unanswered, every tenth
// line without uniqueid (16 fields), every tenth with a userfield (18).
func appendGenerated(b []byte, i int, loc *time.Location) []byte {
	const layout = "2006-01-02 15:04:05"
	start := generatedStart(i)
	duration := 20 + (i*7919)%3000
	billsec := duration - 5 - i%4
	answer := `"` + time.Unix(start+int64(duration-billsec), 0).In(loc).Format(layout) + `"`
	disposition := "ANSWERED"
	if i%10 == 3 {
		billsec, answer, disposition = 0, "", "NO ANSWER"
	}
	src := fmt.Sprintf("0770090%04d", i%10000)
	dst := fmt.Sprintf("+44770090%04d", (i*31)%10000)
	b = fmt.Appendf(b, `"","%s","%s","from-internal","""DC Alex Morgan"" <%s>","SIP/%d-%08x","SIP/trunk-%08x","Dial","SIP/trunk/%s,60,tT","%s",%s,"%s",%d,%d,"%s","DOCUMENTATION"`,
		src, dst, src, 7000+i%50, i, i+1, dst,
		time.Unix(start, 0).In(loc).Format(layout), answer,
		time.Unix(start+int64(duration), 0).In(loc).Format(layout),
		duration, billsec, disposition)
	switch i % 10 {
	case 9:
	case 8:
		b = fmt.Appendf(b, `,"%d.%d","case ""ref"" %d"`, start, i, i)
	default:
		b = fmt.Appendf(b, `,"%d.%d"`, start, i)
	}
	return append(b, '\n')
}

// generated is an io.Reader of n generated lines, made as they are read:
// it never holds more than one line.
type generated struct {
	loc  *time.Location
	n, i int
	line []byte
	off  int
}

func (g *generated) Read(p []byte) (int, error) {
	total := 0
	for total < len(p) {
		if g.off == len(g.line) {
			if g.i == g.n {
				break
			}
			g.line = appendGenerated(g.line[:0], g.i, g.loc)
			g.off = 0
			g.i++
		}
		k := copy(p[total:], g.line[g.off:])
		g.off += k
		total += k
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}
