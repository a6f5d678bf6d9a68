package sqlstore

import (
	"context"
	"strings"
	"time"

	"tandem"
	"tandem/policy"
)

// complianceScope is what of the force one caller's compliance covers:
// whole units, read from the running totals, and single sources of other
// units that the caller controls by name, counted from their contacts.
type complianceScope struct {
	// every is true for the whole force (an auditor asking for no unit).
	every bool
	units []string
	extra []*sourceRow
}

// scopeOf works out the caller's compliance scope for a filter.
func (tx *Tx) complianceScope(o *tandem.Officer, f tandem.ComplianceFilter) (complianceScope, error) {
	var cs complianceScope
	sc := policy.ScopeOf(o)
	switch {
	case sc.All && f.Unit == "":
		cs.every = true
		return cs, nil
	case sc.All:
		cs.units = []string{f.Unit}
		return cs, nil
	case sc.Unit != "" && (f.Unit == "" || f.Unit == sc.Unit):
		cs.units = []string{sc.Unit}
	}
	if !sc.Assigned {
		return cs, nil
	}
	// The sources of other units the officer may see: assigned by name.
	st, err := tx.standing(o, "")
	if err != nil {
		return cs, err
	}
	if len(st.roles) == 0 {
		return cs, nil
	}
	ids := make([]any, 0, len(st.roles))
	for id := range st.roles {
		ids = append(ids, id)
	}
	err = tx.inChunks(ids, func(in string, args []any) error {
		rs, err := tx.sources(`id IN (`+in+`)`, args...)
		for _, r := range rs {
			if r.Unit == sc.Unit || (f.Unit != "" && r.Unit != f.Unit) || !policy.CanSee(o, st.team(r)) {
				continue
			}
			cs.extra = append(cs.extra, r)
		}
		return err
	})
	return cs, err
}

// sourcesIn returns a list of the scope's sources for an IN (...): the
// units' by a subquery, the others by id.
func (cs complianceScope) sourcesIn() (string, []any) {
	var parts []string
	var args []any
	switch {
	case cs.every:
		return `SELECT id FROM sources`, nil
	case len(cs.units) > 0:
		w, a := cs.where("unit")
		parts, args = append(parts, `SELECT id FROM sources WHERE `+w), a
	}
	if len(cs.extra) > 0 {
		ids := make([]string, len(cs.extra))
		for i, e := range cs.extra {
			ids[i], args = "?", append(args, e.ID)
		}
		parts = append(parts, `SELECT id FROM sources WHERE id IN (`+strings.Join(ids, ", ")+`)`)
	}
	if len(parts) == 0 {
		return `SELECT id FROM sources WHERE 1 = 0`, nil
	}
	return strings.Join(parts, ` UNION ALL `), args
}

// totalsWhere returns the condition on the totals' unit column that the
// scope's units make: the whole force reads its own rows, under the unit
// "".
func (cs complianceScope) totalsWhere() (string, []any) {
	if cs.every {
		return `unit = ?`, []any{forceUnit}
	}
	return cs.where("unit")
}

