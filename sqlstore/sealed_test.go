package sqlstore_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/sqlstore"
)

// sealedCanary is an identity whose every field is a string found nowhere
// else: where one of them turns up, the identity leaked.
var sealedCanary = tandem.Identity{
	LegalName:                "Zebediah Quillfeather",
	Aliases:                  []string{"Quill Zebbington", "The Marrowbone Heron"},
	DateOfBirth:              "1987-03-19",
	Address:                  "Flat 9 Marrowbone Yard, Grimsditch",
	PhoneNumbers:             []string{"+447700900987", "07700 900654"},
	RecruitmentCircumstances: "Walked into Pemberton Lodge carrying a velvet ledger",
}

// sealedStrings are the strings of an identity to search for: each field,
// and each phone number's digits alone.
func sealedStrings(id tandem.Identity) []string {
	out := []string{id.LegalName, id.DateOfBirth, id.Address, id.RecruitmentCircumstances}
	out = append(out, id.Aliases...)
	for _, p := range id.PhoneNumbers {
		out = append(out, p)
		if d := sealedDigits(p); d != "" && d != p {
			out = append(out, d)
		}
	}
	return out
}

func sealedDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sealedColumns are the columns of sources that hold the identity.
var sealedColumns = []string{"legal_name", "aliases", "date_of_birth", "address", "phone_numbers", "recruitment_circumstances"}

// sealedRegister registers a source with an identity as by.
func (e *env) sealedRegister(by *tandem.Officer, id tandem.Identity) *tandem.Source {
	e.t.Helper()
	s, err := e.store.CreateSource(e.as(by), tandem.SourceCreate{Gender: "female", Unit: by.Unit, RecruitedOn: "2025-01-06", Identity: id})
	if err != nil {
		e.t.Fatalf("create source: %v", err)
	}
	return s
}

// sealedDBFile returns the file of an SQLite database, "" on another database.
func (e *env) sealedDBFile() string {
	e.t.Helper()
	if _, ok := e.db.dialect.(sqlstore.SQLite); !ok {
		return ""
	}
	var seq int
	var name, file string
	if err := e.db.raw.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		e.t.Fatalf("database_list: %v", err)
	}
	return file
}

// sealedNotInFiles fails for each of the strings found in the database's
// file, its write-ahead log or its shared memory.
func (e *env) sealedNotInFiles(when string, strs []string) {
	e.t.Helper()
	file := e.sealedDBFile()
	if file == "" {
		return
	}
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			e.t.Fatal(err)
		}
		for _, s := range strs {
			if bytes.Contains(b, []byte(s)) {
				e.t.Errorf("%s: %s holds %q in clear", when, f, s)
			}
		}
	}
}

// sealedReveal reveals a source's identity as o.
func (e *env) sealedReveal(o *tandem.Officer, s *tandem.Source) (*tandem.Identity, error) {
	return e.store.RevealIdentity(e.as(o), s.ID, "preparing the next meeting safely")
}

func sameSealedIdentity(a, b tandem.Identity) bool {
	return a.LegalName == b.LegalName && a.DateOfBirth == b.DateOfBirth && a.Address == b.Address &&
		a.RecruitmentCircumstances == b.RecruitmentCircumstances && slices.Equal(a.Aliases, b.Aliases) && slices.Equal(a.PhoneNumbers, b.PhoneNumbers)
}

// sealedActions counts the audit entries of each action on an object.
func (e *env) sealedActions(objectID string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, ev := range e.audit(0) {
		if ev.ObjectID == objectID {
			out[ev.Action]++
		}
	}
	return out
}

