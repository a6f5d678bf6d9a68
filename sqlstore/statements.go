package sqlstore

import (
	"database/sql"
	"sync"
)

// maxStatements bounds the statements kept for one transaction: the
// store's SQL is a few hundred fixed texts, and a text built for an unusual
// number of arguments beyond the bound is simply parsed each time.
const maxStatements = 512

// statements keeps the statements one database transaction has parsed, for
// the changes that share it (a group commit, a batch) to run again without
// parsing them again: on SQLite parsing is a quarter of the work of a small
// statement. They are bound to the transaction's connection, and closed
// with it. (A cache across transactions would need a free connection to
// prepare on, and SQLite's writer has exactly one.)
type statements struct {
	tx *sql.Tx
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStatements(tx *sql.Tx) *statements {
	return &statements{tx: tx, m: map[string]*sql.Stmt{}}
}

// get returns the transaction's statement for a query, preparing it on
// first use; nil when it cannot be kept.
func (c *statements) get(tx *Tx, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxStatements {
		return nil
	}
	st, err := c.tx.PrepareContext(tx.ctx, query)
	if err != nil {
		return nil // the statement runs unprepared, and reports its own error
	}
	c.m[query] = st
	return st
}
