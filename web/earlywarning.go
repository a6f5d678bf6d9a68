package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tandem"
)

type boardPair struct {
	Pair    *tandem.Pair
	Picture template.HTML
}

// boardPage is how many pairs the board shows at a time, highest first.
const boardPage = 50

type boardData struct {
	// Unit is the unit asked for ("" for the officer's own); More the link
	// to the next page of pairs.
	Unit    string
	More    string
	Days    int
	Flagged []boardPair
	Quiet   []*tandem.Pair
	Choices []int
	When    map[string]string // contact id -> when, for the drill-down
}

// earlyWarning ranks the handler–source pairs by their warning signs, each
// explained in words and drawn as a timeline: the pattern, not only the
// score.
func (h *Handler) earlyWarning(w http.ResponseWriter, r *http.Request) {
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			days = n
		}
	}
	q := r.URL.Query()
	page, err := h.svc.Warnings.PageEarlyWarning(r.Context(), tandem.BoardFilter{Days: days, Unit: q.Get("unit"), Limit: boardPage, After: q.Get("after")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pairs := page.Pairs
	now := h.clock.Now()
	d := boardData{Days: days, Choices: []int{30, 90, 180, 365}, Unit: q.Get("unit")}
	if page.Next != nil {
		v := url.Values{"days": {strconv.Itoa(days)}, "after": {*page.Next}}
		if d.Unit != "" {
			v.Set("unit", d.Unit)
		}
		d.More = "/early-warning?" + v.Encode()
	}
	for _, p := range pairs {
		if p.Score > 0 {
			d.Flagged = append(d.Flagged, boardPair{Pair: p, Picture: pairTimeline(p, now.Add(-time.Duration(days)*24*time.Hour), now)})
		} else {
			d.Quiet = append(d.Quiet, p)
		}
	}
	d.When = map[string]string{}
	for _, bp := range d.Flagged {
		for _, e := range bp.Pair.Events {
			d.When[e.ID] = e.At.Format("2 Jan 15:04")
		}
	}
	h.render(w, r, http.StatusOK, "early_warning", view{Title: "Early warning", Nav: "early-warning", Data: d})
}

// pairTimeline draws a pair's contacts, calls and breaches over the window:
// a row each, flagged marks in red, so a drift shows as red gathering at
// the right.
func pairTimeline(p *tandem.Pair, from, to time.Time) template.HTML {
	const W, H, left, right = 720, 84, 70, 12
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float64 {
		return float64(left) + float64(W-left-right)*t.Sub(from).Seconds()/span
	}
	rows := map[string]int{"contact": 20, "call": 44, "breach": 68}
	var b strings.Builder
	counts := map[string]int{}
	flagged := map[string]int{}
	for _, e := range p.Events {
		counts[e.Kind]++
		if e.Flagged {
			flagged[e.Kind]++
		}
	}
	fmt.Fprintf(&b, `<svg class="chart pair" viewBox="0 0 %d %d" role="img" aria-label="%s and %s: %d contacts (%d flagged), %d calls (%d flagged), %d breaches over the window">`,
		W, H, template.HTMLEscapeString(p.OfficerName), template.HTMLEscapeString(p.SourceReference),
		counts["contact"], flagged["contact"], counts["call"], flagged["call"], counts["breach"])
	for kind, y := range rows {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text><line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#dde2e8"/>`,
			left-8, y+4, kind+"s", left, W-right, y, y)
	}
	for _, e := range p.Events {
		t := e.At
		if t.Before(from) {
			continue
		}
		color := "#6b7480"
		if e.Flagged || e.Kind == "breach" {
			color = "#a11d1d"
		}
		y := rows[e.Kind]
		switch e.Kind {
		case "contact":
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="4" fill="%s"/>`, x(t), y, color)
		case "call":
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="3" height="12" fill="%s"/>`, x(t)-1.5, y-6, color)
		case "breach":
			fmt.Fprintf(&b, `<path d="M%.1f %d l5 9 h-10 z" fill="%s"/>`, x(t), y-5, color)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
