package policy

import (
	"fmt"
	"time"

	"tandem"
)

// Call is a call between an officer's work phone and a source's registered
// number, as the rules see it.
type Call struct {
	Start     time.Time
	Billsec   int
	OfficerID string
}

// ContactAt is a documented contact as call reconciliation sees it.
type ContactAt struct {
	OccurredAt time.Time
	Kind       tandem.ContactKind
	OfficerIDs []string
}

// CallDocumented reports whether a phone or message contact with the
// source, by the call's officer, is recorded within CallMatchWindow of the
// call's start (either side; exactly the window counts).
func CallDocumented(c Call, contacts []ContactAt, s Settings) bool {
	for _, x := range contacts {
		if x.Kind != tandem.KindPhone && x.Kind != tandem.KindMessage {
			continue
		}
		d := x.OccurredAt.Sub(c.Start)
		if d < 0 {
			d = -d
		}
		if d > s.CallMatchWindow {
			continue
		}
		for _, id := range x.OfficerIDs {
			if id == c.OfficerID {
				return true
			}
		}
	}
	return false
}

// UndocumentedCall applies UNDOCUMENTED_CALL: an answered call (billed one
// second or more) with no matching contact, more than DocumentWithin old.
// A call younger than that may still be documented in time: no finding yet.
func UndocumentedCall(c Call, contacts []ContactAt, now time.Time, s Settings) *tandem.Finding {
	if c.Billsec < 1 || !now.After(DocumentationDeadline(c.Start, s)) || CallDocumented(c, contacts, s) {
		return nil
	}
	return &tandem.Finding{
		Rule:       tandem.RuleUndocumentedCall,
		Severity:   tandem.SeverityBreach,
		Message:    fmt.Sprintf("a %s call at %s appears in the phone records but no contact was documented for it", callLength(c.Billsec), c.Start.UTC().Format("2006-01-02 15:04 UTC")),
		OfficerIDs: []string{c.OfficerID},
	}
}

func callLength(billsec int) string {
	if billsec < 60 {
		return fmt.Sprintf("%d-second", billsec)
	}
	return fmt.Sprintf("%d-minute", (billsec+30)/60)
}
