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
	if err := policy.Confirmed(o); err != nil {
		return nil, err
	}
	return o, nil
}

// sourceActor returns the officer acting on a source's content, refusing
// outright, before any source is looked up (so that the answer says
// nothing of whether it exists), an administrator (separation of duties)
// and an account that awaits confirmation (the two-person rule).
func sourceActor(ctx context.Context) (*tandem.Officer, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	if o.HasRole(tandem.RoleAdmin) {
		return nil, tandem.Errorf(tandem.EFORBIDDEN, "administrators see no source content")
	}
	if err := policy.Confirmed(o); err != nil {
		return nil, err
	}
	return o, nil
}

// standing is an officer's standing toward sources, loaded once for a
// list: their current assignments by source and, for a controller, their
// accreditation.
type standing struct {
	o          *tandem.Officer
	roles      map[string][]tandem.AssignmentRole
	accredited bool
}

// standing loads the officer's current assignments: of one source when
// sourceID is given, of every source otherwise.
func (tx *Tx) standing(o *tandem.Officer, sourceID string) (*standing, error) {
	st := &standing{o: o, roles: map[string][]tandem.AssignmentRole{}}
	q, args := `SELECT source_id, role FROM assignments WHERE officer_id = ? AND ended_at IS NULL`, []any{o.ID}
	if sourceID != "" {
		q, args = q+` AND source_id = ?`, append(args, sourceID)
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var role tandem.AssignmentRole
		if err := rows.Scan(&id, &role); err != nil {
			return nil, err
		}
		st.roles[id] = append(st.roles[id], role)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if o.HasRole(tandem.RoleController) {
		// An identity is part of the team's work only for an accredited
		// controller: an account given the role by an administrator,
		// untrained and outside the dedicated unit, breaks the glass.
		if st.accredited, err = tx.accredited(o.ID); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// team is the officer's standing toward one source.
func (st *standing) team(src *sourceRow) policy.Team {
	o := st.o
	t := policy.Team{SameUnit: o.Unit == src.Unit}
	for _, role := range st.roles[src.ID] {
		if role.CountsAsHandler() {
			t.Handling = true
		}
		if role == tandem.AssignController && o.HasRole(tandem.RoleController) {
			t.Controlling, t.Assigned = true, true
		}
	}
	if o.HasRole(tandem.RoleController) && t.SameUnit {
		t.Controlling = true
		t.Accredited = st.accredited
	}
	return t
}

// team works out the acting officer's standing toward a source.
func (tx *Tx) team(o *tandem.Officer, src *sourceRow) (policy.Team, error) {
	st, err := tx.standing(o, src.ID)
	if err != nil {
		return policy.Team{}, err
	}
	return st.team(src), nil
}

// visibleSource loads a source the acting officer may see, with their
// standing toward it. A source they may not see is not found, exactly as
// one that does not exist.
func (tx *Tx) visibleSource(id string) (*sourceRow, policy.Team, error) {
	o, err := sourceActor(tx.ctx)
	if err != nil {
		return nil, policy.Team{}, err
	}
	if tx.writable {
		if err := tx.lockSource(id); err != nil {
			return nil, policy.Team{}, err
		}
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

// lockSource makes the transaction the only one changing the source until
// it ends (on PostgreSQL; SQLite's writer is alone anyway): every change to
// a source reads what it builds on after this.
func (tx *Tx) lockSource(id string) error {
	if tx.store.dialect.ForUpdate() == "" {
		return nil
	}
	var got string
	err := tx.queryRow(`SELECT source_id FROM source_state WHERE source_id = ?`+tx.store.dialect.ForUpdate(), id).Scan(&got)
	if isNoRows(err) {
		return nil // no such source: the caller says so
	}
	return err
}
