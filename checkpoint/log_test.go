package checkpoint_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tandem/checkpoint"
)

// openLog opens a log in a new folder, holding content when it is not
// nil, and closes it after the test.
func openLog(t *testing.T, content []byte) (*checkpoint.Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.checkpoints")
	if content != nil {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := checkpoint.OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

// signedAt returns checkpoints of the given sizes under k.
func signedAt(t *testing.T, k *checkpoint.Key, sizes ...int) []checkpoint.Checkpoint {
	var out []checkpoint.Checkpoint
	for _, n := range sizes {
		out = append(out, mustSign(t, k, uint64(n), rootOf(t, 0, n)))
	}
	return out
}

func TestLog_AppendThenReadAllInFileOrder(t *testing.T) {
	k := newKey(t)
	l, path := openLog(t, nil)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("OpenLog made the file: %v", err)
	}
	if cps, err := l.ReadAll(); err != nil || len(cps) != 0 {
		t.Fatalf("a missing file: %d checkpoints, %v", len(cps), err)
	}
	if _, ok, err := l.Last(); ok || err != nil {
		t.Fatalf("a missing file has a last checkpoint: %v", err)
	}
	cps := signedAt(t, k, 1, 2, 5)
	for _, c := range cps {
		if err := l.Append(c); err != nil {
			t.Fatalf("Append(%d entries): %v", c.Size, err)
		}
	}
	info, _ := os.Stat(path)
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("new checkpoint file has mode %04o, want 0600", perm)
	}
	data, _ := os.ReadFile(path)
	if want := string(cps[0].Note) + string(cps[1].Note) + string(cps[2].Note); string(data) != want {
		t.Errorf("the file holds %q, want the three notes one after another %q", data, want)
	}
	back, err := l.ReadAll()
	if err != nil || len(back) != 3 {
		t.Fatalf("ReadAll: %d, %v", len(back), err)
	}
	for i := range cps {
		if back[i].Size != cps[i].Size || !bytes.Equal(back[i].Root, cps[i].Root) || !bytes.Equal(back[i].Note, cps[i].Note) {
			t.Errorf("checkpoint %d read back as %+v", i+1, back[i])
		}
	}
	if err := checkpoint.Verify(k.Verifier(), back, func(n uint64) ([]byte, bool) { return rootOf(t, 0, int(n)), true }, 5); err != nil {
		t.Errorf("the notes read back do not verify: %v", err)
	}
	last, ok, err := l.Last()
	if err != nil || !ok || last.Size != 5 {
		t.Errorf("Last: %+v, %v, %v", last, ok, err)
	}
}

func TestLog_AppendRefusesStaleAndAfterAnUnreadableNote(t *testing.T) {
	k := newKey(t)
	l, path := openLog(t, nil)
	cps := signedAt(t, k, 3, 3, 2)
	if err := l.Append(cps[0]); err != nil {
		t.Fatal(err)
	}
	for _, c := range cps[1:] {
		if err := l.Append(c); !errors.Is(err, checkpoint.ErrStale) {
			t.Errorf("Append(%d entries) after 3: %v, want ErrStale", c.Size, err)
		}
	}
	// A last note that does not parse is for a person to look at.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("tandem/x\nseven\nroot\n\n\u2014 tandem/x AAAA\n")
	f.Close()
	err := l.Append(signedAt(t, k, 9)[0])
	if err == nil || !strings.Contains(err.Error(), "size") {
		t.Errorf("Append after an unreadable note: %v", err)
	}
	if _, err := l.ReadAll(); err == nil || !strings.Contains(err.Error(), "checkpoint 2") {
		t.Errorf("ReadAll names no bad note: %v", err)
	}
}

// TestLog_ATornNoteIsPassedOverAndCut: a crash can cut the last note at
// any byte. Whatever is left of it is no checkpoint: Last and ReadAll pass
// over it, and the next Append cuts it before writing, so that the file
// is whole notes again. Every cut point of a note is tried, after a few
// whole ones (so that Last reads a window, not the whole file).
func TestLog_ATornNoteIsPassedOverAndCut(t *testing.T) {
	k := newKey(t)
	var whole []byte
	for _, c := range signedAt(t, k, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24) {
		whole = append(whole, c.Note...)
	}
	next := signedAt(t, k, 30, 31)
	for cut := 1; cut < len(next[0].Note); cut++ {
		content := append(bytes.Clone(whole), next[0].Note[:cut]...)
		l, path := openLog(t, content)
		last, ok, err := l.Last()
		if err != nil || !ok || last.Size != 24 {
			t.Fatalf("cut at %d: Last = %d %v %v, want the whole note of 24", cut, last.Size, ok, err)
		}
		if all, err := l.ReadAll(); err != nil || len(all) != 24 {
			t.Fatalf("cut at %d: ReadAll = %d, %v", cut, len(all), err)
		}
		if err := l.Append(next[1]); err != nil {
			t.Fatalf("cut at %d: Append after the torn note: %v", cut, err)
		}
		data, _ := os.ReadFile(path)
		if want := append(bytes.Clone(whole), next[1].Note...); !bytes.Equal(data, want) {
			t.Fatalf("cut at %d: the file is not the whole notes and the new one:\n%q", cut, data[len(whole):])
		}
	}
}

