package web_test

import (
	"net/http"
	"strings"
	"testing"

	"tandem"
	"tandem/internal/testdb"
)

// TestRiskRegister_OverdueReviewsFirstThenTheGravest: a source's register
// lists its entries with their scores and review dates read against
// today; an entry whose review date has passed comes first and says by how
// much; the source's page links to it; an officer outside the source's
// need-to-know gets nothing.
func TestRiskRegister_OverdueReviewsFirstThenTheGravest(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha", "hc")
		src := a.pairedSource()
		today := a.clock.Now().UTC()
		add := func(desc string, l, i int, reviewBy string) {
			t.Helper()
			if _, err := a.store.CreateRisk(as(a.ha), src.ID, tandem.RiskCreate{Category: tandem.RiskSourceSafety, Description: desc,
				Likelihood: l, Impact: i, Mitigation: "meet only in the car", ReviewBy: reviewBy}); err != nil {
				t.Fatal(err)
			}
		}
		add("grave, reviewed later", 5, 5, today.AddDate(0, 0, 25).Format(tandem.DateLayout))
		add("mild, review passed", 1, 2, today.AddDate(0, 0, 2).Format(tandem.DateLayout))
		// Five days on, the mild entry's review date has passed.
		a.clock.Set(today.AddDate(0, 0, 5))
		ha := a.signIn(a.ha)
		if p := ha.get("/sources/" + src.ID); !strings.Contains(p.body, `href="/sources/`+src.ID+`/risks"`) {
			t.Errorf("the source's page has no link to its risk register")
		}
		p := ha.get("/sources/" + src.ID + "/risks")
		if p.status != http.StatusOK {
			t.Fatalf("the register: %d", p.status)
		}
		mild, grave := strings.Index(p.body, "mild, review passed"), strings.Index(p.body, "grave, reviewed later")
		if mild < 0 || grave < 0 || mild > grave {
			t.Errorf("the entry whose review passed is not first (at %d, the grave one at %d)", mild, grave)
		}
		for _, want := range []string{"overdue by 3 days", `<span class="pill breach">25</span>`, "in 20 days", `<span class="pill ok">2</span>`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the register does not say %q", want)
			}
		}
		outsider := a.signIn(a.officer("hc", "male", "north", true, tandem.RoleHandler))
		if p := outsider.get("/sources/" + src.ID + "/risks"); p.status != http.StatusNotFound || strings.Contains(p.body, "meet only in the car") {
			t.Errorf("an officer outside need-to-know: %d", p.status)
		}
	})
}
