package checkpoint

import (
	"bytes"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Verify checks checkpoints, in file order, against the audit trail:
// rootAt gives the root hash of the tree of the first size entries (false
// if the trail is shorter), and size is the number of entries in the
// trail. The caller checks the chain itself first (audit.Chain); Verify
// finds what a chain that is whole can still hide.
//
// It checks every signature first, so that a forged or altered checkpoint
// is named as such rather than as a finding about the trail; then that the
// sizes strictly increase, as Log.Append writes them; then that each
// checkpointed tree is still there with the same root. It returns nil when
// all of that holds, and otherwise an error naming the first problem and
// the checkpoint by its number in the file.
//
// No checkpoints verify trivially: the caller must judge whether a file
// that is missing or shorter than it should be is itself a finding.
func Verify(v note.Verifier, cps []Checkpoint, rootAt func(size uint64) ([]byte, bool), size uint64) error {
	for i, c := range cps {
		if _, err := Open(c.Note, v); err != nil {
			return fmt.Errorf("checkpoint %d (%d entries): %v", i+1, c.Size, err)
		}
	}
	for i := 1; i < len(cps); i++ {
		if cps[i].Size <= cps[i-1].Size {
			return fmt.Errorf("checkpoint %d (%d entries) does not come after checkpoint %d (%d entries): checkpoints were reordered or repeated",
				i+1, cps[i].Size, i, cps[i-1].Size)
		}
	}
	for i, c := range cps {
		if c.Size > size {
			return fmt.Errorf("entry %d, under checkpoint %d of %d entries, is missing: entries were cut off the end of the trail", size+1, i+1, c.Size)
		}
		root, ok := rootAt(c.Size)
		if !ok {
			return fmt.Errorf("the tree of the first %d entries, under checkpoint %d, was not computed", c.Size, i+1)
		}
		if !bytes.Equal(root, c.Root) {
			return fmt.Errorf("the first %d entries do not match checkpoint %d: the trail was rewritten", c.Size, i+1)
		}
	}
	return nil
}

// Due reports whether a new checkpoint should be signed, given the size of
// the last one (hasLast false when there is none), how long since it was
// signed, and the trail's size now: when the trail has grown by every
// entries or more, or interval or longer has passed; or, with no
// checkpoint yet, as soon as the trail has an entry. A trail at or below
// the last checkpoint is never due: signing a trail that has lost entries
// would vouch for the loss. every or interval zero or below means every
// growth of the trail.
func Due(lastSize uint64, hasLast bool, since time.Duration, size uint64, every uint64, interval time.Duration) bool {
	if !hasLast {
		return size > 0
	}
	if size <= lastSize {
		return false
	}
	return size-lastSize >= every || since >= interval
}
