package tandem

import (
	"context"
	"time"
)

// ContactKind is how a contact with a source happened.
type ContactKind string

// The kinds of contact.
const (
	KindMeeting ContactKind = "meeting"
	KindPhone   ContactKind = "phone"
	KindMessage ContactKind = "message"
	KindOther   ContactKind = "other"
)

// ValidContactKind reports whether k is a known kind.
func ValidContactKind(k ContactKind) bool {
	switch k {
	case KindMeeting, KindPhone, KindMessage, KindOther:
		return true
	}
	return false
}

// Indicator is a relationship-risk indicator reported on a contact.
type Indicator string

// The indicators of CONTRACT.
const (
	IndicatorOutOfHours              Indicator = "out_of_hours"
	IndicatorPersonalChannel         Indicator = "personal_channel"
	IndicatorGiftOrFavour            Indicator = "gift_or_favour"
	IndicatorSexualisedLanguage      Indicator = "sexualised_language"
	IndicatorPhysicalContact         Indicator = "physical_contact"
	IndicatorRequestsSpecificOfficer Indicator = "requests_specific_officer"
	IndicatorSocialContact           Indicator = "social_contact"
	IndicatorAttractionExpressed     Indicator = "attraction_expressed"
	IndicatorOtherBoundary           Indicator = "other_boundary"
)

// Indicators lists every indicator, in a stable order.
var Indicators = []Indicator{IndicatorOutOfHours, IndicatorPersonalChannel, IndicatorGiftOrFavour,
	IndicatorSexualisedLanguage, IndicatorPhysicalContact, IndicatorRequestsSpecificOfficer,
	IndicatorSocialContact, IndicatorAttractionExpressed, IndicatorOtherBoundary}

// ValidIndicator reports whether i is one of Indicators.
func ValidIndicator(i Indicator) bool {
	for _, x := range Indicators {
		if x == i {
			return true
		}
	}
	return false
}

// MeetingStatus is where a planned meeting stands.
type MeetingStatus string

// The statuses of a planned meeting.
const (
	MeetingPlanned   MeetingStatus = "planned"
	MeetingHeld      MeetingStatus = "held"
	MeetingCancelled MeetingStatus = "cancelled"
)

