package policy

import (
	"fmt"
	"sort"
	"time"

	"tandem"
)

// Snapshot is what the rules need to know of one source at one moment. The
// store loads it in a fixed number of queries, whatever the source's
// history: the source's facts, the officers assigned to it now, the running
// state of its relationship indicators, and its live state alerts.
type Snapshot struct {
	Source SourceFacts
	// Assigned are the officers assigned to the source now, one entry per
	// officer and role, each with their accreditation as of now.
	Assigned []Assigned
	// Relationship is the running state RELATIONSHIP_RISK reads.
	Relationship Relationship
	// Live are the source's unresolved state alerts, by state key, and
	// LiveMessages what each says now.
	Live         map[string]string
	LiveMessages map[string]string
}

// Assigned is an officer on a source in a role.
type Assigned struct {
	Attendee
	Role tandem.AssignmentRole
}

// Relationship is the running state of RELATIONSHIP_RISK for a source: when
// its latest relationship risk entry was recorded, and the flags put on the
// record since, counted, with the earliest of them.
type Relationship struct {
	LastRiskAt *time.Time
	Unmanaged  int
	First      *Flag
	// FirstOfficers are the officers at First's contact.
	FirstOfficers []string
}

// flag puts indicators on the record at the moment at. A relationship entry
// recorded at that very moment or later manages them.
func (r Relationship) flag(at time.Time, contactID string, officers []string, is []tandem.Indicator) Relationship {
	if len(is) == 0 || (r.LastRiskAt != nil && !r.LastRiskAt.Before(at)) {
		return r
	}
	// The earliest flag names the alert: by time, then by contact, so that
	// flags put on the record at one instant order the same however they
	// are counted.
	if r.Unmanaged == 0 || r.First == nil || at.Before(r.First.FlaggedAt) || (at.Equal(r.First.FlaggedAt) && contactID < r.First.ContactID) {
		r.First = &Flag{ContactID: contactID, FlaggedAt: at, Indicators: append([]tandem.Indicator(nil), is...)}
		r.FirstOfficers = append([]string(nil), officers...)
	}
	r.Unmanaged++
	return r
}

// managed records a relationship entry at the moment at: every flag put on
// the record at or before it is managed.
func (r Relationship) managed(at time.Time) Relationship {
	if r.LastRiskAt == nil || r.LastRiskAt.Before(at) {
		t := at
		r.LastRiskAt = &t
	}
	if r.First == nil || !at.Before(r.First.FlaggedAt) {
		r.Unmanaged, r.First, r.FirstOfficers = 0, nil, nil
	}
	return r
}

// RelationshipFromHistory computes the running state from a source's whole
// history: every flag and the latest relationship entry. It is how a store
// that predates the running state fills it in, and how verification checks
// it was not altered.
func RelationshipFromHistory(flags []Flag, officers map[string][]string, lastRisk *time.Time) Relationship {
	sorted := append([]Flag(nil), flags...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].FlaggedAt.Before(sorted[j].FlaggedAt) })
	var r Relationship
	if lastRisk != nil {
		t := *lastRisk
		r.LastRiskAt = &t
	}
	for _, f := range sorted {
		r = r.flag(f.FlaggedAt, f.ContactID, officers[f.ContactID], f.Indicators)
	}
	return r
}

// Fact is what just happened to a source. Evaluate turns it into findings
// and alerts, and brings the source's state alerts into line whatever the
// fact.
type Fact interface{ fact() }

// ContactRecorded is a contact being documented now.
type ContactRecorded struct {
	ContactID  string
	Kind       tandem.ContactKind
	OccurredAt time.Time
	// Officers are those present, as the rules see them.
	Officers   []Attendee
	Indicators []tandem.Indicator
}

// ContactAmended is a correction to a contact being recorded now.
type ContactAmended struct {
	ContactID string
	// After is the contact as the amendment leaves it.
	After tandem.Contact
	// Officers are those at the amended contact, as the rules see them.
	Officers []Attendee
	// Added are the indicators the amendment puts on the record for the
	// first time (AddedIndicators).
	Added []tandem.Indicator
	// Had are the rules the contact's findings, and its earlier
	// amendments', already named: each breach is alerted once.
	Had map[tandem.Rule]bool
}

// MeetingPlanned is a meeting being planned now.
type MeetingPlanned struct {
	MeetingID  string
	Officers   []Attendee
	OfficerIDs []string
	// Justification is a controller's override ("" for none): with it, each
	// finding is planned through and alerted.
	Justification string
}

// MeetingOverdue is a planned meeting whose documentation time has come.
type MeetingOverdue struct {
	MeetingID  string
	PlannedFor time.Time
	OfficerIDs []string
	// Documented is true when a contact has been recorded for it.
	Documented bool
}

