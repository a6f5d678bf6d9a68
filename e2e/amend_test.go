package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAmend_AHandlerAmendsAContactByClicking: from the handler's sources,
// a source, a contact in its timeline, the amendment form (which starts
// from the contact as it stands), a corrected summary with its reason,
// and the contact's page showing the correction beside the original.
// Every step a click; a forgotten reason is named beside its field.
func TestAmend_AHandlerAmendsAContactByClicking(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.login("handler.a") // lands on the handler's sources
		b.follow(`main table a.ref[href^="/sources/"]`, "a source of the handler")
		contact := b.follow(`ol.timeline a[href*="/contacts/"]`, "a contact in the timeline")
		form := b.follow(`main a[href$="/amend"]`, "the amendment form")
		before := b.eval("the summary as it stands", `document.getElementById("summary").value`)
		if before == "" || !strings.Contains(form.Text, "Amend the") {
			t.Fatalf("the amendment form does not start from the contact: %.300s", form.Text)
		}
		b.do("correct the summary, forgetting the reason",
			chromedp.SetValue(chromedp.CSS("#summary"), before+"\n\nCorrection: the meeting ended at the car park, not the café."),
			// What a browser would refuse to send, sent: the server names it.
			chromedp.RemoveAttribute(chromedp.CSS("#reason"), "required"),
		)
		b.submit(`form[action$="/amendments"] button[type=submit]`, "an amendment without a reason", http.StatusBadRequest)
		if got := b.eval("the reason's error", `(document.getElementById("err-reason")||{}).textContent||""`); !strings.Contains(got, "why the contact is amended") {
			t.Errorf("beside the reason: %q", got)
		}
		b.do("give the reason", chromedp.SendKeys(chromedp.CSS("#reason"), "the place the meeting ended was written wrongly"))
		done := b.follow(`form[action$="/amendments"] button[type=submit]`, "the contact, amended")
		if page, _, _ := strings.Cut(done.URL, "?"); page != contact.URL {
			t.Errorf("after amending, the page is %s, want the contact's %s", done.URL, contact.URL)
		}
		if !strings.Contains(done.Text, "Amendment saved") || !strings.Contains(done.Text, "the place the meeting ended was written wrongly") ||
			!strings.Contains(done.Text, "Correction: the meeting ended at the car park") {
			t.Errorf("the amended contact's page: %.600s", done.Text)
		}
	})
}
