package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"tandem"
	"tandem/audit"
	"tandem/checkpoint"
)

// auditedTable is a table whose every row is vouched for by the audit
// trail: its latest entry for a row holds the row's hash.
type auditedTable struct {
	objectType string
	table      string
	// children are rows that belong to one record of this table, named by
	// the column that points at it; they count in the record's hash.
	children []childTable
}

type childTable struct{ table, parentColumn string }

var auditedTables = []auditedTable{
	{objectType: "officer", table: "officers"},
	{objectType: "training", table: "training"},
	{objectType: "token", table: "tokens"},
	{objectType: "source", table: "sources", children: []childTable{{"source_phones", "source_id"}}},
	{objectType: "source_key", table: "source_keys"},
	{objectType: "key", table: "keyring"},
	{objectType: "assignment", table: "assignments"},
	{objectType: "meeting", table: "meetings", children: []childTable{{"meeting_officers", "meeting_id"}}},
	{objectType: "contact", table: "contacts", children: []childTable{{"contact_officers", "contact_id"}}},
	{objectType: "amendment", table: "amendments"},
	{objectType: "risk", table: "risks"},
	{objectType: "alert", table: "alerts"},
	{objectType: "setting", table: "settings"},
	{objectType: "account_lock", table: "account_locks"},
	{objectType: "call_import", table: "call_imports", children: []childTable{{"calls", "import_id"}}},
	{objectType: "call_check", table: "call_checks"},
	{objectType: "second_factor", table: "second_factors"},
}

func auditedTableOf(objectType string) (auditedTable, bool) {
	for _, t := range auditedTables {
		if t.objectType == objectType {
			return t, true
		}
	}
	return auditedTable{}, false
}

// record appends an audit entry for a change to a record, holding the
// record's hash as the change left it. It must be called after the change,
// in the same transaction: if the entry cannot be written, the change is
// rolled back with it (fail closed).
func (tx *Tx) record(action, objectType, objectID, reason string) error {
	t, ok := auditedTableOf(objectType)
	if !ok {
		return fmt.Errorf("audit: %q is not an audited record type", objectType)
	}
	h, err := tx.recordHash(t, objectID)
	if err != nil {
		return fmt.Errorf("audit: hash %s %s: %w", objectType, objectID, err)
	}
	return tx.appendAudit(action, objectType, objectID, reason, h)
}

// insertRecorded inserts a record of an audited table whose every column
// the change knows, and appends its audit entry without reading the row
// back: its hash is made from the values as the database stores them
// (rowOf), the same bytes verification reads. children are its child rows
// as inserted.
func (tx *Tx) insertRecorded(action, objectType, reason string, cols []string, vals []any, children map[string][]audit.Row) error {
	t, ok := auditedTableOf(objectType)
	if !ok {
		return fmt.Errorf("audit: %q is not an audited record type", objectType)
	}
	if _, err := tx.exec(`INSERT INTO `+t.table+` (`+strings.Join(cols, ", ")+`) VALUES `+placeholders(1, len(cols)), vals...); err != nil {
		return err
	}
	row := rowOf(cols, vals)
	id := row["id"]
	if id == nil {
		return fmt.Errorf("audit: a %s record without an id", objectType)
	}
	return tx.appendAudit(action, objectType, *id, reason, audit.RecordHash(t.objectType, row, children))
}

// rowOf writes values as a row reads back from the database: text as
// given, whole numbers in decimal, NULL for nil.
func rowOf(cols []string, vals []any) audit.Row {
	r := make(audit.Row, len(cols))
	for i, c := range cols {
		r[c] = text(vals[i])
	}
	return r
}

// note appends an audit entry for an act that changed no record, such as
// revealing an identity or a refused attempt to.
func (tx *Tx) note(action, objectType, objectID, reason string) error {
	return tx.appendAudit(action, objectType, objectID, reason, "")
}

// appendAudit queues an entry; flushAudit chains and writes the change's
// entries together when the change is done, in the same transaction.
func (tx *Tx) appendAudit(action, objectType, objectID, reason, recordHash string) error {
	tx.pending = append(tx.pending, &tandem.AuditEvent{At: tx.now, Actor: tx.actorID(), Action: action, ObjectType: objectType, ObjectID: objectID, Reason: reason, RecordHash: recordHash})
	return nil
}

// flushAudit appends the change's entries to the trail when the change is
// done, in its transaction: to the chain itself on SQLite, whose single
// writer is alone; to the pending entries on PostgreSQL, which the
// chainer appends to the chain moments later, so that changes there
// commit side by side and the chain is locked only by the chainer.
func (tx *Tx) flushAudit() error {
	if len(tx.pending) == 0 {
		return nil
	}
	if tx.store.dialect.DeferredChain() {
		return tx.writePending()
	}
	return tx.appendChain()
}