func TestSealed_ColumnsHoldNoPlaintext(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.sealedRegister(e.ha, sealedCanary)
		other := e.sealedRegister(e.hb, tandem.Identity{LegalName: "Ottoline Fernsby", DateOfBirth: "1979-11-02", Address: "Unit 4 Pelican Slipway",
			PhoneNumbers: []string{"+447700900432"}, RecruitmentCircumstances: "Referred by the harbourmaster"})

		// Read behind the store's back, as whoever holds the file would.
		var cols [6]string
		var digest *string
		row := e.db.raw.QueryRow(e.db.dialect.Rebind(`SELECT `+strings.Join(sealedColumns, ", ")+`, person_digest FROM sources WHERE id = ?`), s.ID)
		if err := row.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &digest); err != nil {
			t.Fatal(err)
		}
		canaries := sealedStrings(sealedCanary)
		for i, v := range cols {
			if !strings.HasPrefix(v, "s1.") {
				t.Errorf("column %s holds %q, not a sealed value", sealedColumns[i], v)
			}
			for _, c := range canaries {
				if strings.Contains(v, c) {
					t.Errorf("column %s holds %q in clear", sealedColumns[i], c)
				}
			}
		}
		if digest == nil || len(*digest) != 64 || strings.Contains(*digest, "quillfeather") {
			t.Errorf("person_digest = %v, want a keyed hash", digest)
		}
		// Two sealings are never alike: equal fields of two sources do not
		// show as equal ciphertexts.
		var otherCols [6]string
		row = e.db.raw.QueryRow(e.db.dialect.Rebind(`SELECT `+strings.Join(sealedColumns, ", ")+` FROM sources WHERE id = ?`), other.ID)
		if err := row.Scan(&otherCols[0], &otherCols[1], &otherCols[2], &otherCols[3], &otherCols[4], &otherCols[5]); err != nil {
			t.Fatal(err)
		}
		if cols[1] == otherCols[1] {
			t.Errorf("two sources' aliases are the same ciphertext %q", cols[1])
		}
		// The phone index holds keyed hashes, not numbers.
		rows, err := e.db.raw.Query(e.db.dialect.Rebind(`SELECT digest FROM source_phones WHERE source_id = ?`), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var digests []string
		for rows.Next() {
			var d string
			rows.Scan(&d)
			digests = append(digests, d)
		}
		rows.Close()
		if len(digests) != 2 {
			t.Errorf("source_phones holds %d digests for two numbers", len(digests))
		}
		// A keyed hash is 64 random-looking hex digits: it may hold "7700"
		// by chance, never the number's nine-digit run.
		for _, d := range digests {
			if strings.Contains(d, "447700900") || strings.Contains(d, "07700900") {
				t.Errorf("a phone digest carries the number: %q", d)
			}
		}
		// Nothing else the store wrote carries the identity either: not the
		// audit trail, not any other table, not the file.
		for _, ev := range e.audit(0) {
			for _, c := range canaries {
				if strings.Contains(ev.Reason, c) || strings.Contains(ev.ObjectID, c) {
					t.Errorf("audit entry %d (%s) carries %q", ev.Seq, ev.Action, c)
				}
			}
		}
		found, err := e.store.FindSource(e.as(e.ha), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if found.Reference == "" || found.ID != s.ID {
			t.Fatalf("FindSource: %+v", found)
		}
		e.sealedNotInFiles("after registering", canaries)

		// Only the reveal opens them, and it opens them whole.
		id, err := e.sealedReveal(e.ha, s)
		if err != nil {
			t.Fatalf("reveal: %v", err)
		}
		if !sameSealedIdentity(*id, sealedCanary) {
			t.Errorf("reveal = %+v, want %+v", *id, sealedCanary)
		}
		e.sealedNotInFiles("after the reveal", canaries)
		e.verify("after registering and revealing")
	})
}

