package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTeam_AControllerAssignsTheSecondHandlerFromTheAlert: the alert says
// "assign a second handler"; the controller follows it from the alert to
// the handling team, where only officers who may be assigned are offered
// and the others are listed with why, assigns one, and the alert is gone.
// Every step is a click.
func TestTeam_AControllerAssignsTheSecondHandlerFromTheAlert(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.login("controller") // lands on the alerts
		b.do("only the open TWO_HANDLERS alerts", chromedp.SetValue(chromedp.CSS("#f-rule"), "TWO_HANDLERS"))
		b.follow(`form.filters button[type=submit]`, "open TWO_HANDLERS alerts")
		var before []alertRow
		for _, r := range b.alertRows("TWO_HANDLERS alerts") {
			if r.Rule == "TWO_HANDLERS" {
				before = append(before, r)
			}
		}
		if len(before) == 0 {
			t.Fatal("the demo has no open TWO_HANDLERS alert to fix")
		}
		ref := before[0].Ref
		team := b.follow(`main table a.button[href$="/team"]`, "the handling team from the alert")
		if !strings.Contains(team.Text, "Handling team of "+ref) || !strings.Contains(team.Text, "Fewer than two handlers") {
			t.Fatalf("the team page is not %s's, or does not say why it is shown: %.300s", ref, team.Text)
		}
		// The unit's untrained handler is not offered, and the page says why.
		if !strings.Contains(team.Text, "DC Liam Foster: not accredited") {
			t.Errorf("the untrained DC Liam Foster is not listed as not offered, with why: %.600s", team.Text)
		}
		offered := b.eval("officers offered", `[...document.querySelectorAll("#officer_id option")].map(o => o.textContent).join("|")`)
		if offered == "" || strings.Contains(offered, "Liam Foster") {
			t.Fatalf("the officers offered: %q", offered)
		}
		b.do("co-handler", chromedp.Click(chromedp.CSS(`input[name=role][value=co_handler]`)))
		done := b.submit(`form[action$="/assignments"] button[type=submit]`, "second handler assigned", http.StatusOK)
		if !strings.Contains(done.Text, "Officer assigned") || strings.Contains(done.Text, "Fewer than two handlers") {
			t.Errorf("after assigning: %.400s", done.Text)
		}
		b.follow(`nav a[href^="/alerts"]`, "the alerts again")
		b.do("only the open TWO_HANDLERS alerts", chromedp.SetValue(chromedp.CSS("#f-rule"), "TWO_HANDLERS"))
		b.follow(`form.filters button[type=submit]`, "open TWO_HANDLERS alerts after")
		for _, r := range b.alertRows("TWO_HANDLERS alerts after") {
			if r.Rule == "TWO_HANDLERS" && r.Ref == ref {
				t.Errorf("the TWO_HANDLERS alert of %s is still open: %s", ref, r.Text)
			}
		}
	})
}

// TestRegister_AControllerRegistersASourceByClicking: from the sources
// list, the form, a source registered, its page: every step a click.
func TestRegister_AControllerRegistersASourceByClicking(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		b.login("controller")
		b.follow(`nav a[href="/sources"]`, "the sources")
		b.follow(`main a[href="/sources/new"]`, "the registration form")
		b.do("fill the registration form",
			chromedp.SendKeys(chromedp.CSS("#gender"), "female"),
			chromedp.SetValue(chromedp.CSS("#date_of_birth"), "1993-07-21"),
			chromedp.SendKeys(chromedp.CSS("#legal_name"), "Tamsin Orchardleigh"),
			chromedp.SendKeys(chromedp.CSS("#address"), "9 Weir Cottages"),
			chromedp.SendKeys(chromedp.CSS("#recruitment_circumstances"), "Came forward about the warehouse."),
		)
		done := b.submit(`form[action="/sources"] button[type=submit]`, "source registered", http.StatusOK)
		if !strings.Contains(done.Text, "Source registered") || !strings.Contains(done.Text, "Handling team") {
			t.Errorf("after registering: %.300s", done.Text)
		}
		for _, secret := range []string{"Tamsin", "Orchardleigh", "Weir Cottages"} {
			if strings.Contains(done.Text, secret) {
				t.Errorf("the new source's page shows %q", secret)
			}
		}
	})
}
