package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// twoOfficers is the compliance page's "Meetings with two officers" card.
type twoOfficers struct {
	Pct      string `json:"pct"`
	With     int    `json:"with"`
	Meetings int    `json:"meetings"`
}

func (c twoOfficers) share() float64 { return float64(c.With) / float64(c.Meetings) }

// alertRow is one row of the alerts page.
type alertRow struct {
	Rule     string `json:"rule"`
	Ref      string `json:"ref"`
	Officers string `json:"officers"`
	Action   string `json:"action"`
	Status   string `json:"status"`
	Text     string `json:"text"`
}

// TestStory_SoloMeetingReachesTheController is the article's point 6 told
// through the browser: a handler records a meeting held alone; the live
// preview and the saved record name the TWO_OFFICERS breach; the controller
// finds the alert, acknowledges it with a justification, and sees the
// unit's two-officer figure fall.
func TestStory_SoloMeetingReachesTheController(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		var (
			before    twoOfficers
			openAtT0  map[string]int // open TWO_OFFICERS alerts by source reference, before the meeting
			sourceID  string
			reference string
			alertID   string
			// sourceMale: handler.a is a man, so alone with a male source he
			// breaks TWO_OFFICERS only
			sourceMale bool
		)

		t.Run("controller reads compliance before", func(t *testing.T) {
			b := b.on(t)
			landed := b.login("controller")
			if b.urlPath(landed.URL) != "/alerts" {
				t.Errorf("the controller lands on %s, want /alerts", landed.URL)
			}
			b.open("/compliance", "controller compliance before the meeting")
			before = b.twoOfficersCard("compliance before")
			t.Logf("before: meetings with two officers %s (%d of %d)", before.Pct, before.With, before.Meetings)
			if before.Meetings == 0 {
				t.Fatal("the demo unit has no meetings in the last 12 weeks: nothing to compare")
			}
			b.open("/alerts?status=open&rule=TWO_OFFICERS", "controller open two-officer alerts before")
			openAtT0 = map[string]int{}
			for _, r := range b.alertRows("alerts before") {
				if r.Rule != "TWO_OFFICERS" {
					t.Errorf("the rule filter let through a %s alert", r.Rule)
				}
				openAtT0[r.Ref]++
			}
			b.logout("controller")
		})
		if t.Failed() {
			return
		}

		t.Run("handler opens a source", func(t *testing.T) {
			b := b.on(t)
			landed := b.login("handler.a")
			if h1 := b.eval("my sources", `document.querySelector("main h1").textContent.trim()`); h1 != "My sources" {
				t.Fatalf("handler.a lands on %s titled %q, want My sources", landed.URL, h1)
			}
			// A source whose gender the handler shares, so that meeting alone
			// breaks TWO_OFFICERS and nothing else.
			var pick struct {
				Href string `json:"href"`
				Ref  string `json:"ref"`
				Male bool   `json:"male"`
			}
			raw := b.evalAsync("choose a source", `(async () => {
				const links = [...document.querySelectorAll('main table a[href^="/sources/"]')]
					.map(a => ({href: a.getAttribute("href"), ref: a.textContent.trim()}))
					.filter((l, i, all) => all.findIndex(m => m.href === l.href) === i);
				for (const l of links) {
					const html = await (await fetch(l.href, {credentials: "same-origin"})).text();
					if (html.includes("Gender: male")) return JSON.stringify({...l, male: true});
				}
				return JSON.stringify(links.length ? {...links[0], male: false} : {href: "", ref: "", male: false});
			})()`)
			if err := json.Unmarshal([]byte(raw), &pick); err != nil || pick.Href == "" {
				t.Fatalf("handler.a's sources list has no source link (%v): %s", err, raw)
			}
			if !pick.Male {
				t.Logf("no male source among handler.a's: using %s; SAME_GENDER may be broken too", pick.Ref)
			}
			sourceID, reference, sourceMale = strings.TrimPrefix(pick.Href, "/sources/"), pick.Ref, pick.Male
			p := b.follow(`main table a[href="`+pick.Href+`"]`, "handler source file "+reference)
			if !strings.Contains(p.Text, reference) || !strings.Contains(p.Text, "Handling team") || !strings.Contains(p.Text, "DC Tom Barker") {
				t.Errorf("the source file of %s does not show its reference and handling team: %.300s", reference, p.Text)
			}
		})
		if t.Failed() {
			return
		}

		t.Run("handler records a meeting held alone", func(t *testing.T) {
			b := b.on(t)
			form := b.follow(`a.button[href="/sources/`+sourceID+`/contacts/new"]`, "handler record a contact form")
			if !strings.Contains(form.Text, "Record a contact with "+reference) {
				t.Fatalf("the form is not for %s: %.200s", reference, form.Text)
			}
			b.do("fill the contact form",
				chromedp.Click(chromedp.CSS(`input[name=kind][value=meeting]`)),
				chromedp.SendKeys(chromedp.CSS("#location"), "Car park behind the leisure centre"),
				chromedp.SendKeys(chromedp.CSS("#summary"), "Met briefly in the car park; the co-handler was delayed. Source reported a new supplier at the dock."),
			)
			officers := b.officerChoices()
			var tom, second string
			for _, o := range officers {
				switch {
				case strings.HasPrefix(o.Label, "DC Tom Barker"):
					tom = o.ID
				case second == "" && o.Accredited:
					second = o.ID
				}
			}
			if tom == "" || second == "" {
				t.Fatalf("the form offers no DC Tom Barker or no second accredited officer: %+v", officers)
			}

			// With a second officer the preview shows no TWO_OFFICERS breach...
			b.setOfficers(officers, tom, second)
			b.waitFor("preview with two officers", `(() => { const f = document.getElementById("findings").innerText;
				return !f.includes("TWO_OFFICERS") && (f.includes("No rule broken") || f.includes("breaks")); })()`, 10*time.Second)
			b.snapshot(b.read("handler contact form two officers preview"))

			// ...and with handler.a alone it names the breach before saving.
			b.setOfficers(officers, tom)
			b.waitFor("preview with handler.a alone", `document.getElementById("findings").innerText.includes("TWO_OFFICERS")`, 10*time.Second)
			checked := b.eval("officers ticked", `[...document.querySelectorAll("input[name=officer_ids]:checked")].map(i => i.value).join(",")`)
			if checked != tom {
				t.Fatalf("officers ticked = %q, want only handler.a (%s)", checked, tom)
			}
			preview := b.read("handler contact form solo preview")
			b.snapshot(preview)
			findings := b.eval("preview findings", `[...document.querySelectorAll("#findings .finding .code")].map(e => e.textContent).join(",")`)
			if sourceMale && findings != "TWO_OFFICERS" {
				t.Errorf("the preview for a solo meeting with a male source lists %q, want TWO_OFFICERS alone", findings)
			}

			saved := b.submit(`form[data-preview] .actions button:not([name])`, "handler contact recorded", http.StatusOK)
			if !strings.Contains(saved.Text, "Recorded. It breaks") {
				t.Errorf("the result page does not say the contact was recorded with a breach: %.300s", saved.Text)
			}
			got := b.eval("saved findings", `[...document.querySelectorAll("main .finding .code")].map(e => e.textContent).join(",")`)
			if !strings.Contains(got, "TWO_OFFICERS") {
				t.Errorf("the result page lists findings %q, want TWO_OFFICERS among them", got)
			}
			b.logout("handler.a")
		})
		if t.Failed() {
			return
		}

		t.Run("controller finds the alert", func(t *testing.T) {
			b := b.on(t)
			b.login("controller")
			found := false
			for _, r := range b.alertRows("alerts") {
				if r.Rule == "TWO_OFFICERS" && r.Ref == reference && strings.Contains(r.Officers, "DC Tom Barker") {
					found = true
				}
			}
			if !found {
				t.Fatalf("/alerts lists no open TWO_OFFICERS alert for %s naming DC Tom Barker", reference)
			}
			// The filters, as a controller would use them.
			b.do("filter the alerts",
				chromedp.SetValue(chromedp.CSS("#f-rule"), "TWO_OFFICERS"),
				chromedp.SetValue(chromedp.CSS("#f-source"), sourceID),
			)
			b.follow(`form.filters button[type=submit]`, "controller alerts filtered to "+reference)
			rows := b.alertRows("filtered alerts")
			if len(rows) != openAtT0[reference]+1 {
				t.Fatalf("%d open TWO_OFFICERS alerts for %s, want %d (one more than before the meeting)", len(rows), reference, openAtT0[reference]+1)
			}
			// Oldest first: the meeting just recorded raised the last one.
			last := rows[len(rows)-1]
			if last.Ref != reference || last.Officers != "DC Tom Barker" || !strings.HasPrefix(last.Action, "/alerts/") {
				t.Fatalf("the newest alert is %+v, want one for %s naming DC Tom Barker alone, with an Acknowledge form", last, reference)
			}
			alertID = strings.TrimSuffix(strings.TrimPrefix(last.Action, "/alerts/"), "/acknowledge")
		})
		if t.Failed() {
			return
		}

		t.Run("controller acknowledges the alert", func(t *testing.T) {
			b := b.on(t)
			const why = "Spoke to DC Barker: the co-handler was delayed in traffic; reminded both of the two-officer rule."
			form := `form[action="/alerts/` + alertID + `/acknowledge"]`
			b.do("justify", chromedp.SendKeys(chromedp.CSS(form+` input[name=justification]`), why))
			done := b.follow(form+` button[type=submit]`, "controller alert acknowledged")
			if !strings.Contains(done.Text, "Alert acknowledged.") {
				t.Errorf("no confirmation after acknowledging: %.300s", done.Text)
			}
			b.open("/alerts?status=open&rule=TWO_OFFICERS&source_id="+sourceID, "controller open alerts after acknowledging")
			if n := len(b.alertRows("open alerts after")); n != openAtT0[reference] {
				t.Errorf("%d open TWO_OFFICERS alerts for %s after acknowledging, want %d", n, reference, openAtT0[reference])
			}
			b.open("/alerts?status=acknowledged&rule=TWO_OFFICERS&source_id="+sourceID, "controller acknowledged alerts")
			acked := false
			for _, r := range b.alertRows("acknowledged alerts") {
				if r.Ref == reference && strings.Contains(r.Text, why) {
					acked = true
				}
			}
			if !acked {
				t.Errorf("the acknowledged alerts of %s do not show the justification %q", reference, why)
			}
		})

		t.Run("compliance shows the drop", func(t *testing.T) {
			b := b.on(t)
			b.open("/compliance", "controller compliance after the meeting")
			b.do("the weekly chart is visible", chromedp.WaitVisible(chromedp.CSS("svg.chart")))
			after := b.twoOfficersCard("compliance after")
			t.Logf("after: meetings with two officers %s (%d of %d)", after.Pct, after.With, after.Meetings)
			if after.Meetings != before.Meetings+1 || after.With != before.With {
				t.Errorf("meetings with two officers went from %d of %d to %d of %d, want %d of %d",
					before.With, before.Meetings, after.With, after.Meetings, before.With, before.Meetings+1)
			}
			if !(after.share() < before.share()) {
				t.Errorf("the two-officer share did not fall: %s (%d/%d) before, %s (%d/%d) after",
					before.Pct, before.With, before.Meetings, after.Pct, after.With, after.Meetings)
			}
			if after.Pct == before.Pct {
				t.Logf("the rounded percentage shows no change (%s): one meeting among %d moves it by less than half a point", after.Pct, after.Meetings)
			}
			width := b.eval("chart width", `String(Math.round(document.querySelector("svg.chart").getBoundingClientRect().width))`)
			if width == "0" {
				t.Errorf("the weekly chart has no width")
			}
		})
	})
}

