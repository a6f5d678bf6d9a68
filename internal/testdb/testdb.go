// Package testdb gives tests a new, empty database on each backend Tandem
// runs on: SQLite always, and PostgreSQL as well when TANDEM_TEST_POSTGRES
// names a server, a URL whose user may create databases. Each PostgreSQL
// test database is made for one test and dropped after it. .ci/run starts
// a server, sets TANDEM_TEST_POSTGRES, and sets TANDEM_REQUIRE_POSTGRES so
// that a missing server fails the run instead of leaving PostgreSQL
// untested.
//
// Only tests import it; the store's own suite (sqlstore/postgres_test.go)
// keeps its copy of the same idea.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the server connection that creates and drops the databases

	"tandem/checkpoint"
	"tandem/sqlstore"
)

// Backend is a database Tandem runs on, named as the tests' subtests are.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Server returns the PostgreSQL server of TANDEM_TEST_POSTGRES, "" when it
// is not set. It is an error for it to be unset while
// TANDEM_REQUIRE_POSTGRES is set.
func Server() (string, error) {
	admin := os.Getenv("TANDEM_TEST_POSTGRES")
	if admin == "" && os.Getenv("TANDEM_REQUIRE_POSTGRES") != "" {
		return "", errors.New("TANDEM_REQUIRE_POSTGRES is set but TANDEM_TEST_POSTGRES is not: the tests would not run on PostgreSQL")
	}
	return admin, nil
}

// List returns the backends to run on: SQLite, and PostgreSQL when
// TANDEM_TEST_POSTGRES is set; the error is Server's.
func List() ([]Backend, error) {
	admin, err := Server()
	if err != nil {
		return nil, err
	}
	if admin == "" {
		return []Backend{SQLite}, nil
	}
	return []Backend{SQLite, Postgres}, nil
}

// Backends is List for a test, which it fails instead of returning an
// error.
func Backends(tb testing.TB) []Backend {
	tb.Helper()
	bs, err := List()
	if err != nil {
		tb.Fatal(err)
	}
	return bs
}

// Create creates a new, empty database, tandem_test_ and 12 random hex
// digits, on the server at admin. It returns the database's URL and drop,
// which ends every connection to the database and drops it.
func Create(ctx context.Context, admin string) (dbURL string, drop func() error, err error) {
	return create(ctx, admin, "")
}

// create is Create, copying the database template when it is not "".
func create(ctx context.Context, admin, template string) (dbURL string, drop func() error, err error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("TANDEM_TEST_POSTGRES: %v", err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	// No connection kept open between the create and the drop: the
	// server's connections are for the tests' stores.
	db.SetMaxIdleConns(0)
	var b [6]byte
	rand.Read(b[:])
	name := "tandem_test_" + hex.EncodeToString(b[:])
	stmt := `CREATE DATABASE ` + name
	if template != "" {
		stmt += ` TEMPLATE ` + template
	}
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create a test database on the PostgreSQL server of TANDEM_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	drop = func() error {
		defer db.Close()
		// A store left open, or a process killed, still holds connections:
		// FORCE ends them.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return err
	}
	return u.String(), drop, nil
}

// PostgresURL creates a new, empty database on the server of
// TANDEM_TEST_POSTGRES and returns its URL; the database is dropped when
// tb ends. It fails tb when no server is named or the server does not
// answer.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	return postgres(tb, "")
}

// PostgresCopy creates a copy of the test database at dbURL, as a copy of
// an SQLite file would be, and returns its URL; the copy is dropped when tb
// ends. Nothing may be connected to the database copied.
func PostgresCopy(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !testName.MatchString(name) {
		tb.Fatalf("testdb: %q is not a test database", name)
	}
	return postgres(tb, name)
}

// testName is the name Create gives a database.
var testName = regexp.MustCompile(`^tandem_test_[0-9a-f]{12}$`)

func postgres(tb testing.TB, template string) string {
	tb.Helper()
	admin, err := Server()
	if err != nil {
		tb.Fatal(err)
	}
	if admin == "" {
		tb.Fatal("a PostgreSQL database is wanted but TANDEM_TEST_POSTGRES is not set")
	}
	dbURL, drop, err := create(context.Background(), admin, template)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("drop the test database: %v", err)
		}
	})
	return dbURL
}

// Open opens a store on a new, empty database of backend b (SQLite in
// tb's temporary folder), closed when tb ends. Like the server's, it signs
// checkpoints, into a file in tb's temporary folder with a key of its own.
func Open(tb testing.TB, b Backend, opts ...sqlstore.Option) *sqlstore.Store {
	tb.Helper()
	key, _, err := checkpoint.NewKey()
	if err != nil {
		tb.Fatal(err)
	}
	log, err := checkpoint.OpenLog(filepath.Join(tb.TempDir(), "audit.checkpoints"))
	if err != nil {
		tb.Fatal(err)
	}
	opts = append([]sqlstore.Option{sqlstore.WithCheckpoints(log, key)}, opts...)
	var s *sqlstore.Store
	switch b {
	case SQLite:
		s, err = sqlstore.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "tandem.db"), opts...)
	case Postgres:
		s, err = sqlstore.OpenPostgres(context.Background(), PostgresURL(tb), opts...)
	default:
		tb.Fatalf("testdb: no backend %q", b)
	}
	if err != nil {
		tb.Fatalf("open a %s store: %v", b, err)
	}
	// Registered after the database's drop, so it runs before it.
	tb.Cleanup(func() { s.Close() })
	return s
}

// Run runs test once on each backend, as subtests named for them that run
// in parallel with each other: each has a database of its own.
func Run(t *testing.T, test func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}
