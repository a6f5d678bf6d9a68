package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"tandem"
	"tandem/checkpoint"
)

// The audit trail is a Merkle tree: leaf N-1 is entry N (package
// checkpoint). The node at level L and index i covers leaves i·2^L to
// (i+1)·2^L - 1, and is kept in the tree column of the entry of its last
// leaf, seq (i+1)·2^L, at byte (L-1)·32; a leaf's own hash is derived from
// its entry's hash. So the nodes a root or a proof needs are one lookup
// by seq each, all in one statement, whatever the trail's length.

// nodeSeq returns the seq of the entry whose row holds the node.
func nodeSeq(id compact.NodeID) int64 { return int64((id.Index + 1) << id.Level) }

// nodeRow is an entry's hash and the tree nodes its row keeps.
type nodeRow struct {
	hash string
	tree []byte
}

// readNodes returns the hashes of the nodes, in order, from their rows,
// and the rows read.
func (tx *Tx) readNodes(ids []compact.NodeID) ([][]byte, map[int64]nodeRow, error) {
	rows := map[int64]nodeRow{}
	if len(ids) == 0 {
		return nil, rows, nil
	}
	var seqs []any
	for _, id := range ids {
		if _, ok := rows[nodeSeq(id)]; !ok {
			rows[nodeSeq(id)] = nodeRow{}
			seqs = append(seqs, nodeSeq(id))
		}
	}
	err := tx.inChunks(seqs, func(in string, args []any) error {
		r, err := tx.query(`SELECT seq, hash, tree FROM audit_events WHERE seq IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var seq int64
			var x nodeRow
			if err := r.Scan(&seq, &x.hash, &x.tree); err != nil {
				return err
			}
			rows[seq] = x
		}
		return r.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		seq := nodeSeq(id)
		x := rows[seq]
		if x.hash == "" {
			return nil, nil, fmt.Errorf("audit entry %d, which holds a node of the tree, is missing", seq)
		}
		if id.Level == 0 {
			if out[i], err = checkpoint.LeafHash(x.hash); err != nil {
				return nil, nil, fmt.Errorf("audit entry %d: %w", seq, err)
			}
			continue
		}
		at := int(id.Level-1) * checkpoint.HashSize
		if len(x.tree) < at+checkpoint.HashSize {
			return nil, nil, fmt.Errorf("audit entry %d does not hold the tree node it should: the tree was changed outside Tandem", seq)
		}
		out[i] = x.tree[at : at+checkpoint.HashSize]
	}
	return out, rows, nil
}

// treeRange returns the compact range of the first size leaves.
// The rows read hold the entry of the last leaf, seq size.
func (tx *Tx) treeRange(size uint64) (*compact.Range, map[int64]nodeRow, error) {
	hashes, rows, err := tx.readNodes(compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, nil, err
	}
	r, err := checkpoint.Ranges.NewRange(0, size, hashes)
	return r, rows, err
}

// treeNodes returns the nodes appending leaf completes, lowest first, as
// the tree column keeps them.
func treeNodes(r *compact.Range, leaf []byte) ([]byte, error) {
	nodes := []byte{}
	err := r.Append(leaf, func(id compact.NodeID, h []byte) {
		if id.Level > 0 {
			nodes = append(nodes, h...)
		}
	})
	return nodes, err
}

// auditSize returns the number of entries in the chain, after chaining
// what is pending.
func (s *Store) auditSize(ctx context.Context) (uint64, error) {
	if err := s.chain(ctx); err != nil {
		return 0, err
	}
	var size int64
	err := s.view(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&size)
	})
	return uint64(size), err
}

// AuditCheckpoint returns a signed checkpoint covering every entry
// committed before the call: the last one signed when it already does,
// or a new one, signed and on disk, when the trail has grown since.
func (s *Store) AuditCheckpoint(ctx context.Context) ([]byte, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	if s.checkpoints == nil {
		return nil, tandem.Errorf(tandem.ECONFLICT, "this store keeps no signed checkpoints")
	}
	if err := s.signNow(ctx); err != nil {
		return nil, err
	}
	last, ok, err := s.checkpoints.log.Last()
	if err != nil {
		return nil, err
	}
	if !ok {
		// An empty trail: a checkpoint of the empty tree.
		c, err := checkpoint.Sign(s.checkpoints.key, 0, checkpoint.Hasher.EmptyRoot())
		if err != nil {
			return nil, err
		}
		return c.Note, nil
	}
	return last.Note, nil
}

// AuditVerifierKey returns the key that verifies the store's checkpoints,
// in the note package's text form: what a witness pins on its first run.
func (s *Store) AuditVerifierKey(ctx context.Context) (string, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return "", err
	}
	if s.checkpoints == nil {
		return "", tandem.Errorf(tandem.ECONFLICT, "this store keeps no signed checkpoints")
	}
	return s.checkpoints.key.VerifierKey(), nil
}

// AuditConsistency returns the proof that the tree of the first from
// entries is a prefix of the tree of the first to.
func (s *Store) AuditConsistency(ctx context.Context, from, to uint64) ([][]byte, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	size, err := s.auditSize(ctx)
	if err != nil {
		return nil, err
	}
	if from > to {
		return nil, tandem.Invalid("from", "from (%d) is after to (%d)", from, to)
	}
	if to > size {
		return nil, tandem.Invalid("to", "the trail holds %d entries, fewer than %d", size, to)
	}
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return nil, tandem.Invalid("from", "%v", err)
	}
	return s.proofHashes(ctx, nodes)
}

// AuditInclusion returns the proof that entry seq is leaf seq-1 of the
// tree of the first size entries.
func (s *Store) AuditInclusion(ctx context.Context, seq, size uint64) ([][]byte, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	have, err := s.auditSize(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case seq < 1:
		return nil, tandem.Invalid("seq", "entries are numbered from 1")
	case size > have:
		return nil, tandem.Invalid("size", "the trail holds %d entries, fewer than %d", have, size)
	case seq > size:
		return nil, tandem.Invalid("seq", "entry %d is not among the first %d", seq, size)
	}
	nodes, err := proof.Inclusion(seq-1, size)
	if err != nil {
		return nil, tandem.Invalid("seq", "%v", err)
	}
	return s.proofHashes(ctx, nodes)
}

// proofHashes reads a proof's nodes and folds its ephemeral node.
func (s *Store) proofHashes(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	var hashes [][]byte
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		hashes, _, err = tx.readNodes(nodes.IDs)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Rehash folds in place: copy, so that no row's bytes are changed.
	for i, h := range hashes {
		hashes[i] = bytes.Clone(h)
	}
	out, err := nodes.Rehash(hashes, checkpoint.Hasher.HashChildren)
	if err != nil {
		return nil, errors.New("audit proof: " + err.Error())
	}
	return out, nil
}

// buildTree gives the entries chained before the trail had a tree (a
// store from before migration 23) their nodes, a page at a time, each page
// in a transaction of its own under the chain's lock: an open cut short
// carries on at the next. A store whose newest entry has its nodes has
// nothing to build, which one lookup shows.
func (s *Store) buildTree(ctx context.Context) error {
	var from int64 // the first entry without its nodes, once found
	for {
		next, err := s.buildTreePage(ctx, from)
		if err != nil || next == 0 {
			return err
		}
		from = next
	}
}

// treePage is how many entries one transaction of buildTree gives nodes
// (Store.treePage, when a test sets it).
const treePage = 5000

// buildTreePage builds the nodes of a page of entries from from (0: the
// first without them) and returns where the next page starts, 0 when the
// tree is whole.
func (s *Store) buildTreePage(ctx context.Context, from int64) (int64, error) {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	tx := s.newTx(ctx, sqlTx, true)
	tx.background = true
	if lock := s.dialect.LockChain(); lock != "" {
		if _, err := tx.exec(lock); err != nil {
			return 0, fmt.Errorf("audit: lock: %w", err)
		}
	}
	var unbuilt int
	if err := tx.queryRow(`SELECT COUNT(*) FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events) AND tree IS NULL`).Scan(&unbuilt); err != nil || unbuilt == 0 {
		return 0, err
	}
	if from == 0 {
		if err := tx.queryRow(`SELECT MIN(seq) FROM audit_events WHERE tree IS NULL`).Scan(&from); err != nil {
			return 0, err
		}
	}
	tree, _, err := tx.treeRange(uint64(from - 1))
	if err != nil {
		return 0, fmt.Errorf("audit: build the tree: %w", err)
	}
	page := treePage
	if s.treePage > 0 {
		page = s.treePage
	}
	rows, err := tx.query(`SELECT seq, hash FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?`, from, page)
	if err != nil {
		return 0, err
	}
	type built struct {
		seq   int64
		nodes []byte
	}
	var done []built
	for rows.Next() {
		var seq int64
		var hash string
		if err := rows.Scan(&seq, &hash); err != nil {
			rows.Close()
			return 0, err
		}
		if seq != int64(tree.End())+1 {
			rows.Close()
			return 0, fmt.Errorf("audit: build the tree: expected entry %d, found %d: an entry was removed or reordered", tree.End()+1, seq)
		}
		leaf, err := checkpoint.LeafHash(hash)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("audit entry %d: %w", seq, err)
		}
		nodes, err := treeNodes(tree, leaf)
		if err != nil {
			rows.Close()
			return 0, err
		}
		done = append(done, built{seq, nodes})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(done) == 0 {
		return 0, fmt.Errorf("audit: build the tree: no entry from %d on, though the newest has no nodes", from)
	}
	for _, b := range done {
		if _, err := tx.exec(`UPDATE audit_events SET tree = ? WHERE seq = ?`, b.nodes, b.seq); err != nil {
			return 0, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return done[len(done)-1].seq + 1, nil
}
