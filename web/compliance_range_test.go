package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

var (
	// The contacts card: "<a href=…>N</a> of <a href=…>M contacts</a>".
	crContacts = regexp.MustCompile(`of <a href="([^"]+)">([0-9]+) contacts</a>`)
	crWeekRow  = regexp.MustCompile(`<tr><th scope="row">([^<]+)(?: <span class="hint">\(([0-9]+) days?\)</span>)?</th>\s*<td class="num"><a href="([^"]+)">([0-9]+)</a>`)
	crContact  = regexp.MustCompile(`<td><a href="/sources/[^/]+/contacts/([^"]+)">`)
	crError    = regexp.MustCompile(`(?s)<p class="error" role="alert" id="period-error">(.*?)</p>`)
	crBack     = regexp.MustCompile(`<p><a href="([^"]*)">Back to compliance([^<]*)</a></p>`)
)

// crPhone records, through the store, a phone contact ha made with s at
// when, documented now.
func crPhone(a *app, s *tandem.Source, when time.Time) *tandem.Contact {
	a.t.Helper()
	c, err := a.store.RecordContact(as(a.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: when,
		OfficerIDs: []string{a.ha.ID}, Summary: "Called in"})
	if err != nil {
		a.t.Fatalf("record a contact of %s: %v", when, err)
	}
	return c
}

// crAxisLabel is a date under the weekly chart.
var crAxisLabel = regexp.MustCompile(`<text x="([0-9.]+)" y="238" text-anchor="middle">([^<]+)</text>`)

// crAxis returns the dates under the weekly chart.
func crAxis(p *page) []string {
	var out []string
	for _, m := range crAxisLabel.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[2])
	}
	return out
}

// crTotal returns the contacts card's count and the link behind it.
func crTotal(t *testing.T, p *page) (int, string) {
	t.Helper()
	m := crContacts.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no contacts count on the page (status %d)", p.status)
	}
	n, _ := strconv.Atoi(m[2])
	return n, html.UnescapeString(m[1])
}

// crListed returns the ids of the contacts a drill-down page lists.
func crListed(p *page) []string {
	var ids []string
	for _, m := range crContact.FindAllStringSubmatch(p.body, -1) {
		ids = append(ids, m[1])
	}
	slices.Sort(ids)
	return ids
}

