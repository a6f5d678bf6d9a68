package tandem

import (
	"context"
	"time"
)

// SourceStatus is where a source is in its life.
type SourceStatus string

// The statuses of a source's life (DOMAIN "The life of a source").
const (
	StatusProspective SourceStatus = "prospective"
	StatusAuthorised  SourceStatus = "authorised"
	StatusDeactivated SourceStatus = "deactivated"
)

// Source is a confidential informant as most people may see it: by
// reference, never by identity. The identity lives apart, in Identity, and
// leaves the store only through a logged reveal.
type Source struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Gender    string `json:"gender"`
	// RequiredOfficerGender is the officer gender a controller recorded for a
	// source whose own gender is neither female nor male ("" until then).
	RequiredOfficerGender string       `json:"required_officer_gender,omitempty"`
	Status                SourceStatus `json:"status"`
	Unit                  string       `json:"unit"`
	RecruitedOn           string       `json:"recruited_on"`
	CreatedAt             time.Time    `json:"created_at"`

	Handlers   []*Assignment `json:"handlers"`
	OpenAlerts int           `json:"open_alerts"`
	// RelationshipRisk is true while a relationship-risk alert is open on
	// the source.
	RelationshipRisk bool `json:"relationship_risk"`
	// Permissions are the acting officer's, toward this source.
	Permissions Permissions `json:"permissions"`
}

// Identity is who a source really is. Only the identity reveal returns it.
type Identity struct {
	LegalName                string   `json:"legal_name"`
	Aliases                  []string `json:"aliases"`
	DateOfBirth              string   `json:"date_of_birth"`
	Address                  string   `json:"address"`
	PhoneNumbers             []string `json:"phone_numbers"`
	RecruitmentCircumstances string   `json:"recruitment_circumstances"`
}

// SourceCreate is a request to register a source.
type SourceCreate struct {
	Gender   string
	Unit     string
	Identity Identity
	// RecruitedOn is YYYY-MM-DD.
	RecruitedOn string
}

// SourceUpdate changes what a controller may set on a source. Nil fields
// are left alone.
type SourceUpdate struct {
	Status                *SourceStatus
	RequiredOfficerGender *string
}

// AssignmentRole is what an officer is to a source.
type AssignmentRole string

// The assignment roles of CONTRACT.
const (
	AssignHandler    AssignmentRole = "handler"
	AssignCoHandler  AssignmentRole = "co_handler"
	AssignController AssignmentRole = "controller"
)

// CountsAsHandler reports whether the role counts toward TWO_HANDLERS.
func (r AssignmentRole) CountsAsHandler() bool {
	return r == AssignHandler || r == AssignCoHandler
}

// Assignment is one officer's time in one role for one source. Ended
// assignments are kept: the history of who handled a source is part of its
// record.
type Assignment struct {
	ID          string         `json:"id"`
	SourceID    string         `json:"source_id"`
	OfficerID   string         `json:"officer_id"`
	OfficerName string         `json:"officer_name,omitempty"`
	Role        AssignmentRole `json:"role"`
	StartedAt   time.Time      `json:"started_at"`
	EndedAt     *time.Time     `json:"ended_at,omitempty"`
}

// Current reports whether the assignment has not ended.
func (a *Assignment) Current() bool { return a.EndedAt == nil }

// SourceService registers sources, controls who may see them, and reveals
// identities to those with need-to-know, logging every attempt.
type SourceService interface {
	CreateSource(ctx context.Context, c SourceCreate) (*Source, error)
	FindSource(ctx context.Context, id string) (*Source, error)
	// ViewSource is FindSource for a person opening the source's file: the
	// look is logged (who, when, which source).
	ViewSource(ctx context.Context, id string) (*Source, error)
	ListSources(ctx context.Context) ([]*Source, error)
	// PageSources returns one page of them, by reference (limit 0: 50, at
	// most 200; after: the previous page's cursor).
	PageSources(ctx context.Context, limit int, after string) (*SourcePage, error)
	UpdateSource(ctx context.Context, id string, u SourceUpdate) (*Source, error)
	RevealIdentity(ctx context.Context, id, reason string) (*Identity, error)
	// LogRefusedReveal records an attempt to reveal refused before it
	// reached RevealIdentity (a request that could not be read), with why.
	LogRefusedReveal(ctx context.Context, id, reason, why string) error
	Assign(ctx context.Context, sourceID, officerID string, role AssignmentRole) (*Assignment, error)
	EndAssignment(ctx context.Context, sourceID, assignmentID string) error
	ListAssignments(ctx context.Context, sourceID string) ([]*Assignment, error)
}

// Permissions are what the acting officer may do to one source, decided by
// package policy and carried on the source, so that every page offers
// exactly the controls the store will then allow.
type Permissions struct {
	// Record: record a contact the officer took part in (a controller of
	// the source may record any).
	Record bool `json:"record"`
	// Plan: plan and cancel meetings.
	Plan bool `json:"plan"`
	// Override: plan a meeting that breaks a rule, with a justification.
	Override bool `json:"override"`
	// Assign: assign officers and end assignments.
	Assign bool `json:"assign"`
	// Acknowledge: acknowledge the source's event alerts (except those
	// about the officer's own conduct).
	Acknowledge bool `json:"acknowledge"`
	// Amend: amend contacts the officer took part in or documented (a
	// controller may amend any).
	Amend bool `json:"amend"`
	// AddRisk: add to the risk register.
	AddRisk bool `json:"add_risk"`
	// Update: change the source's status or required officer gender.
	Update bool `json:"update"`
	// Reveal: see the identity as part of the team's work; BreakGlass:
	// see it only by breaking the glass, which raises an alert.
	Reveal     bool `json:"reveal"`
	BreakGlass bool `json:"break_glass"`
}

// SourcePage is one page of sources, by reference.
type SourcePage struct {
	Sources []*Source `json:"sources"`
	Next    *string   `json:"next"`
}
