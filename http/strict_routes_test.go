package http

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tandem/internal/testdb"
)

// TestStrictInput_MutatedBodiesOnBothDatabases sends a few hundred bodies
// made by mutating a good contact, deterministically (a duplicate key, a
// name in another case, a NUL, a lone surrogate, a broken byte, a cut), to
// the real route on each database. None may answer 5xx; a refusal writes
// nothing; and a contact that is recorded holds only text a record may.
func TestStrictInput_MutatedBodiesOnBothDatabases(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		good := `{"kind": "phone", "occurred_at": "` + rfc3339(t0.Add(-time.Hour)) + `", "officer_ids": ["` + f.id(uNorthHandlerA) + `"], "summary": "a short call about the meeting", "location": "by phone"}`
		rnd := rand.New(rand.NewPCG(8, 9))
		inserts := []string{`\u0000`, "\x00", "\xff", "\xc3", `\ud800`, `\udc00\ud800`, `", "summary": "again`, `", "Summary": "again`, `", "KIND": "meeting`, `"`, `\`, `{`, `]`, "\u2028", `", "kind": "meeting`}
		path := api("sources", f.north.ID, "contacts")
		recorded, refused := 0, 0
		for i := 0; i < 300; i++ {
			b := good
			// Splice one to three mutations in, inside string values mostly.
			for n := 1 + rnd.IntN(3); n > 0; n-- {
				at := rnd.IntN(len(b))
				b = b[:at] + inserts[rnd.IntN(len(inserts))] + b[at:]
			}
			if rnd.IntN(10) == 0 {
				b = b[:rnd.IntN(len(b))]
			}
			before := f.counts()
			res := f.do("POST", path, f.token(uNorthHandlerA), []byte(b))
			switch {
			case res.Status >= 500:
				t.Fatalf("body %q: %d %s", b, res.Status, res)
			case res.Status == http.StatusCreated:
				recorded++
				var c struct {
					Summary, Location string
				}
				if err := json.Unmarshal(res.Body, &c); err != nil {
					t.Fatal(err)
				}
				for _, s := range []string{c.Summary, c.Location} {
					if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError) {
						t.Errorf("body %q was recorded with text %q", b, s)
					}
				}
			default:
				refused++
				// 403: an officer id mangled into another's is a contact
				// the handler was not at.
				if res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity && res.Status != http.StatusForbidden {
					t.Errorf("body %q: %d, want 400 (or 403, 422, 201)", b, res.Status)
				}
				if after := f.counts(); after != before {
					t.Errorf("body %q was refused but wrote: before %+v, after %+v", b, before, after)
				}
				if !bytes.Contains(res.Body, []byte(`"code":"invalid"`)) && res.Status == http.StatusBadRequest {
					t.Errorf("body %q: a 400 that is not invalid: %s", b, res)
				}
			}
		}
		if refused == 0 || recorded == 0 {
			t.Errorf("%d recorded, %d refused: the mutations do not exercise both ways", recorded, refused)
		}
	})
}
