package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"tandem/audit"
	"time"
	"unicode/utf8"

	"tandem"
	"tandem/passwd"
	"tandem/policy"
)

// CreateOfficer creates an officer account. Only an administrator may.
func (s *Store) CreateOfficer(ctx context.Context, c tandem.OfficerCreate) (*tandem.Officer, error) {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	hash := ""
	if c.Password != "" {
		var err error
		if hash, err = passwd.Hash(c.Password); err != nil {
			return nil, err
		}
	}
	var id string
	err := s.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM officers WHERE username = ?`, c.Username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &tandem.Error{Code: tandem.ECONFLICT, Field: "username", Message: "username " + c.Username + " is taken"}
		}
		id = newID()
		var senior any // NULL, as every earlier officer reads, unless senior
		if c.Senior {
			senior = 1
		}
		// The two-person rule: an account that would see sources waits for
		// a second person, unless it is the store's first controller made
		// with --bootstrap.
		var awaiting any
		if policy.NeedsConfirmation(&tandem.Officer{Roles: c.Roles}) {
			awaiting = tx.actorID()
		}
		if c.Bootstrap {
			if err := tx.mayBootstrap(c); err != nil {
				return err
			}
			awaiting = nil
		}
		_, err := tx.exec(`INSERT INTO officers (id, username, name, gender, unit, roles, dedicated, work_phones, password_hash, created_at, created_by, senior, awaiting_confirmation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, c.Username, c.Name, c.Gender, c.Unit, tandem.JoinRoles(c.Roles, ","), boolInt(c.Dedicated), jsonText(c.WorkPhones), hash, ts(tx.now), tx.actorID(), senior, awaiting)
		if err != nil {
			return err
		}
		reason := ""
		if c.Bootstrap {
			reason = "bootstrap: the store's first controller, confirmed as it was made, while the store had no confirmed controller"
		}
		return tx.record("officer.create", "officer", id, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.officer(ctx, id)
}

// FindOfficer returns an officer with their accreditation as of now.
func (s *Store) FindOfficer(ctx context.Context, id string) (*tandem.Officer, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	return s.officer(ctx, id)
}

func (s *Store) officer(ctx context.Context, id string) (*tandem.Officer, error) {
	var o *tandem.Officer
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		o, err = tx.officer(id)
		return err
	})
	return o, err
}

// ListOfficers returns every officer, by name, with accreditation.
func (s *Store) ListOfficers(ctx context.Context) ([]*tandem.Officer, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	var out []*tandem.Officer
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.officers(`1 = 1`)
		return err
	})
	return out, err
}

const officerColumns = `id, username, name, gender, unit, roles, dedicated, work_phones, created_at, disabled_at, senior, awaiting_confirmation`