// where returns the condition on a unit column that the scope's units make.
func (cs complianceScope) where(column string) (string, []any) {
	if cs.every {
		return `1 = 1`, nil
	}
	if len(cs.units) == 0 {
		return `1 = 0`, nil
	}
	args := make([]any, len(cs.units))
	for i, u := range cs.units {
		args[i] = u
	}
	return column + ` IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(cs.units)), ", ") + `)`, args
}

func newCompliance(from, to, unit string) *tandem.Compliance {
	c := &tandem.Compliance{From: from, To: to, Unit: unit, OpenAlerts: map[tandem.Rule]int{}}
	for _, r := range tandem.Rules {
		c.OpenAlerts[r] = 0
	}
	return c
}

// add adds a day's counts to c.
func add(c *tandem.Compliance, contacts, onTime, meetings, two, gender int) {
	c.Contacts += contacts
	c.DocumentedWithin24h += onTime
	c.Meetings += meetings
	c.MeetingsWithTwoOfficers += two
	c.MeetingsWithSameGenderOfficer += gender
}

// Compliance counts, over a period, the contacts of the sources the caller
// may see and how many kept the rules, from the findings the rules gave when
// each was recorded (as amended), and the alerts open now.
func (s *Store) Compliance(ctx context.Context, f tandem.ComplianceFilter) (*tandem.Compliance, error) {
	r, err := s.compliance(ctx, f, false)
	if err != nil {
		return nil, err
	}
	return r.Total, nil
}

// ComplianceReport counts the period as a whole, week by week and, within
// a unit, by officer: the compliance page's figures.
func (s *Store) ComplianceReport(ctx context.Context, f tandem.ComplianceFilter) (*tandem.ComplianceReport, error) {
	return s.compliance(ctx, f, true)
}

// compliance reads the running totals of the units in the caller's scope,
// and counts the few sources beyond them contact by contact: a few hundred
// rows for any period, however long the history behind it.
func (s *Store) compliance(ctx context.Context, f tandem.ComplianceFilter, detail bool) (*tandem.ComplianceReport, error) {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor, tandem.RoleAuthorisingOfficer)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	from, _ := time.Parse(tandem.DateLayout, f.From)
	to, _ := time.Parse(tandem.DateLayout, f.To)
	r := &tandem.ComplianceReport{Total: newCompliance(f.From, f.To, f.Unit), ByOfficer: map[string]*tandem.Compliance{}}
	if detail {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 7) {
			end := d.AddDate(0, 0, 6)
			if end.After(to) {
				end = to
			}
			r.Weeks = append(r.Weeks, newCompliance(d.Format(tandem.DateLayout), end.Format(tandem.DateLayout), f.Unit))
		}
	}
	officer := func(id string) *tandem.Compliance {
		c, ok := r.ByOfficer[id]
		if !ok {
			c = newCompliance(f.From, f.To, f.Unit)
			r.ByOfficer[id] = c
		}
		return c
	}
	week := func(day time.Time) *tandem.Compliance {
		if w := int(day.Sub(from).Hours()) / (24 * 7); w >= 0 && w < len(r.Weeks) {
			return r.Weeks[w]
		}
		return nil
	}
	err = s.view(ctx, func(tx *Tx) error {
		cs, err := tx.complianceScope(o, f)
		if err != nil {
			return err
		}
		// The rows to read: the units' own ('') for the totals, or one
		// officer's; every officer's too for the page's table, within a
		// unit (a force's thousands of officers are read unit by unit).
		officerWhere, officerArgs := `officer_id = ?`, []any{f.OfficerID}
		if detail && f.OfficerID == "" && !cs.every {
			officerWhere, officerArgs = `1 = 1`, nil
		}
		unitWhere, unitArgs := cs.totalsWhere()
		if cs.every && f.OfficerID != "" {
			// One officer across the force: their rows in every unit.
			unitWhere, unitArgs = `unit <> ?`, []any{forceUnit}
		}
		rows, err := tx.query(`SELECT officer_id, day, SUM(contacts), SUM(on_time), SUM(meetings), SUM(two_officers), SUM(same_gender) FROM compliance_days WHERE `+
			unitWhere+` AND `+officerWhere+` AND day >= ? AND day <= ? GROUP BY officer_id, day`, append(append(unitArgs, officerArgs...), f.From, f.To)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, day string
			var n [5]int
			if err := rows.Scan(&id, &day, &n[0], &n[1], &n[2], &n[3], &n[4]); err != nil {
				rows.Close()
				return err
			}
			if id != f.OfficerID {
				add(officer(id), n[0], n[1], n[2], n[3], n[4])
				continue
			}
			add(r.Total, n[0], n[1], n[2], n[3], n[4])
			if d, err := time.Parse(tandem.DateLayout, day); err == nil {
				if w := week(d); w != nil {
					add(w, n[0], n[1], n[2], n[3], n[4])
				}
			}
			if f.OfficerID != "" && detail {
				add(officer(id), n[0], n[1], n[2], n[3], n[4])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(`SELECT officer_id, rule, SUM(n) FROM open_alert_totals WHERE `+unitWhere+` AND `+officerWhere+` GROUP BY officer_id, rule`,
			append(unitArgs, officerArgs...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var rule tandem.Rule
			var n int
			if err := rows.Scan(&id, &rule, &n); err != nil {
				rows.Close()
				return err
			}
			if id == f.OfficerID {
				r.Total.OpenAlerts[rule] += n
			}
			if id != "" && detail {
				officer(id).OpenAlerts[rule] += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The sources beyond the caller's units, one by one.
		for _, src := range cs.extra {
			err := tx.eachContact(src, f, func(c *tandem.Contact, m policy.Measures) error {
				officers := effective(c).OfficerIDs
				if f.OfficerID != "" && !contains(officers, f.OfficerID) {
					return nil
				}
				n := [5]int{1, b2i(!m.Late), b2i(m.Meeting), b2i(m.Meeting && m.TwoOfficers), b2i(m.Meeting && m.SameGender)}
				add(r.Total, n[0], n[1], n[2], n[3], n[4])
				if w := week(c.OccurredAt.UTC().Truncate(24 * time.Hour)); w != nil {
					add(w, n[0], n[1], n[2], n[3], n[4])
				}
				if detail {
					for _, id := range officers {
						if f.OfficerID == "" || id == f.OfficerID {
							add(officer(id), n[0], n[1], n[2], n[3], n[4])
						}
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			as, err := tx.alerts(`a.source_id = ? AND a.status = ?`, src.ID, tandem.AlertOpen)
			if err != nil {
				return err
			}
			for _, a := range as {
				if f.OfficerID == "" || contains(a.OfficerIDs, f.OfficerID) {
					r.Total.OpenAlerts[a.Rule]++
				}
				if detail {
					for _, id := range a.OfficerIDs {
						if f.OfficerID == "" || id == f.OfficerID {
							officer(id).OpenAlerts[a.Rule]++
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// eachContact walks a source's contacts of the period, oldest first, with
// what each counts toward.
func (tx *Tx) eachContact(src *sourceRow, f tandem.ComplianceFilter, fn func(c *tandem.Contact, m policy.Measures) error) error {
	end, _ := time.Parse(tandem.DateLayout, f.To)
	cs, err := tx.contacts(`source_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`, src.ID, f.From, end.AddDate(0, 0, 1).Format(tandem.DateLayout))
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := fn(c, policy.ContactMeasures(c)); err != nil {
			return err
		}
	}
	return nil
}

// complianceBatch is how many contacts the lists behind the counts read at
// a time.
const complianceBatch = 500

// ComplianceContacts lists the contacts behind one compliance count, newest
// first, a page at a time: limit (default 50, at most 200) and the cursor
// of the previous page.
func (s *Store) ComplianceContacts(ctx context.Context, f tandem.ComplianceFilter, m tandem.Measure, limit int, after string) (*tandem.ContactRecordPage, error) {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor, tandem.RoleAuthorisingOfficer)
	if err != nil {
		return nil, err
	}
	if !tandem.ValidMeasure(m) {
		return nil, tandem.Invalid("measure", "unknown measure %q", m)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, err
	}
	at, id := "", ""
	if after != "" {
		var ok bool
		if at, id, ok = decodeCursor(after); !ok {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
	}
	end, _ := time.Parse(tandem.DateLayout, f.To)
	page := &tandem.ContactRecordPage{Contacts: []*tandem.ContactRecord{}}
	err = s.view(ctx, func(tx *Tx) error {
		cs, err := tx.complianceScope(o, f)
		if err != nil {
			return err
		}
		unitWhere, unitArgs := cs.where("s.unit")
		extra := make([]any, len(cs.extra))
		for i, e := range cs.extra {
			extra[i] = e.ID
		}
		scope := `(` + unitWhere
		if len(extra) > 0 {
			scope += ` OR c.source_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(extra)), ", ") + `)`
		}
		scope += `)`
		scopeArgs := append(unitArgs, extra...)
		upper, upperID := end.AddDate(0, 0, 1).Format(tandem.DateLayout), ""
		if at != "" {
			upper, upperID = at, id
		}
		for {
			where := scope + ` AND c.occurred_at >= ? AND (c.occurred_at < ? OR (c.occurred_at = ? AND c.id < ?))`
			args := append(append([]any{}, scopeArgs...), f.From, upper, upper, upperID)
			rows, err := tx.query(`SELECT `+prefixed("c.", contactColumns)+`, s.reference FROM contacts c JOIN sources s ON s.id = c.source_id WHERE `+where+
				` ORDER BY c.occurred_at DESC, c.id DESC LIMIT ?`, append(args, complianceBatch)...)
			if err != nil {
				return err
			}
			var batch []*tandem.Contact
			refs := map[string]string{}
			for rows.Next() {
				c, ref, err := scanContactWithReference(rows)
				if err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, c)
				refs[c.ID] = ref
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if err := tx.contactDetails(batch); err != nil {
				return err
			}
			for _, c := range batch {
				upper, upperID = ts(c.OccurredAt), c.ID
				if f.OfficerID != "" && !contains(effective(c).OfficerIDs, f.OfficerID) {
					continue
				}
				if !policy.ContactMeasures(c).Has(m) {
					continue
				}
				if len(page.Contacts) == limit {
					last := page.Contacts[limit-1]
					next := encodeCursor(ts(last.OccurredAt), last.ID)
					page.Next = &next
					return nil
				}
				page.Contacts = append(page.Contacts, &tandem.ContactRecord{Contact: *c, SourceReference: refs[c.ID]})
			}
			if len(batch) < complianceBatch {
				return nil
			}
		}
	})
	return page, err
}

// pageLimit checks a page's size: 0 for the default, 50; at most 200.
func pageLimit(limit int) (int, error) {
	if limit == 0 {
		return 50, nil
	}
	if limit < 1 || limit > 200 {
		return 0, tandem.Invalid("limit", "limit must be between 1 and 200")
	}
	return limit, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
