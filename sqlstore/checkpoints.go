package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"tandem/checkpoint"
)

// Checkpoints are written at least this often, and every this many entries.
const (
	CheckpointInterval = time.Minute
	CheckpointEvery    = 1000
)

// checkpoints signs the tree of the trail into an append-only file beside
// the database, so that entries deleted, reordered or cut off the end, or
// a trail rewritten from some point on, are detected by VerifyAudit, and a
// witness can hold the log to its past.
type checkpoints struct {
	log *checkpoint.Log
	key *checkpoint.Key

	mu       sync.Mutex
	signedAt time.Time // when this process last signed; zero before
}

// WithCheckpoints gives the store its checkpoint file and signing key.
func WithCheckpoints(log *checkpoint.Log, key *checkpoint.Key) Option {
	return func(s *Store) { s.checkpoints = &checkpoints{log: log, key: key} }
}

// CheckpointKey returns the key the store signs checkpoints with, nil
// when it keeps none.
func (s *Store) CheckpointKey() *checkpoint.Key {
	if s.checkpoints == nil {
		return nil
	}
	return s.checkpoints.key
}

// Checkpoint signs the tree of the trail into the checkpoint file when one
// is due: the trail grew by CheckpointEvery entries, or CheckpointInterval
// passed since this process last signed, or force and the trail grew at
// all.
func (s *Store) Checkpoint(ctx context.Context, force bool) error {
	if s.checkpoints == nil {
		return nil
	}
	if err := s.chain(ctx); err != nil {
		return err
	}
	return s.checkpointNow(ctx, force)
}

// checkpointNow is Checkpoint of the chain as it stands, without chaining
// what is pending first: for the chainer itself.
func (s *Store) checkpointNow(ctx context.Context, force bool) error {
	cps := s.checkpoints
	if cps == nil {
		return nil
	}
	cps.mu.Lock()
	defer cps.mu.Unlock()
	var size uint64
	var root []byte
	err := s.view(ctx, func(tx *Tx) error {
		var n int64
		if err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&n); err != nil {
			return err
		}
		size = uint64(n)
		last, ok, err := cps.log.Last()
		if err != nil {
			return err
		}
		interval := CheckpointInterval
		if force {
			interval = 0
		}
		since := time.Duration(1<<63 - 1)
		if !cps.signedAt.IsZero() {
			since = s.clock.Now().Sub(cps.signedAt)
		}
		if !force && !checkpoint.Due(last.Size, ok, since, size, CheckpointEvery, interval) {
			size = 0
			return nil
		}
		// Never sign, nor serve, a trail that does not extend the last
		// checkpoint: that would vouch for the loss or the fork.
		if ok {
			if size < last.Size {
				return fmt.Errorf("the audit trail holds %d entries, fewer than the %d its last checkpoint signed: it was cut or rolled back, and no checkpoint is signed", size, last.Size)
			}
			r, _, err := tx.treeRange(last.Size)
			if err != nil {
				return fmt.Errorf("audit: the tree: %w", err)
			}
			if root, err := checkpoint.Root(r); err != nil || !bytes.Equal(root, last.Root) {
				return fmt.Errorf("the first %d entries no longer match the last checkpoint: the trail was rewritten, and no checkpoint is signed", last.Size)
			}
			if size == last.Size {
				size = 0 // nothing new to sign
				return nil
			}
		} else if size == 0 {
			return nil
		}
		r, _, err := tx.treeRange(size)
		if err != nil {
			return fmt.Errorf("audit: the tree: %w", err)
		}
		root, err = checkpoint.Root(r)
		return err
	})
	if err != nil || root == nil {
		return err
	}
	c, err := checkpoint.Sign(cps.key, size, root)
	if err != nil {
		return err
	}
	err = cps.log.Append(c)
	if errors.Is(err, checkpoint.ErrStale) {
		return nil // another writer got there first
	}
	if err == nil {
		cps.signedAt = s.clock.Now()
	}
	return err
}

// readCheckpoints reads the checkpoint file (none without checkpoints).
func (s *Store) readCheckpoints() ([]checkpoint.Checkpoint, error) {
	if s.checkpoints == nil {
		return nil, nil
	}
	cps, err := s.checkpoints.log.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return cps, nil
}

// verifyCheckpoints checks the checkpoints against the trail just walked:
// roots holds the root of the tree at each checkpointed size the trail
// reached, size the number of entries.
func (s *Store) verifyCheckpoints(cps []checkpoint.Checkpoint, roots map[uint64][]byte, size uint64) error {
	if s.checkpoints == nil {
		return nil
	}
	// Every command that writes closes the store with a checkpoint, and the
	// server makes one a minute: a trail with entries and none has lost its
	// checkpoint file, and with it what would show the history rewritten.
	if len(cps) == 0 && size > 0 {
		return fmt.Errorf("the audit trail holds %d entries but the checkpoint file holds no signed checkpoint: it was deleted or emptied", size)
	}
	return checkpoint.Verify(s.checkpoints.key.Verifier(), cps, func(n uint64) ([]byte, bool) {
		r, ok := roots[n]
		return r, ok
	}, size)
}
