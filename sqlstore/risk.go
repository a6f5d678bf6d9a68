package sqlstore

import (
	"context"

	"tandem"
	"tandem/policy"
)

// CreateRisk adds an entry to a source's risk register. A relationship
// entry manages every relationship indicator reported before it.
func (s *Store) CreateRisk(ctx context.Context, sourceID string, c tandem.RiskCreate) (*tandem.Risk, error) {
	o, err := requireRole(ctx, tandem.RoleHandler, tandem.RoleController)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var r *tandem.Risk
	err = s.update(ctx, func(tx *Tx) error {
		_, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionAddRisk}); err != nil {
			return err
		}
		if c.ReviewBy < tx.now.Format(tandem.DateLayout) {
			return tandem.Invalid("review_by", "review_by must be today or later")
		}
		if c.ContactID != "" {
			var n int
			if err := tx.queryRow(`SELECT COUNT(*) FROM contacts WHERE id = ? AND source_id = ?`, c.ContactID, sourceID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return tandem.Invalid("contact_id", "no contact %q for this source", c.ContactID)
			}
		}
		r = &tandem.Risk{ID: newID(), SourceID: sourceID, Category: c.Category, Description: c.Description, Likelihood: c.Likelihood,
			Impact: c.Impact, Mitigation: c.Mitigation, ReviewBy: c.ReviewBy, ContactID: c.ContactID, RecordedAt: tx.now, RecordedBy: o.ID}
		if _, err := tx.exec(`INSERT INTO risks (id, source_id, category, description, likelihood, impact, mitigation, review_by, contact_id, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, sourceID, r.Category, r.Description, r.Likelihood, r.Impact, r.Mitigation, r.ReviewBy, nullString(r.ContactID), ts(tx.now), o.ID); err != nil {
			return err
		}
		if err := tx.record("risk.record", "risk", r.ID, string(r.Category)); err != nil {
			return err
		}
		_, err = tx.evaluate(sourceID, policy.RiskRecorded{Category: r.Category})
		return err
	})
	return r, err
}

// ListRisks returns a source's risk register, newest first.
func (s *Store) ListRisks(ctx context.Context, sourceID string) ([]*tandem.Risk, error) {
	out := []*tandem.Risk{}
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		rs, err := tx.riskRows(`source_id = ? ORDER BY recorded_at DESC, id`, sourceID)
		out = append(out, rs...)
		return err
	})
	return out, err
}
