package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tandem"
)

// weeks is how far back the compliance page looks.
const weeks = 12

type week struct {
	From, To string
	Label    string
	// Days is the week's length: 7 but for a last week cut short by the
	// period's end.
	Days  int
	C     *tandem.Compliance
	Links map[string]string
}

type handlerRow struct {
	Officer *tandem.Officer
	C       *tandem.Compliance
	Links   map[string]string
}

// links returns the URLs of the contacts behind every count of f.
func links(f tandem.ComplianceFilter) map[string]string {
	out := map[string]string{}
	for _, m := range []tandem.Measure{tandem.MeasureContacts, tandem.MeasureLate, tandem.MeasureDocumentedOnTime, tandem.MeasureMeetings,
		tandem.MeasureSoloMeetings, tandem.MeasureNoSameGender, tandem.MeasureTwoOfficers, tandem.MeasureSameGenderOfficer} {
		out[string(m)] = link(f, m)
	}
	return out
}

type complianceData struct {
	From, To  string
	Unit      string
	Total     *tandem.Compliance
	Links     map[string]string
	Weeks     []week
	Chart     template.HTML
	AlertBars template.HTML
	Handlers  []handlerRow
	Rules     []tandem.Rule
	// Chosen is set when the period is not the default twelve weeks;
	// Period says it in words.
	Chosen bool
	Period string
	// The form: the dates as given (kept when refused, so they can be
	// corrected), the unit asked for, and what was wrong with them.
	FromIn, ToIn string
	UnitIn       string
	Error        string
	ErrorField   string
	Longest      int
}

// link returns the URL of the contacts behind a count.
func link(f tandem.ComplianceFilter, m tandem.Measure) string {
	q := url.Values{"from": {f.From}, "to": {f.To}, "measure": {string(m)}}
	if f.Unit != "" {
		q.Set("unit", f.Unit)
	}
	if f.OfficerID != "" {
		q.Set("officer_id", f.OfficerID)
	}
	return "/compliance/contacts?" + q.Encode()
}

// longestPeriod is the longest period, in days, the compliance pages
// count at a time. The service sets no limit; two years (a leap year's
// 366 days and a year's 365) is a year compared with the one before it,
// and beyond that the week-by-week chart and table, a hundred weeks and
// more, stop being something a reader can take in.
const longestPeriod = 731

// complianceDates are the dates the compliance pages count, inclusive.
type complianceDates struct {
	From, To string
	// Chosen is false for the default: twelve whole weeks ending today.
	Chosen bool
}

// compliancePeriod reads the period of a compliance page from its query:
// from and to, each a date; without either, the twelve weeks ending on to
// (or today); without to, the period ends today. A refusal names the
// field in the words of the form's labels.
func compliancePeriod(q url.Values, today time.Time) (complianceDates, error) {
	defFrom := func(to time.Time) time.Time { return to.AddDate(0, 0, -7*weeks+1) }
	if q.Get("from") == "" && q.Get("to") == "" {
		return complianceDates{From: defFrom(today).Format(tandem.DateLayout), To: today.Format(tandem.DateLayout)}, nil
	}
	parse := func(field, words, v string) (time.Time, error) {
		d, err := time.Parse(tandem.DateLayout, v)
		if err != nil {
			return d, tandem.Invalid(field, "%s is not a date: write it as year-month-day, for example 2026-01-31, or choose it from the calendar.", words)
		}
		if d.Before(tandem.Earliest) || !d.Before(tandem.Latest) {
			return d, tandem.Invalid(field, "%s must lie between 1900 and 2100.", words)
		}
		return d, nil
	}
	var from, to time.Time
	var err error
	if v := q.Get("from"); v != "" {
		if from, err = parse("from", "The start date (From)", v); err != nil {
			return complianceDates{}, err
		}
	}
	to = today
	if v := q.Get("to"); v != "" {
		if to, err = parse("to", "The end date (To)", v); err != nil {
			return complianceDates{}, err
		}
	}
	if q.Get("from") == "" {
		from = defFrom(to)
	}
	if to.Before(from) {
		return complianceDates{}, tandem.Invalid("to", "The end date (To), %s, is before the start date (From), %s: choose an end on or after the start.",
			to.Format("2 Jan 2006"), from.Format("2 Jan 2006"))
	}
	if n := int(to.Sub(from).Hours()/24) + 1; n > longestPeriod {
		return complianceDates{}, tandem.Invalid("to", "From %s to %s is %d days: the page counts at most two years (%d days) at a time. Choose a shorter period.",
			from.Format("2 Jan 2006"), to.Format("2 Jan 2006"), n, longestPeriod)
	}
	p := complianceDates{From: from.Format(tandem.DateLayout), To: to.Format(tandem.DateLayout)}
	// The default's dates written out are the default, and read as it.
	p.Chosen = p.From != defFrom(today).Format(tandem.DateLayout) || p.To != today.Format(tandem.DateLayout)
	return p, nil
}

