package http

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestStatusWriter_DeadlinesReachTheConnection: a long call-record import
// extends its connection's deadlines through http.ResponseController; the
// middleware's writer must let it through, or the import is cut off at the
// server's usual deadline.
func TestStatusWriter_DeadlinesReachTheConnection(t *testing.T) {
	errs := make(chan error, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(&statusWriter{ResponseWriter: w})
		errs <- rc.SetReadDeadline(time.Now().Add(time.Hour))
		errs <- rc.SetWriteDeadline(time.Now().Add(time.Hour))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a deadline through the middleware's writer: %v", err)
		}
	}
}
