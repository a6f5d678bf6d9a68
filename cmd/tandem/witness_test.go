package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// witnessRun runs tandem audit witness against a server started on dir
// for the run, and stops it.
func witnessRun(t *testing.T, dir, token, state string, extra ...string) result {
	t.Helper()
	srv := startServer(t, dir)
	res := runBin(t, run{}, append([]string{"audit", "witness", "--url", srv.url + "/", "--token", token, "--state", state}, extra...)...)
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve: exit %d\n%s", code, srv.stderr)
	}
	return res
}

// grow adds n officers at the command line: entries in the trail.
func grow(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		u := prefix + strconv.Itoa(i)
		mustRun(t, run{}, "user", "add", "--data", dir, "--username", u, "--name", "Officer "+u, "--gender", "male", "--roles", "handler", "--unit", "north", "--as", "ada")
	}
}

// witnessFails checks a witness run that must exit 1 with one line naming
// every part.
func witnessFails(t *testing.T, res result, parts ...string) {
	t.Helper()
	if res.code != 1 {
		t.Fatalf("audit witness: exit %d, want 1\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	for _, p := range parts {
		if !strings.Contains(res.stderr, p) {
			t.Errorf("audit witness's line %q does not name %q", res.stderr, p)
		}
	}
}

// TestAuditWitness_HoldsTheLogToItsPast runs a witness against a real
// server as its data folder grows, is rolled back to an older copy, grows
// again from there (a fork), and is restored from an older backup: each
// is caught, by the witness and by audit verify --witness.
func TestAuditWitness_HoldsTheLogToItsPast(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	addOfficer(t, dir, "carol", "Carol Controller", "female", "controller", "north", true)
	aud := addOfficer(t, dir, "alan", "Alan Auditor", "male", "auditor", "standards", false)
	hm := addOfficer(t, dir, "harry", "Harry Handler", "male", "handler", "north", true)
	// The store's administrator, added last (the first needs no --as).
	mustRun(t, run{}, "user", "add", "--data", dir, "--username", "ada", "--name", "Ada Admin", "--gender", "female", "--roles", "admin")
	state := filepath.Join(t.TempDir(), "witness.state")

	// The first run pins the log's key; the token is never kept.
	res := witnessRun(t, dir, aud.token, state)
	if res.code != 0 || !strings.Contains(res.stdout, "pinned") {
		t.Fatalf("the first witness run: exit %d %q %q", res.code, res.stdout, res.stderr)
	}
	key := strings.TrimSpace(mustRun(t, run{}, "audit", "key", "--data", dir).stdout)
	saved, _ := os.ReadFile(state)
	if !strings.HasPrefix(string(saved), key+"\n") {
		t.Errorf("the state does not open with the log's key %s: %q", key, saved)
	}
	if strings.Contains(string(saved), aud.token) {
		t.Errorf("the state file holds the token")
	}
	// Only an auditor may ask.
	res = witnessRun(t, dir, hm.token, filepath.Join(t.TempDir(), "other.state"))
	if res.code != 2 || !strings.Contains(res.stderr, "403") {
		t.Errorf("a handler's witness run: exit %d %q, want 2 naming 403", res.code, res.stderr)
	}

	// The log grows: consistent.
	grow(t, dir, "a", 3)
	res = witnessRun(t, dir, aud.token, state)
	if res.code != 0 || !strings.Contains(res.stdout, "grew from") {
		t.Fatalf("after growth: exit %d %q %q", res.code, res.stdout, res.stderr)
	}
	older := copyDataFolder(t, dir)
	backup := filepath.Join(t.TempDir(), "older.backup")
	mustRun(t, run{}, "backup", backup, "--data", dir, "--as", "ada")
	grow(t, dir, "b", 3)
	res = witnessRun(t, dir, aud.token, state)
	if res.code != 0 || !strings.Contains(res.stdout, "grew from") {
		t.Fatalf("after more growth: exit %d %q %q", res.code, res.stdout, res.stderr)
	}
	if res := mustRun(t, run{}, "audit", "verify", "--data", dir, "--witness", state); !strings.Contains(res.stdout, "witness") {
		t.Errorf("verify --witness of the true folder: %q", res.stdout)
	}

	t.Run("the folder rolled back to an older copy", func(t *testing.T) {
		rolled := copyDataFolder(t, older)
		st := copyFile(t, state)
		witnessFails(t, witnessRun(t, rolled, aud.token, st), "shrank from", "entries to")
		res := runBin(t, run{}, "audit", "verify", "--data", rolled, "--witness", st)
		if res.code != 1 || !strings.Contains(res.stderr, "a witness saw") {
			t.Errorf("verify --witness of the rolled-back folder: exit %d %q", res.code, res.stderr)
		}
		// The folder alone verifies: only the witness remembers.
		mustRun(t, run{}, "audit", "verify", "--data", rolled)
		// It grows again past what the witness saw: a fork.
		grow(t, rolled, "c", 12)
		witnessFails(t, witnessRun(t, rolled, aud.token, st), "do not extend", "rewritten or forked")
	})

	t.Run("an older backup restored", func(t *testing.T) {
		restored := filepath.Join(t.TempDir(), "restored")
		mustRun(t, run{}, "restore", backup, "--data", restored, "--master-key", filepath.Join(dir, "master.key"))
		// The master key is kept apart from backups; the server needs it.
		mk, err := os.ReadFile(filepath.Join(dir, "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(restored, "master.key"), mk, 0o600); err != nil {
			t.Fatal(err)
		}
		st := copyFile(t, state)
		witnessFails(t, witnessRun(t, restored, aud.token, st), "shrank from")
	})

	t.Run("another log's key", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other")
		mustRun(t, run{}, "user", "add", "--data", other, "--username", "ada", "--name", "Ada Admin", "--gender", "female", "--roles", "admin")
		otherKey := strings.TrimSpace(mustRun(t, run{}, "audit", "key", "--data", other).stdout)
		witnessFails(t, witnessRun(t, dir, aud.token, filepath.Join(t.TempDir(), "pinned.state"), "--key", otherKey), "not signed by the log's key")
		res := runBin(t, run{}, "audit", "verify", "--data", other, "--witness", state)
		if res.code != 1 || !strings.Contains(res.stderr, "another log") {
			t.Errorf("verify --witness of another log: exit %d %q", res.code, res.stderr)
		}
	})

	t.Run("bad usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"audit", "witness", "--token", "x", "--state", state},
			{"audit", "witness", "--url", "ftp://x", "--token", "x", "--state", state},
			{"audit", "witness", "--url", "http://127.0.0.1:1", "--token", "x", "--state", filepath.Join(t.TempDir(), "s")},
		} {
			res := runBin(t, run{}, args...)
			if res.code != 2 {
				t.Errorf("tandem %s: exit %d, want 2: %q", strings.Join(args, " "), res.code, res.stderr)
			}
			assertOneCleanLine(t, res.stderr)
		}
	})
}