// recordHash reads one record and its children and hashes them.
func (tx *Tx) recordHash(t auditedTable, id string) (string, error) {
	rows, err := tx.query(`SELECT * FROM `+t.table+` WHERE id = ?`, id)
	if err != nil {
		return "", err
	}
	all, err := scanRows(rows)
	if err != nil {
		return "", err
	}
	if len(all) != 1 {
		return "", fmt.Errorf("found %d rows", len(all))
	}
	children := map[string][]audit.Row{}
	for _, c := range t.children {
		rows, err := tx.query(`SELECT * FROM `+c.table+` WHERE `+c.parentColumn+` = ?`, id)
		if err != nil {
			return "", err
		}
		if children[c.table], err = scanRows(rows); err != nil {
			return "", err
		}
	}
	return audit.RecordHash(t.objectType, all[0], children), nil
}

// scanRows reads every row as column name to text, whatever the column
// types, so that the hash of a record is the same on every database.
func scanRows(rows *sql.Rows) ([]audit.Row, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []audit.Row
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(audit.Row, len(cols))
		for i, c := range cols {
			r[c] = text(vals[i])
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func text(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case int32:
		s = strconv.FormatInt(int64(x), 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		s = "0"
		if x {
			s = "1"
		}
	case time.Time:
		s = ts(x)
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// ListAudit returns up to limit entries after the given sequence number.
// Only auditors read the trail.
func (s *Store) ListAudit(ctx context.Context, afterSeq int64, limit int) ([]*tandem.AuditEvent, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	if err := s.chain(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []*tandem.AuditEvent
	err := s.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func scanAuditEvent(rows *sql.Rows) (*tandem.AuditEvent, error) {
	var e tandem.AuditEvent
	var at string
	if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.RecordHash, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = parseTS(at)
	return &e, nil
}

// VerifyAudit checks the whole chain, then every audited record against
// the hash its latest entry recorded: a row edited, inserted or deleted
// straight in the database is named.
func (s *Store) VerifyAudit(ctx context.Context) (string, error) {
	return s.VerifyAuditWitnessed(ctx, nil)
}

// VerifyAuditWitnessed is VerifyAudit that also holds the trail to what a
// witness saw: the witness's checkpoints must verify under the store's key,
// each tree they name must still be there with the same root, and the
// checkpoint file must reach at least as far as the witness's newest (a
// shorter one was cut back, or the folder rolled back).
func (s *Store) VerifyAuditWitnessed(ctx context.Context, witness *checkpoint.State) (string, error) {
	// Entries still pending join the chain first: the trail is every
	// change committed. (A read-only open writes nothing; on SQLite no
	// entry is ever pending.)
	if !s.readOnly {
		if err := s.chain(ctx); err != nil {
			return "", err
		}
	}
	// The checkpoints first: while walking the chain, build its tree again,
	// compare the nodes each row keeps, and keep the root at each
	// checkpointed size.
	cps, err := s.readCheckpoints()
	if err != nil {
		return "", err
	}
	roots := map[uint64][]byte{}
	for _, c := range cps {
		roots[c.Size] = nil
	}
	var seen []checkpoint.Checkpoint
	if witness != nil {
		if s.checkpoints == nil {
			return "", errors.New("this store keeps no signed checkpoints to hold to a witness")
		}
		if witness.Key != s.checkpoints.key.VerifierKey() {
			return "", fmt.Errorf("the witness holds the log %s, not this one (%s): its state is of another log or another key", witness.Key, s.checkpoints.key.VerifierKey())
		}
		seen = witness.Checkpoints
		for _, c := range seen {
			roots[c.Size] = nil
		}
	}
	if r, ok := roots[0]; ok && r == nil {
		roots[0] = checkpoint.Hasher.EmptyRoot()
	}
	tree := checkpoint.Ranges.NewEmptyRange(0)
	chain := audit.NewChain()
	pending := 0 // entries committed, not yet chained, checked after the head
	err = s.view(ctx, func(tx *Tx) error {
		const page = 5000
		var after int64
		for {
			rows, err := tx.query(`SELECT seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash, tree FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`, after, page)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				var e tandem.AuditEvent
				var at string
				var kept []byte
				if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.RecordHash, &e.PrevHash, &e.Hash, &kept); err != nil {
					rows.Close()
					return err
				}
				e.At = parseTS(at)
				// A time that does not parse changes the canonical bytes, so
				// the hash check below catches an edited time too.
				if err := chain.Next(&e); err != nil {
					rows.Close()
					return err
				}
				if err := growTree(tree, &e, kept, roots); err != nil {
					rows.Close()
					return err
				}
				after, n = e.Seq, n+1
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if n < page {
				break
			}
		}
		// Entries committed but not yet chained (PostgreSQL, when verify
		// reads only and so chains nothing) follow the head as the chainer
		// would append them: the records they vouch for are checked
		// against them, not taken for tampering.
		var err error
		if pending, err = tx.pendingTail(chain); err != nil {
			return err
		}
		if err := tx.verifyRecords(chain); err != nil {
			return err
		}
		return tx.verifyDerived()
	})
	if err != nil {
		return "", err
	}
	head := "empty"
	if h := chain.Head(); h != nil {
		head = fmt.Sprintf("head %d %s", h.Seq, h.Hash[:16])
	}
	if pending > 0 {
		head += fmt.Sprintf("; the last %d entries are committed and not yet chained", pending)
	}
	if err := s.verifyCheckpoints(cps, roots, tree.End()); err != nil {
		return "", err
	}
	witnessed := ""
	if witness != nil {
		if w, ok := witness.Last(); ok {
			var have uint64
			if len(cps) > 0 {
				have = cps[len(cps)-1].Size
			}
			if have < w.Size {
				return "", fmt.Errorf("the checkpoint file reaches %d entries, fewer than the %d a witness saw signed: it was cut back or the folder rolled back", have, w.Size)
			}
			witnessed = fmt.Sprintf(", the witness's %d checkpoints hold (the newest of %d entries)", len(seen), w.Size)
		}
		if err := checkpoint.Verify(s.checkpoints.key.Verifier(), seen, func(n uint64) ([]byte, bool) {
			r, ok := roots[n]
			return r, ok
		}, tree.End()); err != nil {
			return "", fmt.Errorf("against the witness: %w", err)
		}
	}
	held := ""
	if s.checkpoints != nil {
		held = fmt.Sprintf(", %d signed checkpoints hold", len(cps))
	}
	return fmt.Sprintf("audit trail intact: %d entries, every record matches its latest entry%s%s (%s)", chain.Count(), held, witnessed, head), nil
}

// pendingTail walks the pending entries, in the chainer's order, on from
// the chain's head, sealing each as the chainer would, without writing.
func (tx *Tx) pendingTail(chain *audit.Chain) (int, error) {
	rows, err := tx.query(`SELECT at, actor, action, object_type, object_id, reason, record_hash FROM audit_pending ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev, n := chain.Head(), 0
	for rows.Next() {
		var e tandem.AuditEvent
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.RecordHash); err != nil {
			return n, err
		}
		e.At = parseTS(at)
		audit.Seal(&e, prev)
		if err := chain.Next(&e); err != nil {
			return n, err
		}
		prev, n = &e, n+1
	}
	return n, rows.Err()
}

// growTree appends an entry that the chain has checked to the tree built
// again, compares the nodes its row keeps with the nodes it completes, and
// keeps the root when a checkpoint is of this size.
func growTree(tree *compact.Range, e *tandem.AuditEvent, kept []byte, roots map[uint64][]byte) error {
	leaf, err := checkpoint.LeafHash(e.Hash)
	if err != nil {
		return fmt.Errorf("audit entry %d: %w", e.Seq, err)
	}
	nodes, err := treeNodes(tree, leaf)
	if err != nil {
		return err
	}
	if !bytes.Equal(nodes, kept) {
		return fmt.Errorf("audit entry %d: the tree nodes it keeps do not match the entries under them: the tree was changed outside Tandem", e.Seq)
	}
	if _, ok := roots[tree.End()]; ok {
		if roots[tree.End()], err = checkpoint.Root(tree); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) verifyRecords(chain *audit.Chain) error {
	seen := map[string]bool{}
	for _, t := range auditedTables {
		rows, err := tx.query(`SELECT * FROM ` + t.table + ` ORDER BY id`)
		if err != nil {
			return err
		}
		all, err := scanRows(rows)
		if err != nil {
			return err
		}
		children := map[string]map[string][]audit.Row{}
		for _, c := range t.children {
			rows, err := tx.query(`SELECT * FROM ` + c.table)
			if err != nil {
				return err
			}
			crows, err := scanRows(rows)
			if err != nil {
				return err
			}
			byParent := map[string][]audit.Row{}
			for _, r := range crows {
				p := r[c.parentColumn]
				if p == nil {
					continue
				}
				byParent[*p] = append(byParent[*p], r)
			}
			children[c.table] = byParent
		}
		for _, r := range all {
			idp := r["id"]
			if idp == nil {
				return fmt.Errorf("record in %s without an id: inserted outside Tandem", t.table)
			}
			id := *idp
			kids := map[string][]audit.Row{}
			for _, c := range t.children {
				kids[c.table] = children[c.table][id]
			}
			last, ok := chain.Record(t.objectType, id)
			if !ok {
				return fmt.Errorf("record %s %s has no audit entry: it was inserted outside Tandem", t.objectType, id)
			}
			if audit.RecordHash(t.objectType, r, kids) != last.RecordHash {
				return fmt.Errorf("record %s %s does not match audit entry %d: it was changed outside Tandem", t.objectType, id, last.Seq)
			}
			seen[audit.Key(t.objectType, id)] = true
		}
	}
	var missing error
	chain.Records(func(key string, l audit.Last) {
		if missing == nil && !seen[key] {
			missing = fmt.Errorf("record %s, recorded by audit entry %d, is missing: it was deleted outside Tandem", key, l.Seq)
		}
	})
	return missing
}
