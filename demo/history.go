package demo

import (
	"context"
	"fmt"
	"time"

	"tandem"
)

var meetingNotes = []string{
	"Debrief at the agreed location. Source reported on movements of the group's main supplier; no change to tasking.",
	"Routine meeting. Welfare checked; source settled. Passed details of a new vehicle used by associates.",
	"Source described a planned handover next week. Tasking reviewed and restated; no payment.",
	"Short meeting. Source anxious about a rumour of an informant in the group; security advice given.",
	"Payment of expenses witnessed by both officers; receipt signed. Information on a storage unit.",
}

var phoneNotes = []string{
	"Call to arrange the next meeting. No intelligence.",
	"Source called with an update on the supplier's travel plans.",
	"Welfare call after the source's arrest of an associate was reported in the press.",
	"Source confirmed the meeting time and place.",
}

// source is one demo source as its history unfolds.
type source struct {
	spec    sourceSpec
	id      string
	ref     string
	handler string
	co      string
}

// history returns the events of one source's life, from recruitment to now.
func (l *loader) history(i int, spec sourceSpec, start time.Time) []event {
	s := &source{spec: spec, handler: spec.handler, co: spec.co}
	recruited := start.Add(time.Duration(i)*37*time.Hour + 10*time.Hour)
	var evs []event
	add := func(at time.Time, do func(ctx context.Context) error) { evs = append(evs, event{at: at, do: do}) }

	add(recruited, func(ctx context.Context) error {
		src, err := l.store.CreateSource(l.as(ctx, s.handler), tandem.SourceCreate{
			Gender: spec.gender, Unit: Unit, RecruitedOn: recruited.AddDate(0, 0, -3).Format(tandem.DateLayout),
			Identity: tandem.Identity{LegalName: spec.name, DateOfBirth: spec.dob, Address: spec.address,
				PhoneNumbers: []string{spec.phone}, Aliases: []string{}, RecruitmentCircumstances: "Approached after arrest; agreed to assist. Motivation: money and a fresh start."},
		})
		if err != nil {
			return fmt.Errorf("demo source %d: %w", i+1, err)
		}
		s.id, s.ref = src.ID, src.Reference
		return nil
	})
	if s.co != "" {
		add(recruited.Add(2*time.Hour), func(ctx context.Context) error {
			_, err := l.store.Assign(l.as(ctx, "controller"), s.id, l.ids[s.co].ID, tandem.AssignCoHandler)
			return wrap(s, "co-handler", err)
		})
	}
	add(recruited.Add(3*24*time.Hour), func(ctx context.Context) error {
		st := tandem.StatusAuthorised
		_, err := l.store.UpdateSource(l.as(ctx, "controller"), s.id, tandem.SourceUpdate{Status: &st})
		return wrap(s, "authorise", err)
	})

	// Contacts every few days from a week after recruitment until yesterday.
	day := recruited.Add(7 * 24 * time.Hour).Truncate(24 * time.Hour)
	n := 0
	for day.Before(l.now.Add(-24 * time.Hour)) {
		n++
		progress := float64(day.Sub(start)) / float64(l.now.Sub(start)) // 0 at the start, 1 now
		evs = append(evs, l.contactEvents(s, n, day, progress)...)
		day = day.Add(time.Duration(4+l.rnd.Intn(5)) * 24 * time.Hour)
	}

	switch spec.story {
	case "nogender":
		// Halfway through, the controller records the officer gender this
		// source needs; meetings before that breach SAME_GENDER.
		add(start.Add(l.now.Sub(start)/2), func(ctx context.Context) error {
			g := "female"
			_, err := l.store.UpdateSource(l.as(ctx, "controller"), s.id, tandem.SourceUpdate{RequiredOfficerGender: &g})
			return wrap(s, "required gender", err)
		})
	case "overdue":
		// A meeting planned for two days ago and never written up.
		at := l.now.Add(-50 * time.Hour).Truncate(time.Hour)
		add(at.Add(-26*time.Hour), func(ctx context.Context) error {
			_, err := l.store.PlanMeeting(l.as(ctx, s.handler), s.id, tandem.MeetingCreate{PlannedFor: at, Location: "Car park, Northam retail park",
				OfficerIDs: []string{l.ids[s.handler].ID, l.ids["handler.b"].ID}})
			return wrap(s, "overdue plan", err)
		})
	case "override":
		// The co-handler is off sick; the controller lets one officer go.
		at := l.now.Add(-6 * 24 * time.Hour).Truncate(time.Hour).Add(-3 * time.Hour)
		var meetingID string
		add(at.Add(-20*time.Hour), func(ctx context.Context) error {
			m, err := l.store.PlanMeeting(l.as(ctx, "controller"), s.id, tandem.MeetingCreate{PlannedFor: at, Location: "Service station, A59",
				OfficerIDs: []string{l.ids[s.handler].ID}, OverrideJustification: "Co-handler off sick; source has time-critical information on a firearm. Meeting in a public place, controller on the phone throughout."})
			if err != nil {
				return wrap(s, "override plan", err)
			}
			meetingID = m.ID
			return nil
		})
		// Recorded the next morning, by the lone handler.
		add(at.Add(15*time.Hour), func(ctx context.Context) error {
			d := 25
			_, err := l.store.RecordContact(l.as(ctx, s.handler), s.id, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: at, DurationMinutes: &d,
				Location: "Service station, A59", OfficerIDs: []string{l.ids[s.handler].ID}, MeetingID: meetingID,
				Summary: "Source handed over the location of a stored firearm. Met alone under the controller's override."})
			return wrap(s, "override contact", err)
		})
	case "managed":
		// A gift reported, and managed through the risk register two days on.
		at := l.now.Add(-40 * 24 * time.Hour).Truncate(24 * time.Hour).Add(14 * time.Hour)
		var contactID string
		add(at.Add(3*time.Hour), func(ctx context.Context) error {
			d := 45
			c, err := l.store.RecordContact(l.as(ctx, s.handler), s.id, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: at, DurationMinutes: &d,
				Location: "Café, Easton high street", OfficerIDs: []string{l.ids[s.handler].ID, l.ids[s.co].ID},
				Indicators: []tandem.Indicator{tandem.IndicatorGiftOrFavour},
				Summary:    "Source offered DC Cole a bottle of perfume 'for her birthday'. Declined in front of the co-handler; the source was told why."})
			if err != nil {
				return wrap(s, "gift contact", err)
			}
			contactID = c.ID
			return nil
		})
		add(at.Add(50*time.Hour), func(ctx context.Context) error {
			_, err := l.store.CreateRisk(l.as(ctx, "controller"), s.id, tandem.RiskCreate{Category: tandem.RiskRelationship,
				Description: "Source attempting to give a personal gift to the handler.", Likelihood: 2, Impact: 3,
				Mitigation: "Both handlers briefed; gifts refused and recorded; controller to attend next meeting.", ReviewBy: l.now.AddDate(0, 1, 0).Format(tandem.DateLayout), ContactID: contactID})
			return wrap(s, "relationship risk", err)
		})
	}

	// Older breaches of the "late" source acknowledged by the controller.
	if spec.story == "late" {
		add(l.now.Add(-20*24*time.Hour), func(ctx context.Context) error {
			ctl := l.as(ctx, "controller")
			as, err := l.store.ListAlerts(ctl, tandem.AlertFilter{Status: tandem.AlertOpen, SourceID: s.id, Rule: tandem.RuleDocumented24h})
			if err != nil {
				return err
			}
			for k, a := range as {
				if k >= 2 {
					break
				}
				if _, err := l.store.AcknowledgeAlert(ctl, a.ID, "Discussed with DC Barker; late write-ups due to a court week. Reminder given."); err != nil {
					return wrap(s, "acknowledge", err)
				}
			}
			return nil
		})
	}

	// The next planned meeting, for sources whose handlers are all fit to go.
	if s.co != "" && s.co != "handler.d" && s.handler != "handler.d" && spec.story != "nogender" && spec.story != "overdue" {
		// In working hours, one to four days ahead.
		at := l.now.Truncate(24*time.Hour).AddDate(0, 0, 1+l.rnd.Intn(4)).Add(time.Duration(10+l.rnd.Intn(7)) * time.Hour)
		add(l.now.Add(-2*time.Hour), func(ctx context.Context) error {
			_, err := l.store.PlanMeeting(l.as(ctx, s.handler), s.id, tandem.MeetingCreate{PlannedFor: at, Location: "Agreed location " + string(rune('A'+i)),
				OfficerIDs: []string{l.ids[s.handler].ID, l.ids[s.co].ID}})
			return wrap(s, "next plan", err)
		})
	}
	return evs
}

