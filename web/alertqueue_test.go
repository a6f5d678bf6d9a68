package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestAlertQueue_GroupedCountedPagedAndInTheNavigation: a controller with
// 55 open alerts on one source sees them counted by source and rule (the
// whole queue, not a page), pages of at most 50, and the open count in the
// navigation on every page; a handler outside the source counts none.
func TestAlertQueue_GroupedCountedPagedAndInTheNavigation(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl", "hb", "hc")
		src := a.pairedSource()
		for i := range 55 {
			if _, err := a.store.RecordContact(as(a.ha), src.ID, tandem.ContactCreate{Kind: tandem.KindMeeting,
				OccurredAt: a.clock.Now().Add(-time.Duration(i+1) * time.Hour), OfficerIDs: []string{a.ha.ID}, Summary: fmt.Sprintf("solo %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		open := a.alerts(tandem.AlertFilter{Status: tandem.AlertOpen})
		two := 0
		for _, al := range open {
			if al.Rule == tandem.RuleTwoOfficers {
				two++
			}
		}
		if two != 55 {
			t.Fatalf("%d open TWO_OFFICERS alerts, want 55", two)
		}
		ctl := a.signIn(a.controller)
		p := ctl.get("/alerts")
		if p.status != http.StatusOK {
			t.Fatalf("/alerts: %d", p.status)
		}
		group := regexp.MustCompile(`<a href="/alerts\?status=open&amp;rule=TWO_OFFICERS&amp;source_id=` + src.ID + `">[^<]*</a> × (\d+)`).FindStringSubmatch(p.body)
		if group == nil || group[1] != "55" {
			t.Errorf("the source's TWO_OFFICERS group: %v, want × 55", group)
		}
		if n := strings.Count(p.body, `<td data-label="Rule">`); n != 50 {
			t.Errorf("the first page shows %d alerts, want 50", n)
		}
		nav := regexp.MustCompile(`<span class="nav-count">(\d+)<span class="sr-only"> open</span></span>`)
		if m := nav.FindStringSubmatch(p.body); m == nil || m[1] != strconv.Itoa(len(open)) {
			t.Errorf("the navigation's count: %v, want %d", m, len(open))
		}
		if m := nav.FindStringSubmatch(ctl.get("/compliance").body); m == nil || m[1] != strconv.Itoa(len(open)) {
			t.Errorf("the navigation's count on another page: %v, want %d", m, len(open))
		}
		more := regexp.MustCompile(`<a href="([^"]+)">Older alerts</a>`).FindStringSubmatch(p.body)
		if more == nil {
			t.Fatalf("no way to the older alerts")
		}
		if n := strings.Count(ctl.get(html.UnescapeString(more[1])).body, `<td data-label="Rule">`); n != len(open)-50 {
			t.Errorf("the second page shows %d alerts, want %d", n, len(open)-50)
		}
		// A handler of the unit who is not on the source counts none of it.
		hc := a.signIn(a.officer("hc", "male", "north", true, tandem.RoleHandler))
		if p := hc.get("/sources"); p.status != http.StatusOK || nav.MatchString(p.body) {
			t.Errorf("a handler not on the source sees an open count: %d", p.status)
		}
		hb := a.signIn(a.hb)
		if m := nav.FindStringSubmatch(hb.get("/sources").body); m == nil || m[1] != strconv.Itoa(len(open)) {
			t.Errorf("the co-handler's count: %v, want %d", m, len(open))
		}
	})
}
