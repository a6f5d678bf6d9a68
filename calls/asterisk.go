package calls

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"
)

// The columns of Asterisk's Master.csv, counted from 0.
const (
	colSrc        = 1
	colDst        = 2
	colChannel    = 5
	colDstChannel = 6
	colStart      = 9
	colAnswer     = 10
	colEnd        = 11
	colDuration   = 12
	colBillsec    = 13
	colUniqueID   = 16
)

// uniqueidSlack is how far, in seconds, the time in a uniqueid may be from
// a candidate start and still pick it: the channel is created and the CDR
// started within the same second or so, while the candidates in a repeated
// hour are an hour apart.
const uniqueidSlack = 60

// asteriskReader reads Asterisk's Master.csv.
type asteriskReader struct {
	filter
	rec   *records
	clock *wallClock
	keys  *keyer
}

// NewAsteriskReader reads call records in the Master.csv format of
// Asterisk's cdr_csv module (see asterisk-cdr-format.md): no header line;
// 16, 17 or 18 fields (accountcode, src, dst, dcontext, clid, channel,
// dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
// disposition, amaflags[, uniqueid[, userfield]]); string fields in double
// quotes with inner quotes doubled; the answer field empty and unquoted for
// an unanswered call; duration and billsec bare whole seconds. Quoting is
// read as CSV, so a string written bare is taken as it is.
//
// Times are "YYYY-MM-DD HH:MM:SS" on the PBX's clock in loc (nil: UTC, for
// usegmtime=yes). Around a change of clocks:
//
//   - a start or end in the hour skipped when clocks go forward does not
//     exist: the line is rejected;
//   - a time in the hour repeated when clocks go back is one of two
//     instants. Of the possible (start, end) pairs, the one whose end − start
//     is closest to duration is taken: the unambiguous one of start and end
//     fixes the other. When both fall in the repeated hour and the call did
//     not cross the change, both pairs agree with duration; then the start
//     named by the uniqueid (whose integer part is the Unix time the channel
//     was created) decides, and failing that the earlier instant, the first
//     pass through the hour.
//
// A line is rejected with a *LineError when the field count is wrong, a
// quote is malformed, a time is not a real time, duration or billsec is
// not a whole number of seconds or is negative, billsec exceeds duration,
// or the start comes after the end. The answer field, when present, must be
// a well-formed time; it is not otherwise used, billsec saying how long the
// call was answered.
//
// The Key is a SHA-256, in hex, of the uniqueid (when the line has one),
// the start (as an instant), src, dst, channel, dstchannel, duration and
// billsec.
func NewAsteriskReader(r io.Reader, loc *time.Location) Reader {
	return &asteriskReader{rec: newRecords(r), clock: newWallClock(loc), keys: newKeyer()}
}

// Next returns the next call, a *LineError for a line that is not one, or
// io.EOF at the end of the input.
func (a *asteriskReader) Next() (*Call, error) {
	for {
		line, f, err := a.rec.read()
		if err != nil {
			return nil, err
		}
		c, reason := a.call(f)
		if reason != "" {
			return nil, &LineError{Line: line, Reason: reason}
		}
		if c == nil {
			continue // passed over (Only)
		}
		c.Line = line
		return c, nil
	}
}

