package audit_test

import (
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/audit"
)

var t0 = time.Date(2025, time.March, 10, 9, 0, 0, 123456789, time.UTC)

// sealed returns a good chain of n entries, each changing one record.
func sealed(n int) []*tandem.AuditEvent {
	var out []*tandem.AuditEvent
	var prev *tandem.AuditEvent
	for i := range n {
		e := &tandem.AuditEvent{At: t0.Add(time.Duration(i) * time.Minute), Actor: "officer-1", Action: "contact.record",
			ObjectType: "contact", ObjectID: "c" + string(rune('a'+i%3)), Reason: "", RecordHash: strings.Repeat(string(rune('0'+i%10)), 64)}
		audit.Seal(e, prev)
		out = append(out, e)
		prev = e
	}
	return out
}

// copyOf returns a deep enough copy of entries: Next must judge what it is
// given, not entries shared with other cases.
func copyOf(es []*tandem.AuditEvent) []*tandem.AuditEvent {
	out := make([]*tandem.AuditEvent, len(es))
	for i, e := range es {
		c := *e
		out[i] = &c
	}
	return out
}

func TestChainNext(t *testing.T) {
	for _, tc := range []struct {
		name string
		// change spoils a good chain of five entries.
		change func(es []*tandem.AuditEvent) []*tandem.AuditEvent
		// bad is the sequence number of the entry Next refuses (0: none),
		// and want what its error must say.
		bad  int64
		want []string
	}{
		{"good chain", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { return es }, 0, nil},
		{"actor altered", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { es[2].Actor = "someone-else"; return es }, 3,
			[]string{"audit entry 3:", "altered"}},
		{"record hash altered", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { es[1].RecordHash = "ff"; return es }, 2,
			[]string{"audit entry 2:", "altered"}},
		{"time altered by a second", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { es[3].At = es[3].At.Add(time.Second); return es }, 4,
			[]string{"audit entry 4:", "altered"}},
		{"reason and object id changed", func(es []*tandem.AuditEvent) []*tandem.AuditEvent {
			es[0].Reason, es[0].ObjectID = "x", es[0].ObjectID[:len(es[0].ObjectID)-1]+"x"
			return es
		}, 1, []string{"audit entry 1:", "altered"}},
		{"gap in the middle", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { return append(es[:2:2], es[3:]...) }, 4,
			[]string{"audit entry 4:", "expected entry 3", "removed"}},
		{"first entry missing", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { return es[1:] }, 2,
			[]string{"audit entry 2:", "expected entry 1"}},
		{"two entries reordered", func(es []*tandem.AuditEvent) []*tandem.AuditEvent {
			es[1], es[2] = es[2], es[1]
			return es
		}, 3, []string{"audit entry 3:", "expected entry 2"}},
		{"wrong previous hash, rehashed", func(es []*tandem.AuditEvent) []*tandem.AuditEvent {
			es[3].PrevHash = strings.Repeat("a", 64)
			es[3].Hash = audit.Hash(es[3])
			return es
		}, 4, []string{"audit entry 4:", "previous hash", "entry 3"}},
		{"first entry not after genesis", func(es []*tandem.AuditEvent) []*tandem.AuditEvent {
			es[0].PrevHash = es[4].Hash
			es[0].Hash = audit.Hash(es[0])
			return es
		}, 1, []string{"audit entry 1:", "previous hash"}},
		{"entry replaced by a resealed forgery", func(es []*tandem.AuditEvent) []*tandem.AuditEvent {
			// Resealing entry 2 after a change gives it a new hash, which
			// entry 3 does not point at.
			es[1].Reason = "nothing to see"
			audit.Seal(es[1], es[0])
			return es
		}, 3, []string{"audit entry 3:", "previous hash"}},
		{"hash field blanked", func(es []*tandem.AuditEvent) []*tandem.AuditEvent { es[4].Hash = ""; return es }, 5,
			[]string{"audit entry 5:", "altered"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.change(copyOf(sealed(5)))
			c := audit.NewChain()
			var bad int64
			var err error
			good := 0 // entries accepted before the refusal
			for _, e := range es {
				if err = c.Next(e); err != nil {
					bad = e.Seq
					break
				}
				good++
			}
			if bad != tc.bad {
				t.Fatalf("Next refused entry %d (%v), want %d", bad, err, tc.bad)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tc.bad == 0 {
				if c.Count() != 5 || c.Head() != es[4] {
					t.Errorf("count %d head %v, want 5 and the last entry", c.Count(), c.Head())
				}
				return
			}
			// The chain stays where the last good entry left it.
			if c.Count() != int64(good) || (good > 0 && c.Head() != es[good-1]) || (good == 0 && c.Head() != nil) {
				t.Errorf("count %d head %v after a refusal, want %d entries", c.Count(), c.Head(), good)
			}
		})
	}
}

func TestChain_RemembersLatestRecordHash(t *testing.T) {
	es := sealed(5) // objects ca, cb, cc, ca, cb
	note := &tandem.AuditEvent{At: t0, Actor: "officer-2", Action: "source.identity.reveal", ObjectType: "contact", ObjectID: "ca"}
	audit.Seal(note, es[4])
	es = append(es, note)
	c := audit.NewChain()
	for _, e := range es {
		if err := c.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		id   string
		seq  int64
		hash string
	}{
		{"ca", 4, es[3].RecordHash}, // the note, with no record hash, does not count
		{"cb", 5, es[4].RecordHash},
		{"cc", 3, es[2].RecordHash},
	} {
		l, ok := c.Record("contact", tc.id)
		if !ok || l.Seq != tc.seq || l.RecordHash != tc.hash {
			t.Errorf("Record(contact, %s) = %+v %v, want entry %d", tc.id, l, ok, tc.seq)
		}
	}
	if _, ok := c.Record("source", "ca"); ok {
		t.Errorf("Record found a source that no entry recorded")
	}
	var keys []string
	c.Records(func(k string, _ audit.Last) { keys = append(keys, k) })
	if strings.Join(keys, ",") != "contact/ca,contact/cb,contact/cc" {
		t.Errorf("Records keys = %v, want the three contacts in order", keys)
	}
}

func TestSeal_TruncatesToStoredPrecision(t *testing.T) {
	e := &tandem.AuditEvent{At: t0.In(time.FixedZone("CET", 3600)), Actor: "a", Action: "b", ObjectType: "c", ObjectID: "d"}
	audit.Seal(e, nil)
	if e.Seq != 1 || e.PrevHash != audit.GenesisHash {
		t.Fatalf("first entry seq %d prev %s, want 1 after genesis", e.Seq, e.PrevHash)
	}
	if e.At.Nanosecond()%1000 != 0 || e.At.Location() != time.UTC {
		t.Errorf("sealed time %v, want UTC microseconds", e.At)
	}
	// An entry read back from a database, at microsecond precision, must
	// still verify.
	back, err := time.Parse(audit.TimeLayout, e.At.Format(audit.TimeLayout))
	if err != nil {
		t.Fatal(err)
	}
	read := *e
	read.At = back
	if err := audit.NewChain().Next(&read); err != nil {
		t.Errorf("entry read back at stored precision: %v", err)
	}
}
