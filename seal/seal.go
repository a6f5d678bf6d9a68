// Package seal encrypts what must never be read from a stolen database: a
// source's identity. Envelope encryption: each source has its own random
// data key (AES-256-GCM), and the data keys are wrapped by the master key,
// which lives outside the database. The associated data of every
// ciphertext names the record, the field and the key version, so a
// ciphertext copied onto another row, or into another field, does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of every key: the master key and the data keys.
const KeySize = 32

// prefix marks a sealed value and its format version.
const prefix = "s1."

// ErrOpen is returned when a sealed value does not open: it was altered,
// moved to another record or field, or sealed under another key.
var ErrOpen = errors.New("seal: the sealed value does not open (altered, moved, or another key)")

// Key is an AES-256-GCM key that seals and opens values.
type Key struct {
	aead cipher.AEAD
}

// NewKey returns a Key for 32 bytes of key material.
func NewKey(material []byte) (*Key, error) {
	if len(material) != KeySize {
		return nil, fmt.Errorf("seal: a key is %d bytes, not %d", KeySize, len(material))
	}
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// RandomKeyMaterial returns 32 fresh random bytes.
func RandomKeyMaterial() []byte {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	return b
}

// Seal encrypts plaintext bound to the associated data ad, and returns it
// as text: a random nonce and the ciphertext, base64.
func (k *Key) Seal(plaintext []byte, ad string) string {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := k.aead.Seal(nonce, nonce, plaintext, []byte(ad))
	return prefix + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value sealed with the same key and associated data.
func (k *Key) Open(sealed, ad string) ([]byte, error) {
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok || strings.ContainsAny(raw, "\r\n") {
		return nil, ErrOpen
	}
	// Strict: a sealed value has exactly one spelling, so a changed
	// character never still opens.
	b, err := base64.RawStdEncoding.Strict().DecodeString(raw)
	if err != nil || len(b) < k.aead.NonceSize()+k.aead.Overhead() {
		return nil, ErrOpen
	}
	n := k.aead.NonceSize()
	out, err := k.aead.Open(nil, b[:n], b[n:], []byte(ad))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// IsSealed reports whether s looks like a sealed value.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// FieldAD is the associated data of one field of one record under one
// version of its data key.
func FieldAD(record, id, field string, version int) string {
	return fmt.Sprintf("tandem/%s/%s/%s/v%d", record, id, field, version)
}

// KeyAD is the associated data of a wrapped data key.
func KeyAD(record, id string, version int) string {
	return fmt.Sprintf("tandem/key/%s/%s/v%d", record, id, version)
}

// Index computes blind indexes: keyed HMACs of normalised values, so that
// a sealed value can still be matched (a phone number in call records, a
// person registered twice) without being stored in clear. Its key is not
// the master key, and is kept wrapped by it.
type Index struct {
	key []byte
}

// NewIndex returns an Index for 32 bytes of key material.
func NewIndex(material []byte) (*Index, error) {
	if len(material) != KeySize {
		return nil, fmt.Errorf("seal: an index key is %d bytes, not %d", KeySize, len(material))
	}
	return &Index{key: append([]byte(nil), material...)}, nil
}

// Sum returns the blind index of a normalised value of a kind ("phone",
// "person"): the kind is part of the input, so equal values of different
// kinds do not match.
func (x *Index) Sum(kind, normalised string) string {
	m := hmac.New(sha256.New, x.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}