// call makes a Call of one line's fields, or says why it cannot; nil and
// no reason for a line the filter passes over.
func (a *asteriskReader) call(f [][]byte) (*Call, string) {
	if n := len(f); n < 16 || n > 18 {
		return nil, fmt.Sprintf("%s: an Asterisk CDR line has 16, 17 or 18", countFields(n))
	}
	duration, why := seconds(f[colDuration], "duration")
	if why != "" {
		return nil, why
	}
	billsec, why := seconds(f[colBillsec], "billsec")
	if why != "" {
		return nil, why
	}
	if billsec > duration {
		return nil, fmt.Sprintf("billsec %d is more than duration %d", billsec, duration)
	}
	startWall, ok := parseWall(f[colStart])
	if !ok {
		return nil, "start " + notATime(f[colStart])
	}
	if len(f[colAnswer]) > 0 {
		if _, ok := parseWall(f[colAnswer]); !ok {
			return nil, "answer " + notATime(f[colAnswer])
		}
	}
	endWall, ok := parseWall(f[colEnd])
	if !ok {
		return nil, "end " + notATime(f[colEnd])
	}
	var starts, ends [2]int64
	ns := a.clock.instants(startWall, &starts)
	if ns == 0 {
		return nil, fmt.Sprintf("start %s does not exist in %s: clocks went forward", f[colStart], a.clock.loc)
	}
	ne := a.clock.instants(endWall, &ends)
	if ne == 0 {
		return nil, fmt.Sprintf("end %s does not exist in %s: clocks went forward", f[colEnd], a.clock.loc)
	}
	var uniqueid []byte
	if len(f) > colUniqueID {
		uniqueid = f[colUniqueID]
	}
	start, end := starts[0], ends[0]
	if ns > 1 || ne > 1 {
		start, end = resolve(starts[:ns], ends[:ne], int64(duration), uniqueid)
	}
	if start > end {
		return nil, fmt.Sprintf("start %s is after end %s", f[colStart], f[colEnd])
	}
	if !a.wants(f[colSrc], f[colDst]) {
		return nil, ""
	}
	c := &Call{
		Start:    time.Unix(start, 0).UTC(),
		From:     string(f[colSrc]),
		To:       string(f[colDst]),
		Duration: duration,
		Billsec:  billsec,
	}
	// The uniqueid alone is not enough: Asterisk writes several lines with
	// one uniqueid after a transfer, and two PBXs can reuse one. So it goes
	// into the hash with the fields: the same line gives the same Key, two
	// different calls never do.
	a.keys.begin("asterisk")
	a.keys.text(uniqueid)
	a.keys.number(start)
	a.keys.text(f[colSrc])
	a.keys.text(f[colDst])
	a.keys.text(f[colChannel])
	a.keys.text(f[colDstChannel])
	a.keys.number(int64(duration))
	a.keys.number(int64(billsec))
	c.Key = a.keys.key()
	return c, ""
}

// resolve picks the start and end of a call one of whose times fell in a
// repeated hour (see NewAsteriskReader). The candidates come earliest
// first, so a tie keeps the earlier instant.
func resolve(starts, ends []int64, duration int64, uniqueid []byte) (int64, int64) {
	created, named := uniqueidTime(uniqueid)
	bestStart, bestEnd := starts[0], ends[0]
	bestGap, bestMiss := int64(-1), 0
	for _, s := range starts {
		miss := 1
		if named && abs(s-created) <= uniqueidSlack {
			miss = 0
		}
		for _, e := range ends {
			gap := abs(e - s - duration)
			if bestGap < 0 || gap < bestGap || (gap == bestGap && miss < bestMiss) {
				bestStart, bestEnd, bestGap, bestMiss = s, e, gap, miss
			}
		}
	}
	return bestStart, bestEnd
}

// uniqueidTime reads the Unix time in an Asterisk uniqueid,
// "[systemname-]SECONDS.SEQUENCE".
func uniqueidTime(id []byte) (int64, bool) {
	if i := bytes.LastIndexByte(id, '-'); i >= 0 {
		id = id[i+1:]
	}
	dot := bytes.IndexByte(id, '.')
	if dot < 1 || dot > 12 || dot == len(id)-1 {
		return 0, false
	}
	for _, c := range id[dot+1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	var t int64
	for _, c := range id[:dot] {
		if c < '0' || c > '9' {
			return 0, false
		}
		t = t*10 + int64(c-'0')
	}
	return t, true
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// maxSeconds bounds duration and billsec: 31 years, longer than any call,
// and far enough from overflow that sums of times need no checks.
const maxSeconds = 999_999_999

// seconds reads a bare whole number of seconds, or says why it is not one.
func seconds(b []byte, name string) (int, string) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, fmt.Sprintf("%s %s is not a whole number of seconds", name, quote(b))
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Sprintf("%s %s is not a whole number of seconds", name, quote(b))
		}
		n = n*10 + int(c-'0')
		if n > maxSeconds {
			return 0, fmt.Sprintf("%s %s is too large for a call", name, quote(b))
		}
	}
	if len(digits) < len(b) && n > 0 {
		return 0, fmt.Sprintf("%s %s is negative", name, b)
	}
	return n, ""
}

// countFields says how many fields a record has, in words.
func countFields(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}

// notATime says that b is not a time, quoting it.
func notATime(b []byte) string {
	return quote(b) + " is not a time YYYY-MM-DD HH:MM:SS"
}

// quote quotes b for a message, cut short: a reason is one line to read,
// not a copy of the record.
func quote(b []byte) string {
	const max = 32
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}
