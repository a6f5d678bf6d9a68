package sqlstore

import (
	"context"
	"time"

	"tandem"
	"tandem/policy"
)

// amendmentChanges is what an amendment changed, as stored.
type amendmentChanges struct {
	Kind            *tandem.ContactKind `json:"kind,omitempty"`
	OccurredAt      *time.Time          `json:"occurred_at,omitempty"`
	DurationMinutes *int                `json:"duration_minutes,omitempty"`
	Location        *string             `json:"location,omitempty"`
	OfficerIDs      []string            `json:"officer_ids,omitempty"`
	Summary         *string             `json:"summary,omitempty"`
	// Indicators is a pointer so that clearing them (an empty list) is
	// told apart from leaving them alone (absent).
	Indicators *[]tandem.Indicator `json:"indicators,omitempty"`
}

// AmendContact adds a correction to a contact. The contact itself never
// changes. The amended contact is checked against the rules again, and any
// breach it did not already carry becomes an alert.
func (s *Store) AmendContact(ctx context.Context, sourceID, contactID string, a tandem.Amendment) (*tandem.Amendment, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var out *tandem.Amendment
	err = s.update(ctx, func(tx *Tx) error {
		src, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		cs, err := tx.contacts(`id = ? AND source_id = ?`, contactID, sourceID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return tandem.NotFound("contact")
		}
		c := cs[0]
		before := effective(c)
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionAmend, Officers: before.OfficerIDs, Author: c.DocumentedBy}); err != nil {
			return err
		}
		settings, err := tx.settings()
		if err != nil {
			return err
		}
		if a.OccurredAt != nil && a.OccurredAt.After(tx.now.Add(settings.FutureTolerance)) {
			return tandem.Invalid("occurred_at", "occurred_at is in the future")
		}
		after := a.Apply(before)
		atts, _, err := tx.attendees("officer_ids", after.OfficerIDs)
		if err != nil {
			return err
		}
		had := map[tandem.Rule]bool{}
		for _, f := range c.Findings {
			had[f.Rule] = true
		}
		for _, prev := range c.Amendments {
			for _, f := range prev.Findings {
				had[f.Rule] = true
			}
		}
		snap, v, err := tx.judge(sourceID, policy.ContactAmended{ContactID: contactID, After: after, Officers: atts, Added: policy.AddedIndicators(c, &a), Had: had})
		if err != nil {
			return err
		}
		out = &a
		out.ID, out.ContactID, out.AmendedAt, out.AmendedBy, out.Findings = newID(), contactID, tx.now, o.ID, nonNilFindings(v.Findings)
		changes := amendmentChanges{Kind: a.Kind, OccurredAt: a.OccurredAt, DurationMinutes: a.DurationMinutes, Location: a.Location,
			OfficerIDs: a.OfficerIDs, Summary: a.Summary}
		if a.Indicators != nil {
			changes.Indicators = &a.Indicators
		}
		if _, err := tx.exec(`INSERT INTO amendments (id, contact_id, reason, changes, amended_at, amended_by, findings) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			out.ID, contactID, out.Reason, jsonText(changes), ts(tx.now), o.ID, jsonText(out.Findings)); err != nil {
			return err
		}
		if err := tx.record("contact.amend", "amendment", out.ID, out.Reason); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO amended_contacts (source_id, occurred_at, contact_id) VALUES (?, ?, ?) ON CONFLICT (source_id, occurred_at, contact_id) DO NOTHING`,
			sourceID, ts(c.OccurredAt), contactID); err != nil {
			return err
		}
		// Compliance counts the contact as amended: its old share out, its
		// new one in.
		if err := tx.countContact(src.Unit, c, -1); err != nil {
			return err
		}
		c.Amendments = append(c.Amendments, out)
		if err := tx.countContact(src.Unit, c, 1); err != nil {
			return err
		}
		return tx.apply(sourceID, snap, v)
	})
	return out, err
}

func (tx *Tx) amendments(contactID string) ([]*tandem.Amendment, error) {
	return tx.amendmentRows(`contact_id = ?`, contactID)
}

// amendmentRows loads the amendments matching where, oldest first.
func (tx *Tx) amendmentRows(where string, args ...any) ([]*tandem.Amendment, error) {
	rows, err := tx.query(`SELECT id, contact_id, reason, changes, amended_at, amended_by, findings FROM amendments WHERE `+where+` ORDER BY amended_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Amendment
	for rows.Next() {
		var a tandem.Amendment
		var changes, amended, findings string
		if err := rows.Scan(&a.ID, &a.ContactID, &a.Reason, &changes, &amended, &a.AmendedBy, &findings); err != nil {
			return nil, err
		}
		var ch amendmentChanges
		if err := fromJSON(changes, &ch); err != nil {
			return nil, err
		}
		a.Kind, a.OccurredAt, a.DurationMinutes, a.Location, a.OfficerIDs, a.Summary =
			ch.Kind, ch.OccurredAt, ch.DurationMinutes, ch.Location, ch.OfficerIDs, ch.Summary
		if ch.Indicators != nil {
			a.Indicators = append([]tandem.Indicator{}, *ch.Indicators...)
		}
		a.AmendedAt = parseTS(amended)
		if err := fromJSON(findings, &a.Findings); err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}
