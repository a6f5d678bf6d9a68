// Package passwd hashes and checks passwords with Argon2id, and makes and
// hashes API tokens.
package passwd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: RFC 9106's second recommended option (64 MiB,
// 3 passes), which a 2-core server computes in well under a second.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	threads   = 2
	keyLen    = 32
	saltLen   = 16
)

// MaxHashing is how many Argon2id computations run at once, whatever the
// number of sign-ins: each holds 64 MiB and both cores for a moment, so a
// flood of sign-ins queues here instead of exhausting memory.
const MaxHashing = 2

var (
	hashing = make(chan struct{}, MaxHashing)
	running atomic.Int32
	peak    atomic.Int32
	hashes  atomic.Int64
)

// hash runs one Argon2id computation in one of the MaxHashing slots.
func hash(password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashing <- struct{}{}
	defer func() { running.Add(-1); <-hashing }()
	hashes.Add(1)
	now := running.Add(1)
	for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
	}
	return argon2.IDKey(password, salt, t, m, p, n)
}

// PeakHashing returns the most Argon2id computations that have run at
// once since the program started, for tests and benchmarks.
func PeakHashing() int { return int(peak.Load()) }

// Hashes returns how many Argon2id computations have run since the
// program started, for tests and benchmarks.
func Hashes() int64 { return hashes.Load() }

// Hash returns an encoded Argon2id hash of the password, with its salt and
// parameters, in the PHC string format.
func Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := hash([]byte(password), salt, passes, memoryKiB, threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the encoded hash. A malformed or
// empty hash matches nothing.
func Verify(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := hash([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// TokenPrefix marks Tandem's API tokens, so that one pasted where it should
// not be can be recognised.
const TokenPrefix = "tdm_"

// NewToken returns a new random API token (256 bits).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}
