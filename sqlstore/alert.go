package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"unicode/utf8"

	"tandem"
	"tandem/policy"
)

const alertColumns = `a.id, a.rule, a.severity, a.state, a.source_id, s.reference, s.unit, a.contact_id, a.meeting_id, a.call_id, a.officer_ids, a.raised_at, a.status, a.message, a.acknowledged_at, a.acknowledged_by, a.justification, a.resolved_at, m.planned_by`

func (tx *Tx) alerts(where string, args ...any) ([]*tandem.Alert, error) {
	return tx.alertRows(where+` ORDER BY a.raised_at DESC, a.id`, args...)
}

// alertRows loads the alerts of a condition on alerts a, in its order.
func (tx *Tx) alertRows(whereOrder string, args ...any) ([]*tandem.Alert, error) {
	// LEFT JOIN: an alert of the force (SETTING_CHANGED) has no source.
	rows, err := tx.query(`SELECT `+alertColumns+` FROM alerts a LEFT JOIN sources s ON s.id = a.source_id LEFT JOIN meetings m ON m.id = a.meeting_id WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Alert
	for rows.Next() {
		var a tandem.Alert
		var state int
		var contact, meeting, call, ackAt, ackBy, resolved, plannedBy, source, reference, unit sql.NullString
		var officers, raised string
		if err := rows.Scan(&a.ID, &a.Rule, &a.Severity, &state, &source, &reference, &unit, &contact, &meeting, &call, &officers,
			&raised, &a.Status, &a.Message, &ackAt, &ackBy, &a.Justification, &resolved, &plannedBy); err != nil {
			return nil, err
		}
		a.SourceID, a.SourceReference, a.Unit = source.String, reference.String, unit.String
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

// ListAlerts returns every alert of the sources the caller may see that
// matches, newest first, page after page: for callers that know the list
// is short.
func (s *Store) ListAlerts(ctx context.Context, f tandem.AlertFilter) ([]*tandem.Alert, error) {
	out := []*tandem.Alert{}
	f.Limit, f.After = 200, ""
	for {
		page, err := s.PageAlerts(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Alerts...)
		if page.Next == nil {
			return out, nil
		}
		f.After = *page.Next
	}
}

// PageAlerts returns a page of the alerts of the sources the caller may
// see, newest first. The page is read through an index in that order: its
// cost does not depend on how many alerts lie behind it.
func (s *Store) PageAlerts(ctx context.Context, f tandem.AlertFilter) (*tandem.AlertPage, error) {
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
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	at, id := "", ""
	if f.After != "" {
		var ok bool
		if at, id, ok = decodeCursor(f.After); !ok {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
	}
	page := &tandem.AlertPage{Alerts: []*tandem.Alert{}}
	err = s.view(ctx, func(tx *Tx) error {
		st, err := tx.standing(o, "")
		if err != nil {
			return err
		}
		parts, where, args, err := tx.alertScope(o, f)
		if err != nil || parts == nil {
			return err
		}
		for {
			need := limit + 1 - len(page.Alerts)
			var batch []*tandem.Alert
			for _, p := range parts {
				w, a := append([]string{p.cond}, where...), append(append([]any{}, p.args...), args...)
				if at != "" {
					w, a = append(w, `(a.raised_at < ? OR (a.raised_at = ? AND a.id < ?))`), append(a, at, at, id)
				}
				got, err := tx.alertRows(strings.Join(w, " AND ")+` ORDER BY a.raised_at DESC, a.id DESC LIMIT ?`, append(a, need)...)
				if err != nil {
					return err
				}
				batch = append(batch, got...)
			}
			if len(parts) > 1 {
				sort.Slice(batch, func(i, j int) bool {
					if !batch[i].RaisedAt.Equal(batch[j].RaisedAt) {
						return batch[i].RaisedAt.After(batch[j].RaisedAt)
					}
					return batch[i].ID > batch[j].ID
				})
				batch = batch[:min(len(batch), need)]
			}
			for _, al := range batch {
				at, id = ts(al.RaisedAt), al.ID
				var ack bool
				if al.SourceID == "" {
					// An alert of the force: every controller's and auditor's.
					if !policy.SeesForceAlerts(o) {
						continue
					}
					ack = al.Status == tandem.AlertOpen && policy.MayAcknowledgeForceAlert(o, al.OfficerIDs) == nil
				} else {
					t := st.team(&sourceRow{Source: tandem.Source{ID: al.SourceID, Unit: al.Unit}})
					if !policy.CanSee(o, t) || !policy.AlertVisible(o, al.Rule) {
						continue // the scope holds more than need-to-know allows
					}
					ack = canAcknowledge(o, t, al)
				}
				if len(page.Alerts) == limit {
					last := page.Alerts[limit-1]
					next := encodeCursor(ts(last.RaisedAt), last.ID)
					page.Next = &next
					return nil
				}
				al.CanAcknowledge = ack
				page.Alerts = append(page.Alerts, al)
			}
			if len(batch) < need {
				return nil
			}
		}
	})
	return page, err
}

// alertPart is one part of an officer's alerts, read through its own
// index.
type alertPart struct {
	cond string
	args []any
}

// alertScope is where the officer's alerts are, and the filter's
// conditions: each part of the scope is read through its own index and the
// parts merged, since an OR of them would be read through none. A source
// of another unit the officer is assigned to is a part of its own, by id:
// a subquery of assignments would be read through the queue's index, every
// alert of the force. No parts: the officer has no alerts to see. What the
// scope returns may still hold more than need-to-know allows; each alert
// is judged by policy after it is read.
func (tx *Tx) alertScope(o *tandem.Officer, f tandem.AlertFilter) ([]alertPart, []string, []any, error) {
	var parts []alertPart
	sc := policy.ScopeOf(o)
	switch {
	case sc.All:
		parts = []alertPart{{`1 = 1`, nil}}
	case sc.Unit != "":
		parts = []alertPart{{`a.unit = ?`, []any{sc.Unit}}}
		if policy.SeesForceAlerts(o) {
			parts = append(parts, alertPart{`a.source_id IS NULL`, nil})
		}
		others, err := tx.ids(`SELECT DISTINCT m.source_id FROM assignments m JOIN sources s ON s.id = m.source_id WHERE m.officer_id = ? AND m.ended_at IS NULL AND s.unit <> ? ORDER BY m.source_id`, o.ID, sc.Unit)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, src := range others {
			parts = append(parts, alertPart{`a.source_id = ?`, []any{src}})
		}
	case sc.Assigned:
		mine, err := tx.ids(`SELECT DISTINCT source_id FROM assignments WHERE officer_id = ? AND ended_at IS NULL ORDER BY source_id`, o.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, src := range mine {
			parts = append(parts, alertPart{`a.source_id = ?`, []any{src}})
		}
		if len(parts) == 0 {
			return nil, nil, nil, nil
		}
	default:
		return nil, nil, nil, nil
	}
	where, args := []string{}, []any{}
	if !policy.AlertVisible(o, tandem.RuleDeconfliction) {
		where, args = append(where, `a.rule <> ?`), append(args, tandem.RuleDeconfliction)
	}
	if f.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, f.Status)
	}
	if f.Rule != "" {
		where, args = append(where, "a.rule = ?"), append(args, f.Rule)
	}
	if f.SourceID != "" {
		where, args = append(where, "a.source_id = ?"), append(args, f.SourceID)
	}
	if f.ContactID != "" {
		where, args = append(where, "a.contact_id = ?"), append(args, f.ContactID)
	}
	if f.OfficerID != "" {
		// Ids are hexadecimal: no character in them is a wildcard.
		where, args = append(where, "a.officer_ids LIKE ?"), append(args, `%"`+f.OfficerID+`"%`)
	}
	return parts, where, args, nil
}

// OpenAlertGroups counts the open alerts the officer may see that match
// the filter (its status aside), by source and rule: the whole queue in a
// few rows, whatever its length. It reads open alerts only, so its cost
// does not grow with the years of alerts closed.
func (s *Store) OpenAlertGroups(ctx context.Context, f tandem.AlertFilter) ([]*tandem.AlertGroup, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	if f.Rule != "" && !tandem.ValidRule(f.Rule) {
		return nil, tandem.Invalid("rule", "unknown rule %q", f.Rule)
	}
	f.Status = tandem.AlertOpen
	var out []*tandem.AlertGroup
	err = s.view(ctx, func(tx *Tx) error {
		parts, where, args, err := tx.alertScope(o, f)
		if err != nil || parts == nil {
			return err
		}
		st, err := tx.standing(o, "")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, p := range parts {
			w, a := append([]string{p.cond}, where...), append(append([]any{}, p.args...), args...)
			rows, err := tx.query(`SELECT a.source_id, s.reference, a.unit, a.rule, a.severity, COUNT(*), MIN(a.raised_at) FROM alerts a LEFT JOIN sources s ON s.id = a.source_id WHERE `+
				strings.Join(w, " AND ")+` GROUP BY a.source_id, s.reference, a.unit, a.rule, a.severity`, a...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var src, ref, unit sql.NullString
				var g tandem.AlertGroup
				var oldest string
				if err := rows.Scan(&src, &ref, &unit, &g.Rule, &g.Severity, &g.Count, &oldest); err != nil {
					rows.Close()
					return err
				}
				g.SourceID, g.SourceReference, g.Oldest = src.String, ref.String, parseTS(oldest)
				if g.SourceID == "" {
					if !policy.SeesForceAlerts(o) {
						continue
					}
				} else if t := st.team(&sourceRow{Source: tandem.Source{ID: g.SourceID, Unit: unit.String}}); !policy.CanSee(o, t) || !policy.AlertVisible(o, g.Rule) {
					continue
				}
				// Two parts may both hold a source (the unit's, and one the
				// officer is assigned to): count it once.
				key := g.SourceID + "\x00" + string(g.Rule) + "\x00" + string(g.Severity)
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, &g)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
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
		if a.SourceID == "" {
			// An alert of the force: any controller but the one it names
			// (who changed the setting) acknowledges it.
			if err := policy.MayAcknowledgeForceAlert(o, a.OfficerIDs); err != nil {
				return err
			}
			if a.Status != tandem.AlertOpen {
				return tandem.Errorf(tandem.ECONFLICT, "the alert is already %s", a.Status)
			}
			if _, err := tx.exec(`UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?, justification = ? WHERE id = ?`,
				tandem.AlertAcknowledged, ts(tx.now), o.ID, justification, id); err != nil {
				return err
			}
			if err := tx.record("alert.acknowledge", "alert", id, justification); err != nil {
				return err
			}
			as, err := tx.alerts(`a.id = ?`, id)
			if err != nil {
				return err
			}
			out = as[0]
			return nil
		}
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
