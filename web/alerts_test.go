package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestAlerts_AcknowledgingKeepsTheFilter: a controller working through
// one rule's alerts acknowledges one and is back on the same filtered
// list, not the whole queue; a "back" that points elsewhere is not
// followed.
func TestAlerts_AcknowledgingKeepsTheFilter(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s := a.pairedSource()
		a.soloMeeting(s)
		a.soloMeeting(s)
		ctrl := a.signIn(a.controller)
		list := ctrl.get("/alerts?rule=TWO_OFFICERS&source_id=" + s.ID)
		m := regexp.MustCompile(`action="(/alerts/[0-9a-f]+/acknowledge)"`).FindStringSubmatch(list.body)
		back := regexp.MustCompile(`name="back" value="([^"]*)"`).FindStringSubmatch(list.body)
		if m == nil || back == nil {
			t.Fatalf("the filtered list offers no acknowledgement with its way back")
		}
		p := ctrl.post(m[1], url.Values{"csrf": {ctrl.csrf()}, "justification": {"reviewed with the handler"}, "back": {html.UnescapeString(back[1])}})
		loc, _ := url.Parse(p.location())
		if p.status != http.StatusSeeOther || loc.Path != "/alerts" || loc.Query().Get("rule") != "TWO_OFFICERS" || loc.Query().Get("source_id") != s.ID ||
			loc.Query().Get("done") != "alert_acknowledged" {
			t.Errorf("after acknowledging: %d to %q, want the same filtered list", p.status, p.location())
		}
		if n := len(a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID, Status: tandem.AlertOpen})); n != 1 {
			t.Errorf("%d open TWO_OFFICERS alerts after acknowledging one of 2", n)
		}
		m = regexp.MustCompile(`action="(/alerts/[0-9a-f]+/acknowledge)"`).FindStringSubmatch(ctrl.get("/alerts?rule=TWO_OFFICERS").body)
		if m == nil {
			t.Fatal("no alert left to acknowledge")
		}
		p = ctrl.post(m[1], url.Values{"csrf": {ctrl.csrf()}, "justification": {"reviewed with the handler"}, "back": {"https://elsewhere.example/alerts?rule=X"}})
		if loc := p.location(); !strings.HasPrefix(loc, "/alerts?") || strings.Contains(loc, "elsewhere") {
			t.Errorf("a back pointing elsewhere was followed: %q", loc)
		}
	})
}

// TestAlerts_RelationshipRiskComesFirst: the relationship-risk alert, a
// warning, is not buried under the breaches: it heads the list.
func TestAlerts_RelationshipRiskComesFirst(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s := a.pairedSource()
		a.soloMeeting(s)
		if _, err := a.store.RecordContact(as(a.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: a.clock.Now().Add(-30 * time.Minute),
			OfficerIDs: []string{a.ha.ID}, Summary: "Late call", Indicators: []tandem.Indicator{tandem.IndicatorAttractionExpressed}}); err != nil {
			t.Fatal(err)
		}
		body := a.signIn(a.controller).get("/alerts").body
		codes := regexp.MustCompile(`<span class="code">([A-Z_]+)</span>`).FindAllStringSubmatch(body, -1)
		if len(codes) < 2 || codes[0][1] != "RELATIONSHIP_RISK" {
			t.Errorf("the alert list starts %v, want RELATIONSHIP_RISK first", codes)
		}
	})
}

// TestAlerts_AcknowledgeSeveralAtOnce: the ticked alerts are acknowledged
// with one justification, each on its own entry; none ticked, nothing
// done and the page says so.
func TestAlerts_AcknowledgeSeveralAtOnce(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s := a.pairedSource()
		a.soloMeeting(s)
		a.soloMeeting(s)
		open := a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID, Status: tandem.AlertOpen})
		if len(open) != 2 {
			t.Fatalf("%d open TWO_OFFICERS alerts, want 2", len(open))
		}
		ctrl := a.signIn(a.controller)
		page := ctrl.get("/alerts?rule=TWO_OFFICERS")
		if !strings.Contains(page.body, `form="bulk"`) || !strings.Contains(page.body, `action="/alerts/acknowledge"`) {
			t.Fatalf("the alerts page offers no bulk acknowledgement")
		}
		p := ctrl.post("/alerts/acknowledge", url.Values{"csrf": {ctrl.csrf()}, "justification": {"reviewed both with the handler"}, "back": {"/alerts?rule=TWO_OFFICERS"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Tick the alerts") {
			t.Errorf("none ticked: %d %q", p.status, p.alert())
		}
		p = ctrl.post("/alerts/acknowledge", url.Values{"csrf": {ctrl.csrf()}, "justification": {"reviewed both with the handler"},
			"back": {"/alerts?rule=TWO_OFFICERS"}, "id": {open[0].ID, open[1].ID}})
		if p.status != http.StatusSeeOther || !strings.Contains(p.location(), "rule=TWO_OFFICERS") {
			t.Fatalf("two ticked: %d to %q %q", p.status, p.location(), p.alert())
		}
		if n := len(a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID, Status: tandem.AlertOpen})); n != 0 {
			t.Errorf("%d still open after acknowledging both", n)
		}
		acks := 0
		for _, al := range a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID}) {
			if al.Justification == "reviewed both with the handler" {
				acks++
			}
		}
		if acks != 2 {
			t.Errorf("%d alerts carry the justification, want 2", acks)
		}
	})
}
