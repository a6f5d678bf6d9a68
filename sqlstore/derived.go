package sqlstore

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"tandem"
	"tandem/policy"
)

// The running state and totals are derived from the audited records: each
// write keeps them, so that no write or page reads history. They are not
// evidence, but a row changed behind the store's back could still steer
// the rules (a relationship flag cleared, a deadline deleted so that a
// meeting is never found unwritten). Verification therefore derives them
// again from the records, and names any that differ.

// verifyDerived checks every derived table against the records.
func (tx *Tx) verifyDerived() error {
	if err := tx.verifySourceState(); err != nil {
		return err
	}
	if err := tx.verifyComplianceDays(); err != nil {
		return err
	}
	if err := tx.verifyOpenAlertTotals(); err != nil {
		return err
	}
	if err := tx.verifyDeadlines(); err != nil {
		return err
	}
	if err := tx.verifyAmendedContacts(); err != nil {
		return err
	}
	return tx.verifyReferenceCounters()
}

// verifyReferenceCounters checks each year's counter of source references
// against the references given: a counter set back would make the next
// registration collide, one set forward would leave a gap an inspector
// reads as a source removed.
func (tx *Tx) verifyReferenceCounters() error {
	given := map[string]int64{}
	refs, err := tx.ids(`SELECT reference FROM sources`)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		// S-YYYY-NNNN, as nextReference writes it.
		year, num, ok := strings.Cut(strings.TrimPrefix(ref, "S-"), "-")
		n, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			continue // not a reference Tandem numbered
		}
		name := "source_reference:" + year
		given[name] = max(given[name], n)
	}
	rows, err := tx.query(`SELECT name, value FROM counters WHERE name LIKE 'source_reference:%'`)
	if err != nil {
		return err
	}
	stored := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			rows.Close()
			return err
		}
		stored[name] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for name, n := range given {
		if stored[name] != n {
			return derivedChanged(fmt.Sprintf("the counter %s (%d; the highest reference given is %d)", name, stored[name], n))
		}
	}
	for name, v := range stored {
		if _, ok := given[name]; !ok && v != 0 {
			return derivedChanged(fmt.Sprintf("the counter %s (%d; no reference of that year was given)", name, v))
		}
	}
	return nil
}

func derivedChanged(what string) error {
	return fmt.Errorf("%s does not match the records it is derived from: it was changed outside Tandem", what)
}

func (tx *Tx) verifySourceState() error {
	ids, err := tx.ids(`SELECT id FROM sources ORDER BY id`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		stored, err := tx.relationship(id, false)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return derivedChanged("the running state of source " + id + " (missing)")
		} else if err != nil {
			return err
		}
		want, err := tx.relationshipFromHistory(id)
		if err != nil {
			return err
		}
		if !sameRelationship(stored, want) {
			return derivedChanged("the relationship-risk state of source " + id)
		}
	}
	return nil
}

type dayKey struct{ unit, officer, day string }

