package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"tandem"
	"tandem/policy"
	"tandem/seal"
)

// sourceRow is a source as stored, but its identity: the sealed fields are
// read only by RevealIdentity (sealedIdentityOf). Callers get a
// *tandem.Source.
type sourceRow struct {
	tandem.Source
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
	return policy.SourceFacts{Reference: r.Reference, Unit: r.Unit, Gender: r.Gender, RequiredOfficerGender: r.RequiredOfficerGender, Status: r.Status}
}

const sourceColumns = `id, reference, gender, required_officer_gender, status, unit, legal_name, aliases, date_of_birth, address, phone_numbers, recruited_on, recruitment_circumstances, created_at`

// plainColumns are a source's columns but its sealed identity: what lists
// and rules read.
const plainColumns = `id, reference, gender, required_officer_gender, status, unit, recruited_on, created_at`

// sources loads the sources matching where, without their identities.
func (tx *Tx) sources(where string, args ...any) ([]*sourceRow, error) {
	return tx.sourcesOrdered(where+` ORDER BY reference`, args...)
}

// sourcesOrdered loads the sources of a condition that gives its own order.
func (tx *Tx) sourcesOrdered(whereOrder string, args ...any) ([]*sourceRow, error) {
	rows, err := tx.query(`SELECT `+plainColumns+` FROM sources WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*sourceRow
	for rows.Next() {
		var r sourceRow
		var created string
		if err := rows.Scan(&r.ID, &r.Reference, &r.Gender, &r.RequiredOfficerGender, &r.Status, &r.Unit, &r.RecruitedOn, &created); err != nil {
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

// sealedIdentityOf reads a source's sealed identity, for a reveal.
func (tx *Tx) sealedIdentityOf(id string) (sealedIdentity, error) {
	var si sealedIdentity
	err := tx.queryRow(`SELECT legal_name, aliases, date_of_birth, address, phone_numbers, recruitment_circumstances FROM sources WHERE id = ?`, id).
		Scan(&si.LegalName, &si.Aliases, &si.DateOfBirth, &si.Address, &si.PhoneNumbers, &si.RecruitmentCircumstances)
	return si, err
}

// CreateSource registers a source in the caller's unit. A handler who
// registers one becomes its first handler, and must be accredited to.
func (s *Store) CreateSource(ctx context.Context, c tandem.SourceCreate) (*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(o.Unit); err != nil {
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
		if err := tx.newSourceState(id); err != nil {
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
		_, err = tx.evaluate(id, policy.Changed{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.FindSource(ctx, id)
}

// nextReference returns the next reference of the year, S-YYYY-NNNN.
func (tx *Tx) nextReference() (string, error) {
	year := tx.now.Year()
	name := fmt.Sprintf("source_reference:%d", year)
	// One statement: two registrations at once never share a number.
	var n int64
	if err := tx.queryRow(`INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`, name).Scan(&n); err != nil {
		return "", err
	}
	return fmt.Sprintf("S-%d-%04d", year, n), nil
}

// FindSource returns a source the caller may see, by reference.
func (s *Store) FindSource(ctx context.Context, id string) (*tandem.Source, error) {
	var out *tandem.Source
	err := s.view(ctx, func(tx *Tx) error {
		r, t, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		out, err = tx.present(r, t)
		return err
	})
	return out, err
}

// ViewSource returns a source the caller may see and logs the look: the
// Data Protection Act's "consultation" of a record.
func (s *Store) ViewSource(ctx context.Context, id string) (*tandem.Source, error) {
	var out *tandem.Source
	err := s.update(ctx, func(tx *Tx) error {
		r, t, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		if out, err = tx.present(r, t); err != nil {
			return err
		}
		return tx.note("source.view", "source", id, "")
	})
	return out, err
}

// present returns the source as the acting officer sees it: no identity,
// with its current handlers, its count of the open alerts they may see,
// and what they may do to it.
func (tx *Tx) present(r *sourceRow, t policy.Team) (*tandem.Source, error) {
	out, err := tx.presentAll([]*sourceRow{r}, []policy.Team{t})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// presentAll presents sources in a fixed number of queries, whatever their
// number.
func (tx *Tx) presentAll(rs []*sourceRow, teams []policy.Team) ([]*tandem.Source, error) {
	o, err := requireOfficer(tx.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*tandem.Source, len(rs))
	byID := make(map[string]*tandem.Source, len(rs))
	ids := make([]any, len(rs))
	for i, r := range rs {
		src := r.Source
		src.Handlers = []*tandem.Assignment{}
		src.Permissions = policy.Permissions(o, teams[i])
		out[i], byID[r.ID], ids[i] = &src, &src, r.ID
	}
	if len(rs) == 0 {
		return out, nil
	}
	err = tx.inChunks(ids, func(in string, args []any) error {
		as, err := tx.assignmentRows(`a.source_id IN (`+in+`) AND a.ended_at IS NULL`, args...)
		for _, a := range as {
			byID[a.SourceID].Handlers = append(byID[a.SourceID].Handlers, a)
		}
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT source_id, rule, COUNT(*) FROM alerts WHERE status = ? AND source_id IN (`+in+`) GROUP BY source_id, rule`, append([]any{tandem.AlertOpen}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var rule tandem.Rule
			var n int
			if err := rows.Scan(&id, &rule, &n); err != nil {
				return err
			}
			if policy.AlertVisible(o, rule) {
				byID[id].OpenAlerts += n
			}
			if rule == tandem.RuleRelationshipRisk && n > 0 {
				byID[id].RelationshipRisk = true
			}
		}
		return rows.Err()
	})
	return out, err
}