func TestSealed_CiphertextMovedDoesNotOpen(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.sealedRegister(e.ha, sealedCanary)
		other := e.sealedRegister(e.ha, tandem.Identity{LegalName: "Ottoline Fernsby", DateOfBirth: "1979-11-02", Address: "Unit 4 Pelican Slipway",
			RecruitmentCircumstances: "Referred by the harbourmaster"})
		e.verify("before tampering")
		head := e.auditHead()

		moves := []struct {
			name, stmt string
			source     *tandem.Source
			field      string // the field the reveal names
		}{
			{"legal_name into address, same source", `UPDATE sources SET address = legal_name WHERE id = ?`, s, "address"},
			{"date_of_birth into legal_name, same source", `UPDATE sources SET legal_name = date_of_birth WHERE id = ?`, s, "legal_name"},
			{"another source's legal_name", `UPDATE sources SET legal_name = (SELECT legal_name FROM sources WHERE id <> ? AND legal_name LIKE 's1.%' LIMIT 1) WHERE id = ?`, other, "legal_name"},
		}
		for _, m := range moves {
			// Save the row, move one ciphertext, reveal, put the row back.
			var saved [6]string
			q := `SELECT ` + strings.Join(sealedColumns, ", ") + ` FROM sources WHERE id = ?`
			if err := e.db.raw.QueryRow(e.db.dialect.Rebind(q), m.source.ID).Scan(&saved[0], &saved[1], &saved[2], &saved[3], &saved[4], &saved[5]); err != nil {
				t.Fatal(err)
			}
			args := []any{m.source.ID}
			if strings.Count(m.stmt, "?") == 2 {
				args = []any{m.source.ID, m.source.ID}
			}
			if _, err := e.db.raw.Exec(e.db.dialect.Rebind(m.stmt), args...); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			id, err := e.sealedReveal(e.ha, m.source)
			if id != nil {
				t.Errorf("%s: the reveal opened %+v", m.name, *id)
			}
			te := wantError(t, err, tandem.EINTERNAL)
			for _, part := range []string{"does not open", m.field, "altered"} {
				if !strings.Contains(te.Message, part) {
					t.Errorf("%s: the error %q does not name %q", m.name, te.Message, part)
				}
			}
			for _, c := range sealedStrings(sealedCanary) {
				if strings.Contains(err.Error(), c) {
					t.Errorf("%s: the error carries %q", m.name, c)
				}
			}
			// The attempt is on the record, and the tampering is named.
			if n := e.sealedActions(m.source.ID)["source.identity.integrity_failure"]; n == 0 {
				t.Errorf("%s: no source.identity.integrity_failure entry", m.name)
			}
			_, verr := e.store.VerifyAudit(e.system())
			wantErrorText(t, verr, m.source.ID, "changed outside Tandem")

			q = `UPDATE sources SET ` + strings.Join(sealedColumns, " = ?, ") + ` = ? WHERE id = ?`
			if _, err := e.db.raw.Exec(e.db.dialect.Rebind(q), saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], m.source.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Put back, both open again and the records match the trail.
		for _, src := range []*tandem.Source{s, other} {
			if _, err := e.sealedReveal(e.ha, src); err != nil {
				t.Errorf("after putting the row back: %v", err)
			}
		}
		if e.auditHead() <= head {
			t.Errorf("the failed reveals left no entries")
		}
		e.verify("after putting the rows back")
	})
}

func TestSealed_RotateMasterKey(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.sealedRegister(e.ha, sealedCanary)
		wrapped := func() string {
			var w string
			if err := e.db.raw.QueryRow(e.db.dialect.Rebind(`SELECT wrapped FROM source_keys WHERE source_id = ?`), s.ID).Scan(&w); err != nil {
				t.Fatal(err)
			}
			return w
		}
		before := wrapped()
		newKey := []byte("another-master-key-of-32-bytes!!")

		// Only an administrator rotates, and only to a key of 32 bytes.
		if err := e.store.RotateMasterKey(e.as(e.controller), newKey); err == nil {
			t.Fatalf("a controller rotated the master key")
		}
		wantError(t, e.store.RotateMasterKey(e.as(e.admin), newKey[:31]), tandem.EINVALID)
		if wrapped() != before {
			t.Fatalf("a refused rotation changed the wrapped key")
		}

		if err := e.store.RotateMasterKey(e.as(e.admin), newKey); err != nil {
			t.Fatalf("RotateMasterKey: %v", err)
		}
		if wrapped() == before {
			t.Errorf("the source's data key was not re-wrapped")
		}
		if id, err := e.sealedReveal(e.ha, s); err != nil || !sameSealedIdentity(*id, sealedCanary) {
			t.Fatalf("reveal right after the rotation: %v, %v", id, err)
		}
		if n := e.sealedActions(s.ID)["source_key.rewrap"]; n != 1 {
			t.Errorf("%d source_key.rewrap entries, want 1", n)
		}
		e.verify("after the rotation")
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}

		clock := tandem.ClockFunc(func() time.Time { return e.now })
		// The test's stores open with the old key: no longer.
		if st, err := e.db.reopen(clock); !errors.Is(err, sqlstore.ErrWrongMasterKey) {
			if st != nil {
				st.Close()
			}
			t.Fatalf("reopening with the old key: %v, want ErrWrongMasterKey", err)
		}
		file := e.sealedDBFile()
		if file == "" {
			t.Logf("reopening with the new key is written for SQLite's file")
			return
		}
		st, err := sqlstore.OpenSQLite(t.Context(), file, sqlstore.WithClock(clock), sqlstore.WithMasterKey(newKey))
		if err != nil {
			t.Fatalf("reopening with the new key: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		e.store = st
		id, err := e.sealedReveal(e.ha, s)
		if err != nil || !sameSealedIdentity(*id, sealedCanary) {
			t.Fatalf("reveal after reopening with the new key: %v, %v", id, err)
		}
		e.verify("after reopening with the new key")
	})
}

