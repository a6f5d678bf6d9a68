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

// AuditFilter chooses a page of the trail: the entries after AfterSeq, in
// order; or, when Newest is set, those before BeforeSeq (0: the head),
// newest first. Action and Actor, when given, must match exactly.
type AuditFilter struct {
	AfterSeq  int64
	Newest    bool
	BeforeSeq int64
	Action    string
	Actor     string
	// Limit is the page's size: 0 for 50, at most 200.
	Limit int
}

// AuditPage is a page of the trail; Next is the sequence number to go on
// from (after it going forward, before it going back), nil at the end.
type AuditPage struct {
	Events []*AuditEvent `json:"events"`
	Next   *int64        `json:"next"`
}

// AuditObjectRef is a record as the trail names it: its object type and id.
type AuditObjectRef struct{ Type, ID string }

// AuditObject is what an inspector reading the trail may be told of the
// record an entry names: the source it is or belongs to, by reference only
// (never its identity), the contact or meeting it is (or amends), and the
// officer it concerns.
type AuditObject struct {
	SourceID  string
	Reference string
	ContactID string
	MeetingID string
	OfficerID string
}

// AuditService reads and verifies the audit trail.
type AuditService interface {
	ListAudit(ctx context.Context, afterSeq int64, limit int) ([]*AuditEvent, error)
	// PageAudit reads a page of the trail through an index, whatever its
	// length.
	PageAudit(ctx context.Context, f AuditFilter) (*AuditPage, error)
	// AuditObjects tells what the records a page of the trail names are,
	// in a fixed number of queries whatever their number; records it does
	// not know, or that no longer exist, are left out.
	AuditObjects(ctx context.Context, refs []AuditObjectRef) (map[AuditObjectRef]AuditObject, error)
	// VerifyRecent checks the trail since its latest signed checkpoint:
	// what changed since the last full verification could be cut or
	// rewritten unseen. It is cheap enough for every view of the trail.
	VerifyRecent(ctx context.Context) (string, error)
	// VerifyAudit checks the chain and every audited record. It returns a
	// one-line summary when all is intact, and an error naming the first
	// broken entry or record otherwise.
	VerifyAudit(ctx context.Context) (string, error)

	// The trail as a transparency log: its entries are the leaves of an
	// RFC 6962 Merkle tree (leaf N-1 is the raw bytes of entry N's hash).
	// AuditCheckpoint returns a signed checkpoint, a signed note, covering
	// every entry committed before the call; AuditVerifierKey the key that
	// verifies it; AuditConsistency the proof that the tree of the first
	// from entries is a prefix of the tree of the first to; AuditInclusion
	// the proof that entry seq is in the tree of the first size entries.
	AuditCheckpoint(ctx context.Context) ([]byte, error)
	AuditVerifierKey(ctx context.Context) (string, error)
	AuditConsistency(ctx context.Context, from, to uint64) ([][]byte, error)
	AuditInclusion(ctx context.Context, seq, size uint64) ([][]byte, error)
}

// AuditActions are the acts the trail records, by name: what an inspector
// filters it by.
var AuditActions = []string{
	"account.lock",
	"account.password_change",
	"account.second_factor_enrol",
	"account.second_factor_exempt",
	"account.second_factor_reset",
	"account.second_factor_seal",
	"account.sign_in",
	"account.sign_in_failed",
	"account.sign_out",
	"account.unlock",
	"alert.acknowledge",
	"alert.migrate",
	"alert.raise",
	"alert.resolve",
	"alert.update",
	"assignment.end",
	"assignment.start",
	"call.check",
	"calls.import",
	"contact.amend",
	"contact.record",
	"key.create",
	"key.rewrap",
	"meeting.cancel",
	"meeting.held",
	"meeting.plan",
	"officer.await_confirmation",
	"officer.confirm",
	"officer.create",
	"officer.disable",
	"officer.senior",
	"officer.update",
	"risk.record",
	"setting.change",
	"source.create",
	"source.identity.break_glass",
	"source.identity.integrity_failure",
	"source.identity.refuse",
	"source.identity.reveal",
	"source.seal",
	"source.update",
	"source.view",
	"source_key.create",
	"source_key.rewrap",
	"store.export",
	"token.issue",
	"token.revoke",
	"training.add",
}