// TestCompliance_ChosenPeriodCountsOnlyItsContacts records contacts in
// October, in January and today: each period counts the ones inside it
// and not the others, its drill-down link carries its dates and lists the
// same contacts, and the weeks of the table and chart are the period's.
func TestCompliance_ChosenPeriodCountsOnlyItsContacts(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s := a.pairedSource()
		october := crPhone(a, s, time.Date(2025, time.October, 15, 10, 0, 0, 0, time.UTC))
		january := crPhone(a, s, time.Date(2026, time.January, 20, 10, 0, 0, 0, time.UTC))
		today := a.soloMeeting(s)
		b := a.signIn(a.controller)

		cases := []struct {
			name, from, to string
			want           []*tandem.Contact
		}{
			{"the default twelve weeks", "", "", []*tandem.Contact{january, today}},
			{"October", "2025-10-01", "2025-10-31", []*tandem.Contact{october}},
			{"January", "2026-01-01", "2026-01-31", []*tandem.Contact{january}},
			{"the day before October's contact", "2025-10-01", "2025-10-14", nil},
			{"the day of October's contact", "2025-10-15", "2025-10-15", []*tandem.Contact{october}},
			{"October to today", "2025-10-01", "2026-03-09", []*tandem.Contact{october, january, today}},
			{"from October, to today by default", "2025-10-01", "", []*tandem.Contact{october, january, today}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				path := "/compliance"
				if tc.from != "" || tc.to != "" {
					path += "?" + url.Values{"from": {tc.from}, "to": {tc.to}}.Encode()
				}
				p := b.get(path)
				if p.status != http.StatusOK {
					t.Fatalf("status %d", p.status)
				}
				n, href := crTotal(t, p)
				if n != len(tc.want) {
					t.Errorf("%d contacts counted; want %d", n, len(tc.want))
				}
				from, to := tc.from, tc.to
				if from == "" {
					from = "2025-12-16" // twelve whole weeks ending 9 March
				}
				if to == "" {
					to = "2026-03-09"
				}
				u, err := url.Parse(href)
				if err != nil {
					t.Fatal(err)
				}
				if q := u.Query(); u.Path != "/compliance/contacts" || q.Get("from") != from || q.Get("to") != to || q.Get("measure") != "contacts" {
					t.Errorf("the count links to %s; want the contacts from %s to %s", href, from, to)
				}
				var want []string
				for _, c := range tc.want {
					want = append(want, c.ID)
				}
				slices.Sort(want)
				if got := crListed(b.get(href)); !slices.Equal(got, want) {
					t.Errorf("the drill-down lists %v; want %v", got, want)
				}
				// Every drill-down link of the page lies inside the period.
				for _, m := range regexp.MustCompile(`href="(/compliance/contacts\?[^"]+)"`).FindAllStringSubmatch(p.body, -1) {
					l, _ := url.Parse(html.UnescapeString(m[1]))
					if q := l.Query(); q.Get("from") < from || q.Get("to") > to || q.Get("from") > q.Get("to") {
						t.Errorf("link %s leaves the period %s to %s", l, from, to)
					}
				}
			})
		}

		t.Run("the weeks follow the period", func(t *testing.T) {
			p := b.get("/compliance?from=2025-10-01&to=2025-10-31")
			type row struct {
				label string
				days  string
				n     string
				href  string
			}
			var rows []row
			for _, m := range crWeekRow.FindAllStringSubmatch(p.body, -1) {
				rows = append(rows, row{m[1], m[2], m[4], html.UnescapeString(m[3])})
			}
			labels := []string{}
			for _, r := range rows {
				labels = append(labels, r.label)
			}
			if want := []string{"1 Oct", "8 Oct", "15 Oct", "22 Oct", "29 Oct"}; !slices.Equal(labels, want) {
				t.Fatalf("weeks %q; want %q", labels, want)
			}
			if rows[4].days != "3" || rows[0].days != "" {
				t.Errorf("the last week says %q days, the first %q; want 3, and nothing for a whole week", rows[4].days, rows[0].days)
			}
			if rows[2].n != "1" || rows[1].n != "0" {
				t.Errorf("the week of 15 Oct counts %s, of 8 Oct %s; want 1 and 0", rows[2].n, rows[1].n)
			}
			if u, _ := url.Parse(rows[2].href); u.Query().Get("from") != "2025-10-15" || u.Query().Get("to") != "2025-10-21" {
				t.Errorf("the week of 15 Oct links to %s", rows[2].href)
			}
			if !strings.Contains(p.body, "Weekly compliance, 1 Oct 2025 to 31 Oct 2025") {
				t.Error("the chart's title does not name the period")
			}
			if !strings.Contains(p.body, "From 2025-10-01 to 2025-10-31.") {
				t.Error("the page does not say its period")
			}
			if !strings.Contains(p.body, `name="from" value="2025-10-01"`) || !strings.Contains(p.body, `name="to" value="2025-10-31"`) {
				t.Error("the form does not keep the period chosen")
			}
		})

		t.Run("the drill-down leads back to the same period", func(t *testing.T) {
			p := b.get("/compliance/contacts?from=2025-10-01&to=2025-10-31&measure=contacts&unit=north")
			m := crBack.FindStringSubmatch(p.body)
			if m == nil {
				t.Fatal("no way back to compliance")
			}
			if u, _ := url.Parse(html.UnescapeString(m[1])); u.Path != "/compliance" || u.Query().Get("from") != "2025-10-01" || u.Query().Get("to") != "2025-10-31" || u.Query().Get("unit") != "north" {
				t.Errorf("back leads to %s", m[1])
			}
			p = b.get("/compliance/contacts?from=2025-12-16&to=2026-03-09&measure=contacts&unit=north")
			if m := crBack.FindStringSubmatch(p.body); m == nil || html.UnescapeString(m[1]) != "/compliance?unit=north" || m[2] != "" {
				t.Errorf("from the default period, back leads to %v; want the page as it opens", m)
			}
		})
	})
}

// TestCompliance_DefaultPeriodIsTheLastTwelveWeeks: without dates the page
// is as it was, the twelve whole weeks ending today, and says so.
func TestCompliance_DefaultPeriodIsTheLastTwelveWeeks(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		b := a.signIn(a.controller)
		for _, path := range []string{"/compliance", "/compliance?from=2025-12-16&to=2026-03-09"} {
			p := b.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("%s: status %d", path, p.status)
			}
			for _, say := range []string{"The last 12 weeks, 2025-12-16 to 2026-03-09.", "Weekly compliance, last 12 weeks",
				`name="from" value="2025-12-16"`, `name="to" value="2026-03-09"`} {
				if !strings.Contains(p.body, say) {
					t.Errorf("%s does not say %q", path, say)
				}
			}
			if n := len(crWeekRow.FindAllString(p.body, -1)); n != 12 {
				t.Errorf("%s: %d weeks; want 12", path, n)
			}
			// The chart's dates as they always were: every second week
			// and the last.
			if got, want := crAxis(p), []string{"16 Dec", "30 Dec", "13 Jan", "27 Jan", "10 Feb", "24 Feb", "3 Mar"}; !slices.Equal(got, want) {
				t.Errorf("%s: the chart's dates %q; want %q", path, got, want)
			}
		}
	})
}

