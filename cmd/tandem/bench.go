package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"tandem/bench"
	"tandem/synthetic"
)

// benchSeed loads a deterministic synthetic force into an empty store
// (CONTRACT "Scale"), with a progress line on stderr now and then and a
// one-line summary on stdout.
func (m *Main) benchSeed(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("bench seed", flag.ContinueOnError)
	var o synthetic.Options
	fs.IntVar(&o.Sources, "sources", 200, "how many sources")
	fs.IntVar(&o.Officers, "officers", 40, "how many officers (about twenty to a unit)")
	fs.IntVar(&o.Contacts, "contacts", 10000, "how many contacts, about two a week per source, ending now")
	fs.IntVar(&o.Calls, "calls", 0, "how many call records")
	fs.Int64Var(&o.Seed, "seed", 1, "the seed: the same seed makes the same force")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	o.End = m.Clock.Now()
	if err := o.Validate(); err != nil {
		return usagef("%s", oneLine(err))
	}
	clock := &pinnableClock{base: m.Clock}
	// Only warnings reach stderr: the progress lines are the story.
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := m.openWithClock(ctx, g, log, clock, true)
	if err != nil {
		return err
	}
	defer store.Close()
	o.Progress = m.Stderr
	if m.Stderr == nil {
		o.Progress = io.Discard
	}
	sum, err := synthetic.Load(ctx, store, clock.pin, o)
	clock.release()
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, sum.String())
	return nil
}

// benchRun measures Tandem at a force's scale through this very binary:
// it seeds the stores it needs (kept in --dir for the next run), starts
// servers on them and the ceiling beside them, and prints the report as
// Markdown on stdout, the progress on stderr.
func (m *Main) benchRun(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("bench run", flag.ContinueOnError)
	dir := fs.String("dir", "tandem-bench", "where the seeded stores are kept between runs")
	sizes := fs.String("contacts", "200000,2000000", "the stores' contacts, smallest first, comma-separated")
	sources := fs.Int("sources", 20000, "the force's sources")
	officers := fs.Int("officers", 2000, "the force's officers")
	rounds := fs.Int("rounds", 5, "rounds of every figure")
	seconds := fs.Int("seconds", 10, "seconds of each load round")
	requests := fs.Int("requests", 30, "requests timed per page and round")
	lines := fs.Int("import-lines", 1_000_000, "lines of each call-record file imported")
	postgres := fs.String("postgres", "", "a PostgreSQL server's URL whose user may create databases, to measure recording there too")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	var plan bench.Plan
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return usagef("--contacts: %q is not a number of contacts", s)
		}
		plan.Sizes = append(plan.Sizes, n)
	}
	if *rounds < 1 || *seconds < 1 || *requests < 1 || *lines < 1 {
		return usagef("bench run: --rounds, --seconds, --requests and --import-lines must be at least 1")
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	plan.Binary, plan.Dir, plan.Sources, plan.Officers = bin, *dir, *sources, *officers
	plan.Rounds, plan.Seconds, plan.Requests, plan.ImportLines, plan.Postgres = *rounds, *seconds, *requests, *lines, *postgres
	plan.Progress = m.Stderr
	rep, err := bench.Run(ctx, plan)
	if err != nil {
		return err
	}
	rep.Markdown(m.Stdout)
	return nil
}

// benchCeiling serves the bare handler the benchmarks measure Tandem
// beside (bench run starts it).
func (m *Main) benchCeiling(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("bench ceiling", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	return bench.Ceiling(ctx, *listen, m.Stdout)
}
