package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"tandem"
	"tandem/policy"
)

// alertRefs are what an alert points at besides its source.
type alertRefs struct {
	contactID  string
	meetingID  string
	callID     string
	officerIDs []string
}

// raise records an event alert for a finding: it stays open until a
// controller acknowledges it.
func (tx *Tx) raise(sourceID string, f tandem.Finding, refs alertRefs) error {
	return tx.insertAlert(sourceID, f, refs, "")
}

func (tx *Tx) insertAlert(sourceID string, f tandem.Finding, refs alertRefs, stateKey string) error {
	ids := refs.officerIDs
	if len(f.OfficerIDs) > 0 {
		ids = f.OfficerIDs
	}
	if ids == nil {
		ids = []string{}
	}
	id := newID()
	_, err := tx.exec(`INSERT INTO alerts (id, rule, severity, state, state_key, source_id, contact_id, meeting_id, call_id, officer_ids, raised_at, status, message, justification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, f.Rule, f.Severity, boolInt(stateKey != ""), stateKey, sourceID, nullString(refs.contactID), nullString(refs.meetingID), nullString(refs.callID),
		jsonText(ids), ts(tx.now), tandem.AlertOpen, f.Message, "")
	if err != nil {
		return err
	}
	return tx.record("alert.raise", "alert", id, string(f.Rule))
}

// syncState makes a state alert match its rule: raised when the finding
// holds and no alert for it is live, resolved when it no longer holds.
func (tx *Tx) syncState(sourceID, key string, f *tandem.Finding, refs alertRefs) error {
	var id string
	err := tx.queryRow(`SELECT id FROM alerts WHERE source_id = ? AND state_key = ? AND status <> ? ORDER BY raised_at DESC LIMIT 1`, sourceID, key, tandem.AlertResolved).Scan(&id)
	live := err == nil
	if err != nil && !isNoRows(err) {
		return err
	}
	switch {
	case f != nil && !live:
		return tx.insertAlert(sourceID, *f, refs, key)
	case f == nil && live:
		if _, err := tx.exec(`UPDATE alerts SET status = ?, resolved_at = ? WHERE id = ?`, tandem.AlertResolved, ts(tx.now), id); err != nil {
			return err
		}
		return tx.record("alert.resolve", "alert", id, "the rule no longer finds a breach")
	}
	return nil
}

// reconcileSource evaluates the state rules of one source (TWO_HANDLERS,
// RELATIONSHIP_RISK, TRAINED_OFFICER for lapsed accreditation) and brings
// its state alerts into line. Every change that can affect them calls it,
// and so does the sweep: one evaluation, wherever the change comes from.
func (tx *Tx) reconcileSource(sourceID string) error {
	src, err := tx.sourceByID(sourceID)
	if err != nil {
		return err
	}
	settings, err := tx.settings()
	if err != nil {
		return err
	}
	current, err := tx.assignments(sourceID, true)
	if err != nil {
		return err
	}
	handlers := map[string]bool{}
	for _, a := range current {
		if a.Role.CountsAsHandler() {
			handlers[a.OfficerID] = true
		}
	}
	if err := tx.syncState(sourceID, string(tandem.RuleTwoHandlers), policy.HandlerFinding(src.Status, len(handlers), settings), alertRefs{}); err != nil {
		return err
	}

	flags, err := tx.flags(sourceID)
	if err != nil {
		return err
	}
	var lastRisk *time.Time
	var last sql.NullString
	if err := tx.queryRow(`SELECT MAX(recorded_at) FROM risks WHERE source_id = ? AND category = ?`, sourceID, tandem.RiskRelationship).Scan(&last); err != nil {
		return err
	}
	lastRisk = parseNullTS(last)
	f, contactID := policy.RelationshipFinding(flags, lastRisk)
	var officerIDs []string
	if contactID != "" {
		if officerIDs, err = tx.contactOfficers(contactID); err != nil {
			return err
		}
	}
	if err := tx.syncState(sourceID, string(tandem.RuleRelationshipRisk), f, alertRefs{contactID: contactID, officerIDs: officerIDs}); err != nil {
		return err
	}

	// An assigned officer whose accreditation lapsed: one state alert per
	// officer, resolved when they are accredited again or leave the source.
	lapsed := map[string]*tandem.Finding{}
	for _, a := range current {
		if src.Status == tandem.StatusDeactivated {
			break
		}
		o, err := tx.officer(a.OfficerID)
		if err != nil {
			return err
		}
		if f := policy.TrainedFinding(attendee(o)); f != nil {
			lapsed[a.OfficerID] = f
		}
	}
	keys, err := tx.liveStateKeys(sourceID, string(tandem.RuleTrainedOfficer)+":")
	if err != nil {
		return err
	}
	for officerID := range lapsed {
		keys[string(tandem.RuleTrainedOfficer)+":"+officerID] = true
	}
	for key := range keys {
		officerID := strings.TrimPrefix(key, string(tandem.RuleTrainedOfficer)+":")
		if err := tx.syncState(sourceID, key, lapsed[officerID], alertRefs{officerIDs: []string{officerID}}); err != nil {
			return err
		}
	}
	return nil
}

// liveStateKeys returns the keys of a source's unresolved state alerts that
// start with prefix.
func (tx *Tx) liveStateKeys(sourceID, prefix string) (map[string]bool, error) {
	rows, err := tx.query(`SELECT state_key FROM alerts WHERE source_id = ? AND state = 1 AND status <> ?`, sourceID, tandem.AlertResolved)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		if strings.HasPrefix(k, prefix) {
			out[k] = true
		}
	}
	return out, rows.Err()
}

// reconcileOfficer re-evaluates every source the officer is assigned to, as
// after a change to their training.
func (tx *Tx) reconcileOfficer(officerID string) error {
	rows, err := tx.query(`SELECT DISTINCT source_id FROM assignments WHERE officer_id = ? AND ended_at IS NULL`, officerID)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.reconcileSource(id); err != nil {
			return err
		}
	}
	return nil
}

const alertColumns = `a.id, a.rule, a.severity, a.state, a.source_id, s.reference, a.contact_id, a.meeting_id, a.call_id, a.officer_ids, a.raised_at, a.status, a.message, a.acknowledged_at, a.acknowledged_by, a.justification, a.resolved_at, m.planned_by`

func (tx *Tx) alerts(where string, args ...any) ([]*tandem.Alert, error) {
	rows, err := tx.query(`SELECT `+alertColumns+` FROM alerts a JOIN sources s ON s.id = a.source_id LEFT JOIN meetings m ON m.id = a.meeting_id WHERE `+where+` ORDER BY a.raised_at DESC, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Alert
	for rows.Next() {
		var a tandem.Alert
		var state int
		var contact, meeting, call, ackAt, ackBy, resolved, plannedBy sql.NullString
		var officers, raised string
		if err := rows.Scan(&a.ID, &a.Rule, &a.Severity, &state, &a.SourceID, &a.SourceReference, &contact, &meeting, &call, &officers,
			&raised, &a.Status, &a.Message, &ackAt, &ackBy, &a.Justification, &resolved, &plannedBy); err != nil {
			return nil, err
		}
		a.PlannedBy = plannedBy.String
		a.State = state == 1
		a.ContactID, a.MeetingID, a.CallID, a.AcknowledgedBy = contact.String, meeting.String, call.String, ackBy.String
		if err := fromJSON(officers, &a.OfficerIDs); err != nil {
			return nil, err
		}
		a.RaisedAt = parseTS(raised)
		a.AcknowledgedAt = parseNullTS(ackAt)
		a.ResolvedAt = parseNullTS(resolved)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// ListAlerts returns the alerts of the sources the caller may see.
func (s *Store) ListAlerts(ctx context.Context, f tandem.AlertFilter) ([]*tandem.Alert, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case "", tandem.AlertOpen, tandem.AlertAcknowledged, tandem.AlertResolved:
	default:
		return nil, tandem.Invalid("status", "status must be open, acknowledged or resolved")
	}
	if f.Rule != "" && !tandem.ValidRule(f.Rule) {
		return nil, tandem.Invalid("rule", "unknown rule %q", f.Rule)
	}
	out := []*tandem.Alert{}
	err = s.view(ctx, func(tx *Tx) error {
		visible, teams, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		team := map[string]policy.Team{}
		for i, r := range visible {
			team[r.ID] = teams[i]
		}
		where, args := []string{"1 = 1"}, []any{}
		if f.Status != "" {
			where, args = append(where, "a.status = ?"), append(args, f.Status)
		}
		if f.Rule != "" {
			where, args = append(where, "a.rule = ?"), append(args, f.Rule)
		}
		if f.SourceID != "" {
			where, args = append(where, "a.source_id = ?"), append(args, f.SourceID)
		}
		all, err := tx.alerts(strings.Join(where, " AND "), args...)
		if err != nil {
			return err
		}
		for _, a := range all {
			t, ok := team[a.SourceID]
			if !ok {
				continue
			}
			if !policy.AlertVisible(o, a.Rule) {
				continue // who else runs this person is for controllers to know
			}
			if f.OfficerID != "" && !contains(a.OfficerIDs, f.OfficerID) {
				continue
			}
			a.CanAcknowledge = canAcknowledge(o, t, a)
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// AcknowledgeAlert records a controller's acknowledgement of an event
// alert, with a justification; it then leaves the open list. A state alert
// cannot be acknowledged: it resolves only when the rule is met.
func (s *Store) AcknowledgeAlert(ctx context.Context, id, justification string) (*tandem.Alert, error) {
	o, err := requireRole(ctx, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	justification = strings.TrimSpace(justification)
	if utf8.RuneCountInString(justification) < 10 {
		return nil, tandem.Invalid("justification", "a justification of at least 10 characters is required")
	}
	var out *tandem.Alert
	err = s.update(ctx, func(tx *Tx) error {
		as, err := tx.alerts(`a.id = ?`, id)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return tandem.NotFound("alert")
		}
		a := as[0]
		_, t, err := tx.visibleSource(a.SourceID)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return tandem.NotFound("alert")
		} else if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionAcknowledge, Officers: a.OfficerIDs, Author: a.PlannedBy}); err != nil {
			return err
		}
		if a.Status != tandem.AlertOpen {
			return tandem.Errorf(tandem.ECONFLICT, "the alert is already %s", a.Status)
		}
		if a.State {
			// A state alert says something is wrong now; only putting it
			// right closes it (DOMAIN: only a risk entry closes a
			// relationship-risk alert).
			return tandem.Errorf(tandem.ECONFLICT, "a %s alert cannot be acknowledged: it closes itself when the rule is met again", a.Rule)
		}
		if _, err := tx.exec(`UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?, justification = ? WHERE id = ?`,
			tandem.AlertAcknowledged, ts(tx.now), o.ID, justification, id); err != nil {
			return err
		}
		if err := tx.record("alert.acknowledge", "alert", id, justification); err != nil {
			return err
		}
		as, err = tx.alerts(`a.id = ?`, id)
		if err != nil {
			return err
		}
		out = as[0]
		return nil
	})
	return out, err
}

// canAcknowledge says whether the officer may acknowledge the alert now:
// an open event alert of a source they control, not about their own
// conduct.
func canAcknowledge(o *tandem.Officer, t policy.Team, a *tandem.Alert) bool {
	return a.Status == tandem.AlertOpen && !a.State &&
		policy.Permit(o, t, policy.Subject{Action: policy.ActionAcknowledge, Officers: a.OfficerIDs, Author: a.PlannedBy}) == nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
