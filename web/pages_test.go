package web_test

import (
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
	"tandem/web"
)

// TestNew_ParsesEveryTemplateAtStartUp: web.New parses every template, so
// it succeeds without touching a service.
func TestNew_ParsesEveryTemplateAtStartUp(t *testing.T) {
	t.Parallel()
	h, err := web.New(web.Services{}, nil, &testClock{now: t0})
	if err != nil || h == nil {
		t.Fatalf("web.New: %v", err)
	}
}

// TestPages_EachPageAnswersItsRolesAndRefusesOthers signs in one officer
// of each role and asks each page of front/routes.go: 200 for the roles it
// serves, 403 for the others, and the sign-in page for no one signed in.
func TestPages_EachPageAnswersItsRolesAndRefusesOthers(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "admin", "ctrl", "aud", "ha")
		s := a.pairedSource()
		c := a.soloMeeting(s)
		if _, err := a.store.PlanMeeting(as(a.ha), s.ID, tandem.MeetingCreate{PlannedFor: a.clock.Now().Add(2 * time.Hour), Location: "Park",
			OfficerIDs: []string{a.ha.ID, a.hb.ID}}); err != nil {
			t.Fatalf("plan a meeting: %v", err)
		}
		if _, err := a.store.CreateRisk(as(a.ha), s.ID, tandem.RiskCreate{Category: "relationship", Description: "Source is friendly",
			Likelihood: 2, Impact: 3, Mitigation: "Two officers at every meeting", ReviewBy: "2026-04-09", ContactID: c.ID}); err != nil {
			t.Fatalf("record a risk: %v", err)
		}
		browsers := map[string]*browser{
			"admin":      a.signIn(a.admin),
			"controller": a.signIn(a.controller),
			"auditor":    a.signIn(a.auditor),
			"handler":    a.signIn(a.ha),
			"nobody":     a.browser(),
		}
		src := "/sources/" + s.ID
		compliance := "/compliance/contacts?" + url.Values{"from": {"2026-01-01"}, "to": {"2026-03-31"}, "measure": {"contacts"}}.Encode()
		cases := []struct {
			who, path string
			status    int
			says      string // a sign that the right page came, or where a 303 goes
		}{
			{"handler", "/", 303, "/sources"},
			{"controller", "/", 303, "/alerts"},
			{"admin", "/", 303, "/officers"},
			{"auditor", "/", 303, "/compliance"},
			{"handler", "/sources", 200, "My sources"},
			{"handler", src, 200, s.Reference},
			{"handler", src + "/contacts/new", 200, "Record a contact"},
			{"handler", src + "/meetings/new", 200, "Plan a meeting"},
			{"handler", src + "/risks/new", 200, "risk"},
			{"handler", "/alerts", 200, "TWO_OFFICERS"},
			{"controller", "/sources", 200, s.Reference},
			{"controller", src, 200, s.Reference},
			{"controller", src + "/meetings/new", 200, "Override justification"},
			{"controller", "/alerts", 200, "TWO_OFFICERS"},
			{"controller", "/compliance", 200, "Compliance"},
			{"controller", compliance, 200, "Contacts behind the count"},
			// The drill-down leads to each contact, not only its source.
			{"controller", compliance, 200, `href="` + src + `/contacts/` + c.ID + `"`},
			{"controller", "/officers", 200, "Officer hb"},
			{"auditor", "/audit", 200, "Audit trail"},
			{"auditor", "/compliance", 200, "Compliance"},
			{"auditor", src, 200, s.Reference},
			{"admin", "/officers", 200, "Officer hb"},

			{"handler", "/audit", 403, "Not allowed"},
			{"handler", "/compliance", 403, "Not allowed"},
			{"handler", "/officers", 403, "Not allowed"},
			{"controller", "/audit", 403, "Not allowed"},
			{"auditor", "/officers", 403, "Not allowed"},
			{"auditor", src + "/contacts/new", 403, "Not allowed"},
			{"auditor", src + "/meetings/new", 403, "Not allowed"},
			{"admin", "/sources", 403, "Not allowed"},
			{"admin", src, 403, "Not allowed"},
			{"admin", "/audit", 403, "Not allowed"},
			{"admin", "/compliance", 403, "Not allowed"},
			{"admin", "/alerts", 403, "Not allowed"},

			{"nobody", "/", 303, "/login?next=%2F"},
			{"nobody", "/sources", 303, "/login?next=%2Fsources"},
			{"nobody", src, 303, "/login?next=" + url.QueryEscape(src)},
			{"nobody", "/alerts", 303, "/login?next=%2Falerts"},
			{"nobody", "/compliance", 303, "/login?next=%2Fcompliance"},
			{"nobody", "/officers", 303, "/login?next=%2Fofficers"},
			{"nobody", "/audit", 303, "/login?next=%2Faudit"},
		}
		for _, tc := range cases {
			t.Run(tc.who+" "+tc.path, func(t *testing.T) {
				p := browsers[tc.who].get(tc.path)
				if p.status != tc.status {
					t.Fatalf("status %d; want %d", p.status, tc.status)
				}
				if tc.status == http.StatusSeeOther {
					if p.location() != tc.says {
						t.Errorf("redirect to %q; want %q", p.location(), tc.says)
					}
					return
				}
				if !strings.Contains(p.body, tc.says) {
					t.Errorf("the page does not say %q", tc.says)
				}
				if tc.status == http.StatusOK && strings.Contains(p.body, "Something went wrong") {
					t.Error("the page is an error page")
				}
				// No page but the identity reveal shows the sealed identity.
				for _, secret := range []string{"Jane Roe", "1 High Street", "+447700900123", "1990-05-01"} {
					if strings.Contains(p.body, secret) {
						t.Errorf("the page shows the source's identity (%q)", secret)
					}
				}
			})
		}
	})
}

