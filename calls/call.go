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

// Reader yields calls one at a time; Next returns io.EOF at the end, a
// *LineError for a bad record (the caller keeps calling Next), or another
// error when the input itself fails.
type Reader interface {
	Next() (*Call, error)
}