// RiskRecorded is an entry added to the source's risk register now.
type RiskRecorded struct {
	Category tandem.RiskCategory
}

// CallJudged is an answered call being judged, for good, against the
// contacts documented around it.
type CallJudged struct {
	CallID   string
	Call     Call
	Contacts []ContactAt
}

// Revealed is the source's identity revealed now to an officer outside its
// handling team.
type Revealed struct {
	OfficerID, Name, Reason string
}

// Deconflicted is the same person found registered as another source.
type Deconflicted struct {
	Message string
}

// Changed is any other change to what the snapshot holds (an assignment,
// training, the source's status), or time passing: only the state rules
// speak.
type Changed struct{}

func (ContactRecorded) fact() {}
func (ContactAmended) fact()  {}
func (MeetingPlanned) fact()  {}
func (MeetingOverdue) fact()  {}
func (RiskRecorded) fact()    {}
func (CallJudged) fact()      {}
func (Revealed) fact()        {}
func (Deconflicted) fact()    {}
func (Changed) fact()         {}

// Raise is an alert to open.
type Raise struct {
	Finding tandem.Finding
	// Key is the state key of a state alert, "" for an event alert.
	Key                          string
	ContactID, MeetingID, CallID string
	OfficerIDs                   []string
}

// Verdict is what Evaluate decided about a fact.
type Verdict struct {
	// Findings are the fact's own findings, returned to whoever reported
	// it and kept on its record.
	Findings []tandem.Finding
	// Late is true for a contact documented after the limit.
	Late bool
	// Raise are the alerts to open, Resolve the ids of live state alerts
	// to close.
	Raise   []Raise
	Resolve []string
	// Reword are live state alerts whose breach stands but has changed
	// (a second contact with indicators): they say so, not what they said
	// when they opened.
	Reword []Reword
	// Relationship is the source's running state after the fact.
	Relationship Relationship
}

// Evaluate applies every rule to a fact about a source, as of now: the
// fact's own findings become event alerts, and the state rules are
// checked against the snapshot as the fact leaves it. It is the one place
// that decides which alerts open and which close; the store only applies
// the verdict.
func Evaluate(snap Snapshot, fact Fact, now time.Time, s Settings) Verdict {
	v := Verdict{Relationship: snap.Relationship}
	event := func(f tandem.Finding, r Raise) {
		r.Finding = f
		v.Raise = append(v.Raise, r)
	}
	switch f := fact.(type) {
	case ContactRecorded:
		ids := attendeeIDs(f.Officers)
		var findings []tandem.Finding
		v.Late, findings = ContactFindings(snap.Source, f.Kind, f.OccurredAt, now, f.Officers, s)
		for _, x := range findings {
			event(x, Raise{ContactID: f.ContactID, OfficerIDs: ids})
		}
		v.Findings = append([]tandem.Finding{}, findings...)
		if w, _ := RelationshipFinding([]Flag{{FlaggedAt: now, Indicators: f.Indicators}}, nil); w != nil {
			v.Findings = append(v.Findings, *w) // the state alert follows below
		}
		v.Relationship = v.Relationship.flag(now, f.ContactID, ids, f.Indicators)
	case ContactAmended:
		// Lateness is judged against when the contact was first documented.
		_, findings := ContactFindings(snap.Source, f.After.Kind, f.After.OccurredAt, f.After.DocumentedAt, f.Officers, s)
		v.Findings = append([]tandem.Finding{}, findings...)
		for _, x := range findings {
			if f.Had[x.Rule] {
				continue
			}
			x.Message = "after amendment: " + x.Message
			event(x, Raise{ContactID: f.ContactID, OfficerIDs: f.After.OfficerIDs})
		}
		v.Relationship = v.Relationship.flag(now, f.ContactID, f.After.OfficerIDs, f.Added)
	case MeetingPlanned:
		v.Findings = append([]tandem.Finding{}, MeetingFindings(snap.Source, f.Officers, s)...)
		if f.Justification != "" {
			for _, x := range v.Findings {
				x.Message = fmt.Sprintf("planned under a controller's override (%s): %s", f.Justification, x.Message)
				event(x, Raise{MeetingID: f.MeetingID, OfficerIDs: f.OfficerIDs})
			}
		}
	case MeetingOverdue:
		if x := OverdueMeeting(f.PlannedFor, now, f.Documented, s); x != nil {
			event(*x, Raise{MeetingID: f.MeetingID, OfficerIDs: f.OfficerIDs})
		}
	case RiskRecorded:
		if f.Category == tandem.RiskRelationship {
			v.Relationship = v.Relationship.managed(now)
		}
	case CallJudged:
		if x := UndocumentedCall(f.Call, f.Contacts, now, s); x != nil {
			event(*x, Raise{CallID: f.CallID, OfficerIDs: []string{f.Call.OfficerID}})
		}
	case Revealed:
		event(BreakGlassFinding(f.Name, f.Reason), Raise{OfficerIDs: []string{f.OfficerID}})
	case Deconflicted:
		event(tandem.Finding{Rule: tandem.RuleDeconfliction, Severity: tandem.SeverityWarning, Message: f.Message}, Raise{})
	case Changed, nil:
	}
	v.state(snap, s)
	return v
}