// officers loads the officers matching where, with their accreditation:
// one query, their training joined.
func (tx *Tx) officers(where string, args ...any) ([]*tandem.Officer, error) {
	rows, err := tx.query(`SELECT `+prefixed("o.", officerColumns)+`, t.minutes, t.completed_on, t.covers_risk_management, t.expires_on FROM (SELECT * FROM officers WHERE `+
		where+`) o LEFT JOIN training t ON t.officer_id = o.id ORDER BY o.name, o.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []*tandem.Officer
	training := map[string][]*tandem.Training{}
	for rows.Next() {
		var minutes, risk sql.NullInt64
		var completed, expires sql.NullString
		o, err := scanOfficer(rows, &minutes, &completed, &risk, &expires)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != o.ID {
			out = append(out, o)
		}
		if minutes.Valid {
			training[o.ID] = append(training[o.ID], &tandem.Training{OfficerID: o.ID, Hours: float64(minutes.Int64) / 60,
				CompletedOn: completed.String, CoversRiskManagement: risk.Int64 == 1, ExpiresOn: expires.String})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	settings, err := tx.settings()
	if err != nil {
		return nil, err
	}
	for _, o := range out {
		a := policy.Accredit(o.Dedicated, training[o.ID], tx.now, settings)
		o.Accredited, o.TrainingHours, o.AccreditationGaps = a.Accredited, a.Hours, a.Gaps
		if o.DisabledAt != nil {
			// A leaver is nobody's second officer: named at a meeting, they
			// are an untrained officer there.
			o.Accredited, o.AccreditationGaps = false, append(o.AccreditationGaps, "the account is disabled")
		}
		if o.AwaitingConfirmation {
			// The two-person rule: an account no second person has
			// confirmed joins no handling team and is nobody's second.
			o.Accredited, o.AccreditationGaps = false, append(o.AccreditationGaps, awaitingGap)
		}
	}
	return out, nil
}

func (tx *Tx) officer(id string) (*tandem.Officer, error) {
	os, err := tx.officers(`id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(os) == 0 {
		return nil, tandem.NotFound("officer")
	}
	return os[0], nil
}

func (tx *Tx) officerByUsername(username string) (*tandem.Officer, error) {
	os, err := tx.officers(`username = ?`, username)
	if err != nil {
		return nil, err
	}
	if len(os) == 0 {
		return nil, tandem.NotFound("officer")
	}
	return os[0], nil
}

// scanOfficer reads an officer's columns, and then more, as the query
// has them.
func scanOfficer(rows *sql.Rows, more ...any) (*tandem.Officer, error) {
	var o tandem.Officer
	var roles, phones, created string
	var disabled, awaiting sql.NullString
	var senior sql.NullInt64
	var dedicated int
	if err := rows.Scan(append([]any{&o.ID, &o.Username, &o.Name, &o.Gender, &o.Unit, &roles, &dedicated, &phones, &created, &disabled, &senior, &awaiting}, more...)...); err != nil {
		return nil, err
	}
	o.Senior = senior.Int64 == 1
	o.AwaitingConfirmation, o.ConfirmationOf = awaiting.Valid, awaiting.String
	o.DisabledAt = parseNullTS(disabled)
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			o.Roles = append(o.Roles, tandem.Role(r))
		}
	}
	o.Dedicated = dedicated == 1
	if err := fromJSON(phones, &o.WorkPhones); err != nil {
		return nil, err
	}
	o.CreatedAt = parseTS(created)
	return &o, nil
}

// attendees loads officers by id as the rules see them. An unknown id is
// an error naming the field.
func (tx *Tx) attendees(field string, ids []string) ([]policy.Attendee, []*tandem.Officer, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	found, err := tx.officers(`id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, args...)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*tandem.Officer, len(found))
	for _, o := range found {
		byID[o.ID] = o
	}
	out := make([]policy.Attendee, 0, len(ids))
	officers := make([]*tandem.Officer, 0, len(ids))
	for _, id := range ids {
		o := byID[id]
		if o == nil {
			return nil, nil, tandem.Invalid(field, "no officer with id %q", id)
		}
		officers = append(officers, o)
		out = append(out, attendee(o))
	}
	return out, officers, nil
}

func attendee(o *tandem.Officer) policy.Attendee {
	return policy.Attendee{ID: o.ID, Name: o.Name, Gender: o.Gender, Accreditation: policy.Accreditation{
		Accredited: o.Accredited, Hours: o.TrainingHours, Gaps: o.AccreditationGaps,
	}}
}

// AddTraining adds a training record. Administrators and controllers may.
func (s *Store) AddTraining(ctx context.Context, officerID string, c tandem.TrainingCreate) (*tandem.Training, error) {
	actor, err := requireRole(ctx, tandem.RoleAdmin, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var t *tandem.Training
	err = s.update(ctx, func(tx *Tx) error {
		off, err := tx.officer(officerID)
		if err != nil {
			return err
		}
		if err := policy.Permit(actor, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: off}); err != nil {
			return err
		}
		if c.CompletedOn > tx.now.Format(tandem.DateLayout) {
			return tandem.Invalid("completed_on", "a course cannot be completed in the future")
		}
		t = &tandem.Training{ID: newID(), OfficerID: officerID, Course: c.Course, Hours: math.Round(c.Hours*60) / 60,
			CompletedOn: c.CompletedOn, CoversRiskManagement: c.CoversRiskManagement, ExpiresOn: c.ExpiresOn,
			RecordedAt: tx.now, RecordedBy: tx.actorID()}
		_, err = tx.exec(`INSERT INTO training (id, officer_id, course, minutes, completed_on, covers_risk_management, expires_on, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, officerID, t.Course, int(math.Round(c.Hours*60)), t.CompletedOn, boolInt(t.CoversRiskManagement), nullString(t.ExpiresOn), ts(tx.now), t.RecordedBy)
		if err != nil {
			return err
		}
		if err := tx.record("training.add", "training", t.ID, ""); err != nil {
			return err
		}
		// Training an administrator records waits for a second person;
		// a controller's needs none.
		if actor.HasRole(tandem.RoleAdmin) && !actor.HasRole(tandem.RoleController) {
			if err := tx.awaitConfirmation(officerID); err != nil {
				return err
			}
			if err := tx.record("officer.await_confirmation", "officer", officerID, "training recorded by an administrator"); err != nil {
				return err
			}
		}
		if t.ExpiresOn != "" {
			// On the day it expires the course stops counting: the sweep
			// evaluates the officer's sources then.
			exp, _ := time.Parse(tandem.DateLayout, t.ExpiresOn)
			if err := tx.setDeadline(deadlineAccreditation, officerID, "", exp); err != nil {
				return err
			}
		}
		// New training may restore an assigned officer's accreditation.
		return tx.reconcileOfficer(officerID)
	})
	return t, err
}

