package sqlstore

import (
	"context"
	"database/sql"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL through database/sql

	"tandem"
)

// OpenPostgres opens the PostgreSQL database at url (postgres://...) and
// brings its schema up to date. The SQL is the same as SQLite's; Postgres
// (dialect.go) holds what differs.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var probe Store // the options, read before the connection opens
	for _, o := range opts {
		o(&probe)
	}
	if probe.readOnly {
		return openPostgresReadOnly(ctx, url, opts)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8) // a connection kept is one not dialled and authenticated again
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, tandem.Errorf(tandem.EINVALID, "cannot reach the PostgreSQL database: %v", err)
	}
	s := newStore(db, db, Postgres{}, opts)
	s.startChainer()
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.buildTree(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, pendingSequence); err != nil {
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

// openPostgresReadOnly opens the database to read it only (ReadOnly):
// every transaction of every connection is read-only, so the server
// itself refuses a write; no migration runs, no key is made, nothing is
// chained.
func openPostgresReadOnly(ctx context.Context, dbURL string, opts []Option) (*Store, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, tandem.Errorf(tandem.EINVALID, "the PostgreSQL URL does not parse")
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, tandem.Errorf(tandem.EINVALID, "cannot reach the PostgreSQL database: %v", err)
	}
	return newStore(db, db, Postgres{}, opts).openedReadOnly(ctx)
}
