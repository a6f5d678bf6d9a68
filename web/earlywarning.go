package web

import (
	"fmt"
	"html/template"
	"math"
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
	// Scale is the pair's score drawn against the page's highest.
	Scale template.HTML
}

// boardPage is how many pairs the board shows at a time, highest first.
const boardPage = 50

// redScore is the score from which a pair is shown in red rather than
// amber. The score has no ceiling (it is a sum of points), so this is a
// reading aid, not a rule: about four or five strong signs in the window.
const redScore = 20.0

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
	// From and To are the window's first and last days; Marks says in
	// words where the timelines' date marks fall.
	From, To string
	Marks    string
	// Top is the highest score on this page, the end of every pair's
	// scale; Red the score from which a pair shows red.
	Top, Red float64
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
	now := h.clock.Now().UTC()
	from := now.Add(-time.Duration(days) * 24 * time.Hour)
	_, marks := axisTicks(from, now)
	d := boardData{Days: days, Choices: []int{30, 90, 180, 365}, Unit: q.Get("unit"),
		From: from.Format("2 Jan 2006"), To: now.Format("2 Jan 2006"), Marks: marks, Red: redScore}
	if page.Next != nil {
		v := url.Values{"days": {strconv.Itoa(days)}, "after": {*page.Next}}
		if d.Unit != "" {
			v.Set("unit", d.Unit)
		}
		d.More = "/early-warning?" + v.Encode()
	}
	for _, p := range pairs {
		d.Top = max(d.Top, p.Score)
	}
	for _, p := range pairs {
		if p.Score > 0 {
			d.Flagged = append(d.Flagged, boardPair{Pair: p, Picture: pairTimeline(p, from, now), Scale: scoreScale(p, d.Top)})
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

// The geometry the timeline and the score scale share, in the SVGs' own
// units: the same left margin lines the scale up with the timeline under
// it. The margin is wide enough for a row's name at the larger type small
// screens get (app.css, "Early-warning charts").
const (
	pairW, pairLeft, pairRight = 720, 120, 16
	axisY                      = 96
)

// dateTick is a date mark on a timeline's axis. Minor marks lose their label
// on a narrow screen, where every label would not fit.
type dateTick struct {
	At    time.Time
	Label string
	// Year is set on the first of January: a new year names itself (the
	// window's ends carry theirs), except on a narrow screen, where the
	// year would run into the next label.
	Year  bool
	Minor bool
}

// axisTicks chooses the date marks of a window, in UTC as the page's times
// are: Mondays for a window of up to 60 days, the first of each month up
// to 400, the first of each quarter beyond (the board's longest window is
// 731 days). It says in words which it chose.
func axisTicks(from, to time.Time) ([]dateTick, string) {
	from, to = from.UTC(), to.UTC()
	days := to.Sub(from).Hours() / 24
	var at time.Time
	var step func(time.Time) time.Time
	var words string
	switch {
	case days <= 60:
		at = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		for at.Before(from) || at.Weekday() != time.Monday {
			at = at.AddDate(0, 0, 1)
		}
		step, words = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }, "each Monday"
	case days <= 400:
		at = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		if at.Before(from) {
			at = at.AddDate(0, 1, 0)
		}
		step, words = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }, "the first of each month"
	default:
		at = time.Date(from.Year(), (from.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		if at.Before(from) {
			at = at.AddDate(0, 3, 0)
		}
		step, words = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }, "the first of each quarter"
	}
	var ts []dateTick
	for ; !at.After(to); at = step(at) {
		ts = append(ts, dateTick{At: at, Label: at.Format("2 Jan"), Year: at.Month() == time.January && at.Day() == 1})
	}
	if len(ts) > 6 {
		for i := range ts {
			ts[i].Minor = i%2 == 1
		}
	}
	return ts, words
}

// timelineRows are the timeline's rows, top to bottom: a kind of event,
// its name, and its height.
var timelineRows = []struct {
	Kind, Name string
	Y          int
}{{"contact", "contacts", 24}, {"call", "calls", 52}, {"breach", "breaches", 80}}

// pairTimeline draws a pair's contacts, calls and breaches over the window:
// a row each, flagged marks in red, so a drift shows as red gathering at
// the right; under them a date axis, and the window's first and last days.
func pairTimeline(p *tandem.Pair, from, to time.Time) template.HTML {
	const W, H, left, right = pairW, 158, pairLeft, pairRight
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float64 {
		f := min(max(t.Sub(from).Seconds()/span, 0), 1)
		return float64(left) + float64(W-left-right)*f
	}
	counts := map[string]int{}
	flagged := map[string]int{}
	for _, e := range p.Events {
		if e.At.Before(from) {
			continue
		}
		counts[e.Kind]++
		if e.Flagged {
			flagged[e.Kind]++
		}
	}
	ticks, marks := axisTicks(from, to)
	first, last := from.UTC().Format("2 Jan 2006"), to.UTC().Format("2 Jan 2006")
	id := template.HTMLEscapeString("timeline-" + p.OfficerID + "-" + p.SourceID)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart pair" viewBox="0 0 %d %d" role="img" aria-labelledby="%s">`, W, H, id)
	fmt.Fprintf(&b, `<title id="%s">Timeline of %s and %s from %s to %s: %s (%d behind a reason), %s (%d behind a reason), %s. Date marks on %s.</title>`,
		id, template.HTMLEscapeString(p.OfficerName), template.HTMLEscapeString(p.SourceReference), first, last,
		countOf(counts["contact"], "contact"), flagged["contact"], countOf(counts["call"], "call"), flagged["call"], countOf(counts["breach"], "breach"), marks)
	// The date marks first, as faint lines through the rows, so the
	// events draw over them.
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="10" y2="%d" stroke="#eef0f3"/>`, x(t.At), x(t.At), axisY)
	}
	for _, row := range timelineRows {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text><line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#dde2e8"/>`,
			left-8, row.Y+4, row.Name, left, W-right, row.Y, row.Y)
	}
	rowOf := map[string]int{}
	for _, row := range timelineRows {
		rowOf[row.Kind] = row.Y
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
		y := rowOf[e.Kind]
		switch e.Kind {
		case "contact":
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="4" fill="%s"/>`, x(t), y, color)
		case "call":
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="3" height="12" fill="%s"/>`, x(t)-1.5, y-6, color)
		case "breach":
			fmt.Fprintf(&b, `<path d="M%.1f %d l5 9 h-10 z" fill="%s"/>`, x(t), y-5, color)
		}
	}
	// The axis: a line with a cap at each end of the window, a mark and
	// a label at each tick, and the window's first and last days under it.
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#6b7480"/>`, left, W-right, axisY, axisY)
	for _, xx := range []int{left, W - right} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#6b7480"/>`, xx, xx, axisY-4, axisY+10)
	}
	for _, t := range ticks {
		xx := x(t.At)
		class := "date-mark"
		if t.Minor {
			class += " minor"
		}
		label := t.Label
		if t.Year {
			label += fmt.Sprintf(`<tspan class="year"> %d</tspan>`, t.At.Year())
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#6b7480"/><text class="%s" x="%.1f" y="%d" text-anchor="%s">%s</text>`,
			xx, xx, axisY, axisY+6, class, xx, axisY+26, labelAnchor(xx, left, W-right), label)
	}
	fmt.Fprintf(&b, `<text class="window" x="%d" y="%d" text-anchor="start">%s</text><text class="window" x="%d" y="%d" text-anchor="end">%s</text>`,
		left, H-8, first, W-right, H-8, last)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// scoreScale draws a pair's score as a bar on a scale from 0 to top, the
