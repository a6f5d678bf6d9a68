package tandem

import (
	"errors"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// The requests' own checks live here, on the request types, so that the
// API, the web forms, the command line and the importers refuse the same
// input with the same words. Each Validate tidies its request (trimmed
// text, sorted lists) and returns an *Error naming the field at fault.
// What only the records can tell (does this officer exist? is this time in
// the future?) is checked by the store.

// Earliest and Latest bound every date and time Tandem accepts: nothing in
// a source's file happened before 1900 or will after 2100, and a year 0 or
// 9999 is a typing slip that would sort before or after everything.
var (
	Earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ValidDate checks a YYYY-MM-DD date that must be a real day between 1900
// and 2100; "" is accepted unless required.
func ValidDate(field, value string, required bool) error {
	if value == "" {
		if required {
			return Invalid(field, "%s is required (YYYY-MM-DD)", field)
		}
		return nil
	}
	d, err := time.Parse(DateLayout, value)
	if err != nil {
		return Invalid(field, "%s must be a real date written YYYY-MM-DD", field)
	}
	if d.Before(Earliest) || !d.Before(Latest) {
		return Invalid(field, "%s must lie between 1900 and 2100", field)
	}
	return nil
}

// ValidTime checks a time that must lie between 1900 and 2100.
func ValidTime(field string, t time.Time) error {
	if t.Before(Earliest) || !t.Before(Latest) {
		return Invalid(field, "%s must lie between 1900 and 2100", field)
	}
	return nil
}

// ValidText refuses text that no record may hold, wherever it comes from
// (a body, a form, a query, a path): invalid UTF-8, or a NUL character,
// which PostgreSQL cannot store and which hides what follows it from
// whoever reads the record.
func ValidText(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "%s is not valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "%s holds a NUL character", field)
	}
	return nil
}

// ValidValues checks every value of a query or a form with ValidText,
// naming the first that fails: the same on both databases.
func ValidValues(vs map[string][]string) error {
	for k, list := range vs {
		if err := ValidText("parameter name", k); err != nil {
			return err
		}
		for _, v := range list {
			if err := ValidText(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// DistinctIDs checks a list of officer ids: none empty, none twice.
func DistinctIDs(field string, ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" {
			return Invalid(field, "an officer id is empty")
		}
		if seen[id] {
			return Invalid(field, "officer %s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// tooLong reports whether s has more than n characters.
func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Validate checks a contact about to be recorded: the first of its
// Problems, or nil.
func (c *ContactCreate) Validate() error {
	if ps := c.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Problems tidies a contact about to be recorded and lists every field at
// fault, so that a form can show them all at once.
func (c *ContactCreate) Problems() []*Error {
	c.Summary = strings.TrimSpace(c.Summary)
	c.Location = strings.TrimSpace(c.Location)
	var ps []*Error
	add := func(err error) {
		var e *Error
		if errors.As(err, &e) {
			ps = append(ps, e)
		}
	}
	if !ValidContactKind(c.Kind) {
		add(Invalid("kind", "kind must be meeting, phone, message or other"))
	}
	if c.OccurredAt.IsZero() {
		add(Invalid("occurred_at", "occurred_at is required (RFC 3339 with a zone)"))
	}
	if len(c.OfficerIDs) == 0 {
		add(Invalid("officer_ids", "name the officers who took part"))
	}
	if c.Summary == "" || tooLong(c.Summary, 20000) {
		add(Invalid("summary", "a summary is required (at most 20000 characters)"))
	}
	if tooLong(c.Location, 500) {
		add(Invalid("location", "location is at most 500 characters"))
	}
	if c.DurationMinutes != nil && (*c.DurationMinutes < 0 || *c.DurationMinutes > 24*60) {
		add(Invalid("duration_minutes", "duration_minutes must be between 0 and 1440"))
	}
	if !c.OccurredAt.IsZero() {
		add(ValidTime("occurred_at", c.OccurredAt))
	}
	if len(c.OfficerIDs) > 0 {
		add(DistinctIDs("officer_ids", c.OfficerIDs))
	}
	if is, err := ValidIndicators(c.Indicators); err != nil {
		add(err)
	} else {
		c.Indicators = is
	}
	return ps
}

// ValidIndicators checks a list of indicators and returns it sorted, each
// once.
func ValidIndicators(is []Indicator) ([]Indicator, error) {
	seen := map[Indicator]bool{}
	out := []Indicator{}
	for _, i := range is {
		if !ValidIndicator(i) {
			return nil, Invalid("indicators", "unknown indicator %q", i)
		}
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out, nil
}

// Validate checks an amendment: a reason, at least one change, and every
// changed field as a new contact's would be checked. It tidies the changed
// fields as ContactCreate.Validate does.
func (a *Amendment) Validate() error {
	a.Reason = strings.TrimSpace(a.Reason)
	if utf8.RuneCountInString(a.Reason) < 5 || tooLong(a.Reason, 2000) {
		return Invalid("reason", "say why the contact is amended (5 to 2000 characters)")
	}
	if a.Kind == nil && a.OccurredAt == nil && a.DurationMinutes == nil && a.Location == nil && a.OfficerIDs == nil && a.Summary == nil && a.Indicators == nil {
		return Invalid("reason", "an amendment must change at least one field")
	}
	// The changed fields on a contact that is otherwise valid.
	probe := ContactCreate{Kind: KindOther, OccurredAt: Earliest, OfficerIDs: []string{"x"}, Summary: "x"}
	if a.Kind != nil {
		probe.Kind = *a.Kind
	}
	if a.OccurredAt != nil {
		probe.OccurredAt = *a.OccurredAt
	}
	probe.DurationMinutes = a.DurationMinutes
	if a.Location != nil {
		probe.Location = *a.Location
	}
	if a.OfficerIDs != nil {
		probe.OfficerIDs = a.OfficerIDs
	}
	if a.Summary != nil {
		probe.Summary = *a.Summary
	}
	probe.Indicators = a.Indicators
	if err := probe.Validate(); err != nil {
		return err
	}
	if a.Location != nil {
		a.Location = &probe.Location
	}
	if a.Summary != nil {
		a.Summary = &probe.Summary
	}
	if a.Indicators != nil {
		a.Indicators = probe.Indicators
	}
	if a.OccurredAt != nil {
		t := a.OccurredAt.UTC().Truncate(time.Microsecond)
		a.OccurredAt = &t
	}
	if a.OfficerIDs != nil {
		a.OfficerIDs = SortedIDs(a.OfficerIDs)
	}
	return nil
}

// SortedIDs returns a sorted copy of ids.
func SortedIDs(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// Validate checks a meeting plan.
func (c *MeetingCreate) Validate() error {
	c.Location = strings.TrimSpace(c.Location)
	c.OverrideJustification = strings.TrimSpace(c.OverrideJustification)
	switch {
	case c.PlannedFor.IsZero():
		return Invalid("planned_for", "planned_for is required (RFC 3339 with a zone)")
	case c.Location == "" || tooLong(c.Location, 500):
		return Invalid("location", "location is required (at most 500 characters)")
	case len(c.OfficerIDs) == 0:
		return Invalid("officer_ids", "name the officers who will attend")
	case tooLong(c.OverrideJustification, 2000):
		return Invalid("override_justification", "override_justification is at most 2000 characters")
	}
	if err := ValidTime("planned_for", c.PlannedFor); err != nil {
		return err
	}
	return DistinctIDs("officer_ids", c.OfficerIDs)
}

// Validate checks a source's registration. unit is the registering
// officer's unit, which an empty Unit defaults to.
func (c *SourceCreate) Validate(unit string) error {
	id := &c.Identity
	id.LegalName = strings.TrimSpace(id.LegalName)
	id.Address = strings.TrimSpace(id.Address)
	c.Unit = strings.TrimSpace(c.Unit)
	if c.Unit == "" {
		c.Unit = unit
	}
	switch {
	case !ValidGender(c.Gender):
		return Invalid("gender", "gender must be female, male or another lowercase word")
	case id.LegalName == "" || tooLong(id.LegalName, 200):
		return Invalid("legal_name", "legal_name is required (at most 200 characters)")
	case tooLong(id.Address, 500):
		return Invalid("address", "address is at most 500 characters")
	case c.Unit != unit:
		return &Error{Code: EFORBIDDEN, Field: "unit", Message: "you can register sources only in your own unit"}
	case tooLong(id.RecruitmentCircumstances, 5000):
		return Invalid("recruitment_circumstances", "recruitment_circumstances is at most 5000 characters")
	}
	if err := ValidDate("date_of_birth", id.DateOfBirth, true); err != nil {
		return err
	}
	if err := ValidDate("recruited_on", c.RecruitedOn, true); err != nil {
		return err
	}
	if id.DateOfBirth >= c.RecruitedOn {
		return Invalid("date_of_birth", "date_of_birth must be before recruited_on")
	}
	if id.Aliases == nil {
		id.Aliases = []string{}
	}
	for i, a := range id.Aliases {
		if a = strings.TrimSpace(a); a == "" || tooLong(a, 200) {
			return Invalid("aliases", "alias %d is empty or longer than 200 characters", i+1)
		}
		id.Aliases[i] = a
	}
	if id.PhoneNumbers == nil {
		id.PhoneNumbers = []string{}
	}
	for i, p := range id.PhoneNumbers {
		if p = strings.TrimSpace(p); p == "" || len(p) > 32 {
			return Invalid("phone_numbers", "phone number %d is empty or longer than 32 characters", i+1)
		}
		id.PhoneNumbers[i] = p
	}
	return nil
}

// Validate checks a change to a source.
func (u *SourceUpdate) Validate() error {
	if u.Status != nil {
		switch *u.Status {
		case StatusProspective, StatusAuthorised, StatusDeactivated:
		default:
			return Invalid("status", "status must be prospective, authorised or deactivated")
		}
	}
	if u.RequiredOfficerGender != nil && *u.RequiredOfficerGender != "" && !ValidGender(*u.RequiredOfficerGender) {
		return Invalid("required_officer_gender", "required_officer_gender must be a lowercase word such as female or male")
	}
	return nil
}

// Validate checks a risk-register entry.
func (c *RiskCreate) Validate() error {
	c.Description = strings.TrimSpace(c.Description)
	c.Mitigation = strings.TrimSpace(c.Mitigation)
	switch {
	case !ValidRiskCategory(c.Category):
		return Invalid("category", "category must be source_safety, officer_safety, relationship, corruption, compromise, welfare or other")
	case c.Description == "" || tooLong(c.Description, 5000):
		return Invalid("description", "a description is required (at most 5000 characters)")
	case c.Likelihood < 1 || c.Likelihood > 5:
		return Invalid("likelihood", "likelihood must be 1 to 5")
	case c.Impact < 1 || c.Impact > 5:
		return Invalid("impact", "impact must be 1 to 5")
	case c.Mitigation == "" || tooLong(c.Mitigation, 5000):
		return Invalid("mitigation", "a mitigation is required (at most 5000 characters)")
	}
	return ValidDate("review_by", c.ReviewBy, true)
}

// Validate checks a training record.
func (c *TrainingCreate) Validate() error {
	c.Course = strings.TrimSpace(c.Course)
	switch {
	case c.Course == "" || tooLong(c.Course, 200):
		return Invalid("course", "the course's name is required (at most 200 characters)")
	case c.Hours <= 0 || c.Hours > 2000 || math.IsNaN(c.Hours):
		return Invalid("hours", "hours must be more than 0 and at most 2000")
	}
	if err := ValidDate("completed_on", c.CompletedOn, true); err != nil {
		return err
	}
	if err := ValidDate("expires_on", c.ExpiresOn, false); err != nil {
		return err
	}
	if c.ExpiresOn != "" && c.ExpiresOn <= c.CompletedOn {
		return Invalid("expires_on", "a course expires after it was completed")
	}
	return nil
}

// Validate checks a compliance period: two real dates, in order.
func (f *ComplianceFilter) Validate() error {
	if err := ValidDate("from", f.From, true); err != nil {
		return err
	}
	if err := ValidDate("to", f.To, true); err != nil {
		return err
	}
	if f.To < f.From {
		return Invalid("to", "to must not be before from")
	}
	return nil
}
