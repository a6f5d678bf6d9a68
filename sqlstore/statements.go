package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// maxStatements bounds the statements kept: the store's SQL is a few
// hundred fixed texts, and a text built for an unusual number of arguments
// beyond the bound is simply parsed each time.
const maxStatements = 1024

// statementCache keeps a pool's statements parsed, for every transaction
// to reuse: on SQLite parsing is a quarter of the work of a small
// statement. database/sql prepares a statement on each connection that
// runs it and a transaction reuses its connection's copy; but preparing
// one on the pool needs a free connection, and SQLite's writer has exactly
// one, always busy inside a transaction. So a transaction that meets a
// new statement only asks for it, and it is prepared when a connection is
// free: by the writer between two commits, by a helper for the readers.
type statementCache struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool
	// kick wakes the helper that prepares the readers' statements (nil
	// for the writer's, prepared by the writer itself).
	kick chan struct{}
}

func newStatementCache(db *sql.DB, helper bool) *statementCache {
	c := &statementCache{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	if helper {
		c.kick = make(chan struct{}, 1)
	}
	return c
}

// get returns the transaction's copy of the statement, or nil (and asks
// for it) when it is not prepared yet.
func (c *statementCache) get(tx *Tx, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st := c.m[query]
	if st == nil && len(c.m)+len(c.wanted) < maxStatements {
		c.wanted[query] = true
	}
	c.mu.Unlock()
	if st == nil {
		if c.kick != nil {
			select {
			case c.kick <- struct{}{}:
			default:
			}
		}
		return nil
	}
	return tx.StmtContext(tx.ctx, st)
}

// prepareWanted prepares the statements asked for, each within a short
// time: one that finds no free connection waits for the next round.
func (c *statementCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	var qs []string
	for q := range c.wanted {
		qs = append(qs, q)
	}
	c.mu.Unlock()
	for _, q := range qs {
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		st, err := c.db.PrepareContext(pctx, q)
		cancel()
		c.mu.Lock()
		if err == nil {
			c.m[q] = st
			delete(c.wanted, q)
		} else if ctx.Err() == nil && pctx.Err() == nil {
			delete(c.wanted, q) // a statement that does not parse reports its own error
		}
		c.mu.Unlock()
	}
}

// help prepares the readers' statements as they are asked for, until ctx
// ends.
func (c *statementCache) help(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
			c.prepareWanted(ctx)
		}
	}
}

func (c *statementCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()

	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// statements keeps the statements of one database transaction, for the
// changes that share it (a group commit, a batch): the pool's, taken into
// the transaction once, or, while the pool has none yet, parsed for the
// transaction alone.
type statements struct {
	tx    *sql.Tx
	cache *statementCache
	mu    sync.Mutex
	m     map[string]*sql.Stmt
}

func newStatements(tx *sql.Tx, cache *statementCache) *statements {
	return &statements{tx: tx, cache: cache, m: map[string]*sql.Stmt{}}
}

// get returns the transaction's statement for a query; nil when it cannot
// be kept.
func (c *statements) get(tx *Tx, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxStatements {
		return nil
	}
	st := c.cache.get(tx, query)
	if st == nil {
		var err error
		if st, err = c.tx.PrepareContext(tx.ctx, query); err != nil {
			return nil // the statement runs unprepared, and reports its own error
		}
	}
	c.m[query] = st
	return st
}
