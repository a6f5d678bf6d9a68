package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// The source's true identity, as registered. Each value is a canary: it
// must come back from the identity reveal and from nothing else.
var canary = map[string]string{
	"legal_name":    "Zelda Canarywick-Q7X",
	"alias":         "Zee Canaryfeather-Q7X",
	"address":       "17 Canary Row Q7X, Northtown",
	"phone":         "+44 7700 900917",
	"date_of_birth": "1990-04-12",
}

type finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func rulesOf(fs []finding) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		out[f.Rule] = true
	}
	return out
}

type contactOut struct {
	ID           string    `json:"id"`
	DocumentedAt time.Time `json:"documented_at"`
	Late         bool      `json:"late"`
	Findings     []finding `json:"findings"`
}

type officerOut struct {
	ID            string  `json:"id"`
	Accredited    bool    `json:"accredited"`
	TrainingHours float64 `json:"training_hours"`
}

type assignmentOut struct {
	ID        string     `json:"id"`
	OfficerID string     `json:"officer_id"`
	Role      string     `json:"role"`
	EndedAt   *time.Time `json:"ended_at"`
}

type sourceOut struct {
	ID         string          `json:"id"`
	Reference  string          `json:"reference"`
	Gender     string          `json:"gender"`
	Status     string          `json:"status"`
	Handlers   []assignmentOut `json:"handlers"`
	OpenAlerts int             `json:"open_alerts"`
}

// account is an officer's id and API bearer token.
type account struct{ id, token string }

// addOfficer creates an officer with the binary and issues a token. The
// account is confirmed at once by the second person the two-person rule
// names (confirmCLI): a data folder's first controller is made with
// --bootstrap. Call it before the folder has an administrator: it adds
// without --as.
func addOfficer(t *testing.T, dir, username, name, gender, roles, unit string, dedicated bool) account {
	t.Helper()
	args := []string{"user", "add", "--data", dir, "--username", username, "--name", name, "--gender", gender, "--roles", roles, "--unit", unit}
	if dedicated {
		args = append(args, "--dedicated")
	}
	c := confirmersOf(dir)
	if strings.Contains(roles, "controller") && c.first() {
		args = append(args, "--bootstrap")
	}
	id := strings.TrimSpace(mustRun(t, run{}, args...).stdout)
	c.confirm(t, func(args ...string) result { return mustRun(t, run{}, args...) }, dir, username, roles, unit)
	token := strings.TrimSpace(mustRun(t, run{}, "token", "issue", "--data", dir, "--username", username).stdout)
	return account{id: id, token: token}
}

// confirmers is who may confirm whom in one data folder: its confirmed
// controllers by unit, and its confirmed authorising officer.
type confirmers struct {
	mu           sync.Mutex
	controllers  map[string]string
	ao, aoUnit   string
	bootstrapped bool
}

var folderConfirmers sync.Map // data folder → *confirmers

func confirmersOf(dir string) *confirmers {
	c, _ := folderConfirmers.LoadOrStore(dir, &confirmers{controllers: map[string]string{}})
	return c.(*confirmers)
}

// first reports whether the folder has no controller yet, and counts the
// next as its first, made with --bootstrap.
func (c *confirmers) first() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := !c.bootstrapped
	c.bootstrapped = true
	return first
}

// confirm has the second person confirm an account just made (none for
// an administrator, or a first controller made with --bootstrap): an
// authorising officer for an auditor or a unit's first controller (one
// is made, fixture.ao, in the first controller's unit when the folder has
// none), a controller of the unit for the rest. run runs the binary.
func (c *confirmers) confirm(t *testing.T, run func(args ...string) result, dir, username, roles, unit string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	has := func(r string) bool { return slices.Contains(strings.Split(roles, ","), r) }
	var by string
	switch {
	case roles == "admin":
		return
	case has("controller") && len(c.controllers) == 0:
		c.controllers[unit] = username // the bootstrap
		return
	case has("auditor"), has("controller") && c.controllers[unit] == "":
		if c.ao == "" {
			c.ao, c.aoUnit = "fixture.ao", ""
			for u := range c.controllers {
				c.aoUnit = u
			}
			run("user", "add", "--data", dir, "--username", c.ao, "--name", "Fay Fixture", "--gender", "female", "--roles", "authorising_officer", "--unit", c.aoUnit)
			run("user", "confirm", "--data", dir, "--username", c.ao, "--reason", "checked against the personnel record", "--as", c.controllers[c.aoUnit])
		}
		by = c.ao
	default:
		if by = c.controllers[unit]; by == "" {
			t.Fatalf("no controller of unit %q yet to confirm %s: add one first", unit, username)
		}
	}
	run("user", "confirm", "--data", dir, "--username", username, "--reason", "checked against the personnel record", "--as", by)
	if has("controller") && c.controllers[unit] == "" {
		c.controllers[unit] = username
	}
	if has("authorising_officer") && c.ao == "" {
		c.ao, c.aoUnit = username, unit
	}
}

