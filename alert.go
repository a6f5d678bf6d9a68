package tandem

import (
	"context"
	"time"
)

// AlertStatus is where an alert stands.
type AlertStatus string

// The statuses of an alert. An event alert stays open until a controller
// acknowledges it; a state alert resolves itself when the state is fixed.
const (
	AlertOpen         AlertStatus = "open"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertResolved     AlertStatus = "resolved"
)

// Alert is a rule's breach or warning, raised for a controller to see.
type Alert struct {
	ID              string   `json:"id"`
	Rule            Rule     `json:"rule"`
	Severity        Severity `json:"severity"`
	SourceID        string   `json:"source_id"`
	SourceReference string   `json:"source_reference"`
	// ContactID is "" when the alert arose from no contact.
	ContactID  string      `json:"contact_id"`
	MeetingID  string      `json:"meeting_id,omitempty"`
	CallID     string      `json:"call_id,omitempty"`
	OfficerIDs []string    `json:"officer_ids"`
	RaisedAt   time.Time   `json:"raised_at"`
	Status     AlertStatus `json:"status"`
	Message    string      `json:"message"`
	// State is true for a state alert (resolves itself), false for an event.
	State          bool       `json:"state"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
	Justification  string     `json:"justification,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	// CanAcknowledge says whether the acting officer may acknowledge it
	// (package policy decides; the pages offer the control from it).
	CanAcknowledge bool `json:"can_acknowledge"`
	// PlannedBy is who planned the meeting the alert is about, if any: an
	// override's author may not acknowledge its alerts.
	PlannedBy string `json:"-"`
	// Unit is the source's unit.
	Unit string `json:"-"`
}

// AlertFilter narrows a list of alerts. Empty fields match everything.
type AlertFilter struct {
	Status    AlertStatus
	Rule      Rule
	SourceID  string
	OfficerID string
	// ContactID narrows to the alerts a contact raised.
	ContactID string
	// Limit is the page's size (0: 50; at most 200); After the cursor of
	// the previous page ("" for the first).
	Limit int
	After string
}

// AlertPage is one page of alerts, newest first.
type AlertPage struct {
	Alerts []*Alert `json:"alerts"`
	Next   *string  `json:"next"`
}

// AlertService lists alerts and lets controllers acknowledge them.
type AlertService interface {
	// PageAlerts returns one page, newest first; ListAlerts every page,
	// for callers that know the list is short (the demo's loader, tests).
	PageAlerts(ctx context.Context, f AlertFilter) (*AlertPage, error)
	ListAlerts(ctx context.Context, f AlertFilter) ([]*Alert, error)
	AcknowledgeAlert(ctx context.Context, id, justification string) (*Alert, error)
	// OpenAlertGroups counts the open alerts the officer may see that
	// match the filter (its status aside), by source and rule.
	OpenAlertGroups(ctx context.Context, f AlertFilter) ([]*AlertGroup, error)
}

// AlertGroup is how many open alerts of one rule a source has, and since
// when the oldest was raised. SourceID is "" for the force's alerts.
type AlertGroup struct {
	SourceID        string    `json:"source_id,omitempty"`
	SourceReference string    `json:"source_reference,omitempty"`
	Rule            Rule      `json:"rule"`
	Severity        Severity  `json:"severity"`
	Count           int       `json:"count"`
	Oldest          time.Time `json:"oldest"`
}

// Compliance counts what a unit did and how much of it kept the rules, over
// a period.
type Compliance struct {
	From                          string       `json:"from"`
	To                            string       `json:"to"`
	Unit                          string       `json:"unit,omitempty"`
	Contacts                      int          `json:"contacts"`
	DocumentedWithin24h           int          `json:"documented_within_24h"`
	Meetings                      int          `json:"meetings"`
	MeetingsWithTwoOfficers       int          `json:"meetings_with_two_officers"`
	MeetingsWithSameGenderOfficer int          `json:"meetings_with_same_gender_officer"`
	OpenAlerts                    map[Rule]int `json:"open_alerts"`
}

// ComplianceFilter chooses the period (dates, inclusive), the unit, and
// optionally one officer (contacts at which they were present).
type ComplianceFilter struct {
	From, To  string
	Unit      string
	OfficerID string
}

// Measure names one of compliance's counts, to list the contacts behind it.
type Measure string

// The measures whose contacts can be listed.
const (
	MeasureContacts          Measure = "contacts"
	MeasureLate              Measure = "late"
	MeasureMeetings          Measure = "meetings"
	MeasureSoloMeetings      Measure = "meetings_without_two_officers"
	MeasureNoSameGender      Measure = "meetings_without_same_gender_officer"
	MeasureDocumentedOnTime  Measure = "documented_within_24h"
	MeasureTwoOfficers       Measure = "meetings_with_two_officers"
	MeasureSameGenderOfficer Measure = "meetings_with_same_gender_officer"
)

// ValidMeasure reports whether m is one of the measures.
func ValidMeasure(m Measure) bool {
	switch m {
	case MeasureContacts, MeasureLate, MeasureMeetings, MeasureSoloMeetings, MeasureNoSameGender,
		MeasureDocumentedOnTime, MeasureTwoOfficers, MeasureSameGenderOfficer:
		return true
	}
	return false
}

// ContactRecord is a contact with its source's reference, as listed behind
// a compliance count.
type ContactRecord struct {
	Contact
	SourceReference string `json:"source_reference"`
}

// ContactRecordPage is one page of the contacts behind a count, newest
// first.
type ContactRecordPage struct {
	Contacts []*ContactRecord `json:"contacts"`
	Next     *string          `json:"next"`
}

// ComplianceReport is a period's compliance as a whole, week by week (from
// the period's first day), and by officer, counted in one pass.
type ComplianceReport struct {
	Total     *Compliance
	Weeks     []*Compliance
	ByOfficer map[string]*Compliance
}

// ComplianceService counts compliance, and lists the contacts behind each
// count.
type ComplianceService interface {
	Compliance(ctx context.Context, f ComplianceFilter) (*Compliance, error)
	ComplianceReport(ctx context.Context, f ComplianceFilter) (*ComplianceReport, error)
	// ComplianceContacts lists a page of them (limit 0: 50; after: the
	// previous page's cursor).
	ComplianceContacts(ctx context.Context, f ComplianceFilter, m Measure, limit int, after string) (*ContactRecordPage, error)
}

// Sweeper re-evaluates the rules that time alone can breach: meetings left
// undocumented, accreditation that lapsed, state rules.
type Sweeper interface {
	Sweep(ctx context.Context) error
}
