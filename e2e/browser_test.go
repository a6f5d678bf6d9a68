package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, the browser CI installs.
const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium with one tab on one server under test,
// signed in as at most one officer at a time.
type browser struct {
	t   *testing.T
	ctx context.Context
	srv *server
	// console gathers what the pages logged as errors: a script's
	// exception, console.error, a refusal by the CSP, a static file that
	// failed to load.
	console *consoleLog
}

// consoleLog is what a browser's pages logged as errors, in order.
type consoleLog struct {
	mu   sync.Mutex
	errs []string
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, s)
}

// take returns the errors logged since the last take, and forgets them.
func (c *consoleLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.errs
	c.errs = nil
	return out
}

// listen gathers a tab's errors. A network error counts only for a static
// file: the answer to the page itself may be a 4xx that the test asked for.
func (c *consoleLog) listen(ev any) {
	switch e := ev.(type) {
	case *cdplog.EventEntryAdded:
		if e.Entry == nil || e.Entry.Level != cdplog.EntryLevelError {
			return
		}
		if e.Entry.Source == cdplog.EntrySourceNetwork && !strings.Contains(e.Entry.URL, "/static/") {
			return
		}
		c.add(string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL)
	case *runtime.EventExceptionThrown:
		if e.ExceptionDetails != nil {
			c.add("exception: " + e.ExceptionDetails.Text)
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			c.add("console.error")
		}
	}
}

// newBrowser starts a fresh Chromium for t on srv, with its own profile,
// and closes it when t ends. A missing Chromium fails the test: CI installs
// it, and a skipped browser test would pass without testing anything.
func newBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is needed at %s for the browser tests: install Debian's package (apt-get install -y chromium): %v", chromiumPath, err)
	}
	profile := t.TempDir()
	// The flags the machine needs: without the background-networking ones,
	// Chromium keeps trying to reach Google's hosts on a closed network.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	// Cleanups run last-in first-out: the browser ends, and its profile
	// folder is quiet, before t.TempDir removes it.
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, srv: srv, console: &consoleLog{}}
	if err := chromedp.Listen(ctx, b.console.listen); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	// Before the browser closes (cleanups run last first): no page may have
	// logged an error that no check took.
	t.Cleanup(func() {
		for _, e := range b.console.take() {
			t.Errorf("the browser's console logged an error: %s", e)
		}
	})
	return b
}

// page is what a visit found.
type page struct {
	Name   string
	URL    string
	Status int64
	Title  string
	Text   string
}

// open navigates to path and checks the page that loads.
func (b *browser) open(path, name string) page {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.srv.url+path))
	return b.arrived(resp, err, name, http.StatusOK)
}

// follow clicks what sel finds, waits for the page it leads to, and checks
// that page.
func (b *browser) follow(sel, name string) page {
	b.t.Helper()
	return b.submit(sel, name, http.StatusOK)
}

// submit clicks what sel finds and expects the page that loads to answer
// with status want.
func (b *browser) submit(sel, name string, want int64) page {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	return b.arrived(resp, err, name, want)
}

// arrived checks a page that has just loaded: the status wanted, no error
// page; then it takes the page's screenshot and runs axe-core on it.
func (b *browser) arrived(resp *network.Response, err error, name string, want int64) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: loading the page: %v", name, err)
	}
	p := b.read(name)
	if resp != nil {
		p.Status = resp.Status
	}
	b.snapshot(p)
	for _, e := range b.console.take() {
		b.t.Errorf("%s: the console logged an error: %s", name, e)
	}
	if p.Status != want {
		b.t.Fatalf("%s: %s answered %d, want %d; the page says: %.300s", name, p.URL, p.Status, want, p.Text)
	}
	return p
}

// read returns the current page's address, title and visible text, and
// fails the test if it is the error page of an internal error.
func (b *browser) read(name string) page {
	b.t.Helper()
	p := page{Name: name}
	var err error
	if p.URL, err = chromedp.Run(b.ctx, chromedp.Location()); err != nil {
		b.t.Fatalf("%s: read the address: %v", name, err)
	}
	if p.Title, err = chromedp.Run(b.ctx, chromedp.Title()); err != nil {
		b.t.Fatalf("%s: read the title: %v", name, err)
	}
	p.Text = b.eval(name, `document.body.innerText`)
	for _, bad := range []string{"Something went wrong", "Quote reference"} {
		if strings.Contains(p.Title, bad) || strings.Contains(p.Text, bad) {
			b.t.Fatalf("%s: %s shows %q: %.400s", name, p.URL, bad, p.Text)
		}
	}
	return p
}

// snapshot saves a full-page screenshot of the page as it is now and runs
// axe-core on it.
func (b *browser) snapshot(p page) {
	b.t.Helper()
	b.screenshot(p.Name)
	b.checkAccessibility(p)
}

func screenshotDir() string {
	dir, err := filepath.Abs("screenshots")
	if err != nil {
		return "screenshots"
	}
	return dir
}

// resetScreenshots empties screenshots/ so that it holds this run's pages
// only: screenshots/sqlite/ and screenshots/postgres/, one folder a server,
// each numbered in the order its pages were visited.
func resetScreenshots() error {
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.RemoveAll(f); err != nil {
			return err
		}
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9.]+`)

// screenshot writes screenshots/SERVER/NN-name.png, the whole page at
// 1366 px wide.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", name, err)
	}
	dir := filepath.Join(screenshotDir(), b.srv.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("%s: screenshot folder: %v", name, err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", b.srv.shots.Add(1), strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(name), "-"), "-")))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatalf("%s: save the screenshot: %v", name, err)
	}
	b.t.Logf("screenshot of %s: %s", name, file)
	return file
}

// eval evaluates a JavaScript expression in the page through the DevTools
// protocol, which the page's Content-Security-Policy does not govern.
func (b *browser) eval(name, js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: evaluate %.80q: %v", name, js, err)
	}
	return s
}

// waitFor re-evaluates a boolean expression until it is true.
func (b *browser) waitFor(name, js string, within time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			b.t.Fatalf("%s: evaluate %.80q: %v", name, js, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: still not true after %v: %s", name, within, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *browser) do(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
}

// login signs in through the form, as an officer would, and returns the
// page the officer lands on.
func (b *browser) login(username string) page {
	b.t.Helper()
	b.open("/login", "sign-in form for "+username)
	b.do("sign in as "+username,
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
	)
	landed := b.follow(`form[action="/login"] button[type=submit]`, "first page of "+username)
	if strings.Contains(landed.URL, "/login") {
		b.t.Fatalf("signing in as %s stayed on %s: %.300s", username, landed.URL, landed.Text)
	}
	return landed
}

// logout signs out with the header's button.
func (b *browser) logout(username string) {
	b.t.Helper()
	p := b.follow(`form.signout button[type=submit]`, "signed out "+username)
	if !strings.Contains(p.URL, "/login") {
		b.t.Fatalf("signing out %s landed on %s, want the sign-in page", username, p.URL)
	}
}
