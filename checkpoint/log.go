package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// ErrStale is returned by Log.Append for a checkpoint that is not of a
// larger tree than the last one in the file. Two writers that sign at the
// same moment can reach the file in either order; keeping the larger one
// only keeps the file in the strictly increasing order Verify demands.
var ErrStale = errors.New("checkpoint is not of a larger tree than the last one in the file")

// Log is the append-only file of checkpoints, signed notes one after
// another. Its methods are safe to call from several goroutines, and
// several processes may append to one file (a server and a command beside
// it): each append holds a lock on the file while it reads the last note
// and writes the next.
type Log struct {
	path string
	mu   sync.Mutex
	f    *os.File // opened for appending by the first Append
}

// OpenLog returns the checkpoint file at path. A missing file is not an
// error, and is not created until the first Append: reading the checkpoints
// of a data folder must not change it.
func OpenLog(path string) (*Log, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("checkpoint file: %w", err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("checkpoint file %s is not a regular file", path)
	}
	return &Log{path: path}, nil
}

// Path returns the file's path.
func (l *Log) Path() string { return l.path }

// Append adds c to the end of the file and syncs it: a checkpoint is
// written when Append returns nil. It refuses a checkpoint that is not of
// a larger tree than the last (ErrStale), and to write after a last note
// that does not parse, which a person must look at. What a crash left of a
// note cut short, which is unsigned, is cut before c is written.
func (l *Log) Append(c Checkpoint) error {
	if _, err := parseAll(c.Note); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.open(); err != nil {
		return err
	}
	// Between processes too (the server and a command beside it): the
	// last note is read and the next written under one lock on the file.
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("append to %s: lock: %w", l.path, err)
	}
	defer syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	prev, ok, torn, err := tail(l.f)
	if err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	if ok && c.Size <= prev.Size {
		return fmt.Errorf("append to %s: %w: %d entries, the last is of %d", l.path, ErrStale, c.Size, prev.Size)
	}
	if torn > 0 {
		// What a crash left of an unfinished note is no checkpoint (it is
		// unsigned): cut it, so that the file stays notes one after
		// another.
		info, err := l.f.Stat()
		if err != nil {
			return fmt.Errorf("append to %s: %w", l.path, err)
		}
		if err := l.f.Truncate(info.Size() - torn); err != nil {
			return fmt.Errorf("append to %s: cut the unfinished note: %w", l.path, err)
		}
	}
	text := c.Note
	// One write per note: with O_APPEND it lands whole at the end, and if
	// it is cut short, the next Append sees the torn note and steps past it.
	if _, err := l.f.Write(text); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	return nil
}

// open opens the file for appending, creating it readable by its owner
// only (it sits among the data), and syncs the folder when it is new.
func (l *Log) open() error {
	if l.f != nil {
		return nil
	}
	created := true
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		created = false
		f, err = os.OpenFile(l.path, os.O_RDWR|os.O_APPEND, 0)
	}
	if err != nil {
		return fmt.Errorf("checkpoint file: %w", err)
	}
	if created {
		if err := syncDir(filepath.Dir(l.path)); err != nil {
			f.Close()
			return fmt.Errorf("checkpoint file: %w", err)
		}
	}
	l.f = f
	return nil
}

// ReadAll returns the checkpoints in file order, their signatures not yet
// checked (that is Verify's work). A missing file holds none. A last note
// cut short by a crash is no checkpoint and is passed over; at the first
// note that does not parse, it returns the checkpoints before it and an
// error naming the file and the note.
func (l *Log) ReadAll() ([]Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	cps, _, err := parseFile(data)
	if err != nil {
		return cps, fmt.Errorf("checkpoint file %s, %w", l.path, err)
	}
	return cps, nil
}

// sigPrefix opens a signature line of a signed note.
const sigPrefix = "\u2014 "

// errTorn is a note that the data ends inside: a write cut short.
var errTorn = errors.New("it is cut short: a write was interrupted")

// parseFile is parseAll for the log's file, where a note cut short at
// the very end is what a crash mid-write leaves, not tampering: it returns
// the notes before it and where it starts (-1 when there is none).
func parseFile(data []byte) ([]Checkpoint, int, error) {
	cps, err := parseAll(data)
	if err == nil {
		return cps, -1, nil
	}
	if !errors.Is(err, errTorn) {
		return cps, -1, err
	}
	at := 0
	for _, c := range cps {
		at += len(c.Note)
	}
	return cps, at, nil
}

