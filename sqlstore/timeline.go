package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"tandem"
	"tandem/policy"
)

// Timeline returns a page of a source's timeline, newest first: its
// contacts, the meetings still planned, its calls, risk entries and alerts.
// Each kind is read newest first through an index on (source, time), at
// most a page of each, and merged: a page costs the same however long the
// source has been handled.
func (s *Store) Timeline(ctx context.Context, sourceID string, limit int, after string) (*tandem.TimelinePage, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, err
	}
	upper, upperID := "9999", ""
	if after != "" {
		var ok bool
		if upper, upperID, ok = decodeCursor(after); !ok {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
	}
	page := &tandem.TimelinePage{Items: []*tandem.TimelineItem{}}
	err = s.view(ctx, func(tx *Tx) error {
		_, t, err := tx.visibleSource(sourceID)
		if err != nil {
			return err
		}
		n := limit + 1
		before := func(col string) string {
			return col + ` < ? OR (` + col + ` = ? AND id < ?)`
		}
		var items []*tandem.TimelineItem
		cs, err := tx.contacts(`source_id = ? AND (`+before("occurred_at")+`) ORDER BY occurred_at DESC, id DESC LIMIT ?`, sourceID, upper, upper, upperID, n)
		if err != nil {
			return err
		}
		for _, c := range cs {
			items = append(items, &tandem.TimelineItem{At: c.OccurredAt, Kind: "contact", ID: c.ID, Contact: c})
		}
		ms, err := tx.meetingRows(`source_id = ? AND status = ? AND (`+before("planned_for")+`) ORDER BY planned_for DESC, id DESC LIMIT ?`, sourceID, tandem.MeetingPlanned, upper, upper, upperID, n)
		if err != nil {
			return err
		}
		for _, m := range ms {
			items = append(items, &tandem.TimelineItem{At: m.PlannedFor, Kind: "meeting", ID: m.ID, Meeting: m})
		}
		calls, err := tx.callRows(`source_id = ? AND (`+before("started_at")+`) ORDER BY started_at DESC, id DESC LIMIT ?`, sourceID, upper, upper, upperID, n)
		if err != nil {
			return err
		}
		for _, c := range calls {
			items = append(items, &tandem.TimelineItem{At: c.StartedAt, Kind: "call", ID: c.ID, Call: c})
		}
		risks, err := tx.riskRows(`source_id = ? AND (`+before("recorded_at")+`) ORDER BY recorded_at DESC, id DESC LIMIT ?`, sourceID, upper, upper, upperID, n)
		if err != nil {
			return err
		}
		for _, r := range risks {
			items = append(items, &tandem.TimelineItem{At: r.RecordedAt, Kind: "risk", ID: r.ID, Risk: r})
		}
		as, err := tx.alertRows(`a.source_id = ? AND (a.raised_at < ? OR (a.raised_at = ? AND a.id < ?)) ORDER BY a.raised_at DESC, a.id DESC LIMIT ?`, sourceID, upper, upper, upperID, n)
		if err != nil {
			return err
		}
		for _, a := range as {
			if !policy.AlertVisible(o, a.Rule) {
				continue
			}
			a.CanAcknowledge = canAcknowledge(o, t, a)
			items = append(items, &tandem.TimelineItem{At: a.RaisedAt, Kind: "alert", ID: a.ID, Alert: a})
		}
		sort.Slice(items, func(i, j int) bool {
			if !items[i].At.Equal(items[j].At) {
				return items[i].At.After(items[j].At)
			}
			return items[i].ID > items[j].ID
		})
		if len(items) > limit {
			items = items[:limit]
			last := items[limit-1]
			next := encodeCursor(ts(last.At), last.ID)
			page.Next = &next
		}
		page.Items = append(page.Items, items...)
		// Whether a contact covers each call, from the contacts around the
		// page's calls: one query.
		var shown []*tandem.CallRecord
		for _, it := range page.Items {
			if it.Call != nil {
				shown = append(shown, it.Call)
			}
		}
		return tx.judgeCalls(sourceID, shown)
	})
	return page, err
}

// callRows loads the calls of a condition, in its order.
func (tx *Tx) callRows(whereOrder string, args ...any) ([]*tandem.CallRecord, error) {
	rows, err := tx.query(`SELECT id, source_id, officer_id, direction, started_at, duration, billsec FROM calls WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.CallRecord
	for rows.Next() {
		var c tandem.CallRecord
		var started string
		if err := rows.Scan(&c.ID, &c.SourceID, &c.OfficerID, &c.Direction, &started, &c.Duration, &c.Billsec); err != nil {
			return nil, err
		}
		c.StartedAt = parseTS(started)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// judgeCalls says of each call whether a phone or message contact covers
// it, once it is old enough to say; the contacts around them are read in
// one query.
func (tx *Tx) judgeCalls(sourceID string, calls []*tandem.CallRecord) error {
	var first, last time.Time
	for _, c := range calls {
		if c.Billsec < 1 {
			continue
		}
		if first.IsZero() || c.StartedAt.Before(first) {
			first = c.StartedAt
		}
		if c.StartedAt.After(last) {
			last = c.StartedAt
		}
	}
	if first.IsZero() {
		return nil
	}
	st, err := tx.settings()
	if err != nil {
		return err
	}
	// Amendments may move a contact's time: read a day either side.
	margin := st.CallMatchWindow + 24*time.Hour
	cs, err := tx.contacts(`source_id = ? AND occurred_at >= ? AND occurred_at <= ?`, sourceID, ts(first.Add(-margin)), ts(last.Add(margin)))
	if err != nil {
		return err
	}
	near := make([]policy.ContactAt, 0, len(cs))
	for _, c := range cs {
		e := effective(c)
		near = append(near, policy.ContactAt{OccurredAt: e.OccurredAt, Kind: e.Kind, OfficerIDs: e.OfficerIDs})
	}
	for _, c := range calls {
		if c.Billsec < 1 {
			continue
		}
		documented := policy.CallDocumented(policy.Call{Start: c.StartedAt, Billsec: c.Billsec, OfficerID: c.OfficerID}, near, st)
		if documented || tx.now.After(policy.DocumentationDeadline(c.StartedAt, st)) {
			c.Documented = &documented
		}
	}
	return nil
}

// riskRows loads the risk entries of a condition, in its order.
func (tx *Tx) riskRows(whereOrder string, args ...any) ([]*tandem.Risk, error) {
	rows, err := tx.query(`SELECT id, source_id, category, description, likelihood, impact, mitigation, review_by, contact_id, recorded_at, recorded_by FROM risks WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tandem.Risk
	for rows.Next() {
		var r tandem.Risk
		var contact sql.NullString
		var recorded string
		if err := rows.Scan(&r.ID, &r.SourceID, &r.Category, &r.Description, &r.Likelihood, &r.Impact, &r.Mitigation, &r.ReviewBy, &contact, &recorded, &r.RecordedBy); err != nil {
			return nil, err
		}
		r.ContactID, r.RecordedAt = contact.String, parseTS(recorded)
		out = append(out, &r)
	}
	return out, rows.Err()
}

var _ tandem.ContactService = (*Store)(nil)
