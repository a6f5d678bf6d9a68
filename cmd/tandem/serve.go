package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"tandem"
	tandemhttp "tandem/http"
	"tandem/sqlstore"
)

// sweepEvery is how often the server re-evaluates the rules that time alone
// can breach.
const sweepEvery = time.Minute

func (m *Main) serve(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	demo := fs.Bool("demo", false, "load the demo unit into an empty store")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *demo {
		return usagef("serve --demo: the demo unit is not built yet; run serve without --demo")
	}
	log := m.logger()
	store, err := m.open(ctx, g, log)
	if err != nil {
		return err
	}
	defer store.Close()

	srv := tandemhttp.NewServer(services(store), log, m.Clock)
	addr, err := srv.Listen(*listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	url := "http://" + addr.String()
	fmt.Fprintf(m.Stdout, "Tandem is serving at %s (API at %s%s)\n", url, url, tandemhttp.APIBase)
	if empty, err := store.Empty(ctx); err != nil {
		return err
	} else if empty {
		fmt.Fprintf(m.Stdout, "No accounts yet. Create the first administrator:\n  tandem user add --data %s --username admin --name \"Administrator\" --gender female --roles admin --password-stdin\n", g.data)
	}

	sweepCtx, stopSweep := context.WithCancel(context.Background())
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		m.sweepLoop(sweepCtx, store, log)
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	if m.Listening != nil {
		m.Listening(url)
	}
	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = srv.Shutdown(shutCtx)
		cancel()
		if err == nil {
			err = <-served
		}
	}
	stopSweep()
	<-sweepDone
	return err
}

// sweepLoop sweeps at start-up and then every sweepEvery until ctx ends.
func (m *Main) sweepLoop(ctx context.Context, store *sqlstore.Store, log *slog.Logger) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		if err := store.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("sweep failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func services(s *sqlstore.Store) tandemhttp.Services {
	return tandemhttp.Services{Officers: s, Tokens: s, Sources: s, Contacts: s, Risks: s, Alerts: s, Compliance: s, Audit: s, Ping: s.Ping}
}

var _ tandem.Sweeper = (*sqlstore.Store)(nil)
