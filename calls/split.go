package calls

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecordBytes is the longest record read. An Asterisk line is a few
// hundred bytes; the bound keeps memory constant on any input.
const maxRecordBytes = 64 << 10

// maxRecordLines is the most physical lines one record may span (a quoted
// field holding newlines). It bounds the work spent on a line whose quote is
// never closed before that line is rejected and the lines after it re-read.
const maxRecordLines = 16

// unclosedQuote is the reason given for a line whose quote never closes.
const unclosedQuote = "a quoted field is never closed (a stray or missing double quote)"

// heldLine is a physical line kept in records.buf.
type heldLine struct {
	end     int  // offset in buf just past the line and its newline
	tooLong bool // longer than maxRecordBytes: not kept, only counted
}

// records splits CSV text into records, one physical line at a time.
//
// It is written by hand rather than with encoding/csv for two reasons. A
// bad quote must cost only its own line: encoding/csv reads an unclosed
// quote on to the end of the file as one field, while here a record may
// continue onto the next lines only when the lines joined make a well-formed
// record; otherwise the first line alone is rejected and reading resumes on
// the line after it. And it is faster (BenchmarkSplit_EncodingCSV measures
// the difference).
//
// The syntax is RFC 4180's, as encoding/csv reads it with LazyQuotes off: a
// field is either bare (no quote in it) or wrapped in double quotes, with
// an inner quote doubled; a quoted field may hold commas and newlines.
// Records end at LF or CRLF. Blank lines are skipped.
type records struct {
	br      *bufio.Reader
	next    int        // number of the next physical line br will give
	buf     []byte     // the text of the held lines, one after another
	held    []heldLine // lines read but not yet consumed
	fields  [][]byte   // the last record's fields, into buf or scratch
	scratch []byte     // unquoted text of fields that had doubled quotes
	err     error      // sticky: io.EOF or the input's failure
	done    int        // held lines the last record returned came from
}

func newRecords(r io.Reader) *records {
	return &records{br: bufio.NewReaderSize(r, maxRecordBytes), next: 1}
}

// read returns the next record and the line it starts on. The fields are
// valid until the next call. The error is a *LineError for a record that is
// not well-formed CSV, io.EOF at the end, or the input's own error.
func (r *records) read() (int, [][]byte, error) {
	if r.done > 0 {
		r.drop(r.done)
		r.done = 0
	}
	for {
		if len(r.held) == 0 {
			if err := r.fill(); err != nil {
				return 0, nil, err
			}
		}
		line := r.next - len(r.held)
		first := r.held[0]
		if first.tooLong {
			r.drop(1)
			return 0, nil, &LineError{Line: line, Reason: fmt.Sprintf("the line is longer than %d bytes", maxRecordBytes)}
		}
		if len(bytes.TrimSpace(r.buf[:first.end])) == 0 {
			r.drop(1)
			continue
		}
		for k := 1; ; k++ {
			text := trimNewline(r.buf[:r.held[k-1].end])
			reason, open := r.split(text)
			switch {
			case !open && reason == "":
				r.done = k // dropped on the next read: the fields point into buf
				return line, r.fields, nil
			case !open && k == 1:
				r.drop(1)
				return 0, nil, &LineError{Line: line, Reason: reason}
			case !open:
				// Joining the next lines was a guess that failed: the
				// fault is the quote left open on the first line.
				r.drop(1)
				return 0, nil, &LineError{Line: line, Reason: unclosedQuote}
			}
			// The quote is still open at the end of line k: the field may
			// go on in the next line, if there is one and room for it.
			if k == len(r.held) {
				if len(r.buf) >= maxRecordBytes || k >= maxRecordLines {
					break
				}
				if err := r.fill(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					return 0, nil, err
				}
			}
			if r.held[k].tooLong || r.held[k].end > maxRecordBytes {
				break
			}
		}
		r.drop(1)
		return 0, nil, &LineError{Line: line, Reason: unclosedQuote}
	}
}

// fill reads one more physical line into buf. A line too long to hold is
// read through to its newline and held as a marker only.
func (r *records) fill() error {
	if r.err != nil {
		return r.err
	}
	b, err := r.br.ReadSlice('\n')
	tooLong := false
	for errors.Is(err, bufio.ErrBufferFull) {
		tooLong = true
		_, err = r.br.ReadSlice('\n')
		b = nil
	}
	switch {
	case errors.Is(err, io.EOF) && len(b) == 0 && !tooLong:
		r.err = io.EOF
		return r.err
	case errors.Is(err, io.EOF):
		r.err = io.EOF // the last line has no newline; the next fill ends
	case err != nil:
		r.err = err
		return err
	}
	if !tooLong {
		r.buf = append(r.buf, b...)
	}
	r.held = append(r.held, heldLine{end: len(r.buf), tooLong: tooLong})
	r.next++
	return nil
}

// drop forgets the first k held lines, keeping the rest for the next read.
func (r *records) drop(k int) {
	cut := r.held[k-1].end
	n := copy(r.buf, r.buf[cut:])
	r.buf = r.buf[:n]
	m := copy(r.held, r.held[k:])
	r.held = r.held[:m]
	for i := range r.held {
		r.held[i].end -= cut
	}
}

// trimNewline removes the LF or CRLF that ends b, if any.
func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// split breaks text into r.fields. It returns open when text ends inside a
// quoted field, or the reason text is not well-formed.
func (r *records) split(text []byte) (reason string, open bool) {
	r.fields = r.fields[:0]
	// Unquoted text is never longer than text, so scratch never grows
	// below the fields already pointing into it.
	if cap(r.scratch) < len(text) {
		r.scratch = make([]byte, 0, len(text))
	}
	r.scratch = r.scratch[:0]
	i, n := 0, len(text)
	for {
		if i < n && text[i] == '"' {
			i++
			start := i
			escaped := false
			s0 := len(r.scratch)
			for {
				j := bytes.IndexByte(text[i:], '"')
				if j < 0 {
					return "", true
				}
				i += j
				if i+1 < n && text[i+1] == '"' {
					r.scratch = append(r.scratch, text[start:i+1]...)
					escaped = true
					i += 2
					start = i
					continue
				}
				break
			}
			if escaped {
				r.scratch = append(r.scratch, text[start:i]...)
				r.fields = append(r.fields, r.scratch[s0:len(r.scratch):len(r.scratch)])
			} else {
				r.fields = append(r.fields, text[start:i:i])
			}
			i++ // the closing quote
			if i == n {
				return "", false
			}
			if text[i] != ',' {
				return fmt.Sprintf("field %d: text after the closing double quote", len(r.fields)), false
			}
			i++
			continue
		}
		j := bytes.IndexByte(text[i:], ',')
		end := n
		if j >= 0 {
			end = i + j
		}
		if bytes.IndexByte(text[i:end], '"') >= 0 {
			return fmt.Sprintf("field %d: a double quote inside a field that does not start with one", len(r.fields)+1), false
		}
		r.fields = append(r.fields, text[i:end:end])
		if j < 0 {
			return "", false
		}
		i = end + 1
	}
}
