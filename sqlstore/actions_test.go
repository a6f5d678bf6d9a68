package sqlstore_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tandem"
)

// TestAuditActions_EveryActionTheStoreWritesIsListed: the audit page's
// filter offers tandem.AuditActions; an act the store records but the list
// leaves out could not be filtered for by an inspector.
func TestAuditActions_EveryActionTheStoreWritesIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	written := regexp.MustCompile(`(?:record|note|appendAudit|insertRecorded)\("([a-z_.]+)"`)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range written.FindAllSubmatch(b, -1) {
			found++
			if a := string(m[1]); !slices.Contains(tandem.AuditActions, a) {
				t.Errorf("%s writes audit action %q, which tandem.AuditActions does not list", f, a)
			}
		}
	}
	if found < 30 {
		t.Errorf("found only %d audit writes in the store's code: the pattern no longer matches how entries are written", found)
	}
}
