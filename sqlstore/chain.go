package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"tandem"
	"tandem/audit"
	"tandem/checkpoint"
)

// chainer appends the entries that PostgreSQL's changes left pending to
// the audit chain: woken after each commit that left some, and every
// chainEvery in any case. One process at a time chains, under the chain's
// table lock, many entries in one short transaction.
type chainer struct {
	mu   sync.Mutex // one chain at a time in this process
	kick chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// chainEvery is how long an entry may wait to be chained when nothing
// wakes the chainer.
const chainEvery = 50 * time.Millisecond

// chainBatch is how many pending entries one chaining takes.
const chainBatch = 2000

func (s *Store) startChainer() {
	ctx, stop := context.WithCancel(context.Background())
	c := &chainer{kick: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	s.chainer = c
	go func() {
		defer close(c.done)
		t := time.NewTicker(chainEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-c.kick:
			case <-t.C:
			}
			if err := s.chain(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("audit chain", "error", err.Error())
			}
		}
	}()
}

// stopChainer chains what is left and stops.
func (s *Store) stopChainer() error {
	if s.chainer == nil {
		return nil
	}
	s.chainer.stop()
	<-s.chainer.done
	return s.chain(context.Background())
}

// wakeChainer asks for the pending entries to be chained soon.
func (s *Store) wakeChainer() {
	if s.chainer == nil {
		return
	}
	select {
	case s.chainer.kick <- struct{}{}:
	default:
	}
}

// chain appends every pending entry to the chain, oldest first, and
// signs a checkpoint when one is due. Reading the trail chains first, so
// that it always shows every change committed before the read.
func (s *Store) chain(ctx context.Context) error {
	if s.chainer == nil {
		return nil
	}
	s.chainer.mu.Lock()
	defer s.chainer.mu.Unlock()
	for {
		n, lastSeq, err := s.chainOnce(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			// checkpointNow, not afterCommit's path through Checkpoint:
			// that chains first, and this is the chain.
			s.afterCommit(ctx, n, lastSeq)
		}
		if n < chainBatch {
			return nil
		}
	}
}

func (s *Store) chainOnce(ctx context.Context) (int, int64, error) {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	tx := s.newTx(ctx, sqlTx, true)
	tx.background = true
	var pending int
	if err := tx.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM audit_pending LIMIT 1) p`).Scan(&pending); err != nil || pending == 0 {
		return 0, 0, err
	}
	if lock := s.dialect.LockChain(); lock != "" {
		if _, err := tx.exec(lock); err != nil {
			return 0, 0, fmt.Errorf("audit: lock: %w", err)
		}
	}
	rows, err := tx.query(`SELECT id, at, actor, action, object_type, object_id, reason, record_hash FROM audit_pending ORDER BY id LIMIT ?`, chainBatch)
	if err != nil {
		return 0, 0, err
	}
	var ids []any
	for rows.Next() {
		var e tandem.AuditEvent
		var id, at string
		if err := rows.Scan(&id, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.RecordHash); err != nil {
			rows.Close()
			return 0, 0, err
		}
		e.At = parseTS(at)
		ids = append(ids, id)
		tx.pending = append(tx.pending, &e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	if err := tx.appendChain(); err != nil {
		return 0, 0, err
	}
	if err := tx.inChunks(ids, func(in string, args []any) error {
		_, err := tx.exec(`DELETE FROM audit_pending WHERE id IN (`+in+`)`, args...)
		return err
	}); err != nil {
		return 0, 0, err
	}
	if err := sqlTx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("commit: %w", err)
	}
	return tx.appended, tx.lastSeq, nil
}

// appendChain appends the transaction's entries to the chain and to its
// tree: the trail's size read, then the head and the tree's right edge in
// one statement, the entries written a few hundred to a statement, each
// with the tree nodes its leaf completes.
func (tx *Tx) appendChain() error {
	var size int64
	if err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&size); err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	tree, rows, err := tx.treeRange(uint64(size))
	if err != nil {
		return fmt.Errorf("audit: read the tree: %w", err)
	}
	var prev *tandem.AuditEvent
	if size > 0 {
		prev = &tandem.AuditEvent{Seq: size, Hash: rows[size].hash}
	}
	const cols = 11
	for len(tx.pending) > 0 {
		n := min(len(tx.pending), 500)
		args := make([]any, 0, n*cols)
		for _, e := range tx.pending[:n] {
			audit.Seal(e, prev)
			leaf, err := checkpoint.LeafHash(e.Hash)
			if err != nil {
				return err
			}
			nodes, err := treeNodes(tree, leaf)
			if err != nil {
				return fmt.Errorf("audit: the tree: %w", err)
			}
			args = append(args, e.Seq, ts(e.At), e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Reason, e.RecordHash, e.PrevHash, e.Hash, nodes)
			prev = e
		}
		if _, err := tx.exec(`INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash, tree) VALUES `+placeholders(n, cols), args...); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		tx.appended += n
		tx.lastSeq = prev.Seq
		tx.pending = tx.pending[n:]
	}
	return nil
}

// pendingSequence numbers the pending entries in the order they are
// written: a change that follows another on a record (serialised by the
// record's lock) takes its numbers after the other's commit, so the chain
// takes its entries after the other's, whatever process wrote them.
const pendingSequence = `CREATE SEQUENCE IF NOT EXISTS audit_pending_seq`

// writePending writes the transaction's entries to the pending table, for
// the chainer: no lock, so that changes commit side by side.
func (tx *Tx) writePending() error {
	const cols = 7
	row := `(lpad(nextval('audit_pending_seq')::text, 20, '0'), ?, ?, ?, ?, ?, ?, ?)`
	for len(tx.pending) > 0 {
		n := min(len(tx.pending), 500)
		args := make([]any, 0, n*cols)
		for _, e := range tx.pending[:n] {
			args = append(args, ts(e.At), e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Reason, e.RecordHash)
		}
		if _, err := tx.exec(`INSERT INTO audit_pending (id, at, actor, action, object_type, object_id, reason, record_hash) VALUES `+strings.TrimSuffix(strings.Repeat(row+", ", n), ", "), args...); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		tx.deferred += n
		tx.pending = tx.pending[n:]
	}
	return nil
}
