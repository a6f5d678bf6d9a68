package sqlstore

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"time"

	"tandem"
	"tandem/policy"
)

// EarlyWarning scores every current handler–source pair of the caller's
// board over the last days, highest first, each with its reasons in words
// and the dated facts behind them. Controllers and auditors only.
func (s *Store) EarlyWarning(ctx context.Context, days int) ([]*tandem.Pair, error) {
	scored, err := s.board(ctx, tandem.BoardFilter{Days: days})
	pairs := make([]*tandem.Pair, 0, len(scored))
	for _, sp := range scored {
		pairs = append(pairs, sp.withEvents())
	}
	return pairs, err
}

// scoredPair is a pair as the board ranks it, with what its events are
// drawn from: the events are drawn only for the pairs a page shows.
type scoredPair struct {
	pair   *tandem.Pair
	facts  policy.PairFacts
	alerts []*tandem.Alert
}

func (sp scoredPair) withEvents() *tandem.Pair {
	p := sp.pair
	if p.Score > 0 {
		p.Events = pairEvents(sp.facts, p.Reasons, sp.alerts, p.SourceID)
	}
	return p
}

// PageEarlyWarning returns a page of the board, highest score first.
func (s *Store) PageEarlyWarning(ctx context.Context, f tandem.BoardFilter) (*tandem.PairPage, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	skip := 0
	if f.After != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.After)
		n, perr := strconv.Atoi(string(b))
		if err != nil || perr != nil || n < 1 {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
		skip = n
	}
	pairs, err := s.board(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &tandem.PairPage{Pairs: []*tandem.Pair{}}
	if skip < len(pairs) {
		end := min(skip+limit, len(pairs))
		for _, sp := range pairs[skip:end] {
			page.Pairs = append(page.Pairs, sp.withEvents())
		}
		if end < len(pairs) {
			next := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
			page.Next = &next
		}
	}
	return page, nil
}

