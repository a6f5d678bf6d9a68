package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestAmend_WhatTheFormDidNotTouchStaysAsRecorded: a contact at which an
// authorising officer was present, at 00:30 UTC on the night the clocks
// went back (01:30 on the UK clock, an hour that happened twice), with a
// duration. An amendment of its summary alone keeps the officer (who is
// no handler of the unit, yet is offered, ticked), the time to the second
// and the duration; clearing the duration is refused in words, not stored
// as 0 minutes.
func TestAmend_WhatTheFormDidNotTouchStaysAsRecorded(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		a.clock.Set(time.Date(2026, time.October, 25, 9, 0, 0, 0, time.UTC))
		src := a.pairedSource()
		at := time.Date(2026, time.October, 25, 0, 30, 17, 0, time.UTC)
		forty := 40
		c, err := a.store.RecordContact(as(a.ha), src.ID, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: at, DurationMinutes: &forty,
			Location: "Café", OfficerIDs: []string{a.ha.ID, a.ao.ID}, Summary: "Debrief"})
		if err != nil {
			t.Fatal(err)
		}
		page := "/sources/" + src.ID + "/contacts/" + c.ID
		ha := a.signIn(a.ha)
		form := ha.get(page + "/amend")
		if !strings.Contains(form.body, `value="`+a.ao.ID+`" checked`) {
			t.Fatalf("the amendment form does not offer, ticked, the authorising officer who was there")
		}
		if got := form.field("occurred_at"); got != "2026-10-25T01:30" {
			t.Fatalf("the form shows the time as %q, want 2026-10-25T01:30 (BST)", got)
		}
		send := url.Values{"csrf": {ha.csrf()}, "reason": {"the summary was cut short"}, "kind": {"meeting"}, "occurred_at": {"2026-10-25T01:30"},
			"duration_minutes": {"40"}, "location": {"Café"}, "summary": {"Debrief, in full"}, "officer_ids": {a.ha.ID, a.ao.ID}}
		cleared := url.Values{}
		for k, v := range send {
			cleared[k] = v
		}
		cleared.Set("duration_minutes", "")
		p := ha.post(page+"/amendments", cleared)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<span id="err-duration_minutes" class="field-error">A duration once recorded cannot be removed`) {
			t.Errorf("clearing the duration: %d %q", p.status, p.alert())
		}
		if p = ha.post(page+"/amendments", send); p.status != http.StatusSeeOther {
			t.Fatalf("amend the summary: %d %q", p.status, p.alert())
		}
		got, err := a.store.FindContact(as(a.ha), src.ID, c.ID)
		if err != nil || len(got.Amendments) != 1 {
			t.Fatalf("amendments: %v %v", got, err)
		}
		if am := got.Amendments[0]; am.Summary == nil || am.OfficerIDs != nil || am.OccurredAt != nil || am.DurationMinutes != nil {
			t.Errorf("an amendment of the summary changed more: officers %v, time %v, duration %v", am.OfficerIDs, am.OccurredAt, am.DurationMinutes)
		}
	})
}

// TestForms_AnHourThatHappenedTwiceOrNeverIsNotGuessed: a new contact at
// 01:30 on the night the clocks went back is refused, saying to write it
// with its offset (and accepted so); one at 01:30 on the night they went
// forward never happened, and is refused too.
func TestForms_AnHourThatHappenedTwiceOrNeverIsNotGuessed(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		a.clock.Set(time.Date(2026, time.October, 26, 9, 0, 0, 0, time.UTC))
		src := a.pairedSource()
		ha := a.signIn(a.ha)
		post := func(when string) *page {
			return ha.post("/sources/"+src.ID+"/contacts", url.Values{"csrf": {ha.csrf()}, "kind": {"phone"}, "occurred_at": {when},
				"officer_ids": {a.ha.ID}, "summary": {"a call"}})
		}
		if p := post("2026-10-25T01:30"); p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "happened twice on the UK clock") {
			t.Errorf("01:30 on the night the clocks went back: %d %q", p.status, p.alert())
		}
		if p := post("2026-03-29T01:30"); p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "did not happen on the UK clock") {
			t.Errorf("01:30 on the night the clocks went forward: %d %q", p.status, p.alert())
		}
		if p := post("2026-10-25T01:30:00+01:00"); p.status != http.StatusSeeOther {
			t.Errorf("the same time with its offset: %d %q", p.status, p.alert())
		}
		if n := a.contacts(src); n != 1 {
			t.Errorf("%d contacts recorded, want 1", n)
		}
	})
}

// TestAmend_OfferedOnlyToThoseWhoMay: the co-handler who was not at a
// contact, and did not write it up, is not offered its amendment (the
// store would refuse it); the controller is.
func TestAmend_OfferedOnlyToThoseWhoMay(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "hb", "ctrl")
		src := a.pairedSource()
		c := a.soloMeeting(src) // ha alone
		page := "/sources/" + src.ID + "/contacts/" + c.ID
		if p := a.signIn(a.hb).get(page); p.status != http.StatusOK || strings.Contains(p.body, page+"/amend") {
			t.Errorf("the co-handler who was not there is offered the amendment (%d)", p.status)
		}
		if p := a.signIn(a.controller).get(page); !strings.Contains(p.body, page+"/amend") {
			t.Errorf("the controller is not offered the amendment")
		}
	})
}

// TestForms_ALeaverIsNotOfferedAsPresent: a disabled account is not among
// the officers a new contact may name; on a contact it was at, it stays.
func TestForms_ALeaverIsNotOfferedAsPresent(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		src := a.pairedSource()
		c, err := a.store.RecordContact(as(a.ha), src.ID, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: a.clock.Now().Add(-time.Hour),
			OfficerIDs: []string{a.ha.ID, a.hb.ID}, Summary: "Debrief"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.DisableOfficer(as(a.admin), a.hb.ID, "left the force"); err != nil {
			t.Fatal(err)
		}
		ha := a.signIn(a.ha)
		if p := ha.get("/sources/" + src.ID + "/contacts/new"); strings.Contains(p.body, `value="`+a.hb.ID+`"`) {
			t.Errorf("the leaver is offered as present at a new contact")
		}
		if p := ha.get("/sources/" + src.ID + "/contacts/" + c.ID + "/amend"); !strings.Contains(p.body, `value="`+a.hb.ID+`" checked`) {
			t.Errorf("the leaver who was at the contact is dropped from its amendment form")
		}
	})
}
