package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
)

func TestFindSource_OutsideNeedToKnowReadsAsNotFound(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		north := e.source(e.ha, "female")
		south := e.source(e.south, "female")

		_, missing := e.store.FindSource(e.as(e.south), "no-such-source")
		wantError(t, missing, tandem.ENOTFOUND)
		for _, tc := range []struct {
			name string
			who  func() *tandem.Officer
			id   string
			code string // "" when the source is visible
		}{
			{"south handler, north source", func() *tandem.Officer { return e.south }, north.ID, tandem.ENOTFOUND},
			{"north handler not on the source", func() *tandem.Officer { return e.hc }, north.ID, tandem.ENOTFOUND},
			{"north handler of the source", func() *tandem.Officer { return e.ha }, north.ID, ""},
			{"north controller", func() *tandem.Officer { return e.controller }, north.ID, ""},
			{"north controller, south source", func() *tandem.Officer { return e.controller }, south.ID, tandem.ENOTFOUND},
			{"auditor, north source", func() *tandem.Officer { return e.auditor }, north.ID, ""},
			{"auditor, south source", func() *tandem.Officer { return e.auditor }, south.ID, ""},
			{"admin", func() *tandem.Officer { return e.admin }, north.ID, tandem.EFORBIDDEN},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.store.FindSource(e.as(tc.who()), tc.id)
				if tc.code == "" {
					if err != nil {
						t.Fatalf("FindSource: %v", err)
					}
					if got.ID != tc.id {
						t.Fatalf("FindSource returned %s, want %s", got.ID, tc.id)
					}
					return
				}
				wantError(t, err, tc.code)
				if tc.code == tandem.ENOTFOUND && err.Error() != missing.Error() {
					t.Errorf("error %q, want exactly as for a missing source: %q", err, missing)
				}
			})
		}

		ids := func(ss []*tandem.Source) []string {
			out := []string{}
			for _, s := range ss {
				out = append(out, s.ID)
			}
			slices.Sort(out)
			return out
		}
		all := ids([]*tandem.Source{north, south})
		for _, tc := range []struct {
			name string
			who  *tandem.Officer
			want []string
		}{
			{"south handler", e.south, []string{south.ID}},
			{"north handler", e.ha, []string{north.ID}},
			{"auditor", e.auditor, all},
		} {
			got, err := e.store.ListSources(e.as(tc.who))
			if err != nil {
				t.Fatalf("%s: ListSources: %v", tc.name, err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("%s: ListSources = %v, want %v", tc.name, ids(got), tc.want)
			}
		}
		_, err := e.store.ListSources(e.as(e.admin))
		wantError(t, err, tandem.EFORBIDDEN)
	})
}

func TestListAlerts_ScopedToVisibleSources(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		// Each source has one handler, so each has a TWO_HANDLERS alert.
		north := e.source(e.ha, "female")
		south := e.source(e.south, "female")

		sourcesOf := func(as []*tandem.Alert) []string {
			out := []string{}
			for _, a := range as {
				if !slices.Contains(out, a.SourceID) {
					out = append(out, a.SourceID)
				}
			}
			slices.Sort(out)
			return out
		}
		both := []string{north.ID, south.ID}
		slices.Sort(both)
		for _, tc := range []struct {
			name   string
			who    *tandem.Officer
			filter tandem.AlertFilter
			want   []string
		}{
			{"south handler", e.south, tandem.AlertFilter{}, []string{south.ID}},
			{"south handler asking for the north source", e.south, tandem.AlertFilter{SourceID: north.ID}, []string{}},
			{"north handler", e.ha, tandem.AlertFilter{}, []string{north.ID}},
			{"north handler not on the source", e.hc, tandem.AlertFilter{}, []string{}},
			{"north controller", e.controller, tandem.AlertFilter{}, []string{north.ID}},
			{"auditor", e.auditor, tandem.AlertFilter{}, both},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := sourcesOf(e.alerts(tc.who, tc.filter)); !slices.Equal(got, tc.want) {
					t.Errorf("alerts of sources %v, want %v", got, tc.want)
				}
			})
		}
		_, err := e.store.ListAlerts(e.as(e.admin), tandem.AlertFilter{})
		wantError(t, err, tandem.EFORBIDDEN)
	})
}

