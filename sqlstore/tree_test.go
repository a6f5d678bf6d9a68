package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"

	"tandem"
	"tandem/checkpoint"
	"tandem/sqlstore"
)

// signing reopens the env's database as a store that signs checkpoints,
// into a new file with a new key, as the server's does; closed with the
// test. It returns the store, its key and the file's path.
func signing(t *testing.T, e *env) (*sqlstore.Store, *checkpoint.Key, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.checkpoints")
	log, err := checkpoint.OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := checkpoint.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }), sqlstore.WithCheckpoints(log, key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, key, path
}

// withTree is signing after a batch of n officers more.
func withTree(t *testing.T, e *env, n int) (*sqlstore.Store, *checkpoint.Key, string) {
	t.Helper()
	st, key, path := signing(t, e)
	err := st.Batch(e.system(), func(ctx context.Context) error {
		admin := tandem.NewContextWithOfficer(ctx, e.admin)
		for i := 0; i < n; i++ {
			if _, err := st.CreateOfficer(admin, tandem.OfficerCreate{Username: fmt.Sprintf("t%03d", i), Name: fmt.Sprintf("Tree Officer %d", i), Gender: "female", Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Checkpoint(e.system(), true); err != nil {
		t.Fatal(err)
	}
	return st, key, path
}

// leaves returns the tree's leaf hashes, read from the trail as an
// inspector holding the events would: leaf N-1 from entry N's hash.
func leaves(t *testing.T, e *env, st *sqlstore.Store) [][]byte {
	t.Helper()
	evs, err := st.ListAudit(e.as(e.auditor), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("entry %d is numbered %d", i+1, ev.Seq)
		}
		raw, err := hex.DecodeString(ev.Hash)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, checkpoint.Hasher.HashLeaf(raw))
	}
	return out
}

// treeRoot is RFC 6962's tree head, from its definition.
func treeRoot(ls [][]byte) []byte {
	switch len(ls) {
	case 0:
		return checkpoint.Hasher.EmptyRoot()
	case 1:
		return ls[0]
	}
	k := 1
	for k*2 < len(ls) {
		k *= 2
	}
	return checkpoint.Hasher.HashChildren(treeRoot(ls[:k]), treeRoot(ls[k:]))
}

// TestAuditTree_ProofsVerify: the store's checkpoint opens under its key
// with the root of the trail's own hashes, and every inclusion and
// consistency proof it serves verifies under transparency-dev/merkle's
// verifier.
func TestAuditTree_ProofsVerify(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		st, key, _ := withTree(t, e, 40)
		aud := e.as(e.auditor)
		msg, err := st.AuditCheckpoint(aud)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := checkpoint.Open(msg, key.Verifier())
		if err != nil {
			t.Fatalf("the checkpoint does not open: %v\n%s", err, msg)
		}
		ls := leaves(t, e, st)
		// Reading the trail wrote nothing, so the checkpoint covers it all.
		if cp.Size != uint64(len(ls)) || !bytes.Equal(cp.Root, treeRoot(ls)) {
			t.Fatalf("the checkpoint is of %d entries with root %x; the trail has %d with root %x", cp.Size, cp.Root, len(ls), treeRoot(ls))
		}
		n := uint64(len(ls))
		for _, size := range []uint64{1, 2, 3, 7, 8, 9, 31, 32, 33, n - 1, n} {
			root := treeRoot(ls[:size])
			for seq := uint64(1); seq <= size; seq += max(1, size/7) {
				hashes, err := st.AuditInclusion(aud, seq, size)
				if err != nil {
					t.Fatalf("inclusion of %d in %d: %v", seq, size, err)
				}
				if err := proof.VerifyInclusion(checkpoint.Hasher, seq-1, size, ls[seq-1], hashes, root); err != nil {
					t.Errorf("inclusion of %d in %d: %v", seq, size, err)
				}
			}
			for _, from := range []uint64{0, 1, 2, 5, 8, size / 2, size} {
				if from > size {
					continue
				}
				hashes, err := st.AuditConsistency(aud, from, size)
				if err != nil {
					t.Fatalf("consistency of %d to %d: %v", from, size, err)
				}
				if err := proof.VerifyConsistency(checkpoint.Hasher, from, size, hashes, treeRoot(ls[:from]), root); err != nil {
					t.Errorf("consistency of %d to %d: %v", from, size, err)
				}
			}
		}
		// Out of range, and not an auditor.
		for name, err := range map[string]error{
			"seq 0":           second(st.AuditInclusion(aud, 0, n)),
			"seq past size":   second(st.AuditInclusion(aud, 5, 4)),
			"size past trail": second(st.AuditInclusion(aud, 1, n+1)),
			"from after to":   second(st.AuditConsistency(aud, 5, 4)),
			"to past trail":   second(st.AuditConsistency(aud, 1, n+1)),
		} {
			var te *tandem.Error
			if !errors.As(err, &te) || te.Code != tandem.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		for _, who := range []*tandem.Officer{e.controller, e.ha, e.admin} {
			if _, err := st.AuditCheckpoint(e.as(who)); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
				t.Errorf("%s asks for the checkpoint: %v, want forbidden", who.Username, err)
			}
		}
		// A checkpoint again, after more is written, is of the larger tree
		// and consistent with the first.
		e.officer("later", "male", "north", false, tandem.RoleHandler)
		msg2, err := st.AuditCheckpoint(aud)
		if err != nil {
			t.Fatal(err)
		}
		cp2, err := checkpoint.Open(msg2, key.Verifier())
		if err != nil || cp2.Size <= cp.Size {
			t.Fatalf("the second checkpoint: %+v, %v", cp2.Size, err)
		}
		hashes, err := st.AuditConsistency(aud, cp.Size, cp2.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkpoint.Consistent(cp, cp2, hashes); err != nil {
			t.Errorf("the second checkpoint does not extend the first: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestAuditTree_BuiltForAStoreFromBefore: a store whose entries have no
// tree nodes (chained before migration 23) gets them at its next open,
// the same nodes the chain would have written, and verifies intact.
func TestAuditTree_BuiltForAStoreFromBefore(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		st, key, _ := withTree(t, e, 30)
		before, err := st.AuditCheckpoint(e.as(e.auditor))
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		if _, err := e.db.raw.Exec(`UPDATE audit_events SET tree = NULL`); err != nil {
			t.Fatal(err)
		}
		// A verify now names the missing nodes...
		if _, err := e.store.VerifyAudit(e.system()); err == nil || !strings.Contains(err.Error(), "tree") {
			t.Errorf("verify of a trail without its tree: %v", err)
		}
		// ...and the next open builds them, a page at a time (here pages
		// of 7 entries, so that every page boundary of the tree is met).
		again, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }), sqlstore.WithTreePage(7))
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer again.Close()
		if msg, err := again.VerifyAudit(e.system()); err != nil {
			t.Errorf("verify after the tree was built: %v", err)
		} else if !strings.Contains(msg, "intact") {
			t.Errorf("verify: %q", msg)
		}
		cp, _ := checkpoint.Open(before, key.Verifier())
		ls := leaves(t, e, again)
		if !bytes.Equal(treeRoot(ls[:cp.Size]), cp.Root) {
			t.Errorf("the rebuilt tree's root differs from the one signed before")
		}
		hashes, err := again.AuditInclusion(e.as(e.auditor), 3, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(checkpoint.Hasher, 2, cp.Size, ls[2], hashes, cp.Root); err != nil {
			t.Errorf("a proof from the rebuilt tree: %v", err)
		}
	})
}

// TestAuditTree_NodeChangedOutsideTandemIsNamed: the nodes are derived,
// and verify derives them again.
func TestAuditTree_NodeChangedOutsideTandemIsNamed(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		st, _, _ := withTree(t, e, 20)
		if _, err := st.VerifyAudit(e.system()); err != nil {
			t.Fatal(err)
		}
		// Entry 16 completes nodes of levels 1 to 4.
		q := e.db.dialect.Rebind(`UPDATE audit_events SET tree = ? WHERE seq = 16`)
		if _, err := e.db.raw.Exec(q, bytes.Repeat([]byte{7}, 4*checkpoint.HashSize)); err != nil {
			t.Fatal(err)
		}
		_, err := st.VerifyAudit(e.system())
		if err == nil || !strings.Contains(err.Error(), "audit entry 16") || !strings.Contains(err.Error(), "tree") {
			t.Errorf("verify after a node was changed: %v", err)
		}
	})
}

// TestVerifyAudit_ReadOnlyWritesNothing: a read-only store checks the
// trail without chaining what is pending (on PostgreSQL, entries committed
// a moment before): it checks them after the head, leaves them pending,
// and the database itself refuses a write.
func TestVerifyAudit_ReadOnlyWritesNothing(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		e.pairedSource()
		head := e.auditHead()
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		// A look committed and not yet chained, as a PostgreSQL change
		// leaves it until the chainer runs.
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`INSERT INTO audit_pending (id, at, actor, action, object_type, object_id, reason, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			"99999999999999999999", e.now.UTC().Format("2006-01-02T15:04:05.000000Z"), e.ha.ID, "source.view", "source", "x", "", ""); err != nil {
			t.Fatal(err)
		}
		ro, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }), sqlstore.ReadOnly())
		if err != nil {
			t.Fatalf("open read-only: %v", err)
		}
		defer ro.Close()
		msg, err := ro.VerifyAudit(e.system())
		if err != nil || !strings.Contains(msg, "the last 1 entries are committed and not yet chained") {
			t.Errorf("read-only verify: %q, %v", msg, err)
		}
		if n := e.count(`SELECT COUNT(*) FROM audit_pending`); n != 1 {
			t.Errorf("%d pending entries after a read-only verify, want the 1 left as it was", n)
		}
		if got := e.count(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`); int64(got) != head {
			t.Errorf("the chain's head moved from %d to %d", head, got)
		}
		if err := sqlstore.WriteRaw(ro, `CREATE TABLE written (a INTEGER)`); err == nil {
			t.Errorf("the read-only store's connection wrote to the database")
		}
	})
}

// TestCheckpoint_NeverSignsATrailThatDoesNotExtendTheLast: a trail cut
// below its last checkpoint (a database restored without its checkpoint
// file) gets no checkpoint, and so no reveal: signing it would vouch for
// the loss, and a witness would be served the stale note.
func TestCheckpoint_NeverSignsATrailThatDoesNotExtendTheLast(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		src := e.pairedSource()
		st, _, _ := withTree(t, e, 5)
		aud := e.as(e.auditor)
		if _, err := st.AuditCheckpoint(aud); err != nil {
			t.Fatal(err)
		}
		head := e.auditHead()
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`DELETE FROM audit_events WHERE seq > ?`), head-3); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AuditCheckpoint(aud); err == nil || !strings.Contains(err.Error(), "fewer than") {
			t.Errorf("a checkpoint of a trail cut below the last: %v", err)
		}
		_, err := st.RevealIdentity(e.as(e.ha), src.ID, "arranging the next meeting with the source")
		if err == nil || !strings.Contains(err.Error(), "identity is not shown") {
			t.Errorf("a reveal over a cut trail: %v, want refused", err)
		}
	})
}