// Meeting is a planned meeting with a source.
type Meeting struct {
	ID                    string        `json:"id"`
	SourceID              string        `json:"source_id"`
	PlannedFor            time.Time     `json:"planned_for"`
	Location              string        `json:"location"`
	OfficerIDs            []string      `json:"officer_ids"`
	Status                MeetingStatus `json:"status"`
	ContactID             string        `json:"contact_id,omitempty"`
	OverrideJustification string        `json:"override_justification,omitempty"`
	// CancelReason says why a cancelled meeting did not take place.
	CancelReason string    `json:"cancel_reason,omitempty"`
	Findings     []Finding `json:"findings"`
	PlannedBy    string    `json:"planned_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// MeetingCreate is a request to plan a meeting.
type MeetingCreate struct {
	PlannedFor            time.Time
	Location              string
	OfficerIDs            []string
	OverrideJustification string
}

// Contact is a documented contact with a source. Contacts are never edited
// or deleted; corrections are Amendments, and the original stays readable.
type Contact struct {
	ID              string      `json:"id"`
	SourceID        string      `json:"source_id"`
	Kind            ContactKind `json:"kind"`
	OccurredAt      time.Time   `json:"occurred_at"`
	DurationMinutes *int        `json:"duration_minutes,omitempty"`
	Location        string      `json:"location,omitempty"`
	OfficerIDs      []string    `json:"officer_ids"`
	Summary         string      `json:"summary"`
	Indicators      []Indicator `json:"indicators"`
	MeetingID       string      `json:"meeting_id,omitempty"`
	DocumentedAt    time.Time   `json:"documented_at"`
	DocumentedBy    string      `json:"documented_by"`
	// Late is true when the contact was documented more than the allowed
	// time after it occurred. It is never cleared.
	Late       bool         `json:"late"`
	Findings   []Finding    `json:"findings"`
	Amendments []*Amendment `json:"amendments,omitempty"`
}

// ContactCreate is a request to record a contact.
type ContactCreate struct {
	Kind            ContactKind
	OccurredAt      time.Time
	DurationMinutes *int
	Location        string
	OfficerIDs      []string
	Summary         string
	Indicators      []Indicator
	MeetingID       string
}

// Amendment corrects a contact. Only the fields it sets change; the
// original contact stays as it was recorded.
type Amendment struct {
	ID              string       `json:"id"`
	ContactID       string       `json:"contact_id"`
	Reason          string       `json:"reason"`
	Kind            *ContactKind `json:"kind,omitempty"`
	OccurredAt      *time.Time   `json:"occurred_at,omitempty"`
	DurationMinutes *int         `json:"duration_minutes,omitempty"`
	Location        *string      `json:"location,omitempty"`
	OfficerIDs      []string     `json:"officer_ids,omitempty"`
	Summary         *string      `json:"summary,omitempty"`
	// Indicators replaces the contact's indicators when not null; an empty
	// list clears them.
	Indicators []Indicator `json:"indicators"`
	AmendedAt  time.Time   `json:"amended_at"`
	AmendedBy  string      `json:"amended_by"`
	Findings   []Finding   `json:"findings"`
}

// Apply returns the contact as amended by a, leaving c unchanged.
func (a *Amendment) Apply(c Contact) Contact {
	if a.Kind != nil {
		c.Kind = *a.Kind
	}
	if a.OccurredAt != nil {
		c.OccurredAt = *a.OccurredAt
	}
	if a.DurationMinutes != nil {
		c.DurationMinutes = a.DurationMinutes
	}
	if a.Location != nil {
		c.Location = *a.Location
	}
	if a.OfficerIDs != nil {
		c.OfficerIDs = a.OfficerIDs
	}
	if a.Summary != nil {
		c.Summary = *a.Summary
	}
	if a.Indicators != nil {
		c.Indicators = a.Indicators
	}
	return c
}

// ContactPage is one page of a source's contacts, newest first.
type ContactPage struct {
	Contacts []*Contact `json:"contacts"`
	Next     *string    `json:"next"`
}

// ContactService plans meetings and records contacts, checking each against
// the rules.
type ContactService interface {
	PlanMeeting(ctx context.Context, sourceID string, c MeetingCreate) (*Meeting, error)
	// CancelMeeting cancels a planned meeting that will not take place, with
	// the reason: it then owes no record.
	CancelMeeting(ctx context.Context, sourceID, meetingID, reason string) (*Meeting, error)
	ListMeetings(ctx context.Context, sourceID string) ([]*Meeting, error)
	RecordContact(ctx context.Context, sourceID string, c ContactCreate) (*Contact, error)
	FindContact(ctx context.Context, sourceID, contactID string) (*Contact, error)
	ListContacts(ctx context.Context, sourceID string, limit int, after string) (*ContactPage, error)
	AmendContact(ctx context.Context, sourceID, contactID string, a Amendment) (*Amendment, error)
	// PreviewMeeting and PreviewContact return the findings a plan or a
	// contact would bring now, recording nothing: the forms show them
	// before saving.
	PreviewMeeting(ctx context.Context, sourceID string, c MeetingCreate) ([]Finding, error)
	PreviewContact(ctx context.Context, sourceID string, c ContactCreate) ([]Finding, error)
	// Timeline reads a source's timeline a page at a time (limit 0: 50;
	// after: the previous page's cursor), and PlannedMeetings the meetings
	// still planned of some sources, which the pages show as due.
	Timeline(ctx context.Context, sourceID string, limit int, after string) (*TimelinePage, error)
	PlannedMeetings(ctx context.Context, sourceIDs []string) ([]*Meeting, error)
}

// TimelineItem is one entry of a source's timeline: a contact, a meeting
// still planned, a call from the phone records, a risk entry or an alert,
// at its moment.
type TimelineItem struct {
	At      time.Time   `json:"at"`
	Kind    string      `json:"kind"`
	ID      string      `json:"id"`
	Contact *Contact    `json:"contact,omitempty"`
	Meeting *Meeting    `json:"meeting,omitempty"`
	Call    *CallRecord `json:"call,omitempty"`
	Risk    *Risk       `json:"risk,omitempty"`
	Alert   *Alert      `json:"alert,omitempty"`
}

// TimelinePage is one page of a source's timeline, newest first.
type TimelinePage struct {
	Items []*TimelineItem `json:"items"`
	Next  *string         `json:"next"`
}
