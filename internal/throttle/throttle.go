// Package throttle keeps, in memory and within a bound, what the sign-in
// page needs to refuse a flood before it costs a password hash: the
// failures of each client over a window, and the sign-ins each client has
// in flight.
package throttle

import (
	"sync"
	"time"
)

// Failures counts failures by key over a window: the window before and the
// current one, so that a key's count covers between one and two windows.
// It holds at most MaxKeys keys in each; a key past that is not counted
// (the store's per-account limit and the hashing bound still hold), so
// memory stays flat whatever the flood.
type Failures struct {
	Limit   int
	Window  time.Duration
	MaxKeys int
	Now     func() time.Time

	mu        sync.Mutex
	start     time.Time
	cur, prev map[string]int
}

// roll starts a new window when the current one is over.
func (f *Failures) roll() {
	now := f.Now()
	switch {
	case f.cur == nil || now.Sub(f.start) >= 2*f.Window:
		f.prev, f.cur, f.start = map[string]int{}, map[string]int{}, now
	case now.Sub(f.start) >= f.Window:
		f.prev, f.cur, f.start = f.cur, map[string]int{}, f.start.Add(f.Window)
	}
}

// Blocked reports whether the key has failed Limit times or more.
func (f *Failures) Blocked(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll()
	return f.cur[key]+f.prev[key] >= f.Limit
}

// Fail counts a failure of the key.
func (f *Failures) Fail(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll()
	if _, ok := f.cur[key]; ok || len(f.cur) < f.MaxKeys {
		f.cur[key]++
	}
}

// Len returns how many keys the current window holds.
func (f *Failures) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cur)
}

// InFlight bounds how many requests of one key run at once.
type InFlight struct {
	Max int

	mu sync.Mutex
	n  map[string]int
}

// Enter reports whether the key may start one more; if so, the caller
// must Leave when done.
func (g *InFlight) Enter(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == nil {
		g.n = map[string]int{}
	}
	if g.n[key] >= g.Max {
		return false
	}
	g.n[key]++
	return true
}

// Leave ends one of the key's requests.
func (g *InFlight) Leave(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key]--; g.n[key] <= 0 {
		delete(g.n, key)
	}
}
