package sqlstore

import (
	"context"
	"strings"

	"tandem"
	"tandem/policy"
)

// The running totals of compliance: every contact recorded or amended,
// every alert opened or closed, changes them in the same transaction, so
// that compliance reads totals, never history.

// forceUnit is the unit name of the force's own totals: no unit is
// named "" (every officer but an administrator has a unit).
const forceUnit = ""

// countContact adds (sign 1) or takes away (sign -1) a contact's share of
// the daily totals: the force's row, its unit's, and a row per officer
// present.
func (tx *Tx) countContact(unit string, c *tandem.Contact, sign int) error {
	m := policy.ContactMeasures(c)
	day := c.OccurredAt.UTC().Format(tandem.DateLayout)
	officers := append([]string{""}, effective(c).OfficerIDs...)
	vals := []int{sign, sign * b2i(!m.Late), sign * b2i(m.Meeting), sign * b2i(m.Meeting && m.TwoOfficers), sign * b2i(m.Meeting && m.SameGender)}
	args := make([]any, 0, (len(officers)+1)*8)
	args = append(args, forceUnit, "", day, vals[0], vals[1], vals[2], vals[3], vals[4])
	for _, o := range officers {
		args = append(args, unit, o, day, vals[0], vals[1], vals[2], vals[3], vals[4])
	}
	_, err := tx.exec(`INSERT INTO compliance_days (unit, officer_id, day, contacts, on_time, meetings, two_officers, same_gender) VALUES `+
		placeholders(len(officers)+1, 8)+` ON CONFLICT (unit, officer_id, day) DO UPDATE SET contacts = compliance_days.contacts + excluded.contacts, `+
		`on_time = compliance_days.on_time + excluded.on_time, meetings = compliance_days.meetings + excluded.meetings, `+
		`two_officers = compliance_days.two_officers + excluded.two_officers, same_gender = compliance_days.same_gender + excluded.same_gender`, args...)
	return err
}

// countAlert adds (sign 1) or takes away (sign -1) an open alert from the
// totals by rule: the force's row, its unit's, and a row per officer it
// names.
func (tx *Tx) countAlert(unit string, rule tandem.Rule, officerIDs []string, sign int) error {
	officers := append([]string{""}, officerIDs...)
	args := make([]any, 0, (len(officers)+1)*4)
	args = append(args, forceUnit, "", rule, sign)
	for _, o := range officers {
		args = append(args, unit, o, rule, sign)
	}
	_, err := tx.exec(`INSERT INTO open_alert_totals (unit, officer_id, rule, n) VALUES `+placeholders(len(officers)+1, 4)+
		` ON CONFLICT (unit, officer_id, rule) DO UPDATE SET n = open_alert_totals.n + excluded.n`, args...)
	return err
}

// closeAlert takes an alert that leaves the open list out of the totals.
func (tx *Tx) closeAlert(id string) error {
	var unit, officers string
	var rule tandem.Rule
	if err := tx.queryRow(`SELECT s.unit, a.rule, a.officer_ids FROM alerts a JOIN sources s ON s.id = a.source_id WHERE a.id = ?`, id).Scan(&unit, &rule, &officers); err != nil {
		return err
	}
	var ids []string
	if err := fromJSON(officers, &ids); err != nil {
		return err
	}
	return tx.countAlert(unit, rule, ids, -1)
}

// placeholders writes rows of n placeholders each: (?, ?), (?, ?).
func placeholders(rows, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// fillAlertUnits gives every alert made before alerts carried their unit
// its source's unit, each change audited like any other: once, when such a
// store opens.
func (s *Store) fillAlertUnits(ctx context.Context) error {
	return s.update(ctx, func(tx *Tx) error {
		ids, err := tx.ids(`SELECT id FROM alerts WHERE unit IS NULL ORDER BY raised_at, id`)
		if err != nil || len(ids) == 0 {
			return err
		}
		if _, err := tx.exec(`UPDATE alerts SET unit = (SELECT s.unit FROM sources s WHERE s.id = alerts.source_id) WHERE unit IS NULL`); err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.record("alert.migrate", "alert", id, "the alert carries its source's unit"); err != nil {
				return err
			}
		}
		return nil
	})
}

// fillTotals computes the running totals from the history that came before
// them, once, when a store made before them opens.
func (s *Store) fillTotals(ctx context.Context) error {
	return s.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM derived_fills WHERE name = ?`, "totals").Scan(&n); err != nil || n > 0 {
			return err
		}
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
		for id, unit := range units {
			cs, err := tx.contacts(`source_id = ?`, id)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if err := tx.countContact(unit, c, 1); err != nil {
					return err
				}
			}
		}
		as, err := tx.alerts(`a.status = ? AND a.source_id IS NOT NULL`, tandem.AlertOpen)
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := tx.countAlert(units[a.SourceID], a.Rule, a.OfficerIDs, 1); err != nil {
				return err
			}
		}
		_, err = tx.exec(`INSERT INTO derived_fills (name, filled_at) VALUES (?, ?)`, "totals", ts(tx.now))
		return err
	})
}