// highest score on the page, with a mark where red begins when it lies
// inside the scale. The score is a sum of points with no ceiling, so the
// only scale that means anything is the other pairs'.
func scoreScale(p *tandem.Pair, top float64) template.HTML {
	const W, H, left, right = pairW, 74, pairLeft, pairRight
	top = max(top, p.Score)
	pw := float64(W - left - right)
	x := func(s float64) float64 { return float64(left) + pw*s/top }
	color := "#b97800"
	if p.Score >= redScore {
		color = "#a11d1d"
	}
	id := template.HTMLEscapeString("score-" + p.OfficerID + "-" + p.SourceID)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart pair score" viewBox="0 0 %d %d" role="img" aria-labelledby="%s">`, W, H, id)
	fmt.Fprintf(&b, `<title id="%s">Score %s on a scale from 0 to %s, the highest score on this page; a score of %g or more is red.</title>`,
		id, scoreText(p.Score), scoreText(top), redScore)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">score</text>`, left-8, 40)
	fmt.Fprintf(&b, `<rect x="%d" y="27" width="%.1f" height="16" fill="#eef0f3" stroke="#c9d0d8"/>`, left, pw)
	fmt.Fprintf(&b, `<rect x="%d" y="27" width="%.1f" height="16" fill="%s"/>`, left, max(x(p.Score)-float64(left), 2), color)
	if redScore < top {
		xr := x(redScore)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="23" y2="47" stroke="#1b1f24" stroke-dasharray="3 2"/><text x="%.1f" y="20" text-anchor="%s">red from %g</text>`,
			xr, xr, xr, labelAnchor(xr, left, W-right), redScore)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="start">0</text><text x="%d" y="%d" text-anchor="end">%s, the highest here</text>`,
		left, H-6, W-right, H-6, scoreText(top))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// labelAnchor keeps a label near either end of an axis inside the picture.
func labelAnchor(x float64, left, right int) string {
	switch {
	case x < float64(left)+24:
		return "start"
	case x > float64(right)-24:
		return "end"
	}
	return "middle"
}

// scoreText writes a score as the page does: one decimal.
func scoreText(s float64) string { return strconv.FormatFloat(math.Round(s*10)/10, 'f', 1, 64) }

// countOf writes "1 contact", "3 calls", "2 breaches".
func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "ch") {
		return strconv.Itoa(n) + " " + what + "es"
	}
	return strconv.Itoa(n) + " " + what + "s"
}