func TestRevealIdentity_EveryAttemptAudited(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.source(e.ha, "female")
		authorising := e.officer("ao", "male", "north", false, tandem.RoleAuthorisingOfficer)
		const reason = "preparing tomorrow's debrief"
		for _, tc := range []struct {
			name       string
			who        func() *tandem.Officer
			reason     string // "" for the good reason above
			code       string // "" when the identity is revealed
			action     string
			breakGlass bool
		}{
			{"handler of the source", func() *tandem.Officer { return e.ha }, "", "", "source.identity.reveal", false},
			{"controller of the unit", func() *tandem.Officer { return e.controller }, "", "", "source.identity.reveal", false},
			{"handler of the source, no real reason", func() *tandem.Officer { return e.ha }, "because", tandem.EINVALID, "source.identity.refuse", false},
			{"handler of another unit", func() *tandem.Officer { return e.south }, "", tandem.ENOTFOUND, "source.identity.refuse", false},
			{"handler of the unit, not on the source", func() *tandem.Officer { return e.hc }, "", tandem.ENOTFOUND, "source.identity.refuse", false},
			{"admin", func() *tandem.Officer { return e.admin }, "", tandem.EFORBIDDEN, "source.identity.refuse", false},
			{"auditor", func() *tandem.Officer { return e.auditor }, "", "", "source.identity.break_glass", true},
			{"authorising officer of the unit", func() *tandem.Officer { return authorising }, "", "", "source.identity.break_glass", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.now = e.now.Add(time.Minute) // so the newest alert lists first
				who := tc.who()
				reason := reason
				if tc.reason != "" {
					reason = tc.reason
				}
				head := e.auditHead()
				glass := len(e.sourceAlerts(s, tandem.RuleBreakGlass, ""))

				id, err := e.store.RevealIdentity(e.as(who), s.ID, reason)
				if tc.code == "" {
					if err != nil {
						t.Fatalf("RevealIdentity: %v", err)
					}
					if id.LegalName != "Jane Roe" || !slices.Equal(id.PhoneNumbers, []string{"+447700900123"}) {
						t.Fatalf("identity = %+v, want Jane Roe's", id)
					}
				} else {
					wantError(t, err, tc.code)
					if id != nil {
						t.Fatalf("identity %+v returned with a refusal", id)
					}
				}

				var entry *tandem.AuditEvent
				for _, ev := range e.audit(head) {
					if strings.HasPrefix(ev.Action, "source.identity.") {
						if entry != nil {
							t.Fatalf("two identity entries for one attempt: %s and %s", entry.Action, ev.Action)
						}
						entry = ev
					}
				}
				if entry == nil {
					t.Fatalf("no audit entry for the attempt")
				}
				if entry.Action != tc.action || entry.Actor != who.ID || entry.ObjectType != "source" || entry.ObjectID != s.ID || !strings.Contains(entry.Reason, reason) {
					t.Errorf("audit entry %s by %s on %s %s reason %q, want %s by %s on source %s giving %q",
						entry.Action, entry.Actor, entry.ObjectType, entry.ObjectID, entry.Reason, tc.action, who.ID, s.ID, reason)
				}

				gotGlass := e.sourceAlerts(s, tandem.RuleBreakGlass, "")
				want := glass
				if tc.breakGlass {
					want++
				}
				if len(gotGlass) != want {
					t.Fatalf("%d BREAK_GLASS alerts, want %d", len(gotGlass), want)
				}
				if tc.breakGlass {
					a := gotGlass[0] // newest first
					if a.Status != tandem.AlertOpen || !slices.Equal(a.OfficerIDs, []string{who.ID}) || !strings.Contains(a.Message, reason) {
						t.Errorf("BREAK_GLASS alert %s officers %v message %q, want open, naming the auditor and the reason", a.Status, a.OfficerIDs, a.Message)
					}
				}
			})
		}
		e.verify("after the reveals")
	})
}

func TestSourceOperations_OutsiderCannotTellSourceExists(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		north := e.pairedSource()
		c := e.contact(e.ha, north, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Minute), OfficerIDs: []string{e.ha.ID}})
		southController := e.officer("cs", "female", "south", true, tandem.RoleController)
		status := tandem.StatusDeactivated
		for _, tc := range []struct {
			name string
			who  *tandem.Officer
			call func(ctx context.Context, id string) error
		}{
			{"FindSource", e.south, func(ctx context.Context, id string) error { _, err := e.store.FindSource(ctx, id); return err }},
			{"ListAssignments", e.south, func(ctx context.Context, id string) error { _, err := e.store.ListAssignments(ctx, id); return err }},
			{"ListRisks", e.south, func(ctx context.Context, id string) error { _, err := e.store.ListRisks(ctx, id); return err }},
			{"ListMeetings", e.south, func(ctx context.Context, id string) error { _, err := e.store.ListMeetings(ctx, id); return err }},
			{"ListContacts", e.south, func(ctx context.Context, id string) error {
				_, err := e.store.ListContacts(ctx, id, 10, "")
				return err
			}},
			{"FindContact", e.south, func(ctx context.Context, id string) error { _, err := e.store.FindContact(ctx, id, c.ID); return err }},
			{"RecordContact", e.south, func(ctx context.Context, id string) error {
				_, err := e.store.RecordContact(ctx, id, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now, OfficerIDs: []string{e.south.ID}, Summary: "x"})
				return err
			}},
			{"AmendContact", e.south, func(ctx context.Context, id string) error {
				_, err := e.store.AmendContact(ctx, id, c.ID, tandem.Amendment{Reason: "meddling", Summary: ptr("x")})
				return err
			}},
			{"PlanMeeting", e.south, func(ctx context.Context, id string) error {
				_, err := e.store.PlanMeeting(ctx, id, tandem.MeetingCreate{PlannedFor: e.now.Add(time.Hour), Location: "x", OfficerIDs: []string{e.south.ID}})
				return err
			}},
			{"CreateRisk", e.south, func(ctx context.Context, id string) error {
				_, err := e.store.CreateRisk(ctx, id, tandem.RiskCreate{Category: tandem.RiskOther, Description: "d", Likelihood: 1, Impact: 1, Mitigation: "m", ReviewBy: "2025-06-01"})
				return err
			}},
			{"Assign", southController, func(ctx context.Context, id string) error {
				_, err := e.store.Assign(ctx, id, e.south.ID, tandem.AssignCoHandler)
				return err
			}},
			{"UpdateSource", southController, func(ctx context.Context, id string) error {
				_, err := e.store.UpdateSource(ctx, id, tandem.SourceUpdate{Status: &status})
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				head := e.auditHead()
				ctx := e.as(tc.who)
				missing := tc.call(ctx, "no-such-source")
				hidden := tc.call(ctx, north.ID)
				wantError(t, hidden, tandem.ENOTFOUND)
				if missing == nil || hidden.Error() != missing.Error() {
					t.Errorf("outside need-to-know: %v; for a missing source: %v; want the same", hidden, missing)
				}
				if got := e.auditHead(); got != head {
					t.Errorf("refused calls wrote audit entries %d..%d", head+1, got)
				}
			})
		}
	})
}