// TestContactForm_ShowsTheRulesFindings records a meeting the handler held
// alone: the preview and the saved page list the findings the rules gave,
// word for word as the store holds them, TWO_OFFICERS among them.
func TestContactForm_ShowsTheRulesFindings(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		ha := a.signIn(a.ha)
		form := url.Values{"csrf": {ha.csrf()}, "kind": {"meeting"}, "occurred_at": {formTime(a.clock.Now().Add(-2 * time.Hour))},
			"location": {"Station café"}, "officer_ids": {a.ha.ID}, "summary": {"Met alone: co-handler off sick."}}
		create := tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: a.clock.Now().Add(-2 * time.Hour).Truncate(time.Minute),
			Location: "Station café", OfficerIDs: []string{a.ha.ID}, Summary: "Met alone: co-handler off sick."}
		rules, err := a.store.PreviewContact(as(a.ha), s.ID, create)
		if err != nil {
			t.Fatalf("store preview: %v", err)
		}
		want := asFindings(rules)
		if !hasRule(want, tandem.RuleTwoOfficers) {
			t.Fatalf("the rules find %v for a solo meeting; the test expects TWO_OFFICERS", want)
		}

		preview := ha.post("/sources/"+s.ID+"/contacts/preview", form)
		if preview.status != http.StatusOK {
			t.Fatalf("preview: %d", preview.status)
		}
		if !strings.HasPrefix(preview.header.Get("Content-Type"), "text/html") {
			t.Errorf("preview Content-Type %q; want HTML", preview.header.Get("Content-Type"))
		}
		if got := preview.findings(); !slices.Equal(got, want) {
			t.Errorf("preview lists %v; want the rules' %v", got, want)
		}
		if a.contacts(s) != 0 {
			t.Fatal("the preview recorded a contact")
		}

		before := len(a.alerts(tandem.AlertFilter{Status: tandem.AlertOpen, Rule: tandem.RuleTwoOfficers, SourceID: s.ID}))
		posted := ha.post("/sources/"+s.ID+"/contacts", form)
		if posted.status != http.StatusSeeOther {
			t.Fatalf("record: %d %s; want 303 to the recorded contact", posted.status, posted.alert())
		}
		// Post/Redirect/Get: the record's own page lists the findings.
		saved := ha.get(posted.location())
		if saved.status != http.StatusOK || !strings.Contains(saved.body, "Recorded. It breaks") {
			t.Fatalf("the recorded contact's page: %d %s", saved.status, saved.alert())
		}
		page, err := a.store.ListContacts(as(a.ha), s.ID, 10, "")
		if err != nil || len(page.Contacts) != 1 {
			t.Fatalf("contacts after recording: %v, %v; want one", page, err)
		}
		stored := asFindings(page.Contacts[0].Findings)
		if got := saved.findings(); !slices.Equal(got, stored) {
			t.Errorf("saved page lists %v; want the stored contact's %v", got, stored)
		}
		if !slices.Equal(stored, want) {
			t.Errorf("stored findings %v differ from the preview's %v", stored, want)
		}
		if after := len(a.alerts(tandem.AlertFilter{Status: tandem.AlertOpen, Rule: tandem.RuleTwoOfficers, SourceID: s.ID})); after != before+1 {
			t.Errorf("open TWO_OFFICERS alerts %d -> %d; want one more", before, after)
		}

		// A meeting with both handlers breaks no rule: the preview says so.
		form["officer_ids"] = []string{a.ha.ID, a.hb.ID}
		if p := ha.post("/sources/"+s.ID+"/contacts/preview", form); p.status != http.StatusOK || len(p.findings()) != 0 || !strings.Contains(p.body, "No rule broken") {
			t.Errorf("preview of a meeting with two officers: %d, %v; want no finding", p.status, p.findings())
		}
	})
}

