package calls

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// keyer computes a record's Key when the record carries no identity of its
// own: a SHA-256 of its fields, after parsing, so that the same call spelled
// the same way gives the same Key in every import. One keyer serves a whole
// file, so that keys cost no allocation beyond the string returned.
type keyer struct {
	h   hash.Hash
	buf [sha256.Size * 2]byte
	n   [binary.MaxVarintLen64]byte
}

func newKeyer() *keyer { return &keyer{h: sha256.New()} }

// begin starts a key for a record of the given format: a CSV record and an
// Asterisk line never share a Key by accident.
func (k *keyer) begin(format string) {
	k.h.Reset()
	k.text([]byte(format))
}

// text adds a field. Each is prefixed with its length, so that no two lists
// of fields hash alike ("ab","c" against "a","bc").
func (k *keyer) text(b []byte) {
	k.h.Write(binary.AppendUvarint(k.n[:0], uint64(len(b))))
	k.h.Write(b)
}

// number adds an integer field.
func (k *keyer) number(v int64) {
	k.h.Write(binary.AppendVarint(k.n[:0], v))
}

// key returns the hex of the hash of the fields added since begin.
func (k *keyer) key() string {
	var sum [sha256.Size]byte
	hex.Encode(k.buf[:], k.h.Sum(sum[:0]))
	return string(k.buf[:])
}
