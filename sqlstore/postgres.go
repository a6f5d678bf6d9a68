package sqlstore

import (
	"context"
	"database/sql"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL through database/sql

	"tandem"
)

// OpenPostgres opens the PostgreSQL database at url (postgres://...) and
// brings its schema up to date. The SQL is the same as SQLite's; Postgres
// (dialect.go) holds what differs.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*Store, error) {
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
