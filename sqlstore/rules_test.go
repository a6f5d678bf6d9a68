package sqlstore_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"tandem"
)

func TestRecordContact_BreachesAreRecordedAsAlerts(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		rookie := e.officer("rookie", "male", "north", false, tandem.RoleHandler)
		s := e.pairedSource() // female
		for _, tc := range []struct {
			name     string
			by       *tandem.Officer
			kind     tandem.ContactKind
			officers []*tandem.Officer
			ago      time.Duration
			want     []tandem.Rule
		}{
			{"meeting kept by the rules", e.ha, tandem.KindMeeting, []*tandem.Officer{e.ha, e.hb}, time.Hour, nil},
			{"meeting with one officer", e.ha, tandem.KindMeeting, []*tandem.Officer{e.ha}, time.Hour, []tandem.Rule{tandem.RuleTwoOfficers}},
			{"meeting without a female officer", e.hb, tandem.KindMeeting, []*tandem.Officer{e.hb, e.hc}, time.Hour, []tandem.Rule{tandem.RuleSameGender}},
			{"meeting with an unaccredited officer", e.ha, tandem.KindMeeting, []*tandem.Officer{e.ha, rookie}, time.Hour, []tandem.Rule{tandem.RuleTrainedOfficer}},
			{"meeting alone, documented late", e.ha, tandem.KindMeeting, []*tandem.Officer{e.ha}, 25 * time.Hour, []tandem.Rule{tandem.RuleTwoOfficers, tandem.RuleDocumented24h}},
			{"phone call by one male officer", e.hb, tandem.KindPhone, []*tandem.Officer{e.hb}, time.Hour, nil},
			{"message recorded by the controller", e.controller, tandem.KindMessage, []*tandem.Officer{e.hb}, time.Hour, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.now = e.now.Add(time.Hour)
				var ids []string
				for _, o := range tc.officers {
					ids = append(ids, o.ID)
				}
				create := tandem.ContactCreate{Kind: tc.kind, OccurredAt: e.now.Add(-tc.ago), OfficerIDs: ids, Summary: tc.name}
				want := sortedRules(tc.want...)

				head := e.auditHead()
				preview, err := e.store.PreviewContact(e.as(tc.by), s.ID, create)
				if err != nil {
					t.Fatalf("PreviewContact: %v", err)
				}
				if got := e.auditHead(); got != head {
					t.Errorf("a preview wrote audit entries %d..%d", head+1, got)
				}
				c := e.contact(tc.by, s, create)
				if !slices.Equal(rulesOf(c.Findings), want) {
					t.Errorf("findings %v, want %v", rulesOf(c.Findings), want)
				}
				if !slices.Equal(rulesOf(preview), want) {
					t.Errorf("preview findings %v, want %v as recording gives", rulesOf(preview), want)
				}
				if _, err := e.store.FindContact(e.as(e.controller), s.ID, c.ID); err != nil {
					t.Fatalf("a contact that broke a rule was not recorded: %v", err)
				}
				var mine []*tandem.Alert
				for _, a := range e.sourceAlerts(s, "", "") {
					if a.ContactID == c.ID {
						mine = append(mine, a)
						if a.Status != tandem.AlertOpen || a.State {
							t.Errorf("%s alert %s state %v, want an open event", a.Rule, a.Status, a.State)
						}
					}
				}
				if !slices.Equal(alertRules(mine), want) {
					t.Errorf("alerts %v, want one per breach %v", alertRules(mine), want)
				}
			})
		}
	})
}

func TestRecordContact_OnlyOfficersPresentOrControllerMayRecord(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		create := tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Minute), OfficerIDs: []string{e.ha.ID}, Summary: "call"}
		head := e.auditHead()
		_, err := e.store.RecordContact(e.as(e.hb), s.ID, create)
		wantError(t, err, tandem.EFORBIDDEN)
		_, err = e.store.RecordContact(e.as(e.south), s.ID, create)
		wantError(t, err, tandem.ENOTFOUND)
		_, err = e.store.RecordContact(e.as(e.admin), s.ID, create)
		wantError(t, err, tandem.EFORBIDDEN)
		if got := e.auditHead(); got != head {
			t.Fatalf("refused contacts wrote audit entries %d..%d", head+1, got)
		}
		if _, err := e.store.RecordContact(e.as(e.controller), s.ID, create); err != nil {
			t.Fatalf("the controller recording for ha: %v", err)
		}
	})
}

