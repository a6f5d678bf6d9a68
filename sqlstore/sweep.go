package sqlstore

import (
	"context"
	"time"

	"tandem"
	"tandem/policy"
)

// The kinds of deadline: what time alone can breach.
const (
	// A planned meeting must be documented within the limit of its time.
	deadlineMeeting = "meeting"
	// An answered call is judged for good once the limit has passed.
	deadlineCall = "call"
	// A course's expiry may lapse an assigned officer's accreditation.
	deadlineAccreditation = "accreditation"
	// A source to evaluate again, as after a change to the rules' numbers.
	deadlineSource = "source"
)

// setDeadline records a moment from which a rule's clock runs.
func (tx *Tx) setDeadline(kind, objectID, sourceID string, base time.Time) error {
	_, err := tx.exec(`INSERT INTO deadlines (kind, object_id, base_at, source_id) VALUES (?, ?, ?, ?) ON CONFLICT (kind, object_id, base_at) DO NOTHING`,
		kind, objectID, ts(base), sourceID)
	return err
}

// clearDeadline removes an object's deadlines: what they waited for has
// happened.
func (tx *Tx) clearDeadline(kind, objectID string) error {
	_, err := tx.exec(`DELETE FROM deadlines WHERE kind = ? AND object_id = ?`, kind, objectID)
	return err
}

// deadline is one due row of the deadlines table.
type deadline struct {
	kind, objectID, sourceID string
	base                     time.Time
}

// sweepBatch is how many due deadlines the sweep reads at a time.
const sweepBatch = 200

// Sweep acts on what time alone can breach, and only on what is due:
// planned meetings left undocumented past the limit, calls old enough to
// judge, accreditation that lapsed with a course's expiry, sources queued
// to be evaluated again. Each due deadline is taken in a short transaction
// of its own, so the sweep never holds the writer for long, and it writes,
// and audits, only what changed.
func (s *Store) Sweep(ctx context.Context) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	for _, kind := range []string{deadlineMeeting, deadlineCall, deadlineAccreditation, deadlineSource} {
		// Due when the clock has run past the limit (strictly, as the rules
		// say), or, for the others, when the moment has come.
		before := now.Add(time.Microsecond)
		if kind == deadlineMeeting || kind == deadlineCall {
			before = now.Add(-st.DocumentWithin)
		}
		// A deadline that cannot be acted on stays; skip past it, so that
		// one bad row never stops the sweep for the rest.
		after := deadline{}
		for {
			due, err := s.dueDeadlines(ctx, kind, before, after)
			if err != nil {
				return err
			}
			for _, d := range due {
				if err := s.update(ctx, func(tx *Tx) error { return tx.actOn(d) }); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					s.log.Error("sweep", "kind", d.kind, "object", d.objectID, "error", err.Error())
				}
				after = d
			}
			if len(due) < sweepBatch {
				break
			}
		}
	}
	return nil
}

// dueDeadlines reads the next due deadlines of a kind, oldest first, after
// the last one read.
func (s *Store) dueDeadlines(ctx context.Context, kind string, before time.Time, after deadline) ([]deadline, error) {
	var out []deadline
	err := s.view(ctx, func(tx *Tx) error {
		q, args := `SELECT object_id, base_at, source_id FROM deadlines WHERE kind = ? AND base_at < ?`, []any{kind, ts(before)}
		if after.kind != "" {
			q += ` AND (base_at > ? OR (base_at = ? AND object_id > ?))`
			args = append(args, ts(after.base), ts(after.base), after.objectID)
		}
		rows, err := tx.query(q+` ORDER BY base_at, object_id LIMIT ?`, append(args, sweepBatch)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := deadline{kind: kind}
			var base string
			if err := rows.Scan(&d.objectID, &base, &d.sourceID); err != nil {
				return err
			}
			d.base = parseTS(base)
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// actOn takes one due deadline: claims it (another sweep may have), and
// asks the rules what its moment means.
func (tx *Tx) actOn(d deadline) error {
	res, err := tx.exec(`DELETE FROM deadlines WHERE kind = ? AND object_id = ? AND base_at = ?`, d.kind, d.objectID, ts(d.base))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // already taken
	}
	switch d.kind {
	case deadlineMeeting:
		return tx.meetingDue(d.objectID)
	case deadlineCall:
		st, err := tx.settings()
		if err != nil {
			return err
		}
		_, err = tx.reconcileCalls(`c.id = ?`, []any{d.objectID}, st)
		return err
	case deadlineAccreditation:
		return tx.reconcileOfficer(d.objectID)
	case deadlineSource:
		_, err := tx.evaluate(d.objectID, policy.Changed{})
		return err
	}
	return nil
}

// meetingDue raises DOCUMENTED_24H for a planned meeting whose time is
// more than the limit past with no contact recorded for it, once.
func (tx *Tx) meetingDue(meetingID string) error {
	ms, err := tx.meetings(`id = ?`, meetingID)
	if err != nil || len(ms) == 0 {
		return err
	}
	m := ms[0]
	if m.Status != tandem.MeetingPlanned {
		return nil
	}
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM alerts WHERE meeting_id = ? AND rule = ?`, m.ID, tandem.RuleDocumented24h).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err = tx.evaluate(m.SourceID, policy.MeetingOverdue{MeetingID: m.ID, PlannedFor: m.PlannedFor, OfficerIDs: m.OfficerIDs, Documented: m.ContactID != ""})
	return err
}

// reconcileOfficer evaluates again every source the officer is assigned to,
// as after a change to their training.
func (tx *Tx) reconcileOfficer(officerID string) error {
	ids, err := tx.ids(`SELECT DISTINCT source_id FROM assignments WHERE officer_id = ? AND ended_at IS NULL ORDER BY source_id`, officerID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.evaluate(id, policy.Changed{}); err != nil {
			return err
		}
	}
	return nil
}

// queueEverySource asks the sweep to evaluate every source again, each in
// its own transaction: after a change to the rules' numbers.
func (tx *Tx) queueEverySource() error {
	// (WHERE 1 = 1 tells SQLite's parser that ON CONFLICT is not a join.)
	_, err := tx.exec(`INSERT INTO deadlines (kind, object_id, base_at, source_id) SELECT ?, id, ?, id FROM sources WHERE 1 = 1 ON CONFLICT (kind, object_id, base_at) DO NOTHING`,
		deadlineSource, ts(tx.now))
	return err
}
