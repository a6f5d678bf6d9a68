package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"tandem"
	"tandem/demo"
	tandemhttp "tandem/http"
	"tandem/metrics"
	"tandem/sqlstore"
	"tandem/web"
)

// sweepEvery is how often the server re-evaluates the rules that time alone
// can breach.
const sweepEvery = time.Minute

func (m *Main) serve(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	withDemo := fs.Bool("demo", false, "load the demo unit into an empty store")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM), with --tls-key")
	tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
	metricsListen := fs.String("metrics-listen", "", "serve Prometheus metrics at /metrics on this address, apart from the app (none when empty)")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	if *tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey); err != nil {
			return usagef("serve: --tls-cert/--tls-key: %v", err)
		}
	}
	release, err := lockFolder(g.data, "one server per data folder")
	if err != nil {
		return err
	}
	defer release()
	log := m.logger()
	clock := &pinnableClock{base: m.Clock}
	store, err := m.openWithClock(ctx, g, log, clock, true)
	if err != nil {
		return err
	}
	defer store.Close()
	// Counted whether or not an address serves them: one way through the
	// code, at the cost of a counter per request.
	mx := metrics.New(store, log)
	timedCalls := mx.Calls(store)
	ui, err := web.New(web.Services{Sessions: store, Officers: store, Sources: store, Contacts: store, Risks: store, Alerts: store,
		Compliance: store, Audit: store, Calls: timedCalls, Warnings: store, Settings: store.Settings, Rules: store}, log, m.Clock)
	if err != nil {
		return err
	}
	empty, err := store.Empty(ctx)
	if err != nil {
		return err
	}
	if *withDemo {
		if empty {
			fmt.Fprintln(m.Stdout, "Loading the demo unit (a few seconds)...")
			err := demo.Load(ctx, store, clock.pin, m.Clock.Now())
			clock.release()
			if err != nil {
				return fmt.Errorf("load the demo: %w", err)
			}
		} else {
			fmt.Fprintln(m.Stdout, "The store is not empty: the demo is not loaded again.")
		}
	}

	svc := services(store)
	svc.Calls = timedCalls
	srv := tandemhttp.NewServer(svc, log, m.Clock)
	srv.UI, srv.UIError = ui.Pages(), ui.ErrorPage
	srv.Wrap(mx.Middleware)
	scheme := "http"
	if *tlsCert != "" {
		srv.UseTLS(*tlsCert, *tlsKey)
		ui.TLS = true
		scheme = "https"
	}
	// The metrics have an address of their own, which the app does not
	// answer on, nor this one the app.
	var metricsSrv *metricsServer
	if *metricsListen != "" {
		if metricsSrv, err = listenMetrics(*metricsListen, mx, log); err != nil {
			return usagef("--metrics-listen: %v", err)
		}
		defer metricsSrv.close()
		fmt.Fprintf(m.Stdout, "Metrics at http://%s/metrics\n", metricsSrv.addr)
	}
	addr, err := srv.Listen(*listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	// Off a loopback address Tandem must sit behind TLS: its cookies are
	// marked Secure, and a browser sends them over HTTPS only.
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && !ui.TLS {
		ui.SecureCookies = true
		fmt.Fprintln(m.Stderr, "tandem: serving beyond this machine: cookies are Secure, so put Tandem behind a proxy that ends TLS")
	}
	url := scheme + "://" + addr.String()
	fmt.Fprintf(m.Stdout, "Tandem is serving at %s (API at %s%s)\n", url, url, tandemhttp.APIBase)
	if *withDemo {
		fmt.Fprintf(m.Stdout, "DEMO accounts (password %s, no second factor): %s\n", demo.Password, strings.Join(demo.Accounts, ", "))
	} else if empty {
		fmt.Fprintf(m.Stdout, "No accounts yet. Create the first administrator:\n  tandem user add --data %s --username admin --name \"Administrator\" --gender female --roles admin --password-stdin\n", g.data)
	}

	sweepCtx, stopSweep := context.WithCancel(context.Background())
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		m.sweepLoop(sweepCtx, store, log, mx)
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	if metricsSrv != nil {
		go metricsSrv.serve()
	}
	if m.Listening != nil {
		m.Listening(url)
	}
	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = srv.Shutdown(shutCtx)
		if metricsSrv != nil {
			// Scraped to the end: a scrape in flight sees the last requests.
			metricsSrv.shutdown(shutCtx)
		}
		cancel()
		if err == nil {
			err = <-served
		}
	}
	stopSweep()
	<-sweepDone
	return err
}

// sweepLoop sweeps at start-up and then every sweepEvery until ctx ends,
// and tells mx how long each sweep took.
func (m *Main) sweepLoop(ctx context.Context, store *sqlstore.Store, log *slog.Logger, mx *metrics.Metrics) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		start := time.Now() // wall-clock: how long, not when
		err := store.Sweep(ctx)
		if ctx.Err() == nil {
			mx.ObserveSweep(time.Since(start), err)
			if err != nil {
				log.Error("sweep failed", slog.String("error", err.Error()))
			}
		}
		// At least every minute, a signed checkpoint of the audit chain.
		if err := store.Checkpoint(ctx, false); err != nil && ctx.Err() == nil {
			log.Error("checkpoint failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func services(s *sqlstore.Store) tandemhttp.Services {
	return tandemhttp.Services{Officers: s, Tokens: s, Sources: s, Contacts: s, Risks: s, Alerts: s, Compliance: s, Audit: s, Calls: s, Warnings: s, Settings: s, Ping: s.Ping}
}

var _ tandem.Sweeper = (*sqlstore.Store)(nil)

// pinnableClock is the store's clock: the real one, except while the demo
// loader pins it to the moment of each fictional event.
type pinnableClock struct {
	base   tandem.Clock
	mu     sync.Mutex
	pinned *time.Time
}

func (c *pinnableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned != nil {
		return *c.pinned
	}
	return c.base.Now()
}

func (c *pinnableClock) pin(t time.Time) {
	c.mu.Lock()
	c.pinned = &t
	c.mu.Unlock()
}

func (c *pinnableClock) release() {
	c.mu.Lock()
	c.pinned = nil
	c.mu.Unlock()
}
