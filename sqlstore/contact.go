package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strings"
	"time"

	"tandem"
	"tandem/audit"
	"tandem/policy"
)

// RecordContact records a contact with a source. The system never refuses
// to record a fact: a contact that broke a rule is recorded, and its
// breaches come back as findings and become alerts.
func (s *Store) RecordContact(ctx context.Context, sourceID string, c tandem.ContactCreate) (*tandem.Contact, error) {
	o, err := requireOfficer(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *tandem.Contact
	err = s.update(ctx, func(tx *Tx) error {
		snap, src, t, err := tx.changing(sourceID)
		if err != nil {
			return err
		}
		if err := policy.Permit(o, t, policy.Subject{Action: policy.ActionRecord, Officers: c.OfficerIDs}); err != nil {
			return err
		}
		id := newID()
		fact, err := tx.contactFact(snap, sourceID, id, c)
		if err != nil {
			return err
		}
		v, err := tx.verdict(snap, fact)
		if err != nil {
			return err
		}
		out = &tandem.Contact{ID: id, SourceID: sourceID, Kind: c.Kind, OccurredAt: c.OccurredAt.UTC().Truncate(time.Microsecond),
			DurationMinutes: c.DurationMinutes, Location: c.Location, OfficerIDs: tandem.SortedIDs(c.OfficerIDs), Summary: c.Summary,
			Indicators: c.Indicators, MeetingID: c.MeetingID, DocumentedAt: tx.now, DocumentedBy: o.ID, Late: v.Late, Findings: v.Findings}
		if err := tx.insertContact(out); err != nil {
			return err
		}
		if err := tx.countContact(src.Unit, out, 1); err != nil {
			return err
		}
		if c.MeetingID != "" {
			if _, err := tx.exec(`UPDATE meetings SET status = ?, contact_id = ? WHERE id = ?`, tandem.MeetingHeld, out.ID, c.MeetingID); err != nil {
				return err
			}
			if err := tx.record("meeting.held", "meeting", c.MeetingID, ""); err != nil {
				return err
			}
			if err := tx.clearDeadline(deadlineMeeting, c.MeetingID); err != nil {
				return err
			}
		}
		return tx.apply(sourceID, snap, v)
	})
	return out, err
}

// contactFact checks a contact about to be recorded now against the
// records (its time, its officers, its meeting) and returns it as the
// rules see it.
func (tx *Tx) contactFact(snap policy.Snapshot, sourceID, id string, c tandem.ContactCreate) (policy.ContactRecorded, error) {
	settings, err := tx.settings()
	if err != nil {
		return policy.ContactRecorded{}, err
	}
	if c.OccurredAt.After(tx.now.Add(settings.FutureTolerance)) {
		return policy.ContactRecorded{}, tandem.Invalid("occurred_at", "occurred_at is in the future")
	}
	atts, err := tx.attendeesOf(snap, "officer_ids", c.OfficerIDs)
	if err != nil {
		return policy.ContactRecorded{}, err
	}
	if c.MeetingID != "" {
		var status tandem.MeetingStatus
		err := tx.queryRow(`SELECT status FROM meetings WHERE id = ? AND source_id = ?`, c.MeetingID, sourceID).Scan(&status)
		if isNoRows(err) {
			return policy.ContactRecorded{}, tandem.Invalid("meeting_id", "no planned meeting %q for this source", c.MeetingID)
		} else if err != nil {
			return policy.ContactRecorded{}, err
		}
		if status != tandem.MeetingPlanned {
			return policy.ContactRecorded{}, &tandem.Error{Code: tandem.ECONFLICT, Field: "meeting_id", Message: "a contact has already been recorded for that meeting"}
		}
	}
	return policy.ContactRecorded{ContactID: id, Kind: c.Kind, OccurredAt: c.OccurredAt, Officers: atts, Indicators: c.Indicators}, nil
}

// PreviewContact returns the findings a contact would bring if it were
// recorded now, without recording anything: the same evaluation as
// RecordContact, for the forms.
func (s *Store) PreviewContact(ctx context.Context, sourceID string, c tandem.ContactCreate) ([]tandem.Finding, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var all []tandem.Finding
	err := s.view(ctx, func(tx *Tx) error {
		snap, _, _, err := tx.changing(sourceID)
		if err != nil {
			return err
		}
		fact, err := tx.contactFact(snap, sourceID, "", c)
		if err != nil {
			return err
		}
		v, err := tx.verdict(snap, fact)
		all = v.Findings
		return err
	})
	return all, err
}

// contactColumnList is contactColumns as a list, for inserts.
var contactColumnList = strings.Split(contactColumns, ", ")

func (tx *Tx) insertContact(c *tandem.Contact) error {
	var duration any
	if c.DurationMinutes != nil {
		duration = *c.DurationMinutes
	}
	// The officers first: the contact's audit entry covers them.
	var children []audit.Row
	if len(c.OfficerIDs) > 0 {
		args := make([]any, 0, 2*len(c.OfficerIDs))
		for _, id := range c.OfficerIDs {
			args = append(args, c.ID, id)
			children = append(children, rowOf([]string{"contact_id", "officer_id"}, []any{c.ID, id}))
		}
		if err := tx.insertContactRow(c, duration); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO contact_officers (contact_id, officer_id) VALUES `+placeholders(len(c.OfficerIDs), 2), args...); err != nil {
			return err
		}
	} else if err := tx.insertContactRow(c, duration); err != nil {
		return err
	}
	row := rowOf(contactColumnList, contactValues(c, duration))
	return tx.appendAudit("contact.record", "contact", c.ID, "", audit.RecordHash("contact", row, map[string][]audit.Row{"contact_officers": children}))
}

func contactValues(c *tandem.Contact, duration any) []any {
	return []any{c.ID, c.SourceID, string(c.Kind), ts(c.OccurredAt), duration, c.Location, c.Summary, jsonText(c.Indicators), nullString(c.MeetingID),
		ts(c.DocumentedAt), c.DocumentedBy, boolInt(c.Late), jsonText(c.Findings)}
}

func (tx *Tx) insertContactRow(c *tandem.Contact, duration any) error {
	_, err := tx.exec(`INSERT INTO contacts (`+contactColumns+`) VALUES `+placeholders(1, len(contactColumnList)), contactValues(c, duration)...)
	return err
}

const contactColumns = `id, source_id, kind, occurred_at, duration_minutes, location, summary, indicators, meeting_id, documented_at, documented_by, late, findings`

func (tx *Tx) contacts(where string, args ...any) ([]*tandem.Contact, error) {
	rows, err := tx.query(`SELECT `+contactColumns+` FROM contacts WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []*tandem.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := tx.contactDetails(out); err != nil {
		return nil, err
	}
	return out, nil
}

// contactDetails fills in the officers and amendments of contacts: two
// queries for a page of them, whatever its size.
func (tx *Tx) contactDetails(cs []*tandem.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[string]*tandem.Contact, len(cs))
	ids := make([]any, len(cs))
	for i, c := range cs {
		c.OfficerIDs = []string{}
		byID[c.ID], ids[i] = c, c.ID
	}
	return tx.inChunks(ids, func(in string, args []any) error {
		rows, err := tx.query(`SELECT contact_id, officer_id FROM contact_officers WHERE contact_id IN (`+in+`) ORDER BY contact_id, officer_id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var cid, oid string
			if err := rows.Scan(&cid, &oid); err != nil {
				rows.Close()
				return err
			}
			byID[cid].OfficerIDs = append(byID[cid].OfficerIDs, oid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		as, err := tx.amendmentRows(`contact_id IN (`+in+`)`, args...)
		for _, a := range as {
			c := byID[a.ContactID]
			c.Amendments = append(c.Amendments, a)
		}
		return err
	})
}

// scanContactWithReference reads a contact followed by its source's
// reference.
func scanContactWithReference(rows *sql.Rows) (*tandem.Contact, string, error) {
	var c tandem.Contact
	var ref string
	if err := scanContactInto(rows, &c, &ref); err != nil {
		return nil, "", err
	}
	return &c, ref, nil
}

func scanContact(rows *sql.Rows) (*tandem.Contact, error) {
	var c tandem.Contact
	if err := scanContactInto(rows, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func scanContactInto(rows *sql.Rows, c *tandem.Contact, more ...any) error {
	var occurred, indicators, documented, findings string
	var duration sql.NullInt64
	var meeting sql.NullString
	var late int
	dest := append([]any{&c.ID, &c.SourceID, &c.Kind, &occurred, &duration, &c.Location, &c.Summary, &indicators, &meeting, &documented, &c.DocumentedBy, &late, &findings}, more...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	c.OccurredAt, c.DocumentedAt, c.MeetingID, c.Late = parseTS(occurred), parseTS(documented), meeting.String, late == 1
	if duration.Valid {
		d := int(duration.Int64)
		c.DurationMinutes = &d
	}
	if err := fromJSON(indicators, &c.Indicators); err != nil {
		return err
	}
	return fromJSON(findings, &c.Findings)
}

// contactsBetween loads every contact that occurred in [from, to), with its
// officers and amendments, in three queries whatever their number: for the
// views over a whole unit.
func (tx *Tx) contactsBetween(from, to time.Time) (map[string][]*tandem.Contact, error) {
	const window = ` c.occurred_at >= ? AND c.occurred_at < ?`
	rows, err := tx.query(`SELECT `+prefixed("c.", contactColumns)+` FROM contacts c WHERE`+window+` ORDER BY c.occurred_at, c.id`, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	byID := map[string]*tandem.Contact{}
	bySource := map[string][]*tandem.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		c.OfficerIDs = []string{}
		byID[c.ID] = c
		bySource[c.SourceID] = append(bySource[c.SourceID], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every link, read in the primary key's order, and those of other
	// contacts skipped here: one pass over the table is far cheaper than a
	// lookup in contacts for each link.
	rows, err = tx.query(`SELECT contact_id, officer_id FROM contact_officers ORDER BY contact_id, officer_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cid, oid string
		if err := rows.Scan(&cid, &oid); err != nil {
			rows.Close()
			return nil, err
		}
		if c := byID[cid]; c != nil {
			c.OfficerIDs = append(c.OfficerIDs, oid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(`SELECT a.contact_id FROM amendments a JOIN contacts c ON c.id = a.contact_id WHERE`+window+` GROUP BY a.contact_id`, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	var amended []string
	for rows.Next() {
		var cid string
		if err := rows.Scan(&cid); err != nil {
			rows.Close()
			return nil, err
		}
		amended = append(amended, cid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Amendments are rare: one query per amended contact.
	for _, cid := range amended {
		if byID[cid].Amendments, err = tx.amendments(cid); err != nil {
			return nil, err
		}
	}
	return bySource, nil
}

// prefixed puts a table alias before each column of a list.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}

// effective returns the contact as its amendments have corrected it.
func effective(c *tandem.Contact) tandem.Contact {
	e := *c
	for _, a := range c.Amendments {
		e = a.Apply(e)
	}
	e.Amendments = nil
	return e
}

// FindContact returns one contact of a source, with its amendments.
func (s *Store) FindContact(ctx context.Context, sourceID, contactID string) (*tandem.Contact, error) {
	var out *tandem.Contact
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		cs, err := tx.contacts(`id = ? AND source_id = ?`, contactID, sourceID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return tandem.NotFound("contact")
		}
		out = cs[0]
		return nil
	})
	return out, err
}

// ListContacts returns a page of a source's contacts, newest first. after
// is the cursor of the previous page ("" for the first).
func (s *Store) ListContacts(ctx context.Context, sourceID string, limit int, after string) (*tandem.ContactPage, error) {
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 200 {
		return nil, tandem.Invalid("limit", "limit must be between 1 and 200")
	}
	where, args := `source_id = ?`, []any{sourceID}
	if after != "" {
		at, id, ok := decodeCursor(after)
		if !ok {
			return nil, tandem.Invalid("after", "the cursor is not one this server gave")
		}
		where += ` AND (occurred_at < ? OR (occurred_at = ? AND id < ?))`
		args = append(args, at, at, id)
	}
	page := &tandem.ContactPage{Contacts: []*tandem.Contact{}}
	err := s.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.visibleSource(sourceID); err != nil {
			return err
		}
		cs, err := tx.contacts(where+` ORDER BY occurred_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
		if err != nil {
			return err
		}
		if len(cs) > limit {
			cs = cs[:limit]
			last := cs[limit-1]
			next := encodeCursor(ts(last.OccurredAt), last.ID)
			page.Next = &next
		}
		page.Contacts = append(page.Contacts, cs...)
		return nil
	})
	return page, err
}

func encodeCursor(at, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at + "|" + id))
}

func decodeCursor(c string) (string, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok || parseTS(at).IsZero() || id == "" {
		return "", "", false
	}
	return at, id, true
}
