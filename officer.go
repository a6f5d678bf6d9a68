package tandem

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a set of duties an officer holds.
type Role string

// The roles of CONTRACT. An admin holds no other role (separation of duties).
const (
	RoleAdmin              Role = "admin"
	RoleHandler            Role = "handler"
	RoleController         Role = "controller"
	RoleAuthorisingOfficer Role = "authorising_officer"
	RoleAuditor            Role = "auditor"
)

// JoinRoles writes roles as one string, joined by sep: how the store keeps
// them (",") and how the trail and pages say them (", ").
func JoinRoles(roles []Role, sep string) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, sep)
}

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAdmin, RoleHandler, RoleController, RoleAuthorisingOfficer, RoleAuditor}

// ValidRole reports whether r is one of Roles.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// MaxUsername is the longest a username may be, in bytes: a sign-in with a
// longer one is refused before anything is hashed or stored.
const MaxUsername = 64

var genderPattern = regexp.MustCompile(`^[a-z][a-z_-]{0,31}$`)

// ValidGender reports whether g is a gender Tandem accepts: female, male, or
// any other lowercase word.
func ValidGender(g string) bool { return genderPattern.MatchString(g) }

// Officer is a police officer with an account: a handler, controller,
// authorising officer, auditor or administrator.
type Officer struct {
	ID         string    `json:"id"`
	Username   string    `json:"username"`
	Name       string    `json:"name"`
	Gender     string    `json:"gender"`
	Unit       string    `json:"unit"`
	Roles      []Role    `json:"roles"`
	Dedicated  bool      `json:"dedicated"`
	WorkPhones []string  `json:"work_phones"`
	CreatedAt  time.Time `json:"created_at"`
	// Senior: an authorising officer of the higher rank that juvenile and
	// vulnerable sources need.
	Senior bool `json:"senior"`
	// DisabledAt is when an administrator disabled the account: from then
	// it signs nobody in, and its sessions and tokens stop working.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// AwaitingConfirmation: an administrator created the account, or
	// changed its rank or training, and no second person has confirmed it
	// yet (the two-person rule). Until then it sees no source and joins no
	// handling team. ConfirmationOf is the administrator whose change
	// awaits, who may not confirm it.
	AwaitingConfirmation bool   `json:"awaiting_confirmation"`
	ConfirmationOf       string `json:"-"`

	// Computed from the training records, the dedicated flag and the clock.
	Accredited    bool    `json:"accredited"`
	TrainingHours float64 `json:"training_hours"`
	// AccreditationGaps says in words why an officer is not accredited.
	AccreditationGaps []string `json:"accreditation_gaps,omitempty"`
}