// TestCompliance_RefusesABadPeriodInWords: a date that is not one, an end
// before the start and a period longer than two years each give a 400
// page that names the field as the form labels it, marks that field, and
// shows no figures; the same dates given to the drill-down are refused
// with the same words.
func TestCompliance_RefusesABadPeriodInWords(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		b := a.signIn(a.controller)
		cases := []struct {
			name, from, to string
			field          string
			says           string
		}{
			{"not a day", "2026-02-30", "2026-03-09", "from", "The start date (From) is not a date"},
			{"not a date", "last tuesday", "2026-03-09", "from", "The start date (From) is not a date"},
			{"an end that is not a date", "2026-01-01", "09/03/2026", "to", "The end date (To) is not a date"},
			{"outside the years", "1850-01-01", "1850-02-01", "from", "The start date (From) must lie between 1900 and 2100."},
			{"an end before the start", "2026-03-01", "2026-02-01", "to", "The end date (To), 1 Feb 2026, is before the start date (From), 1 Mar 2026"},
			{"longer than two years", "2024-03-08", "2026-03-09", "to", "is 732 days: the page counts at most two years (731 days) at a time"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				q := url.Values{"from": {tc.from}, "to": {tc.to}}
				p := b.get("/compliance?" + q.Encode())
				if p.status != http.StatusBadRequest {
					t.Fatalf("status %d; want 400", p.status)
				}
				got := ""
				if m := crError.FindStringSubmatch(p.body); m != nil {
					got = html.UnescapeString(m[1])
				}
				if !strings.Contains(got, tc.says) {
					t.Errorf("the page says %q; want %q", got, tc.says)
				}
				if !regexp.MustCompile(`id="` + tc.field + `" name="` + tc.field + `"[^>]*aria-describedby="period-error period-hint" aria-invalid="true"`).MatchString(p.body) {
					t.Errorf("the %s field is not marked as the one in error", tc.field)
				}
				for _, bad := range []string{"Something went wrong", "Week by week", "/compliance/contacts?", "goroutine", ".go:"} {
					if strings.Contains(p.body, bad) {
						t.Errorf("the refusal shows %q", bad)
					}
				}
				q.Set("measure", "contacts")
				d := b.get("/compliance/contacts?" + q.Encode())
				if d.status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(d.body), tc.says) {
					t.Errorf("the drill-down answers %d without %q", d.status, tc.says)
				}
			})
		}
		// Two years to the day is the longest accepted; its chart names
		// the year of each of the few weeks it labels, far enough apart
		// not to run into each other.
		p := b.get("/compliance?from=2024-03-09&to=2026-03-09")
		if p.status != http.StatusOK {
			t.Fatalf("731 days: status %d; want 200", p.status)
		}
		if n := len(crWeekRow.FindAllString(p.body, -1)); n != 105 {
			t.Errorf("731 days: %d weeks; want 105", n)
		}
		labels := crAxisLabel.FindAllStringSubmatch(p.body, -1)
		if len(labels) < 5 || len(labels) > 8 {
			t.Errorf("731 days: %d dates under the chart; want 5 to 8", len(labels))
		}
		last := -1000.0
		for _, m := range labels {
			x, _ := strconv.ParseFloat(m[1], 64)
			if _, err := time.Parse("2 Jan 2006", m[2]); err != nil {
				t.Errorf("731 days: the chart's date %q has no year", m[2])
			}
			if x-last < 75 {
				t.Errorf("731 days: %q stands %.0f units from the date before it", m[2], x-last)
			}
			last = x
		}
	})
}

// TestCompliance_PeriodKeepsTheUnitAsked: an auditor's page of one unit
// keeps the unit in the form and in the links of the period chosen.
func TestCompliance_PeriodKeepsTheUnitAsked(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "aud")
		s := a.pairedSource()
		crPhone(a, s, time.Date(2026, time.January, 20, 10, 0, 0, 0, time.UTC))
		p := a.signIn(a.auditor).get("/compliance?unit=north&from=2026-01-01&to=2026-01-31")
		if p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
		if !strings.Contains(p.body, `<input type="hidden" name="unit" value="north">`) {
			t.Error("the form does not keep the unit")
		}
		n, href := crTotal(t, p)
		if u, _ := url.Parse(href); n != 1 || u.Query().Get("unit") != "north" || u.Query().Get("from") != "2026-01-01" {
			t.Errorf("%d contacts, linked to %s; want 1, in north, from 2026-01-01", n, href)
		}
	})
}
