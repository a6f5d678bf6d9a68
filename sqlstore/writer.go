package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
)

// maxGroup bounds how many changes share one transaction: enough to share
// an fsync among every client of a busy unit, few enough that a failure
// late in a group never waits long.
const maxGroup = 128

// writer is SQLite's group commit. SQLite allows one writer at a time and
// each commit waits for the disk (synchronous=FULL). Rather than weaken
// that, the writer takes the changes that arrive together, runs each in
// its own savepoint of one transaction, and commits them with one fsync:
// a change that fails rolls back to its savepoint and fails alone; no
// change is acknowledged before the commit is durable.
type writer struct {
	store *Store
	db    *sql.DB
	jobs  chan *job
	// mu guards closed; the jobs channel closes once, under it.
	mu     sync.RWMutex
	closed bool
	done   chan struct{}
	// largest is the most changes one commit has carried (for the tests).
	largest atomic.Int64
	// cache keeps the writer's parsed statements; the writer prepares
	// those asked for between two commits, when its connection is free.
	cache *statementCache
}

// job is one change waiting for the writer.
type job struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// alone is true for a batch: it has the transaction to itself, without
	// a savepoint around the whole (its changes have their own), and its
	// failure rolls the transaction back.
	alone bool
	// err is the change's own result, before the commit.
	err      error
	appended int
	lastSeq  int64
}

func newWriter(s *Store, db *sql.DB) *writer {
	w := &writer{store: s, db: db, jobs: make(chan *job, 4*maxGroup), done: make(chan struct{}), cache: newStatementCache(db, false)}
	go w.loop()
	return w
}

// errClosed is what a change gets once the store is closing.
var errClosed = fmt.Errorf("the store is closed")

