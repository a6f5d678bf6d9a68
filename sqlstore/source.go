package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"tandem"
	"tandem/policy"
	"tandem/seal"
)

// sourceRow is a source as stored. Its identity fields are sealed text,
// opened only by RevealIdentity: callers get a *tandem.Source.
type sourceRow struct {
	tandem.Source
	sealed sealedIdentity
}

// sealedIdentity is a source's identity as stored: each field sealed under
// the source's data key, bound to the source, the field and the key
// version.
type sealedIdentity struct {
	LegalName, Aliases, DateOfBirth, Address, PhoneNumbers, RecruitmentCircumstances string
}

// identityFields lists the sealed fields by column, in one place.
func (si *sealedIdentity) fields() []struct {
	column string
	value  *string
} {
	return []struct {
		column string
		value  *string
	}{
		{"legal_name", &si.LegalName}, {"aliases", &si.Aliases}, {"date_of_birth", &si.DateOfBirth},
		{"address", &si.Address}, {"phone_numbers", &si.PhoneNumbers}, {"recruitment_circumstances", &si.RecruitmentCircumstances},
	}
}

// sealIdentity seals each field of an identity for a source.
func sealIdentity(k *seal.Key, sourceID string, version int, id tandem.Identity) sealedIdentity {
	plain := map[string]string{
		"legal_name": id.LegalName, "aliases": jsonText(id.Aliases), "date_of_birth": id.DateOfBirth,
		"address": id.Address, "phone_numbers": jsonText(id.PhoneNumbers), "recruitment_circumstances": id.RecruitmentCircumstances,
	}
	var si sealedIdentity
	for _, f := range si.fields() {
		*f.value = k.Seal([]byte(plain[f.column]), seal.FieldAD("source", sourceID, f.column, version))
	}
	return si
}

// open opens a sealed identity. A field that does not open means the
// record was tampered with: the error says so, never what it held.
func (si sealedIdentity) open(k *seal.Key, sourceID string, version int) (*tandem.Identity, error) {
	plain := map[string]string{}
	for _, f := range si.fields() {
		b, err := k.Open(*f.value, seal.FieldAD("source", sourceID, f.column, version))
		if err != nil {
			return nil, errIntegrity(sourceID, f.column)
		}
		plain[f.column] = string(b)
	}
	id := &tandem.Identity{LegalName: plain["legal_name"], DateOfBirth: plain["date_of_birth"], Address: plain["address"],
		RecruitmentCircumstances: plain["recruitment_circumstances"]}
	if err := fromJSON(plain["aliases"], &id.Aliases); err != nil {
		return nil, errIntegrity(sourceID, "aliases")
	}
	if err := fromJSON(plain["phone_numbers"], &id.PhoneNumbers); err != nil {
		return nil, errIntegrity(sourceID, "phone_numbers")
	}
	return id, nil
}

func (r *sourceRow) facts() policy.SourceFacts {
	return policy.SourceFacts{Reference: r.Reference, Gender: r.Gender, RequiredOfficerGender: r.RequiredOfficerGender, Status: r.Status}
}

const sourceColumns = `id, reference, gender, required_officer_gender, status, unit, legal_name, aliases, date_of_birth, address, phone_numbers, recruited_on, recruitment_circumstances, created_at`

