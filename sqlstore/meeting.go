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

// PlanMeeting plans a meeting with a source. A plan that breaks a rule is
// refused with every finding, unless a controller of the source overrides
// it with a written justification; the override raises an alert for each
// finding, so it is seen.
func (s *Store) PlanMeeting(ctx context.Context, sourceID string, c tandem.MeetingCreate) (*tandem.Meeting, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var m *tandem.Meeting
	err = s.update(ctx, func(tx *Tx) error {
		snap, _, t, err := tx.changing(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionPlan}); err != nil {
			return err
		}
		m = &tandem.Meeting{ID: newID(), SourceID: sourceID, PlannedFor: c.PlannedFor.UTC(), Location: c.Location,
			OfficerIDs: tandem.SortedIDs(c.OfficerIDs), Status: tandem.MeetingPlanned, OverrideJustification: c.OverrideJustification,
			PlannedBy: tx.actorID(), CreatedAt: tx.now}
		fact, err := tx.meetingFact(snap, m.ID, c)
		if err != nil {
			return err
		}
		v, err := tx.verdict(snap, fact)
		if err != nil {
			return err
		}
		findings := v.Findings
		if len(findings) > 0 {
			if c.OverrideJustification == "" {
				return tandem.PolicyViolation("the plan breaks the rules: change it, or a controller may override with a written justification", findings)
			}
			if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionOverride}); err != nil {
				e := *err.(*tandem.Error)
				e.Findings = findings
				return &e
			}
			if utf8.RuneCountInString(c.OverrideJustification) < 10 {
				return tandem.Invalid("override_justification", "an override needs a justification of at least 10 characters")
			}
		}
		m.Findings = nonNilFindings(findings)
		if _, err := tx.exec(`INSERT INTO meetings (id, source_id, planned_for, location, status, override_justification, findings, planned_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, sourceID, ts(m.PlannedFor), m.Location, m.Status, m.OverrideJustification, jsonText(m.Findings), m.PlannedBy, ts(tx.now)); err != nil {
			return err
		}
		for _, id := range m.OfficerIDs {
			if _, err := tx.exec(`INSERT INTO meeting_officers (meeting_id, officer_id) VALUES (?, ?)`, m.ID, id); err != nil {
				return err
			}
		}
		reason := ""
		if len(findings) > 0 {
			reason = "override: " + c.OverrideJustification
		}
		if err := tx.record("meeting.plan", "meeting", m.ID, reason); err != nil {
			return err
		}
		if err := tx.setDeadline(deadlineMeeting, m.ID, sourceID, m.PlannedFor); err != nil {
			return err
		}
		return tx.apply(sourceID, snap, v)
	})
	return m, err
}

// meetingFact checks a meeting plan against the records (its time, its
// officers) and returns it as the rules see it.
func (tx *Tx) meetingFact(snap policy.Snapshot, id string, c tandem.MeetingCreate) (policy.MeetingPlanned, error) {
	settings, err := tx.settings()
	if err != nil {
		return policy.MeetingPlanned{}, err
	}
	if c.PlannedFor.Before(tx.now.Add(-settings.FutureTolerance)) {
		return policy.MeetingPlanned{}, tandem.Invalid("planned_for", "planned_for is in the past: record the contact instead")
	}
	atts, err := tx.attendeesOf(snap, "officer_ids", c.OfficerIDs)
	if err != nil {
		return policy.MeetingPlanned{}, err
	}
	return policy.MeetingPlanned{MeetingID: id, Officers: atts, OfficerIDs: tandem.SortedIDs(c.OfficerIDs), Justification: c.OverrideJustification}, nil
}

// PreviewMeeting returns the findings a meeting plan would bring, without
// planning anything: the same evaluation as PlanMeeting, for the forms.
func (s *Store) PreviewMeeting(ctx context.Context, sourceID string, c tandem.MeetingCreate) ([]tandem.Finding, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	if len(c.OfficerIDs) == 0 {
		return nil, tandem.Invalid("officer_ids", "name the officers who will attend")
	}
	if err := tandem.DistinctIDs("officer_ids", c.OfficerIDs); err != nil {
		return nil, err
	}
	var out []tandem.Finding
	err := s.view(ctx, func(tx *Tx) error {
		snap, _, _, err := tx.changing(sourceID)
		if err != nil {
			return err
		}
		fact, err := tx.meetingFact(snap, "", c)
		if err != nil {
			return err
		}
		fact.Justification = ""
		v, err := tx.verdict(snap, fact)
		out = v.Findings
		return err
	})
	return nonNilFindings(out), err
}

// CancelMeeting cancels a planned meeting with a reason. Only the source's
// handlers and controllers may; a meeting already held or cancelled cannot
// be. A DOCUMENTED_24H alert already raised for it stays: the sweep raises
// none after.
func (s *Store) CancelMeeting(ctx context.Context, sourceID, meetingID, reason string) (*tandem.Meeting, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 10 || utf8.RuneCountInString(reason) > 2000 {
		return nil, tandem.Invalid("reason", "say why the meeting will not take place (10 to 2000 characters)")
	}
	var out *tandem.Meeting
	err = s.update(ctx, func(tx *Tx) error {
		_, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionCancel}); err != nil {
			return err
		}
		ms, err := tx.meetings(`id = ? AND source_id = ?`, meetingID, sourceID)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return tandem.NotFound("meeting")
		}
		if ms[0].Status != tandem.MeetingPlanned {
			return tandem.Errorf(tandem.ECONFLICT, "the meeting is %s already", ms[0].Status)
		}
		if _, err := tx.exec(`UPDATE meetings SET status = ?, cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?`,
			tandem.MeetingCancelled, ts(tx.now), o.ID, reason, meetingID); err != nil {
			return err
		}
		if err := tx.record("meeting.cancel", "meeting", meetingID, reason); err != nil {
			return err
		}
		if err := tx.clearDeadline(deadlineMeeting, meetingID); err != nil {
			return err
		}
		ms, err = tx.meetings(`id = ?`, meetingID)
		if err != nil {
			return err
		}
		out = ms[0]
		return nil
	})
	return out, err
}

// ListMeetings returns a source's planned and held meetings, soonest last.
func (s *Store) ListMeetings(ctx context.Context, sourceID string) ([]*tandem.Meeting, error) {
	out := []*tandem.Meeting{}
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		ms, err := tx.meetings(`source_id = ?`, sourceID)
		out = append(out, ms...)
		return err
	})
	return out, err
}

func (tx *Tx) meetings(where string, args ...any) ([]*tandem.Meeting, error) {
	return tx.meetingRows(where+` ORDER BY planned_for DESC, id`, args...)
}

// meetingRows loads the meetings of a condition in its order, with their
// officers: two queries, whatever their number.
func (tx *Tx) meetingRows(whereOrder string, args ...any) ([]*tandem.Meeting, error) {
	rows, err := tx.query(`SELECT id, source_id, planned_for, location, status, contact_id, override_justification, findings, planned_by, created_at, cancel_reason FROM meetings WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	var out []*tandem.Meeting
	for rows.Next() {
		var m tandem.Meeting
		var planned, findings, created string
		var contact, cancel sql.NullString
		if err := rows.Scan(&m.ID, &m.SourceID, &planned, &m.Location, &m.Status, &contact, &m.OverrideJustification, &findings, &m.PlannedBy, &created, &cancel); err != nil {
			rows.Close()
			return nil, err
		}
		m.PlannedFor, m.CreatedAt, m.ContactID, m.CancelReason = parseTS(planned), parseTS(created), contact.String, cancel.String
		if err := fromJSON(findings, &m.Findings); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, &m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := map[string]*tandem.Meeting{}
	ids := make([]any, len(out))
	for i, m := range out {
		m.OfficerIDs = []string{}
		byID[m.ID], ids[i] = m, m.ID
	}
	err = tx.inChunks(ids, func(in string, args []any) error {
		rows, err := tx.query(`SELECT meeting_id, officer_id FROM meeting_officers WHERE meeting_id IN (`+in+`) ORDER BY meeting_id, officer_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var mid, oid string
			if err := rows.Scan(&mid, &oid); err != nil {
				return err
			}
			byID[mid].OfficerIDs = append(byID[mid].OfficerIDs, oid)
		}
		return rows.Err()
	})
	return out, err
}

// PlannedMeetings returns the meetings still planned (not held, not
// cancelled) of the sources given that the caller may see, soonest first:
// what the pages show as next and as still to write up.
func (s *Store) PlannedMeetings(ctx context.Context, sourceIDs []string) ([]*tandem.Meeting, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	out := []*tandem.Meeting{}
	err = s.view(ctx, func(tx *Tx) error {
		st, err := tx.standing(o, "")
		if err != nil {
			return err
		}
		args := make([]any, len(sourceIDs))
		for i, id := range sourceIDs {
			args[i] = id
		}
		return tx.inChunks(args, func(in string, args []any) error {
			rs, err := tx.sources(`id IN (`+in+`)`, args...)
			if err != nil {
				return err
			}
			var visible []any
			for _, r := range rs {
				if policy.CanSee(o, st.team(r)) {
					visible = append(visible, r.ID)
				}
			}
			if len(visible) == 0 {
				return nil
			}
			// No ORDER BY: sorted by planned_for in SQL, the planner reads
			// every planned meeting of the force through meetings_status to
			// skip a sort; unsorted, each source's through its own index.
			ms, err := tx.meetingRows(`source_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(visible)), ", ")+`) AND status = ?`,
				append(visible, tandem.MeetingPlanned)...)
			out = append(out, ms...)
			return err
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].PlannedFor.Equal(out[j].PlannedFor) {
			return out[i].PlannedFor.Before(out[j].PlannedFor)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// ids runs a query returning one string column.
func (tx *Tx) ids(query string, args ...any) ([]string, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func nonNilFindings(fs []tandem.Finding) []tandem.Finding {
	if fs == nil {
		return []tandem.Finding{}
	}
	return fs
}
