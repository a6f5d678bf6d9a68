// Package calls reads call detail records — the phone system's own account
// of who called whom, when and for how long — so that they can be reconciled
// against the contacts handlers documented.
//
// The readers stream: they hold one record (at most 64 KiB) at a time
// whatever the size of the file, and a bad record is reported with its line
// number without stopping the rest of the file from being read.
package calls

import (
	"fmt"
	"time"
)

// Call is one call record, as read.
type Call struct {
	Line     int       // 1-based line number in the file (the physical line the record starts on)
	Start    time.Time // UTC
	From, To string    // the numbers as written (src, dst)
	Duration int       // seconds from start to end
	Billsec  int       // seconds from answer to end; 0 when not answered
	Key      string    // a stable identity of the record, for idempotent import: the same line gives the same Key
}

// Answered reports whether the call was answered and billed at least one
// second: a call that rang out is no contact with the source.
func (c *Call) Answered() bool { return c.Billsec >= 1 }

// LineError is a record that could not be read: the import rejects it and
// goes on.
type LineError struct {
	Line   int    // 1-based line the record starts on
	Reason string // what is wrong, in words; it quotes times and numbers of seconds, never a phone number or name
}

// Error returns "line N: reason".
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// filter passes over, unbuilt, the records whose numbers an import would
// not keep (see Only). Both readers embed one.
type filter struct {
	only   func(from, to []byte) bool
	passed int
}

// Only makes Next pass over every well-formed record whose numbers, as
// written, keep refuses: it is counted by Passed, and no Call is built
// for it. A record that is not well formed is still reported, whatever
// its numbers. keep must not hold on to its arguments.
func (f *filter) Only(keep func(from, to []byte) bool) { f.only = keep }

// Passed is how many records Next has passed over.
func (f *filter) Passed() int { return f.passed }

// wants asks the filter about a record's numbers, counting a refusal.
func (f *filter) wants(from, to []byte) bool {
	if f.only == nil || f.only(from, to) {
		return true
	}
	f.passed++
	return false
}

// Reader yields calls one at a time; Next returns io.EOF at the end, a
// *LineError for a bad record (the caller keeps calling Next), or another
// error when the input itself fails.
type Reader interface {
	Next() (*Call, error)
}
