// Package checkpoint makes the audit trail a transparency log: its entries
// are the leaves of an RFC 6962 Merkle tree, and signed checkpoints of the
// tree's size and root are kept in an append-only file beside the
// database, as signed notes in the Go checksum database's form (the C2SP
// tlog-checkpoint layout). Anyone holding a checkpoint can ask for a
// proof that a later one extends it, and a witness that keeps them on
// another machine holds the log to its past.
//
// The hash chain alone shows an entry edited in place, but not the newest
// entries cut off together with the rows they vouch for, nor a chain
// rewritten and rehashed from some entry on: both leave a chain that is
// whole. A signed checkpoint binds the first N entries; once written, the
// trail can no longer lose one of them or change it without Verify naming
// it. What the data folder alone cannot show (the folder rolled back, with
// its checkpoint file) a witness shows, since it remembers a later size.
package checkpoint

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement that the log named Origin held Size
// entries whose tree has the root hash Root. Note is the signed note as
// written, the checkpoint's only form on disk and on the wire.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	Note   []byte
}

// Sign returns the checkpoint of a tree of size entries with the root hash
// root, signed by key.
func Sign(key *Key, size uint64, root []byte) (Checkpoint, error) {
	if len(root) != HashSize {
		return Checkpoint{}, fmt.Errorf("a root hash has %d bytes, want %d", len(root), HashSize)
	}
	text := body(key.Origin(), size, root)
	msg, err := note.Sign(&note.Note{Text: text}, key.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign the checkpoint: %w", err)
	}
	return Checkpoint{Origin: key.Origin(), Size: size, Root: root, Note: msg}, nil
}

// body is a checkpoint's text: origin, size and base64 root, a line each.
func body(origin string, size uint64, root []byte) string {
	return origin + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root) + "\n"
}

// Open checks a signed checkpoint against the log's verifier, and reads
// its body. Its error says whether the signature or the form is wrong.
func Open(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &invalid):
			return Checkpoint{}, errors.New("its signature does not verify: it was altered or signed by another key")
		case errors.As(err, &unverified):
			return Checkpoint{}, errors.New("it is not signed by the log's key")
		}
		return Checkpoint{}, errors.New("it is not a signed note")
	}
	c, err := parseBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("it is of the log %q, not %q", c.Origin, v.Name())
	}
	c.Note = msg
	return c, nil
}

// parseBody reads a checkpoint's text strictly: exactly the three lines
// Sign writes, so that one tree has one checkpoint text.
func parseBody(text string) (Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 3 || !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, fmt.Errorf("its text has %d lines, want 3: origin, size and root hash", len(lines))
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("its size %s is not a whole number", show(lines[1]))
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, fmt.Errorf("its root hash %s is not %d bytes in base64", show(lines[2]), HashSize)
	}
	if !strings.HasPrefix(lines[0], OriginPrefix) {
		return Checkpoint{}, fmt.Errorf("its origin %s does not start %s", show(lines[0]), OriginPrefix)
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// show quotes a field for an error, cut short: a damaged file can hold a
// field of any length, and an error is read on one line.
func show(s string) string {
	const most = 72
	if len(s) > most {
		return strconv.Quote(s[:most]) + "…"
	}
	return strconv.Quote(s)
}

// HashSize is the size of a tree's hashes: SHA-256.
const HashSize = 32

// Hasher is the tree's RFC 6962 hasher.
var Hasher = rfc6962.DefaultHasher

// Ranges makes the compact ranges the tree is built and stored with.
var Ranges = &compact.RangeFactory{Hash: Hasher.HashChildren}

// LeafHash returns the tree's leaf hash of an audit entry: leaf N is the
// 32 raw bytes of entry N's hash, hashed as an RFC 6962 leaf.
func LeafHash(entryHash string) ([]byte, error) {
	raw, err := hex.DecodeString(entryHash)
	if err != nil || len(raw) != HashSize {
		return nil, fmt.Errorf("the entry hash %s is not %d bytes in hex", show(entryHash), HashSize)
	}
	return Hasher.HashLeaf(raw), nil
}

// Root returns the root hash of a compact range from leaf 0: the empty
// tree's hash when it holds no leaf.
func Root(r *compact.Range) ([]byte, error) {
	if r.End() == 0 {
		return Hasher.EmptyRoot(), nil
	}
	return r.GetRootHash(nil)
}