func TestSealed_DeconflictionAcrossUnits(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		north := e.sealedRegister(e.ha, tandem.Identity{LegalName: "Séan  O'Brien", DateOfBirth: "1984-07-21", Address: "2 Quay Street",
			PhoneNumbers: []string{"+447700900201"}})
		if n := len(e.sourceAlerts(north, tandem.RuleDeconfliction, "")); n != 0 {
			t.Fatalf("a first registration raised %d DECONFLICTION alerts", n)
		}
		south := e.sealedRegister(e.south, tandem.Identity{LegalName: "sean obrien", DateOfBirth: "1984-07-21", Address: "elsewhere",
			PhoneNumbers: []string{"+447700900202"}})
		// Another person: the same name, another date of birth.
		namesake := e.sealedRegister(e.hb, tandem.Identity{LegalName: "Sean O'Brien", DateOfBirth: "1991-02-03"})

		forbidden := []string{north.Reference, south.Reference, north.ID, south.ID, "1984-07-21", "O'Brien", "obrien", "sean", "Séan", "Quay"}
		for _, c := range []struct {
			src        *tandem.Source
			otherUnit  string
			otherSrcID string
		}{{north, "south", south.ID}, {south, "north", north.ID}} {
			as := e.sourceAlerts(c.src, tandem.RuleDeconfliction, "")
			if len(as) != 1 {
				t.Fatalf("source of unit %s: %d DECONFLICTION alerts, want 1: %+v", c.src.Unit, len(as), as)
			}
			msg := as[0].Message
			if !strings.Contains(msg, c.otherUnit) {
				t.Errorf("the alert on the %s source does not name the other unit %q: %q", c.src.Unit, c.otherUnit, msg)
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(msg), strings.ToLower(f)) {
					t.Errorf("the alert on the %s source names %q: %q", c.src.Unit, f, msg)
				}
			}
			if as[0].SourceID != c.src.ID {
				t.Errorf("the alert is on source %s, want %s", as[0].SourceID, c.src.ID)
			}
		}
		if n := len(e.sourceAlerts(namesake, tandem.RuleDeconfliction, "")); n != 0 {
			t.Errorf("a namesake with another date of birth raised %d DECONFLICTION alerts", n)
		}
		if n := len(e.sourceAlerts(north, tandem.RuleDeconfliction, "")); n != 1 {
			t.Errorf("the namesake added DECONFLICTION alerts to the first source: %d", n)
		}
		// Each unit's officers see their own source's alert only.
		for _, a := range e.alerts(e.south, tandem.AlertFilter{Rule: tandem.RuleDeconfliction}) {
			if a.SourceID != south.ID {
				t.Errorf("the south handler sees a DECONFLICTION alert on source %s", a.SourceID)
			}
		}
		// Every count a handler sees counts only what the handler may see:
		// that another unit runs the person is not a handler's to know,
		// not even as one more open alert.
		for _, c := range []struct {
			who *tandem.Officer
			src *tandem.Source
		}{{e.south, south}, {e.ha, north}, {e.controller, north}} {
			who := c.who
			visible := len(e.alerts(who, tandem.AlertFilter{SourceID: c.src.ID, Status: tandem.AlertOpen}))
			deconfliction := len(e.alerts(who, tandem.AlertFilter{SourceID: c.src.ID, Rule: tandem.RuleDeconfliction}))
			if overseer := who == e.controller; (deconfliction == 1) != overseer {
				t.Errorf("%s sees %d DECONFLICTION alerts on the source", who.Username, deconfliction)
			}
			got, err := e.store.FindSource(e.as(who), c.src.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.OpenAlerts != visible {
				t.Errorf("%s: the source shows %d open alerts; %d are theirs to see", who.Username, got.OpenAlerts, visible)
			}
			page, err := e.store.PageSources(e.as(who), 0, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, src := range page.Sources {
				if src.ID == c.src.ID && src.OpenAlerts != visible {
					t.Errorf("%s: the sources list shows %d open alerts; %d are theirs to see", who.Username, src.OpenAlerts, visible)
				}
			}
		}
		e.verify("after deconfliction")
	})
}

