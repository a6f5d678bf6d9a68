package web_test

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"tandem/front"
	"tandem/internal/testdb"
)

// TestPanic_APageThatFailsIsStillAPageWhoseScriptMayRun: a page that
// panics after the pages' layer set its CSP is answered, through the front
// door, as Tandem's error page (never a stack trace), whose script carries
// the nonce the answer's CSP admits: no refusal on the console.
func TestPanic_APageThatFailsIsStillAPageWhoseScriptMayRun(t *testing.T) {
	t.Parallel()
	a := newApp(t, testdb.SQLite)
	chain := front.Chain{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: a.clock, Page: a.ui.ErrorPage}
	h := chain.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-lost-with-the-panic'")
		panic("secret detail of the failure")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/sources", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body, "Something went wrong") || strings.Contains(body, "secret detail") {
		t.Fatalf("the failed page: %d %.300s", rec.Code, body)
	}
	csp := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(rec.Header().Get("Content-Security-Policy"))
	script := regexp.MustCompile(`<script nonce="([^"]+)"`).FindStringSubmatch(body)
	if csp == nil || script == nil || csp[1] != html.UnescapeString(script[1]) || csp[1] == "lost-with-the-panic" {
		t.Errorf("the page's script nonce %v does not match its CSP %q", script, rec.Header().Get("Content-Security-Policy"))
	}
}
