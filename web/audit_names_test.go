package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
	"tandem/web"
)

// objectCells returns, as a reader sees them (tags dropped, spaces
// collapsed), the Object cells of the audit page's entries about id, and
// the same cells as HTML.
func objectCells(p *page, id string) (text, raw []string) {
	re := regexp.MustCompile(`(?s)<td title="` + regexp.QuoteMeta(id) + `">(.*?)</td>`)
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, m := range re.FindAllStringSubmatch(p.body, -1) {
		raw = append(raw, m[1])
		text = append(text, strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(m[1], ""))), " "))
	}
	return text, raw
}

// TestAudit_ShowsReferencesAndNamesNotIds: the trail names a source by its
// reference, linked to its file; a contact and a meeting by their source's
// reference, linked to their own page; an officer by name. The source's
// identity is nowhere, and a paged view names them as well.
func TestAudit_ShowsReferencesAndNamesNotIds(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "aud")
		s := a.pairedSource()
		c := a.soloMeeting(s)
		m, err := a.store.PlanMeeting(as(a.ha), s.ID, tandem.MeetingCreate{PlannedFor: a.clock.Now().Add(2 * time.Hour), Location: "Park",
			OfficerIDs: []string{a.ha.ID, a.hb.ID}})
		if err != nil {
			t.Fatalf("plan a meeting: %v", err)
		}
		b := a.signIn(a.auditor)
		for _, path := range []string{"/audit", "/audit?after_seq=0", "/audit?before_seq=100000"} {
			t.Run(path, func(t *testing.T) {
				p := b.get(path)
				if p.status != http.StatusOK {
					t.Fatalf("GET %s: %d", path, p.status)
				}
				if strings.Contains(p.body, "Jane Roe") || strings.Contains(p.body, "1 High Street") {
					t.Error("the audit page shows the source's identity")
				}
				text, raw := objectCells(p, s.ID)
				found := false
				for i, x := range text {
					if strings.Contains(x, s.ID) {
						t.Errorf("the entry about the source reads %q: its raw id", x)
					}
					if x == "source "+s.Reference && strings.Contains(raw[i], `href="/sources/`+s.ID+`">`+s.Reference+`</a>`) {
						found = true
					}
				}
				if !found {
					t.Errorf("no entry names the source %q, linked to its file; its entries read %q", "source "+s.Reference, text)
				}
				for _, tc := range []struct{ id, want, link string }{
					{c.ID, "contact of " + s.Reference, "/sources/" + s.ID + "/contacts/" + c.ID},
					{m.ID, "meeting of " + s.Reference, "/sources/" + s.ID + "/meetings/" + m.ID},
					{a.ha.ID, "officer " + a.ha.Name, ""},
				} {
					text, raw := objectCells(p, tc.id)
					if len(text) == 0 || text[0] != tc.want {
						t.Errorf("the entries about %s read %q; want %q", tc.id, text, tc.want)
						continue
					}
					if tc.link != "" && !strings.Contains(raw[0], `href="`+tc.link+`"`) {
						t.Errorf("the entry %q does not link %s: %s", tc.want, tc.link, raw[0])
					}
				}
			})
		}
	})
}

// countingAudit and countingOfficers count the page's calls for what its
// records are and whom they name.
type countingAudit struct {
	tandem.AuditService
	calls atomic.Int64
}

func (c *countingAudit) AuditObjects(ctx context.Context, refs []tandem.AuditObjectRef) (map[tandem.AuditObjectRef]tandem.AuditObject, error) {
	c.calls.Add(1)
	return c.AuditService.AuditObjects(ctx, refs)
}

type countingOfficers struct {
	tandem.OfficerService
	calls atomic.Int64
}

func (c *countingOfficers) OfficerNames(ctx context.Context, ids []string) (map[string]string, error) {
	c.calls.Add(1)
	return c.OfficerService.OfficerNames(ctx, ids)
}

// TestAudit_NamesAPageInOneLookupEach: however many entries a page shows,
// it asks once what their records are and once for the officers' names
// (the store answers each in a fixed number of statements: see
// sqlstore's TestAuditObjects_ManyCostTheSameAsOne).
func TestAudit_NamesAPageInOneLookupEach(t *testing.T) {
	t.Parallel()
	a := newApp(t, testdb.SQLite, "aud")
	for range 3 {
		a.soloMeeting(a.pairedSource())
	}
	audit, officers := &countingAudit{AuditService: a.store}, &countingOfficers{OfficerService: a.store}
	ui, err := web.New(web.Services{Sessions: a.store, Officers: officers, Sources: a.store, Contacts: a.store, Risks: a.store, Alerts: a.store,
		Compliance: a.store, Audit: audit, Calls: a.store, Warnings: a.store, Settings: a.store.Settings, Rules: a.store},
		slog.New(slog.DiscardHandler), a.clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui)
	t.Cleanup(srv.Close)
	// The session is the store's: the same browser, on the counted UI (a
	// cookie is the host's, whatever its port).
	b := a.signIn(a.auditor)
	b.base, _ = url.Parse(srv.URL)
	p := b.get("/audit")
	if p.status != http.StatusOK {
		t.Fatalf("GET /audit: %d", p.status)
	}
	rows := strings.Count(p.body, "<td title=")
	if rows < 20 {
		t.Fatalf("the page shows %d entries; the fixture should give it more", rows)
	}
	if n, m := audit.calls.Load(), officers.calls.Load(); n != 1 || m != 1 {
		t.Errorf("a page of %d entries asked %d times what their records are and %d times for names; want once each", rows, n, m)
	}
}
