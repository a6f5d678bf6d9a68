package tandem

// Rule is the code of one of the rules Tandem enforces (CONTRACT "Rules").
type Rule string

// The rules.
const (
	RuleTwoOfficers      Rule = "TWO_OFFICERS"
	RuleSameGender       Rule = "SAME_GENDER"
	RuleDocumented24h    Rule = "DOCUMENTED_24H"
	RuleTrainedOfficer   Rule = "TRAINED_OFFICER"
	RuleTwoHandlers      Rule = "TWO_HANDLERS"
	RuleRelationshipRisk Rule = "RELATIONSHIP_RISK"
	RuleBreakGlass       Rule = "BREAK_GLASS"
	RuleUndocumentedCall Rule = "UNDOCUMENTED_CALL"
	// RuleDeconfliction is raised when a person registered as a source
	// matches another source (same name and date of birth), so that the
	// controllers of both can deconflict without seeing each other's file.
	RuleDeconfliction Rule = "DECONFLICTION"
	// RuleSettingChanged is raised, to every controller and auditor, when
	// a rule's number is changed: an alert of the force, of no source.
	RuleSettingChanged Rule = "SETTING_CHANGED"
)

// Rules lists every rule, in a stable order.
var Rules = []Rule{RuleTwoOfficers, RuleSameGender, RuleDocumented24h, RuleTrainedOfficer,
	RuleTwoHandlers, RuleRelationshipRisk, RuleBreakGlass, RuleUndocumentedCall, RuleDeconfliction, RuleSettingChanged}

// ValidRule reports whether r is one of Rules.
func ValidRule(r Rule) bool {
	for _, x := range Rules {
		if x == r {
			return true
		}
	}
	return false
}

// Severity says how serious a finding is.
type Severity string

// The severities of a finding.
const (
	SeverityBreach  Severity = "breach"
	SeverityWarning Severity = "warning"
)

// Finding is what a rule says about a fact: which rule, how serious, and
// why, in words.
type Finding struct {
	Rule     Rule     `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// OfficerIDs names the officers the finding concerns, where it concerns
	// particular officers (an unaccredited officer, say).
	OfficerIDs []string `json:"officer_ids,omitempty"`
}
