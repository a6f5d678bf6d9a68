package policy

import (
	"fmt"
	"time"

	"tandem"
)

// HandlerFinding applies TWO_HANDLERS: a source that is not deactivated must
// have at least MinHandlers current handlers or co-handlers.
func HandlerFinding(status tandem.SourceStatus, currentHandlers int, s Settings) *tandem.Finding {
	if status == tandem.StatusDeactivated || currentHandlers >= s.MinHandlers {
		return nil
	}
	return &tandem.Finding{
		Rule:     tandem.RuleTwoHandlers,
		Severity: tandem.SeverityBreach,
		Message:  fmt.Sprintf("%d current handler%s; every active source needs at least %d", currentHandlers, plural(currentHandlers), s.MinHandlers),
	}
}

// Flag is a contact that carries relationship-risk indicators, with the
// moment they were put on the record (the contact's documentation, or the
// amendment that added them).
type Flag struct {
	ContactID  string
	FlaggedAt  time.Time
	Indicators []tandem.Indicator
}

// RelationshipFinding applies RELATIONSHIP_RISK: open while some flagged
// contact has no relationship risk entry recorded at or after the moment it
// was flagged. lastRisk is when the source's latest relationship entry was
// recorded, nil when none was. It returns the finding and the earliest
// unmanaged contact, or nil.
func RelationshipFinding(flags []Flag, lastRisk *time.Time) (*tandem.Finding, string) {
	var first *Flag
	n := 0
	for i := range flags {
		f := &flags[i]
		if len(f.Indicators) == 0 || (lastRisk != nil && !lastRisk.Before(f.FlaggedAt)) {
			continue
		}
		n++
		if first == nil || f.FlaggedAt.Before(first.FlaggedAt) {
			first = f
		}
	}
	if first == nil {
		return nil, ""
	}
	return &tandem.Finding{
		Rule:     tandem.RuleRelationshipRisk,
		Severity: tandem.SeverityWarning,
		Message:  fmt.Sprintf("%d contact%s with relationship indicators (%s) and no relationship risk entry recorded since", n, plural(n), indicatorList(first.Indicators)),
	}, first.ContactID
}

// BreakGlassFinding is the BREAK_GLASS event for a reveal by someone outside
// the source's handling team.
func BreakGlassFinding(who string, reason string) tandem.Finding {
	return tandem.Finding{
		Rule:     tandem.RuleBreakGlass,
		Severity: tandem.SeverityWarning,
		Message:  fmt.Sprintf("%s, outside the handling team, revealed the identity; reason given: %s", who, reason),
	}
}

func indicatorList(is []tandem.Indicator) string {
	s := ""
	for i, x := range is {
		if i > 0 {
			s += ", "
		}
		s += string(x)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
