package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"sort"

	"tandem"
	"tandem/policy"
)

// evaluate asks policy for its verdict on a fact about a source and applies
// it: the one path by which alerts open and close. The snapshot is loaded
// in a fixed number of queries whatever the source's history, and on
// PostgreSQL its state row is locked first, so that two changes to one
// source are judged one after the other.
func (tx *Tx) evaluate(sourceID string, fact policy.Fact) (policy.Verdict, error) {
	snap, err := tx.snapshot(sourceID)
	if err != nil {
		return policy.Verdict{}, err
	}
	st, err := tx.settings()
	if err != nil {
		return policy.Verdict{}, err
	}
	v := policy.Evaluate(snap, fact, tx.now, st)
	return v, tx.apply(sourceID, snap, v)
}

// evaluateAll applies many facts about one source, in order, from one
// snapshot: each verdict is applied and the snapshot moved on by it (the
// state alerts it opened and closed, the running state), as if each fact
// had been evaluated alone.
func (tx *Tx) evaluateAll(sourceID string, facts []policy.Fact) error {
	if len(facts) == 0 {
		return nil
	}
	snap, err := tx.snapshot(sourceID)
	if err != nil {
		return err
	}
	st, err := tx.settings()
	if err != nil {
		return err
	}
	for _, f := range facts {
		v := policy.Evaluate(snap, f, tx.now, st)
		opened, err := tx.applyVerdict(sourceID, snap, v)
		if err != nil {
			return err
		}
		for key, id := range opened {
			snap.Live[key] = id
		}
		for _, r := range v.Raise {
			if r.Key != "" {
				snap.LiveMessages[r.Key] = r.Finding.Message
			}
		}
		for _, r := range v.Reword {
			for key, live := range snap.Live {
				if live == r.ID {
					snap.LiveMessages[key] = r.Message
				}
			}
		}
		for _, id := range v.Resolve {
			for key, live := range snap.Live {
				if live == id {
					delete(snap.Live, key)
				}
			}
		}
		snap.Relationship = v.Relationship
	}
	return nil
}

// judge returns policy's verdict without applying it: for previews, and
// for the refusals a verdict can bring before anything is written.
func (tx *Tx) judge(sourceID string, fact policy.Fact) (policy.Snapshot, policy.Verdict, error) {
	snap, err := tx.snapshot(sourceID)
	if err != nil {
		return snap, policy.Verdict{}, err
	}
	st, err := tx.settings()
	if err != nil {
		return snap, policy.Verdict{}, err
	}
	return snap, policy.Evaluate(snap, fact, tx.now, st), nil
}

// snapshot loads what the rules need of one source: three queries. In a
// write transaction the source is locked first (on PostgreSQL), so that
// changes to one source are judged one after another.
func (tx *Tx) snapshot(sourceID string) (policy.Snapshot, error) {
	snap, _, err := tx.snapshotRow(sourceID)
	return snap, err
}

// snapshotRow is snapshot with the source's row.
func (tx *Tx) snapshotRow(sourceID string) (policy.Snapshot, *sourceRow, error) {
	var snap policy.Snapshot
	if tx.writable {
		if err := tx.lockSource(sourceID); err != nil {
			return snap, nil, err
		}
	}
	src, rel, err := tx.sourceWithState(sourceID)
	if err != nil {
		return snap, nil, err
	}
	snap.Relationship = rel
	snap.Source = src.facts()
	if snap.Assigned, err = tx.assignedOfficers(sourceID); err != nil {
		return snap, nil, err
	}
	snap.Live, snap.LiveMessages = map[string]string{}, map[string]string{}
	rows, err := tx.query(`SELECT id, state_key, message FROM alerts WHERE source_id = ? AND state = 1 AND status <> 'resolved'`, sourceID)
	if err != nil {
		return snap, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, key, message string
		if err := rows.Scan(&id, &key, &message); err != nil {
			return snap, nil, err
		}
		snap.Live[key], snap.LiveMessages[key] = id, message
	}
	return snap, src, rows.Err()
}

