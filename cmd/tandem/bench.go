package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

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