func TestLog_LastReadsPastItsWindow(t *testing.T) {
	k := newKey(t)
	l, _ := openLog(t, nil)
	var sizes []int
	for n := 1; n <= 40; n++ { // more than 4 KiB of notes
		sizes = append(sizes, n)
	}
	for _, c := range signedAt(t, k, sizes...) {
		if err := l.Append(c); err != nil {
			t.Fatal(err)
		}
	}
	again, _ := checkpoint.OpenLog(l.Path())
	defer again.Close()
	last, ok, err := again.Last()
	if err != nil || !ok || last.Size != 40 {
		t.Errorf("Last of 40 notes: %+v %v %v", last.Size, ok, err)
	}
	all, err := again.ReadAll()
	if err != nil || len(all) != 40 {
		t.Errorf("ReadAll of 40 notes: %d %v", len(all), err)
	}
}

func TestLog_ConcurrentAppendsKeepTheFileInOrder(t *testing.T) {
	k := newKey(t)
	_, path := openLog(t, nil)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		l, err := checkpoint.OpenLog(path) // as another process would
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; n <= 30; n++ {
				c := mustSign(t, k, uint64(n), rootOf(t, 0, n))
				if err := l.Append(c); err != nil && !errors.Is(err, checkpoint.ErrStale) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	l, _ := checkpoint.OpenLog(path)
	all, err := l.ReadAll()
	if err != nil || len(all) == 0 || all[len(all)-1].Size != 30 {
		t.Fatalf("after concurrent appends: %d notes, %v", len(all), err)
	}
	if err := checkpoint.Verify(k.Verifier(), all, func(n uint64) ([]byte, bool) { return rootOf(t, 0, int(n)), true }, 30); err != nil {
		t.Errorf("the file after concurrent appends: %v", err)
	}
}

func TestState_SaveLoadAndEditsNamed(t *testing.T) {
	k := newKey(t)
	path := filepath.Join(t.TempDir(), "witness.state")
	if _, err := checkpoint.LoadState(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing state: %v", err)
	}
	s, err := checkpoint.NewState(k.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	s.Checkpoints = signedAt(t, k, 2, 7)
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := checkpoint.LoadState(path)
	if err != nil || back.Key != k.VerifierKey() || len(back.Checkpoints) != 2 {
		t.Fatalf("LoadState: %+v, %v", back, err)
	}
	if last, ok := back.Last(); !ok || last.Size != 7 {
		t.Errorf("the last checkpoint seen: %d %v", last.Size, ok)
	}
	data, _ := os.ReadFile(path)
	if strings.Count(string(data), "\n\n") != 2 || !strings.HasPrefix(string(data), k.VerifierKey()+"\n") {
		t.Errorf("the state file is not the key then the notes: %q", data)
	}
	// A state edited by hand: a size changed, or the key swapped for another.
	for name, edited := range map[string][]byte{
		"a size changed":   bytes.Replace(data, []byte("\n7\n"), []byte("\n9\n"), 1),
		"another key":      append([]byte(newKey(t).VerifierKey()), data[bytes.IndexByte(data, '\n'):]...),
		"reordered":        append(append([]byte(k.VerifierKey()+"\n"), s.Checkpoints[1].Note...), s.Checkpoints[0].Note...),
		"no key":           data[bytes.IndexByte(data, '\n')+1:],
		"a note cut short": data[:len(data)-10],
	} {
		p := filepath.Join(t.TempDir(), "witness.state")
		os.WriteFile(p, edited, 0o600)
		if _, err := checkpoint.LoadState(p); err == nil {
			t.Errorf("%s: the state loads", name)
		}
	}
}

func TestLog_TheEarlierFormatIsNamed(t *testing.T) {
	l, _ := openLog(t, []byte("v1 12 "+strings.Repeat("a", 64)+" 2026-01-01T00:00:00.000000Z c2ln\n"))
	if _, err := l.ReadAll(); err == nil || !strings.Contains(err.Error(), "earlier format") {
		t.Errorf("a file of the earlier format: %v", err)
	}
}