// ListTraining returns an officer's training records, newest first.
func (s *Store) ListTraining(ctx context.Context, officerID string) ([]*tandem.Training, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	var out []*tandem.Training
	err := s.view(ctx, func(tx *Tx) error {
		if _, err := tx.officer(officerID); err != nil {
			return err
		}
		var err error
		out, err = tx.training(officerID)
		return err
	})
	return out, err
}

func (tx *Tx) training(officerID string) ([]*tandem.Training, error) {
	return tx.trainingRows(`officer_id = ?`, officerID)
}

// trainingRows loads the training records matching where, newest first.
func (tx *Tx) trainingRows(where string, args ...any) ([]*tandem.Training, error) {
	rows, err := tx.query(`SELECT id, officer_id, course, minutes, completed_on, covers_risk_management, expires_on, recorded_at, recorded_by FROM training WHERE `+where+` ORDER BY completed_on DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Training
	for rows.Next() {
		var t tandem.Training
		var minutes, risk int
		var expires sql.NullString
		var recorded string
		if err := rows.Scan(&t.ID, &t.OfficerID, &t.Course, &minutes, &t.CompletedOn, &risk, &expires, &recorded, &t.RecordedBy); err != nil {
			return nil, err
		}
		t.Hours = float64(minutes) / 60
		t.CoversRiskManagement = risk == 1
		t.ExpiresOn = expires.String
		t.RecordedAt = parseTS(recorded)
		out = append(out, &t)
	}
	return out, rows.Err()
}

// OfficerNames returns the names of the officers with the ids given (any
// unknown id is left out): what a page needs to name the officers it
// shows, without reading every officer's record.
func (s *Store) OfficerNames(ctx context.Context, ids []string) (map[string]string, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	out := map[string]string{}
	seen := map[string]bool{}
	var args []any
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	err := s.view(ctx, func(tx *Tx) error {
		return tx.inChunks(args, func(in string, args []any) error {
			rows, err := tx.query(`SELECT id, name FROM officers WHERE id IN (`+in+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, name string
				if err := rows.Scan(&id, &name); err != nil {
					return err
				}
				out[id] = name
			}
			return rows.Err()
		})
	})
	return out, err
}

// FindOfficers returns the officers with the ids given, with their
// accreditation; unknown ids are left out.
func (s *Store) FindOfficers(ctx context.Context, ids []string) ([]*tandem.Officer, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	var args []any
	for _, id := range ids {
		args = append(args, id)
	}
	out := []*tandem.Officer{}
	err := s.view(ctx, func(tx *Tx) error {
		return tx.inChunks(args, func(in string, args []any) error {
			os, err := tx.officers(`id IN (`+in+`)`, args...)
			out = append(out, os...)
			return err
		})
	})
	return out, err
}

// UnitOfficers returns the officers of one unit, by name, with their
// accreditation.
func (s *Store) UnitOfficers(ctx context.Context, unit string) ([]*tandem.Officer, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	out := []*tandem.Officer{}
	err := s.view(ctx, func(tx *Tx) error {
		os, err := tx.officers(`unit = ?`, unit)
		out = append(out, os...)
		return err
	})
	return out, err
}

// ActingAs returns the officer a command-line change names with --as: the
// command acts, and is audited, as that officer, with that officer's
// roles. The command line holds the data folder and its key, so the name
// is not a proof of who typed it; it is what the trail holds the change to.
func (s *Store) ActingAs(ctx context.Context, username string) (*tandem.Officer, error) {
	if strings.TrimSpace(username) == "" {
		return nil, tandem.Invalid("as", "--as must name the officer who makes the change")
	}
	var o *tandem.Officer
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		o, err = tx.officerByUsername(username)
		return err
	})
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return nil, tandem.Invalid("as", "no officer has the username %q", username)
	}
	if err == nil && o.DisabledAt != nil {
		return nil, tandem.Errorf(tandem.EFORBIDDEN, "the account %q is disabled", username)
	}
	return o, err
}

// HasAdministrator reports whether the store has an administrator whose
// account is in use: until it has, the command line may add one without
// naming who does (the store's first).
func (s *Store) HasAdministrator(ctx context.Context) (bool, error) {
	var n int
	err := s.view(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COUNT(*) FROM officers WHERE (roles = ? OR roles LIKE ? OR roles LIKE ? OR roles LIKE ?) AND disabled_at IS NULL`,
			string(tandem.RoleAdmin), string(tandem.RoleAdmin)+",%", "%,"+string(tandem.RoleAdmin), "%,"+string(tandem.RoleAdmin)+",%").Scan(&n)
	})
	return n > 0, err
}

