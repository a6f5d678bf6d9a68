package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"tandem"
	"tandem/phone"
	"tandem/policy"
)

// callBatch is how many kept calls are written per transaction: an import
// of any size holds at most two batches in memory, one being written while
// the next is read. Each call lands on pages of its own in the keyed
// indexes, and SQLite keeps a copy of every page a change touches until
// the change ends, so a batch's memory is about its size in pages.
const callBatch = 1000

// maxRejected is how many rejected lines an import reports one by one;
// beyond that they are only counted.
const maxRejected = 1000

// keptCall is a call the import keeps.
type keptCall struct {
	key       string
	sourceID  string
	officerID string
	direction string
	start     time.Time
	duration  int
	billsec   int
}

// ImportCalls reads call records and keeps those between an officer's work
// phone and a source's registered number, once each, then reconciles them
// against the contacts documented. A bad line is rejected with its number
// and the rest goes in. Only a controller (or the command line) imports.
func (s *Store) ImportCalls(ctx context.Context, format string, src tandem.CallSource) (*tandem.CallImport, error) {
	if _, err := requireRole(ctx, tandem.RoleController, tandem.RoleAdmin); err != nil {
		return nil, err
	}
	if o := tandem.OfficerFromContext(ctx); o.HasRole(tandem.RoleAdmin) && !tandem.FromCommandLine(ctx) {
		return nil, tandem.Errorf(tandem.EFORBIDDEN, "administrators see no source content: a controller imports call records")
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	officers, sources, err := s.phoneBook(ctx, settings)
	if err != nil {
		return nil, err
	}
	// A controller imports for the sources they may see, and no others: a
	// call to another unit's source is ignored like any other number, so
	// an import cannot be used to test whether a number is an informant's.
	if o := tandem.OfficerFromContext(ctx); !o.HasRole(tandem.RoleAdmin) {
		visible := map[string]bool{}
		err := s.view(ctx, func(tx *Tx) error {
			rs, _, err := tx.visibleSources(o)
			for _, r := range rs {
				visible[r.ID] = true
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		for d, ids := range sources {
			var keep []string
			for _, id := range ids {
				if visible[id] {
					keep = append(keep, id)
				}
			}
			sources[d] = keep
		}
	}
	res := &tandem.CallImport{Rejected: []tandem.RejectedLine{}}
	// Each batch of kept calls is a record of its own, its calls its
	// children, written by the writer while the next batch is read: the
	// reading and the writing go on side by side, and no batch's record
	// grows with the import.
	var batchIDs []any
	var mu sync.Mutex // guards res's counts, written by the batches
	writes := make(chan []keptCall)
	written := make(chan error, 1)
	go func() {
		var werr error
		for batch := range writes {
			if werr != nil {
				continue // the import has failed: drain
			}
			id := newID()
			werr = s.update(ctx, func(tx *Tx) error {
				return tx.insertCallBatch(id, format, batch, res, &mu)
			})
			if werr == nil {
				batchIDs = append(batchIDs, id)
			}
		}
		written <- werr
	}()
	fail := func(err error) (*tandem.CallImport, error) {
		close(writes)
		<-written
		return nil, err
	}
	// A source that can is told which records to pass over unread: a
	// line whose two numbers are neither an officer's work phone is never
	// kept, and most of a PBX's lines are such. The test is keep's first,
	// normalising into buffers of its own so that it allocates nothing.
	var filter tandem.CallFilter
	if f, ok := src.(tandem.CallFilter); ok {
		filter = f
		var a, b []byte
		cc := settings.CountryCode
		f.Only(func(from, to []byte) bool {
			var okA, okB bool
			a, okA = phone.AppendNormalized(a[:0], from, cc)
			b, okB = phone.AppendNormalized(b[:0], to, cc)
			return okA && okB && (officers[string(a)] != "" || officers[string(b)] != "")
		})
	}
	batch := make([]keptCall, 0, callBatch)
	lines, ignored := 0, 0
	for {
		c, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *tandem.CallLineError
		if errors.As(err, &le) {
			lines++
			mu.Lock()
			res.RejectedTotal++
			if len(res.Rejected) < maxRejected {
				res.Rejected = append(res.Rejected, tandem.RejectedLine{Line: le.Line, Reason: le.Reason})
			}
			mu.Unlock()
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("read the call records: %w", err))
		}
		lines++
		kept := keep(c, officers, sources, settings, s.keys)
		if len(kept) == 0 {
			ignored++
			continue
		}
		batch = append(batch, kept...)
		if len(batch) >= callBatch {
			writes <- batch
			batch = make([]keptCall, 0, callBatch)
		}
	}
	// An import that kept nothing is still on the record, as an empty
	// batch: someone imported a file.
	if len(batch) > 0 || len(batchIDs) == 0 {
		writes <- batch
	}
	close(writes)
	if err := <-written; err != nil {
		return nil, err
	}
	if filter != nil {
		lines, ignored = lines+filter.Passed(), ignored+filter.Passed()
	}
	res.Lines += lines
	res.Ignored += ignored
	// Reconcile what this import brought, as the sweep would.
	err = s.update(ctx, func(tx *Tx) error {
		var n judged
		err := tx.inChunks(batchIDs, func(in string, args []any) error {
			got, err := tx.reconcileCalls(`c.import_id IN (`+in+`)`, args, settings)
			n.matched, n.undocumented = n.matched+got.matched, n.undocumented+got.undocumented
			return err
		})
		res.Matched, res.Undocumented, res.AlertsRaised = n.matched, n.undocumented, n.undocumented
		return err
	})
	return res, err
}

// insertCallBatch writes one batch of kept calls as a record of its own,
// each new answered call with its deadline, and counts them.
func (tx *Tx) insertCallBatch(id, format string, batch []keptCall, res *tandem.CallImport, mu *sync.Mutex) error {
	if _, err := tx.exec(`INSERT INTO call_imports (id, format, imported_at, imported_by) VALUES (?, ?, ?, ?)`, id, format, ts(tx.now), tx.actorID()); err != nil {
		return err
	}
	// In index order: consecutive calls of one source land on one page
	// of the source's index rather than on pages all over it.
	slices.SortFunc(batch, func(a, b keptCall) int {
		if c := strings.Compare(a.sourceID, b.sourceID); c != 0 {
			return c
		}
		return a.start.Compare(b.start)
	})
	imported, duplicates := 0, 0
	for _, c := range batch {
		callID := newID()
		r, err := tx.exec(`INSERT INTO calls (id, import_id, dedup_key, source_id, officer_id, direction, started_at, duration, billsec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
			callID, id, c.key, c.sourceID, c.officerID, c.direction, ts(c.start), c.duration, c.billsec)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			duplicates++
			continue
		}
		imported++
		if c.billsec >= 1 {
			// An answered call is judged for good at the documentation
			// deadline; the sweep takes it then.
			if err := tx.setDeadline(deadlineCall, callID, c.sourceID, c.start); err != nil {
				return err
			}
		}
	}
	if err := tx.record("calls.import", "call_import", id, format); err != nil {
		return err
	}
	mu.Lock()
	res.Imported += imported
	res.Duplicates += duplicates
	mu.Unlock()
	return nil
}

// keep decides what of a call record Tandem keeps: one call per source
// when one end is an officer's work phone and the other a source's
// registered number; nothing otherwise.
func keep(c *tandem.Call, officers map[string]string, sources map[string][]string, st policy.Settings, k *keys) []keptCall {
	from, okFrom := phone.Normalize(c.From, st.CountryCode)
	to, okTo := phone.Normalize(c.To, st.CountryCode)
	if !okFrom || !okTo {
		return nil
	}
	officer, other, direction := officers[from], to, "out"
	if officer == "" {
		officer, other, direction = officers[to], from, "in"
	}
	if officer == "" || officers[other] != "" {
		return nil // no officer, or a call between two officers
	}
	ids := sources[k.index.Sum("phone", other)]
	var out []keptCall
	for _, id := range ids {
		// Keyed: a plain hash of the record's fields would let whoever
		// holds the file guess the source's number back.
		out = append(out, keptCall{key: k.index.Sum("call", c.Key+"|"+id), sourceID: id, officerID: officer, direction: direction,
			start: c.Start.UTC().Truncate(time.Microsecond), duration: c.Duration, billsec: c.Billsec})
	}
	return out
}

// phoneBook returns the officers by work phone and the sources by the blind
// index of their numbers.
func (s *Store) phoneBook(ctx context.Context, st policy.Settings) (map[string]string, map[string][]string, error) {
	officers := map[string]string{}
	sources := map[string][]string{}
	err := s.view(ctx, func(tx *Tx) error {
		os, err := tx.officers(`1 = 1`)
		if err != nil {
			return err
		}
		for _, o := range os {
			for _, p := range o.WorkPhones {
				if n, ok := phone.Normalize(p, st.CountryCode); ok {
					officers[n] = o.ID
				}
			}
		}
		rows, err := tx.query(`SELECT source_id, digest FROM source_phones`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, d string
			if err := rows.Scan(&id, &d); err != nil {
				return err
			}
			sources[d] = append(sources[d], id)
		}
		return rows.Err()
	})
	return officers, sources, err
}

// judged counts what reconciling some calls found.
type judged struct{ matched, undocumented int }

// callToJudge is a call as reconciliation reads it.
type callToJudge struct {
	id, sourceID string
	call         policy.Call
	checked      bool
}

// reconcileCalls applies UNDOCUMENTED_CALL to the calls of a condition (on
// calls c): each answered call old enough to judge is judged once, its
// outcome recorded and, undocumented, alerted. The calls are taken source
// by source: each source locked once, the contacts around its calls read
// in one query, its alerts raised from one snapshot.
func (tx *Tx) reconcileCalls(cond string, args []any, st policy.Settings) (judged, error) {
	var n judged
	rows, err := tx.query(`SELECT c.id, c.source_id, c.officer_id, c.started_at, c.billsec, k.call_id FROM calls c LEFT JOIN call_checks k ON k.call_id = c.id WHERE `+
		cond+` AND c.billsec >= 1 ORDER BY c.source_id, c.started_at, c.id`, args...)
	if err != nil {
		return n, err
	}
	var all []callToJudge
	for rows.Next() {
		var c callToJudge
		var started string
		var check sql.NullString
		if err := rows.Scan(&c.id, &c.sourceID, &c.call.OfficerID, &started, &c.call.Billsec, &check); err != nil {
			rows.Close()
			return n, err
		}
		c.call.Start, c.checked = parseTS(started), check.Valid
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	for len(all) > 0 {
		end := 1
		for end < len(all) && all[end].sourceID == all[0].sourceID {
			end++
		}
		got, err := tx.reconcileSourceCalls(all[0].sourceID, all[:end], st)
		if err != nil {
			return n, err
		}
		n.matched, n.undocumented = n.matched+got.matched, n.undocumented+got.undocumented
		all = all[end:]
	}
	return n, nil
}

// reconcileSourceCalls judges one source's answered calls, oldest first.
func (tx *Tx) reconcileSourceCalls(sourceID string, calls []callToJudge, st policy.Settings) (judged, error) {
	var n judged
	// An import and the sweep may judge the same call: one at a time. And
	// a call judged by another transaction since it was read is not judged
	// again.
	if err := tx.lockSource(sourceID); err != nil {
		return n, err
	}
	ids := make([]any, len(calls))
	for i, c := range calls {
		ids[i] = c.id
	}
	checked := map[string]bool{}
	err := tx.inChunks(ids, func(in string, args []any) error {
		got, err := tx.ids(`SELECT call_id FROM call_checks WHERE call_id IN (`+in+`)`, args...)
		for _, id := range got {
			checked[id] = true
		}
		return err
	})
	if err != nil {
		return n, err
	}
	// Amendments may move a contact's time: read a day either side.
	margin := st.CallMatchWindow + 24*time.Hour
	cs, err := tx.contacts(`source_id = ? AND occurred_at >= ? AND occurred_at <= ?`, sourceID, ts(calls[0].call.Start.Add(-margin)), ts(calls[len(calls)-1].call.Start.Add(margin)))
	if err != nil {
		return n, err
	}
	near := make([]policy.ContactAt, 0, len(cs))
	for _, c := range cs {
		e := effective(c)
		near = append(near, policy.ContactAt{OccurredAt: e.OccurredAt, Kind: e.Kind, OfficerIDs: e.OfficerIDs})
	}
	var facts []policy.Fact
	for _, c := range calls {
		documented := policy.CallDocumented(c.call, near, st)
		if checked[c.id] || !tx.now.After(policy.DocumentationDeadline(c.call.Start, st)) {
			// Judged before, or too recent to judge for good: a covering
			// contact may still be amended away, or one recorded. The
			// sweep judges it at the deadline.
			if documented {
				n.matched++
			}
			continue
		}
		if err := tx.insertRecorded("call.check", "call_check", "", []string{"id", "call_id", "checked_at", "documented"},
			[]any{newID(), c.id, ts(tx.now), boolInt(documented)}, nil); err != nil {
			return n, err
		}
		if err := tx.clearDeadline(deadlineCall, c.id); err != nil {
			return n, err
		}
		if documented {
			n.matched++
			continue
		}
		n.undocumented++
		facts = append(facts, policy.CallJudged{CallID: c.id, Call: c.call, Contacts: near})
	}
	return n, tx.evaluateAll(sourceID, facts)
}

// ListCalls returns a source's calls, newest first, each with whether a
// contact covers it.
// FindCalls returns the calls of a source with the ids given, by their
// primary key: the cost does not grow with the source's calls.
func (s *Store) FindCalls(ctx context.Context, sourceID string, ids []string) ([]*tandem.CallRecord, error) {
	out := []*tandem.CallRecord{}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		return tx.inChunks(args, func(in string, chunk []any) error {
			cs, err := tx.callRows(`id IN (`+in+`) AND source_id = ? ORDER BY started_at, id`, append(chunk, sourceID)...)
			out = append(out, cs...)
			return err
		})
	})
	return out, err
}

func (s *Store) ListCalls(ctx context.Context, sourceID string) ([]*tandem.CallRecord, error) {
	out := []*tandem.CallRecord{}
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		cs, err := tx.callRows(`source_id = ? ORDER BY started_at DESC, id`, sourceID)
		out = append(out, cs...)
		if err != nil {
			return err
		}
		return tx.judgeCalls(sourceID, out)
	})
	return out, err
}
