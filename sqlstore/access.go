package sqlstore

import (
	"context"

	"tandem"
	"tandem/policy"
)

// requireOfficer returns the acting officer, or unauthorized.
func requireOfficer(ctx context.Context) (*tandem.Officer, error) {
	o := tandem.OfficerFromContext(ctx)
	if o == nil {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "sign in first")
	}
	return o, nil
}

// requireRole returns the acting officer when they hold one of roles, and
// forbidden otherwise.
func requireRole(ctx context.Context, roles ...tandem.Role) (*tandem.Officer, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	if !o.HasAnyRole(roles...) {
		return nil, tandem.Errorf(tandem.EFORBIDDEN, "your roles do not allow this")
	}
	return o, nil
}

// team works out the acting officer's standing toward a source.
func (tx *Tx) team(o *tandem.Officer, src *sourceRow) (policy.Team, error) {
	t := policy.Team{SameUnit: o.Unit == src.Unit}
	rows, err := tx.query(`SELECT role FROM assignments WHERE source_id = ? AND officer_id = ? AND ended_at IS NULL`, src.ID, o.ID)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var role tandem.AssignmentRole
		if err := rows.Scan(&role); err != nil {
			return t, err
		}
		if role.CountsAsHandler() {
			t.Handling = true
		}
		if role == tandem.AssignController && o.HasRole(tandem.RoleController) {
			t.Controlling, t.Assigned = true, true
		}
	}
	if o.HasRole(tandem.RoleController) && t.SameUnit {
		t.Controlling = true
		// An identity is part of the team's work only for an accredited
		// controller: an account given the role by an administrator,
		// untrained and outside the dedicated unit, breaks the glass.
		acc, err := tx.accredited(o.ID)
		if err != nil {
			return t, err
		}
		t.Accredited = acc
	}
	return t, rows.Err()
}

// visibleSource loads a source the acting officer may see, with their
// standing toward it. A source they may not see is not found, exactly as
// one that does not exist.
func (tx *Tx) visibleSource(id string) (*sourceRow, policy.Team, error) {
	o, err := requireOfficer(tx.ctx)
	if err != nil {
		return nil, policy.Team{}, err
	}
	if o.HasRole(tandem.RoleAdmin) {
		return nil, policy.Team{}, tandem.Errorf(tandem.EFORBIDDEN, "administrators see no source content")
	}
	src, err := tx.sourceByID(id)
	if err != nil {
		return nil, policy.Team{}, err
	}
	t, err := tx.team(o, src)
	if err != nil {
		return nil, t, err
	}
	if !policy.CanSee(o, t) {
		return nil, t, tandem.NotFound("source")
	}
	return src, t, nil
}

// accredited reports whether an officer is accredited now, read from the
// records rather than trusted from the caller's copy, once per transaction.
func (tx *Tx) accredited(officerID string) (bool, error) {
	if v, ok := tx.accreditation[officerID]; ok {
		return v, nil
	}
	o, err := tx.officer(officerID)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if tx.accreditation == nil {
		tx.accreditation = map[string]bool{}
	}
	tx.accreditation[officerID] = o.Accredited
	return o.Accredited, nil
}