// FindOfficerByUsername returns an officer by username.
func (s *Store) FindOfficerByUsername(ctx context.Context, username string) (*tandem.Officer, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	var o *tandem.Officer
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		o, err = tx.officerByUsername(username)
		return err
	})
	return o, err
}

// UpdateOfficer changes an account's roles, unit, rank or post
// (administrators, never their own account), audited with what changed and
// the reason. An account that would see sources then awaits a second
// person's confirmation, and its teams are judged again.
func (s *Store) UpdateOfficer(ctx context.Context, id string, u tandem.OfficerUpdate) (*tandem.Officer, error) {
	admin, err := requireRole(ctx, tandem.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if id == admin.ID {
		return nil, tandem.Errorf(tandem.ECONFLICT, "an administrator cannot change their own account: another administrator must")
	}
	var out *tandem.Officer
	err = s.update(ctx, func(tx *Tx) error {
		was, err := tx.officer(id)
		if err != nil {
			return err
		}
		if was.DisabledAt != nil {
			return tandem.Errorf(tandem.ECONFLICT, "the account is disabled: it is not changed")
		}
		now, err := u.Apply(*was)
		if err != nil {
			return err
		}
		changes := officerChanges(was, &now)
		if len(changes) == 0 {
			return tandem.Invalid("roles", "the account already reads so: nothing changed")
		}
		var senior any
		if now.Senior {
			senior = 1
		}
		if _, err := tx.exec(`UPDATE officers SET roles = ?, unit = ?, senior = ?, dedicated = ? WHERE id = ?`,
			tandem.JoinRoles(now.Roles, ","), now.Unit, senior, boolInt(now.Dedicated), id); err != nil {
			return err
		}
		if err := tx.awaitConfirmation(id); err != nil {
			return err
		}
		if err := tx.record("officer.update", "officer", id, strings.Join(changes, "; ")+": "+strings.TrimSpace(u.Reason)); err != nil {
			return err
		}
		if err := tx.reconcileOfficer(id); err != nil {
			return err
		}
		out, err = tx.officer(id)
		return err
	})
	return out, err
}

// officerChanges says in words how an account changed, field by field.
func officerChanges(was, now *tandem.Officer) []string {
	var out []string
	if a, b := tandem.JoinRoles(was.Roles, ", "), tandem.JoinRoles(now.Roles, ", "); a != b {
		out = append(out, "roles "+a+" → "+b)
	}
	if was.Unit != now.Unit {
		out = append(out, "unit "+was.Unit+" → "+now.Unit)
	}
	if was.Senior != now.Senior {
		out = append(out, fmt.Sprintf("senior %t → %t", was.Senior, now.Senior))
	}
	if was.Dedicated != now.Dedicated {
		out = append(out, fmt.Sprintf("dedicated %t → %t", was.Dedicated, now.Dedicated))
	}
	return out
}

// ResetSecondFactor removes an account's second factor (administrators,
// for a lost or replaced phone), audited with the reason: its sessions end
// at once, and its next sign-in enrols a new key. An account that was
// never enrolled, or is exempt (the demo's), has none to reset. The
// administrator set the account's first password, so with the second
// factor gone they could sign in as it and enrol a key of their own: an
// account that sees sources therefore awaits a second person's
// confirmation again, as after any other change an administrator makes.
func (s *Store) ResetSecondFactor(ctx context.Context, id, reason string) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return err
	}
	if utf8.RuneCountInString(strings.TrimSpace(reason)) < 10 {
		return tandem.Invalid("reason", "say why the second factor is reset, and how the officer asked (at least 10 characters)")
	}
	return s.update(ctx, func(tx *Tx) error {
		o, err := tx.officer(id)
		if err != nil {
			return err
		}
		var sf string
		err = tx.queryRow(`SELECT id FROM second_factors WHERE officer_id = ? AND exempt = 0`, id).Scan(&sf)
		if errors.Is(err, sql.ErrNoRows) {
			return tandem.Errorf(tandem.ECONFLICT, "the account has no second factor to reset: it enrols one at its next sign-in")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM second_factors WHERE id = ?`, sf); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sessions WHERE officer_id = ?`, id); err != nil {
			return err
		}
		if err := tx.appendAudit("account.second_factor_reset", "second_factor", sf, strings.TrimSpace(reason), audit.Removed); err != nil {
			return err
		}
		if !policy.NeedsConfirmation(o) {
			return nil
		}
		if err := tx.awaitConfirmation(id); err != nil {
			return err
		}
		if err := tx.record("officer.await_confirmation", "officer", id, "second factor reset by an administrator"); err != nil {
			return err
		}
		return tx.reconcileOfficer(id)
	})
}