// parseAll reads the notes of a whole file: each three lines of text, a
// blank line and one or more signature lines. The signatures are read as
// lines, not checked.
func parseAll(data []byte) ([]Checkpoint, error) {
	var cps []Checkpoint
	for n := 1; len(data) > 0; n++ {
		end, err := noteEnd(data)
		if err != nil {
			return cps, fmt.Errorf("checkpoint %d: %w", n, err)
		}
		c, err := parseBody(string(data[:bytes.Index(data, []byte("\n\n"))+1]))
		if err != nil {
			return cps, fmt.Errorf("checkpoint %d: %w", n, err)
		}
		c.Note = data[:end:end]
		cps = append(cps, c)
		data = data[end:]
	}
	return cps, nil
}

// noteEnd returns the length of the note data opens with.
func noteEnd(data []byte) (int, error) {
	if bytes.HasPrefix(data, []byte("v1 ")) {
		return 0, errors.New("it is a line of the earlier format, from before checkpoints were signed notes: move the file aside with its key (docs/audit.md, \"Upgrading\")")
	}
	at := 0
	line := func() (string, bool) {
		i := bytes.IndexByte(data[at:], '\n')
		if i < 0 {
			return "", false
		}
		s := string(data[at : at+i])
		at += i + 1
		return s, true
	}
	for i := 0; i < 3; i++ {
		s, ok := line()
		if !ok {
			return 0, errTorn
		}
		if s == "" || strings.HasPrefix(s, sigPrefix) {
			return 0, fmt.Errorf("its text has %d lines, want 3: origin, size and root hash", i)
		}
	}
	if s, ok := line(); !ok {
		return 0, errTorn
	} else if s != "" {
		return 0, errors.New("its text has more than 3 lines, want 3: origin, size and root hash")
	}
	sigs := 0
	for at < len(data) && bytes.HasPrefix(data[at:], []byte(sigPrefix)) {
		if _, ok := line(); !ok {
			return 0, errTorn
		}
		sigs++
	}
	if sigs == 0 && bytes.IndexByte(data[at:], '\n') < 0 {
		return 0, errTorn // the data ends before the signature line does
	}
	if sigs == 0 {
		return 0, errors.New("it has no signature line")
	}
	return at, nil
}

// Last returns the checkpoint of the last whole note in the file, and false
// when there is none. It reads only the end of the file. A note cut short
// after it is passed over; a last note that does not parse is an error.
func (l *Log) Last() (Checkpoint, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.f
	if f == nil {
		var err error
		if f, err = os.Open(l.path); errors.Is(err, fs.ErrNotExist) {
			return Checkpoint{}, false, nil
		} else if err != nil {
			return Checkpoint{}, false, fmt.Errorf("checkpoint file: %w", err)
		}
		defer f.Close()
	}
	c, ok, _, err := tail(f)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint file %s, its last checkpoint: %w", l.path, err)
	}
	return c, ok, nil
}

// Close closes the file if Append opened it.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// tailSize is how much of the end of the file tail reads first: many
// notes, which are about 200 bytes each.
const tailSize = 4096

// tail returns the last whole note of the file (ok false if there is
// none), and how many bytes after it a crash left cut short.
func tail(f *os.File) (last Checkpoint, ok bool, torn int64, err error) {
	info, err := f.Stat()
	if err != nil {
		return Checkpoint{}, false, 0, err
	}
	size := info.Size()
	for n := min(size, tailSize); n > 0; n = size {
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, size-n); err != nil {
			return Checkpoint{}, false, 0, err
		}
		start := 0
		if n < size {
			// The window starts mid-file: notes start on the line after a
			// signature line that is not itself one.
			if start = noteStart(buf); start < 0 {
				continue // no whole note in the window: read the whole file
			}
		}
		cps, tornAt, err := parseFile(buf[start:])
		if err != nil {
			return Checkpoint{}, false, 0, err
		}
		if tornAt >= 0 {
			torn = int64(len(buf) - start - tornAt)
		}
		if len(cps) == 0 && n < size {
			continue
		}
		if len(cps) == 0 {
			return Checkpoint{}, false, torn, nil
		}
		return cps[len(cps)-1], true, torn, nil
	}
	return Checkpoint{}, false, 0, nil
}

// noteStart returns where the first note that starts in buf begins, -1
// when none does.
func noteStart(buf []byte) int {
	at := bytes.IndexByte(buf, '\n') + 1 // the first line may be cut
	for at > 0 && at < len(buf) {
		next := bytes.IndexByte(buf[at:], '\n')
		if next < 0 {
			return -1
		}
		if bytes.HasPrefix(buf[at:], []byte(sigPrefix)) {
			after := at + next + 1
			if after < len(buf) && !bytes.HasPrefix(buf[after:], []byte(sigPrefix)) {
				return after
			}
		}
		at += next + 1
	}
	return -1
}