// board scores the pairs of the caller's scope: their unit's sources (an
// auditor's, or the unit asked for) and the sources they control by name.
// It reads that scope's contacts, calls and breaches of the window through
// the indexes on (source, time), and nothing of other units: its cost is a
// unit's work over the window, however large the force and however long
// its history.
func (s *Store) board(ctx context.Context, f tandem.BoardFilter) ([]scoredPair, error) {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor)
	if err != nil {
		return nil, err
	}
	if f.Days < 1 || f.Days > 731 {
		return nil, tandem.Invalid("days", "days must be between 1 and 731")
	}
	loc := policy.UnitZone()
	var out []scoredPair
	err = s.view(ctx, func(tx *Tx) error {
		st, err := tx.settings()
		if err != nil {
			return err
		}
		unit := f.Unit
		if unit == "" {
			unit = o.Unit
		}
		scope, err := tx.complianceScope(o, tandem.ComplianceFilter{Unit: unit})
		if err != nil {
			return err
		}
		var visible []*sourceRow
		for _, u := range scope.units {
			rs, err := tx.sources(`unit = ?`, u)
			if err != nil {
				return err
			}
			visible = append(visible, rs...)
		}
		if scope.every {
			if visible, err = tx.sources(`1 = 1`); err != nil {
				return err
			}
		}
		visible = append(visible, scope.extra...)
		// The scope's sources, as a condition each query repeats: the
		// units' by a subquery on the sources' unit index, the few
		// sources of other units by id.
		in, args := scope.sourcesIn()
		from := tx.now.Add(-time.Duration(f.Days) * 24 * time.Hour)
		to := tx.now.Add(time.Minute)
		contacts, err := tx.boardContacts(in, args, from, to)
		if err != nil {
			return err
		}
		calls, err := tx.callsBetween(in, args, from, to)
		if err != nil {
			return err
		}
		alerts := map[string][]*tandem.Alert{}
		as, err := tx.alertRows(`a.source_id IN (`+in+`) AND a.raised_at >= ? AND a.severity = ? ORDER BY a.raised_at`, append(append([]any{}, args...), ts(from), tandem.SeverityBreach)...)
		if err != nil {
			return err
		}
		for _, a := range as {
			alerts[a.SourceID] = append(alerts[a.SourceID], a)
		}
		assigned := map[string][]*tandem.Assignment{}
		cur, err := tx.assignmentRows(`a.source_id IN (`+in+`) AND a.ended_at IS NULL`, args...)
		if err != nil {
			return err
		}
		for _, a := range cur {
			assigned[a.SourceID] = append(assigned[a.SourceID], a)
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
		for _, src := range visible {
			if src.Status == tandem.StatusDeactivated {
				continue
			}
			since := map[string]time.Time{}
			names := map[string]string{}
			for _, a := range assigned[src.ID] {
				if a.Role.CountsAsHandler() {
					names[a.OfficerID] = a.OfficerName
					if t, ok := since[a.OfficerID]; !ok || a.StartedAt.Before(t) {
						since[a.OfficerID] = a.StartedAt
					}
				}
			}
			pcs := contacts[src.ID]
			times := contactTimes(pcs)
			officers := make([]string, 0, len(since))
			for id := range since {
				officers = append(officers, id)
			}
			sort.Strings(officers)
			for _, officerID := range officers {
				pf := policy.PairFacts{OfficerID: officerID, Contacts: pcs, AssignedSince: since[officerID], UnitUsual: usual[src.Unit]}
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
					pf.Calls = append(pf.Calls, pc)
				}
				score, reasons := policy.ScorePair(pf, tx.now, loc, policy.DefaultWeights())
				p := &tandem.Pair{OfficerID: officerID, OfficerName: names[officerID], SourceID: src.ID, SourceReference: src.Reference,
					Score: score, Reasons: reasons}
				if p.Reasons == nil {
					p.Reasons = []tandem.Reason{}
				}
				out = append(out, scoredPair{pair: p, facts: pf, alerts: alerts[src.ID]})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].pair, out[j].pair
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.SourceReference+a.OfficerName < b.SourceReference+b.OfficerName
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

// callRow is a call as the board reads it.
type callRow struct {
	id, officerID string
	start         time.Time
	billsec       int
}

// callsBetween loads the calls of the sources of a condition that started
// in [from, to), by source.
func (tx *Tx) callsBetween(in string, args []any, from, to time.Time) (map[string][]callRow, error) {
	out := map[string][]callRow{}
	rows, err := tx.query(`SELECT id, source_id, officer_id, started_at, billsec FROM calls WHERE source_id IN (`+in+`) AND started_at >= ? AND started_at < ?`,
		append(append([]any{}, args...), ts(from), ts(to))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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

// boardContacts reads the contacts of the sources of a condition in
// [from, to) as the board needs them, and only that: no summaries, no
// findings, amendments applied; their officers and amendments by join,
// never a table whole.
func (tx *Tx) boardContacts(in string, sargs []any, from, to time.Time) (map[string][]policy.PairContact, error) {
	type at struct {
		source string
		i      int
	}
	bySource := map[string][]policy.PairContact{}
	where := map[string]at{}
	window := `c.source_id IN (` + in + `) AND c.occurred_at >= ? AND c.occurred_at < ?`
	args := append(append([]any{}, sargs...), ts(from), ts(to))
	// Read in the index's order, source by source, time within each: no
	// sort of the whole window.
	rows, err := tx.query(`SELECT c.id, c.source_id, c.kind, c.occurred_at, c.indicators, c.late FROM contacts c WHERE `+window, args...)
	if err != nil {
		return nil, err
	}
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
	rows, err = tx.query(`SELECT co.contact_id, co.officer_id FROM contacts c JOIN contact_officers co ON co.contact_id = c.id WHERE `+window, args...)
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
	for src, cs := range bySource {
		for i := range cs {
			sort.Strings(cs[i].OfficerIDs)
		}
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].OccurredAt.Before(cs[j].OccurredAt) })
		for i, c := range cs {
			where[c.ID] = at{src, i}
		}
	}
	// Amendments are rare: read those of the window's amended contacts.
	as, err := tx.amendmentRows(`contact_id IN (SELECT m.contact_id FROM amended_contacts m WHERE m.source_id IN (`+in+`) AND m.occurred_at >= ? AND m.occurred_at < ?)`, args...)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		w, ok := where[a.ContactID]
		if !ok {
			continue
		}
		c := &bySource[w.source][w.i]
		e := a.Apply(tandem.Contact{Kind: c.Kind, OccurredAt: c.OccurredAt, OfficerIDs: c.OfficerIDs, Indicators: c.Indicators})
		c.Kind, c.OccurredAt, c.OfficerIDs, c.Indicators = e.Kind, e.OccurredAt, e.OfficerIDs, e.Indicators
	}
	return bySource, nil
}