// changing loads, for a change to one source, its snapshot and the acting
// officer's standing toward it, and refuses a source they may not see
// exactly as visibleSource does. The standing comes from the snapshot's
// assignments, so the change reads the source once, not twice.
func (tx *Tx) changing(sourceID string) (policy.Snapshot, *sourceRow, policy.Team, error) {
	o, err := sourceActor(tx.ctx)
	if err != nil {
		return policy.Snapshot{}, nil, policy.Team{}, err
	}
	snap, src, err := tx.snapshotRow(sourceID)
	if err != nil {
		return snap, nil, policy.Team{}, err
	}
	st := &standing{o: o, roles: map[string][]tandem.AssignmentRole{}}
	assigned := false
	for _, a := range snap.Assigned {
		if a.ID == o.ID {
			st.roles[sourceID] = append(st.roles[sourceID], a.Role)
			st.accredited, assigned = a.Accreditation.Accredited, true
		}
	}
	if o.HasRole(tandem.RoleController) && !assigned {
		if st.accredited, err = tx.accredited(o.ID); err != nil {
			return snap, nil, policy.Team{}, err
		}
	}
	t := st.team(src)
	if !policy.CanSee(o, t) {
		return snap, nil, t, tandem.NotFound("source")
	}
	return snap, src, t, nil
}

// verdict is the rules' verdict on a fact against a snapshot already
// loaded.
func (tx *Tx) verdict(snap policy.Snapshot, fact policy.Fact) (policy.Verdict, error) {
	st, err := tx.settings()
	if err != nil {
		return policy.Verdict{}, err
	}
	return policy.Evaluate(snap, fact, tx.now, st), nil
}

// attendeesOf is attendees, served from the snapshot's assignments when
// every officer named is assigned to the source (the usual case), and
// from the records otherwise.
func (tx *Tx) attendeesOf(snap policy.Snapshot, field string, ids []string) ([]policy.Attendee, error) {
	out := make([]policy.Attendee, 0, len(ids))
	for _, id := range ids {
		i := slices.IndexFunc(snap.Assigned, func(a policy.Assigned) bool { return a.ID == id })
		if i < 0 {
			atts, _, err := tx.attendees(field, ids)
			return atts, err
		}
		out = append(out, snap.Assigned[i].Attendee)
	}
	return out, nil
}

