package audit_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/audit"
)

// entryOf builds an entry from fuzzed values. The strings are split at NUL
// into the seven text fields, so that one fuzzed string can put bytes
// anywhere, field separators and length digits included.
func entryOf(seq int64, nanos int64, fields string) *tandem.AuditEvent {
	f := strings.SplitN(fields, "\x00", 7)
	for len(f) < 7 {
		f = append(f, "")
	}
	// Times the canonical layout can write: years 1 to 9999.
	const span = int64(9998*365*24*3600) * 1e6
	us := nanos % span
	if us < 0 {
		us += span
	}
	at := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(us) * time.Microsecond)
	return &tandem.AuditEvent{Seq: seq, At: at, Actor: f[0], Action: f[1], ObjectType: f[2], ObjectID: f[3], Reason: f[4],
		RecordHash: f[5], PrevHash: f[6]}
}

// sameEntry reports whether two entries agree on every field the hash
// covers.
func sameEntry(a, b *tandem.AuditEvent) bool {
	return a.Seq == b.Seq && a.At.Equal(b.At) && a.Actor == b.Actor && a.Action == b.Action && a.ObjectType == b.ObjectType &&
		a.ObjectID == b.ObjectID && a.Reason == b.Reason && a.RecordHash == b.RecordHash && a.PrevHash == b.PrevHash
}

func FuzzCanonical(f *testing.F) {
	f.Add(int64(1), int64(0), "a\x00b\x00c\x00d\x00e\x00f\x00g", int64(1), int64(0), "a\x00b\x00c\x00d\x00e\x00f\x00g")
	f.Add(int64(1), int64(5), "ab\x00c", int64(1), int64(5), "a\x00bc")
	f.Add(int64(12), int64(7), "x\x001:y", int64(1), int64(7), "2\x00x\x001:y")
	f.Add(int64(-1), int64(-9), "\n\x00:", int64(-1), int64(-9), "\n:\x00")
	f.Fuzz(func(t *testing.T, seq1, at1 int64, s1 string, seq2, at2 int64, s2 string) {
		a, b := entryOf(seq1, at1, s1), entryOf(seq2, at2, s2)
		ca, cb := audit.Canonical(a), audit.Canonical(b)
		if same := sameEntry(a, b); same != bytes.Equal(ca, cb) {
			t.Fatalf("entries equal %v but canonical bytes equal %v:\n%+v\n%+v\n%q", same, !same, a, b, ca)
		}
		if sameEntry(a, b) != (audit.Hash(a) == audit.Hash(b)) {
			t.Fatalf("hash equality disagrees with entry equality")
		}
	})
}

func FuzzChainNext(f *testing.F) {
	good := sealed(2)
	f.Add(good[0].Seq, int64(0), good[0].Hash, "actor\x00action", good[1].Seq, int64(1), good[1].Hash, "x")
	f.Add(int64(1), int64(0), "", "", int64(2), int64(0), "", "")
	f.Add(int64(-1), int64(-1), "zz", "\x00\x00\x00\x00\x00\x00"+audit.GenesisHash, int64(0), int64(3), "0", "")
	f.Fuzz(func(t *testing.T, seq1, at1 int64, hash1, s1 string, seq2, at2 int64, hash2, s2 string) {
		// Sealing any contents gives a chain that verifies.
		a, b := entryOf(seq1, at1, s1), entryOf(seq2, at2, s2)
		audit.Seal(a, nil)
		audit.Seal(b, a)
		c := audit.NewChain()
		if err := c.Next(a); err != nil {
			t.Fatalf("sealed first entry refused: %v", err)
		}
		if err := c.Next(b); err != nil {
			t.Fatalf("sealed second entry refused: %v", err)
		}
		// Arbitrary entries are refused or accepted without panic, and only
		// when they are in their place with a true hash.
		c = audit.NewChain()
		for i, e := range []*tandem.AuditEvent{entryOf(seq1, at1, s1), entryOf(seq2, at2, s2)} {
			e.Hash = []string{hash1, hash2}[i]
			wantSeq, wantPrev := int64(1), audit.GenesisHash
			if h := c.Head(); h != nil {
				wantSeq, wantPrev = h.Seq+1, h.Hash
			}
			if err := c.Next(e); err != nil {
				if err.Error() == "" {
					t.Fatalf("empty error")
				}
				return
			}
			if e.Seq != wantSeq || e.PrevHash != wantPrev || e.Hash != audit.Hash(e) {
				t.Fatalf("Next accepted entry %+v out of place (want seq %d prev %s)", e, wantSeq, wantPrev)
			}
		}
	})
}
