// Package sqlstore keeps Tandem's records in an SQL database, embedded
// SQLite by default, and implements the domain's services on them. Every
// change is made in one transaction together with its audit entry, and
// every rule is asked of package policy.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver: no cgo

	"tandem"
	"tandem/policy"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is Tandem's database. It implements the domain's services.
type Store struct {
	write   *sql.DB // one connection: SQLite allows one writer at a time
	read    *sql.DB
	dialect Dialect
	// migrated lists the migrations this open applied: work that needs the
	// keys (authenticating what an earlier version left) runs once, after
	// the migration that made room for it.
	migrated []int
	clock    tandem.Clock
	log      *slog.Logger
	// pageCacheMiB is the SQLite writer's page cache (WithPageCache).
	pageCacheMiB int
	// readOnly is set by ReadOnly: nothing is written, not even a
	// checkpoint at close.
	readOnly bool
	// treePage overrides how many entries a page of buildTree takes.
	treePage int

	masterMaterial []byte
	keys           *keys
	checkpoints    *checkpoints
	// writer groups concurrent changes into one commit (SQLite only), and
	// readCache keeps the readers' parsed statements.
	writer    *writer
	readCache *statementCache
	stopCache context.CancelFunc
	// trace, when set, sees every statement the store runs.
	trace atomic.Pointer[func(query string, args []any)]
	// chainer appends PostgreSQL's pending audit entries to the chain.
	chainer *chainer
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock (the system clock by default).
func WithClock(c tandem.Clock) Option { return func(s *Store) { s.clock = c } }

// WithPageCache sets the SQLite writer's page cache, in MiB (32 by
// default): a server's changes read the same pages over and over, a
// command that imports a file and exits gains less from them than it
// costs in memory. PostgreSQL manages its own.
func WithPageCache(mib int) Option { return func(s *Store) { s.pageCacheMiB = mib } }

// ReadOnly opens a SQLite store to read and check it, writing nothing to
// its folder: no migration, no key made, no derived rows filled, no
// checkpoint at close, and the file opened read-only (immutable when it
// has no write-ahead log to read), so that a copy on read-only media can
// be verified. A schema older than this program's is refused: the copy
// must come from a folder this version has opened.
func ReadOnly() Option { return func(s *Store) { s.readOnly = true } }

// ErrOldSchema is returned by a read-only open of a store this version of
// Tandem has not brought up to date.
var ErrOldSchema = errors.New("the data folder's schema is older than this program: open it once with this version (tandem serve), then verify")

// WithLogger sets the logger (slog's default by default).
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// OpenSQLite opens, and creates when missing, the SQLite database at path,
// and brings its schema up to date.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	// Why each pragma:
	//   journal_mode(WAL): readers never block the writer, nor it them.
	//   synchronous(FULL): a write acknowledged to a user survives power
	//     loss; in WAL mode NORMAL could lose the last transactions.
	//   foreign_keys(1): SQLite does not enforce REFERENCES unless asked.
	//   busy_timeout(10000): wait for a lock rather than fail at once.
	//   _txlock=immediate (writer only): take the write lock at BEGIN, so a
	//     transaction never fails half-way on an upgrade from read to write.
	//   query_only(1) (readers only): a read connection can never write.
	pragmas := func(ps ...string) string {
		q := url.Values{}
		for _, p := range ps {
			q.Add("_pragma", p)
		}
		return q.Encode()
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	//   secure_delete(1) (writer): deleted or overwritten content is zeroed,
	//     not left in free pages of the file.
	//   cache_size (writer): 32 MiB of pages unless WithPageCache says
	//     otherwise, so that a group of changes rarely spills dirty pages
	//     to the log before its commit; the readers keep SQLite's
	//     default, 2 MiB each.
	//   temp_store(2) (writer): each change runs under a savepoint, whose
	//     copies of the pages it touches are kept in memory, not written
	//     to a temporary file.
	cache := 32
	var probe Store // the options, read before the connections open
	for _, o := range opts {
		o(&probe)
	}
	if probe.pageCacheMiB > 0 {
		cache = probe.pageCacheMiB
	}
	if probe.readOnly {
		return openSQLiteReadOnly(ctx, path, base, pragmas, opts)
	}
	write, err := sql.Open("sqlite", base+"?"+pragmas("journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "busy_timeout(10000)", "secure_delete(1)", fmt.Sprintf("cache_size(%d)", -cache*1024), "temp_store(2)")+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"?"+pragmas("foreign_keys(1)", "busy_timeout(10000)", "query_only(1)"))
	if err != nil {
		write.Close()
		return nil, err
	}
	// Every reader stays open: database/sql keeps two idle by default,
	// and a connection closed after a busy moment is one reopened, its
	// schema read and its statements parsed again, at the next.
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	s := newStore(write, read, SQLite{}, opts)
	s.writer = newWriter(s, write)
	s.readCache = newStatementCache(read, true)
	var cacheCtx context.Context
	cacheCtx, s.stopCache = context.WithCancel(context.Background())
	go s.readCache.help(cacheCtx)
	// Migrate before any reader opens, so the file is in WAL mode first.
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.buildTree(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openKeys(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.fillSourceState(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.fillTotals(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.fillAlertUnits(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLiteReadOnly opens the store at path to read it only (ReadOnly).
func openSQLiteReadOnly(ctx context.Context, path, base string, pragmas func(...string) string, opts []Option) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open the database read-only: %w", err)
	}
	mode := "mode=ro"
	if info, err := os.Stat(path + "-wal"); err != nil || info.Size() == 0 {
		// Nothing in a log to read: the file alone is the store, and
		// SQLite need not make a shared-memory file beside it.
		mode += "&immutable=1"
	}
	db, err := sql.Open("sqlite", base+"?"+mode+"&"+pragmas("busy_timeout(10000)", "query_only(1)"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	s := newStore(db, db, SQLite{}, opts)
	s.readCache = newStatementCache(db, true)
	var cacheCtx context.Context
	cacheCtx, s.stopCache = context.WithCancel(context.Background())
	go s.readCache.help(cacheCtx)
	return s.openedReadOnly(ctx)
}

// openedReadOnly finishes a read-only open on either database: the schema
// must be this program's, and the keys are unwrapped, none made.
func (s *Store) openedReadOnly(ctx context.Context) (*Store, error) {
	if err := s.checkSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openKeys(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema refuses a store whose applied migrations are not every one
// this program knows.
func (s *Store) checkSchema(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	known := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err == nil {
			known = max(known, v)
		}
	}
	var have int
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("read the schema's version: %w", err)
	}
	if have < known {
		return ErrOldSchema
	}
	return nil
}

func newStore(write, read *sql.DB, d Dialect, opts []Option) *Store {
	s := &Store{write: write, read: read, dialect: d, clock: tandem.SystemClock{}, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close writes a last checkpoint when the chain moved since the last one,
// and closes the database.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.close() // the changes it holds are finished first
		s.writer.cache.close()
		s.stopCache()
		s.readCache.close()
	}
	if s.readOnly {
		if s.stopCache != nil {
			s.stopCache()
			s.readCache.close()
		}
		err := s.read.Close()
		if s.checkpoints != nil {
			if e := s.checkpoints.log.Close(); err == nil {
				err = e
			}
		}
		return err
	}
	chainErr := s.stopChainer()
	cpErr := s.Checkpoint(context.Background(), true)
	if cpErr == nil {
		cpErr = chainErr
	}
	err := s.write.Close()
	if s.read != s.write {
		if e := s.read.Close(); err == nil {
			err = e
		}
	}
	if s.checkpoints != nil {
		if e := s.checkpoints.log.Close(); err == nil {
			err = e
		}
	}
	if err == nil {
		err = cpErr
	}
	return err
}

// Clock returns the store's clock.
func (s *Store) Clock() tandem.Clock { return s.clock }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// migrate runs the embedded migrations not yet applied, in order, each in a
// transaction of its own, and refuses a schema newer than this binary.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied := map[int]bool{}
	maxApplied := 0
	rows, err := s.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
		maxApplied = max(maxApplied, v)
	}
	rows.Close()
	known := 0
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		known = max(known, v)
		if applied[v] {
			continue
		}
		// A migration one database needs written its own way comes as
		// NNNN_name.sqlite.sql and NNNN_name.postgres.sql, one version.
		_, sqlite := s.dialect.(SQLite)
		if (strings.HasSuffix(base, ".sqlite.sql") && !sqlite) || (strings.HasSuffix(base, ".postgres.sql") && sqlite) {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.applyMigration(ctx, v, base, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		s.migrated = append(s.migrated, v)
	}
	if maxApplied > known {
		return fmt.Errorf("the database's schema (version %d) is newer than this program knows (version %d): run a newer Tandem", maxApplied, known)
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, name, body string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range splitStatements(body) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.dialect.Rebind(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`), version, name); err != nil {
		return err
	}
	return tx.Commit()
}

// splitStatements splits a migration into statements at semicolons that
// end a line, dropping comment lines.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// errNoRows is sql.ErrNoRows, named for readability at call sites.
var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

// Settings returns the rules' settings: the defaults, changed by whatever
// is stored.
func (s *Store) Settings(ctx context.Context) (policy.Settings, error) {
	var st policy.Settings
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		st, err = tx.settings()
		return err
	})
	return st, err
}

// Empty reports whether the store holds no officer yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.view(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COUNT(*) FROM officers`).Scan(&n)
	})
	return n == 0, err
}

// Snapshot writes a consistent copy of the embedded database to path (which
// must not exist), while the store goes on serving: SQLite's VACUUM INTO
// reads one snapshot of the database.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if _, ok := s.dialect.(SQLite); !ok {
		return tandem.Errorf(tandem.EINVALID, "a PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump); Tandem's backup covers the embedded database")
	}
	_, err := s.write.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// NoteExport records that data left the store (a backup, an export), with
// who and why: an export is a look at everything.
func (s *Store) NoteExport(ctx context.Context, what, reason string) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin, tandem.RoleController, tandem.RoleAuditor); err != nil {
		return err
	}
	return s.update(ctx, func(tx *Tx) error {
		return tx.note("store.export", "store", what, reason)
	})
}
