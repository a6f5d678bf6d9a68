package sqlstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem"
	"tandem/calls"
	"tandem/sqlstore"
)

// benchLines is the size of the Asterisk stream one import reads.
const benchLines = 200_000

// benchKeepEvery: one line in benchKeepEvery is a call between an officer's
// work phone and a source's registered number; the others are the force's
// other traffic, random numbers to be ignored.
const benchKeepEvery = 100

// cdrBench is a store with 20 officers with work phones and 50 sources
// with registered numbers.
type cdrBench struct {
	store      *sqlstore.Store
	controller *tandem.Officer
	now        atomic.Int64 // the store's clock, Unix seconds
	officers   []string     // work numbers, as the PBX writes them
	sources    []string
}

func newCDRBench(b *testing.B) *cdrBench {
	b.Helper()
	ctx := context.Background()
	cb := &cdrBench{}
	cb.now.Store(time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC).Unix())
	clock := tandem.ClockFunc(func() time.Time { return time.Unix(cb.now.Load(), 0).UTC() })
	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(b.TempDir(), "tandem.db"), sqlstore.WithClock(clock),
		sqlstore.WithLogger(slog.New(slog.DiscardHandler)), sqlstore.WithMasterKey(testMasterKey))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	cb.store = s
	as := func(o *tandem.Officer) context.Context { return tandem.NewContextWithOfficer(ctx, o) }
	admin, err := s.CreateOfficer(as(&tandem.Officer{ID: "cli", Roles: []tandem.Role{tandem.RoleAdmin}}),
		tandem.OfficerCreate{Username: "admin", Name: "Ada Admin", Gender: "female", Roles: []tandem.Role{tandem.RoleAdmin}})
	if err != nil {
		b.Fatal(err)
	}
	officer := func(username string, phones []string, role tandem.Role) *tandem.Officer {
		o, err := s.CreateOfficer(as(admin), tandem.OfficerCreate{Username: username, Name: "Officer " + username, Gender: "female",
			Unit: "north", Roles: []tandem.Role{role}, Dedicated: true, WorkPhones: phones})
		if err != nil {
			b.Fatal(err)
		}
		if role == tandem.RoleHandler {
			if _, err := s.AddTraining(as(admin), o.ID, tandem.TrainingCreate{Course: "Source handling", Hours: 70,
				CompletedOn: "2024-09-02", CoversRiskManagement: true}); err != nil {
				b.Fatal(err)
			}
		}
		return o
	}
	cb.controller = officer("ctrl", nil, tandem.RoleController)
	var handlers []*tandem.Officer
	for i := range 20 {
		// Registered "07700 9002NN", written by the PBX as +447700 9002NN.
		cb.officers = append(cb.officers, fmt.Sprintf("+44770090%04d", 200+i))
		handlers = append(handlers, officer(fmt.Sprintf("h%02d", i), []string{fmt.Sprintf("07700 90%04d", 200+i)}, tandem.RoleHandler))
	}
	for i := range 50 {
		// Registered "+44 7700 9005NN", written by the PBX as 077009005NN.
		cb.sources = append(cb.sources, fmt.Sprintf("0770090%04d", 500+i))
		_, err := s.CreateSource(as(handlers[i%len(handlers)]), tandem.SourceCreate{Gender: "female", Unit: "north", RecruitedOn: "2024-06-03",
			Identity: tandem.Identity{LegalName: fmt.Sprintf("Bench Source %d", i), DateOfBirth: fmt.Sprintf("1980-01-%02d", i%28+1),
				Address: "3 Mill Lane", PhoneNumbers: []string{fmt.Sprintf("+44 7700 90%04d", 500+i)}, RecruitmentCircumstances: "bench"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	return cb
}

// generate writes the iteration's stream: every line a call that starts
// 13 seconds after the one before, from base, on a London PBX clock (so
// the stream runs across a change of clocks for some iterations). Half the
// kept calls are answered. It returns the number of lines kept.
func (cb *cdrBench) generate(buf []byte, base time.Time, loc *time.Location, rng *rand.Rand) ([]byte, int) {
	const layout = "2006-01-02 15:04:05"
	buf = buf[:0]
	kept := 0
	random := func(b []byte) []byte {
		// 07911 and 020 ranges: never a registered number.
		if rng.IntN(3) == 0 {
			return fmt.Appendf(b, "020%08d", rng.IntN(100_000_000))
		}
		return fmt.Appendf(b, "07911%06d", rng.IntN(1_000_000))
	}
	var src, dst []byte
	for i := range benchLines {
		start := base.Add(time.Duration(i) * 13 * time.Second)
		duration := 10 + rng.IntN(1200)
		billsec := duration - 8
		if i%benchKeepEvery == 0 {
			o, s := cb.officers[rng.IntN(len(cb.officers))], cb.sources[rng.IntN(len(cb.sources))]
			if rng.IntN(2) == 0 {
				src, dst = append(src[:0], o...), append(dst[:0], s...)
			} else {
				src, dst = append(src[:0], s...), append(dst[:0], o...)
			}
			if rng.IntN(2) == 0 {
				billsec = 0
			}
			kept++
		} else {
			src, dst = random(src[:0]), random(dst[:0])
			if rng.IntN(4) == 0 {
				billsec = 0
			}
		}
		buf = append(buf, `"","`...)
		buf = append(buf, src...)
		buf = append(buf, `","`...)
		buf = append(buf, dst...)
		buf = append(buf, `","from-internal","""Caller"" <`...)
		buf = append(buf, src...)
		buf = fmt.Appendf(buf, `>","SIP/%d-%08x","SIP/trunk-%08x","Dial","SIP/trunk/`, 7000+i%50, i, i+1)
		buf = append(buf, dst...)
		buf = append(buf, `,60,tT","`...)
		buf = start.In(loc).AppendFormat(buf, layout)
		buf = append(buf, `",`...)
		if billsec > 0 {
			buf = append(buf, '"')
			buf = start.Add(8*time.Second).In(loc).AppendFormat(buf, layout)
			buf = append(buf, '"')
		}
		buf = append(buf, `,"`...)
		buf = start.Add(time.Duration(duration)*time.Second).In(loc).AppendFormat(buf, layout)
		buf = append(buf, `",`...)
		buf = strconv.AppendInt(buf, int64(duration), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(billsec), 10)
		if billsec > 0 {
			buf = append(buf, `,"ANSWERED","DOCUMENTATION","`...)
		} else {
			buf = append(buf, `,"NO ANSWER","DOCUMENTATION","`...)
		}
		buf = strconv.AppendInt(buf, start.Unix(), 10)
		buf = append(buf, '.')
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "\"\n"...)
	}
	return buf, kept
}

// BenchmarkImportCalls imports a month of a PBX's records, 200,000 lines,
// end to end: reading, matching, keeping about 2,000 calls and reconciling
// every one of them (each is older than 24 hours, so each answered call is
// judged and, undocumented, raises its alert). Each iteration imports a
// new month. Target: 200,000 lines per second or more.
func BenchmarkImportCalls(b *testing.B) {
	cb := newCDRBench(b)
	loc := cdrLondon(b)
	ctx := tandem.NewContextWithOfficer(context.Background(), cb.controller)
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	month := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var kept int
		buf, kept = cb.generate(buf, month, loc, rng)
		end := month.Add(benchLines * 13 * time.Second)
		cb.now.Store(end.Add(48 * time.Hour).Unix())
		month = end.Add(24 * time.Hour)
		src := calls.Source(calls.NewAsteriskReader(strings.NewReader(string(buf)), loc))
		b.StartTimer()
		res, err := cb.store.ImportCalls(ctx, "asterisk", src)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Lines != benchLines || res.Imported != kept || res.Ignored != benchLines-kept || len(res.Rejected) != 0 || res.Undocumented == 0 {
			b.Fatalf("import: %d lines, %d imported (want %d), %d ignored, %d undocumented, rejected %v", res.Lines, res.Imported, kept, res.Ignored, res.Undocumented, res.Rejected)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
