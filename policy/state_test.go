package policy_test

import (
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/policy"
)

func TestHandlerFinding_TwoHandlers(t *testing.T) {
	tests := []struct {
		name     string
		status   tandem.SourceStatus
		handlers int
		msg      string // "" when no breach is expected
	}{
		{"authorised, no handler", tandem.StatusAuthorised, 0, "0 current handlers; every active source needs at least 2"},
		{"authorised, one handler", tandem.StatusAuthorised, 1, "1 current handler; every active source needs at least 2"},
		{"authorised, two handlers", tandem.StatusAuthorised, 2, ""},
		{"authorised, three handlers", tandem.StatusAuthorised, 3, ""},
		{"prospective, no handler", tandem.StatusProspective, 0, "0 current handlers"},
		{"prospective, one handler", tandem.StatusProspective, 1, "1 current handler;"},
		{"prospective, two handlers", tandem.StatusProspective, 2, ""},
		{"deactivated, no handler", tandem.StatusDeactivated, 0, ""},
		{"deactivated, one handler", tandem.StatusDeactivated, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := policy.HandlerFinding(tt.status, tt.handlers, policy.DefaultSettings())
			if tt.msg == "" {
				if f != nil {
					t.Fatalf("unexpected finding %+v", f)
				}
				return
			}
			if f == nil {
				t.Fatal("no TWO_HANDLERS finding")
			}
			if f.Rule != tandem.RuleTwoHandlers || f.Severity != tandem.SeverityBreach {
				t.Errorf("Rule, Severity = %q, %q; want TWO_HANDLERS, breach", f.Rule, f.Severity)
			}
			if !strings.Contains(f.Message, tt.msg) {
				t.Errorf("Message = %q, want it to contain %q", f.Message, tt.msg)
			}
		})
	}
}

func TestHandlerFinding_MinHandlersComesFromSettings(t *testing.T) {
	s := policy.DefaultSettings()
	s.MinHandlers = 3
	if f := policy.HandlerFinding(tandem.StatusAuthorised, 2, s); f == nil {
		t.Error("2 handlers against a minimum of 3: no finding")
	}
	if f := policy.HandlerFinding(tandem.StatusAuthorised, 3, s); f != nil {
		t.Errorf("3 handlers against a minimum of 3: %+v", f)
	}
}

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func TestRelationshipFinding_OpenUntilARiskIsRecordedSinceTheFlag(t *testing.T) {
	gift := []tandem.Indicator{tandem.IndicatorGiftOrFavour}
	two := []tandem.Indicator{tandem.IndicatorSocialContact, tandem.IndicatorOutOfHours}
	tests := []struct {
		name     string
		flags    []policy.Flag
		lastRisk *time.Time
		contact  string // the contact named; "" when managed
		msg      string
	}{
		{"no flags, no risk", nil, nil, "", ""},
		{"no flags, a risk", nil, new(at(0)), "", ""},
		{"a flag, no risk", []policy.Flag{{ContactID: "c1", FlaggedAt: at(0), Indicators: gift}}, nil,
			"c1", "1 contact with relationship indicators (gift_or_favour) and no relationship risk entry recorded since"},
		{"a risk recorded before the flag: still open", []policy.Flag{{ContactID: "c1", FlaggedAt: at(5), Indicators: gift}}, new(at(4)),
			"c1", "1 contact with"},
		{"a risk recorded a nanosecond before the flag: still open", []policy.Flag{{ContactID: "c1", FlaggedAt: at(5), Indicators: gift}}, new(at(5).Add(-1)),
			"c1", "1 contact with"},
		{"a risk recorded at exactly the flag time: managed", []policy.Flag{{ContactID: "c1", FlaggedAt: at(5), Indicators: gift}}, new(at(5)), "", ""},
		{"a risk recorded after the flag: managed", []policy.Flag{{ContactID: "c1", FlaggedAt: at(5), Indicators: gift}}, new(at(6)), "", ""},
		{"two flags with the risk between them: open, names the later", []policy.Flag{
			{ContactID: "c1", FlaggedAt: at(1), Indicators: gift},
			{ContactID: "c2", FlaggedAt: at(9), Indicators: two},
		}, new(at(5)), "c2", "1 contact with relationship indicators (social_contact, out_of_hours)"},
		{"two flags and no risk: names the earlier, whatever the order given", []policy.Flag{
			{ContactID: "c2", FlaggedAt: at(9), Indicators: two},
			{ContactID: "c1", FlaggedAt: at(1), Indicators: gift},
		}, nil, "c1", "2 contacts with relationship indicators (gift_or_favour)"},
		{"two flags, risk after both: managed", []policy.Flag{
			{ContactID: "c1", FlaggedAt: at(1), Indicators: gift},
			{ContactID: "c2", FlaggedAt: at(9), Indicators: two},
		}, new(at(10)), "", ""},
		{"flags with empty indicators are ignored", []policy.Flag{
			{ContactID: "c1", FlaggedAt: at(1)},
			{ContactID: "c2", FlaggedAt: at(2), Indicators: []tandem.Indicator{}},
		}, nil, "", ""},
		{"an empty flag before a real one is not named", []policy.Flag{
			{ContactID: "c1", FlaggedAt: at(1)},
			{ContactID: "c2", FlaggedAt: at(2), Indicators: gift},
		}, nil, "c2", "1 contact with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, contact := policy.RelationshipFinding(tt.flags, tt.lastRisk)
			if contact != tt.contact {
				t.Errorf("contact = %q, want %q", contact, tt.contact)
			}
			if tt.contact == "" {
				if f != nil {
					t.Errorf("unexpected finding %+v", f)
				}
				return
			}
			if f == nil {
				t.Fatal("no RELATIONSHIP_RISK finding")
			}
			if f.Rule != tandem.RuleRelationshipRisk || f.Severity != tandem.SeverityWarning {
				t.Errorf("Rule, Severity = %q, %q; want RELATIONSHIP_RISK, warning", f.Rule, f.Severity)
			}
			if !strings.Contains(f.Message, tt.msg) {
				t.Errorf("Message = %q, want it to contain %q", f.Message, tt.msg)
			}
		})
	}
}

func TestBreakGlassFinding_NamesWhoAndWhy(t *testing.T) {
	f := policy.BreakGlassFinding("Auditor Ann", "annual inspection")
	if f.Rule != tandem.RuleBreakGlass || f.Severity != tandem.SeverityWarning {
		t.Errorf("Rule, Severity = %q, %q; want BREAK_GLASS, warning", f.Rule, f.Severity)
	}
	for _, want := range []string{"Auditor Ann", "outside the handling team", "annual inspection"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("Message = %q, want it to contain %q", f.Message, want)
		}
	}
}