// complianceToday is the compliance pages' today: the UTC day of the
// handler's clock.
func (h *Handler) complianceToday() time.Time { return h.clock.Now().UTC().Truncate(24 * time.Hour) }

func (h *Handler) complianceShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	o := state(r).session.Officer
	q := r.URL.Query()
	unit := q.Get("unit")
	if unit == "" && !o.HasRole(tandem.RoleAuditor) {
		unit = o.Unit
	}
	d := complianceData{Unit: unit, Rules: tandem.Rules, FromIn: q.Get("from"), ToIn: q.Get("to"), UnitIn: q.Get("unit"), Longest: longestPeriod}
	// Twelve whole weeks ending today, unless the form chose others.
	p, err := compliancePeriod(q, h.complianceToday())
	if err != nil {
		d.Error, d.ErrorField = tandem.ErrorMessage(err), tandem.ErrorField(err)
		h.render(w, r, http.StatusBadRequest, "compliance", view{Title: "Compliance", Nav: "compliance", Data: d})
		return
	}
	d.From, d.To, d.Chosen = p.From, p.To, p.Chosen
	d.FromIn, d.ToIn = p.From, p.To
	start, _ := time.Parse(tandem.DateLayout, p.From)
	end, _ := time.Parse(tandem.DateLayout, p.To)
	d.Period = fmt.Sprintf("last %d weeks", weeks)
	if p.Chosen {
		d.Period = start.Format("2 Jan 2006") + " to " + end.Format("2 Jan 2006")
	}
	total := tandem.ComplianceFilter{From: d.From, To: d.To, Unit: unit}
	rep, err := h.svc.Compliance.ComplianceReport(ctx, total)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Total = rep.Total
	// A period of more than a year names the year of each week: from
	// "2 Jan" alone a reader could not tell which year's week it is.
	layout := "2 Jan"
	if end.Sub(start) >= 366*24*time.Hour {
		layout = "2 Jan 2006"
	}
	for _, c := range rep.Weeks {
		f, _ := time.Parse(tandem.DateLayout, c.From)
		t, _ := time.Parse(tandem.DateLayout, c.To)
		d.Weeks = append(d.Weeks, week{From: c.From, To: c.To, Label: f.Format(layout), Days: int(t.Sub(f).Hours()/24) + 1, C: c,
			Links: links(tandem.ComplianceFilter{From: c.From, To: c.To, Unit: unit})})
	}
	d.Links = links(total)
	d.Chart = lineChart(d.Weeks, d.Period)
	d.AlertBars = alertBars(d.Total)
	// By handler within a unit: a force has thousands.
	var officers []*tandem.Officer
	if unit != "" {
		if officers, err = h.svc.Officers.UnitOfficers(ctx, unit); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for _, off := range officers {
		if !off.HasRole(tandem.RoleHandler) || off.Unit != unit {
			continue
		}
		c, ok := rep.ByOfficer[off.ID]
		if !ok {
			c = &tandem.Compliance{From: d.From, To: d.To, Unit: unit, OpenAlerts: map[tandem.Rule]int{}}
		}
		f := total
		f.OfficerID = off.ID
		d.Handlers = append(d.Handlers, handlerRow{Officer: off, C: c, Links: links(f)})
	}
	h.render(w, r, http.StatusOK, "compliance", view{Title: "Compliance", Nav: "compliance", Data: d})
}