func TestSealed_SourcesByPhoneAnySpelling(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.sealedRegister(e.ha, tandem.Identity{LegalName: "Phoebe Dialtone", DateOfBirth: "1990-01-01", PhoneNumbers: []string{"+44 7700 900123"}})
		other := e.sealedRegister(e.hb, tandem.Identity{LegalName: "Rufus Ringback", DateOfBirth: "1992-02-02", PhoneNumbers: []string{"+44 7700 900124"}})
		for _, spelling := range []string{"+44 7700 900123", "0044 7700-900123", "+447700900123", "(+44) 7700 900 123", "+44.7700.900.123"} {
			ids, err := e.store.SourcesByPhone(e.system(), spelling)
			if err != nil {
				t.Fatalf("SourcesByPhone(%q): %v", spelling, err)
			}
			if !slices.Equal(ids, []string{s.ID}) {
				t.Errorf("SourcesByPhone(%q) = %v, want [%s]", spelling, ids, s.ID)
			}
		}
		for _, n := range []string{"+44 7700 900125", "+44 7700 90012", "+1 7700 900123", ""} {
			ids, err := e.store.SourcesByPhone(e.system(), n)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 0 {
				t.Errorf("SourcesByPhone(%q) = %v, want none", n, ids)
			}
		}
		if ids, _ := e.store.SourcesByPhone(e.system(), "0044 7700 900124"); !slices.Equal(ids, []string{other.ID}) {
			t.Errorf("the other number finds %v, want [%s]", ids, other.ID)
		}
	})
}

