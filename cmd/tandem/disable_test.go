package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestUserDisableAndTokenRevoke: a leaver's account is disabled, and an
// officer's tokens revoked, by a named administrator, with every bad use
// refused in one line.
func TestUserDisableAndTokenRevoke(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := initialisedOn(t, backend)
		mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "lee", "--name", "Lee Leaver", "--gender", "male", "--roles", "handler", "--unit", "north")
		mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "hal", "--name", "Hal Handler", "--gender", "male", "--roles", "handler", "--unit", "north")
		mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "hal")
		mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "hal")
		for _, bad := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"user", "disable", "--username", "lee", "--reason", "left"}, 2, "--as"},
			{[]string{"user", "disable", "--username", "lee", "--as", "first.admin"}, 2, "--reason"},
			{[]string{"user", "disable", "--username", "nobody", "--reason", "left", "--as", "first.admin"}, 2, "nobody"},
			{[]string{"user", "disable", "--username", "lee", "--reason", "left", "--as", "hal"}, 1, "roles"},
			{[]string{"user", "disable", "--username", "first.admin", "--reason", "left", "--as", "first.admin"}, 2, "own account"},
			{[]string{"token", "revoke", "--username", "hal"}, 2, "--as"},
			{[]string{"token", "revoke", "--username", "hal", "--as", "hal"}, 1, "roles"},
		} {
			res := runBin(t, run{}, append(append([]string{}, bad.args...), "--data", dir)...)
			if res.code != bad.code || !strings.Contains(res.stderr, bad.says) {
				t.Errorf("%v: exit %d, %q; want exit %d naming %q", bad.args, res.code, res.stderr, bad.code, bad.says)
			}
			assertOneCleanLine(t, res.stderr)
		}
		if res := mustRun(t, run{}, "user", "disable", "--data", dir, "--username", "lee", "--reason", "left the force", "--as", "first.admin"); res.stdout != "lee disabled\n" {
			t.Errorf("user disable prints %q", res.stdout)
		}
		if res := runBin(t, run{}, "token", "issue", "--data", dir, "--username", "lee"); res.code != 2 || !strings.Contains(res.stderr, "disabled") {
			t.Errorf("a token for the leaver: exit %d, %q", res.code, res.stderr)
		}
		if res := runBin(t, run{}, "settings", "set", "--data", dir, "--key", "min_officers", "--value", "3", "--reason", "x", "--as", "lee"); res.code == 0 || !strings.Contains(res.stderr, "disabled") {
			t.Errorf("acting as the leaver: exit %d, %q", res.code, res.stderr)
		}
		if res := mustRun(t, run{}, "token", "revoke", "--data", dir, "--username", "hal", "--as", "first.admin"); res.stdout != "2 token(s) of hal revoked\n" {
			t.Errorf("token revoke prints %q", res.stdout)
		}
		mustRun(t, run{}, "audit", "verify", "--data", dir)
	})
}

// TestCLI_ChangesNameTheirOfficer: once a store has an administrator,
// every command that changes something names the officer it is made by,
// and runs with that officer's roles; the first administrator alone is
// added without one.
func TestCLI_ChangesNameTheirOfficer(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "hal", "--name", "Hal Handler", "--gender", "male", "--roles", "handler", "--unit", "north")
	for _, bad := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"user", "add", "--username", "ivy", "--name", "Ivy", "--gender", "female", "--roles", "admin"}, 2, "--as"},
		{[]string{"user", "add", "--username", "ivy", "--name", "Ivy", "--gender", "female", "--roles", "admin", "--as", "hal"}, 1, "roles"},
		{[]string{"user", "add", "--username", "ivy", "--name", "Ivy", "--gender", "female", "--roles", "admin", "--as", "nobody"}, 2, "nobody"},
		{[]string{"backup", filepath.Join(t.TempDir(), "b"), "--as", "nobody"}, 2, "nobody"},
		{[]string{"backup", filepath.Join(t.TempDir(), "b")}, 2, "--as"},
		{[]string{"keys", "rotate", "--new-master-key", filepath.Join(t.TempDir(), "k")}, 2, "--as"},
	} {
		res := runBin(t, run{}, append(append([]string{}, bad.args...), "--data", dir)...)
		if res.code != bad.code || !strings.Contains(res.stderr, bad.says) {
			t.Errorf("%v: exit %d, %q; want exit %d naming %q", bad.args, res.code, res.stderr, bad.code, bad.says)
		}
		assertOneCleanLine(t, res.stderr)
	}
	mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "hal")
	mustRun(t, run{}, "audit", "verify", "--data", dir)
}

// TestAuditVerify_WritesNothing: verify reads a data folder and leaves it
// byte for byte as it was, with no file added; a folder with no database
// is unreadable (exit 2), not tampered.
func TestAuditVerify_WritesNothing(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "hal", "--name", "Hal Handler", "--gender", "male", "--roles", "handler", "--unit", "north")
	snapshot := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			out[e.Name()] = fmt.Sprintf("%x %v", sum, info.ModTime().UnixNano())
		}
		return out
	}
	before := snapshot()
	res := mustRun(t, run{}, "audit", "verify", "--data", dir)
	if !strings.Contains(res.stdout, "intact") {
		t.Fatalf("verify: %q", res.stdout)
	}
	after := snapshot()
	for name, was := range before {
		if after[name] != was {
			t.Errorf("verify changed %s", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("verify made %s", name)
		}
	}
	empty := t.TempDir()
	if res := runBin(t, run{}, "audit", "verify", "--data", empty); res.code != 2 || !strings.Contains(res.stderr, "cannot be read") {
		t.Errorf("verify of a folder with no database: exit %d, %q; want 2", res.code, res.stderr)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("verify of an empty folder made %d files in it", len(entries))
	}
}