// assignedOfficers returns the officers assigned to a source now, with
// their accreditation: one query, their training joined.
func (tx *Tx) assignedOfficers(sourceID string) ([]policy.Assigned, error) {
	rows, err := tx.query(`SELECT a.officer_id, a.role, o.name, o.gender, o.dedicated, CASE WHEN o.awaiting_confirmation IS NULL THEN 0 ELSE 1 END, t.minutes, t.completed_on, t.covers_risk_management, t.expires_on
		FROM assignments a JOIN officers o ON o.id = a.officer_id LEFT JOIN training t ON t.officer_id = a.officer_id
		WHERE a.source_id = ? AND a.ended_at IS NULL ORDER BY a.officer_id, a.role`, sourceID)
	if err != nil {
		return nil, err
	}
	var out []policy.Assigned
	dedicated, awaiting := map[string]bool{}, map[string]bool{}
	training := map[string][]*tandem.Training{}
	for rows.Next() {
		var a policy.Assigned
		var d, w int
		var minutes, risk sql.NullInt64
		var completed, expires sql.NullString
		if err := rows.Scan(&a.ID, &a.Role, &a.Name, &a.Gender, &d, &w, &minutes, &completed, &risk, &expires); err != nil {
			rows.Close()
			return nil, err
		}
		dedicated[a.ID], awaiting[a.ID] = d == 1, w == 1
		if n := len(out); n == 0 || out[n-1].ID != a.ID || out[n-1].Role != a.Role {
			out = append(out, a)
		}
		if minutes.Valid && (len(out) < 2 || out[len(out)-2].ID != a.ID) {
			// Each course once per officer, however many roles they hold.
			training[a.ID] = append(training[a.ID], &tandem.Training{OfficerID: a.ID, Hours: float64(minutes.Int64) / 60,
				CompletedOn: completed.String, CoversRiskManagement: risk.Int64 == 1, ExpiresOn: expires.String})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	st, err := tx.settings()
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Accreditation = policy.Accredit(dedicated[out[i].ID], training[out[i].ID], tx.now, st)
		if awaiting[out[i].ID] {
			// As tx.officers says: nobody's handler until confirmed.
			a := &out[i].Accreditation
			a.Accredited, a.Gaps = false, append(a.Gaps, awaitingGap)
		}
	}
	return out, nil
}

// apply carries out a verdict: the alerts it raises and resolves, each with
// its audit entry, and the source's running state when it moved.
func (tx *Tx) apply(sourceID string, snap policy.Snapshot, v policy.Verdict) error {
	_, err := tx.applyVerdict(sourceID, snap, v)
	return err
}

// applyVerdict is apply, returning the state alerts it opened by key.
func (tx *Tx) applyVerdict(sourceID string, snap policy.Snapshot, v policy.Verdict) (map[string]string, error) {
	opened := map[string]string{}
	for _, r := range v.Raise {
		id, err := tx.insertAlert(sourceID, snap.Source.Unit, r)
		if err != nil {
			return nil, err
		}
		if r.Key != "" {
			opened[r.Key] = id
		}
	}
	for _, id := range v.Resolve {
		if err := tx.closeAlert(id); err != nil {
			return nil, err
		}
		if _, err := tx.exec(`UPDATE alerts SET status = ?, resolved_at = ? WHERE id = ?`, tandem.AlertResolved, ts(tx.now), id); err != nil {
			return nil, err
		}
		if err := tx.record("alert.resolve", "alert", id, "the rule no longer finds a breach"); err != nil {
			return nil, err
		}
	}
	for _, r := range v.Reword {
		if _, err := tx.exec(`UPDATE alerts SET message = ? WHERE id = ?`, r.Message, r.ID); err != nil {
			return nil, err
		}
		if err := tx.record("alert.update", "alert", r.ID, "the breach stands, and has changed"); err != nil {
			return nil, err
		}
	}
	if !sameRelationship(snap.Relationship, v.Relationship) {
		return opened, tx.saveRelationship(sourceID, v.Relationship)
	}
	return opened, nil
}

// insertAlert opens an alert: the only statement that does.
func (tx *Tx) insertAlert(sourceID, unit string, r policy.Raise) (string, error) {
	f := r.Finding
	ids := r.OfficerIDs
	if len(f.OfficerIDs) > 0 {
		ids = f.OfficerIDs
	}
	if ids == nil {
		ids = []string{}
	}
	id := newID()
	if err := tx.countAlert(unit, f.Rule, ids, 1); err != nil {
		return "", err
	}
	return id, tx.insertRecorded("alert.raise", "alert", string(f.Rule), alertInsertColumns, []any{id, string(f.Rule), string(f.Severity), boolInt(r.Key != ""), r.Key, sourceID, unit,
		nullString(r.ContactID), nullString(r.MeetingID), nullString(r.CallID), jsonText(ids), ts(tx.now), string(tandem.AlertOpen), f.Message, ""}, nil)
}

// insertForceAlert raises an alert of the whole force, of no source and no
// unit (SETTING_CHANGED), with its audit entry. It is in no unit's totals.
func (tx *Tx) insertForceAlert(rule tandem.Rule, severity tandem.Severity, message string, officerIDs []string) (string, error) {
	id := newID()
	return id, tx.insertRecorded("alert.raise", "alert", string(rule), alertInsertColumns, []any{id, string(rule), string(severity), 0, "", nil, nil,
		nil, nil, nil, jsonText(officerIDs), ts(tx.now), string(tandem.AlertOpen), message, ""}, nil)
}

// sourceWithState reads a source and its running state in one query.
func (tx *Tx) sourceWithState(sourceID string) (*sourceRow, policy.Relationship, error) {
	var r policy.Relationship
	rows, err := tx.query(`SELECT `+prefixed("s.", plainColumns)+`, st.last_risk_at, st.unmanaged, st.first_contact_id, st.first_flagged_at, st.first_indicators, st.first_officers
		FROM sources s JOIN source_state st ON st.source_id = s.id WHERE s.id = ?`, sourceID)
	if err != nil {
		return nil, r, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, r, err
		}
		return nil, r, tandem.NotFound("source")
	}
	var src sourceRow
	var created string
	var lastRisk, firstContact, firstAt, firstIndicators, firstOfficers sql.NullString
	if err := rows.Scan(&src.ID, &src.Reference, &src.Gender, &src.RequiredOfficerGender, &src.Status, &src.Unit, &src.RecruitedOn, &created,
		&lastRisk, &r.Unmanaged, &firstContact, &firstAt, &firstIndicators, &firstOfficers); err != nil {
		return nil, r, err
	}
	src.CreatedAt = parseTS(created)
	r, err = relationshipOf(r.Unmanaged, lastRisk, firstContact, firstAt, firstIndicators, firstOfficers)
	return &src, r, err
}

// relationshipOf assembles a running state from its columns.
func relationshipOf(unmanaged int, lastRisk, firstContact, firstAt, firstIndicators, firstOfficers sql.NullString) (policy.Relationship, error) {
	r := policy.Relationship{Unmanaged: unmanaged, LastRiskAt: parseNullTS(lastRisk)}
	if firstContact.Valid {
		f := &policy.Flag{ContactID: firstContact.String, FlaggedAt: parseTS(firstAt.String)}
		if err := fromJSON(firstIndicators.String, &f.Indicators); err != nil {
			return r, err
		}
		if err := fromJSON(firstOfficers.String, &r.FirstOfficers); err != nil {
			return r, err
		}
		r.First = f
	}
	return r, nil
}

