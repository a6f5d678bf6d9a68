package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// axe-core is fetched from the npm registry at test time, once per run, so
// that no copy of it lives in the repository.
var (
	axeOnce   sync.Once
	axeScript string
	axeErr    error
)

func loadAxe() (string, error) {
	axeOnce.Do(func() {
		if _, err := exec.LookPath("npm"); err != nil {
			axeErr = fmt.Errorf("npm is needed to install axe-core for the accessibility checks (apt-get install -y npm, or Node.js with npm): %v", err)
			return
		}
		dir, err := os.MkdirTemp("", "tandem-axe-")
		if err != nil {
			axeErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir, "axe-core@4")
		if out, err := cmd.CombinedOutput(); err != nil {
			axeErr = fmt.Errorf("npm install axe-core@4 failed (is the npm registry reachable?): %v\n%s", err, out)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeErr = fmt.Errorf("axe-core installed but unreadable: %v", err)
			return
		}
		axeScript = string(b)
	})
	return axeScript, axeErr
}

// axeViolation is one failed axe-core rule on one page.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeResult is what axe-core found on one page.
type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// axeRun runs axe-core over the whole document. Element targets are CSS
// selectors (nested frames and shadow roots joined with " >> ").
const axeRun = `axe.run(document).then(r => ({passes: r.passes.length,
  violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.slice(0, 8).map(n => n.target.map(t => Array.isArray(t) ? t.join(" >> ") : String(t)).join(" >> "))}))}))`

// injectAxe puts axe-core into the current page through the DevTools
// protocol. A <script> element would be refused by the page's CSP, which
// admits only scripts carrying the request's nonce; Runtime.evaluate is not
// subject to it (TestPages_CSPRefusesInlineScripts checks both).
func (b *browser) injectAxe(name string) {
	b.t.Helper()
	src, err := loadAxe()
	if err != nil {
		b.t.Fatalf("%s: accessibility check: %v", name, err)
	}
	if b.eval(name, `typeof axe`) == "object" {
		return
	}
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		b.t.Fatalf("%s: inject axe-core: %v", name, err)
	}
	if got := b.eval(name, `typeof axe.run`); got != "function" {
		b.t.Fatalf("%s: axe-core did not load in the page: typeof axe.run is %q", name, got)
	}
}

// checkAccessibility fails the test, without stopping it, for each serious
// or critical axe-core violation on the current page, and logs the others.
func (b *browser) checkAccessibility(p page) {
	b.t.Helper()
	b.injectAxe(p.Name)
	res, err := chromedp.Run(b.ctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: run axe-core: %v", p.Name, err)
	}
	if res.Passes == 0 {
		b.t.Fatalf("%s: axe-core checked nothing (no rule passed): the check is not running", p.Name)
	}
	for _, v := range res.Violations {
		msg := fmt.Sprintf("accessibility: %s (%s) on %s [%s]: %s; elements: %s", v.ID, v.Impact, p.Name, p.URL, v.Help, strings.Join(v.Targets, " | "))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else if minorSeen.first(v.ID + " " + strings.Join(v.Targets, " | ")) {
			b.t.Log(msg + " (not failing: impact below serious; logged once a run)")
		}
	}
}

// seenSet remembers the minor violations already logged, so that one on the
// layout is reported once rather than on every page.
type seenSet struct {
	mu sync.Mutex
	m  map[string]bool
}

var minorSeen seenSet

func (s *seenSet) first(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	if s.m[key] {
		return false
	}
	s.m[key] = true
	return true
}
