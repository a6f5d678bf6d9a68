package sqlstore

import (
	"strconv"
	"strings"
)

// Dialect is everything that differs between the databases Tandem runs on.
// The SQL itself is written once, with ? placeholders.
type Dialect interface {
	// Name is the database's name, for messages.
	Name() string
	// Rebind rewrites ? placeholders into the database's own.
	Rebind(query string) string
	// DeferredChain is true where changes commit side by side and their
	// audit entries are chained after them (chain.go).
	DeferredChain() bool
	// LockChain is the statement that lets one transaction at a time
	// append to the audit chain, taken just before the append ("" where
	// the writer is alone anyway).
	LockChain() string
	// ForUpdate is what ends a SELECT that locks the rows it reads until
	// the transaction ends ("" where one writer at a time is the rule).
	ForUpdate() string
}

// SQLite is the embedded database's dialect.
type SQLite struct{}

// Name returns "SQLite".
func (SQLite) Name() string { return "SQLite" }

// Rebind returns q unchanged: SQLite understands ?.
func (SQLite) Rebind(q string) string { return q }

// DeferredChain is false: the single writer chains each change's entries
// in its own transaction.
func (SQLite) DeferredChain() bool { return false }

// LockChain returns "": SQLite's writer is alone.
func (SQLite) LockChain() string { return "" }

// ForUpdate returns "": SQLite's writer holds the whole database.
func (SQLite) ForUpdate() string { return "" }

// Postgres is PostgreSQL's dialect.
type Postgres struct{}

// Name returns "PostgreSQL".
func (Postgres) Name() string { return "PostgreSQL" }

// Rebind turns each ? into $1, $2 ... Queries here never hold a literal
// question mark.
func (Postgres) Rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ForUpdate locks the rows read until the transaction ends.
func (Postgres) ForUpdate() string { return " FOR UPDATE" }

// LockChain takes the lock that lets one transaction at a time append to
// the chain, so two appends cannot both claim the same sequence number. It
// is taken at the end of a change, just before its entries are appended,
// and held only until its commit; readers are not blocked.
func (Postgres) LockChain() string { return "LOCK TABLE audit_events IN EXCLUSIVE MODE" }

// DeferredChain is true: changes commit side by side, their entries
// chained moments later.
func (Postgres) DeferredChain() bool { return true }
