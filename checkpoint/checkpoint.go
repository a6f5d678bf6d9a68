// Package checkpoint signs the head of the audit chain from time to time
// and keeps the signatures in an append-only file beside the database.
//
// The hash chain alone shows an entry edited in place, but not the newest
// entries cut off together with the rows they vouch for, nor a chain
// rewritten and rehashed from some entry on: both leave a chain that is
// whole. A signed checkpoint says "entry N had hash H at time T"; once
// written, the chain can no longer lose entry N or change it without
// Verify naming it.
//
// The checkpoints bind only what a tamperer cannot also rewrite. Whoever
// holds the signing key can sign a new history, and whoever can write the
// checkpoint file can cut it as short as the chain: keep the key outside
// the data folder where that matters, and copy the file away from it.
package checkpoint

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version names the form of a checkpoint line and of the bytes its
// signature covers; a new form gets a new version, so that an old
// signature is never read under new rules.
const Version = "v1"

// TimeLayout is how a checkpoint's time is written, in its line and in the
// signed bytes: RFC 3339, UTC, microseconds, fixed width, the precision the
// audit trail keeps its own times at.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Checkpoint is a signed statement that the audit entry numbered Seq had
// the hash Hash at the time At.
type Checkpoint struct {
	Seq  int64
	Hash string // hex SHA-256 of the chain entry at Seq, as audit.Hash gives it
	At   time.Time
	Sig  []byte // Ed25519 signature of the canonical bytes of Seq, Hash and At
}

// Sign returns the checkpoint of entry seq with hash hash, signed at the
// time at. The time is kept in UTC at microsecond precision, as it is
// written, so that the checkpoint reads back the same from its line. seq
// should be positive, hash 64 lowercase hex digits and at within years 0 to
// 9999: Log.Append refuses a checkpoint whose line would not parse.
func Sign(key ed25519.PrivateKey, seq int64, hash string, at time.Time) Checkpoint {
	at = at.UTC().Truncate(time.Microsecond)
	return Checkpoint{Seq: seq, Hash: hash, At: at, Sig: ed25519.Sign(key, signed(seq, hash, at))}
}

// signed returns the bytes a checkpoint's signature covers: a label and
// the version, then each field as name, length and value (as
// audit.Canonical writes an entry), so that a signature made for one seq,
// hash or time, or for anything other than a checkpoint, fits no other.
func signed(seq int64, hash string, at time.Time) []byte {
	var b strings.Builder
	b.WriteString("tandem audit checkpoint " + Version + "\n")
	field := func(name, value string) {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(len(value)))
		b.WriteByte(':')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	field("seq", strconv.FormatInt(seq, 10))
	field("hash", hash)
	field("at", at.UTC().Format(TimeLayout))
	return []byte(b.String())
}

// Line returns the checkpoint as one line of the checkpoint file, newline
// included: "v1 <seq> <hash> <time> <base64 signature>\n".
func (c Checkpoint) Line() string {
	return Version + " " + strconv.FormatInt(c.Seq, 10) + " " + c.Hash + " " + c.At.UTC().Format(TimeLayout) + " " +
		base64.StdEncoding.EncodeToString(c.Sig) + "\n"
}

// Parse reads a checkpoint from one line as Line writes it, with or without
// its newline. It checks the line's form, not its signature (that is
// Verify's work), and its error says which field is wrong. Parse is strict:
// only the exact form Line writes is accepted, so a line that parses is the
// line Line gives back.
func Parse(line string) (Checkpoint, error) {
	c, err := parse(strings.TrimSuffix(line, "\n"))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint line: %w", err)
	}
	return c, nil
}

// parse reads a line without its newline. Its errors say what is wrong
// without saying where, for Parse and the log reader to place.
func parse(line string) (Checkpoint, error) {
	if line == "" {
		return Checkpoint{}, errors.New("the line is empty")
	}
	for i := 0; i < len(line); i++ {
		// The base64 decoder skips line breaks, and a stray carriage return
		// would otherwise surface as a puzzling bad field: name it.
		if b := line[i]; b < 0x20 || b == 0x7f {
			return Checkpoint{}, fmt.Errorf("the line holds the control character %q at byte %d", b, i+1)
		}
	}
	f := strings.Split(line, " ")
	if len(f) != 5 {
		plural := "s"
		if len(f) == 1 {
			plural = ""
		}
		return Checkpoint{}, fmt.Errorf("the line has %d field%s, want 5 separated by single spaces: %s <seq> <hash> <time> <signature>",
			len(f), plural, Version)
	}
	if f[0] != Version {
		return Checkpoint{}, fmt.Errorf("the version %s is not %s", show(f[0]), Version)
	}
	seq, err := strconv.ParseInt(f[1], 10, 64)
	// Comparing with the number written back refuses "+7" and "007", which
	// ParseInt takes: one checkpoint, one way to write it.
	if err != nil || seq <= 0 || strconv.FormatInt(seq, 10) != f[1] {
		return Checkpoint{}, fmt.Errorf("the seq %s is not a positive integer", show(f[1]))
	}
	if !isHash(f[2]) {
		return Checkpoint{}, fmt.Errorf("the hash %s is not 64 lowercase hex digits", show(f[2]))
	}
	at, err := time.Parse(TimeLayout, f[3])
	if err != nil || at.Format(TimeLayout) != f[3] {
		return Checkpoint{}, fmt.Errorf("the time %s is not UTC with microseconds, as %s", show(f[3]), TimeLayout)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(f[4])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the signature %s is not base64", show(f[4]))
	}
	if len(sig) != ed25519.SignatureSize {
		return Checkpoint{}, fmt.Errorf("the signature has %d bytes, want %d", len(sig), ed25519.SignatureSize)
	}
	return Checkpoint{Seq: seq, Hash: f[2], At: at, Sig: sig}, nil
}

// isHash reports whether s is a hex SHA-256 as the audit package writes it.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
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
