package checkpoint_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tandem/checkpoint"
)

func TestLoadOrCreateKey_CreatesOwnerOnlyKeyAndReadsItBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint.key")
	k1, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKey: created %v, %v; want a new key", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("new key file has mode %04o, want 0600", perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "tandem-checkpoint-key v1 " + base64.StdEncoding.EncodeToString(k1.Seed()) + "\n"; string(data) != want {
		t.Errorf("key file holds %q, want the seed in the form %q", data, want)
	}
	k2, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKey: created %v, %v; want the key read back", created, err)
	}
	if !bytes.Equal(k1, k2) {
		t.Errorf("the key read back differs from the key created")
	}
	// What the first key signs, the key read back verifies.
	c := checkpoint.Sign(k1, 1, hashOf(1), t0)
	if err := checkpoint.Verify(pub(k2), []checkpoint.Checkpoint{c}, chain(1), 1); err != nil {
		t.Errorf("a checkpoint signed before the key was read back: %v", err)
	}
	// Each new file gets a key of its own.
	k3, _, err := checkpoint.LoadOrCreateKey(filepath.Join(t.TempDir(), "checkpoint.key"))
	if err != nil || bytes.Equal(k1, k3) {
		t.Errorf("a second new key file: %v, same key %v; want a different key", err, bytes.Equal(k1, k3))
	}
}

func TestLoadOrCreateKey_ReadsAKeyWrittenWithoutFinalNewline(t *testing.T) {
	seed := bytes.Repeat([]byte{3}, ed25519.SeedSize)
	path := filepath.Join(t.TempDir(), "checkpoint.key")
	if err := os.WriteFile(path, []byte("tandem-checkpoint-key v1 "+base64.StdEncoding.EncodeToString(seed)), 0o600); err != nil {
		t.Fatal(err)
	}
	k, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || created || !bytes.Equal(k.Seed(), seed) {
		t.Errorf("LoadOrCreateKey: created %v, %v, same seed %v; want the written key", created, err, bytes.Equal(k.Seed(), seed))
	}
}

func TestLoadOrCreateKey_RefusesBadFile(t *testing.T) {
	seed := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	good := "tandem-checkpoint-key v1 " + seed + "\n"
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    []string
	}{
		{"readable by group and others", good, 0o644, []string{"has mode 0644", "must be 0600", "chmod 600"}},
		{"readable by group", good, 0o640, []string{"has mode 0640"}},
		{"writable by others", good, 0o602, []string{"has mode 0602"}},
		{"garbage", "hello, world\n", 0o600, []string{"is not a key file", "does not start tandem-checkpoint-key v1"}},
		{"empty", "", 0o600, []string{"is not a key file"}},
		{"raw 32 bytes, as the master key", string(bytes.Repeat([]byte{5}, 32)), 0o600, []string{"is not a key file"}},
		{"version 2", "tandem-checkpoint-key v2 " + seed + "\n", 0o600, []string{"does not start tandem-checkpoint-key v1"}},
		{"seed not base64", "tandem-checkpoint-key v1 " + seed[:10] + "*" + seed[11:] + "\n", 0o600, []string{"the seed is not base64"}},
		{"seed short", "tandem-checkpoint-key v1 " + base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n", 0o600,
			[]string{"the seed has 16 bytes, want 32"}},
		{"private key instead of seed", "tandem-checkpoint-key v1 " + base64.StdEncoding.EncodeToString(key) + "\n", 0o600,
			[]string{"the seed has 64 bytes, want 32"}},
		{"a second line", good + "more\n", 0o600, []string{"the seed is not base64"}},
		{"Windows line end", strings.TrimSuffix(good, "\n") + "\r\n", 0o600, []string{"the seed is not base64"}},
		{"a megabyte", good + strings.Repeat("x", 1<<20), 0o600, []string{"is not a key file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "checkpoint.key")
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			// WriteFile's mode passes through the umask.
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			k, created, err := checkpoint.LoadOrCreateKey(path)
			if err == nil {
				t.Fatalf("LoadOrCreateKey accepted the file (created %v, key %d bytes)", created, len(k))
			}
			msg := err.Error()
			for _, w := range append(tc.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, seed[:16]) {
				t.Errorf("error %q quotes the seed", msg)
			}
			if data, _ := os.ReadFile(path); string(data) != tc.content {
				t.Errorf("the refused file was changed")
			}
		})
	}
}

func TestLoadOrCreateKey_RefusesFolder(t *testing.T) {
	path := t.TempDir()
	if _, _, err := checkpoint.LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), path+" is not a regular file") {
		t.Errorf("LoadOrCreateKey(folder): %v, want it named as not a regular file", err)
	}
}

func TestLoadOrCreateKey_MissingFolderIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-folder", "checkpoint.key")
	if _, created, err := checkpoint.LoadOrCreateKey(path); err == nil || created || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadOrCreateKey in a missing folder: created %v, %v; want an error naming %s", created, err, path)
	}
}
