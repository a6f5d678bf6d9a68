package web_test

import (
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"testing"

	"tandem/internal/testdb"
	"tandem/passwd"
)

// flood sends n sign-ins at once from one client, each with its own
// sign-in form, and returns how many were answered with each status and how
// many passwords were hashed meanwhile.
func flood(tb testing.TB, a *app, n int, username string) (map[int]int, int64) {
	tb.Helper()
	browsers := make([]*browser, n)
	tokens := make([]string, n)
	for i := range browsers {
		browsers[i] = newBrowser(tb, a.srv.URL, a)
		tokens[i] = browsers[i].get("/login").field("login_token")
	}
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	before := passwd.Hashes()
	start := make(chan struct{})
	for i, b := range browsers {
		wg.Go(func() {
			<-start
			p := b.post("/login", url.Values{"login_token": {tokens[i]}, "username": {username}, "password": {"not the password"}})
			mu.Lock()
			statuses[p.status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses, passwd.Hashes() - before
}

// TestSignIn_FloodIsRefusedBeforeAnyHash: 64 sign-ins at once from one
// client are mostly refused with 429 before a password is hashed; no more
// than passwd.MaxHashing hashes ever run at once; and once an account has
// five recent failures, every further attempt on it, right password or
// wrong, real account or not, is 429 with no hash at all.
//
// Not parallel, and one backend after the other: it counts the process's
// password hashes.
func TestSignIn_FloodIsRefusedBeforeAnyHash(t *testing.T) {
	for _, backend := range testdb.Backends(t) {
		t.Run(string(backend), func(t *testing.T) { floodOn(t, backend) })
	}
}

func floodOn(t *testing.T, backend testdb.Backend) {
	{
		a := newApp(t, backend, "ha")
		// The store's stand-in hash for unknown usernames is made once, on
		// the first sign-in of the process.
		a.browser().password("warm.up", "not the password")
		statuses, hashed := flood(t, a, 64, "nobody.at.all")
		if statuses[http.StatusTooManyRequests] == 0 {
			t.Errorf("64 sign-ins at once: %v; want 429s", statuses)
		}
		if n := statuses[http.StatusUnauthorized] + statuses[http.StatusTooManyRequests]; n != 64 {
			t.Errorf("64 sign-ins at once: %v; want only 401s and 429s", statuses)
		}
		if hashed > int64(statuses[http.StatusUnauthorized]) {
			t.Errorf("%d passwords hashed for %d sign-ins let through", hashed, statuses[http.StatusUnauthorized])
		}
		if p := passwd.PeakHashing(); p > passwd.MaxHashing {
			t.Errorf("%d passwords hashed at once; the bound is %d", p, passwd.MaxHashing)
		}

		// One account, five failures, one at a time: then nothing more is
		// hashed for it.
		for _, username := range []string{"ha", "no.such.officer"} {
			b := a.browser()
			for i := range 5 {
				if p := b.password(username, "not the password"); p.status != http.StatusUnauthorized {
					t.Fatalf("%s: failure #%d: %d", username, i+1, p.status)
				}
			}
			before := passwd.Hashes()
			for _, pw := range []string{"not the password", password} {
				p := b.password(username, pw)
				if p.status != http.StatusTooManyRequests {
					t.Errorf("%s: a sixth attempt: %d, want 429", username, p.status)
				}
			}
			if n := passwd.Hashes() - before; n != 0 {
				t.Errorf("%s: %d passwords hashed after the account's five failures", username, n)
			}
		}
	}
}

// BenchmarkSignInFlood sends 64 sign-ins at once from one client, again
// and again, and reports how many were refused with 429, how many
// passwords were hashed, and the heap in use after each flood.
func BenchmarkSignInFlood(b *testing.B) {
	a := newApp(b, testdb.SQLite)
	var refused, hashed float64
	var heap uint64
	for b.Loop() {
		statuses, n := flood(b, a, 64, "nobody.at.all")
		refused += float64(statuses[http.StatusTooManyRequests])
		hashed += float64(n)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapInuse)
	}
	b.ReportMetric(refused/float64(b.N), "429s/op")
	b.ReportMetric(hashed/float64(b.N), "hashes/op")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(passwd.PeakHashing()), "peak-concurrent-hashes")
}
