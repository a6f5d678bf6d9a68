package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"tandem/metrics"
)

// metricsServer serves GET /metrics, and nothing else, on an address of
// its own (serve --metrics-listen), so that the monitoring network can
// reach the metrics without reaching the app, and the app's users never
// see them. Plain HTTP: the metrics hold no source, officer or username,
// only route patterns, status codes, rule codes, counts and durations.
type metricsServer struct {
	addr   net.Addr
	ln     net.Listener
	server *http.Server
	log    *slog.Logger
}

// listenMetrics opens the metrics' listening socket, so that the caller
// knows the address (useful with port 0) before serving.
func listenMetrics(addr string, mx *metrics.Metrics, log *slog.Logger) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mx.Handler())
	return &metricsServer{addr: ln.Addr(), ln: ln, log: log, server: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}, nil
}

// serve serves until shutdown or close. The app goes on if the metrics
// fail: the log says so.
func (s *metricsServer) serve() {
	if err := s.server.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("metrics server failed", slog.String("error", err.Error()))
	}
}

// shutdown stops accepting scrapes and waits for those in flight.
func (s *metricsServer) shutdown(ctx context.Context) {
	if err := s.server.Shutdown(ctx); err != nil {
		s.log.Warn("metrics server shutdown", slog.String("error", err.Error()))
	}
}

// close stops at once, as when serve returns early; after shutdown it
// does nothing.
func (s *metricsServer) close() {
	s.server.Close()
	s.ln.Close()
}
