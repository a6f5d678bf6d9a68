package sqlstore

import (
	"context"
	"database/sql"

	"tandem"
	"tandem/policy"
)

// Assign puts an officer on a source in a role. Only a controller of the
// source may, and only an accredited officer may be assigned: anything else
// is refused with the TRAINED_OFFICER finding.
func (s *Store) Assign(ctx context.Context, sourceID, officerID string, role tandem.AssignmentRole) (*tandem.Assignment, error) {
	o, err := requireRole(ctx, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	switch role {
	case tandem.AssignHandler, tandem.AssignCoHandler, tandem.AssignController:
	default:
		return nil, tandem.Invalid("role", "role must be handler, co_handler or controller")
	}
	if officerID == "" {
		return nil, tandem.Invalid("officer_id", "officer_id is required")
	}
	var a *tandem.Assignment
	err = s.update(ctx, func(tx *Tx) error {
		_, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionAssign}); err != nil {
			return err
		}
		if a, err = tx.assign(sourceID, officerID, role); err != nil {
			return err
		}
		_, err = tx.evaluate(sourceID, policy.Changed{})
		return err
	})
	return a, err
}

// assign checks the officer against TRAINED_OFFICER and records the
// assignment with its audit entry.
func (tx *Tx) assign(sourceID, officerID string, role tandem.AssignmentRole) (*tandem.Assignment, error) {
	off, err := tx.officer(officerID)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return nil, tandem.Invalid("officer_id", "no officer with id %q", officerID)
	} else if err != nil {
		return nil, err
	}
	if role.CountsAsHandler() && !off.HasRole(tandem.RoleHandler) {
		return nil, tandem.Invalid("officer_id", "%s does not hold the handler role", off.Name)
	}
	if role == tandem.AssignController && !off.HasRole(tandem.RoleController) {
		return nil, tandem.Invalid("officer_id", "%s does not hold the controller role", off.Name)
	}
	if f := policy.TrainedFinding(attendee(off)); f != nil {
		return nil, tandem.PolicyViolation("the assignment breaks a rule", []tandem.Finding{*f})
	}
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM assignments WHERE source_id = ? AND officer_id = ? AND role = ? AND ended_at IS NULL`, sourceID, officerID, role).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, tandem.Errorf(tandem.ECONFLICT, "%s is already %s of this source", off.Name, role)
	}
	a := &tandem.Assignment{ID: newID(), SourceID: sourceID, OfficerID: officerID, OfficerName: off.Name, Role: role, StartedAt: tx.now}
	if _, err := tx.exec(`INSERT INTO assignments (id, source_id, officer_id, role, started_at, started_by) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, sourceID, officerID, role, ts(tx.now), tx.actorID()); err != nil {
		return nil, err
	}
	return a, tx.record("assignment.start", "assignment", a.ID, "")
}

// EndAssignment ends an assignment; its history is kept.
func (s *Store) EndAssignment(ctx context.Context, sourceID, assignmentID string) error {
	o, err := requireRole(ctx, tandem.RoleController)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx *Tx) error {
		_, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionEndAssignment}); err != nil {
			return err
		}
		var ended sql.NullString
		err = tx.queryRow(`SELECT ended_at FROM assignments WHERE id = ? AND source_id = ?`, assignmentID, sourceID).Scan(&ended)
		if isNoRows(err) {
			return tandem.NotFound("assignment")
		} else if err != nil {
			return err
		}
		if ended.Valid {
			return tandem.Errorf(tandem.ECONFLICT, "the assignment has already ended")
		}
		if _, err := tx.exec(`UPDATE assignments SET ended_at = ?, ended_by = ? WHERE id = ?`, ts(tx.now), tx.actorID(), assignmentID); err != nil {
			return err
		}
		if err := tx.record("assignment.end", "assignment", assignmentID, ""); err != nil {
			return err
		}
		_, err = tx.evaluate(sourceID, policy.Changed{})
		return err
	})
}

// ListAssignments returns every assignment of a source, past and current.
func (s *Store) ListAssignments(ctx context.Context, sourceID string) ([]*tandem.Assignment, error) {
	var out []*tandem.Assignment
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		var err error
		out, err = tx.assignments(sourceID, false)
		return err
	})
	if out == nil {
		out = []*tandem.Assignment{}
	}
	return out, err
}

func (tx *Tx) assignments(sourceID string, currentOnly bool) ([]*tandem.Assignment, error) {
	where := `a.source_id = ?`
	if currentOnly {
		where += ` AND a.ended_at IS NULL`
	}
	return tx.assignmentRows(where, sourceID)
}

// assignmentRows loads the assignments matching where (on assignments a),
// with their officers' names, oldest first.
func (tx *Tx) assignmentRows(where string, args ...any) ([]*tandem.Assignment, error) {
	rows, err := tx.query(`SELECT a.id, a.source_id, a.officer_id, o.name, a.role, a.started_at, a.ended_at FROM assignments a JOIN officers o ON o.id = a.officer_id WHERE `+where+` ORDER BY a.started_at, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Assignment
	for rows.Next() {
		var a tandem.Assignment
		var started string
		var ended sql.NullString
		if err := rows.Scan(&a.ID, &a.SourceID, &a.OfficerID, &a.OfficerName, &a.Role, &started, &ended); err != nil {
			return nil, err
		}
		a.StartedAt = parseTS(started)
		a.EndedAt = parseNullTS(ended)
		out = append(out, &a)
	}
	return out, rows.Err()
}