// on returns the same browser reporting to the subtest t.
func (b *browser) on(t *testing.T) *browser {
	return &browser{t: t, ctx: b.ctx, srv: b.srv, console: b.console}
}

// evalAsync evaluates an expression that returns a promise of a string.
func (b *browser) evalAsync(name, js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	return s
}

// twoOfficersCard reads the "Meetings with two officers" card of the
// compliance page: the percentage and the two counts it links to.
func (b *browser) twoOfficersCard(name string) twoOfficers {
	b.t.Helper()
	raw := b.eval(name, `(() => {
		const card = [...document.querySelectorAll("main .card")]
			.find(c => (c.querySelector("h2") || {}).textContent === "Meetings with two officers");
		if (!card) return "{}";
		const a = card.querySelectorAll("p:not(.big) a");
		return JSON.stringify({pct: card.querySelector(".big").textContent.trim(),
			with: parseInt(a[0].textContent, 10), meetings: parseInt(a[1].textContent, 10)});
	})()`)
	var c twoOfficers
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.Pct == "" {
		b.t.Fatalf("%s: no readable \"Meetings with two officers\" card (%v): %s", name, err, raw)
	}
	return c
}

// alertRows reads the rows of the alerts table.
func (b *browser) alertRows(name string) []alertRow {
	b.t.Helper()
	// The alert list is the table with a "What happened" column; columns
	// are found by their headings, not their positions.
	raw := b.eval(name, `(() => {
		const table = [...document.querySelectorAll("main table")]
			.find(t => [...t.querySelectorAll("thead th")].some(th => th.textContent.trim() === "What happened"));
		if (!table) return "[]";
		const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim());
		return JSON.stringify([...table.querySelectorAll("tbody tr")].map(tr => {
			const cell = h => tr.children[heads.indexOf(h)] || document.createElement("td");
			const form = cell("Action").querySelector("form");
			return {
				rule: (cell("Rule").querySelector(".code") || {textContent: ""}).textContent.trim(),
				ref: (cell("Source").querySelector("a") || {textContent: ""}).textContent.trim(),
				officers: cell("Officers").textContent.trim(),
				action: form ? form.getAttribute("action") : "",
				status: form ? "open" : cell("Action").textContent.trim(),
				text: tr.innerText,
			};
		}));
	})()`)
	var rows []alertRow
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// officerChoice is a checkbox of the "Officers present" fieldset.
type officerChoice struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Checked    bool   `json:"checked"`
	Accredited bool   `json:"accredited"`
}

func (b *browser) officerChoices() []officerChoice {
	b.t.Helper()
	raw := b.eval("officer choices", `JSON.stringify([...document.querySelectorAll("input[name=officer_ids]")].map(i => ({
		id: i.value, label: i.closest("label").textContent.trim(), checked: i.checked,
		accredited: !i.closest("label").textContent.includes("not accredited"),
	})))`)
	var out []officerChoice
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		b.t.Fatalf("officer choices: %v", err)
	}
	return out
}

// setOfficers ticks exactly the officers ids among choices, by clicking
// their boxes as a user would, so that the form's change events fire.
func (b *browser) setOfficers(choices []officerChoice, ids ...string) {
	b.t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, o := range choices {
		sel := `input[name=officer_ids][value="` + o.ID + `"]`
		checked := b.eval("officer "+o.ID, `String(document.querySelector('`+sel+`').checked)`) == "true"
		if checked != want[o.ID] {
			b.do("tick "+o.Label, chromedp.Click(chromedp.CSS(sel)))
		}
	}
}
