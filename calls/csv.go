package calls

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// csvColumns are the columns a generic CSV file must have, in the order
// they are named when missing.
var csvColumns = [...]string{"start", "from", "to", "duration_seconds"}

// csvReader reads the generic CSV format.
type csvReader struct {
	filter
	rec  *records
	keys *keyer
	col  [len(csvColumns)]int // where each of csvColumns is in a record
	need int                  // fields a record needs to reach them all
}

// NewCSVReader reads call records from CSV with a header line naming the
// columns start, from, to and duration_seconds, in any order and any case;
// other columns are ignored. It returns an error naming every missing
// column, and for an empty input, a malformed header or a column named
// twice. start is RFC 3339 with a zone ("2026-03-02T09:15:04Z" or
// "...+01:00"); from and to are the numbers as written; duration_seconds is
// how long the call was answered, 0 when it was not, so that Billsec and
// Duration are both that.
//
// A record is rejected with a *LineError when it has too few fields to
// reach the four columns, a quote is malformed, start has no zone or is not
// a time, or duration_seconds is not a whole number of seconds or is
// negative. The Key is a SHA-256, in hex, of the start (as an instant),
// from, to and the duration.
func NewCSVReader(r io.Reader) (Reader, error) {
	c := &csvReader{rec: newRecords(r), keys: newKeyer()}
	line, f, err := c.rec.read()
	var le *LineError
	switch {
	case errors.Is(err, io.EOF):
		return nil, errors.New("the CSV file is empty: it needs a header line naming start, from, to and duration_seconds")
	case errors.As(err, &le):
		return nil, fmt.Errorf("header line %d: %s", le.Line, le.Reason)
	case err != nil:
		return nil, err
	}
	for i := range c.col {
		c.col[i] = -1
	}
	for i, name := range f {
		if i == 0 {
			name = bytes.TrimPrefix(name, []byte("\uFEFF")) // a spreadsheet's byte-order mark
		}
		name = bytes.TrimSpace(name)
		for j, want := range csvColumns {
			if !strings.EqualFold(string(name), want) {
				continue
			}
			if c.col[j] >= 0 {
				return nil, fmt.Errorf("header line %d: column %q is named twice", line, want)
			}
			c.col[j] = i
			c.need = max(c.need, i+1)
		}
	}
	var missing []string
	for j, want := range csvColumns {
		if c.col[j] < 0 {
			missing = append(missing, fmt.Sprintf("%q", want))
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return nil, fmt.Errorf("header line %d: missing column %s", line, missing[0])
	default:
		return nil, fmt.Errorf("header line %d: missing columns %s", line, strings.Join(missing, ", "))
	}
	return c, nil
}

// Next returns the next call, a *LineError for a record that is not one,
// or io.EOF at the end of the input.
func (c *csvReader) Next() (*Call, error) {
	for {
		line, f, err := c.rec.read()
		if err != nil {
			return nil, err
		}
		call, reason := c.call(f)
		if reason != "" {
			return nil, &LineError{Line: line, Reason: reason}
		}
		if call == nil {
			continue // passed over (Only)
		}
		call.Line = line
		return call, nil
	}
}

// call makes a Call of one record's fields, or says why it cannot; nil and
// no reason for a record the filter passes over.
func (c *csvReader) call(f [][]byte) (*Call, string) {
	if len(f) < c.need {
		return nil, fmt.Sprintf("%s: the columns named in the header need %d", countFields(len(f)), c.need)
	}
	rawStart := bytes.TrimSpace(f[c.col[0]])
	start, err := time.Parse(time.RFC3339, string(rawStart))
	if err != nil {
		return nil, fmt.Sprintf("start %s is not an RFC 3339 time with a zone, such as 2026-03-02T09:15:04Z", quote(rawStart))
	}
	start = start.UTC()
	if y := start.Year(); y < minYear || y > maxYear {
		return nil, fmt.Sprintf("start %s is not between %d and %d", quote(rawStart), minYear, maxYear)
	}
	duration, why := seconds(bytes.TrimSpace(f[c.col[3]]), "duration_seconds")
	if why != "" {
		return nil, why
	}
	from := bytes.TrimSpace(f[c.col[1]])
	to := bytes.TrimSpace(f[c.col[2]])
	if !c.wants(from, to) {
		return nil, ""
	}
	c.keys.begin("csv")
	c.keys.number(start.Unix())
	c.keys.number(int64(start.Nanosecond()))
	c.keys.text(from)
	c.keys.text(to)
	c.keys.number(int64(duration))
	return &Call{
		Start:    start,
		From:     string(from),
		To:       string(to),
		Duration: duration,
		Billsec:  duration,
		Key:      c.keys.key(),
	}, ""
}
