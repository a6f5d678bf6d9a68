package tandem

import (
	"context"
	"time"
)

// Session is a browser signed in to the web UI. Its token lives only in
// the browser's cookie; the store keeps a hash of it.
type Session struct {
	OfficerID  string
	Officer    *Officer
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// SecondFactorAt is when the officer last gave their second factor in
	// this session (nil: not yet).
	SecondFactorAt *time.Time
	// Exempt is true for the demo's accounts, which have no second factor.
	Exempt bool
	// Enrolled is true when the officer has a second factor.
	Enrolled bool
}

// Complete reports whether the session may use the application: the
// password given, and the second factor too unless the account is exempt.
func (s *Session) Complete() bool { return s.Exempt || s.SecondFactorAt != nil }

// Session lifetimes (issue: "30 minutes idle and 12 hours absolute").
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// Lockout: this many failed sign-ins within the window lock the account
// until an administrator unlocks it.
const (
	LockoutFailures = 5
	LockoutWindow   = 15 * time.Minute
)

// SessionService signs officers in and out of the web UI.
type SessionService interface {
	// SignIn checks a username and password. A wrong password, an unknown
	// user and a locked account give the same error, after the same work.
	SignIn(ctx context.Context, username, password string) (token string, s *Session, err error)
	// Session returns the live session of a token, refreshing its idle
	// timer, or unauthorized when it is unknown or expired.
	Session(ctx context.Context, token string) (*Session, error)
	SignOut(ctx context.Context, token string) error
	// VerifySecondFactor checks a TOTP code for the session's officer.
	VerifySecondFactor(ctx context.Context, token, code string) error
	// PendingSecondFactor returns the TOTP key the server made for the
	// session's officer to enrol, the same until enrolment succeeds.
	PendingSecondFactor(ctx context.Context, token string) (string, error)
	// EnrolSecondFactor stores that key once a code from it checks.
	EnrolSecondFactor(ctx context.Context, token, code string) error
	// ChangePassword is an officer's change of their own password, from
	// the session of token; the account's other sessions end.
	ChangePassword(ctx context.Context, token, current, next string) error
	// ExemptSecondFactor marks a demo account as having no second factor.
	ExemptSecondFactor(ctx context.Context, officerID string) error
	UnlockAccount(ctx context.Context, officerID string) error
	LockedOfficers(ctx context.Context) (map[string]time.Time, error)
	// IsDemo reports whether the store holds the demo unit.
	IsDemo(ctx context.Context) (bool, error)
}
