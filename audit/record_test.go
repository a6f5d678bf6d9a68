package audit_test

import (
	"testing"

	"tandem/audit"
)

func s(v string) *string { return &v }

// contact is a contact row and its officers, as sqlstore hashes them.
func contact() (audit.Row, map[string][]audit.Row) {
	row := audit.Row{"id": s("c1"), "summary": s("met"), "location": s(""), "duration_minutes": nil, "late": s("0")}
	kids := map[string][]audit.Row{"contact_officers": {
		{"contact_id": s("c1"), "officer_id": s("o1")},
		{"contact_id": s("c1"), "officer_id": s("o2")},
	}}
	return row, kids
}

func TestRecordHash(t *testing.T) {
	baseRow, baseKids := contact()
	base := audit.RecordHash("contact", baseRow, baseKids)
	for _, tc := range []struct {
		name   string
		change func(row audit.Row, kids map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row)
		same   bool
	}{
		{"unchanged", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			return "contact", r, k
		}, true},
		{"column changed", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["summary"] = s("did not meet")
			return "contact", r, k
		}, false},
		{"NULL becomes empty string", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["duration_minutes"] = s("")
			return "contact", r, k
		}, false},
		{"empty string becomes NULL", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["location"] = nil
			return "contact", r, k
		}, false},
		{"NULL becomes the text null", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["duration_minutes"] = s("null")
			return "contact", r, k
		}, false},
		{"column added", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["extra"] = s("")
			return "contact", r, k
		}, false},
		{"NULL column added, as by a migration", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["extra"] = nil
			return "contact", r, k
		}, true},
		{"column renamed", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			r["summary2"], r["summary"] = r["summary"], nil
			delete(r, "summary")
			return "contact", r, k
		}, false},
		{"text moved between neighbouring columns", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			// late="0", location="" becomes late="", location="0".
			r["late"], r["location"] = s(""), s("0")
			return "contact", r, k
		}, false},
		{"other object type", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			return "meeting", r, k
		}, false},
		{"child row added", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			k["contact_officers"] = append(k["contact_officers"], audit.Row{"contact_id": s("c1"), "officer_id": s("o3")})
			return "contact", r, k
		}, false},
		{"child row removed", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			k["contact_officers"] = k["contact_officers"][:1]
			return "contact", r, k
		}, false},
		{"child row changed", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			k["contact_officers"][1] = audit.Row{"contact_id": s("c1"), "officer_id": s("o9")}
			return "contact", r, k
		}, false},
		{"child row duplicated", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			k["contact_officers"] = append(k["contact_officers"], k["contact_officers"][0])
			return "contact", r, k
		}, false},
		{"children moved to another table", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			return "contact", r, map[string][]audit.Row{"meeting_officers": k["contact_officers"]}
		}, false},
		{"no children at all", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			return "contact", r, nil
		}, false},
		{"children in another order", func(r audit.Row, k map[string][]audit.Row) (string, audit.Row, map[string][]audit.Row) {
			cs := k["contact_officers"]
			cs[0], cs[1] = cs[1], cs[0]
			return "contact", r, k
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row, kids := contact()
			typ, row, kids := tc.change(row, kids)
			got := audit.RecordHash(typ, row, kids)
			if (got == base) != tc.same {
				t.Errorf("hash equal to the original = %v, want %v", got == base, tc.same)
			}
			if len(got) != 64 {
				t.Errorf("hash %q is not hex SHA-256", got)
			}
		})
	}
}

func TestRecordHash_EmptyChildListIsNoChildren(t *testing.T) {
	// A record whose child table has no rows reads back from the database
	// as nil or as an empty list alike: both must hash the same, or a
	// record with no children would fail verification.
	row, _ := contact()
	a := audit.RecordHash("contact", row, map[string][]audit.Row{"contact_officers": nil})
	b := audit.RecordHash("contact", row, map[string][]audit.Row{"contact_officers": {}})
	if a != b {
		t.Errorf("nil and empty child lists hash differently")
	}
}
