package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"tandem"
	"tandem/policy"
)

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
		if err := tx.closeAlert(id); err != nil {
			return err
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
