package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"tandem"
	"tandem/sqlstore"
)

// The PostgreSQL backend joins the suite when TANDEM_TEST_POSTGRES names a
// server (a URL whose user may create databases); .ci/run starts one and
// sets it, with TANDEM_REQUIRE_POSTGRES so that a missing server fails the
// run instead of leaving PostgreSQL untested.
func init() {
	if os.Getenv("TANDEM_TEST_POSTGRES") != "" {
		backends = append(backends, struct {
			name string
			open opener
		}{"postgres", openPostgres})
	}
}

func TestPostgres_ServerForTheSuite(t *testing.T) {
	admin := os.Getenv("TANDEM_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("TANDEM_REQUIRE_POSTGRES") != "" {
			t.Fatal("TANDEM_REQUIRE_POSTGRES is set but TANDEM_TEST_POSTGRES is not: the suite would not run on PostgreSQL")
		}
		t.Log("TANDEM_TEST_POSTGRES is not set: the store suite runs on SQLite only (.ci/run runs it on PostgreSQL too)")
		return
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("the PostgreSQL server of TANDEM_TEST_POSTGRES does not answer: %v", err)
	}
}

// openPostgres creates a new database for one test, and drops it after.
func openPostgres(t *testing.T, clock tandem.Clock) *database {
	t.Helper()
	admin := os.Getenv("TANDEM_TEST_POSTGRES")
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "tandem_test_" + hex.EncodeToString(b[:])
	if _, err := adb.Exec(`CREATE DATABASE ` + name); err != nil {
		adb.Close()
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	reopen := func(c tandem.Clock, opts ...sqlstore.Option) (*sqlstore.Store, error) {
		opts = append([]sqlstore.Option{sqlstore.WithClock(c), sqlstore.WithLogger(slog.New(slog.DiscardHandler)), sqlstore.WithMasterKey(testMasterKey)}, opts...)
		return sqlstore.OpenPostgres(context.Background(), dbURL, opts...)
	}
	s, err := reopen(clock)
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	// One connection, so that a SET by a test holds for its next statement.
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() {
		s.Close()
		raw.Close()
		// Other connections to the test's database end with it.
		adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		adb.Close()
	})
	return &database{store: s, raw: raw, dialect: sqlstore.Postgres{}, reopen: reopen, failAudit: func(t *testing.T) {
		t.Helper()
		for _, stmt := range []string{
			`CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER no_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION no_audit()`,
			// Changes write their entries here first, for the chainer.
			`CREATE TRIGGER no_audit_pending BEFORE INSERT ON audit_pending FOR EACH ROW EXECUTE FUNCTION no_audit()`,
		} {
			if _, err := raw.Exec(stmt); err != nil {
				t.Fatalf("make audit writes fail: %v", err)
			}
		}
	}}
}
