// Package audit makes Tandem's audit trail evidential: each entry's hash
// covers its canonical bytes and the previous entry's hash, and each record
// an entry changed is hashed too, so that an entry edited, removed or
// reordered, or a row changed behind the program's back, can be named.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"tandem"
)

// GenesisHash is the previous hash of the first entry.
var GenesisHash = strings.Repeat("0", 64)

// TimeLayout is how an entry's time enters its canonical bytes: fixed
// width, UTC, so the bytes do not depend on how a database returns times.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Canonical returns the bytes of an entry that its hash covers: every field
// but Hash itself, each as name, length and value, so that no two different
// entries share the same bytes.
func Canonical(e *tandem.AuditEvent) []byte {
	var b strings.Builder
	field := func(name, value string) {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(len(value)))
		b.WriteByte(':')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	field("seq", strconv.FormatInt(e.Seq, 10))
	field("at", e.At.UTC().Format(TimeLayout))
	field("actor", e.Actor)
	field("action", e.Action)
	field("object_type", e.ObjectType)
	field("object_id", e.ObjectID)
	field("reason", e.Reason)
	field("record_hash", e.RecordHash)
	field("prev_hash", e.PrevHash)
	return []byte(b.String())
}

// Hash returns the hex SHA-256 of the entry's canonical bytes.
func Hash(e *tandem.AuditEvent) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// Seal sets the entry's sequence number, previous hash and hash so that it
// follows prev (nil for the first entry).
func Seal(e *tandem.AuditEvent, prev *tandem.AuditEvent) {
	e.Seq, e.PrevHash = 1, GenesisHash
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = Hash(e)
}

// Removed is the record hash of an entry that removed its record, as a
// reset second factor is: from then the record must not be there. (A row
// deleted outside Tandem has no such entry, and verification names it;
// and no other kind of record is ever removed: see removable.)
const Removed = "removed"

// removable reports whether Tandem ever removes the record an entry names:
// only a second factor, when an administrator resets it. Every other record
// stays for good, so an entry that says otherwise is not Tandem's.
func removable(e *tandem.AuditEvent) bool {
	return e.Action == "account.second_factor_reset" && e.ObjectType == "second_factor"
}

// Chain checks entries one at a time, in order, and remembers the record
// hash each object was last left with.
type Chain struct {
	prev    *tandem.AuditEvent
	records map[string]Last
	count   int64
}

// Last is the latest audit entry that recorded a hash for an object.
type Last struct {
	Seq        int64
	RecordHash string
}

// NewChain returns a Chain expecting the first entry.
func NewChain() *Chain { return &Chain{records: map[string]Last{}} }

// Next checks e against the entry before it. The error names the entry and
// what is wrong with it.
func (c *Chain) Next(e *tandem.AuditEvent) error {
	wantSeq, wantPrev := int64(1), GenesisHash
	if c.prev != nil {
		wantSeq, wantPrev = c.prev.Seq+1, c.prev.Hash
	}
	switch {
	case e.Seq != wantSeq:
		return fmt.Errorf("audit entry %d: expected entry %d here: an entry was removed or reordered", e.Seq, wantSeq)
	case e.PrevHash != wantPrev:
		return fmt.Errorf("audit entry %d: its previous hash does not match entry %d: the chain was broken", e.Seq, wantSeq-1)
	case Hash(e) != e.Hash:
		return fmt.Errorf("audit entry %d: its hash does not match its contents: the entry was altered", e.Seq)
	}
	switch e.RecordHash {
	case "":
	case Removed:
		if !removable(e) {
			return fmt.Errorf("audit entry %d: it says a %s record was removed by %s, and Tandem removes no such record", e.Seq, e.ObjectType, e.Action)
		}
		delete(c.records, Key(e.ObjectType, e.ObjectID))
	default:
		c.records[Key(e.ObjectType, e.ObjectID)] = Last{Seq: e.Seq, RecordHash: e.RecordHash}
	}
	c.prev = e
	c.count++
	return nil
}

// Head returns the last entry checked, or nil.
func (c *Chain) Head() *tandem.AuditEvent { return c.prev }

// Count returns how many entries were checked.
func (c *Chain) Count() int64 { return c.count }

// Record returns the latest recorded hash of an object.
func (c *Chain) Record(objectType, objectID string) (Last, bool) {
	l, ok := c.records[Key(objectType, objectID)]
	return l, ok
}

// Records calls fn for every object with a recorded hash, in a stable order.
func (c *Chain) Records(fn func(key string, l Last)) {
	keys := make([]string, 0, len(c.records))
	for k := range c.records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fn(k, c.records[k])
	}
}

// Key joins an object's type and id into one map key.
func Key(objectType, objectID string) string { return objectType + "/" + objectID }