// HasRole reports whether the officer holds role r.
func (o *Officer) HasRole(r Role) bool {
	for _, x := range o.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAnyRole reports whether the officer holds at least one of rs.
func (o *Officer) HasAnyRole(rs ...Role) bool {
	for _, r := range rs {
		if o.HasRole(r) {
			return true
		}
	}
	return false
}

// Training is one completed course on an officer's record.
type Training struct {
	ID                   string    `json:"id"`
	OfficerID            string    `json:"officer_id"`
	Course               string    `json:"course"`
	Hours                float64   `json:"hours"`
	CompletedOn          string    `json:"completed_on"`
	CoversRiskManagement bool      `json:"covers_risk_management"`
	ExpiresOn            string    `json:"expires_on,omitempty"`
	RecordedAt           time.Time `json:"recorded_at"`
	RecordedBy           string    `json:"recorded_by"`
}

// OfficerCreate is a request to create an officer account.
type OfficerCreate struct {
	Username   string
	Name       string
	Gender     string
	Unit       string
	Roles      []Role
	Dedicated  bool
	WorkPhones []string
	Password   string // empty: no password login until one is set
	// Senior marks an authorising officer of the higher rank that juvenile
	// and vulnerable sources need.
	Senior bool
	// Bootstrap confirms the account as it is made: the store's first
	// controller, while it has no confirmed controller at all (the command
	// line's user add --bootstrap; never a route).
	Bootstrap bool
}

// TrainingCreate is a request to add a training record.
type TrainingCreate struct {
	Course               string
	Hours                float64
	CompletedOn          string
	CoversRiskManagement bool
	ExpiresOn            string
}

// OfficerService manages officer accounts and their training.
type OfficerService interface {
	CreateOfficer(ctx context.Context, c OfficerCreate) (*Officer, error)
	FindOfficer(ctx context.Context, id string) (*Officer, error)
	ListOfficers(ctx context.Context) ([]*Officer, error)
	// UnitOfficers lists one unit's officers; FindOfficers and
	// OfficerNames read only the officers a page shows.
	UnitOfficers(ctx context.Context, unit string) ([]*Officer, error)
	FindOfficers(ctx context.Context, ids []string) ([]*Officer, error)
	OfficerNames(ctx context.Context, ids []string) (map[string]string, error)
	AddTraining(ctx context.Context, officerID string, c TrainingCreate) (*Training, error)
	ListTraining(ctx context.Context, officerID string) ([]*Training, error)
	// UpdateOfficer changes an account's roles, unit, rank or post
	// (administrators); the account then awaits a second person's
	// confirmation.
	UpdateOfficer(ctx context.Context, id string, u OfficerUpdate) (*Officer, error)
	// ResetSecondFactor removes an account's second factor (administrators,
	// for a lost phone): its sessions end, and its next sign-in enrols a
	// new one.
	ResetSecondFactor(ctx context.Context, id, reason string) error
	// DisableOfficer disables a leaver's account (administrators): its
	// sessions and tokens stop working on the next request.
	DisableOfficer(ctx context.Context, id, reason string) (*Officer, error)
	// ConfirmOfficer is the second person's confirmation of an account an
	// administrator created or changed (policy.MayConfirm says who).
	ConfirmOfficer(ctx context.Context, id, reason string) (*Officer, error)
}

// validRoles checks an officer's roles against the unit they are posted
// to, and sorts them: at least one, each known and listed once, an
// administrator holding no other, and every officer but an administrator
// in a unit.
func validRoles(roles []Role, unit string) error {
	if len(roles) == 0 {
		return Invalid("roles", "at least one role is required")
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		if !ValidRole(r) {
			return Invalid("roles", "unknown role %q: roles are admin, handler, controller, authorising_officer, auditor", r)
		}
		if seen[r] {
			return Invalid("roles", "role %s is listed twice", r)
		}
		seen[r] = true
	}
	if seen[RoleAdmin] && len(roles) > 1 {
		return Invalid("roles", "an administrator holds no other role (separation of duties)")
	}
	if !seen[RoleAdmin] && unit == "" {
		return Invalid("unit", "a unit is required for every officer but an administrator")
	}
	sort.Slice(roles, func(i, j int) bool { return roles[i] < roles[j] })
	return nil
}

// OfficerUpdate is an administrator's change to an account: each field
// that is set replaces the account's own. Roles and Unit are judged
// together, as at creation.
type OfficerUpdate struct {
	Roles     []Role  `json:"roles,omitempty"`
	Unit      *string `json:"unit,omitempty"`
	Senior    *bool   `json:"senior,omitempty"`
	Dedicated *bool   `json:"dedicated,omitempty"`
	Reason    string  `json:"reason"`
}

// Apply checks the change against the account o as it stands and returns
// the account as the change would leave it. The error names the field at
// fault.
func (u OfficerUpdate) Apply(o Officer) (Officer, error) {
	if strings.TrimSpace(u.Reason) == "" {
		return o, Invalid("reason", "a reason is required to change an account")
	}
	if u.Roles == nil && u.Unit == nil && u.Senior == nil && u.Dedicated == nil {
		return o, Invalid("roles", "nothing to change: give roles, unit, senior or dedicated")
	}
	if u.Roles != nil {
		o.Roles = append([]Role(nil), u.Roles...)
	}
	if u.Unit != nil {
		o.Unit = strings.TrimSpace(*u.Unit)
	}
	if err := validRoles(o.Roles, o.Unit); err != nil {
		return o, err
	}
	if u.Senior != nil {
		o.Senior = *u.Senior
	}
	if u.Dedicated != nil {
		o.Dedicated = *u.Dedicated
	}
	return o, nil
}

// ValidTokenTTL checks how long an API token is to live: more than 0 and
// at most 90 days.
func ValidTokenTTL(ttl time.Duration) error {
	if ttl <= 0 || ttl > 90*24*time.Hour {
		return Invalid("ttl", "a token lives more than 0 and at most 90 days (2160h)")
	}
	return nil
}

// TokenService issues and checks API bearer tokens. Only a hash of each
// token is stored.
type TokenService interface {
	IssueToken(ctx context.Context, username string, ttl time.Duration) (string, error)
	Authenticate(ctx context.Context, token string) (*Officer, error)
	// RevokeTokens revokes every live token of an officer (administrators).
	RevokeTokens(ctx context.Context, username string) (int, error)
}

// Validate checks a request to create an officer and tidies it (trimmed
// text, sorted roles). The error names the field at fault.
func (c *OfficerCreate) Validate() error {
	c.Username = strings.TrimSpace(c.Username)
	c.Name = strings.TrimSpace(c.Name)
	c.Unit = strings.TrimSpace(c.Unit)
	switch {
	case !usernamePattern.MatchString(c.Username):
		return Invalid("username", "a username is 1 to 64 lowercase letters, digits, dots, dashes or underscores")
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 200:
		return Invalid("name", "a name is required (at most 200 characters)")
	case !ValidGender(c.Gender):
		return Invalid("gender", "gender must be female, male or another lowercase word")
	}
	if err := validRoles(c.Roles, c.Unit); err != nil {
		return err
	}
	if c.WorkPhones == nil {
		c.WorkPhones = []string{}
	}
	for i, p := range c.WorkPhones {
		p = strings.TrimSpace(p)
		if p == "" || len(p) > 32 {
			return Invalid("work_phones", "work phone %d is empty or too long", i+1)
		}
		c.WorkPhones[i] = p
	}
	if c.Password != "" {
		if err := ValidPassword("password", c.Password); err != nil {
			return err
		}
	}
	return nil
}

// ValidPassword checks a password a person chose: at least 10 characters,
// and at most 256, so that no one makes the server hash a book.
func ValidPassword(field, p string) error {
	if n := utf8.RuneCountInString(p); n < 10 || n > 256 {
		return Invalid(field, "a password has at least 10 characters (and at most 256)")
	}
	return nil
}