// TestContactForm_RulesNumbersComeFromSettings: with the number of officers
// tightened to three, the same meeting of two breaks TWO_OFFICERS on the
// page too, and the finding gives the force's number.
func TestContactForm_RulesNumbersComeFromSettings(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		ha := a.signIn(a.ha)
		form := url.Values{"csrf": {ha.csrf()}, "kind": {"meeting"}, "occurred_at": {formTime(a.clock.Now().Add(-time.Hour))},
			"officer_ids": {a.ha.ID, a.hb.ID}, "summary": {"Met together."}}
		if p := ha.post("/sources/"+s.ID+"/contacts/preview", form); hasRule(p.findings(), tandem.RuleTwoOfficers) {
			t.Fatalf("preview lists TWO_OFFICERS for two officers with the default settings: %v", p.findings())
		}
		if err := a.store.SetSetting(as(a.admin), "min_officers", "3", "test: a force that sends three"); err != nil {
			t.Fatalf("set min_officers: %v", err)
		}
		if p := ha.post("/sources/"+s.ID+"/contacts/preview", form); !hasRule(p.findings(), tandem.RuleTwoOfficers) || !strings.Contains(p.body, "at least 3 officers") {
			t.Errorf("preview with min_officers 3: %v; want TWO_OFFICERS naming 3", p.findings())
		}
		p := ha.post("/sources/"+s.ID+"/contacts", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("record: %d %s; want 303", p.status, p.alert())
		}
		if saved := ha.get(p.location()); !hasRule(saved.findings(), tandem.RuleTwoOfficers) {
			t.Errorf("recorded contact lists %v; want TWO_OFFICERS", saved.findings())
		}
	})
}

// TestMeetingPlan_RefusedUnlessControllerOverrides plans a meeting for one
// officer: the handler is refused with TWO_OFFICERS named, and nothing is
// planned; the controller's override with a justification plans it and
// raises the alert.
func TestMeetingPlan_RefusedUnlessControllerOverrides(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha", "ctrl")
		s := a.pairedSource()
		ha, ctrl := a.signIn(a.ha), a.signIn(a.controller)
		when := formTime(a.clock.Now().Add(26 * time.Hour))
		plan := func(b *browser, justification string) url.Values {
			v := url.Values{"csrf": {b.csrf()}, "planned_for": {when}, "location": {"Car park, Mill Street"}, "officer_ids": {a.ha.ID}}
			if justification != "" {
				v.Set("override_justification", justification)
			}
			return v
		}
		meetings := func() int {
			ms, err := a.store.ListMeetings(as(a.ha), s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ms)
		}

		if p := ha.post("/sources/"+s.ID+"/meetings/preview", plan(ha, "")); p.status != http.StatusOK || !hasRule(p.findings(), tandem.RuleTwoOfficers) {
			t.Errorf("meeting preview: %d %v; want TWO_OFFICERS", p.status, p.findings())
		}
		cases := []struct {
			name     string
			b        *browser
			form     url.Values
			status   int
			planned  int
			says     string
			overrode bool
		}{
			{"handler, one officer", ha, plan(ha, ""), http.StatusUnprocessableEntity, 0, "Refused", false},
			{"handler, one officer, with a justification", ha, plan(ha, "The co-handler is on leave that week."), http.StatusForbidden, 0, "Refused", false}, // as the API answers it: one table
			{"controller, one officer, no justification", ctrl, plan(ctrl, ""), http.StatusUnprocessableEntity, 0, "Refused", false},
			{"controller override with a justification", ctrl, plan(ctrl, "Source in danger; the second officer waits in the car."), http.StatusSeeOther, 1, "under your override", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before, alerts := meetings(), len(a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID}))
				p := tc.b.post("/sources/"+s.ID+"/meetings", tc.form)
				if p.status != tc.status {
					t.Fatalf("status %d; want %d\n%s", p.status, tc.status, p.alert())
				}
				if p.status == http.StatusSeeOther {
					p = tc.b.get(p.location()) // the planned meeting's own page
				}
				if !hasRule(p.findings(), tandem.RuleTwoOfficers) {
					t.Errorf("the page lists %v; want TWO_OFFICERS", p.findings())
				}
				if !strings.Contains(p.body, tc.says) {
					t.Errorf("the page does not say %q", tc.says)
				}
				if got := meetings() - before; got != tc.planned {
					t.Errorf("%d meetings planned; want %d", got, tc.planned)
				}
				raised := len(a.alerts(tandem.AlertFilter{Rule: tandem.RuleTwoOfficers, SourceID: s.ID})) - alerts
				if tc.overrode != (raised == 1) {
					t.Errorf("%d TWO_OFFICERS alerts raised; want %d", raised, map[bool]int{true: 1}[tc.overrode])
				}
			})
		}
	})
}

