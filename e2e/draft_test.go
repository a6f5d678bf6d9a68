package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestDraft_AWriteUpOutlivesTheSession: a handler writes up a contact,
// and before it is sent the session ends (the browser's cookies are
// gone, as after the idle timeout). Sending it says the session ended and
// that the write-up is kept; signing in again opens the form with it
// filled in; sent again, it is recorded as written.
func TestDraft_AWriteUpOutlivesTheSession(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.login("handler.a")
		b.follow(`main table a.ref[href^="/sources/"]`, "a source of the handler")
		b.follow(`main a[href$="/contacts/new"]`, "the contact form")
		summary := "Met at the bus station for 20 minutes.\nThe source named the lock-up on Mill Lane."
		b.do("write the contact up",
			chromedp.Click(chromedp.CSS(`input[name=kind][value=phone]`)),
			chromedp.SendKeys(chromedp.CSS("#summary"), summary),
		)
		if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatalf("end the session: %v", err)
		}
		ended := b.submit(`form[data-draft] .actions button:not([name])`, "sent after the session ended", http.StatusUnauthorized)
		if !strings.Contains(ended.Text, "Your session has ended") || !strings.Contains(ended.Text, "kept in this browser tab") {
			t.Fatalf("after the session ended: %.300s", ended.Text)
		}
		b.follow(`main a[href^="/login?next="]`, "the sign-in form again")
		b.do("sign in again",
			chromedp.SendKeys(chromedp.CSS("#username"), "handler.a"),
			chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		)
		back := b.follow(`form[action="/login"] button[type=submit]`, "the contact form again")
		if !strings.HasSuffix(back.URL, "/contacts/new") {
			t.Fatalf("signing in again led to %s, want the contact form", back.URL)
		}
		if got := b.eval("the summary put back", `document.getElementById("summary").value`); got != summary {
			t.Errorf("the summary after signing in again is %q, want the write-up %q", got, summary)
		}
		if b.eval("the kind put back", `document.querySelector("input[name=kind]:checked").value`) != "phone" {
			t.Errorf("the kind of contact was not put back")
		}
		if !strings.Contains(back.Text, "Your unsaved write-up was put back") {
			t.Errorf("the form does not say the write-up was put back: %.300s", back.Text)
		}
		done := b.follow(`form[data-draft] .actions button:not([name])`, "the contact recorded")
		if !strings.Contains(done.Text, "The source named the lock-up on Mill Lane.") {
			t.Errorf("the recorded contact does not hold the write-up: %.400s", done.Text)
		}
		// Recorded, it is forgotten: the form opens empty.
		b.open(strings.TrimPrefix(back.URL, srv.url), "the contact form once more")
		if got := b.eval("the summary", `document.getElementById("summary").value`); got != "" {
			t.Errorf("after it was recorded the form still holds %q", got)
		}
	})
}
