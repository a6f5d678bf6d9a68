package sqlstore_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
)

// badPlan is a plan that breaks three rules at once for a female source:
// one officer, male, unaccredited.
func badPlan(e *env, justification string) (tandem.MeetingCreate, *tandem.Officer) {
	e.t.Helper()
	rookie := e.officer("rookie", "male", "north", false, tandem.RoleHandler)
	return tandem.MeetingCreate{PlannedFor: e.now.Add(2 * time.Hour), Location: "Café", OfficerIDs: []string{rookie.ID},
		OverrideJustification: justification}, rookie
}

var threeRules = sortedRules(tandem.RuleTwoOfficers, tandem.RuleSameGender, tandem.RuleTrainedOfficer)

func TestPlanMeeting_RefusedWithEveryFinding(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name          string
			by            func(e *env) *tandem.Officer
			justification string
			code, field   string
		}{
			{"handler without override", func(e *env) *tandem.Officer { return e.ha }, "", tandem.EPOLICY, ""},
			{"controller without override", func(e *env) *tandem.Officer { return e.controller }, "", tandem.EPOLICY, ""},
			{"handler with an override", func(e *env) *tandem.Officer { return e.ha }, "urgent tasking from control", tandem.EFORBIDDEN, "override_justification"},
			{"controller with a too short override", func(e *env) *tandem.Officer { return e.controller }, "urgent", tandem.EINVALID, "override_justification"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, open)
				s := e.pairedSource()
				plan, _ := badPlan(e, tc.justification)
				head := e.auditHead()
				alerts := len(e.sourceAlerts(s, "", ""))

				_, err := e.store.PlanMeeting(e.as(tc.by(e)), s.ID, plan)
				te := wantError(t, err, tc.code)
				if te.Field != tc.field {
					t.Errorf("field = %q, want %q", te.Field, tc.field)
				}
				if tc.code != tandem.EINVALID && !slices.Equal(rulesOf(te.Findings), threeRules) {
					t.Errorf("findings = %v, want %v", rulesOf(te.Findings), threeRules)
				}
				if got := e.auditHead(); got != head {
					t.Errorf("audit head %d after a refusal, want %d", got, head)
				}
				if n := len(e.sourceAlerts(s, "", "")); n != alerts {
					t.Errorf("%d alerts after a refusal, want %d", n, alerts)
				}
				ms, err := e.store.ListMeetings(e.as(e.ha), s.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(ms) != 0 {
					t.Errorf("%d meetings after a refusal, want 0", len(ms))
				}
			})
		}
	})
}

func TestPlanMeeting_ControllerOverrideRaisesAlertPerFinding(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		plan, rookie := badPlan(e, "only officer free; urgent threat to life")
		head := e.auditHead()

		m, err := e.store.PlanMeeting(e.as(e.controller), s.ID, plan)
		if err != nil {
			t.Fatalf("PlanMeeting with a controller's override: %v", err)
		}
		if !slices.Equal(rulesOf(m.Findings), threeRules) {
			t.Errorf("meeting findings = %v, want %v", rulesOf(m.Findings), threeRules)
		}
		var mine []*tandem.Alert
		for _, a := range e.sourceAlerts(s, "", "") {
			if a.MeetingID == m.ID {
				mine = append(mine, a)
			}
		}
		if !slices.Equal(alertRules(mine), threeRules) {
			t.Fatalf("alerts for the meeting = %v, want one per finding %v", alertRules(mine), threeRules)
		}
		for _, a := range mine {
			if a.Status != tandem.AlertOpen || a.State {
				t.Errorf("%s alert %s state %v, want an open event", a.Rule, a.Status, a.State)
			}
			if !strings.Contains(a.Message, "override") {
				t.Errorf("%s alert message %q does not say it was overridden", a.Rule, a.Message)
			}
			if !slices.Equal(a.OfficerIDs, []string{rookie.ID}) {
				t.Errorf("%s alert officers %v, want the rookie", a.Rule, a.OfficerIDs)
			}
		}
		var plannedEntry *tandem.AuditEvent
		for _, ev := range e.audit(head) {
			if ev.Action == "meeting.plan" && ev.ObjectID == m.ID {
				plannedEntry = ev
			}
		}
		if plannedEntry == nil || plannedEntry.Actor != e.controller.ID || !strings.Contains(plannedEntry.Reason, plan.OverrideJustification) {
			t.Fatalf("audit entry for the plan = %+v, want one by the controller giving the justification", plannedEntry)
		}
		e.verify("after the override")
	})
}
