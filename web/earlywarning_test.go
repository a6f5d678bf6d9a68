package web_test

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// The timeline's geometry as earlywarning.go draws it: the plot runs from
// x = 120 to x = 704 of a 720-wide picture.
const ewLeft, ewRight = 120.0, 704.0

var (
	ewSVG        = regexp.MustCompile(`(?s)<svg class="chart pair[^"]*"[^>]*>.*?</svg>`)
	ewMark       = regexp.MustCompile(`<text class="date-mark( minor)?" x="([0-9.]+)" y="[0-9]+" text-anchor="[a-z]+">([^<]+)(?:<tspan class="year">([^<]+)</tspan>)?</text>`)
	ewWindow     = regexp.MustCompile(`<text class="window" x="[0-9]+" y="[0-9]+" text-anchor="(?:start|end)">([^<]+)</text>`)
	ewScale      = regexp.MustCompile(`<title id="score-[^"]+">Score ([0-9.]+) on a scale from 0 to ([0-9.]+), the highest score on this page`)
	ewBar        = regexp.MustCompile(`<rect x="120" y="27" width="([0-9.]+)" height="16" fill="#[0-9a-f]+"/>`)
	ewLabelledBy = regexp.MustCompile(`<svg [^>]*role="img" aria-labelledby="([^"]+)">`)
)

// ewMarks returns the date marks of one timeline: their labels in order,
// where they stand, and which give way on a narrow screen.
func ewMarks(svg string) (labels []string, xs []float64, minor []bool) {
	for _, m := range ewMark.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[2], 64)
		labels, xs, minor = append(labels, html.UnescapeString(m[3]+m[4])), append(xs, x), append(minor, m[1] != "")
	}
	return labels, xs, minor
}

// ewTimelines returns the page's timelines (not its score scales).
func ewTimelines(body string) []string {
	var out []string
	for _, s := range ewSVG.FindAllString(body, -1) {
		if strings.Contains(s, `<title id="timeline-`) {
			out = append(out, s)
		}
	}
	return out
}

// TestEarlyWarning_TimelinesHaveADateAxisForTheWindow opens the board over
// each window on the Monday morning of the fixtures (9 March 2026, 09:00
// UTC): the date marks are the Mondays, the firsts of the months or of
// the quarters inside the window, each where its date falls, and the
// window's first and last days are written under the axis.
func TestEarlyWarning_TimelinesHaveADateAxisForTheWindow(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s := a.pairedSource()
		a.soloMeeting(s)
		b := a.signIn(a.controller)
		cases := []struct {
			days        int
			marks       []string
			first, last string
			words       string
		}{
			{30, []string{"9 Feb", "16 Feb", "23 Feb", "2 Mar", "9 Mar"}, "7 Feb 2026", "9 Mar 2026", "each Monday"},
			{90, []string{"1 Jan 2026", "1 Feb", "1 Mar"}, "9 Dec 2025", "9 Mar 2026", "the first of each month"},
			{365, []string{"1 Apr", "1 May", "1 Jun", "1 Jul", "1 Aug", "1 Sep", "1 Oct", "1 Nov", "1 Dec", "1 Jan 2026", "1 Feb", "1 Mar"},
				"9 Mar 2025", "9 Mar 2026", "the first of each month"},
			{731, []string{"1 Apr", "1 Jul", "1 Oct", "1 Jan 2025", "1 Apr", "1 Jul", "1 Oct", "1 Jan 2026"},
				"8 Mar 2024", "9 Mar 2026", "the first of each quarter"},
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%d days", tc.days), func(t *testing.T) {
				p := b.get(fmt.Sprintf("/early-warning?days=%d", tc.days))
				if p.status != http.StatusOK {
					t.Fatalf("status %d", p.status)
				}
				tls := ewTimelines(p.body)
				if len(tls) != 1 {
					t.Fatalf("%d timelines; want 1, for the officer who met the source alone", len(tls))
				}
				labels, xs, minor := ewMarks(tls[0])
				if !slices.Equal(labels, tc.marks) {
					t.Errorf("date marks %q; want %q", labels, tc.marks)
				}
				now := a.clock.Now()
				from := now.Add(-time.Duration(tc.days) * 24 * time.Hour)
				prev := from
				for i, l := range labels {
					// A mark without its year is the first such day after
					// the mark before it (or the window's start).
					d, err := time.Parse("2 Jan 2006", l)
					if err != nil {
						if d, err = time.Parse("2 Jan 2006", l+" "+strconv.Itoa(prev.Year())); err != nil {
							t.Fatalf("mark %q is not a date", l)
						}
						if d.Before(prev) {
							d = d.AddDate(1, 0, 0)
						}
					}
					prev = d
					want := ewLeft + (ewRight-ewLeft)*d.Sub(from).Seconds()/now.Sub(from).Seconds()
					if math.Abs(xs[i]-want) > 0.11 {
						t.Errorf("%s is drawn at x = %.1f; want %.1f", l, xs[i], want)
					}
					if wantMinor := len(labels) > 6 && i%2 == 1; minor[i] != wantMinor {
						t.Errorf("%s minor = %v; want %v", l, minor[i], wantMinor)
					}
				}
				var ends []string
				for _, m := range ewWindow.FindAllStringSubmatch(tls[0], -1) {
					ends = append(ends, m[1])
				}
				if !slices.Equal(ends, []string{tc.first, tc.last}) {
					t.Errorf("the window's ends read %q; want %q", ends, []string{tc.first, tc.last})
				}
				title := "Timeline of Officer ha and " + s.Reference + " from " + tc.first + " to " + tc.last + ": 1 contact (1 behind a reason), 0 calls (0 behind a reason), 1 breach. Date marks on " + tc.words + "."
				if !strings.Contains(tls[0], title) {
					t.Errorf("the timeline's title does not say %q:\n%s", title, tls[0])
				}
				if say := "A timeline runs from " + tc.first + " on the left to " + tc.last + " on the right, with a date mark on " + tc.words + "."; !strings.Contains(p.body, say) {
					t.Errorf("the page does not say %q", say)
				}
			})
		}
	})
}