func TestSealed_LegacyPlaintextSealedOnOpen(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		legacy := tandem.Identity{
			LegalName: "Lavinia Oddbody-Legacy", Aliases: []string{"Vinny Oddsocks"}, DateOfBirth: "1969-12-24",
			Address: "3 Plaintext Passage, Oldcastle", PhoneNumbers: []string{"+447700900555"}, RecruitmentCircumstances: "Found in the 2019 paper ledger of the old unit",
		}
		const id = "legacy0000000000000000000000001"
		_, err := e.db.raw.Exec(e.db.dialect.Rebind(`INSERT INTO sources (id, reference, gender, required_officer_gender, status, unit, legal_name, aliases, date_of_birth, address, phone_numbers, recruited_on, recruitment_circumstances, created_at, created_by)
			VALUES (?, 'S-2019-0001', 'female', '', 'authorised', 'north', ?, ?, ?, ?, ?, '2019-05-01', ?, '2019-05-01T10:00:00.000000Z', 'cli')`),
			id, legacy.LegalName, `["Vinny Oddsocks"]`, legacy.DateOfBirth, legacy.Address, `["+447700900555"]`, legacy.RecruitmentCircumstances)
		if err != nil {
			t.Fatalf("insert the legacy row: %v", err)
		}
		// An old version numbered the reference as this one does.
		if _, err := e.db.raw.Exec(`INSERT INTO counters (name, value) VALUES ('source_reference:2019', 1)`); err != nil {
			t.Fatal(err)
		}
		canaries := sealedStrings(legacy)
		// The test wrote the plaintext where an old version would have.
		if file := e.sealedDBFile(); file != "" {
			found := false
			for _, f := range []string{file, file + "-wal"} {
				b, _ := os.ReadFile(f)
				found = found || bytes.Contains(b, []byte(legacy.LegalName))
			}
			if !found {
				t.Fatalf("the legacy plaintext is not in the files to begin with: the test proves nothing")
			}
		}

		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }))
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		e.store = st

		var cols [6]string
		q := `SELECT ` + strings.Join(sealedColumns, ", ") + ` FROM sources WHERE id = ?`
		if err := e.db.raw.QueryRow(e.db.dialect.Rebind(q), id).Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		for i, v := range cols {
			if !strings.HasPrefix(v, "s1.") {
				t.Errorf("after reopening, %s is still %q", sealedColumns[i], v)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM source_keys WHERE source_id = ?`, id); n != 1 {
			t.Errorf("%d data keys for the legacy source, want 1", n)
		}
		got, err := e.store.RevealIdentity(e.as(e.controller), id, "reviewing the legacy file")
		if err != nil {
			t.Fatalf("reveal the legacy source: %v", err)
		}
		if !sameSealedIdentity(*got, legacy) {
			t.Errorf("reveal = %+v, want %+v", *got, legacy)
		}
		if ids, _ := e.store.SourcesByPhone(e.system(), "0044 7700 900555"); !slices.Equal(ids, []string{id}) {
			t.Errorf("the legacy number finds %v, want the legacy source", ids)
		}
		if n := e.sealedActions(id)["source.seal"]; n != 1 {
			t.Errorf("%d source.seal entries, want 1", n)
		}
		e.sealedNotInFiles("after the legacy row was sealed", canaries)
		e.verify("after sealing the legacy row")

		// Opening again seals nothing more.
		head := e.auditHead()
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		st2, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st2.Close() })
		e.store = st2
		if h := e.auditHead(); h != head {
			t.Errorf("a second opening wrote %d audit entries", h-head)
		}
	})
}

// TestSealed_LegacyRowWithUnreadablePhone: an older version took any text
// of up to 32 characters as a phone number. A legacy row holding one that
// is not a number as the store now reads them must still be sealed on
// open, and the store must still open: a data folder an upgrade cannot open
// leaves every legacy identity in clear.
func TestSealed_LegacyRowWithUnreadablePhone(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		legacy := tandem.Identity{LegalName: "Barnaby Oldformat", Aliases: []string{}, DateOfBirth: "1975-05-05", Address: "The Old Forge",
			PhoneNumbers: []string{"+447700900556", "via his sister, ask for B"}, RecruitmentCircumstances: "Pre-dates the sealed store"}
		const id = "legacy0000000000000000000000002"
		_, err := e.db.raw.Exec(e.db.dialect.Rebind(`INSERT INTO sources (id, reference, gender, required_officer_gender, status, unit, legal_name, aliases, date_of_birth, address, phone_numbers, recruited_on, recruitment_circumstances, created_at, created_by)
			VALUES (?, 'S-2019-0002', 'male', '', 'authorised', 'north', ?, '[]', ?, ?, ?, '2019-05-01', ?, '2019-05-01T10:00:00.000000Z', 'cli')`),
			id, legacy.LegalName, legacy.DateOfBirth, legacy.Address, `["+447700900556","via his sister, ask for B"]`, legacy.RecruitmentCircumstances)
		if err != nil {
			t.Fatalf("insert the legacy row: %v", err)
		}
		// An old version numbered the reference as this one does.
		if _, err := e.db.raw.Exec(`INSERT INTO counters (name, value) VALUES ('source_reference:2019', 2)`); err != nil {
			t.Fatal(err)
		}
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }))
		if err != nil {
			t.Fatalf("the store does not open over a legacy row with an unreadable phone number: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		e.store = st
		var name string
		if err := e.db.raw.QueryRow(e.db.dialect.Rebind(`SELECT legal_name FROM sources WHERE id = ?`), id).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "s1.") {
			t.Errorf("the legacy row is still in clear: legal_name %q", name)
		}
		got, err := e.store.RevealIdentity(e.as(e.controller), id, "reviewing the legacy file")
		if err != nil {
			t.Fatalf("reveal: %v", err)
		}
		if !sameSealedIdentity(*got, legacy) {
			t.Errorf("reveal = %+v, want %+v", *got, legacy)
		}
		if ids, _ := e.store.SourcesByPhone(e.system(), "+44 7700 900556"); !slices.Equal(ids, []string{id}) {
			t.Errorf("the legacy source's readable number finds %v", ids)
		}
		e.sealedNotInFiles("after sealing", sealedStrings(legacy))
		e.verify("after sealing the legacy row")
	})
}
