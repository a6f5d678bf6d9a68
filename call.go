package tandem

import (
	"context"
	"fmt"
	"time"
)

// CallRecord is a call between an officer's work phone and a source's
// registered number, as kept from a phone system's records: who, whom,
// when and how long. The numbers themselves are not kept.
type CallRecord struct {
	ID        string    `json:"id"`
	SourceID  string    `json:"source_id"`
	OfficerID string    `json:"officer_id"`
	Direction string    `json:"direction"` // "out": the officer called; "in": the source called
	StartedAt time.Time `json:"started_at"`
	Duration  int       `json:"duration_seconds"`
	Billsec   int       `json:"billed_seconds"`
	// Documented is true when a phone or message contact covers the call,
	// false when none does, nil while it is too recent to judge.
	Documented *bool `json:"documented"`
}

// CallImport is what an import of call records did (CONTRACT
// POST /call-records).
type CallImport struct {
	Imported     int            `json:"imported"`
	Duplicates   int            `json:"duplicates"`
	Ignored      int            `json:"ignored"`
	Matched      int            `json:"matched"`
	Undocumented int            `json:"undocumented"`
	AlertsRaised int            `json:"alerts_raised"`
	Rejected     []RejectedLine `json:"rejected"`
	// RejectedTotal counts every rejected line; Rejected lists the first
	// thousand.
	RejectedTotal int `json:"rejected_total"`
	Lines         int `json:"lines"`
}

// RejectedLine is a line of a call-record file that could not be read.
type RejectedLine struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// CallSource yields call records one at a time (package calls): io.EOF at
// the end, a *CallLineError for a line that could not be read (the import
// rejects it and goes on), any other error when the input itself fails.
type CallSource interface {
	Next() (*Call, error)
}

// CallFilter is what a CallSource may also be: told which numbers an
// import keeps, it passes over the records whose numbers keep refuses
// without building them, and counts them. keep sees the numbers as
// written, and must accept every record the import would keep.
type CallFilter interface {
	Only(keep func(from, to []byte) bool)
	Passed() int
}

// CallLineError is a line of call records that could not be read.
type CallLineError struct {
	Line   int
	Reason string
}

func (e *CallLineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Call is one call record as read from a file, the numbers as written.
type Call struct {
	Line     int
	Start    time.Time
	From, To string
	Duration int
	Billsec  int
	// Key identifies the record, so that importing it twice keeps it once.
	Key string
}

// CallService imports call records and lists a source's calls.
type CallService interface {
	ImportCalls(ctx context.Context, format string, calls CallSource) (*CallImport, error)
	ListCalls(ctx context.Context, sourceID string) ([]*CallRecord, error)
	// FindCalls returns the calls of a source with the ids given (unknown
	// ids are left out), whatever the source's history: what a page needs
	// to name the calls its alerts are about.
	FindCalls(ctx context.Context, sourceID string, ids []string) ([]*CallRecord, error)
}