// relationship reads a source's running state; lock takes its row for the
// rest of the transaction where the database needs telling.
func (tx *Tx) relationship(sourceID string, lock bool) (policy.Relationship, error) {
	var r policy.Relationship
	var lastRisk, firstContact, firstAt, firstIndicators, firstOfficers sql.NullString
	q := `SELECT last_risk_at, unmanaged, first_contact_id, first_flagged_at, first_indicators, first_officers FROM source_state WHERE source_id = ?`
	if lock && tx.writable {
		q += tx.store.dialect.ForUpdate()
	}
	err := tx.queryRow(q, sourceID).Scan(&lastRisk, &r.Unmanaged, &firstContact, &firstAt, &firstIndicators, &firstOfficers)
	if isNoRows(err) {
		return r, tandem.NotFound("source")
	} else if err != nil {
		return r, err
	}
	return relationshipOf(r.Unmanaged, lastRisk, firstContact, firstAt, firstIndicators, firstOfficers)
}

func (tx *Tx) saveRelationship(sourceID string, r policy.Relationship) error {
	var contact, at, indicators, officers any
	if r.First != nil {
		contact, at, indicators = r.First.ContactID, ts(r.First.FlaggedAt), jsonText(r.First.Indicators)
		officers = jsonText(nonNilIDs(r.FirstOfficers))
	}
	_, err := tx.exec(`UPDATE source_state SET last_risk_at = ?, unmanaged = ?, first_contact_id = ?, first_flagged_at = ?, first_indicators = ?, first_officers = ? WHERE source_id = ?`,
		nullTS(r.LastRiskAt), r.Unmanaged, contact, at, indicators, officers, sourceID)
	return err
}

// newSourceState starts a new source's running state.
func (tx *Tx) newSourceState(sourceID string) error {
	_, err := tx.exec(`INSERT INTO source_state (source_id, unmanaged) VALUES (?, 0)`, sourceID)
	return err
}

func sameRelationship(a, b policy.Relationship) bool {
	if (a.LastRiskAt == nil) != (b.LastRiskAt == nil) || (a.LastRiskAt != nil && !a.LastRiskAt.Equal(*b.LastRiskAt)) {
		return false
	}
	if a.Unmanaged != b.Unmanaged || (a.First == nil) != (b.First == nil) {
		return false
	}
	if a.First != nil && (a.First.ContactID != b.First.ContactID || !a.First.FlaggedAt.Equal(b.First.FlaggedAt)) {
		return false
	}
	return true
}

func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// relationshipFromHistory computes a source's running state from its whole
// history, the slow way: for a store that predates the running state, and
// for audit verify to check it.
func (tx *Tx) relationshipFromHistory(sourceID string) (policy.Relationship, error) {
	cs, err := tx.contacts(`source_id = ?`, sourceID)
	if err != nil {
		return policy.Relationship{}, err
	}
	var flags []policy.Flag
	officers := map[string][]string{}
	for _, c := range cs {
		fs := policy.Flags(c)
		if len(fs) > 0 {
			officers[c.ID] = effective(c).OfficerIDs
		}
		flags = append(flags, fs...)
	}
	var last sql.NullString
	if err := tx.queryRow(`SELECT MAX(recorded_at) FROM risks WHERE source_id = ? AND category = ?`, sourceID, tandem.RiskRelationship).Scan(&last); err != nil {
		return policy.Relationship{}, err
	}
	return policy.RelationshipFromHistory(flags, officers, parseNullTS(last)), nil
}

// fillSourceState gives every source without a running state one, computed
// from its history: once, when a store made before it opens.
func (s *Store) fillSourceState(ctx context.Context) error {
	return s.update(ctx, func(tx *Tx) error {
		ids, err := tx.ids(`SELECT s.id FROM sources s LEFT JOIN source_state st ON st.source_id = s.id WHERE st.source_id IS NULL ORDER BY s.id`)
		if err != nil {
			return err
		}
		sort.Strings(ids)
		for _, id := range ids {
			r, err := tx.relationshipFromHistory(id)
			if err != nil {
				return err
			}
			if err := tx.newSourceState(id); err != nil {
				return err
			}
			if err := tx.saveRelationship(id, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// alertInsertColumns are the columns an alert is opened with; the others
// (acknowledgement, resolution) are NULL until then.
var alertInsertColumns = []string{"id", "rule", "severity", "state", "state_key", "source_id", "unit", "contact_id", "meeting_id", "call_id", "officer_ids", "raised_at", "status", "message", "justification"}
