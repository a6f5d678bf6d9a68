package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestDraft_ASessionEndedBeforeTheFormWasSent: a contact, an amendment, a
// plan or a risk entry sent without a live session is not saved, and the
// answer (401) says the write-up is kept in the tab and leads back, after
// signing in, to the form it came from; any other form gets the plain
// signed-out page. Nothing sent is echoed back.
func TestDraft_ASessionEndedBeforeTheFormWasSent(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend)
		src := a.pairedSource()
		b := a.browser()
		for post, form := range map[string]string{
			"/sources/" + src.ID + "/contacts":                 "/sources/" + src.ID + "/contacts/new",
			"/sources/" + src.ID + "/contacts/0a1b/amendments": "/sources/" + src.ID + "/contacts/0a1b/amend",
			"/sources/" + src.ID + "/meetings":                 "/sources/" + src.ID + "/meetings/new",
			"/sources/" + src.ID + "/risks":                    "/sources/" + src.ID + "/risks/new",
		} {
			p := b.post(post, url.Values{"summary": {"the lock-up on Mill Lane"}})
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "data-draft-kept") {
				t.Errorf("POST %s without a session: %d", post, p.status)
			}
			if want := `href="/login?next=` + url.QueryEscape(form) + `"`; !strings.Contains(p.body, strings.ReplaceAll(want, "%2F", "%2f")) && !strings.Contains(p.body, want) {
				t.Errorf("POST %s without a session does not lead back to %s", post, form)
			}
			if strings.Contains(p.body, "Mill Lane") {
				t.Errorf("POST %s without a session echoes what was sent", post)
			}
		}
		if p := b.post("/alerts/acknowledge", url.Values{"justification": {"x"}}); p.status != http.StatusUnauthorized || strings.Contains(p.body, "data-draft-kept") {
			t.Errorf("another form without a session: %d", p.status)
		}
		if n := a.contacts(src); n != 0 {
			t.Errorf("%d contacts saved without a session", n)
		}
	})
}
