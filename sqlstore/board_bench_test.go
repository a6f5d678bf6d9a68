package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"tandem"
	"tandem/sqlstore"
)

// BenchmarkEarlyWarning_200SourcesAYear times the early-warning board for a
// unit of 200 sources with a year of history: about 100 contacts and 50
// calls per source. The target is under 200 ms.
func BenchmarkEarlyWarning_200SourcesAYear(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := tandem.ClockFunc(func() time.Time { return now })
	path := filepath.Join(b.TempDir(), "tandem.db")
	store, err := sqlstore.OpenSQLite(ctx, path, sqlstore.WithClock(clock), sqlstore.WithLogger(slog.New(slog.DiscardHandler)), sqlstore.WithMasterKey(testMasterKey))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	cli := tandem.NewContextWithOfficer(ctx, &tandem.Officer{ID: "cli", Roles: []tandem.Role{tandem.RoleAdmin}})
	mk := func(u, gender string, role tandem.Role) *tandem.Officer {
		o, err := store.CreateOfficer(cli, tandem.OfficerCreate{Username: u, Name: u, Gender: gender, Unit: "north", Roles: []tandem.Role{role}, Dedicated: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.AddTraining(cli, o.ID, tandem.TrainingCreate{Course: "basic", Hours: 70, CompletedOn: "2024-01-01", CoversRiskManagement: true}); err != nil {
			b.Fatal(err)
		}
		return o
	}
	ctrl := mk("ctrl", "female", tandem.RoleController)
	var handlers []*tandem.Officer
	for i := 0; i < 20; i++ {
		handlers = append(handlers, mk(fmt.Sprintf("h%02d", i), []string{"female", "male"}[i%2], tandem.RoleHandler))
	}
	as := func(o *tandem.Officer) context.Context { return tandem.NewContextWithOfficer(ctx, o) }
	rnd := rand.New(rand.NewSource(1))
	type pair struct{ source, a, b string }
	var pairs []pair
	for i := 0; i < 200; i++ {
		h1, h2 := handlers[i%20], handlers[(i+7)%20]
		s, err := store.CreateSource(as(h1), tandem.SourceCreate{Gender: "female", Unit: "north", RecruitedOn: "2025-06-01",
			Identity: tandem.Identity{LegalName: fmt.Sprintf("Person %d", i), DateOfBirth: "1990-01-01", PhoneNumbers: []string{fmt.Sprintf("+4477009%05d", i)}}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.Assign(as(ctrl), s.ID, h2.ID, tandem.AssignCoHandler); err != nil {
			b.Fatal(err)
		}
		pairs = append(pairs, pair{s.ID, h1.ID, h2.ID})
	}
	// A year of contacts and calls, written straight into the tables: the
	// board reads them, and building them through the services would take
	// minutes for nothing the benchmark measures.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
	n := 0
	for _, p := range pairs {
		for j := 0; j < 100; j++ {
			n++
			at := now.Add(-time.Duration(rnd.Intn(365*24)) * time.Hour)
			id := fmt.Sprintf("c%07d", n)
			kind, officers := "phone", []string{p.a}
			if j%3 == 0 {
				kind, officers = "meeting", []string{p.a, p.b}
			}
			indicators := "[]"
			if rnd.Intn(50) == 0 {
				indicators = `["out_of_hours"]`
			}
			if _, err := tx.Exec(`INSERT INTO contacts (id, source_id, kind, occurred_at, duration_minutes, location, summary, indicators, meeting_id, documented_at, documented_by, late, findings) VALUES (?, ?, ?, ?, 10, '', 'x', ?, NULL, ?, ?, ?, '[]')`,
				id, p.source, kind, ts(at), indicators, ts(at.Add(2*time.Hour)), p.a, boolInt(rnd.Intn(40) == 0)); err != nil {
				b.Fatal(err)
			}
			for _, o := range officers {
				if _, err := tx.Exec(`INSERT INTO contact_officers (contact_id, officer_id) VALUES (?, ?)`, id, o); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if _, err := tx.Exec(`INSERT INTO call_imports (id, format, imported_at, imported_by) VALUES ('imp', 'asterisk', ?, 'cli')`, ts(now)); err != nil {
		b.Fatal(err)
	}
	for i, p := range pairs {
		for j := 0; j < 50; j++ {
			at := now.Add(-time.Duration(rnd.Intn(365*24*60)) * time.Minute)
			if _, err := tx.Exec(`INSERT INTO calls (id, import_id, dedup_key, source_id, officer_id, direction, started_at, duration, billsec) VALUES (?, 'imp', ?, ?, ?, 'out', ?, ?, ?)`,
				fmt.Sprintf("k%d.%d", i, j), fmt.Sprintf("d%d.%d", i, j), p.source, p.a, ts(at), 300, 290); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pairsOut, err := store.EarlyWarning(as(ctrl), 365)
		if err != nil {
			b.Fatal(err)
		}
		if len(pairsOut) != 400 {
			b.Fatalf("%d pairs, want 400", len(pairsOut))
		}
	}
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}