// do hands a change to the writer and waits until it is durable or failed.
// A caller that gives up (its context ends) before the change started
// leaves nothing written; once started, the change runs to the end.
func (w *writer) do(ctx context.Context, fn func(tx *Tx) error) error {
	return w.submit(&job{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// submit queues a job and waits for its result.
func (w *writer) submit(j *job) error {
	ctx := j.ctx
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.jobs <- j:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	err := <-j.done
	if err == nil {
		w.store.afterCommit(ctx, j.appended, j.lastSeq)
	}
	return err
}

// close lets the writer finish what it holds, then stop.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.jobs)
	}
	w.mu.Unlock()
	<-w.done
}

func (w *writer) loop() {
	defer close(w.done)
	var held *job // a batch that arrived while a group was gathering
	for {
		first := held
		held = nil
		if first == nil {
			j, ok := <-w.jobs
			if !ok {
				return
			}
			first = j
		}
		group := []*job{first}
	gather:
		for len(group) < maxGroup && !first.alone {
			select {
			case j, ok := <-w.jobs:
				if !ok {
					break gather
				}
				if j.alone {
					held = j
					break gather
				}
				group = append(group, j)
			default:
				break gather
			}
		}
		if n := int64(len(group)); n > w.largest.Load() {
			w.largest.Store(n)
		}
		w.commit(group)
		w.cache.prepareWanted(context.Background())
	}
}

// commit runs a group of changes in one transaction and tells each its
// result once the commit is durable.
func (w *writer) commit(group []*job) {
	finish := func(err error) {
		for _, j := range group {
			if j.err == nil {
				j.err = err
			}
			j.done <- j.err
		}
	}
	// The transaction outlives no caller's context: one that ends stops
	// its own change only.
	sqlTx, err := w.db.BeginTx(context.Background(), nil)
	if err != nil {
		finish(fmt.Errorf("begin: %w", err))
		return
	}
	stmts := newStatements(sqlTx, w.cache)
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		tx := w.store.newTx(context.WithoutCancel(j.ctx), sqlTx, true)
		tx.stmts = stmts
		if j.alone {
			j.err = j.fn(tx)
			j.appended, j.lastSeq = tx.appended, tx.lastSeq
			if j.err != nil {
				sqlTx.Rollback()
				finish(nil)
				return
			}
			continue
		}
		ok, err := savepoint(tx, "g", j.fn)
		j.err, j.appended, j.lastSeq = err, tx.appended, tx.lastSeq
		if !ok {
			// The transaction itself is lost (the disk failed under it):
			// nothing of the group was written.
			sqlTx.Rollback()
			finish(fmt.Errorf("the change could not be written: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	finish(nil)
}

// savepoint runs fn under a savepoint of tx: on fn's error (or panic) what
// it wrote is rolled back and the transaction goes on. ok is false when
// the savepoint itself could not be taken or undone, and the transaction
// must be abandoned.
func savepoint(tx *Tx, name string, fn func(tx *Tx) error) (ok bool, err error) {
	// Prepared like any statement (the writer's are kept), but not traced:
	// they are the writer's, not the change's.
	exec := func(q string) error {
		if st := tx.prepared(q); st != nil {
			_, err := st.ExecContext(tx.ctx)
			return err
		}
		_, err := tx.ExecContext(tx.ctx, q)
		return err
	}
	if err := exec(`SAVEPOINT ` + name); err != nil {
		return false, err
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				tx.store.log.Error("panic in a change", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = fmt.Errorf("internal error")
			}
		}()
		err = change(tx, fn)
	}()
	if err != nil {
		if rerr := exec(`ROLLBACK TO ` + name); rerr != nil {
			return false, err
		}
	}
	if rerr := exec(`RELEASE ` + name); rerr != nil {
		return false, err
	}
	return true, err
}

// batchKey is the context key of a Batch.
type batchKey struct{}

// batch is one transaction that many changes join, each under a savepoint.
type batch struct {
	store *Store
	tx    *sql.Tx
	stmts *statements
	depth int
	// appended and lastSeq add up the audit entries of the whole batch.
	appended int
	lastSeq  int64
}

func batchOf(ctx context.Context) *batch {
	b, _ := ctx.Value(batchKey{}).(*batch)
	return b
}

// run runs a change, or a read, inside the batch's transaction.
func (b *batch) run(ctx context.Context, fn func(tx *Tx) error) error {
	b.depth++
	defer func() { b.depth-- }()
	tx := b.store.newTx(ctx, b.tx, true)
	tx.stmts = b.stmts
	ok, err := savepoint(tx, "b"+strconv.Itoa(b.depth), fn)
	b.appended += tx.appended
	if tx.lastSeq > 0 {
		b.lastSeq = tx.lastSeq
	}
	if !ok && err == nil {
		err = fmt.Errorf("the batch's transaction was lost")
	}
	return err
}

// Batch runs fn with a context in which every change and read of the
// store's, made one after another, joins one transaction: each change under
// a savepoint (its failure rolls back only itself, and fn decides whether
// to go on), all committed together when fn returns nil, none when it
// returns an error. It is how a large load (the history importer, the
// synthetic force of bench seed) goes through the store's own audited code
// without an fsync per record. fn must not call the store from other
// goroutines with this context.
func (s *Store) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if batchOf(ctx) != nil {
		return fn(ctx)
	}
	run := func(sqlTx *sql.Tx) (*batch, error) {
		b := &batch{store: s, tx: sqlTx}
		if s.writer != nil {
			b.stmts = newStatements(sqlTx, s.writer.cache)
		}
		return b, fn(context.WithValue(ctx, batchKey{}, b))
	}
	if s.writer != nil {
		return s.writer.submit(&job{ctx: ctx, alone: true, done: make(chan error, 1), fn: func(tx *Tx) error {
			b, err := run(tx.Tx)
			tx.appended, tx.lastSeq = b.appended, b.lastSeq
			return err
		}})
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	b, err := run(sqlTx)
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.wakeChainer()
	s.afterCommit(ctx, b.appended, b.lastSeq)
	return nil
}
