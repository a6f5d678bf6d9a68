package sqlstore

import (
	"context"
	"time"

	"tandem"
)

// Compliance counts, over a period, the contacts of the unit's sources and
// how many kept the rules, from the findings the rules gave when each was
// recorded (as amended), and the alerts open now.
func (s *Store) Compliance(ctx context.Context, f tandem.ComplianceFilter) (*tandem.Compliance, error) {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor, tandem.RoleAuthorisingOfficer)
	if err != nil {
		return nil, err
	}
	if err := validDate("from", f.From, true); err != nil {
		return nil, err
	}
	if err := validDate("to", f.To, true); err != nil {
		return nil, err
	}
	if f.To < f.From {
		return nil, tandem.Invalid("to", "to must not be before from")
	}
	end, _ := time.Parse(tandem.DateLayout, f.To)
	out := &tandem.Compliance{From: f.From, To: f.To, Unit: f.Unit, OpenAlerts: map[tandem.Rule]int{}}
	for _, r := range tandem.Rules {
		out.OpenAlerts[r] = 0
	}
	err = s.view(ctx, func(tx *Tx) error {
		visible, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		for _, src := range visible {
			if f.Unit != "" && src.Unit != f.Unit {
				continue
			}
			cs, err := tx.contacts(`source_id = ? AND occurred_at >= ? AND occurred_at < ?`, src.ID, f.From, end.AddDate(0, 0, 1).Format(tandem.DateLayout))
			if err != nil {
				return err
			}
			for _, c := range cs {
				e := effective(c)
				out.Contacts++
				if !c.Late {
					out.DocumentedWithin24h++
				}
				if e.Kind != tandem.KindMeeting {
					continue
				}
				out.Meetings++
				findings := c.Findings
				if n := len(c.Amendments); n > 0 {
					findings = c.Amendments[n-1].Findings
				}
				two, gender := true, true
				for _, f := range findings {
					two = two && f.Rule != tandem.RuleTwoOfficers
					gender = gender && f.Rule != tandem.RuleSameGender
				}
				if two {
					out.MeetingsWithTwoOfficers++
				}
				if gender {
					out.MeetingsWithSameGenderOfficer++
				}
			}
			as, err := tx.alerts(`a.source_id = ? AND a.status = ?`, src.ID, tandem.AlertOpen)
			if err != nil {
				return err
			}
			for _, a := range as {
				out.OpenAlerts[a.Rule]++
			}
		}
		return nil
	})
	return out, err
}
