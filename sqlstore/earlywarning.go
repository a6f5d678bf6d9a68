package sqlstore

import (
	"context"
	"sort"
	"time"

	"tandem"
	"tandem/policy"
)

// unitZone is the clock of the units: working hours and night are read on
// it. (One zone for the force; a setting when a force spans zones.)
const unitZone = "Europe/London"

// EarlyWarning scores every current handler–source pair the caller may see
// over the last days, highest first, each with its reasons in words and the
// dated facts behind them. Controllers and auditors only.
func (s *Store) EarlyWarning(ctx context.Context, days int) ([]*tandem.Pair, error) {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	if days < 1 || days > 731 {
		return nil, tandem.Invalid("days", "days must be between 1 and 731")
	}
	loc, err := time.LoadLocation(unitZone)
	if err != nil {
		loc = time.UTC
	}
	out := []*tandem.Pair{}
	err = s.view(ctx, func(tx *Tx) error {
		st, err := tx.settings()
		if err != nil {
			return err
		}
		from := tx.now.Add(-time.Duration(days) * 24 * time.Hour)
		visible, _, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		contacts, err := tx.boardContacts(from, tx.now.Add(time.Minute))
		if err != nil {
			return err
		}
		calls, err := tx.callsBetween(from, tx.now.Add(time.Minute))
		if err != nil {
			return err
		}
		names := map[string]string{}
		officers, err := tx.officers(`1 = 1`)
		if err != nil {
			return err
		}
		for _, off := range officers {
			names[off.ID] = off.Name
		}
		// The unit's usual: the median number of contacts of a source.
		perUnit := map[string][]int{}
		for _, src := range visible {
			perUnit[src.Unit] = append(perUnit[src.Unit], len(contacts[src.ID]))
		}
		usual := map[string]float64{}
		for unit, ns := range perUnit {
			usual[unit] = median(ns)
		}
		alerts, err := tx.alerts(`a.raised_at >= ? AND a.severity = ?`, ts(from), tandem.SeverityBreach)
		if err != nil {
			return err
		}
		for _, src := range visible {
			if src.Status == tandem.StatusDeactivated {
				continue
			}
			as, err := tx.assignments(src.ID, true)
			if err != nil {
				return err
			}
			since := map[string]time.Time{}
			for _, a := range as {
				if a.Role.CountsAsHandler() {
					if t, ok := since[a.OfficerID]; !ok || a.StartedAt.Before(t) {
						since[a.OfficerID] = a.StartedAt
					}
				}
			}
			pcs := contacts[src.ID]
			times := contactTimes(pcs)
			for officerID, assigned := range since {
				f := policy.PairFacts{OfficerID: officerID, Contacts: pcs, AssignedSince: assigned, UnitUsual: usual[src.Unit]}
				for _, c := range calls[src.ID] {
					if c.officerID != officerID {
						continue
					}
					pc := policy.PairCall{ID: c.id, Start: c.start, Billsec: c.billsec}
					if c.billsec > 0 {
						documented := policy.CallDocumented(policy.Call{Start: c.start, Billsec: c.billsec, OfficerID: officerID}, times, st)
						if documented || tx.now.After(policy.DocumentationDeadline(c.start, st)) {
							pc.Documented = &documented
						}
					}
					f.Calls = append(f.Calls, pc)
				}
				score, reasons := policy.ScorePair(f, tx.now, loc, policy.DefaultWeights())
				p := &tandem.Pair{OfficerID: officerID, OfficerName: names[officerID], SourceID: src.ID, SourceReference: src.Reference,
					Score: score, Reasons: reasons}
				if p.Reasons == nil {
					p.Reasons = []tandem.Reason{}
				}
				if score > 0 {
					p.Events = pairEvents(f, reasons, alerts, src.ID)
				}
				out = append(out, p)
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].SourceReference+out[i].OfficerName < out[j].SourceReference+out[j].OfficerName
	})
	return out, err
}

// pairEvents are the dated facts of a pair for its timeline: its contacts
// and calls (flagged when a reason counts them) and the breaches raised on
// the source that name the officer.
func pairEvents(f policy.PairFacts, reasons []tandem.Reason, alerts []*tandem.Alert, sourceID string) []tandem.PairEvent {
	flagged := map[string]bool{}
	for _, r := range reasons {
		if r.Indicator == "frequency" || r.Indicator == "handled_alone" {
			continue // every contact counts there: flagging all would flag nothing
		}
		for _, id := range r.Contacts {
			flagged[id] = true
		}
		for _, id := range r.Calls {
			flagged[id] = true
		}
	}
	var evs []tandem.PairEvent
	for _, c := range f.Contacts {
		if contains(c.OfficerIDs, f.OfficerID) {
			evs = append(evs, tandem.PairEvent{At: c.OccurredAt, Kind: "contact", ID: c.ID, Flagged: flagged[c.ID]})
		}
	}
	for _, c := range f.Calls {
		evs = append(evs, tandem.PairEvent{At: c.Start, Kind: "call", ID: c.ID, Flagged: flagged[c.ID]})
	}
	for _, a := range alerts {
		if a.SourceID == sourceID && contains(a.OfficerIDs, f.OfficerID) {
			evs = append(evs, tandem.PairEvent{At: a.RaisedAt, Kind: "breach", ID: a.ID, Flagged: true})
		}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
	return evs
}

func contactTimes(pcs []policy.PairContact) []policy.ContactAt {
	out := make([]policy.ContactAt, len(pcs))
	for i, c := range pcs {
		out[i] = policy.ContactAt{OccurredAt: c.OccurredAt, Kind: c.Kind, OfficerIDs: c.OfficerIDs}
	}
	return out
}

func median(ns []int) float64 {
	if len(ns) == 0 {
		return 0
	}
	s := append([]int(nil), ns...)
	sort.Ints(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2])
	}
	return float64(s[len(s)/2-1]+s[len(s)/2]) / 2
}

