package checkpoint_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tandem/checkpoint"
)

// openLog opens a log in a new folder and closes it after the test.
func openLog(t *testing.T, content *string) (*checkpoint.Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "checkpoints")
	if content != nil {
		if err := os.WriteFile(path, []byte(*content), 0o600); err != nil {
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

func ptr(s string) *string { return &s }

func TestLog_AppendThenReadAllInFileOrder(t *testing.T) {
	l, path := openLog(t, nil)
	cps := signedEvery()
	for _, c := range cps {
		if err := l.Append(c); err != nil {
			t.Fatalf("Append(entry %d): %v", c.Seq, err)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("new checkpoint file has mode %04o, want 0600", perm)
	}
	data, _ := os.ReadFile(path)
	if want := cps[0].Line() + cps[1].Line() + cps[2].Line(); string(data) != want {
		t.Errorf("file holds %q, want the three lines %q", data, want)
	}
	back, err := l.ReadAll()
	if err != nil || len(back) != len(cps) {
		t.Fatalf("ReadAll: %d checkpoints, %v; want %d", len(back), err, len(cps))
	}
	for i := range cps {
		if !same(back[i], cps[i]) {
			t.Errorf("checkpoint %d read back as %+v, want %+v", i+1, back[i], cps[i])
		}
	}
	last, ok, err := l.Last()
	if err != nil || !ok || !same(last, cps[2]) {
		t.Errorf("Last() = %+v %v %v, want entry 3000", last, ok, err)
	}
	// Another Log on the same file, as after a restart, sees the same.
	l2, err := checkpoint.OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if last, ok, err := l2.Last(); err != nil || !ok || !same(last, cps[2]) {
		t.Errorf("Last() after reopening = %+v %v %v, want entry 3000", last, ok, err)
	}
	if err := l2.Append(checkpoint.Sign(key, 3000, hashOf(3000), t0)); !errors.Is(err, checkpoint.ErrStale) {
		t.Errorf("Append of entry 3000 again after reopening: %v, want ErrStale", err)
	}
}

func TestLog_MissingFileReadsAsNoneAndIsNotCreated(t *testing.T) {
	l, path := openLog(t, nil)
	if cps, err := l.ReadAll(); err != nil || cps != nil {
		t.Errorf("ReadAll of a missing file = %v, %v; want none", cps, err)
	}
	if c, ok, err := l.Last(); err != nil || ok {
		t.Errorf("Last of a missing file = %+v %v %v; want none", c, ok, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reading created the file: %v", err)
	}
}

func TestLog_EmptyFileReadsAsNone(t *testing.T) {
	l, _ := openLog(t, ptr(""))
	if cps, err := l.ReadAll(); err != nil || len(cps) != 0 {
		t.Errorf("ReadAll of an empty file = %v, %v; want none", cps, err)
	}
	if _, ok, err := l.Last(); err != nil || ok {
		t.Errorf("Last of an empty file = %v %v; want none", ok, err)
	}
}

func TestOpenLog_RefusesFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := checkpoint.OpenLog(dir); err == nil || !strings.Contains(err.Error(), dir+" is not a regular file") {
		t.Errorf("OpenLog(folder): %v, want it named as not a regular file", err)
	}
}

func TestLog_ReadAllNamesFirstBadLine(t *testing.T) {
	cps := signedEvery()
	l1, l2, l3 := cps[0].Line(), cps[1].Line(), cps[2].Line()
	for _, tc := range []struct {
		name    string
		content string
		good    int // checkpoints read before the bad line
		want    string
	}{
		{"last line cut short", l1 + l2 + l3[:50], 2, "line 3 is cut short (no newline at its end): a write was interrupted"},
		{"last line whole but for its newline", l1 + strings.TrimSuffix(l2, "\n"), 1, "line 2 is cut short"},
		{"only a torn line", l1[:10], 0, "line 1 is cut short"},
		{"zeros after a crash", l1 + "\x00\x00\x00\x00", 1, "line 2 is cut short"},
		{"torn line followed by whole ones", l1 + l2[:30] + "\n" + l3, 1, "line 2: the line has 3 fields, want 5"},
		{"blank line", l1 + "\n" + l2, 1, "line 2: the line is empty"},
		{"garbage first", "hello\n" + l1, 0, "line 1: the line has 1 field,"},
		{"bad seq on line 3", l1 + l2 + strings.Replace(l3, " 3000 ", " 3k ", 1), 2, `line 3: the seq "3k" is not a positive integer`},
		{"Windows line ends", strings.ReplaceAll(l1+l2, "\n", "\r\n"), 0, `line 1: the line holds the control character '\r'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, path := openLog(t, &tc.content)
			got, err := l.ReadAll()
			if err == nil {
				t.Fatalf("ReadAll accepted %q", tc.content)
			}
			if want := "checkpoint file " + path + ", " + tc.want; !strings.Contains(err.Error(), want) {
				t.Errorf("ReadAll: %q\nwant it to say %q", err, want)
			}
			if len(got) != tc.good {
				t.Fatalf("ReadAll returned %d checkpoints with its error, want the %d before the bad line", len(got), tc.good)
			}
			for i := range got {
				if !same(got[i], cps[i]) {
					t.Errorf("checkpoint %d = %+v, want %+v", i+1, got[i], cps[i])
				}
			}
		})
	}
}

func TestLog_AppendAfterTornLineStartsItsOwnLine(t *testing.T) {
	cps := signedEvery()
	torn := cps[0].Line() + cps[1].Line()[:40]
	l, path := openLog(t, &torn)
	if last, ok, err := l.Last(); err != nil || !ok || !same(last, cps[0]) {
		t.Errorf("Last() before a torn line = %+v %v %v, want entry 1000", last, ok, err)
	}
	if err := l.Append(cps[2]); err != nil {
		t.Fatalf("Append after a torn line: %v", err)
	}
	data, _ := os.ReadFile(path)
	if want := torn + "\n" + cps[2].Line(); string(data) != want {
		t.Errorf("file holds %q, want %q", data, want)
	}
	// The torn line stays for a person to see; the new checkpoint is whole.
	got, err := l.ReadAll()
	if err == nil || !strings.Contains(err.Error(), "line 2: ") || len(got) != 1 {
		t.Errorf("ReadAll: %d checkpoints, %v; want line 2 named", len(got), err)
	}
	if last, ok, err := l.Last(); err != nil || !ok || !same(last, cps[2]) {
		t.Errorf("Last() = %+v %v %v, want entry 3000", last, ok, err)
	}
}

func TestLog_AppendRefuses(t *testing.T) {
	cps := signedEvery()
	start := cps[1].Line()
	for _, tc := range []struct {
		name    string
		content *string // nil: no file
		c       checkpoint.Checkpoint
		stale   bool
		want    string
	}{
		{"an earlier entry", &start, cps[0], true, "entry 1000, the last is entry 2000"},
		{"the same entry again", &start, checkpoint.Sign(key, 2000, hashOf(2000), t0.Add(time.Hour)), true, "entry 2000, the last is entry 2000"},
		{"seq zero", nil, checkpoint.Sign(key, 0, hashOf(0), t0), false, `the seq "0" is not a positive integer`},
		{"a hash that is not one", nil, checkpoint.Sign(key, 1, "abc", t0), false, `the hash "abc" is not 64 lowercase hex digits`},
		{"a time past year 9999", nil, checkpoint.Sign(key, 1, hashOf(1), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), false,
			"is not UTC with microseconds"},
		{"no signature", nil, checkpoint.Checkpoint{Seq: 1, Hash: hashOf(1), At: t0}, false, "the signature has 0 bytes"},
		{"after a last line that does not parse", ptr(start + "garbage\n"), cps[2], false, "its last line: checkpoint line: the line has 1 field,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, path := openLog(t, tc.content)
			err := l.Append(tc.c)
			if err == nil {
				t.Fatalf("Append accepted it")
			}
			if errors.Is(err, checkpoint.ErrStale) != tc.stale || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Append: %q (stale %v)\nwant it to say %q (stale %v) and name the file", err, errors.Is(err, checkpoint.ErrStale), tc.want, tc.stale)
			}
			data, err := os.ReadFile(path)
			switch {
			case tc.content == nil && !errors.Is(err, os.ErrNotExist):
				t.Errorf("a refused Append created the file: %v", err)
			case tc.content != nil && string(data) != *tc.content:
				t.Errorf("a refused Append changed the file to %q", data)
			}
		})
	}
}

func TestLog_LastReadsPastItsWindow(t *testing.T) {
	good := signedEvery()[0].Line()
	for _, tc := range []struct {
		name    string
		content string
		ok      bool
		want    string // part of the error, "" for none
	}{
		{"long torn line after a checkpoint", good + strings.Repeat("x", 10000), true, ""},
		{"many checkpoints", strings.Repeat("garbage\n", 100) + good, true, ""},
		{"long last line that does not parse", good + strings.Repeat("x", 10000) + "\n", false, "its last line: checkpoint line: the line has 1 field,"},
		{"only a long torn line", strings.Repeat("x", 10000), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := openLog(t, &tc.content)
			c, ok, err := l.Last()
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Last: %v, want it to say %q", err, tc.want)
				}
				return
			}
			if err != nil || ok != tc.ok || (ok && !same(c, signedEvery()[0])) {
				t.Errorf("Last() = %+v %v %v, want found %v", c, ok, err, tc.ok)
			}
		})
	}
}

func TestLog_ConcurrentAppendsWriteWholeLinesInOrder(t *testing.T) {
	l, path := openLog(t, nil)
	var next, accepted, stale atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				seq := next.Add(1)
				// Signing outside the log's lock lets writers reach it out
				// of order, as they would in the server.
				err := l.Append(checkpoint.Sign(key, seq, hashOf(seq), t0))
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, checkpoint.ErrStale):
					stale.Add(1)
				default:
					t.Errorf("Append(entry %d): %v", seq, err)
				}
			}
		})
	}
	wg.Wait()
	if accepted.Load()+stale.Load() != 400 || accepted.Load() == 0 {
		t.Fatalf("%d accepted and %d stale of 400 appends", accepted.Load(), stale.Load())
	}
	cps, err := l.ReadAll()
	if err != nil {
		data, _ := os.ReadFile(path)
		t.Fatalf("ReadAll after concurrent appends: %v\n%s", err, data)
	}
	if int64(len(cps)) != accepted.Load() {
		t.Errorf("file holds %d checkpoints, want the %d accepted", len(cps), accepted.Load())
	}
	if err := checkpoint.Verify(pub(key), cps, chain(400), 400); err != nil {
		t.Errorf("the checkpoints written concurrently do not verify: %v", err)
	}
	if last, ok, err := l.Last(); err != nil || !ok || !same(last, cps[len(cps)-1]) {
		t.Errorf("Last() = %+v %v %v, want the last line's checkpoint", last, ok, err)
	}
}
