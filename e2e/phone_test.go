package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneCheck measures the page as a phone shows it: how wide it is
// against the window, and every control smaller than 24 by 24 pixels
// (WCAG 2.5.8): buttons, fields, the navigation's links, links styled as
// buttons. A link in a sentence is exempt, as the guideline allows.
const phoneCheck = `(() => {
  const small = [];
  for (const el of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, .top nav a, a.button, .skip')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue; // not shown
    if (el.classList.contains('skip') && r.right < 0) continue; // off-screen until focused
    if (r.width < 24 || r.height < 24) small.push(el.outerHTML.slice(0, 90) + " is " + Math.round(r.width) + "x" + Math.round(r.height));
  }
  return JSON.stringify({page: document.documentElement.scrollWidth, window: window.innerWidth, small});
})()`

type phoneMeasure struct {
	Page, Window int
	Small        []string
}

// onAPhone checks the page that is open as a phone would show it.
func (b *browser) onAPhone(t *testing.T, p page) {
	t.Helper()
	var m phoneMeasure
	if err := json.Unmarshal([]byte(b.eval(p.Name+" on a phone", phoneCheck)), &m); err != nil {
		t.Fatalf("%s: measure the page: %v", p.Name, err)
	}
	if m.Window != 390 {
		t.Fatalf("%s: the window is %d pixels wide, not a phone's 390", p.Name, m.Window)
	}
	if m.Page > m.Window {
		t.Errorf("%s (%s) scrolls sideways on a phone: %d pixels wide in a %d-pixel window", p.Name, p.URL, m.Page, m.Window)
	}
	for _, s := range m.Small {
		t.Errorf("%s: a target smaller than 24 px: %s", p.Name, s)
	}
}

// TestPhone_AHandlersDayFitsA390PixelScreen: every page of a handler's day,
// reached by clicking, at 390 by 844: the list of sources first, a
// source's file, a contact, recording a contact, amending it, planning a
// meeting, adding a risk, the alerts. None scrolls sideways, and every
// control is at least 24 pixels each way. The screenshots are kept.
func TestPhone_AHandlersDayFitsA390PixelScreen(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.do("a phone's screen", chromedp.EmulateViewport(390, 844))
		list := b.login("handler.a")
		b.onAPhone(t, list)
		if !strings.Contains(list.Text, "Still to document") {
			t.Errorf("the handler's first page does not start with what is still to document: %.200s", list.Text)
		}
		src := b.follow(`main table a.ref[href^="/sources/"]`, "a source on a phone")
		b.onAPhone(t, src)
		b.onAPhone(t, b.follow(`ol.timeline a[href*="/contacts/"]`, "a contact on a phone"))
		b.onAPhone(t, b.follow(`main a[href$="/amend"]`, "the amendment form on a phone"))
		b.open(strings.TrimPrefix(src.URL, srv.url), "the source again")
		b.onAPhone(t, b.follow(`main a[href$="/contacts/new"]`, "the contact form on a phone"))
		b.open(strings.TrimPrefix(src.URL, srv.url), "the source again")
		b.onAPhone(t, b.follow(`main a[href$="/meetings/new"]`, "the meeting form on a phone"))
		b.open(strings.TrimPrefix(src.URL, srv.url), "the source again")
		b.onAPhone(t, b.follow(`main a[href$="/risks/new"]`, "the risk form on a phone"))
		b.onAPhone(t, b.follow(`nav a[href="/alerts"]`, "the alerts on a phone"))
		b.onAPhone(t, b.follow(`nav a[href="/settings"]`, "the rules on a phone"))
	})
}