// DisableOfficer disables an account: from the next request its sessions
// and API tokens work no more, and it signs nobody in. Administrators
// only, never their own account; audited with the reason. The account
// stays, so the trail still names the officer.
func (s *Store) DisableOfficer(ctx context.Context, id, reason string) (*tandem.Officer, error) {
	admin, err := requireRole(ctx, tandem.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, tandem.Invalid("reason", "a reason is required to disable an account")
	}
	if id == admin.ID {
		return nil, tandem.Errorf(tandem.ECONFLICT, "an administrator cannot disable their own account: another administrator must")
	}
	var out *tandem.Officer
	err = s.update(ctx, func(tx *Tx) error {
		o, err := tx.officer(id)
		if err != nil {
			return err
		}
		if o.DisabledAt != nil {
			return tandem.Errorf(tandem.ECONFLICT, "the account is already disabled")
		}
		if _, err := tx.exec(`UPDATE officers SET disabled_at = ?, disabled_by = ? WHERE id = ?`, ts(tx.now), admin.ID, id); err != nil {
			return err
		}
		if err := tx.record("officer.disable", "officer", id, reason); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sessions WHERE officer_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.revokeTokens(id, "the account was disabled"); err != nil {
			return err
		}
		// A leaver handles no source: each of their assignments ends, and
		// each source is judged again (TWO_HANDLERS opens where they were
		// one of the two).
		rows, err := tx.query(`SELECT id, source_id FROM assignments WHERE officer_id = ? AND ended_at IS NULL ORDER BY id`, id)
		if err != nil {
			return err
		}
		var ended [][2]string
		for rows.Next() {
			var a, src string
			if err := rows.Scan(&a, &src); err != nil {
				rows.Close()
				return err
			}
			ended = append(ended, [2]string{a, src})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		judged := map[string]bool{}
		for _, a := range ended {
			if _, err := tx.exec(`UPDATE assignments SET ended_at = ?, ended_by = ? WHERE id = ?`, ts(tx.now), admin.ID, a[0]); err != nil {
				return err
			}
			if err := tx.record("assignment.end", "assignment", a[0], "the officer's account was disabled"); err != nil {
				return err
			}
		}
		for _, a := range ended {
			if judged[a[1]] {
				continue
			}
			judged[a[1]] = true
			if _, err := tx.evaluate(a[1], policy.Changed{}); err != nil {
				return err
			}
		}
		out, err = tx.officer(id)
		return err
	})
	return out, err
}

// RevokeTokens revokes every live API token of the officer with the
// username, audited token by token, and returns how many. Administrators
// only.
func (s *Store) RevokeTokens(ctx context.Context, username string) (int, error) {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(ctx, func(tx *Tx) error {
		o, err := tx.officerByUsername(username)
		if err != nil {
			return tandem.Invalid("username", "no officer has the username %q", username)
		}
		n, err = tx.revokeTokens(o.ID, "revoked by an administrator")
		return err
	})
	return n, err
}

// revokeTokens marks the officer's live tokens revoked, each audited.
func (tx *Tx) revokeTokens(officerID, reason string) (int, error) {
	ids, err := tx.ids(`SELECT id FROM tokens WHERE officer_id = ? AND revoked_at IS NULL ORDER BY id`, officerID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		// The row's MAC is made again as a revoked token's: a revocation
		// undone outside Tandem (revoked_at set back to NULL) opens nothing.
		var owner, h, expires string
		if err := tx.queryRow(`SELECT officer_id, token_hash, expires_at FROM tokens WHERE id = ?`, id).Scan(&owner, &h, &expires); err != nil {
			return 0, err
		}
		if _, err := tx.exec(`UPDATE tokens SET revoked_at = ?, row_mac = ? WHERE id = ?`, ts(tx.now), tx.store.keys.rowMAC("token-row", id, owner, h, expires, "revoked"), id); err != nil {
			return 0, err
		}
		if err := tx.record("token.revoke", "token", id, reason); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// officerIntact checks the officer's row against the newest audit entry
// that recorded it: a row changed outside Tandem (a role added, a unit
// moved, a disabled account enabled) signs nobody in, on the very next
// request, not only at the next audit verify. Two indexed lookups.
func (tx *Tx) officerIntact(id string) error {
	rows, err := tx.query(`SELECT * FROM officers WHERE id = ?`, id)
	if err != nil {
		return err
	}
	all, err := scanRows(rows)
	if err != nil {
		return err
	}
	if len(all) != 1 {
		return errOfficerChanged
	}
	// The newest first: one still pending (PostgreSQL), else the chain's.
	var want string
	err = tx.queryRow(`SELECT record_hash FROM audit_pending WHERE object_type = ? AND object_id = ? AND record_hash <> '' ORDER BY id DESC LIMIT 1`, "officer", id).Scan(&want)
	if isNoRows(err) {
		err = tx.queryRow(`SELECT record_hash FROM audit_events WHERE object_type = ? AND object_id = ? AND record_hash <> '' ORDER BY seq DESC LIMIT 1`, "officer", id).Scan(&want)
	}
	if isNoRows(err) {
		return errOfficerChanged
	} else if err != nil {
		return err
	}
	if audit.RecordHash("officer", all[0], nil) != want {
		return errOfficerChanged
	}
	return nil
}

// errOfficerChanged answers a request whose officer's row does not match
// its audit trail.
var errOfficerChanged = tandem.Errorf(tandem.EUNAUTHORIZED, "this account's record was changed outside Tandem: it signs nobody in until an administrator looks")

// awaitingGap is why an account awaiting confirmation is not accredited.
const awaitingGap = "the account awaits confirmation by a second person"

// awaitConfirmation marks an account an administrator just changed as
// waiting for a second person, when it has a role that sees sources. The
// caller records the change in the trail, which hashes the row.
func (tx *Tx) awaitConfirmation(id string) error {
	o, err := tx.officer(id)
	if err != nil {
		return err
	}
	if !policy.NeedsConfirmation(o) {
		return nil
	}
	_, err = tx.exec(`UPDATE officers SET awaiting_confirmation = ? WHERE id = ?`, tx.actorID(), id)
	return err
}

// mayBootstrap checks that an account may be made confirmed: a controller
// and nothing else, made once in the store's life, while no account has
// ever been confirmed. An administrator can put every controller back
// behind the rule (training them) or disable them; neither opens the
// bootstrap again, because the trail remembers the first.
func (tx *Tx) mayBootstrap(c tandem.OfficerCreate) error {
	if len(c.Roles) != 1 || c.Roles[0] != tandem.RoleController {
		return tandem.Invalid("bootstrap", "--bootstrap makes the store's first controller: the account must hold the controller role and no other")
	}
	if _, pg := tx.store.dialect.(Postgres); pg {
		// Two bootstraps at once: the second waits, then sees the first.
		if _, err := tx.exec(`LOCK TABLE officers IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
	}
	n, err := tx.confirmedControllers("")
	if err != nil {
		return err
	}
	var before int
	for _, table := range []string{"audit_events", "audit_pending"} {
		var k int
		if err := tx.queryRow(`SELECT COUNT(*) FROM ` + table + ` WHERE action = 'officer.confirm' OR (action = 'officer.create' AND reason LIKE 'bootstrap:%')`).Scan(&k); err != nil {
			return err
		}
		before += k
	}
	if n > 0 || before > 0 {
		return tandem.Errorf(tandem.ECONFLICT, "the store has had its first controller: a new account is confirmed by a second person (POST /officers/{id}/confirm), not --bootstrap")
	}
	return nil
}

// confirmedControllers counts the controllers in use that await no
// confirmation: of one unit, or of the store ("").
func (tx *Tx) confirmedControllers(unit string) (int, error) {
	q := `SELECT roles FROM officers WHERE awaiting_confirmation IS NULL AND disabled_at IS NULL`
	var args []any
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var roles string
		if err := rows.Scan(&roles); err != nil {
			return 0, err
		}
		if slices.Contains(strings.Split(roles, ","), string(tandem.RoleController)) {
			n++
		}
	}
	return n, rows.Err()
}

// ConfirmOfficer is the second person's confirmation of an account an
// administrator created or changed: from then it sees what its roles and
// teams allow. policy.MayConfirm says who may; audited with the reason.
func (s *Store) ConfirmOfficer(ctx context.Context, id, reason string) (*tandem.Officer, error) {
	confirmer, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuthorisingOfficer)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(reason)) < 10 {
		return nil, tandem.Invalid("reason", "say how you checked the account (at least 10 characters)")
	}
	var out *tandem.Officer
	err = s.update(ctx, func(tx *Tx) error {
		o, err := tx.officer(id)
		if err != nil {
			return err
		}
		n, err := tx.confirmedControllers(o.Unit)
		if err != nil {
			return err
		}
		if err := policy.MayConfirm(confirmer, o, n > 0); err != nil {
			return err
		}
		// Only the change the confirmer looked at: an administrator's
		// change made since awaits confirmation of its own.
		res, err := tx.exec(`UPDATE officers SET awaiting_confirmation = NULL WHERE id = ? AND awaiting_confirmation = ?`, id, o.ConfirmationOf)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return tandem.Errorf(tandem.ECONFLICT, "the account changed while it was being confirmed: look at it again")
		}
		if err := tx.record("officer.confirm", "officer", id, reason); err != nil {
			return err
		}
		// Confirmed, the officer may count on their teams again.
		if err := tx.reconcileOfficer(id); err != nil {
			return err
		}
		out, err = tx.officer(id)
		return err
	})
	return out, err
}