// TestEarlyWarning_ScoreIsShownOnTheScaleOfThePagesHighest gives two pairs
// different scores: each pair's bar runs from 0 to the highest score on
// the page, so the highest fills its bar and the other a share of it, and
// the page says what the score is made of in words.
func TestEarlyWarning_ScoreIsShownOnTheScaleOfThePagesHighest(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		s1 := a.pairedSource()
		a.soloMeeting(s1)
		s2 := a.pairedSource()
		// hb meets the second source alone three times, late at night:
		// more reasons, a higher score.
		for d := 1; d <= 3; d++ {
			if _, err := a.store.RecordContact(as(a.hb), s2.ID, tandem.ContactCreate{Kind: tandem.KindMeeting,
				OccurredAt: a.clock.Now().Add(-time.Duration(d*24+10) * time.Hour), Location: "Car park", OfficerIDs: []string{a.hb.ID}, Summary: "Debrief"}); err != nil {
				t.Fatalf("record a meeting: %v", err)
			}
		}
		board, err := a.store.PageEarlyWarning(as(a.controller), tandem.BoardFilter{Days: 90})
		if err != nil {
			t.Fatal(err)
		}
		scores := map[string]float64{}
		top := 0.0
		for _, p := range board.Pairs {
			if p.Score > 0 {
				scores[p.OfficerID+" "+p.SourceID] = p.Score
				top = max(top, p.Score)
			}
		}
		low, high := scores[a.ha.ID+" "+s1.ID], scores[a.hb.ID+" "+s2.ID]
		if len(scores) != 2 || low <= 0 || high <= low {
			t.Fatalf("scores %v; the fixture wants two flagged pairs, hb and the second source higher", scores)
		}

		p := a.signIn(a.controller).get("/early-warning")
		if p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
		var scales []string
		for _, svg := range ewSVG.FindAllString(p.body, -1) {
			if strings.Contains(svg, `<title id="score-`) {
				scales = append(scales, svg)
			}
		}
		if len(scales) != 2 {
			t.Fatalf("%d score scales; want one for each flagged pair", len(scales))
		}
		for i, want := range []float64{high, low} {
			m := ewScale.FindStringSubmatch(scales[i])
			if m == nil {
				t.Fatalf("scale %d does not say its score and its end in words:\n%s", i, scales[i])
			}
			if m[1] != fmt.Sprintf("%.1f", want) || m[2] != fmt.Sprintf("%.1f", top) {
				t.Errorf("scale %d says score %s of %s; want %.1f of %.1f", i, m[1], m[2], want, top)
			}
			bar := ewBar.FindStringSubmatch(scales[i])
			if bar == nil {
				t.Fatalf("scale %d has no bar:\n%s", i, scales[i])
			}
			w, _ := strconv.ParseFloat(bar[1], 64)
			if wantW := (ewRight - ewLeft) * want / top; math.Abs(w-wantW) > 0.11 {
				t.Errorf("scale %d's bar is %.1f wide; want %.1f", i, w, wantW)
			}
		}
		if say := fmt.Sprintf("each pair's bar runs from 0 to %.1f, the highest score on this page", top); !strings.Contains(p.body, say) {
			t.Errorf("the page does not say %q", say)
		}
		if !strings.Contains(p.body, "A pair's score is the sum of its reasons' points") || !strings.Contains(p.body, "no upper limit") {
			t.Error("the page does not say how the score is made")
		}
	})
}

// TestEarlyWarning_ChartsAreLabelledPicturesThatFitAPhone checks every
// picture on the board: an image with a title in words that it points
// at, scaled by its viewBox (no fixed width to scroll sideways), and no
// style attribute, which the page's CSP would refuse.
func TestEarlyWarning_ChartsAreLabelledPicturesThatFitAPhone(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl")
		a.soloMeeting(a.pairedSource())
		p := a.signIn(a.controller).get("/early-warning?days=365")
		svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(p.body, -1)
		if len(svgs) != 2 {
			t.Fatalf("%d pictures; want a score scale and a timeline", len(svgs))
		}
		for _, svg := range svgs {
			open := svg[:strings.Index(svg, ">")+1]
			m := ewLabelledBy.FindStringSubmatch(open)
			if m == nil {
				t.Errorf("%s: not an image labelled by its title", open)
				continue
			}
			title := regexp.MustCompile(`<title id="` + regexp.QuoteMeta(m[1]) + `">([^<]{20,})</title>`).FindStringSubmatch(svg)
			if title == nil {
				t.Errorf("%s: no title of some words with id %s", open, m[1])
			}
			if strings.Count(p.body, `id="`+m[1]+`"`) != 1 {
				t.Errorf("id %s is not unique on the page", m[1])
			}
			if !strings.Contains(open, `viewBox="0 0 720 `) || strings.Contains(open, ` width=`) || strings.Contains(open, ` height=`) {
				t.Errorf("%s: want a viewBox and no fixed size", open)
			}
			if strings.Contains(svg, "style=") {
				t.Errorf("a picture carries a style attribute: %s", open)
			}
		}
	})
}
