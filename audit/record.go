package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// Row is one database row as column name to value; a nil value is SQL NULL.
type Row map[string]*string

// RecordHash hashes a record: its own row and the rows of its children
// (such as the officers present at a contact), each written canonically, so
// that any change to any column, or a child added or removed, changes the
// hash. A NULL column is left out, so that a migration adding a nullable
// column leaves every existing record's hash as it was; a NULL still differs
// from an empty string, which is written.
func RecordHash(objectType string, row Row, children map[string][]Row) string {
	var b strings.Builder
	b.WriteString("record:")
	b.WriteString(objectType)
	b.WriteByte('\n')
	writeRow(&b, row)
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rows := make([]string, 0, len(children[n]))
		for _, r := range children[n] {
			var rb strings.Builder
			writeRow(&rb, r)
			rows = append(rows, rb.String())
		}
		sort.Strings(rows)
		b.WriteString("child:")
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(len(rows)))
		b.WriteByte('\n')
		for _, r := range rows {
			b.WriteString(r)
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

func writeRow(b *strings.Builder, row Row) {
	cols := make([]string, 0, len(row))
	for c, v := range row {
		if v != nil {
			cols = append(cols, c)
		}
	}
	sort.Strings(cols)
	b.WriteString(strconv.Itoa(len(cols)))
	b.WriteByte('{')
	for _, c := range cols {
		b.WriteString(strconv.Itoa(len(c)))
		b.WriteByte(':')
		b.WriteString(c)
		v := row[c]
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(len(*v)))
		b.WriteByte(':')
		b.WriteString(*v)
		b.WriteByte(';')
	}
	b.WriteString("}\n")
}
