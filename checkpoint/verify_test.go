package checkpoint_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"tandem/checkpoint"
)

// signedEvery returns good checkpoints of entries 1000, 2000 and 3000,
// signed an hour apart from t0.
func signedEvery() []checkpoint.Checkpoint {
	var cps []checkpoint.Checkpoint
	for i, seq := range []int64{1000, 2000, 3000} {
		cps = append(cps, checkpoint.Sign(key, seq, hashOf(seq), t0.Add(time.Duration(i)*time.Hour)))
	}
	return cps
}

func TestVerify(t *testing.T) {
	keep := func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { return cps }
	// rewritten stands for a chain of 3500 entries rewritten from entry
	// from on.
	rewritten := func(from int64) func(int64) (string, bool) {
		return func(seq int64) (string, bool) {
			h, ok := chain(3500)(seq)
			if ok && seq >= from {
				h = hashOf(-seq)
			}
			return h, ok
		}
	}
	for _, tc := range []struct {
		name string
		// change spoils the good checkpoints of signedEvery.
		change    func([]checkpoint.Checkpoint) []checkpoint.Checkpoint
		pub       ed25519.PublicKey // nil: the signing key's
		entryHash func(int64) (string, bool)
		head      int64
		want      string // "": Verify passes
	}{
		{"whole chain past the last checkpoint", keep, nil, chain(3500), 3500, ""},
		{"head at the last checkpoint", keep, nil, chain(3000), 3000, ""},
		{"no checkpoints", func([]checkpoint.Checkpoint) []checkpoint.Checkpoint { return nil }, nil, chain(0), 0, ""},
		{"seq changed", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { cps[1].Seq = 2001; return cps }, nil, chain(3500), 3500,
			"checkpoint 2 (entry 2001): the signature does not verify: the checkpoint file was altered or signed by another key"},
		{"moved to another entry with its hash", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[1].Seq, cps[1].Hash = 2500, hashOf(2500)
			return cps
		}, nil, chain(3500), 3500, "checkpoint 2 (entry 2500): the signature does not verify"},
		{"hash changed", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { cps[1].Hash = hashOf(-2000); return cps }, nil,
			rewritten(2000), 3500, "checkpoint 2 (entry 2000): the signature does not verify"},
		{"time changed by a microsecond", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[0].At = cps[0].At.Add(time.Microsecond)
			return cps
		}, nil, chain(3500), 3500, "checkpoint 1 (entry 1000): the signature does not verify"},
		{"signature byte flipped", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { cps[2].Sig[10] ^= 1; return cps }, nil,
			chain(3500), 3500, "checkpoint 3 (entry 3000): the signature does not verify"},
		{"signature of another checkpoint", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { cps[1].Sig = cps[0].Sig; return cps },
			nil, chain(3500), 3500, "checkpoint 2 (entry 2000): the signature does not verify"},
		{"signature cut short", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { cps[1].Sig = cps[1].Sig[:63]; return cps },
			nil, chain(3500), 3500, "checkpoint 2 (entry 2000): the signature does not verify"},
		{"checkpoint signed by another key", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[2] = checkpoint.Sign(other, cps[2].Seq, cps[2].Hash, cps[2].At)
			return cps
		}, nil, chain(3500), 3500, "checkpoint 3 (entry 3000): the signature does not verify: the checkpoint file was altered or signed by another key"},
		{"verified with another key", keep, pub(other), chain(3500), 3500, "checkpoint 1 (entry 1000): the signature does not verify"},
		{"public key of the wrong length", keep, pub(key)[:31], chain(3500), 3500, "the checkpoint public key has 31 bytes, want 32"},
		{"checkpoints reordered", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[1], cps[2] = cps[2], cps[1]
			return cps
		}, nil, chain(3500), 3500, "checkpoint 3 (entry 2000) does not come after checkpoint 2 (entry 3000): checkpoints were reordered or repeated"},
		{"checkpoint repeated", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint { return append(cps, cps[2]) }, nil,
			chain(3500), 3500, "checkpoint 4 (entry 3000) does not come after checkpoint 3 (entry 3000)"},
		{"newest entries cut off", keep, nil, chain(2500), 2500,
			"entry 3000, checkpointed at 2025-03-10 11:00:00, is missing: entries were cut off the end of the trail"},
		{"cut off below every checkpoint", keep, nil, chain(999), 999,
			"entry 1000, checkpointed at 2025-03-10 09:00:00, is missing: entries were cut off the end of the trail"},
		{"chain emptied", keep, nil, chain(0), 0, "entry 1000, checkpointed at 2025-03-10 09:00:00, is missing: entries were cut off"},
		{"checkpointed entry rewritten", keep, nil, func(seq int64) (string, bool) {
			if seq == 2000 {
				return hashOf(-2000), true
			}
			return chain(3500)(seq)
		}, 3500, "entry 2000 does not match the checkpoint signed at 2025-03-10 10:00:00: the trail was rewritten"},
		{"chain rewritten from between two checkpoints", keep, nil, rewritten(1500), 3500,
			"entry 2000 does not match the checkpoint signed at 2025-03-10 10:00:00: the trail was rewritten"},
		{"chain rewritten after the last checkpoint", keep, nil, rewritten(3001), 3500, ""},
		{"rewritten and cut off: the earlier checkpoint is named", keep, nil, rewritten(1500), 2500,
			"entry 2000 does not match the checkpoint signed at 2025-03-10 10:00:00"},
		{"checkpointed entry missing below the head", keep, nil, func(seq int64) (string, bool) {
			if seq == 2000 {
				return "", false
			}
			return chain(3500)(seq)
		}, 3500, "entry 2000, checkpointed at 2025-03-10 10:00:00, is missing: entries were removed from the trail"},
		{"altered checkpoint on a cut chain is named as altered", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[2].Sig[0] ^= 0x80
			return cps
		}, nil, chain(500), 500, "checkpoint 3 (entry 3000): the signature does not verify"},
		{"reordered checkpoints on a cut chain are named as reordered", func(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
			cps[0], cps[1] = cps[1], cps[0]
			return cps
		}, nil, chain(500), 500, "checkpoint 2 (entry 1000) does not come after checkpoint 1 (entry 2000)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pub
			if p == nil {
				p = pub(key)
			}
			err := checkpoint.Verify(p, tc.change(signedEvery()), tc.entryHash, tc.head)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify: %v, want no finding", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Verify passed, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("Verify: %q\nwant it to say %q", err, tc.want)
			}
		})
	}
}

