package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"tandem"
)

// auditObjectQueries read, for each type of record the trail names, what an
// inspector may be told of one: its id, then the id and reference of the
// source it is or belongs to, the contact or meeting it is (or amends), and
// the officer it concerns, NULL where the record has none. Each selects
// only references, never a source's identity, and takes the list of ids
// for its IN. Types without a query (settings are named by their key, call
// imports by their id) are left to the page.
var auditObjectQueries = map[string]string{
	"source":        `SELECT id, id, reference, NULL, NULL, NULL FROM sources WHERE id IN (`,
	"source_key":    `SELECT k.id, s.id, s.reference, NULL, NULL, NULL FROM source_keys k JOIN sources s ON s.id = k.source_id WHERE k.id IN (`,
	"assignment":    `SELECT a.id, s.id, s.reference, NULL, NULL, a.officer_id FROM assignments a JOIN sources s ON s.id = a.source_id WHERE a.id IN (`,
	"meeting":       `SELECT m.id, s.id, s.reference, NULL, m.id, NULL FROM meetings m JOIN sources s ON s.id = m.source_id WHERE m.id IN (`,
	"contact":       `SELECT c.id, s.id, s.reference, c.id, NULL, NULL FROM contacts c JOIN sources s ON s.id = c.source_id WHERE c.id IN (`,
	"amendment":     `SELECT x.id, s.id, s.reference, c.id, NULL, NULL FROM amendments x JOIN contacts c ON c.id = x.contact_id JOIN sources s ON s.id = c.source_id WHERE x.id IN (`,
	"risk":          `SELECT r.id, s.id, s.reference, NULL, NULL, NULL FROM risks r JOIN sources s ON s.id = r.source_id WHERE r.id IN (`,
	"alert":         `SELECT a.id, s.id, s.reference, NULL, NULL, NULL FROM alerts a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id IN (`, // a force-wide alert has no source
	"officer":       `SELECT id, NULL, NULL, NULL, NULL, id FROM officers WHERE id IN (`,
	"training":      `SELECT id, NULL, NULL, NULL, NULL, officer_id FROM training WHERE id IN (`,
	"token":         `SELECT id, NULL, NULL, NULL, NULL, officer_id FROM tokens WHERE id IN (`,
	"account_lock":  `SELECT id, NULL, NULL, NULL, NULL, officer_id FROM account_locks WHERE id IN (`,
	"second_factor": `SELECT id, NULL, NULL, NULL, NULL, officer_id FROM second_factors WHERE id IN (`,
}

// AuditObjects tells what the records a page of the trail names are: one
// query for each type of record among them (at most one per entry in
// auditObjectQueries), whatever their number, each through the table's
// primary key. Only auditors read the trail, so only they ask.
func (s *Store) AuditObjects(ctx context.Context, refs []tandem.AuditObjectRef) (map[tandem.AuditObjectRef]tandem.AuditObject, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	byType := map[string][]any{}
	seen := map[tandem.AuditObjectRef]bool{}
	for _, r := range refs {
		if _, ok := auditObjectQueries[r.Type]; !ok || r.ID == "" || seen[r] {
			continue
		}
		seen[r] = true
		byType[r.Type] = append(byType[r.Type], r.ID)
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	slices.Sort(types) // the same statements in the same order each time
	out := map[tandem.AuditObjectRef]tandem.AuditObject{}
	err := s.view(ctx, func(tx *Tx) error {
		for _, t := range types {
			err := tx.inChunks(byType[t], func(in string, args []any) error {
				rows, err := tx.query(auditObjectQueries[t]+in+`)`, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					var source, reference, contact, meeting, officer sql.NullString
					if err := rows.Scan(&id, &source, &reference, &contact, &meeting, &officer); err != nil {
						return err
					}
					out[tandem.AuditObjectRef{Type: t, ID: id}] = tandem.AuditObject{SourceID: source.String, Reference: reference.String,
						ContactID: contact.String, MeetingID: meeting.String, OfficerID: officer.String}
				}
				return rows.Err()
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
