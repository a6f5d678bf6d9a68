package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackup_TakenWhileServingRestoresOntoAnEmptyFolder: a backup taken
// while the server runs restores, with the same master key, into a folder
// whose trail verifies; it holds no plaintext and opens with no other key.
func TestBackup_TakenWhileServingRestoresOntoAnEmptyFolder(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "zebediah.q", "--name", "Zebediah Quillfeather",
		"--gender", "male", "--roles", "handler", "--unit", "north", "--dedicated")
	srv := startServer(t, dir)
	file := filepath.Join(t.TempDir(), "tandem.backup")
	res := mustRun(t, run{}, "backup", file, "--data", dir, "--as", "first.admin")
	if !strings.Contains(res.stdout, "backup written") {
		t.Errorf("backup said %q", res.stdout)
	}
	if code := srv.stop(); code != 0 {
		t.Errorf("serve exit %d", code)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "Quillfeather") {
		t.Error("the backup holds an officer's name in clear")
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", info.Mode().Perm())
	}

	// Without the key, nothing; with another key, nothing; nothing left behind.
	empty := filepath.Join(t.TempDir(), "restored")
	if res := runBin(t, run{}, "restore", file, "--data", empty); res.code != 2 {
		t.Errorf("restore without a key: exit %d, want 2", res.code)
	} else {
		assertOneCleanLine(t, res.stderr)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	os.WriteFile(other, []byte(strings.Repeat("k", 32)), 0o600)
	if res := runBin(t, run{}, "restore", file, "--data", empty, "--master-key", other); res.code != 2 {
		t.Errorf("restore with another key: exit %d, want 2", res.code)
	}
	if _, err := os.Stat(filepath.Join(empty, "tandem.db")); err == nil {
		t.Error("a refused restore left a database behind")
	}

	// A changed byte, or the end cut off: refused, nothing left.
	for name, b := range map[string][]byte{
		"altered":   append(append([]byte{}, raw[:len(raw)/2]...), append([]byte{raw[len(raw)/2] ^ 1}, raw[len(raw)/2+1:]...)...),
		"cut short": raw[:len(raw)-40],
	} {
		bad := filepath.Join(t.TempDir(), name)
		os.WriteFile(bad, b, 0o600)
		to := filepath.Join(t.TempDir(), "to")
		res := runBin(t, run{}, "restore", bad, "--data", to, "--master-key", filepath.Join(dir, "master.key"))
		if res.code != 2 {
			t.Errorf("%s backup: exit %d, want 2; %s", name, res.code, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(to, "tandem.db")); err == nil {
			t.Errorf("%s backup: a database was left behind", name)
		}
	}

	res = mustRun(t, run{}, "restore", file, "--data", empty, "--master-key", filepath.Join(dir, "master.key"))
	if !strings.Contains(res.stdout, "intact") {
		t.Errorf("restore said %q", res.stdout)
	}
	mustRun(t, run{}, "audit", "verify", "--data", empty, "--master-key", filepath.Join(dir, "master.key"))
	if res := runBin(t, run{}, "restore", file, "--data", empty, "--master-key", filepath.Join(dir, "master.key")); res.code != 2 {
		t.Errorf("restore onto a folder holding a store: exit %d, want 2", res.code)
	}
}