func TestSameGender_RequiredOfficerGenderOfOtherSources(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.source(e.ha, "nonbinary")
		e.assign(s, e.hb, tandem.AssignCoHandler)
		meeting := func() []tandem.Rule {
			t.Helper()
			e.now = e.now.Add(time.Hour)
			return rulesOf(e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Minute),
				OfficerIDs: []string{e.ha.ID, e.hb.ID}}).Findings)
		}
		if got := meeting(); !slices.Equal(got, []tandem.Rule{tandem.RuleSameGender}) {
			t.Fatalf("before a gender is recorded: findings %v, want SAME_GENDER", got)
		}
		// Only a controller records it.
		male, other := "male", "agender"
		_, err := e.store.UpdateSource(e.as(e.ha), s.ID, tandem.SourceUpdate{RequiredOfficerGender: &male})
		wantError(t, err, tandem.EFORBIDDEN)
		for _, tc := range []struct {
			gender string
			want   []tandem.Rule
		}{
			{male, []tandem.Rule{}},
			{other, []tandem.Rule{tandem.RuleSameGender}},
		} {
			if _, err := e.store.UpdateSource(e.as(e.controller), s.ID, tandem.SourceUpdate{RequiredOfficerGender: &tc.gender}); err != nil {
				t.Fatalf("UpdateSource: %v", err)
			}
			if got := meeting(); !slices.Equal(got, tc.want) {
				t.Errorf("required %s: findings %v, want %v", tc.gender, got, tc.want)
			}
		}
	})
}

func TestAcknowledgeAlert_OnlyControllerOfTheSource(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID}})
		as := e.sourceAlerts(s, tandem.RuleTwoOfficers, tandem.AlertOpen)
		if len(as) != 1 || as[0].ContactID != c.ID {
			t.Fatalf("alerts %+v, want one TWO_OFFICERS on the contact", as)
		}
		id := as[0].ID
		southController := e.officer("cs", "female", "south", false, tandem.RoleController)
		for _, tc := range []struct {
			name          string
			who           *tandem.Officer
			justification string
			code          string
		}{
			{"handler", e.ha, "it was fine really", tandem.EFORBIDDEN},
			{"controller of another unit", southController, "it was fine really", tandem.ENOTFOUND},
			{"no justification", e.controller, "ok", tandem.EINVALID},
		} {
			_, err := e.store.AcknowledgeAlert(e.as(tc.who), id, tc.justification)
			if te := wantError(t, err, tc.code); tc.code == tandem.EINVALID && te.Field != "justification" {
				t.Errorf("%s: field %q, want justification", tc.name, te.Field)
			}
		}
		e.now = e.now.Add(time.Hour)
		a, err := e.store.AcknowledgeAlert(e.as(e.controller), id, "second officer was delayed, debriefed")
		if err != nil {
			t.Fatalf("AcknowledgeAlert: %v", err)
		}
		if a.Status != tandem.AlertAcknowledged || a.AcknowledgedBy != e.controller.ID || a.AcknowledgedAt == nil || !a.AcknowledgedAt.Equal(e.now) {
			t.Errorf("acknowledged alert = %+v", a)
		}
		if n := len(e.sourceAlerts(s, tandem.RuleTwoOfficers, tandem.AlertOpen)); n != 0 {
			t.Errorf("%d open TWO_OFFICERS alerts after acknowledgement, want 0", n)
		}
		_, err = e.store.AcknowledgeAlert(e.as(e.controller), id, "second officer was delayed, debriefed")
		wantError(t, err, tandem.ECONFLICT)
		e.verify("after the acknowledgement")
	})
}

func TestRecordContact_ConcurrentWritesKeepOneChain(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		head := e.auditHead()
		const n = 16
		ctx := e.as(e.ha)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				_, err := e.store.RecordContact(ctx, s.ID, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: t0.Add(-time.Duration(i+1) * time.Minute),
					OfficerIDs: []string{e.ha.ID}, Summary: "call"})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent RecordContact: %v", err)
			}
		}
		page, err := e.store.ListContacts(ctx, s.ID, 200, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Contacts) != n {
			t.Errorf("%d contacts, want %d", len(page.Contacts), n)
		}
		if got := e.auditHead(); got < head+n {
			t.Errorf("audit head %d, want at least %d", got, head+n)
		}
		e.verify("after concurrent writes")
	})
}
