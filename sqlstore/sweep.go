package sqlstore

import "context"

// Sweep re-evaluates what time alone can breach: planned meetings left
// undocumented past the limit, accreditation that lapsed, and every source's
// state rules. It writes, and audits, only what changed.
func (s *Store) Sweep(ctx context.Context) error {
	return s.update(ctx, func(tx *Tx) error {
		if err := tx.overdueMeetings(); err != nil {
			return err
		}
		if err := tx.reconcileCalls(); err != nil {
			return err
		}
		ids, err := tx.ids(`SELECT id FROM sources ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.reconcileSource(id); err != nil {
				return err
			}
		}
		return nil
	})
}
