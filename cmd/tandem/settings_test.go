package main

import (
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestSettings_ChangedWithAReasonAndAudited: a setting changes only with a
// reason, a bad value is refused naming it, and the change is in the trail.
func TestSettings_ChangedWithAReasonAndAudited(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := initialisedOn(t, backend)
		res := mustRun(t, run{}, "settings", "list", "--data", dir)
		if !strings.Contains(res.stdout, "document_within = 24h0m0s") || !strings.Contains(res.stdout, "min_officers = 2") {
			t.Fatalf("settings list: %q", res.stdout)
		}
		for _, bad := range [][]string{
			{"--key", "min_officers", "--value", "0", "--reason", "testing"},
			{"--key", "no_such", "--value", "1", "--reason", "testing"},
			{"--key", "min_officers", "--value", "3"},
		} {
			res := runBin(t, run{}, append([]string{"settings", "set", "--data", dir}, bad...)...)
			if res.code != 2 {
				t.Errorf("settings set %v: exit %d, want 2", bad, res.code)
			}
			assertOneCleanLine(t, res.stderr)
		}
		mustRun(t, run{}, "settings", "set", "--data", dir, "--key", "min_officers", "--value", "3", "--reason", "force policy: three at every meeting")
		if res := mustRun(t, run{}, "settings", "list", "--data", dir); !strings.Contains(res.stdout, "min_officers = 3") {
			t.Errorf("after the change: %q", res.stdout)
		}
		mustRun(t, run{}, "audit", "verify", "--data", dir)
	})
}