func findAlert(as []alert, id string) *alert {
	for i := range as {
		if as[i].ID == id {
			return &as[i]
		}
	}
	return nil
}

// TestStory_AlwaysTwo plays the seed article's story through the real
// binary and its API: a dedicated unit, an untrained officer refused, a
// source with one handler, a solo meeting, a late record, a sign of
// attraction managed by a risk entry, a controller's acknowledgement, the
// compliance counts, a co-handler withdrawn, and the audit trail; then that
// the source's identity leaked nowhere, and that tampering with the
// database is caught.
func TestStory_AlwaysTwo(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := dataFolder(t, backend)
		ctl := addOfficer(t, dir, "carol", "Carol Controller", "female", "controller", "north", true)
		hm := addOfficer(t, dir, "harry", "Harry Handler", "male", "handler", "north", true)
		hf := addOfficer(t, dir, "fiona", "Fiona Handler", "female", "handler", "north", true)
		hu := addOfficer(t, dir, "uma", "Uma Untrained", "female", "handler", "north", true)
		aud := addOfficer(t, dir, "alan", "Alan Auditor", "male", "auditor", "standards", false)

		srv := startServer(t, dir)
		a := newAPI(t, srv.url)
		now := time.Now().UTC()
		day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }

		t.Log("step: the controller records the handlers' training")
		course := map[string]any{"course": "Source handler basic course", "hours": 70, "completed_on": day(-60), "covers_risk_management": true}
		if status, _ := a.call(hm.token, "POST", "/officers/"+hf.id+"/training", course); status != 403 {
			t.Errorf("a handler adding training: %d, want 403", status)
		}
		for _, o := range []account{hm, hf} {
			a.do(ctl.token, "POST", "/officers/"+o.id+"/training", course, 201, nil)
			var got officerOut
			a.do(ctl.token, "GET", "/officers/"+o.id, nil, 200, &got)
			if !got.Accredited || got.TrainingHours != 70 {
				t.Fatalf("after 70 hours with risk management: accredited %v, training_hours %v", got.Accredited, got.TrainingHours)
			}
		}
		var untrained officerOut
		a.do(ctl.token, "GET", "/officers/"+hu.id, nil, 200, &untrained)
		if untrained.Accredited {
			t.Fatalf("an officer without training is accredited")
		}

		t.Log("step: the male handler registers a female source")
		var src sourceOut
		var srcRaw map[string]any
		registration := map[string]any{
			"gender": "female", "date_of_birth": canary["date_of_birth"], "legal_name": canary["legal_name"],
			"aliases": []string{canary["alias"]}, "address": canary["address"], "phone_numbers": []string{canary["phone"]},
			"recruited_on": day(-10), "recruitment_circumstances": "Approached after an arrest for a minor offence.", "unit": "north",
		}
		a.do(hm.token, "POST", "/sources", registration, 201, &src)
		_, raw := a.call(hm.token, "GET", "/sources/"+src.ID, nil)
		json.Unmarshal(raw, &srcRaw)
		for _, field := range []string{"legal_name", "aliases", "date_of_birth", "address", "phone_numbers"} {
			if _, ok := srcRaw[field]; ok {
				t.Errorf("GET /sources/{id} carries %s", field)
			}
		}
		if !regexp.MustCompile(`^S-\d{4}-\d{4}$`).MatchString(src.Reference) || src.Gender != "female" {
			t.Errorf("source: reference %q, gender %q", src.Reference, src.Gender)
		}
		if len(src.Handlers) != 1 || src.Handlers[0].OfficerID != hm.id {
			t.Fatalf("the registering handler must be the first handler; handlers: %+v", src.Handlers)
		}
		S := "/sources/" + src.ID

		t.Log("step (a): the untrained officer is refused")
		status, raw := a.call(ctl.token, "POST", S+"/assignments", map[string]string{"officer_id": hu.id, "role": "co_handler"})
		var refusal apiError
		json.Unmarshal(raw, &refusal)
		if status != 422 || refusal.Error.Code != "policy_violation" {
			t.Errorf("assigning an untrained officer: %d %s, want 422 policy_violation", status, raw)
		}
		if rules := findingRulesOf(refusal); !rules["TRAINED_OFFICER"] {
			t.Errorf("the refusal carries no TRAINED_OFFICER finding: %s", raw)
		}
		var assignments struct {
			Assignments []assignmentOut `json:"assignments"`
		}
		a.do(ctl.token, "GET", S+"/assignments", nil, 200, &assignments)
		for _, as := range assignments.Assignments {
			if as.OfficerID == hu.id {
				t.Errorf("the refused assignment was recorded: %+v", as)
			}
		}

		t.Log("step (b): one handler is a TWO_HANDLERS alert; a co-handler resolves it")
		open := a.alerts(ctl.token, "status=open&rule=TWO_HANDLERS&source_id="+src.ID)
		if len(open) != 1 {
			t.Fatalf("a source with one handler: %d open TWO_HANDLERS alerts, want 1", len(open))
		}
		twoHandlers := open[0]
		if twoHandlers.SourceReference != src.Reference {
			t.Errorf("alert source_reference %q, want %q", twoHandlers.SourceReference, src.Reference)
		}
		var coHandler assignmentOut
		a.do(ctl.token, "POST", S+"/assignments", map[string]string{"officer_id": hf.id, "role": "co_handler"}, 201, &coHandler)
		if got := findAlert(a.alerts(ctl.token, "status=resolved&rule=TWO_HANDLERS"), twoHandlers.ID); got == nil || got.Status != "resolved" {
			t.Errorf("after a co-handler was assigned, the TWO_HANDLERS alert is not among the resolved: %+v", got)
		}
		if n := len(a.alerts(ctl.token, "status=open&rule=TWO_HANDLERS&source_id="+src.ID)); n != 0 {
			t.Errorf("%d TWO_HANDLERS alerts still open with two handlers", n)
		}

		t.Log("step (c): a solo meeting is recorded, and breaks two rules")
		var solo contactOut
		a.do(hm.token, "POST", S+"/contacts", map[string]any{"kind": "meeting", "occurred_at": at(-3 * time.Hour), "duration_minutes": 40,
			"location": "Car park, Northtown retail park", "officer_ids": []string{hm.id}, "summary": "Met the source alone; she asked about payment."}, 201, &solo)
		if rules := rulesOf(solo.Findings); !rules["TWO_OFFICERS"] || !rules["SAME_GENDER"] || rules["DOCUMENTED_24H"] || rules["TRAINED_OFFICER"] {
			t.Errorf("solo meeting by a male officer with a female source: findings %+v, want TWO_OFFICERS and SAME_GENDER only", solo.Findings)
		}
		if solo.Late || solo.ID == "" || solo.DocumentedAt.IsZero() {
			t.Errorf("solo meeting: %+v", solo)
		}
		var soloAlerts = map[string]alert{}
		for _, rule := range []string{"TWO_OFFICERS", "SAME_GENDER"} {
			as := a.alerts(ctl.token, "status=open&rule="+rule+"&source_id="+src.ID)
			if len(as) != 1 || as[0].ContactID != solo.ID || as[0].Severity != "breach" {
				t.Fatalf("the controller's open %s alerts: %+v; want one for contact %s", rule, as, solo.ID)
			}
			if len(as[0].OfficerIDs) != 1 || as[0].OfficerIDs[0] != hm.id {
				t.Errorf("%s alert names officers %v, want [%s]", rule, as[0].OfficerIDs, hm.id)
			}
			soloAlerts[rule] = as[0]
		}
		var paired contactOut
		a.do(hm.token, "POST", S+"/contacts", map[string]any{"kind": "meeting", "occurred_at": at(-2 * time.Hour), "duration_minutes": 30,
			"location": "Safe house 3", "officer_ids": []string{hm.id, hf.id}, "summary": "Debrief with both handlers."}, 201, &paired)
		if len(paired.Findings) != 0 || paired.Late {
			t.Errorf("a meeting by two accredited handlers including a woman: findings %+v, late %v; want none", paired.Findings, paired.Late)
		}

		t.Log("step (d): a phone call documented 30 hours later is late")
		var late contactOut
		a.do(hm.token, "POST", S+"/contacts", map[string]any{"kind": "phone", "occurred_at": at(-30 * time.Hour),
			"officer_ids": []string{hm.id}, "summary": "Source phoned to rearrange."}, 201, &late)
		if !late.Late || !rulesOf(late.Findings)["DOCUMENTED_24H"] {
			t.Errorf("a contact documented 30 h after it occurred: late %v, findings %+v", late.Late, late.Findings)
		}
		if as := a.alerts(ctl.token, "status=open&rule=DOCUMENTED_24H&source_id="+src.ID); len(as) != 1 || as[0].ContactID != late.ID {
			t.Errorf("open DOCUMENTED_24H alerts: %+v; want one for contact %s", as, late.ID)
		}
		var reread contactOut
		a.do(ctl.token, "GET", S+"/contacts/"+late.ID, nil, 200, &reread)
		if !reread.Late {
			t.Errorf("the late mark did not stay on the record")
		}

		t.Log("step (e): a sign of attraction opens RELATIONSHIP_RISK until a relationship risk entry")
		var flagged contactOut
		a.do(hf.token, "POST", S+"/contacts", map[string]any{"kind": "phone", "occurred_at": at(-1 * time.Hour),
			"officer_ids": []string{hf.id}, "summary": "Source said she would like to see Harry outside work.",
			"indicators": []string{"attraction_expressed"}}, 201, &flagged)
		as := a.alerts(ctl.token, "status=open&rule=RELATIONSHIP_RISK&source_id="+src.ID)
		if len(as) != 1 {
			t.Fatalf("after attraction_expressed: %d open RELATIONSHIP_RISK alerts, want 1", len(as))
		}
		relationship := as[0]
		if relationship.ContactID != flagged.ID {
			t.Errorf("RELATIONSHIP_RISK names contact %q, want %q", relationship.ContactID, flagged.ID)
		}
		risk := map[string]any{"category": "officer_safety", "description": "Meeting place overlooked.", "likelihood": 2, "impact": 3,
			"mitigation": "Use safe house 3.", "review_by": day(30)}
		a.do(hf.token, "POST", S+"/risks", risk, 201, nil)
		if n := len(a.alerts(ctl.token, "status=open&rule=RELATIONSHIP_RISK&source_id="+src.ID)); n != 1 {
			t.Errorf("a risk entry of another category closed RELATIONSHIP_RISK (%d open, want 1)", n)
		}
		risk = map[string]any{"category": "relationship", "description": "Source expressed attraction to Harry Handler.", "likelihood": 3, "impact": 4,
			"mitigation": "Harry Handler never meets her without Fiona Handler; controller reviews monthly.", "review_by": day(14), "contact_id": flagged.ID}
		a.do(hf.token, "POST", S+"/risks", risk, 201, nil)
		if got := findAlert(a.alerts(ctl.token, "status=resolved&rule=RELATIONSHIP_RISK&source_id="+src.ID), relationship.ID); got == nil || got.Status != "resolved" {
			t.Errorf("after a relationship risk entry the RELATIONSHIP_RISK alert is not resolved: %+v", got)
		}

		t.Log("step (f): the controller acknowledges the solo meeting with a justification")
		toID := soloAlerts["TWO_OFFICERS"].ID
		if status, _ := a.call(hm.token, "POST", "/alerts/"+toID+"/acknowledge", map[string]string{"justification": "I was there, it was fine."}); status != 403 {
			t.Errorf("a handler acknowledging: %d, want 403", status)
		}
		if status, _ := a.call(ctl.token, "POST", "/alerts/"+toID+"/acknowledge", map[string]string{"justification": "ok"}); status != 400 {
			t.Errorf("an acknowledgement without a real justification: %d, want 400", status)
		}
		justification := "Second officer delayed by a road closure; debriefed Harry Handler, both handlers at the next meeting."
		var acked alert
		a.do(ctl.token, "POST", "/alerts/"+toID+"/acknowledge", map[string]string{"justification": justification}, 200, &acked)
		if acked.Status != "acknowledged" || acked.Justification != justification {
			t.Errorf("acknowledged alert: status %q, justification %q", acked.Status, acked.Justification)
		}
		if findAlert(a.alerts(ctl.token, "status=acknowledged&rule=TWO_OFFICERS"), toID) == nil {
			t.Errorf("the acknowledged alert is not listed as acknowledged")
		}
		if findAlert(a.alerts(ctl.token, "status=open&rule=TWO_OFFICERS"), toID) != nil {
			t.Errorf("the acknowledged alert is still listed as open")
		}

		t.Log("step (g): the compliance counts")
		type compliance struct {
			Contacts                      int            `json:"contacts"`
			DocumentedWithin24h           int            `json:"documented_within_24h"`
			Meetings                      int            `json:"meetings"`
			MeetingsWithTwoOfficers       int            `json:"meetings_with_two_officers"`
			MeetingsWithSameGenderOfficer int            `json:"meetings_with_same_gender_officer"`
			OpenAlerts                    map[string]int `json:"open_alerts"`
		}
		want := compliance{Contacts: 4, DocumentedWithin24h: 3, Meetings: 2, MeetingsWithTwoOfficers: 1, MeetingsWithSameGenderOfficer: 1,
			OpenAlerts: map[string]int{"TWO_OFFICERS": 0, "SAME_GENDER": 1, "DOCUMENTED_24H": 1, "RELATIONSHIP_RISK": 0, "TWO_HANDLERS": 0}}
		for _, who := range []account{ctl, aud} {
			var got compliance
			a.do(who.token, "GET", "/compliance?from="+day(-7)+"&to="+day(0)+"&unit=north", nil, 200, &got)
			if got.Contacts != want.Contacts || got.DocumentedWithin24h != want.DocumentedWithin24h || got.Meetings != want.Meetings ||
				got.MeetingsWithTwoOfficers != want.MeetingsWithTwoOfficers || got.MeetingsWithSameGenderOfficer != want.MeetingsWithSameGenderOfficer {
				t.Errorf("compliance counts %+v, want %+v", got, want)
			}
			for rule, n := range want.OpenAlerts {
				if got.OpenAlerts[rule] != n {
					t.Errorf("compliance open_alerts[%s] = %d, want %d (all: %v)", rule, got.OpenAlerts[rule], n, got.OpenAlerts)
				}
			}
		}
		if status, _ := a.call(hm.token, "GET", "/compliance", nil); status != 403 {
			t.Errorf("a handler reading compliance: %d, want 403", status)
		}

		t.Log("step (h): the co-handler is withdrawn; the source is left with one handler")
		a.do(ctl.token, "DELETE", S+"/assignments/"+coHandler.ID, nil, 204, nil)
		open = a.alerts(ctl.token, "status=open&rule=TWO_HANDLERS&source_id="+src.ID)
		if len(open) != 1 || open[0].ID == twoHandlers.ID {
			t.Errorf("after ending the co-handler's assignment: open TWO_HANDLERS %+v; want one new alert", open)
		}
		a.do(ctl.token, "GET", S, nil, 200, &src)
		if len(src.Handlers) != 1 || src.Handlers[0].OfficerID != hm.id {
			t.Errorf("current handlers after the withdrawal: %+v", src.Handlers)
		}
		a.do(ctl.token, "GET", S+"/assignments", nil, 200, &assignments)
		kept := false
		for _, as := range assignments.Assignments {
			if as.ID == coHandler.ID {
				kept = as.EndedAt != nil
			}
		}
		if !kept {
			t.Errorf("the ended assignment is not kept in the history with its end: %+v", assignments.Assignments)
		}
		if status, _ := a.call(ctl.token, "DELETE", S+"/assignments/"+coHandler.ID, nil); status != 409 {
			t.Errorf("ending an ended assignment: %d, want 409", status)
		}

		t.Log("step (i): the auditor reads the audit trail; audit verify runs beside the server")
		var trail struct {
			Events []struct {
				Seq      int64  `json:"seq"`
				Actor    string `json:"actor"`
				Action   string `json:"action"`
				ObjectID string `json:"object_id"`
				Hash     string `json:"hash"`
				PrevHash string `json:"prev_hash"`
			} `json:"events"`
		}
		for after := "0"; after != ""; {
			var page struct {
				Events []struct {
					Seq      int64  `json:"seq"`
					Actor    string `json:"actor"`
					Action   string `json:"action"`
					ObjectID string `json:"object_id"`
					Hash     string `json:"hash"`
					PrevHash string `json:"prev_hash"`
				} `json:"events"`
				Next *string `json:"next"`
			}
			a.do(aud.token, "GET", "/audit?limit=200&after="+after, nil, 200, &page)
			trail.Events = append(trail.Events, page.Events...)
			after = ""
			if page.Next != nil {
				after = *page.Next
			}
		}
		actions := map[string]bool{}
		for i, e := range trail.Events {
			actions[e.Action] = true
			if e.Seq != int64(i+1) || (i > 0 && e.PrevHash != trail.Events[i-1].Hash) || e.Hash == "" {
				t.Fatalf("audit event %d (seq %d) does not chain to the one before", i, e.Seq)
			}
		}
		for _, action := range []string{"officer.create", "training.add", "source.create", "assignment.start", "assignment.end", "contact.record", "risk.record", "alert.raise", "alert.resolve", "alert.acknowledge"} {
			if !actions[action] {
				t.Errorf("the audit trail has no %s entry", action)
			}
		}
		if status, _ := a.call(ctl.token, "GET", "/audit", nil); status != 403 {
			t.Errorf("a controller reading the audit trail: %d, want 403", status)
		}
		res := mustRun(t, run{}, "audit", "verify", "--data", dir)
		if ls := lines(res.stdout); len(ls) != 1 || !strings.Contains(ls[0], "intact") {
			t.Errorf("audit verify while serving: %q", res.stdout)
		}

		t.Log("step: the identity is revealed only on request, and leaks nowhere else")
		var identity map[string]any
		a.do(hm.token, "POST", S+"/identity", map[string]string{"reason": "Arranging a safe place for the next meeting"}, 200, &identity)
		if identity["legal_name"] != canary["legal_name"] || identity["address"] != canary["address"] || identity["date_of_birth"] != canary["date_of_birth"] {
			t.Errorf("the identity reveal does not return the identity: %v", identity)
		}
		// An auditor may break the glass, which is itself alerted.
		a.do(aud.token, "POST", S+"/identity", map[string]string{"reason": "Misconduct inquiry PSD-2026-114"}, 200, nil)
		if n := len(a.alerts(ctl.token, "status=open&rule=BREAK_GLASS&source_id="+src.ID)); n != 1 {
			t.Errorf("an auditor's reveal: %d open BREAK_GLASS alerts, want 1", n)
		}
		// Read everything else there is to read, as everyone who may.
		for _, who := range []account{ctl, hm, hf, aud} {
			a.call(who.token, "GET", "/sources", nil)
			a.call(who.token, "GET", S, nil)
			a.call(who.token, "GET", S+"/contacts", nil)
			a.call(who.token, "GET", S+"/contacts/"+solo.ID, nil)
			a.call(who.token, "GET", S+"/meetings", nil)
			a.call(who.token, "GET", S+"/risks", nil)
			a.call(who.token, "GET", S+"/assignments", nil)
			a.call(who.token, "GET", "/alerts", nil)
			a.call(who.token, "GET", "/officers", nil)
		}
		a.call(aud.token, "GET", "/audit?limit=200", nil)
		a.call(ctl.token, "GET", "/compliance", nil)
		reveals := 0
		for _, x := range a.exchanges() {
			if x.method == "POST" && strings.HasSuffix(x.path, "/identity") {
				reveals++
				continue
			}
			for field, value := range canary {
				if strings.Contains(x.body, value) {
					t.Errorf("%s %s (status %d) carries the source's %s", x.method, x.path, x.status, field)
				}
			}
		}
		if reveals != 2 {
			t.Errorf("%d identity reveals logged by the test, want 2", reveals)
		}

		t.Log("step: the server stops on SIGTERM; the trail still verifies")
		if code := srv.stop(); code != 0 {
			t.Fatalf("serve after SIGTERM: exit %d, want 0\nstderr: %s", code, srv.stderr)
		}
		for field, value := range canary {
			if strings.Contains(srv.stderr.String(), value) || strings.Contains(srv.stdout.String(), value) {
				t.Errorf("the server's output carries the source's %s", field)
			}
		}
		if stackTrace.MatchString(srv.stderr.String()) {
			t.Errorf("the server's log shows Go internals:\n%s", srv.stderr)
		}
		res = mustRun(t, run{}, "audit", "verify", "--data", dir)
		if !strings.Contains(res.stdout, "intact") {
			t.Errorf("audit verify after the server stopped: %q", res.stdout)
		}

		t.Log("step: a contact edited straight in the database is caught")
		edited := copyDataFolder(t, dir)
		sqlExec(t, filepath.Join(edited, "tandem.db"), `UPDATE contacts SET summary = 'edited' WHERE id = ?`, solo.ID)
		res = runBin(t, run{}, "audit", "verify", "--data", edited)
		if res.code != 1 {
			t.Errorf("audit verify after an edited contact: exit %d, want 1; stdout %q", res.code, res.stdout)
		}
		assertOneCleanLine(t, res.stderr)
		if !strings.Contains(res.stderr, solo.ID) || !strings.Contains(res.stderr, "changed outside Tandem") {
			t.Errorf("audit verify must name contact %s as changed outside Tandem; stderr: %q", solo.ID, res.stderr)
		}

		t.Log("step: an audit entry deleted straight in the database is caught")
		cut := copyDataFolder(t, dir)
		db := openDB(t, filepath.Join(cut, "tandem.db"))
		var removed int64
		if err := db.QueryRow(`SELECT MAX(seq) - 3 FROM audit_events`).Scan(&removed); err != nil {
			t.Fatal(err)
		}
		db.Close()
		sqlExec(t, filepath.Join(cut, "tandem.db"), `DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) - 3 FROM audit_events)`)
		res = runBin(t, run{}, "audit", "verify", "--data", cut)
		if res.code != 1 {
			t.Errorf("audit verify after a deleted entry: exit %d, want 1; stdout %q", res.code, res.stdout)
		}
		assertOneCleanLine(t, res.stderr)
		if !regexp.MustCompile(fmt.Sprintf(`\b%d\b`, removed)).MatchString(res.stderr) {
			t.Errorf("audit verify must name the removed entry %d; stderr: %q", removed, res.stderr)
		}

		// The copies were copies: the original still verifies.
		mustRun(t, run{}, "audit", "verify", "--data", dir)
	})
}

func findingRulesOf(e apiError) map[string]bool {
	out := map[string]bool{}
	for _, f := range e.Error.Findings {
		out[f.Rule] = true
	}
	return out
}

// copyDataFolder copies a stopped server's data folder, file by file, and
// the PostgreSQL database it keeps, if it keeps one.
func copyDataFolder(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		in, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(filepath.Join(dst, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			in.Close()
			t.Fatal(err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if dbURL, ok := postgresOf(dir); ok {
		keepOnPostgres(t, dst, testdb.PostgresCopy(t, dbURL))
	}
	return dst
}

// sqlExec runs one statement on a database and closes it, as someone with
// the file but not the program would. The statement's ? placeholders are
// numbered for PostgreSQL when the database is there (openDB).
func sqlExec(t *testing.T, path, stmt string, args ...any) {
	t.Helper()
	db := openDB(t, path)
	if _, ok := postgresOf(filepath.Dir(path)); ok {
		for n := 1; strings.Contains(stmt, "?"); n++ {
			stmt = strings.Replace(stmt, "?", fmt.Sprintf("$%d", n), 1)
		}
	}
	r, err := db.Exec(stmt, args...)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows changed, want 1", stmt, n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
