package tandem

import (
	"context"
	"time"
)

// Pair is a handler and a source, scored for the warning signs of a
// relationship going wrong, with the reasons in words.
type Pair struct {
	OfficerID       string   `json:"officer_id"`
	OfficerName     string   `json:"officer_name"`
	SourceID        string   `json:"source_id"`
	SourceReference string   `json:"source_reference"`
	Score           float64  `json:"score"`
	Reasons         []Reason `json:"reasons"`
	// Events are the dated facts behind the score, for the timeline of a
	// flagged pair (score above zero).
	Events []PairEvent `json:"events,omitempty"`
}

// Reason is one warning sign of a pair: what, how often, its weight, and a
// sentence a controller reads.
type Reason struct {
	Indicator string  `json:"indicator"`
	Count     int     `json:"count"`
	Weight    float64 `json:"weight"`
	// Points is what the reason adds to the score: count × weight for
	// most, a share or a ratio × weight for some.
	Points   float64  `json:"points"`
	Text     string   `json:"text"`
	Contacts []string `json:"contact_ids,omitempty"`
	Calls    []string `json:"call_ids,omitempty"`
}

// PairEvent is a dated fact on a pair's timeline: a contact, a call, a
// breach.
type PairEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // contact, call, breach
	// Flagged marks a contact or call that counts toward a reason.
	Flagged bool   `json:"flagged"`
	ID      string `json:"id"`
}

// BoardFilter chooses the pairs of the early-warning board: the window in
// days, the unit (for an auditor; "" for their own), and a page of them
// (Limit 0: 50, at most 200; After: the previous page's cursor).
type BoardFilter struct {
	Days  int
	Unit  string
	Limit int
	After string
}

// PairPage is one page of the board, highest score first.
type PairPage struct {
	Pairs []*Pair `json:"pairs"`
	Next  *string `json:"next"`
}

// EarlyWarningService ranks handler–source pairs by their warning signs.
type EarlyWarningService interface {
	// EarlyWarning returns every pair of the caller's own unit (and the
	// sources they control by name); PageEarlyWarning a page of a unit's.
	EarlyWarning(ctx context.Context, days int) ([]*Pair, error)
	PageEarlyWarning(ctx context.Context, f BoardFilter) (*PairPage, error)
}