// callRow is a call as the views over a unit read it.
type callRow struct {
	id, officerID string
	start         time.Time
	billsec       int
}

// callsBetween loads every call that started in [from, to), by source.
func (tx *Tx) callsBetween(from, to time.Time) (map[string][]callRow, error) {
	rows, err := tx.query(`SELECT id, source_id, officer_id, started_at, billsec FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at`, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]callRow{}
	for rows.Next() {
		var c callRow
		var src, started string
		if err := rows.Scan(&c.id, &src, &c.officerID, &started, &c.billsec); err != nil {
			return nil, err
		}
		c.start = parseTS(started)
		out[src] = append(out[src], c)
	}
	return out, rows.Err()
}

// boardContacts reads the contacts of [from, to) as the board needs them,
// and only that: no summaries, no findings, amendments applied. A year of
// a large unit is tens of thousands of rows, read on every view of the
// board.
func (tx *Tx) boardContacts(from, to time.Time) (map[string][]policy.PairContact, error) {
	rows, err := tx.query(`SELECT id, source_id, kind, occurred_at, indicators, late FROM contacts WHERE occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	type at struct {
		source string
		i      int
	}
	bySource := map[string][]policy.PairContact{}
	where := map[string]at{}
	for rows.Next() {
		var c policy.PairContact
		var src, occurred, indicators string
		var late int
		if err := rows.Scan(&c.ID, &src, &c.Kind, &occurred, &indicators, &late); err != nil {
			rows.Close()
			return nil, err
		}
		c.OccurredAt, c.Late = parseTS(occurred), late == 1
		if indicators != "[]" {
			if err := fromJSON(indicators, &c.Indicators); err != nil {
				rows.Close()
				return nil, err
			}
		}
		where[c.ID] = at{src, len(bySource[src])}
		bySource[src] = append(bySource[src], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(`SELECT contact_id, officer_id FROM contact_officers ORDER BY contact_id, officer_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cid, oid string
		if err := rows.Scan(&cid, &oid); err != nil {
			rows.Close()
			return nil, err
		}
		if w, ok := where[cid]; ok {
			c := &bySource[w.source][w.i]
			c.OfficerIDs = append(c.OfficerIDs, oid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Amendments are rare: apply them contact by contact.
	amended, err := tx.ids(`SELECT DISTINCT contact_id FROM amendments ORDER BY contact_id`)
	if err != nil {
		return nil, err
	}
	for _, cid := range amended {
		w, ok := where[cid]
		if !ok {
			continue
		}
		as, err := tx.amendments(cid)
		if err != nil {
			return nil, err
		}
		c := &bySource[w.source][w.i]
		e := tandem.Contact{Kind: c.Kind, OccurredAt: c.OccurredAt, OfficerIDs: c.OfficerIDs, Indicators: c.Indicators}
		for _, a := range as {
			e = a.Apply(e)
		}
		c.Kind, c.OccurredAt, c.OfficerIDs, c.Indicators = e.Kind, e.OccurredAt, e.OfficerIDs, e.Indicators
	}
	return bySource, nil
}
