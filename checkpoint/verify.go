package checkpoint

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// shownTime is how a checkpoint's time appears in a finding, for a person.
const shownTime = "2006-01-02 15:04:05"

// Verify checks checkpoints, in file order, against the audit chain:
// entryHash gives the hash of the entry numbered seq (false if there is no
// such entry) and head is the number of the chain's last entry (0 for an
// empty chain). The caller checks the chain itself first (audit.Chain);
// Verify finds what a chain that is whole can still hide.
//
// It checks every signature first, so that a forged or altered checkpoint
// is named as such rather than as a finding about the trail; then that the
// sequence numbers strictly increase, as Log.Append writes them; then that
// each checkpointed entry is still there with the same hash. It returns nil
// when all of that holds, and otherwise an error naming the first problem
// and the checkpoint by its line number in the file.
//
// No checkpoints verify trivially: the caller must judge whether a file
// that is missing or shorter than it should be is itself a finding.
func Verify(pub ed25519.PublicKey, cps []Checkpoint, entryHash func(seq int64) (string, bool), head int64) error {
	// ed25519.Verify panics on a key of the wrong length.
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("the checkpoint public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	for i, c := range cps {
		if !ed25519.Verify(pub, signed(c.Seq, c.Hash, c.At), c.Sig) {
			return fmt.Errorf("checkpoint %d (entry %d): the signature does not verify: the checkpoint file was altered or signed by another key",
				i+1, c.Seq)
		}
	}
	for i := 1; i < len(cps); i++ {
		if cps[i].Seq <= cps[i-1].Seq {
			return fmt.Errorf("checkpoint %d (entry %d) does not come after checkpoint %d (entry %d): checkpoints were reordered or repeated",
				i+1, cps[i].Seq, i, cps[i-1].Seq)
		}
	}
	for _, c := range cps {
		at := c.At.UTC().Format(shownTime)
		if c.Seq > head {
			return fmt.Errorf("entry %d, checkpointed at %s, is missing: entries were cut off the end of the trail", c.Seq, at)
		}
		hash, ok := entryHash(c.Seq)
		if !ok {
			return fmt.Errorf("entry %d, checkpointed at %s, is missing: entries were removed from the trail", c.Seq, at)
		}
		if hash != c.Hash {
			return fmt.Errorf("entry %d does not match the checkpoint signed at %s: the trail was rewritten", c.Seq, at)
		}
	}
	return nil
}

// Due reports whether a new checkpoint should be signed, given the last
// one (hasLast false when there is none) and the chain's head now: when the
// head has moved past the last checkpoint by every entries or more, or
// interval or longer has passed since it was signed; or, with no
// checkpoint yet, as soon as the chain has an entry. A head at or below the
// last checkpoint is never due: signing a chain that has lost entries would
// vouch for the loss. every or interval zero or below means every move of
// the head.
func Due(last Checkpoint, hasLast bool, head int64, now time.Time, every int64, interval time.Duration) bool {
	if !hasLast {
		return head > 0
	}
	if head <= last.Seq {
		return false
	}
	return head-last.Seq >= every || now.Sub(last.At) >= interval
}