func (tx *Tx) sources(where string, args ...any) ([]*sourceRow, error) {
	rows, err := tx.query(`SELECT `+sourceColumns+` FROM sources WHERE `+where+` ORDER BY reference`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*sourceRow
	for rows.Next() {
		var r sourceRow
		var created string
		si := &r.sealed
		if err := rows.Scan(&r.ID, &r.Reference, &r.Gender, &r.RequiredOfficerGender, &r.Status, &r.Unit,
			&si.LegalName, &si.Aliases, &si.DateOfBirth, &si.Address, &si.PhoneNumbers,
			&r.RecruitedOn, &si.RecruitmentCircumstances, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = parseTS(created)
		out = append(out, &r)
	}
	return out, rows.Err()
}

func (tx *Tx) sourceByID(id string) (*sourceRow, error) {
	rs, err := tx.sources(`id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, tandem.NotFound("source")
	}
	return rs[0], nil
}

// CreateSource registers a source in the caller's unit. A handler who
// registers one becomes its first handler, and must be accredited to.
func (s *Store) CreateSource(ctx context.Context, c tandem.SourceCreate) (*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := validateSource(&c, o); err != nil {
		return nil, err
	}
	var id string
	err = s.update(ctx, func(tx *Tx) error {
		if c.RecruitedOn > tx.now.Format(tandem.DateLayout) {
			return tandem.Invalid("recruited_on", "recruited_on cannot be in the future")
		}
		if c.Identity.DateOfBirth >= tx.now.Format(tandem.DateLayout) {
			return tandem.Invalid("date_of_birth", "date_of_birth must be in the past")
		}
		ref, err := tx.nextReference()
		if err != nil {
			return err
		}
		id = newID()
		// The data key first: the identity reaches the database sealed,
		// never in clear, not even in the write-ahead log.
		key, version, saveKey, err := tx.newSourceKey(id)
		if err != nil {
			return err
		}
		si := sealIdentity(key, id, version, c.Identity)
		_, err = tx.exec(`INSERT INTO sources (`+sourceColumns+`, created_by, person_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, ref, c.Gender, "", tandem.StatusProspective, c.Unit, si.LegalName, si.Aliases,
			si.DateOfBirth, si.Address, si.PhoneNumbers, c.RecruitedOn,
			si.RecruitmentCircumstances, ts(tx.now), tx.actorID(), tx.personDigest(c.Identity))
		if err != nil {
			return err
		}
		if err := saveKey(); err != nil {
			return err
		}
		if err := tx.indexPhones(id, c.Identity.PhoneNumbers, true); err != nil {
			return err
		}
		if err := tx.record("source.create", "source", id, ""); err != nil {
			return err
		}
		if err := tx.deconflict(id, c.Unit); err != nil {
			return err
		}
		if o.HasRole(tandem.RoleHandler) {
			// The creating handler becomes its first handler, under the same
			// rule as any assignment.
			if _, err := tx.assign(id, o.ID, tandem.AssignHandler); err != nil {
				return err
			}
		}
		return tx.reconcileSource(id)
	})
	if err != nil {
		return nil, err
	}
	return s.FindSource(ctx, id)
}

func validateSource(c *tandem.SourceCreate, o *tandem.Officer) error {
	id := &c.Identity
	id.LegalName = strings.TrimSpace(id.LegalName)
	id.Address = strings.TrimSpace(id.Address)
	c.Unit = strings.TrimSpace(c.Unit)
	if c.Unit == "" {
		c.Unit = o.Unit
	}
	switch {
	case !tandem.ValidGender(c.Gender):
		return tandem.Invalid("gender", "gender must be female, male or another lowercase word")
	case id.LegalName == "" || utf8.RuneCountInString(id.LegalName) > 200:
		return tandem.Invalid("legal_name", "legal_name is required (at most 200 characters)")
	case utf8.RuneCountInString(id.Address) > 500:
		return tandem.Invalid("address", "address is at most 500 characters")
	case c.Unit != o.Unit:
		return &tandem.Error{Code: tandem.EFORBIDDEN, Field: "unit", Message: "you can register sources only in your own unit"}
	case utf8.RuneCountInString(id.RecruitmentCircumstances) > 5000:
		return tandem.Invalid("recruitment_circumstances", "recruitment_circumstances is at most 5000 characters")
	}
	if err := validDate("date_of_birth", id.DateOfBirth, true); err != nil {
		return err
	}
	if err := validDate("recruited_on", c.RecruitedOn, true); err != nil {
		return err
	}
	if id.DateOfBirth >= c.RecruitedOn {
		return tandem.Invalid("date_of_birth", "date_of_birth must be before recruited_on")
	}
	if id.Aliases == nil {
		id.Aliases = []string{}
	}
	for i, a := range id.Aliases {
		if a = strings.TrimSpace(a); a == "" || utf8.RuneCountInString(a) > 200 {
			return tandem.Invalid("aliases", "alias %d is empty or longer than 200 characters", i+1)
		}
		id.Aliases[i] = a
	}
	if id.PhoneNumbers == nil {
		id.PhoneNumbers = []string{}
	}
	for i, p := range id.PhoneNumbers {
		if p = strings.TrimSpace(p); p == "" || len(p) > 32 {
			return tandem.Invalid("phone_numbers", "phone number %d is empty or longer than 32 characters", i+1)
		}
		id.PhoneNumbers[i] = p
	}
	return nil
}

// nextReference returns the next reference of the year, S-YYYY-NNNN.
func (tx *Tx) nextReference() (string, error) {
	year := tx.now.Year()
	name := fmt.Sprintf("source_reference:%d", year)
	var n int64
	err := tx.queryRow(`SELECT value FROM counters WHERE name = ?`, name).Scan(&n)
	switch {
	case isNoRows(err):
		_, err = tx.exec(`INSERT INTO counters (name, value) VALUES (?, 1)`, name)
		n = 1
	case err == nil:
		n++
		_, err = tx.exec(`UPDATE counters SET value = ? WHERE name = ?`, n, name)
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("S-%d-%04d", year, n), nil
}

// FindSource returns a source the caller may see, by reference.
func (s *Store) FindSource(ctx context.Context, id string) (*tandem.Source, error) {
	var out *tandem.Source
	err := s.view(ctx, func(tx *Tx) error {
		r, _, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		out, err = tx.present(r)
		return err
	})
	return out, err
}

// ViewSource returns a source the caller may see and logs the look: the
// Data Protection Act's "consultation" of a record.
func (s *Store) ViewSource(ctx context.Context, id string) (*tandem.Source, error) {
	var out *tandem.Source
	err := s.update(ctx, func(tx *Tx) error {
		r, _, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		if out, err = tx.present(r); err != nil {
			return err
		}
		return tx.note("source.view", "source", id, "")
	})
	return out, err
}

// present returns the source as callers see it: no identity, with its
// current handlers and its count of open alerts.
func (tx *Tx) present(r *sourceRow) (*tandem.Source, error) {
	src := r.Source
	as, err := tx.assignments(r.ID, true)
	if err != nil {
		return nil, err
	}
	src.Handlers = as
	if src.Handlers == nil {
		src.Handlers = []*tandem.Assignment{}
	}
	if err := tx.queryRow(`SELECT COUNT(*) FROM alerts WHERE source_id = ? AND status = ?`, r.ID, tandem.AlertOpen).Scan(&src.OpenAlerts); err != nil {
		return nil, err
	}
	return &src, nil
}

// ListSources returns the sources the caller may see, by reference.
func (s *Store) ListSources(ctx context.Context) ([]*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	out := []*tandem.Source{}
	err = s.view(ctx, func(tx *Tx) error {
		rs, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		for _, r := range rs {
			src, err := tx.present(r)
			if err != nil {
				return err
			}
			out = append(out, src)
		}
		return nil
	})
	return out, err
}

// visibleSources returns every source the officer may see.
func (tx *Tx) visibleSources(o *tandem.Officer) ([]*sourceRow, error) {
	all, err := tx.sources(`1 = 1`)
	if err != nil {
		return nil, err
	}
	var out []*sourceRow
	for _, r := range all {
		t, err := tx.team(o, r)
		if err != nil {
			return nil, err
		}
		if policy.CanSee(o, t) {
			out = append(out, r)
		}
	}
	return out, nil
}

// UpdateSource changes a source's status or the officer gender it requires.
// Only a controller of the source may.
func (s *Store) UpdateSource(ctx context.Context, id string, u tandem.SourceUpdate) (*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if u.Status != nil {
		switch *u.Status {
		case tandem.StatusProspective, tandem.StatusAuthorised, tandem.StatusDeactivated:
		default:
			return nil, tandem.Invalid("status", "status must be prospective, authorised or deactivated")
		}
	}
	if u.RequiredOfficerGender != nil && *u.RequiredOfficerGender != "" && !tandem.ValidGender(*u.RequiredOfficerGender) {
		return nil, tandem.Invalid("required_officer_gender", "required_officer_gender must be a lowercase word such as female or male")
	}
	err = s.update(ctx, func(tx *Tx) error {
		r, t, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		if !policy.CanControl(o, t) {
			return tandem.Errorf(tandem.EFORBIDDEN, "only a controller of this source may change it")
		}
		if u.Status != nil {
			r.Status = *u.Status
		}
		if u.RequiredOfficerGender != nil {
			r.RequiredOfficerGender = *u.RequiredOfficerGender
		}
		if _, err := tx.exec(`UPDATE sources SET status = ?, required_officer_gender = ? WHERE id = ?`, r.Status, r.RequiredOfficerGender, id); err != nil {
			return err
		}
		if err := tx.record("source.update", "source", id, ""); err != nil {
			return err
		}
		return tx.reconcileSource(id)
	})
	if err != nil {
		return nil, err
	}
	return s.FindSource(ctx, id)
}

// RevealIdentity returns a source's true identity to an officer with
// need-to-know, and logs every attempt, allowed or refused, with who, when
// and why. A reveal by anyone outside the handling team breaks the glass:
// it is allowed with a reason and raises a BREAK_GLASS alert.
func (s *Store) RevealIdentity(ctx context.Context, id, reason string) (*tandem.Identity, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	reason = clip(strings.TrimSpace(reason), 1000)
	var identity *tandem.Identity
	var refusal error
	err = s.update(ctx, func(tx *Tx) error {
		refuse := func(why string, e error) error {
			refusal = e
			return tx.note("source.identity.refuse", "source", id, fmt.Sprintf("refused: %s; reason given: %s", why, reason))
		}
		if o.HasRole(tandem.RoleAdmin) {
			return refuse("administrators see no source content", tandem.Errorf(tandem.EFORBIDDEN, "administrators see no source content"))
		}
		r, err := tx.sourceByID(id)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return refuse("no such source", err)
		} else if err != nil {
			return err
		}
		t, err := tx.team(o, r)
		if err != nil {
			return err
		}
		if !policy.CanSee(o, t) {
			return refuse("outside need-to-know", tandem.NotFound("source"))
		}
		if utf8.RuneCountInString(reason) < 10 {
			return refuse("no adequate reason", tandem.Invalid("reason", "say why you need the identity (at least 10 characters)"))
		}
		if !policy.InHandlingTeam(o, t) {
			f := policy.BreakGlassFinding(o.Name, reason)
			if err := tx.raise(r.ID, f, alertRefs{officerIDs: []string{o.ID}}); err != nil {
				return err
			}
			if err := tx.note("source.identity.break_glass", "source", id, reason); err != nil {
				return err
			}
		} else if err := tx.note("source.identity.reveal", "source", id, reason); err != nil {
			return err
		}
		key, version, err := tx.sourceKey(r.ID)
		if err == nil {
			identity, err = r.sealed.open(key, r.ID, version)
		}
		if err != nil {
			// The attempt and its failure stay on the record: tampering
			// with a sealed identity is itself evidence.
			identity, refusal = nil, err
			return tx.note("source.identity.integrity_failure", "source", id, tandem.ErrorMessage(err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return identity, nil
}

// LogRefusedReveal records a reveal refused before it could be judged, so
// that every attempt is in the trail.
func (s *Store) LogRefusedReveal(ctx context.Context, id, reason, why string) error {
	if _, err := requireOfficer(ctx); err != nil {
		return err
	}
	return s.update(ctx, func(tx *Tx) error {
		return tx.note("source.identity.refuse", "source", id, fmt.Sprintf("refused: %s; reason given: %s", why, clip(strings.TrimSpace(reason), 1000)))
	})
}

// clip shortens s to at most n characters, for the audit trail.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
