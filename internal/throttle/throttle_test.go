package throttle

import (
	"fmt"
	"testing"
	"time"
)

func TestFailures_BlockAtTheLimitAndForgetAfterTwoWindows(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &Failures{Limit: 3, Window: 10 * time.Minute, MaxKeys: 100, Now: func() time.Time { return now }}
	for i := range 2 {
		f.Fail("a")
		if f.Blocked("a") {
			t.Fatalf("blocked after %d failures, limit 3", i+1)
		}
	}
	f.Fail("a")
	if !f.Blocked("a") {
		t.Fatal("not blocked after 3 failures")
	}
	if f.Blocked("b") {
		t.Fatal("another key blocked")
	}
	now = now.Add(10 * time.Minute) // the failures are now the window before
	if !f.Blocked("a") {
		t.Fatal("not blocked one window later")
	}
	now = now.Add(10 * time.Minute)
	if f.Blocked("a") {
		t.Fatal("still blocked two windows later")
	}
}

func TestFailures_MemoryBoundedUnderAFloodOfKeys(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &Failures{Limit: 1, Window: time.Minute, MaxKeys: 50, Now: func() time.Time { return now }}
	for i := range 10000 {
		f.Fail(fmt.Sprint("client-", i))
	}
	if n := f.Len(); n != 50 {
		t.Errorf("%d keys held, want the bound 50", n)
	}
	if !f.Blocked("client-0") || f.Blocked("client-9999") {
		t.Error("the first keys are counted, those past the bound are not")
	}
}

func TestInFlight_BoundsEachKey(t *testing.T) {
	g := &InFlight{Max: 2}
	if !g.Enter("a") || !g.Enter("a") {
		t.Fatal("two in flight refused")
	}
	if g.Enter("a") {
		t.Fatal("a third in flight let in")
	}
	if !g.Enter("b") {
		t.Fatal("another key refused")
	}
	g.Leave("a")
	if !g.Enter("a") {
		t.Fatal("refused after one left")
	}
	g.Leave("a")
	g.Leave("a")
	g.Leave("b")
	if len(g.n) != 0 {
		t.Errorf("keys left behind: %v", g.n)
	}
}