// TestSourceList_DocumentationClockTurnsRedNearTheDeadline plans meetings,
// moves the clock past them, and reads the documentation clock on /sources
// and on the source's page: red in the last four hours before the deadline
// the settings give, and after it; not before.
func TestSourceList_DocumentationClockTurnsRedNearTheDeadline(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		type clockCase struct {
			name string
			ago  time.Duration // how long ago the meeting was planned for
			red  bool
		}
		groups := []struct {
			documentWithin string // "" for the default 24h
			cases          []clockCase
		}{
			{"", []clockCase{
				{"21 h ago", 21 * time.Hour, true},
				{"10 h ago", 10 * time.Hour, false},
				{"19 h 30 min ago", 19*time.Hour + 30*time.Minute, false},
				{"25 h ago, overdue", 25 * time.Hour, true},
			}},
			{"12h", []clockCase{
				{"5 h ago", 5 * time.Hour, false},
				{"9 h ago", 9 * time.Hour, true},
				{"13 h ago, overdue", 13 * time.Hour, true},
			}},
		}
		for _, g := range groups {
			t.Run("document within "+cmp.Or(g.documentWithin, "24h (default)"), func(t *testing.T) {
				t.Parallel()
				a := newApp(t, backend, "ha")
				if g.documentWithin != "" {
					if err := a.store.SetSetting(as(a.admin), "document_within", g.documentWithin, "test"); err != nil {
						t.Fatal(err)
					}
				}
				s := a.pairedSource()
				// Every meeting is planned for the future, so that at one
				// moment, now, each lies its case's time in the past.
				var longest time.Duration
				for _, c := range g.cases {
					longest = max(longest, c.ago)
				}
				now := a.clock.Now().Add(time.Hour + longest)
				ids := map[string]string{}
				for _, c := range g.cases {
					m, err := a.store.PlanMeeting(as(a.ha), s.ID, tandem.MeetingCreate{PlannedFor: now.Add(-c.ago), Location: "Library",
						OfficerIDs: []string{a.ha.ID, a.hb.ID}})
					if err != nil {
						t.Fatalf("plan a meeting: %v", err)
					}
					ids[c.name] = m.ID
				}
				a.clock.Set(now)
				ha := a.signIn(a.ha)
				pages := map[string]*page{}
				for _, path := range []string{"/sources", "/sources/" + s.ID} {
					if pages[path] = ha.get(path); pages[path].status != http.StatusOK {
						t.Fatalf("GET %s: %d", path, pages[path].status)
					}
				}
				for _, c := range g.cases {
					t.Run(c.name, func(t *testing.T) {
						clock := regexp.MustCompile(`meeting=` + regexp.QuoteMeta(ids[c.name]) + `">[^<]*</a>: <span class="(clock[^"]*)">([^<]*)</span>`)
						for path, p := range pages {
							got := clock.FindStringSubmatch(p.body)
							if got == nil {
								t.Fatalf("GET %s: no documentation clock for the meeting", path)
							}
							if slices.Contains(strings.Fields(got[1]), "red") != c.red {
								t.Errorf("GET %s: class %q (%s); want red %v", path, got[1], got[2], c.red)
							}
						}
					})
				}
			})
		}
	})
}