// inChunks calls fn with the placeholders and arguments of ids, a few
// hundred at a time: databases bound how many parameters one statement
// takes.
func (tx *Tx) inChunks(ids []any, fn func(in string, args []any) error) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if err := fn(strings.TrimSuffix(strings.Repeat("?, ", n), ", "), ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// ListSources returns the sources the caller may see, by reference, in a
// fixed number of queries whatever their number.
func (s *Store) ListSources(ctx context.Context) ([]*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	out := []*tandem.Source{}
	err = s.view(ctx, func(tx *Tx) error {
		rs, teams, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		all, err := tx.presentAll(rs, teams)
		out = append(out, all...)
		return err
	})
	return out, err
}

// PageSources returns a page of the sources the caller may see, by
// reference.
func (s *Store) PageSources(ctx context.Context, limit int, after string) (*tandem.SourcePage, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, err
	}
	from := ""
	if after != "" {
		b, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil || len(b) == 0 {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
		from = string(b)
	}
	page := &tandem.SourcePage{Sources: []*tandem.Source{}}
	err = s.view(ctx, func(tx *Tx) error {
		rs, teams, err := tx.visibleSourcesAfter(o, from, limit+1)
		if err != nil {
			return err
		}
		if len(rs) > limit {
			rs, teams = rs[:limit], teams[:limit]
			next := base64.RawURLEncoding.EncodeToString([]byte(rs[limit-1].Reference))
			page.Next = &next
		}
		all, err := tx.presentAll(rs, teams)
		page.Sources = append(page.Sources, all...)
		return err
	})
	return page, err
}

// visibleSources returns every source the officer may see, with their
// standing toward each: it looks only where policy's scope says to, and
// policy decides each source.
func (tx *Tx) visibleSources(o *tandem.Officer) ([]*sourceRow, []policy.Team, error) {
	return tx.visibleSourcesAfter(o, "", 0)
}

// visibleSourcesAfter returns, by reference, the sources the officer may
// see whose reference comes after the one given, at most limit of them (0:
// every one).
func (tx *Tx) visibleSourcesAfter(o *tandem.Officer, after string, limit int) ([]*sourceRow, []policy.Team, error) {
	sc := policy.ScopeOf(o)
	var where []string
	var args []any
	switch {
	case sc.All:
		where = append(where, `1 = 1`)
	default:
		if sc.Unit != "" {
			where, args = append(where, `unit = ?`), append(args, sc.Unit)
		}
		if sc.Assigned {
			where, args = append(where, `id IN (SELECT source_id FROM assignments WHERE officer_id = ? AND ended_at IS NULL)`), append(args, o.ID)
		}
	}
	if len(where) == 0 {
		return nil, nil, nil
	}
	st, err := tx.standing(o, "")
	if err != nil {
		return nil, nil, err
	}
	var out []*sourceRow
	var teams []policy.Team
	for {
		cond, cargs := `(`+strings.Join(where, ` OR `)+`)`, append([]any{}, args...)
		if after != "" {
			cond, cargs = cond+` AND reference > ?`, append(cargs, after)
		}
		want := limit - len(out)
		if limit > 0 {
			cond, cargs = cond+` ORDER BY reference LIMIT ?`, append(cargs, want)
		} else {
			cond += ` ORDER BY reference`
		}
		all, err := tx.sourcesOrdered(cond, cargs...)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range all {
			after = r.Reference
			if t := st.team(r); policy.CanSee(o, t) {
				out, teams = append(out, r), append(teams, t)
			}
		}
		if limit == 0 || len(all) < want || len(out) == limit {
			return out, teams, nil
		}
	}
}

// UpdateSource changes a source's status or the officer gender it requires.
// Only a controller of the source may.
func (s *Store) UpdateSource(ctx context.Context, id string, u tandem.SourceUpdate) (*tandem.Source, error) {
	o, err := requireRole(ctx, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx *Tx) error {
		r, t, err := tx.visibleSource(id)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionUpdate}); err != nil {
			return err
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
		_, err = tx.evaluate(id, policy.Changed{})
		return err
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
		if err := policy.Confirmed(o); err != nil {
			return refuse("the account awaits confirmation by a second person", err)
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
			if _, err := tx.evaluate(r.ID, policy.Revealed{OfficerID: o.ID, Name: o.Name, Reason: reason}); err != nil {
				return err
			}
			if err := tx.note("source.identity.break_glass", "source", id, reason); err != nil {
				return err
			}
		} else if err := tx.note("source.identity.reveal", "source", id, reason); err != nil {
			return err
		}
		key, version, err := tx.sourceKey(r.ID)
		var si sealedIdentity
		if err == nil {
			si, err = tx.sealedIdentityOf(r.ID)
		}
		if err == nil {
			identity, err = si.open(key, r.ID, version)
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
	// No look at an identity falls in the unsigned tail of the trail: a
	// checkpoint of the entry just written is signed and on disk before
	// the identity is answered, or the identity is not answered.
	if err := s.signNow(ctx); err != nil {
		s.log.ErrorContext(ctx, "the checkpoint of a reveal could not be signed", "source", id, "error", err.Error())
		return nil, tandem.Errorf(tandem.EINTERNAL, "the reveal is on the record, but its checkpoint could not be signed: the identity is not shown")
	}
	return identity, nil
}

// signNow chains whatever is pending and signs a checkpoint of the head,
// durable before it returns.
func (s *Store) signNow(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	if err := s.chain(ctx); err != nil {
		return err
	}
	return s.checkpointNow(ctx, true)
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
