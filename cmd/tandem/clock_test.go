package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// movableClock is a frozen clock the test moves by hand.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// inProcess runs Main with the test's clock and no environment.
type inProcess struct {
	t     *testing.T
	dir   string
	clock tandem.Clock
}

// folder is the flags that name the data folder, and its PostgreSQL
// database when it keeps one (dataFolder).
func (p inProcess) folder() []string {
	if dbURL, ok := postgresOf(p.dir); ok {
		return []string{"--data", p.dir, "--database", dbURL}
	}
	return []string{"--data", p.dir}
}

// run runs one command to completion and returns its exit code and output.
func (p inProcess) run(stdin string, args ...string) result {
	p.t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Clock: p.clock}
	code := m.Run(context.Background(), append(args, p.folder()...))
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (p inProcess) must(args ...string) string {
	p.t.Helper()
	res := p.run("", args...)
	if res.code != 0 {
		p.t.Fatalf("%s: exit %d, stderr %s", strings.Join(args, " "), res.code, res.stderr)
	}
	return strings.TrimSpace(res.stdout)
}

// running is a serve started in-process.
type running struct {
	url    string
	cancel context.CancelFunc
	code   chan int
	stderr *syncBuffer
}

// serve runs `serve --listen 127.0.0.1:0` in a goroutine and waits for the
// URL Listening hands over.
func (p inProcess) serve() *running {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, code: make(chan int, 1), stderr: &syncBuffer{}}
	urls := make(chan string, 1)
	m := &Main{Stdin: strings.NewReader(""), Stdout: &syncBuffer{}, Stderr: r.stderr,
		Getenv: func(string) string { return "" }, Clock: p.clock,
		Listening: func(url string) { urls <- url }}
	go func() { r.code <- m.Run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, p.folder()...)) }()
	select {
	case r.url = <-urls:
	case code := <-r.code:
		cancel()
		p.t.Fatalf("serve returned %d before listening; stderr: %s", code, r.stderr)
	case <-time.After(15 * time.Second):
		cancel()
		p.t.Fatalf("serve did not call Listening within 15s")
	}
	p.t.Cleanup(func() {
		cancel()
		select {
		case <-r.code:
		case <-time.After(15 * time.Second):
		}
	})
	waitHealthy(p.t, r.url)
	return r
}

// stop cancels the context and returns Run's exit code.
func (r *running) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.code:
		r.code <- code // for the cleanup
		return code
	case <-time.After(15 * time.Second):
		t.Fatalf("Run did not return within 15s of the context's end")
	}
	return -1
}

