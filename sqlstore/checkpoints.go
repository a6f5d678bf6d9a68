package sqlstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"tandem/checkpoint"
)

// Checkpoints are written at least this often, and every this many entries.
const (
	CheckpointInterval = time.Minute
	CheckpointEvery    = 1000
)

// checkpoints signs the chain's head into an append-only file beside the
// database, so that entries deleted, reordered or cut off the end, or a
// chain rewritten from some point on, are detected by VerifyAudit.
type checkpoints struct {
	log *checkpoint.Log
	key ed25519.PrivateKey
}

// WithCheckpoints gives the store its checkpoint file and signing key.
func WithCheckpoints(log *checkpoint.Log, key ed25519.PrivateKey) Option {
	return func(s *Store) { s.checkpoints = &checkpoints{log: log, key: key} }
}

// Checkpoint signs the chain's head into the checkpoint file when one is
// due: the head moved by CheckpointEvery entries, or CheckpointInterval
// passed since the last one, or force and the head moved at all.
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
	if s.checkpoints == nil {
		return nil
	}
	var seq int64
	var hash string
	err := s.view(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
		if isNoRows(err) {
			return nil
		}
		return err
	})
	if err != nil || seq == 0 {
		return err
	}
	last, ok, err := s.checkpoints.log.Last()
	if err != nil {
		return err
	}
	interval := CheckpointInterval
	if force {
		interval = 0
	}
	now := s.clock.Now()
	if !checkpoint.Due(last, ok, seq, now, CheckpointEvery, interval) {
		return nil
	}
	err = s.checkpoints.log.Append(checkpoint.Sign(s.checkpoints.key, seq, hash, now))
	if errors.Is(err, checkpoint.ErrStale) {
		return nil // another writer got there first
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

// verifyCheckpoints checks the checkpoints against the chain just walked:
// hashes holds the hash of each checkpointed entry found ("" when the
// chain had no such entry), head the chain's last seq.
func (s *Store) verifyCheckpoints(cps []checkpoint.Checkpoint, hashes map[int64]string, head int64) error {
	if s.checkpoints == nil {
		return nil
	}
	// Every command that writes closes the store with a checkpoint, and the
	// server makes one a minute: a trail with entries and none has lost its
	// checkpoint file, and with it what would show the history rewritten.
	if len(cps) == 0 && head > 0 {
		return fmt.Errorf("the audit trail holds entries up to %d but the checkpoint file holds no signed checkpoint: it was deleted or emptied", head)
	}
	return checkpoint.Verify(s.checkpoints.key.Public().(ed25519.PublicKey), cps, func(seq int64) (string, bool) {
		h, ok := hashes[seq]
		return h, ok && h != ""
	}, head)
}
