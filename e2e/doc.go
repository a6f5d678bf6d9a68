// Package e2e drives the real tandem binary through a headless Chromium: a
// handler records a meeting held alone, and the controller sees the alert,
// acknowledges it and finds the compliance figure lower. Every page it
// visits is screenshotted into screenshots/ and checked with axe-core.
//
// The tests need /usr/bin/chromium (Debian's package chromium) and npm with
// access to the npm registry (for axe-core); without them they fail, they
// do not skip.
package e2e