func TestVerify_NamesTimesInUTC(t *testing.T) {
	c := checkpoint.Sign(key, 5, hashOf(5), time.Date(2025, 6, 1, 1, 30, 0, 0, time.FixedZone("CEST", 2*3600)))
	err := checkpoint.Verify(pub(key), []checkpoint.Checkpoint{c}, chain(4), 4)
	if err == nil || !strings.Contains(err.Error(), "checkpointed at 2025-05-31 23:30:00,") {
		t.Errorf("Verify: %v, want the time in UTC", err)
	}
}

func TestDue(t *testing.T) {
	last := checkpoint.Sign(key, 1000, hashOf(1000), t0)
	const every, interval = 1000, time.Hour
	for _, tc := range []struct {
		name    string
		hasLast bool
		head    int64
		now     time.Time
		every   int64
		want    bool
	}{
		{"no checkpoint, empty chain", false, 0, t0, every, false},
		{"no checkpoint, first entry", false, 1, t0, every, true},
		{"head not moved, long after", true, 1000, t0.Add(48 * time.Hour), every, false},
		{"head below the last checkpoint", true, 900, t0.Add(48 * time.Hour), every, false},
		{"moved less than every, soon after", true, 1999, t0.Add(interval - time.Microsecond), every, false},
		{"moved exactly every", true, 2000, t0.Add(time.Minute), every, true},
		{"moved past every", true, 2500, t0, every, true},
		{"moved one, interval passed", true, 1001, t0.Add(interval), every, true},
		{"moved one, clock set back", true, 1001, t0.Add(-interval), every, false},
		{"every zero: each move", true, 1001, t0, 0, true},
		{"every zero, head not moved", true, 1000, t0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := last
			if !tc.hasLast {
				l = checkpoint.Checkpoint{}
			}
			if got := checkpoint.Due(l, tc.hasLast, tc.head, tc.now, tc.every, interval); got != tc.want {
				t.Errorf("Due(head %d, %v after) = %v, want %v", tc.head, tc.now.Sub(t0), got, tc.want)
			}
		})
	}
}