// copyFile copies a file into a new temporary folder.
func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestUserConfirm_TheSecondPerson: the first controller is made with
// --bootstrap, once; every other account waits until a second person
// confirms it at the command line (or POST /officers/{id}/confirm), and
// nobody confirms their own.
func TestUserConfirm_TheSecondPerson(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	add := func(username, roles string, extra ...string) result {
		return runBin(t, run{}, append([]string{"user", "add", "--data", dir, "--username", username, "--name", "Officer " + username, "--gender", "female",
			"--roles", roles, "--unit", "north", "--dedicated"}, extra...)...)
	}
	if res := add("carol", "controller", "--bootstrap"); res.code != 0 {
		t.Fatalf("the first controller with --bootstrap: exit %d %s", res.code, res.stderr)
	}
	res := add("dan", "controller", "--bootstrap")
	if res.code == 0 || !strings.Contains(res.stderr, "has had its first controller") {
		t.Errorf("a second --bootstrap: exit %d %q", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	if res := add("harry", "handler", "--bootstrap"); res.code == 0 || !strings.Contains(res.stderr, "controller role") {
		t.Errorf("--bootstrap of a handler: exit %d %q", res.code, res.stderr)
	}
	mustRun(t, run{}, "user", "add", "--data", dir, "--username", "hana", "--name", "Hana Handler", "--gender", "female", "--roles", "handler", "--unit", "north")
	confirm := func(username, as string) result {
		return runBin(t, run{}, "user", "confirm", "--data", dir, "--username", username, "--reason", "checked against the personnel record", "--as", as)
	}
	if res := confirm("hana", "hana"); res.code == 0 || !strings.Contains(res.stderr, "roles do not allow") {
		t.Errorf("a handler confirms: exit %d %q", res.code, res.stderr)
	}
	if res := add("dan", "controller"); res.code != 0 {
		t.Fatalf("a second controller: exit %d %s", res.code, res.stderr)
	}
	if res := confirm("dan", "dan"); res.code == 0 || !strings.Contains(res.stderr, "awaits confirmation") {
		t.Errorf("confirming one's own account: exit %d %q", res.code, res.stderr)
	}
	if res := confirm("hana", "carol"); res.code != 0 || res.stdout != "hana confirmed\n" {
		t.Errorf("the controller confirms: exit %d %q %q", res.code, res.stdout, res.stderr)
	}
	if res := confirm("hana", "carol"); res.code == 0 || !strings.Contains(res.stderr, "awaits no confirmation") {
		t.Errorf("a second confirmation: exit %d %q", res.code, res.stderr)
	}
	if res := runBin(t, run{}, "user", "confirm", "--data", dir, "--username", "hana", "--as", "carol"); res.code != 2 {
		t.Errorf("user confirm without --reason: exit %d, want 2", res.code)
	}
	mustRun(t, run{}, "audit", "verify", "--data", dir)
}
