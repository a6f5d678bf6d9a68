package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Client is an HTTP client that keeps its connections, as a busy unit's
// browsers and integrations do.
func Client(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2, IdleConnTimeout: time.Minute,
	}}
}

// Result is what a load of concurrent clients achieved.
type Result struct {
	Clients  int
	Requests int64
	Failures int64
	Elapsed  time.Duration
	Latency  Sample
	// FirstFailure says what went wrong first, if anything did.
	FirstFailure string
}

// Rate is the requests answered as expected per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Failures) / r.Elapsed.Seconds()
}

// Request makes the i-th request of a client; want is the status expected.
type Request func(client, i int) (*http.Request, int)

// Load runs clients concurrent loops of requests for the duration and
// reports throughput and latency. Every response is read to its end.
func Load(ctx context.Context, hc *http.Client, clients int, d time.Duration, req Request) Result {
	res := Result{Clients: clients}
	var mu sync.Mutex
	var requests, failures atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat Sample
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				r, want := req(c, i)
				t0 := time.Now()
				resp, err := hc.Do(r.WithContext(ctx))
				ok := err == nil && resp.StatusCode == want
				var body []byte
				if err == nil {
					body, _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				lat = append(lat, time.Since(t0))
				requests.Add(1)
				if !ok {
					failures.Add(1)
					mu.Lock()
					if res.FirstFailure == "" {
						if err != nil {
							res.FirstFailure = err.Error()
						} else {
							res.FirstFailure = fmt.Sprintf("%d: %s", resp.StatusCode, bytes.TrimSpace(body[:min(len(body), 300)]))
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			res.Latency = append(res.Latency, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Requests, res.Failures = requests.Load(), failures.Load()
	return res
}

// Time makes n requests one after another and returns their durations; a
// response other than want is an error.
func Time(ctx context.Context, hc *http.Client, n int, req func(i int) *http.Request, want int) (Sample, int64, error) {
	var s Sample
	var bytesRead int64
	for i := 0; i < n; i++ {
		r := req(i)
		t0 := time.Now()
		resp, err := hc.Do(r.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		s = append(s, time.Since(t0))
		bytesRead = int64(len(b))
		if err != nil {
			return nil, 0, err
		}
		if resp.StatusCode != want {
			return nil, 0, fmt.Errorf("%s %s: status %d, want %d: %s", r.Method, r.URL.Path, resp.StatusCode, want, bytes.TrimSpace(b[:min(len(b), 300)]))
		}
	}
	return s, bytesRead, nil
}

// LoadN makes n requests in all from clients concurrent loops, as fast as
// they are answered.
func LoadN(ctx context.Context, hc *http.Client, clients, n int, req Request) Result {
	var next atomic.Int64
	res := Result{Clients: clients}
	var mu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r, want := req(c, i)
				t0 := time.Now()
				resp, err := hc.Do(r.WithContext(ctx))
				var body []byte
				if err == nil {
					body, _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				res.Latency = append(res.Latency, time.Since(t0))
				res.Requests++
				if err != nil || resp.StatusCode != want {
					res.Failures++
					if res.FirstFailure == "" {
						if err != nil {
							res.FirstFailure = err.Error()
						} else {
							res.FirstFailure = fmt.Sprintf("%d: %s", resp.StatusCode, bytes.TrimSpace(body[:min(len(body), 300)]))
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}