// TestMain_PlannedMeetingLeftUndocumentedRaisesAlert moves an injected
// clock past a planned meeting's 24 hours and restarts the server, whose
// sweep at start-up must raise DOCUMENTED_24H for the meeting. It also
// checks that cancelling Run's context shuts the server down with exit 0.
func TestMain_PlannedMeetingLeftUndocumentedRaisesAlert(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clock := &movableClock{now: base}
		p := inProcess{t: t, dir: dataFolder(t, backend), clock: clock}

		add := func(username, name, gender, roles string) account {
			args := []string{"user", "add", "--username", username, "--name", name, "--gender", gender, "--roles", roles, "--unit", "north", "--dedicated"}
			if roles == "controller" {
				args = append(args, "--bootstrap") // the folder's first controller
			}
			id := p.must(args...)
			if roles != "controller" {
				// The two-person rule: the controller confirms the account.
				p.must("user", "confirm", "--username", username, "--reason", "checked against the personnel record", "--as", "carol")
			}
			token := p.must("token", "issue", "--username", username, "--ttl", "2000h")
			return account{id: id, token: token}
		}
		ctl := add("carol", "Carol Controller", "female", "controller")
		hm := add("harry", "Harry Handler", "male", "handler")
		hf := add("fiona", "Fiona Handler", "female", "handler")

		srv := p.serve()
		a := newAPI(t, srv.url)
		course := map[string]any{"course": "Source handler basic course", "hours": 70, "completed_on": "2026-01-15", "covers_risk_management": true}
		for _, o := range []account{hm, hf} {
			a.do(ctl.token, "POST", "/officers/"+o.id+"/training", course, 201, nil)
		}
		var src sourceOut
		a.do(hm.token, "POST", "/sources", map[string]any{"gender": "female", "date_of_birth": "1991-07-01", "legal_name": "Clock Test Source",
			"aliases": []string{}, "address": "1 Test Street", "phone_numbers": []string{}, "recruited_on": "2026-02-20", "unit": "north"}, 201, &src)
		a.do(ctl.token, "POST", "/sources/"+src.ID+"/assignments", map[string]string{"officer_id": hf.id, "role": "co_handler"}, 201, nil)

		// A plan that breaks the rules is refused with every finding...
		plannedFor := base.Add(2 * time.Hour)
		status, raw := a.call(hm.token, "POST", "/sources/"+src.ID+"/meetings", map[string]any{
			"planned_for": plannedFor.Format(time.RFC3339), "location": "Safe house 3", "officer_ids": []string{hm.id}})
		var refusal apiError
		json.Unmarshal(raw, &refusal)
		if rules := findingRulesOf(refusal); status != 422 || !rules["TWO_OFFICERS"] || !rules["SAME_GENDER"] {
			t.Errorf("planning a solo meeting by a man with a female source: %d %s; want 422 with TWO_OFFICERS and SAME_GENDER", status, raw)
		}
		// ...and one that keeps them is planned.
		var meeting struct {
			ID         string    `json:"id"`
			PlannedFor time.Time `json:"planned_for"`
			Status     string    `json:"status"`
			Findings   []finding `json:"findings"`
		}
		a.do(hm.token, "POST", "/sources/"+src.ID+"/meetings", map[string]any{
			"planned_for": plannedFor.Format(time.RFC3339), "location": "Safe house 3", "officer_ids": []string{hm.id, hf.id}}, 201, &meeting)
		if meeting.ID == "" || len(meeting.Findings) != 0 || !meeting.PlannedFor.Equal(plannedFor) {
			t.Fatalf("planned meeting: %+v", meeting)
		}
		if code := srv.stop(t); code != 0 {
			t.Fatalf("Run after the context was cancelled: %d, want 0; stderr: %s", code, srv.stderr)
		}

		overdue := func(a *api) []alert {
			var out []alert
			for _, al := range a.alerts(ctl.token, "rule=DOCUMENTED_24H&source_id="+src.ID) {
				if al.MeetingID == meeting.ID {
					out = append(out, al)
				}
			}
			return out
		}

		// 21 hours after the meeting's time: not yet overdue.
		clock.set(base.Add(23 * time.Hour))
		srv = p.serve()
		a = newAPI(t, srv.url)
		if as := overdue(a); len(as) != 0 {
			t.Errorf("21 h after the planned time: %d DOCUMENTED_24H alerts, want 0", len(as))
		}
		if code := srv.stop(t); code != 0 {
			t.Fatalf("Run after the context was cancelled: %d, want 0", code)
		}

		// 25 hours after it, with no contact recorded: the sweep at start-up
		// raises the alert.
		t27 := base.Add(27 * time.Hour)
		clock.set(t27)
		srv = p.serve()
		a = newAPI(t, srv.url)
		var got []alert
		eventually(t, 10*time.Second, "the start-up sweep to raise DOCUMENTED_24H for the meeting", func() bool {
			got = overdue(a)
			return len(got) > 0
		})
		if len(got) != 1 {
			t.Fatalf("%d DOCUMENTED_24H alerts for the meeting, want 1: %+v", len(got), got)
		}
		al := got[0]
		if al.Status != "open" || al.SourceID != src.ID || al.Severity != "breach" {
			t.Errorf("the overdue meeting's alert: %+v", al)
		}
		if !al.RaisedAt.Equal(t27) {
			t.Errorf("the alert was raised at %s, want %s: the sweep must use the injected clock, and must not have fired at 21 h", al.RaisedAt, t27)
		}
		officers := strings.Join(al.OfficerIDs, ",")
		if !strings.Contains(officers, hm.id) || !strings.Contains(officers, hf.id) {
			t.Errorf("the alert names officers %v, want both planned officers", al.OfficerIDs)
		}
		if code := srv.stop(t); code != 0 {
			t.Fatalf("Run after the context was cancelled: %d, want 0", code)
		}

		// Further sweeps raise nothing twice: one restart lets its sweep run,
		// the next reads the result.
		srv = p.serve()
		if code := srv.stop(t); code != 0 {
			t.Fatalf("Run after the context was cancelled: %d, want 0", code)
		}
		srv = p.serve()
		a = newAPI(t, srv.url)
		if as := overdue(a); len(as) != 1 {
			t.Errorf("after another sweep: %d DOCUMENTED_24H alerts for the meeting, want still 1", len(as))
		}
		if code := srv.stop(t); code != 0 {
			t.Fatalf("Run after the context was cancelled: %d, want 0", code)
		}
		if res := p.run("", "audit", "verify"); res.code != 0 {
			t.Errorf("audit verify after the sweeps: exit %d, stderr %s", res.code, res.stderr)
		}
	})
}
