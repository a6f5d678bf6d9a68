package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestPages_CSPRefusesInlineScripts checks what the accessibility checks
// rely on: the page's Content-Security-Policy refuses a script that carries
// no nonce, and code evaluated through the DevTools protocol still runs.
func TestPages_CSPRefusesInlineScripts(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		b := newBrowser(t, srv)
		resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(srv.url+"/login"))
		if err != nil {
			t.Fatalf("open /login: %v", err)
		}
		var csp string
		for k, v := range resp.Headers {
			if strings.EqualFold(k, "Content-Security-Policy") {
				csp, _ = v.(string)
			}
		}
		if !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("Content-Security-Policy = %q, want script-src with a nonce and no 'unsafe-inline'", csp)
		}

		ran := b.eval("/login", `(() => {
			const s = document.createElement("script");
			s.textContent = "window.__inlineRan = 'yes'";
			document.head.appendChild(s);
			return String(window.__inlineRan);
		})()`)
		if ran != "undefined" {
			t.Errorf("a <script> without the nonce ran (window.__inlineRan = %q): the CSP does not protect the page", ran)
		}
		if got := b.eval("/login", `String(40 + 2)`); got != "42" {
			t.Errorf("Runtime.evaluate gave %q, want 42", got)
		}
		// The page itself may not eval: Runtime.evaluate waives that part of
		// the CSP unless told not to, so ask it to keep it.
		keepCSP := func(p *runtime.EvaluateParams) { p.AllowUnsafeEvalBlockedByCSP = new(false) }
		evalErr, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { try { return String(new Function("return 1")()); } catch (e) { return e.name; } })()`, keepCSP))
		if err != nil {
			t.Fatal(err)
		}
		if evalErr != "EvalError" {
			t.Errorf("new Function in the page gave %q, want EvalError (the CSP has no 'unsafe-eval')", evalErr)
		}
		b.injectAxe("/login")
		// The refused script is on the console: the check every page's
		// console passes can see a refusal. Taken, it fails nothing.
		var refused bool
		for deadline := time.Now().Add(5 * time.Second); !refused && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			for _, e := range b.console.take() {
				refused = refused || strings.Contains(e, "Content Security Policy")
			}
		}
		if !refused {
			t.Errorf("the refused inline script left nothing on the console: the console check would miss errors")
		}
	})
}