// state brings the state alerts into line with the snapshot: each rule
// that finds a breach with no live alert raises one; each live alert whose
// rule no longer finds one is resolved.
func (v *Verdict) state(snap Snapshot, s Settings) {
	want := map[string]Raise{}
	handlers := map[string]bool{}
	for _, a := range snap.Assigned {
		if a.Role.CountsAsHandler() {
			handlers[a.ID] = true
		}
	}
	if f := HandlerFinding(snap.Source.Status, len(handlers), s); f != nil {
		want[string(tandem.RuleTwoHandlers)] = Raise{Finding: *f}
	}
	if r := v.Relationship; r.Unmanaged > 0 && r.First != nil {
		n := r.Unmanaged
		want[string(tandem.RuleRelationshipRisk)] = Raise{Finding: tandem.Finding{
			Rule:     tandem.RuleRelationshipRisk,
			Severity: tandem.SeverityWarning,
			Message:  fmt.Sprintf("%d contact%s with relationship indicators (%s) and no relationship risk entry recorded since", n, plural(n), indicatorList(r.First.Indicators)),
		}, ContactID: r.First.ContactID, OfficerIDs: r.FirstOfficers}
	}
	// An assigned officer whose accreditation lapsed: one state alert per
	// officer, resolved when they are accredited again or leave the source.
	if snap.Source.Status != tandem.StatusDeactivated {
		for _, a := range snap.Assigned {
			if f := TrainedFinding(a.Attendee); f != nil {
				want[TrainedKey(a.ID)] = Raise{Finding: *f, OfficerIDs: []string{a.ID}}
			}
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		id, live := snap.Live[k]
		switch {
		case !live:
			r := want[k]
			r.Key = k
			v.Raise = append(v.Raise, r)
		case snap.LiveMessages != nil && want[k].Finding.Message != snap.LiveMessages[k]:
			v.Reword = append(v.Reword, Reword{ID: id, Message: want[k].Finding.Message})
		}
	}
	live := make([]string, 0, len(snap.Live))
	for k := range snap.Live {
		live = append(live, k)
	}
	sort.Strings(live)
	for _, k := range live {
		if _, ok := want[k]; !ok {
			v.Resolve = append(v.Resolve, snap.Live[k])
		}
	}
}

// Reword is a live state alert's new message.
type Reword struct {
	ID      string
	Message string
}

// TrainedKey is the state key of the TRAINED_OFFICER alert about one
// assigned officer.
func TrainedKey(officerID string) string {
	return string(tandem.RuleTrainedOfficer) + ":" + officerID
}

// AddedIndicators returns the indicators an amendment puts on a contact's
// record for the first time: not on the contact as documented, nor added by
// an earlier amendment.
func AddedIndicators(c *tandem.Contact, a *tandem.Amendment) []tandem.Indicator {
	have := map[tandem.Indicator]bool{}
	for _, i := range c.Indicators {
		have[i] = true
	}
	for _, prev := range c.Amendments {
		for _, i := range prev.Indicators {
			have[i] = true
		}
	}
	var out []tandem.Indicator
	for _, i := range a.Indicators {
		if !have[i] {
			out = append(out, i)
			have[i] = true
		}
	}
	return out
}

// Flags returns the flags of a contact's history: its own indicators when
// documented, and each amendment's first additions.
func Flags(c *tandem.Contact) []Flag {
	var out []Flag
	if len(c.Indicators) > 0 {
		out = append(out, Flag{ContactID: c.ID, FlaggedAt: c.DocumentedAt, Indicators: c.Indicators})
	}
	seen := &tandem.Contact{Indicators: c.Indicators}
	for _, a := range c.Amendments {
		if added := AddedIndicators(seen, a); len(added) > 0 {
			out = append(out, Flag{ContactID: c.ID, FlaggedAt: a.AmendedAt, Indicators: added})
		}
		seen.Amendments = append(seen.Amendments, a)
	}
	return out
}

func attendeeIDs(as []Attendee) []string {
	ids := make([]string, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}
