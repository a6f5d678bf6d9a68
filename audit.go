package tandem

import (
	"context"
	"time"
)

// AuditEvent is one entry of the audit trail. Entries form a hash chain:
// each Hash covers the entry's canonical bytes and PrevHash, so an entry
// cannot be changed, removed or reordered without breaking the chain.
type AuditEvent struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Reason     string    `json:"reason"`
	// RecordHash is the hash of the record as this entry left it ("" when
	// the entry changed no record, as for a refused reveal).
	RecordHash string `json:"record_hash,omitempty"`
	Hash       string `json:"hash"`
	PrevHash   string `json:"prev_hash"`
}

// SystemActor is the actor of changes Tandem makes by itself (the sweep).
const SystemActor = "system"

// AuditService reads and verifies the audit trail.
type AuditService interface {
	ListAudit(ctx context.Context, afterSeq int64, limit int) ([]*AuditEvent, error)
	// VerifyAudit checks the chain and every audited record. It returns a
	// one-line summary when all is intact, and an error naming the first
	// broken entry or record otherwise.
	VerifyAudit(ctx context.Context) (string, error)
}
