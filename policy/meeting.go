package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"tandem"
)

// SourceFacts is what the rules need to know of a source.
type SourceFacts struct {
	Reference             string
	Unit                  string
	Gender                string
	RequiredOfficerGender string
	Status                tandem.SourceStatus
}

// RequiredGender returns the gender at least one officer at a meeting must
// have: the source's own when it is female or male, otherwise the officer
// gender a controller recorded, or "" when none has been recorded yet.
func (f SourceFacts) RequiredGender() string {
	if f.Gender == "female" || f.Gender == "male" {
		return f.Gender
	}
	return f.RequiredOfficerGender
}

// Attendee is an officer at a meeting, or about to be assigned.
type Attendee struct {
	ID            string
	Name          string
	Gender        string
	Accreditation Accreditation
}

// MeetingFindings applies TWO_OFFICERS, SAME_GENDER and TRAINED_OFFICER to
// the officers present at a meeting, planned or held. An officer listed
// twice counts once.
func MeetingFindings(src SourceFacts, officers []Attendee, s Settings) []tandem.Finding {
	officers = distinct(officers)
	var out []tandem.Finding
	if len(officers) < s.MinOfficers {
		out = append(out, tandem.Finding{
			Rule:     tandem.RuleTwoOfficers,
			Severity: tandem.SeverityBreach,
			Message:  fmt.Sprintf("%s present; at least %d officers must meet a source", countOfficers(len(officers)), s.MinOfficers),
		})
	}
	if f := sameGender(src, officers, s.MinSameGender); f != nil {
		out = append(out, *f)
	}
	for _, o := range officers {
		if f := TrainedFinding(o); f != nil {
			out = append(out, *f)
		}
	}
	return out
}

func sameGender(src SourceFacts, officers []Attendee, need int) *tandem.Finding {
	want := src.RequiredGender()
	if want == "" {
		return &tandem.Finding{
			Rule:     tandem.RuleSameGender,
			Severity: tandem.SeverityBreach,
			Message:  "no officer gender has been recorded for this source: a controller must record one",
		}
	}
	need = max(need, 1)
	n := 0
	for _, o := range officers {
		if o.Gender == want {
			n++
		}
	}
	if n >= need {
		return nil
	}
	msg := fmt.Sprintf("no %s officer present; the source requires one", want)
	if need > 1 {
		msg = fmt.Sprintf("no %s officer present; the source requires %d", want, need)
		if n > 0 {
			msg = fmt.Sprintf("only %d %s officer%s present; the source requires %d", n, want, map[bool]string{true: "s"}[n > 1], need)
		}
	}
	return &tandem.Finding{
		Rule:     tandem.RuleSameGender,
		Severity: tandem.SeverityBreach,
		Message:  msg,
	}
}

// TrainedFinding returns a TRAINED_OFFICER breach when the officer is not
// accredited, and nil when they are. It is the rule for assignments and for
// each officer at a meeting alike.
func TrainedFinding(o Attendee) *tandem.Finding {
	if o.Accreditation.Accredited {
		return nil
	}
	who := o.Name
	if who == "" {
		who = o.ID
	}
	return &tandem.Finding{
		Rule:       tandem.RuleTrainedOfficer,
		Severity:   tandem.SeverityBreach,
		Message:    fmt.Sprintf("%s is not accredited: %s", who, strings.Join(o.Accreditation.Gaps, "; ")),
		OfficerIDs: []string{o.ID},
	}
}

// ContactFindings applies the rules to a contact as recorded: the meeting
// rules when it was a meeting, and DOCUMENTED_24H always. It returns whether
// the contact is late, which is then marked for ever.
func ContactFindings(src SourceFacts, kind tandem.ContactKind, occurredAt, documentedAt time.Time, officers []Attendee, s Settings) (late bool, findings []tandem.Finding) {
	if kind == tandem.KindMeeting {
		findings = MeetingFindings(src, officers, s)
	}
	if f := DocumentationFinding(occurredAt, documentedAt, s); f != nil {
		late = true
		findings = append(findings, *f)
	}
	return late, findings
}

// DocumentationFinding returns a DOCUMENTED_24H breach when the contact was
// documented more than DocumentWithin after it occurred. Exactly
// DocumentWithin is on time.
func DocumentationFinding(occurredAt, documentedAt time.Time, s Settings) *tandem.Finding {
	delay := documentedAt.Sub(occurredAt)
	if delay <= s.DocumentWithin {
		return nil
	}
	return &tandem.Finding{
		Rule:     tandem.RuleDocumented24h,
		Severity: tandem.SeverityBreach,
		Message:  fmt.Sprintf("documented %s after the contact; the limit is %s", humanDuration(delay), limitDuration(s.DocumentWithin)),
	}
}

// DocumentationDeadline is when a contact, or a planned meeting, must be
// documented by.
func DocumentationDeadline(at time.Time, s Settings) time.Time { return at.Add(s.DocumentWithin) }

// OverdueMeeting returns a DOCUMENTED_24H breach when a planned meeting's
// time is more than DocumentWithin past and no contact has been recorded
// for it.
func OverdueMeeting(plannedFor, now time.Time, documented bool, s Settings) *tandem.Finding {
	if documented || !now.After(DocumentationDeadline(plannedFor, s)) {
		return nil
	}
	return &tandem.Finding{
		Rule:     tandem.RuleDocumented24h,
		Severity: tandem.SeverityBreach,
		Message:  fmt.Sprintf("the meeting planned for %s has not been documented %s later", plannedFor.UTC().Format("2006-01-02 15:04 UTC"), humanDuration(now.Sub(plannedFor))),
	}
}

// limitDuration writes a limit rounded down, so that a delay over it (rounded
// up) never reads the same as the limit.
func limitDuration(d time.Duration) string {
	return humanDuration(d.Truncate(time.Minute))
}

func distinct(officers []Attendee) []Attendee {
	seen := map[string]bool{}
	out := officers[:0:0]
	for _, o := range officers {
		if !seen[o.ID] {
			seen[o.ID] = true
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func countOfficers(n int) string {
	switch n {
	case 0:
		return "no officer"
	case 1:
		return "one officer"
	}
	return fmt.Sprintf("%d officers", n)
}

// humanDuration writes a duration in hours and minutes, as people read it,
// rounded up so that a delay just over a limit never reads as the limit.
func humanDuration(d time.Duration) string {
	d = (d + time.Minute - 1).Truncate(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %02d min", h, m)
}
