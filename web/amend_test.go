package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tandem"
	"tandem/internal/testdb"
)

// TestAmend_AHandlerCorrectsOnlyWhatWasWrong: from the contact's page the
// handler opens the amendment form, which starts from the contact as it
// stands; a second officer who was there is added, with the reason; the
// amendment carries that change and nothing else, the page shows it
// beside the original, and the TWO_OFFICERS alert the solo record raised
// stays for the controller to judge. A reason too short is named beside
// its field.
func TestAmend_AHandlerCorrectsOnlyWhatWasWrong(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		src := a.pairedSource()
		c := a.soloMeeting(src)
		contactPage := "/sources/" + src.ID + "/contacts/" + c.ID
		if n := len(a.alerts(tandem.AlertFilter{SourceID: src.ID, Rule: tandem.RuleTwoOfficers, Status: tandem.AlertOpen})); n != 1 {
			t.Fatalf("%d open TWO_OFFICERS alerts before, want 1", n)
		}
		ha := a.signIn(a.ha)
		if p := ha.get(contactPage); !strings.Contains(p.body, `href="`+contactPage+`/amend"`) {
			t.Fatalf("the contact's page has no way to amend it")
		}
		p := ha.get(contactPage + "/amend")
		if p.status != http.StatusOK || !strings.Contains(p.body, ">Debrief</textarea>") || !strings.Contains(p.body, `value="Café"`) {
			t.Fatalf("the amendment form does not start from the contact: %d", p.status)
		}
		form := url.Values{"csrf": {ha.csrf()}, "reason": {"no"}, "kind": {"meeting"}, "occurred_at": {p.field("occurred_at")},
			"location": {"Café"}, "summary": {"Debrief"}, "officer_ids": {a.ha.ID, a.hb.ID}}
		p = ha.post(contactPage+"/amendments", form)
		if p.status != http.StatusBadRequest {
			t.Fatalf("a two-letter reason: %d", p.status)
		}
		if m := regexp.MustCompile(`<span id="err-reason" class="field-error">([^<]*)</span>`).FindStringSubmatch(p.body); m == nil || !strings.Contains(m[1], "why the contact is amended") {
			t.Errorf("beside the reason: %v", m)
		}
		form.Set("reason", "DC hb was at the meeting too: left off by mistake")
		p = ha.post(contactPage+"/amendments", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("amend: %d %q", p.status, p.alert())
		}
		p = ha.get(p.location())
		if !strings.Contains(p.body, "Amendment saved") || !strings.Contains(p.body, "Officers now: Officer ha, Officer hb") {
			t.Errorf("the contact's page after the amendment does not show it")
		}
		got, err := a.store.FindContact(as(a.ha), src.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Amendments) != 1 {
			t.Fatalf("%d amendments, want 1", len(got.Amendments))
		}
		am := got.Amendments[0]
		if am.OfficerIDs == nil || am.Summary != nil || am.Location != nil || am.Kind != nil || am.OccurredAt != nil || am.DurationMinutes != nil || am.Indicators != nil {
			t.Errorf("the amendment changes more than the officers: %+v", am)
		}
		if got.Summary != "Debrief" || len(got.OfficerIDs) != 1 {
			t.Errorf("the original was changed: %+v", got)
		}
		// An amendment does not clear a breach: a handler could otherwise
		// add a colleague after the fact. The controller judges it.
		if n := len(a.alerts(tandem.AlertFilter{SourceID: src.ID, Rule: tandem.RuleTwoOfficers, Status: tandem.AlertOpen})); n != 1 {
			t.Errorf("%d open TWO_OFFICERS alerts after the amendment, want the 1 still open", n)
		}
	})
}

// TestContactForm_EveryErrorAtOnceBesideItsField: a form with three
// mistakes names all three, each beside its field and in words, and keeps
// what was written.
func TestContactForm_EveryErrorAtOnceBesideItsField(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		src := a.pairedSource()
		ha := a.signIn(a.ha)
		p := ha.post("/sources/"+src.ID+"/contacts", url.Values{"csrf": {ha.csrf()}, "kind": {"meeting"}, "occurred_at": {"yesterday"},
			"location": {strings.Repeat("x", 501)}, "summary": {"  "}, "duration_minutes": {"45"}})
		if p.status != http.StatusBadRequest {
			t.Fatalf("a form with four mistakes: %d", p.status)
		}
		want := map[string]string{
			"occurred_at": "The date and time could not be read",
			"officer_ids": "Name the officers who took part",
			"summary":     "A summary is required",
			"location":    "The location is at most 500 characters",
		}
		for field, words := range want {
			m := regexp.MustCompile(`<span id="err-` + field + `" class="field-error">([^<]*)</span>`).FindStringSubmatch(p.body)
			if m == nil || !strings.HasPrefix(m[1], words) {
				t.Errorf("beside %s: %v, want %q", field, m, words)
			}
		}
		if n := strings.Count(p.alert(), "<li>"); n != len(want) {
			t.Errorf("the list at the top names %d mistakes, want %d: %s", n, len(want), p.alert())
		}
		if regexp.MustCompile(`>[^<]*\b[a-z]+_[a-z]+\b[^<]*<`).MatchString(p.alert()) {
			t.Errorf("the errors speak in field codes: %s", p.alert())
		}
		if !strings.Contains(p.body, `value="45"`) {
			t.Errorf("the duration typed was lost")
		}
		if n := a.contacts(src); n != 0 {
			t.Errorf("%d contacts recorded from a refused form", n)
		}
	})
}
