package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// ErrStale is returned by Log.Append for a checkpoint that is not after the
// last one in the file. Two writers that sign at the same moment can reach
// the file in either order; keeping the later-numbered one only keeps the
// file in the strictly increasing order Verify demands.
var ErrStale = errors.New("checkpoint is not after the last one in the file")

// Log is the append-only file of checkpoints, one line each. Its methods
// are safe to call from several goroutines, and several processes may
// append to one file (a server and a command beside it): each append holds
// a lock on the file while it reads the last line and writes the next.
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

// Append adds c to the end of the file and syncs it: a checkpoint is
// written when Append returns nil. It refuses a checkpoint that is not
// after the last one (ErrStale), one whose line would not parse, and to
// write after a last line that does not parse, which a person must look
// at. A last line cut short by a crash is left for ReadAll to report, and c
// starts a line of its own.
func (l *Log) Append(c Checkpoint) error {
	line := c.Line()
	if _, err := Parse(line); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.open(); err != nil {
		return err
	}
	// Between processes too (the server and a command beside it): the
	// last line is read and the next written under one lock on the file.
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("append to %s: lock: %w", l.path, err)
	}
	defer syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	last, torn, err := tail(l.f)
	if err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	if last != "" {
		prev, err := Parse(last)
		if err != nil {
			return fmt.Errorf("append to %s: its last line: %w", l.path, err)
		}
		if c.Seq <= prev.Seq {
			return fmt.Errorf("append to %s: %w: entry %d, the last is entry %d", l.path, ErrStale, c.Seq, prev.Seq)
		}
	}
	if torn {
		line = "\n" + line
	}
	// One write per line: with O_APPEND it lands whole at the end, and if
	// it is cut short, the next Append sees the torn line and steps past it.
	if _, err := l.f.WriteString(line); err != nil {
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

// ReadAll returns the checkpoints in file order. A missing file holds none.
// At the first line that does not parse, or a last line cut short (no
// newline at its end), it returns the checkpoints before that line and an
// error naming the file and the line number.
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
	cps, err := parseAll(data)
	if err != nil {
		return cps, fmt.Errorf("checkpoint file %s, %w", l.path, err)
	}
	return cps, nil
}

// parseAll reads the checkpoints of a whole file.
func parseAll(data []byte) ([]Checkpoint, error) {
	var cps []Checkpoint
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return cps, fmt.Errorf("line %d is cut short (no newline at its end): a write was interrupted", n)
		}
		c, err := parse(string(data[:i]))
		if err != nil {
			return cps, fmt.Errorf("line %d: %w", n, err)
		}
		cps = append(cps, c)
		data = data[i+1:]
	}
	return cps, nil
}

// Last returns the checkpoint on the last whole line of the file, and false
// when there is none. It reads only the end of the file, so that a writer
// can ask before every write whether a checkpoint is due. A line cut short
// after it is passed over (ReadAll reports it); a last whole line that does
// not parse is an error.
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
	last, _, err := tail(f)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint file %s: %w", l.path, err)
	}
	if last == "" {
		return Checkpoint{}, false, nil
	}
	c, err := Parse(last)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint file %s, its last line: %w", l.path, err)
	}
	return c, true, nil
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
// checkpoint lines, which are about 200 bytes each.
const tailSize = 4096

// tail returns the last whole line of the file, without its newline ("" if
// there is none), and whether a line cut short follows it.
func tail(f *os.File) (last string, torn bool, err error) {
	info, err := f.Stat()
	if err != nil {
		return "", false, err
	}
	size := info.Size()
	for n := min(size, tailSize); n > 0; n = size {
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, size-n); err != nil {
			return "", false, err
		}
		torn = buf[n-1] != '\n'
		end := bytes.LastIndexByte(buf, '\n')
		if end < 0 && n < size {
			continue // no line ends in the window: read the whole file
		}
		if end < 0 {
			return "", torn, nil
		}
		start := bytes.LastIndexByte(buf[:end], '\n') + 1
		if start == 0 && n < size {
			continue // the line may start before the window
		}
		return string(buf[start:end]), torn, nil
	}
	return "", false, nil
}