// contactEvents returns the contact (and perhaps its plan) of one day.
func (l *loader) contactEvents(s *source, n int, day time.Time, progress float64) []event {
	hour := 9 + l.rnd.Intn(8)
	at := day.Add(time.Duration(hour)*time.Hour + time.Duration(l.rnd.Intn(4))*15*time.Minute)
	meeting := l.rnd.Intn(10) < 6
	delay := time.Duration(1+l.rnd.Intn(5))*time.Hour + time.Duration(l.rnd.Intn(50))*time.Minute
	officers := []string{s.handler}
	if meeting && s.co != "" {
		officers = append(officers, s.co)
	}
	var indicators []tandem.Indicator
	summary := phoneNotes[l.rnd.Intn(len(phoneNotes))]
	if meeting {
		summary = meetingNotes[l.rnd.Intn(len(meetingNotes))]
	}

	switch s.spec.story {
	case "drift":
		// DC Barker and the source: late-night calls on a personal phone,
		// a meeting alone, late write-ups, and words of attraction.
		if progress > 0.45 && !meeting {
			at = day.Add(time.Duration(21+l.rnd.Intn(2))*time.Hour + 40*time.Minute)
			indicators = []tandem.Indicator{tandem.IndicatorOutOfHours}
			if progress > 0.6 {
				indicators = append(indicators, tandem.IndicatorPersonalChannel)
			}
			summary = "Source called late in the evening; said she could not sleep. General chat; no intelligence."
		}
		if progress > 0.7 && meeting && n%2 == 0 {
			officers = []string{s.handler}
			summary = "Met the source alone at a café; co-handler unavailable. Source upset about her partner."
		}
		if progress > 0.75 && l.rnd.Intn(3) == 0 {
			delay = 26*time.Hour + time.Duration(l.rnd.Intn(20))*time.Hour
		}
		if progress > 0.85 && meeting {
			indicators = append(indicators, tandem.IndicatorAttractionExpressed)
			summary = "Source said DC Barker is 'the only one who understands her' and asked that he come alone next time."
		}
	case "late":
		if !meeting && l.rnd.Intn(2) == 0 {
			delay = 30*time.Hour + time.Duration(l.rnd.Intn(16))*time.Hour
		}
	case "lone":
		// Only one handler is assigned: every meeting is a solo meeting.
	}

	kind := tandem.KindPhone
	var duration *int
	location := ""
	if meeting {
		kind = tandem.KindMeeting
		d := 30 + l.rnd.Intn(60)
		duration = &d
		location = []string{"Car park, Northam retail park", "Café, Easton high street", "Hotel lobby, Westby", "Public park, Northam"}[l.rnd.Intn(4)]
	} else {
		d := 3 + l.rnd.Intn(15)
		duration = &d
	}
	plan := meeting && len(officers) >= 2 && l.rnd.Intn(2) == 0
	var meetingID string
	var evs []event
	if plan {
		evs = append(evs, event{at: at.Add(-30 * time.Hour), do: func(ctx context.Context) error {
			ids := l.officerIDs(officers)
			m, err := l.store.PlanMeeting(l.as(ctx, s.handler), s.id, tandem.MeetingCreate{PlannedFor: at, Location: location, OfficerIDs: ids})
			if tandem.ErrorCode(err) == tandem.EPOLICY {
				return nil // a plan the rules refuse is simply not made: the meeting goes ahead unplanned
			}
			if err != nil {
				return wrap(s, "plan", err)
			}
			meetingID = m.ID
			return nil
		}})
	}
	evs = append(evs, event{at: at.Add(delay), do: func(ctx context.Context) error {
		_, err := l.store.RecordContact(l.as(ctx, officers[0]), s.id, tandem.ContactCreate{Kind: kind, OccurredAt: at, DurationMinutes: duration,
			Location: location, OfficerIDs: l.officerIDs(officers), Summary: summary, Indicators: indicators, MeetingID: meetingID})
		return wrap(s, "contact", err)
	}})
	if kind == tandem.KindPhone {
		// The PBX saw the call the handler documented, a minute or two off.
		from, to := s.spec.phone, phoneOf(officers[0])
		if l.rnd.Intn(2) == 0 {
			from, to = to, from
		}
		l.calls = append(l.calls, l.call(from, to, at.Add(time.Duration(l.rnd.Intn(5)-2)*time.Minute), *duration*60))
	}
	return evs
}

func (l *loader) officerIDs(usernames []string) []string {
	out := make([]string, len(usernames))
	for i, u := range usernames {
		out[i] = l.ids[u].ID
	}
	return out
}

func wrap(s *source, what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("demo %s (%s): %w", s.ref, what, err)
}

// phoneOf returns a demo officer's work phone.
func phoneOf(username string) string {
	for _, o := range officers {
		if o.username == username {
			return o.phone
		}
	}
	return ""
}
