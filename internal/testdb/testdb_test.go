package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestList_PostgresJoinsWhenAServerIsNamedAndIsRequiredWhenAsked(t *testing.T) {
	const server = "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable"
	tests := []struct {
		name, server, require string
		want                  []Backend
		wantErr               bool
	}{
		{"no server", "", "", []Backend{SQLite}, false},
		{"a server", server, "", []Backend{SQLite, Postgres}, false},
		{"a server, required", server, "1", []Backend{SQLite, Postgres}, false},
		{"no server, required", "", "1", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TANDEM_TEST_POSTGRES", tt.server)
			t.Setenv("TANDEM_REQUIRE_POSTGRES", tt.require)
			got, err := List()
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("List() = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCreate_ANewDatabaseThatDropRemoves(t *testing.T) {
	admin := os.Getenv("TANDEM_TEST_POSTGRES")
	if admin == "" {
		if _, err := Server(); err != nil {
			t.Fatal(err)
		}
		t.Log("TANDEM_TEST_POSTGRES is not set: nothing to create a database on (.ci/run sets it)")
		return
	}
	dbURL, drop, err := Create(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !strings.HasPrefix(name, "tandem_test_") {
		t.Errorf("database %q, want a tandem_test_ name", name)
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	// A connection left open must not stop the drop.
	if err := db.Ping(); err != nil {
		t.Fatalf("the new database does not answer: %v", err)
	}
	defer db.Close()
	srv, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	exists := func() bool {
		t.Helper()
		var n int
		if err := srv.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if !exists() {
		t.Fatalf("%s is not on the server", name)
	}
	if err := drop(); err != nil {
		t.Fatalf("drop: %v", err)
	}
	if exists() {
		t.Errorf("%s is still on the server after drop", name)
	}
}

func TestPostgresCopy_HoldsWhatTheOriginalHeld(t *testing.T) {
	if os.Getenv("TANDEM_TEST_POSTGRES") == "" {
		if _, err := Server(); err != nil {
			t.Fatal(err)
		}
		t.Log("TANDEM_TEST_POSTGRES is not set: nothing to copy a database on (.ci/run sets it)")
		return
	}
	orig := PostgresURL(t)
	db, err := sql.Open("pgx", orig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE marks (v text); INSERT INTO marks VALUES ('before the copy')`); err != nil {
		t.Fatal(err)
	}
	db.Close() // a database with connections cannot be copied
	cp := PostgresCopy(t, orig)
	if cp == orig {
		t.Fatalf("the copy is the original: %s", cp)
	}
	db, err = sql.Open("pgx", cp)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT v FROM marks`).Scan(&v); err != nil || v != "before the copy" {
		t.Errorf("the copy holds %q, %v; want the original's row", v, err)
	}
}
