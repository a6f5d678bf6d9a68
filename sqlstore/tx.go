package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"tandem"
	"tandem/audit"
	"tandem/policy"
)

// Tx is a transaction with what every change needs: the time of the change,
// who made it, and the audit chain to append to.
type Tx struct {
	*sql.Tx
	store *Store
	ctx   context.Context
	now   time.Time
	// actor is the officer on whose behalf the transaction runs (nil for
	// Tandem itself, as in the sweep).
	actor *tandem.Officer
	// appended counts the audit entries this transaction wrote, and
	// lastSeq is the last one's number.
	appended int
	lastSeq  int64
	// accreditation caches officers' accreditation for the transaction,
	// and settingsRead the rules' settings.
	accreditation map[string]bool
	settingsRead  *policy.Settings
	// pending are the change's audit entries, chained and written when
	// the change is done (flushAudit); deferred counts those left for the
	// chainer.
	pending  []*tandem.AuditEvent
	deferred int
	// writable is true in a write transaction, which locks what it reads
	// to change where the database needs telling.
	writable bool
	// cache is the pool's statements (nil: none kept), stmts those parsed
	// in the database transaction, shared by the changes of one group or
	// batch.
	cache *statementCache
	stmts *statements
	// background is true for the chainer's transactions.
	background bool
}

// update runs fn in a write transaction and commits it when fn returns
// nil; nothing fn wrote survives its error. Audit entries written inside fn
// commit with the change, or not at all. It returns only once the change
// is durable.
//
// On SQLite the change goes to the writer, which runs concurrent changes
// one after another in one transaction, each under a savepoint of its own,
// and commits them with one fsync (group commit). Inside a Batch, the
// change joins the batch's transaction the same way.
func (s *Store) update(ctx context.Context, fn func(tx *Tx) error) error {
	if s.readOnly {
		return tandem.Errorf(tandem.ECONFLICT, "the store is open to be read only")
	}
	if b := batchOf(ctx); b != nil && b.store == s {
		return b.run(ctx, fn)
	}
	if s.writer != nil {
		return s.writer.do(ctx, fn)
	}
	// PostgreSQL: changes run side by side. What must not interleave is
	// locked where it is read: a source's state row for the changes to one
	// source (lockSource), the chain for the moment of the append
	// (flushAudit), and counters by their single-statement update.
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := s.newTx(ctx, sqlTx, true)
	if err := change(tx, fn); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.deferred > 0 {
		s.wakeChainer()
	}
	s.afterCommit(ctx, tx.appended, tx.lastSeq)
	return nil
}

// change runs a change and then appends its audit entries: there is no
// change without its entries, and no entry without its change.
func change(tx *Tx, fn func(tx *Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	return tx.flushAudit()
}

// newTx wraps a database transaction for one change or one read.
func (s *Store) newTx(ctx context.Context, sqlTx *sql.Tx, writable bool) *Tx {
	tx := &Tx{Tx: sqlTx, store: s, ctx: ctx, now: s.clock.Now().UTC().Truncate(time.Microsecond), actor: tandem.OfficerFromContext(ctx), writable: writable}
	if s.writer != nil {
		tx.cache = s.readCache
		if writable {
			tx.cache = s.writer.cache
		}
	}
	return tx
}

// afterCommit writes a checkpoint every CheckpointEvery entries. The change
// is already durable, so a failure here is logged, not returned.
func (s *Store) afterCommit(ctx context.Context, appended int, lastSeq int64) {
	if appended > 0 && lastSeq%CheckpointEvery < int64(appended) {
		if err := s.checkpointNow(context.WithoutCancel(ctx), false); err != nil {
			s.log.Error("checkpoint", "error", err.Error())
		}
	}
}

// view runs fn in a read-only transaction: a consistent snapshot. Inside a
// Batch it reads the batch's own transaction, which sees its changes.
func (s *Store) view(ctx context.Context, fn func(tx *Tx) error) error {
	if b := batchOf(ctx); b != nil && b.store == s {
		return b.run(ctx, fn)
	}
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(s.newTx(ctx, sqlTx, false))
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	tx.traced(query, args)
	if st := tx.prepared(query); st != nil {
		return st.ExecContext(tx.ctx, args...)
	}
	return tx.ExecContext(tx.ctx, tx.store.dialect.Rebind(query), args...)
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	tx.traced(query, args)
	if st := tx.prepared(query); st != nil {
		return st.QueryContext(tx.ctx, args...)
	}
	return tx.QueryContext(tx.ctx, tx.store.dialect.Rebind(query), args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	tx.traced(query, args)
	if st := tx.prepared(query); st != nil {
		return st.QueryRowContext(tx.ctx, args...)
	}
	return tx.QueryRowContext(tx.ctx, tx.store.dialect.Rebind(query), args...)
}

// prepared returns the statement for a query as the pool or the
// transaction has parsed it, or nil where statements are not kept
// (PostgreSQL, whose driver keeps its own).
func (tx *Tx) prepared(query string) *sql.Stmt {
	if tx.stmts != nil {
		return tx.stmts.get(tx, query)
	}
	return tx.cache.get(tx, query)
}

// traced hands a statement to the store's tracer, if a test set one: how
// the tests count what a change costs. The chainer's statements, which run
// on their own time, are not a change's.
func (tx *Tx) traced(query string, args []any) {
	if t := tx.store.trace.Load(); t != nil && !tx.background {
		(*t)(query, args)
	}
}

// actorID is how the audit trail names whoever acts in this transaction.
func (tx *Tx) actorID() string {
	if tx.actor == nil {
		return tandem.SystemActor
	}
	return tx.actor.ID
}

// newID returns a fresh opaque id: 48 bits of the time in milliseconds,
// then 80 random bits. Ids made one after another sort one after another,
// so that the indexes they key are written at their end, not all over:
// years of records add pages, they do not rewrite them.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return hex.EncodeToString(b[:])
}

// timeLayout is how times are stored: fixed width, UTC, microseconds, so
// that they sort as text and read back identically on every database.
const timeLayout = audit.TimeLayout

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTS(s string) time.Time {
	if t, ok := parseStored(s); ok {
		return t
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseStored reads a time in exactly the stored layout,
// 2006-01-02T15:04:05.000000Z, without the general parser: lists read
// thousands of them.
func parseStored(s string) (time.Time, bool) {
	if len(s) != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	us, ok7 := num(20, 26)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
	if t.Day() != d { // 31 April and the like: the general parser says no
		return time.Time{}, false
	}
	return t, true
}

func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func parseNullTS(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTS(s.String)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// jsonText encodes v as JSON for a TEXT column. Lists are never null.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are stored this way
	}
	return string(b)
}

func fromJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
