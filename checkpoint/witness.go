package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// State is what a witness keeps of a log: the log's verifier key, pinned
// on the first run, and the checkpoints it has seen, oldest first. It
// holds nothing secret and nothing of the trail but its checkpoints, so it
// can be kept on another machine by another department.
type State struct {
	Key         string // the log's verifier key, VerifierKey's form
	Checkpoints []Checkpoint
	verifier    note.Verifier
}

// NewState returns the state of a witness that has seen nothing yet of
// the log with the verifier key vkey.
func NewState(vkey string) (*State, error) {
	v, err := ParseVerifierKey(vkey)
	if err != nil {
		return nil, err
	}
	return &State{Key: strings.TrimSpace(vkey), verifier: v}, nil
}

// LoadState reads a witness's state: the verifier key on the first line,
// then the checkpoints as the log's own file holds them. Each checkpoint's
// signature is checked again: a state file edited by hand is named. A
// missing file is fs.ErrNotExist.
func LoadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	s, err := NewState(string(first))
	if err != nil {
		return nil, fmt.Errorf("witness state %s, its first line: %w", path, err)
	}
	cps, err := parseAll(rest)
	if err != nil {
		return nil, fmt.Errorf("witness state %s, %w", path, err)
	}
	for i, c := range cps {
		if _, err := Open(c.Note, s.verifier); err != nil {
			return nil, fmt.Errorf("witness state %s, checkpoint %d (%d entries): %v", path, i+1, c.Size, err)
		}
		if i > 0 && c.Size <= cps[i-1].Size {
			return nil, fmt.Errorf("witness state %s, checkpoint %d (%d entries) does not come after checkpoint %d (%d entries)", path, i+1, c.Size, i, cps[i-1].Size)
		}
	}
	s.Checkpoints = cps
	return s, nil
}

// Verifier returns the verifier of the log's signatures.
func (s *State) Verifier() note.Verifier { return s.verifier }

// Last returns the newest checkpoint seen, false before the first.
func (s *State) Last() (Checkpoint, bool) {
	if len(s.Checkpoints) == 0 {
		return Checkpoint{}, false
	}
	return s.Checkpoints[len(s.Checkpoints)-1], true
}

// Save writes the state to path whole or not at all: a new file beside
// it, synced, renamed over the old one.
func (s *State) Save(path string) error {
	var b bytes.Buffer
	b.WriteString(s.Key + "\n")
	for _, c := range s.Checkpoints {
		b.Write(c.Note)
	}
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	_, err = f.Write(b.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("witness state: %w", err)
	}
	return nil
}

// ErrInconsistent marks a log that failed its witness: it shrank, was
// rolled back or forked, or signed what does not verify.
var ErrInconsistent = errors.New("the log is not consistent with its past")

// Consistent checks that the checkpoint next extends old, a checkpoint of
// the same log seen before, given a consistency proof between their sizes
// (none when the sizes are equal). Its error wraps ErrInconsistent and
// names both sizes.
func Consistent(old, next Checkpoint, hashes [][]byte) error {
	switch {
	case next.Size < old.Size:
		return fmt.Errorf("%w: it shrank from %d entries to %d: it was cut or rolled back", ErrInconsistent, old.Size, next.Size)
	case next.Size == old.Size:
		if !bytes.Equal(old.Root, next.Root) {
			return fmt.Errorf("%w: at %d entries its root differs from the one seen before (%d entries): it forked", ErrInconsistent, next.Size, old.Size)
		}
		return nil
	}
	if err := proof.VerifyConsistency(Hasher, old.Size, next.Size, hashes, old.Root, next.Root); err != nil {
		return fmt.Errorf("%w: its %d entries do not extend the %d seen before: it was rewritten or forked", ErrInconsistent, next.Size, old.Size)
	}
	return nil
}
