package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestContact_SummaryKeepsItsLinesOnAPhone: a handler on a phone (390
// pixels wide) records a contact whose summary has three lines and a
// long unbroken string. The record keeps the lines, as written, and the
// page stays as wide as the phone.
func TestContact_SummaryKeepsItsLinesOnAPhone(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.do("a phone's screen", chromedp.EmulateViewport(390, 844))
		b.login("handler.a")
		href := b.eval("a source", `document.querySelector('main table a[href^="/sources/"]').getAttribute("href")`)
		if href == "" {
			t.Fatal("handler.a lists no source")
		}
		b.open(href+"/contacts/new", "contact form on a phone")
		long := strings.Repeat("x", 600)
		b.do("fill the contact form",
			chromedp.Click(chromedp.CSS(`input[name=kind][value=phone]`)),
			chromedp.SendKeys(chromedp.CSS("#summary"), "First line.\nSecond line.\n"+long),
		)
		officers := b.officerChoices()
		var tom string
		for _, o := range officers {
			if strings.HasPrefix(o.Label, "DC Tom Barker") {
				tom = o.ID
			}
		}
		if tom == "" {
			t.Fatalf("the form offers no DC Tom Barker: %+v", officers)
		}
		b.setOfficers(officers, tom)
		b.submit(`form[data-preview] .actions button:not([name])`, "contact recorded on a phone", http.StatusOK)
		if text := b.eval("the summary", `[...document.querySelectorAll("main .card p")].map(p => p.innerText).find(t => t.includes("First line.")) || ""`); !strings.HasPrefix(text, "First line.\nSecond line.\n") {
			t.Errorf("the summary reads %.80q: its lines are lost", text)
		}
		if w := b.eval("page width", `String(document.documentElement.scrollWidth) + " " + String(window.innerWidth)`); func() bool {
			f := strings.Fields(w)
			return len(f) != 2 || f[0] != f[1]
		}() {
			t.Errorf("the contact page is %s pixels wide (page, window): a long string widened it", w)
		}
	})
}