func (h *Handler) complianceContacts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// The same period, read the same way, as the page whose number led
	// here: the contacts listed are the ones it counted.
	p, err := compliancePeriod(q, h.complianceToday())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := tandem.ComplianceFilter{From: p.From, To: p.To, Unit: q.Get("unit"), OfficerID: q.Get("officer_id")}
	m := tandem.Measure(q.Get("measure"))
	page, err := h.svc.Compliance.ComplianceContacts(r.Context(), f, m, 100, q.Get("after"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	more := ""
	if page.Next != nil {
		u := *r.URL
		qq := u.Query()
		qq.Set("after", *page.Next)
		u.RawQuery = qq.Encode()
		more = u.RequestURI()
	}
	names, err := h.officerNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Back to the compliance page over the same dates, so that its
	// numbers are these contacts'; the default period goes back to the
	// page as it opens.
	back := url.Values{}
	if p.Chosen {
		back.Set("from", p.From)
		back.Set("to", p.To)
	}
	if f.Unit != "" {
		back.Set("unit", f.Unit)
	}
	backURL := "/compliance"
	if len(back) > 0 {
		backURL += "?" + back.Encode()
	}
	h.render(w, r, http.StatusOK, "compliance_contacts", view{Title: "Contacts behind the count", Nav: "compliance",
		Data: struct {
			Filter   tandem.ComplianceFilter
			Measure  string
			Contacts []*tandem.ContactRecord
			Names    map[string]string
			More     string
			Back     string
			Chosen   bool
		}{f, strings.ReplaceAll(string(m), "_", " "), page.Contacts, names, more, backURL, p.Chosen}})
}

// series of the line chart: what share of each week's contacts or meetings
// kept a rule.
type series struct {
	Name  string
	Color string
	Dash  string
	Value func(c *tandem.Compliance) (int, int)
}

var chartSeries = []series{
	{"Contacts documented within 24 hours", "#1f4e8c", "", func(c *tandem.Compliance) (int, int) { return c.DocumentedWithin24h, c.Contacts }},
	{"Meetings with two officers", "#a11d1d", "6 4", func(c *tandem.Compliance) (int, int) { return c.MeetingsWithTwoOfficers, c.Meetings }},
	{"Meetings with an officer of the source's gender", "#1d6b38", "2 3", func(c *tandem.Compliance) (int, int) { return c.MeetingsWithSameGenderOfficer, c.Meetings }},
}

// lineChart draws the weekly shares as an SVG line chart, server-side: a
// manager reads the trend at a glance, with no script and no fetch.
func lineChart(ws []week, period string) template.HTML {
	const W, H, left, right, top, bottom = 720, 260, 48, 32, 16, 40
	pw, ph := float64(W-left-right), float64(H-top-bottom)
	// The scale starts at 50%, or lower in 25% steps when a week fell
	// lower: compliance lives near the top, and the dips must show.
	floor := 0.5
	for _, s := range chartSeries {
		for _, w := range ws {
			if n, of := s.Value(w.C); of > 0 {
				for float64(n)/float64(of) < floor {
					floor -= 0.25
				}
			}
		}
	}
	x := func(i int) float64 { return float64(left) + pw*float64(i)/float64(max(len(ws)-1, 1)) }
	y := func(p float64) float64 { return float64(top) + ph*(1-(p-floor)/(1-floor)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">Weekly compliance, %s (scale from %d%%)</title><desc id="chart-desc">`, W, H, template.HTMLEscapeString(period), int(floor*100))
	for _, s := range chartSeries {
		fmt.Fprintf(&b, "%s: ", template.HTMLEscapeString(s.Name))
		for i, w := range ws {
			n, of := s.Value(w.C)
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "week of %s %s", w.Label, pct(n, of))
		}
		b.WriteString(". ")
	}
	b.WriteString(`</desc>`)
	step := 0.25
	if floor >= 0.5 {
		step = 0.1
	}
	for p := floor; p <= 1.0001; p += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#dde2e8"/><text x="%d" y="%.1f" text-anchor="end">%d%%</text>`, left, W-right, y(p), y(p), left-6, y(p)+4, int(math.Round(p*100)))
	}
	// Every second week's date, or fewer over a long period, so that
	// about seven fit; the last week's too, unless it would run into the
	// label before it.
	every := max(2, (len(ws)+6)/7)
	labelled := 0
	apart := func(i, j int) bool {
		// Far enough for both labels, at about 6.6 units a character.
		gap := float64(j-i) * pw / float64(max(len(ws)-1, 1))
		return gap >= 6.6*float64(len(ws[i].Label)+len(ws[j].Label))/2+8
	}
	for i, w := range ws {
		if i%every == 0 || (i == len(ws)-1 && apart(labelled, i)) {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), H-bottom+18, template.HTMLEscapeString(w.Label))
			labelled = i
		}
	}
	for _, s := range chartSeries {
		var pts []string
		for i, w := range ws {
			n, of := s.Value(w.C)
			if of == 0 {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(float64(n)/float64(of))))
		}
		dash := ""
		if s.Dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.Dash)
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5"%s points="%s"/>`, s.Color, dash, strings.Join(pts, " "))
		// Smaller dots when there are many weeks, so the line shows.
		r := 3.5
		if len(ws) > 26 {
			r = 2
		}
		for _, p := range pts {
			xy := strings.SplitN(p, ",", 2)
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%g" fill="%s"/>`, xy[0], xy[1], r, s.Color)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// alertBars draws the open alerts by rule as horizontal bars.
func alertBars(c *tandem.Compliance) template.HTML {
	const W, row, label = 720, 26, 290
	most := 1
	for _, r := range tandem.Rules {
		most = max(most, c.OpenAlerts[r])
	}
	H := row*len(tandem.Rules) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="bars-title"><title id="bars-title">Open alerts by rule</title>`, W, H)
	for i, r := range tandem.Rules {
		n := c.OpenAlerts[r]
		yy := 5 + i*row
		wd := float64(W-label-60) * float64(n) / float64(most)
		color := "#a11d1d"
		if n == 0 {
			color = "#c9d0d8"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text><rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/><text x="%.1f" y="%d">%d</text>`,
			label-8, yy+16, template.HTMLEscapeString(ruleName(r)), label, yy+4, max(wd, 2), row-10, color, float64(label)+max(wd, 2)+6, yy+16, n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
