package main

import (
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestSettings_TightenedByANamedOfficerAndAudited: a setting changes only
// with a reason and the officer who makes it; a looser value than the
// founding article's is refused naming the key, at the very edge; a
// tighter one is taken, and the change is in the trail under that
// officer's name.
func TestSettings_TightenedByANamedOfficerAndAudited(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := initialisedOn(t, backend)
		mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "hal", "--name", "Hal Handler", "--gender", "male", "--roles", "handler", "--unit", "north")
		res := mustRun(t, run{}, "settings", "list", "--data", dir)
		for _, want := range []string{"document_within = 24h0m0s", "min_officers = 2", "min_same_gender = 1", "call_window = 30m0s"} {
			if !strings.Contains(res.stdout, want) {
				t.Fatalf("settings list: no %q in %q", want, res.stdout)
			}
		}
		for _, bad := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"--key", "min_officers", "--value", "1", "--reason", "testing", "--as", "first.admin"}, 2, "min_officers"},
			{[]string{"--key", "min_officers", "--value", "0", "--reason", "testing", "--as", "first.admin"}, 2, "min_officers"},
			{[]string{"--key", "document_within", "--value", "24h0m1s", "--reason", "testing", "--as", "first.admin"}, 2, "document_within"},
			{[]string{"--key", "min_training_hours", "--value", "69.9", "--reason", "testing", "--as", "first.admin"}, 2, "min_training_hours"},
			{[]string{"--key", "call_window", "--value", "31m", "--reason", "testing", "--as", "first.admin"}, 2, "call_window"},
			{[]string{"--key", "call_match_window", "--value", "31m", "--reason", "testing", "--as", "first.admin"}, 2, "call_window"},
			{[]string{"--key", "no_such", "--value", "1", "--reason", "testing", "--as", "first.admin"}, 2, "no_such"},
			{[]string{"--key", "min_officers", "--value", "3", "--as", "first.admin"}, 2, "--reason"},
			{[]string{"--key", "min_officers", "--value", "3", "--reason", "testing"}, 2, "--as"},
			{[]string{"--key", "min_officers", "--value", "3", "--reason", "testing", "--as", "nobody"}, 2, "nobody"},
			{[]string{"--key", "min_officers", "--value", "3", "--reason", "testing", "--as", "hal"}, 1, "controller"},
		} {
			res := runBin(t, run{}, append([]string{"settings", "set", "--data", dir}, bad.args...)...)
			if res.code != bad.code {
				t.Errorf("settings set %v: exit %d, want %d", bad.args, res.code, bad.code)
			}
			if !strings.Contains(res.stderr, bad.says) {
				t.Errorf("settings set %v: stderr %q does not name %q", bad.args, res.stderr, bad.says)
			}
			assertOneCleanLine(t, res.stderr)
		}
		if res := mustRun(t, run{}, "settings", "list", "--data", dir); !strings.Contains(res.stdout, "min_officers = 2") || !strings.Contains(res.stdout, "document_within = 24h0m0s") {
			t.Fatalf("a refused change changed the settings: %q", res.stdout)
		}
		// The edge itself is allowed; tighter too.
		mustRun(t, run{}, "settings", "set", "--data", dir, "--key", "document_within", "--value", "24h", "--reason", "force policy", "--as", "first.admin")
		res = mustRun(t, run{}, "settings", "set", "--data", dir, "--key", "min_officers", "--value", "3", "--reason", "force policy: three at every meeting", "--as", "first.admin")
		if res.stdout != "min_officers = 3\n" {
			t.Errorf("settings set prints %q", res.stdout)
		}
		if res := mustRun(t, run{}, "settings", "list", "--data", dir); !strings.Contains(res.stdout, "min_officers = 3") {
			t.Errorf("after the change: %q", res.stdout)
		}
		mustRun(t, run{}, "audit", "verify", "--data", dir)
	})
}