func (tx *Tx) verifyComplianceDays() error {
	want := map[dayKey][5]int{}
	units := map[string]string{}
	rows, err := tx.query(`SELECT id, unit FROM sources`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, unit string
		if err := rows.Scan(&id, &unit); err != nil {
			rows.Close()
			return err
		}
		units[id] = unit
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ids := make([]string, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		cs, err := tx.contacts(`source_id = ?`, id)
		if err != nil {
			return err
		}
		for _, c := range cs {
			m := policy.ContactMeasures(c)
			v := [5]int{1, b2i(!m.Late), b2i(m.Meeting), b2i(m.Meeting && m.TwoOfficers), b2i(m.Meeting && m.SameGender)}
			day := c.OccurredAt.UTC().Format(tandem.DateLayout)
			keys := []dayKey{{forceUnit, "", day}}
			for _, o := range append([]string{""}, effective(c).OfficerIDs...) {
				keys = append(keys, dayKey{units[id], o, day})
			}
			for _, k := range keys {
				w := want[k]
				for i := range w {
					w[i] += v[i]
				}
				want[k] = w
			}
		}
	}
	rows, err = tx.query(`SELECT unit, officer_id, day, contacts, on_time, meetings, two_officers, same_gender FROM compliance_days`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k dayKey
		var got [5]int
		if err := rows.Scan(&k.unit, &k.officer, &k.day, &got[0], &got[1], &got[2], &got[3], &got[4]); err != nil {
			return err
		}
		if want[k] != got {
			return derivedChanged(fmt.Sprintf("the compliance totals of %s on %s", k.unit, k.day))
		}
		delete(want, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, w := range want {
		if w != ([5]int{}) {
			return derivedChanged(fmt.Sprintf("the compliance totals of %s on %s (missing)", k.unit, k.day))
		}
	}
	return nil
}

type alertKey struct{ unit, officer, rule string }

func (tx *Tx) verifyOpenAlertTotals() error {
	want := map[alertKey]int{}
	// The force's own alerts (SETTING_CHANGED) are of no unit and in no total.
	as, err := tx.alerts(`a.status = ? AND a.source_id IS NOT NULL`, tandem.AlertOpen)
	if err != nil {
		return err
	}
	for _, a := range as {
		want[alertKey{forceUnit, "", string(a.Rule)}]++
		for _, o := range append([]string{""}, a.OfficerIDs...) {
			want[alertKey{a.Unit, o, string(a.Rule)}]++
		}
	}
	rows, err := tx.query(`SELECT unit, officer_id, rule, n FROM open_alert_totals`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k alertKey
		var n int
		if err := rows.Scan(&k.unit, &k.officer, &k.rule, &n); err != nil {
			return err
		}
		if want[k] != n {
			return derivedChanged(fmt.Sprintf("the count of open %s alerts of %s", k.rule, k.unit))
		}
		delete(want, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, n := range want {
		if n != 0 {
			return derivedChanged(fmt.Sprintf("the count of open %s alerts of %s (missing)", k.rule, k.unit))
		}
	}
	return nil
}

// verifyDeadlines checks that what time alone can still breach waits in
// the deadlines: every planned meeting not yet alerted, every answered
// call not yet judged. (A deadline that waits for nothing is harmless: the
// sweep finds nothing to do.)
func (tx *Tx) verifyDeadlines() error {
	var id string
	err := tx.queryRow(`SELECT m.id FROM meetings m WHERE m.status = ? AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.meeting_id = m.id AND a.rule = ?)
		AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.kind = ? AND d.object_id = m.id) ORDER BY m.id LIMIT 1`,
		tandem.MeetingPlanned, tandem.RuleDocumented24h, deadlineMeeting).Scan(&id)
	if err == nil {
		return derivedChanged("the documentation deadline of planned meeting " + id + " (missing)")
	} else if !isNoRows(err) {
		return err
	}
	err = tx.queryRow(`SELECT c.id FROM calls c WHERE c.billsec >= 1 AND NOT EXISTS (SELECT 1 FROM call_checks k WHERE k.call_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.kind = ? AND d.object_id = c.id) ORDER BY c.id LIMIT 1`, deadlineCall).Scan(&id)
	if err == nil {
		return derivedChanged("the deadline to judge call " + id + " (missing)")
	} else if !isNoRows(err) {
		return err
	}
	return nil
}

func (tx *Tx) verifyAmendedContacts() error {
	var id string
	err := tx.queryRow(`SELECT c.id FROM contacts c WHERE EXISTS (SELECT 1 FROM amendments a WHERE a.contact_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM amended_contacts m WHERE m.contact_id = c.id AND m.source_id = c.source_id AND m.occurred_at = c.occurred_at) ORDER BY c.id LIMIT 1`).Scan(&id)
	if err == nil {
		return derivedChanged("the index of amended contacts (contact " + id + " missing)")
	} else if !isNoRows(err) {
		return err
	}
	return nil
}
