package checkpoint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

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
	data, _ := os.ReadFile(path)
	// The note package's own private key form, which it signs with.
	if _, err := note.NewSigner(strings.TrimSuffix(string(data), "\n")); err != nil || !strings.HasPrefix(string(data), "PRIVATE+KEY+tandem/") {
		t.Errorf("the key file %q is not a note private key of a tandem/ origin: %v", data, err)
	}
	k2, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKey: created %v, %v; want the key read back", created, err)
	}
	if k1.VerifierKey() != k2.VerifierKey() || k1.Origin() != k2.Origin() {
		t.Errorf("the key read back is %s, the key created %s", k2.VerifierKey(), k1.VerifierKey())
	}
	// What the first key signs, the key read back verifies.
	c := mustSign(t, k1, 1, rootOf(t, 0, 1))
	if _, err := checkpoint.Open(c.Note, k2.Verifier()); err != nil {
		t.Errorf("a checkpoint signed before the key was read back: %v", err)
	}
	// Each new file gets a key and an install id of its own.
	k3, _, err := checkpoint.LoadOrCreateKey(filepath.Join(t.TempDir(), "checkpoint.key"))
	if err != nil || k3.VerifierKey() == k1.VerifierKey() || k3.Origin() == k1.Origin() {
		t.Errorf("a second new key file: %v; want another key and origin than %s", err, k1.Origin())
	}
	// LoadKey reads it, and makes none where there is none.
	if k, err := checkpoint.LoadKey(path); err != nil || k.VerifierKey() != k1.VerifierKey() {
		t.Errorf("LoadKey: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none.key")
	if _, err := checkpoint.LoadKey(missing); err == nil {
		t.Errorf("LoadKey of a missing file gave a key")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("LoadKey made a key file: %v", err)
	}
}

func TestLoadOrCreateKey_RefusesBadFile(t *testing.T) {
	k, skey, err := checkpoint.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := checkpoint.NewKey()
	// A key with the hash of another: the note package checks it.
	mixed := skey[:strings.LastIndexByte(skey[:len(skey)-45], '+')] + other[strings.LastIndexByte(other[:len(other)-45], '+'):]
	for name, c := range map[string]struct {
		content string
		mode    os.FileMode
		want    string
	}{
		"open to others": {skey + "\n", 0o644, "mode 0644"},
		"empty":          {"", 0o600, "does not start PRIVATE+KEY+"},
		"the old form":   {"tandem-checkpoint-key v1 AAAA\n", 0o600, "earlier format"},
		"two lines":      {skey + "\n" + skey + "\n", 0o600, "not one line"},
		"another name":   {strings.Replace(skey, k.Origin(), "sum.golang.org", 1), 0o600, "refuses"},
		"mixed halves":   {mixed, 0o600, "refuses"},
	} {
		path := filepath.Join(t.TempDir(), "checkpoint.key")
		if err := os.WriteFile(path, []byte(c.content), c.mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, c.mode)
		_, _, err := checkpoint.LoadOrCreateKey(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error naming %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), skey[len(skey)-20:]) {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
		if after, _ := os.ReadFile(path); string(after) != c.content {
			t.Errorf("%s: the refused file was changed", name)
		}
	}
}

func TestLoadOrCreateKey_RefusesFolderAndMissingFolder(t *testing.T) {
	if _, _, err := checkpoint.LoadOrCreateKey(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder as the key: %v", err)
	}
	if _, _, err := checkpoint.LoadOrCreateKey(filepath.Join(t.TempDir(), "no", "such", "checkpoint.key")); err == nil {
		t.Errorf("a key made in a folder that does not exist")
	}
}

func TestParseVerifierKey(t *testing.T) {
	k := newKey(t)
	if v, err := checkpoint.ParseVerifierKey(k.VerifierKey() + "\n"); err != nil || v.Name() != k.Origin() {
		t.Errorf("ParseVerifierKey(%s): %v", k.VerifierKey(), err)
	}
	for _, bad := range []string{"", "tandem/x", "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"} {
		if _, err := checkpoint.ParseVerifierKey(bad); err == nil {
			t.Errorf("ParseVerifierKey(%q) took it", bad)
		}
	}
}
