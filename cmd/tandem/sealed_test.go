package main

// Need-to-know, proved from outside: a source's identity reaches no file,
// no log, no response and no audit entry but the reveal's own answer; a
// sealed value moved, an audit entry altered, removed, reordered or cut
// off, a checkpoint forged, all are named; a master key rotation leaves the
// old key opening nothing.

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"tandem"
	"tandem/audit"
	"tandem/checkpoint"
	tandemhttp "tandem/http"
)

// sealedIdentity is a source's identity as registered through the API.
type sealedIdentity struct {
	LegalName                string   `json:"legal_name"`
	Aliases                  []string `json:"aliases"`
	DateOfBirth              string   `json:"date_of_birth"`
	Address                  string   `json:"address"`
	PhoneNumbers             []string `json:"phone_numbers"`
	RecruitmentCircumstances string   `json:"recruitment_circumstances"`
}

// Two sources' identities. Every string is a canary: it must come back from
// the identity reveal and from nothing else.
var (
	canaryA = sealedIdentity{
		LegalName:                "Zebediah Quillfeather",
		Aliases:                  []string{"Quill Zebbington", "The Marrowbone Heron"},
		DateOfBirth:              "1987-03-19",
		Address:                  "Flat 9 Marrowbone Yard, Grimsditch",
		PhoneNumbers:             []string{"+447700900987", "07700 900654"},
		RecruitmentCircumstances: "Walked into Pemberton Lodge carrying a velvet ledger",
	}
	canaryB = sealedIdentity{
		LegalName:                "Ottoline Fernsby-Wragge",
		Aliases:                  []string{"Otto Wranglethorpe"},
		DateOfBirth:              "1979-11-02",
		Address:                  "Unit 4 Pelican Slipway, Saltmarsh",
		PhoneNumbers:             []string{"+44 7700 900432"},
		RecruitmentCircumstances: "Referred by harbourmaster Cuthbertson after the Gullwing seizure",
	}
)

// strings returns every string of the identity to search for: each field,
// and each phone number's digits alone.
func (id sealedIdentity) strings() []string {
	out := []string{id.LegalName, id.DateOfBirth, id.Address, id.RecruitmentCircumstances}
	out = append(out, id.Aliases...)
	for _, p := range id.PhoneNumbers {
		out = append(out, p)
		if d := sealedDigits(p); d != "" && d != p {
			out = append(out, d)
		}
	}
	return out
}

func sealedDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sealedCanaries is every canary string of both sources.
func sealedCanaries() []string { return append(canaryA.strings(), canaryB.strings()...) }

// registration is the body of POST /sources for an identity.
func (id sealedIdentity) registration(gender, recruitedOn string) map[string]any {
	return map[string]any{"gender": gender, "date_of_birth": id.DateOfBirth, "legal_name": id.LegalName, "aliases": id.Aliases,
		"address": id.Address, "phone_numbers": id.PhoneNumbers, "recruited_on": recruitedOn,
		"recruitment_circumstances": id.RecruitmentCircumstances, "unit": "north"}
}

// sealedFound returns the canaries found in text.
func sealedFound(text string, canaries []string) []string {
	var out []string
	for _, c := range canaries {
		if strings.Contains(text, c) {
			out = append(out, c)
		}
	}
	return out
}

// sealedProcs keeps the output of every run of the binary a test makes.
type sealedProcs struct {
	t    *testing.T
	outs []string // "tandem ARGS: stdout/stderr", one per stream
}

func (p *sealedProcs) keep(args []string, res result) result {
	name := "tandem " + strings.Join(args, " ")
	p.outs = append(p.outs, name+" (stdout)\x00"+res.stdout, name+" (stderr)\x00"+res.stderr)
	return res
}

func (p *sealedProcs) run(args ...string) result {
	p.t.Helper()
	return p.keep(args, runBin(p.t, run{}, args...))
}

func (p *sealedProcs) must(args ...string) result {
	p.t.Helper()
	return p.keep(args, mustRun(p.t, run{}, args...))
}

// officer creates an officer at the command line and issues a token.
func (p *sealedProcs) officer(dir, username, name, gender, roles, unit string, dedicated bool) account {
	p.t.Helper()
	args := []string{"user", "add", "--data", dir, "--username", username, "--name", name, "--gender", gender, "--roles", roles}
	if roles != "admin" {
		args = append(args, "--as", "ada") // the run's administrator, added first
	}
	if unit != "" {
		args = append(args, "--unit", unit)
	}
	if dedicated {
		args = append(args, "--dedicated")
	}
	c := confirmersOf(dir)
	if strings.Contains(roles, "controller") && c.first() {
		args = append(args, "--bootstrap")
	}
	id := strings.TrimSpace(p.must(args...).stdout)
	c.confirm(p.t, p.must, dir, username, roles, unit)
	token := strings.TrimSpace(p.must("token", "issue", "--data", dir, "--username", username).stdout)
	return account{id: id, token: token}
}

// sealedRaw sends body as it is, with a content type, and keeps the answer
// with the others.
func (a *api) sealedRaw(token, method, path, contentType, body string) (int, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	a.mu.Lock()
	a.log = append(a.log, exchange{method: method, path: path, status: resp.StatusCode, body: string(raw)})
	a.mu.Unlock()
	return resp.StatusCode, raw
}

// sealedEvent is an entry as GET /audit lists it.
type sealedEvent struct {
	Seq        int64  `json:"seq"`
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Reason     string `json:"reason"`
}

// sealedTrailPage is how many entries sealedTrail asks for at a time: few, so
// that paging is exercised.
const sealedTrailPage = 20

// sealedTrail reads the whole trail as an auditor, page by page, and
// returns the entries and the raw text of every page.
func sealedTrail(a *api, token string) ([]sealedEvent, string) {
	a.t.Helper()
	var all []sealedEvent
	var text strings.Builder
	var after int64
	for page := 0; ; page++ {
		status, raw := a.call(token, "GET", fmt.Sprintf("/audit?after_seq=%d&limit=%d", after, sealedTrailPage), nil)
		if status != 200 {
			a.t.Fatalf("GET /audit: %d %s", status, raw)
		}
		text.Write(raw)
		var out struct {
			Events []sealedEvent `json:"events"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			a.t.Fatalf("GET /audit: %v", err)
		}
		all = append(all, out.Events...)
		if len(out.Events) < sealedTrailPage {
			return all, text.String()
		}
		after = out.Events[len(out.Events)-1].Seq
		if page > 1000 {
			a.t.Fatalf("GET /audit does not end")
		}
	}
}

func sealedCount(events []sealedEvent, action, objectID string) int {
	n := 0
	for _, e := range events {
		if e.Action == action && (objectID == "" || e.ObjectID == objectID) {
			n++
		}
	}
	return n
}

// sealedRoutePattern turns a route's pattern into a regular expression over
// request paths.
func sealedRoutePattern(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			parts[i] = `[^/]+`
		} else {
			parts[i] = regexp.QuoteMeta(p)
		}
	}
	return regexp.MustCompile(`^` + strings.Join(parts, "/") + `$`)
}

// sealedHasRoute reports whether the server has a route.
func sealedHasRoute(method, pattern string) bool {
	for _, r := range (&tandemhttp.Server{}).Routes() {
		if r.Method == method && r.Pattern == pattern {
			return true
		}
	}
	return false
}

// TestSealed_NoIdentityAnywhereButTheReveal registers two sources with
// canary identities through the real server, calls every route of the API
// as the roles that may, reveals the identities with need-to-know and by
// breaking the glass, is refused a reveal several ways, stops the server
// and verifies the trail; then searches every byte the run left behind —
// every file of the data folder, every process's output, every answer and
// the whole audit trail — for every canary. Only the reveals' answers hold
// them.
func TestSealed_NoIdentityAnywhereButTheReveal(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	procs := &sealedProcs{t: t}
	adm := procs.officer(dir, "ada", "Ada Admin", "female", "admin", "", false)
	ctl := procs.officer(dir, "carol", "Carol Controller", "female", "controller", "north", true)
	hm := procs.officer(dir, "harry", "Harry Handler", "male", "handler", "north", true)
	hf := procs.officer(dir, "fiona", "Fiona Cohandler", "female", "handler", "north", true)
	ao := procs.officer(dir, "audrey", "Audrey Authoriser", "female", "authorising_officer", "north", false)
	aud := procs.officer(dir, "alan", "Alan Auditor", "male", "auditor", "standards", false)
	procs.officer(dir, "sue", "Sue South", "female", "controller", "south", true)
	outsider := procs.officer(dir, "sam", "Sam South", "male", "handler", "south", true)

	srv := startServer(t, dir)
	a := newAPI(t, srv.url)
	now := time.Now().UTC()
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	hit := map[string]bool{} // routes called outside the api log (healthz)

	t.Log("public routes")
	resp, err := http.Get(srv.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	health, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	hit["GET /healthz"] = true
	a.do("", "GET", "/openapi.json", nil, 200, nil)

	t.Log("officers and training")
	var created officerOut
	a.do(adm.token, "POST", "/officers", map[string]any{"username": "olive", "name": "Olive Onboarded", "gender": "female", "unit": "north",
		"roles": []string{"handler"}, "dedicated": true, "work_phones": []string{"+441632960001", "2001"}}, 201, &created)
	// The two-person rule: the administrator's new account waits for the
	// unit's controller.
	a.do(ctl.token, "POST", "/officers/"+created.ID+"/confirm", map[string]any{"reason": "checked against the personnel record"}, 200, nil)
	course := map[string]any{"course": "Source handler course", "hours": 70, "completed_on": day(-60), "covers_risk_management": true}
	for _, o := range []account{hm, hf, {id: created.ID}} {
		a.do(ctl.token, "POST", "/officers/"+o.id+"/training", course, 201, nil)
	}
	a.do(hm.token, "GET", "/officers", nil, 200, nil)
	a.do(hm.token, "GET", "/officers/"+hf.id, nil, 200, nil)
	a.do(ctl.token, "GET", "/officers/"+hm.id+"/training", nil, 200, nil)

	t.Log("two sources with canary identities")
	var srcA, srcB sourceOut
	a.do(hm.token, "POST", "/sources", canaryA.registration("female", day(-30)), 201, &srcA)
	a.do(ctl.token, "POST", "/sources", canaryB.registration("male", day(-20)), 201, &srcB)
	A, B := "/sources/"+srcA.ID, "/sources/"+srcB.ID

	t.Log("assignments")
	a.do(ctl.token, "POST", A+"/assignments", map[string]string{"officer_id": hf.id, "role": "co_handler"}, 201, nil)
	a.do(ctl.token, "POST", B+"/assignments", map[string]string{"officer_id": hm.id, "role": "handler"}, 201, nil)
	var olive assignmentOut
	a.do(ctl.token, "POST", B+"/assignments", map[string]string{"officer_id": created.ID, "role": "co_handler"}, 201, &olive)
	a.do(ctl.token, "DELETE", B+"/assignments/"+olive.ID, nil, 204, nil)
	a.do(ctl.token, "POST", B+"/assignments", map[string]string{"officer_id": hf.id, "role": "co_handler"}, 201, nil)
	a.do(hm.token, "GET", A+"/assignments", nil, 200, nil)
	a.do(ctl.token, "PATCH", A, map[string]any{"status": "authorised"}, 200, nil)
	a.do(ctl.token, "PATCH", B, map[string]any{"required_officer_gender": "male"}, 200, nil)

	t.Log("meetings, contacts, amendments, risks")
	a.do(hm.token, "POST", A+"/meetings", map[string]any{"planned_for": at(48 * time.Hour), "location": "Safe house 3",
		"officer_ids": []string{hm.id, hf.id}}, 201, nil)
	var spare struct {
		ID string `json:"id"`
	}
	a.do(hm.token, "POST", A+"/meetings", map[string]any{"planned_for": at(96 * time.Hour), "location": "Safe house 4",
		"officer_ids": []string{hm.id, hf.id}}, 201, &spare)
	a.do(hf.token, "POST", A+"/meetings/"+spare.ID+"/cancel", map[string]any{"reason": "The source is travelling that week."}, 200, nil)
	if status, _ := a.call(hm.token, "POST", A+"/meetings", map[string]any{"planned_for": at(72 * time.Hour), "location": "Car park",
		"officer_ids": []string{hm.id}}); status != 422 {
		t.Errorf("a solo meeting planned: %d, want 422", status)
	}
	a.do(hf.token, "GET", A+"/meetings", nil, 200, nil)
	var paired, solo contactOut
	a.do(hm.token, "POST", A+"/contacts", map[string]any{"kind": "meeting", "occurred_at": at(-3 * time.Hour), "duration_minutes": 40,
		"location": "Safe house 3", "officer_ids": []string{hm.id, hf.id}, "summary": sealedControl}, 201, &paired)
	a.do(hm.token, "POST", A+"/contacts", map[string]any{"kind": "meeting", "occurred_at": at(-2 * time.Hour), "duration_minutes": 15,
		"location": "Retail park", "officer_ids": []string{hm.id}, "summary": "A chance meeting, alone.",
		"indicators": []string{"requests_specific_officer"}}, 201, &solo)
	a.do(hm.token, "POST", B+"/contacts", map[string]any{"kind": "phone", "occurred_at": at(-1 * time.Hour),
		"officer_ids": []string{hm.id}, "summary": "Rearranged the next meeting."}, 201, nil)
	a.do(hf.token, "GET", A+"/contacts?limit=1", nil, 200, nil)
	a.do(hf.token, "GET", A+"/contacts/"+paired.ID, nil, 200, nil)
	a.do(hm.token, "POST", A+"/contacts/"+paired.ID+"/amendments", map[string]any{"reason": "The meeting ran longer than first recorded.",
		"duration_minutes": 55}, 201, nil)
	a.do(hf.token, "POST", A+"/risks", map[string]any{"category": "relationship", "description": "Asks for one officer by name.",
		"likelihood": 2, "impact": 3, "mitigation": "Never alone with him.", "review_by": day(14), "contact_id": solo.ID}, 201, nil)
	a.do(ao.token, "GET", A+"/risks", nil, 200, nil)

	t.Log("alerts and compliance")
	open := a.alerts(ctl.token, "status=open&rule=TWO_OFFICERS&source_id="+srcA.ID)
	if len(open) == 0 {
		t.Fatalf("the solo meeting raised no TWO_OFFICERS alert")
	}
	a.do(ctl.token, "POST", "/alerts/"+open[0].ID+"/acknowledge", map[string]string{
		"justification": "The meeting was by chance; debriefed the handler, both at the next one."}, 200, nil)
	a.alerts(hm.token, "")
	for _, who := range []account{ctl, ao, aud} {
		a.do(who.token, "GET", "/compliance?from="+day(-7)+"&to="+day(0)+"&unit=north", nil, 200, nil)
	}

	// Routes added beside the sealing: called when this build has them.
	if sealedHasRoute("GET", tandemhttp.APIBase+"/early-warning") {
		t.Log("early warning")
		a.do(ctl.token, "GET", "/early-warning?days=90", nil, 200, nil)
		a.do(aud.token, "GET", "/early-warning", nil, 200, nil)
	}
	if sealedHasRoute("POST", tandemhttp.APIBase+"/call-records") {
		t.Log("call records: an answered call between Olive's work phone and source A's number, two days ago")
		start := now.Add(-48 * time.Hour)
		ts := func(d time.Duration) string { return start.Add(d).Format("2006-01-02 15:04:05") }
		cdr := fmt.Sprintf(`"","+441632960001","%s","from-internal","""Olive"" <+441632960001>","SIP/2001-00000001","SIP/trunk-00000002","Dial","SIP/trunk/%s,60","%s","%s","%s",185,180,"ANSWERED","DOCUMENTATION","1700000000.1",""`+"\n",
			canaryA.PhoneNumbers[0], canaryA.PhoneNumbers[0], ts(0), ts(5*time.Second), ts(185*time.Second))
		cdr += fmt.Sprintf(`"","+441632960001","+441632960999","from-internal","","SIP/2001-00000003","SIP/trunk-00000004","Dial","","%s","%s","%s",20,15,"ANSWERED","DOCUMENTATION","1700000000.2",""`+"\n",
			ts(time.Hour), ts(time.Hour+5*time.Second), ts(time.Hour+20*time.Second))
		status, raw := a.sealedRaw(ctl.token, "POST", "/call-records?format=asterisk&tz=UTC", "text/csv", cdr)
		var imported struct {
			Imported int `json:"imported"`
			Ignored  int `json:"ignored"`
		}
		json.Unmarshal(raw, &imported)
		// The source's number went through the store's matching: the call
		// is kept (its numbers are not), the other ignored.
		if status != 200 || imported.Imported != 1 || imported.Ignored != 1 {
			t.Errorf("POST /call-records: %d %s; want 1 imported, 1 ignored", status, raw)
		}
		if sealedHasRoute("GET", tandemhttp.APIBase+"/sources/{id}/calls") {
			var listed struct {
				Calls []json.RawMessage `json:"calls"`
			}
			a.do(ctl.token, "GET", A+"/calls", nil, 200, &listed)
			if len(listed.Calls) != 1 {
				t.Errorf("GET /sources/{id}/calls lists %d calls, want 1", len(listed.Calls))
			}
		}
	}

	t.Log("reveals: the handling team, breaking the glass, and refusals")
	reveal := func(who account, path, reason string, want int) map[string]any {
		t.Helper()
		var out map[string]any
		a.do(who.token, "POST", path+"/identity", map[string]string{"reason": reason}, want, &out)
		return out
	}
	gotA := reveal(hm, A, "Arranging a safe place for the next meeting", 200)
	reveal(hf, A, "Checking the address before a visit", 200)
	gotB := reveal(aud, B, "Misconduct inquiry PSD-2026-114", 200)
	reveal(ao, A, "Authorisation review of the source's use", 200)
	reveal(adm, A, "Administrator curiosity, to be refused", 403)
	reveal(outsider, A, "Another unit's handler, to be refused", 404)
	reveal(hm, A, "because", 400)
	reveal(hm, "/sources/no-such-source", "Looking for a source that is not there", 404)
	if status, _ := a.sealedRaw(hm.token, "POST", A+"/identity", "application/json", `{"reason": "Cut short`); status != 400 {
		t.Errorf("a reveal with a malformed body: %d, want 400", status)
	}
	if status, _ := a.sealedRaw(hm.token, "POST", A+"/identity", "application/json", `{"reason": "A good reason for this", "and": "more"}`); status != 400 {
		t.Errorf("a reveal with an unknown field: %d, want 400", status)
	}
	for name, got := range map[string]struct {
		body map[string]any
		want sealedIdentity
	}{"A": {gotA, canaryA}, "B": {gotB, canaryB}} {
		raw, _ := json.Marshal(got.body)
		var id sealedIdentity
		json.Unmarshal(raw, &id)
		if id.LegalName != got.want.LegalName || id.DateOfBirth != got.want.DateOfBirth || id.Address != got.want.Address ||
			id.RecruitmentCircumstances != got.want.RecruitmentCircumstances || strings.Join(id.Aliases, "|") != strings.Join(got.want.Aliases, "|") ||
			strings.Join(id.PhoneNumbers, "|") != strings.Join(got.want.PhoneNumbers, "|") {
			t.Errorf("the reveal of source %s gave %+v, want %+v", name, id, got.want)
		}
	}
	if n := len(a.alerts(ctl.token, "rule=BREAK_GLASS")); n < 2 {
		t.Errorf("%d BREAK_GLASS alerts after the auditor's and the authorising officer's reveals, want 2", n)
	}

	t.Log("everything else there is to read, as everyone who may")
	for _, who := range []account{ctl, hm, hf, aud, ao} {
		a.call(who.token, "GET", "/sources", nil)
		a.call(who.token, "GET", A, nil)
		a.call(who.token, "GET", B, nil)
		a.call(who.token, "GET", A+"/contacts", nil)
		a.call(who.token, "GET", A+"/contacts/"+solo.ID, nil)
		a.call(who.token, "GET", A+"/meetings", nil)
		a.call(who.token, "GET", A+"/risks", nil)
		a.call(who.token, "GET", B+"/assignments", nil)
		a.call(who.token, "GET", "/alerts", nil)
		a.call(who.token, "GET", "/officers", nil)
	}
	a.call(outsider.token, "GET", A, nil)
	a.call(adm.token, "GET", A, nil)
	if status, body := a.call(adm.token, "PATCH", "/officers/"+ao.id, map[string]any{"senior": true, "reason": "promoted"}); status != 200 || !strings.Contains(string(body), `"senior":true`) {
		t.Errorf("marking the authorising officer senior: %d %s", status, body)
	}
	// An account that signs in by token only has no second factor to reset.
	if status, body := a.call(adm.token, "POST", "/officers/"+outsider.id+"/second-factor/reset", map[string]any{"reason": "lost phone"}); status != 409 {
		t.Errorf("resetting a second factor never enrolled: %d %s, want 409", status, body)
	}
	if status, body := a.call(adm.token, "POST", "/officers/"+outsider.id+"/disable", map[string]any{"reason": "left the force"}); status != 200 {
		t.Errorf("disabling the outsider: %d %s", status, body)
	}
	if status, _ := a.call(outsider.token, "GET", "/sources", nil); status != 401 {
		t.Errorf("the disabled outsider's token: %d, want 401", status)
	}
	a.call(hm.token, "GET", "/settings", nil)
	if status, body := a.call(ctl.token, "PUT", "/settings/document_within", map[string]any{"value": "23h", "reason": "force policy: a tighter clock"}); status != 200 {
		t.Errorf("a controller tightening document_within: %d %s", status, body)
	}

	t.Log("the audit trail, every page")
	events, trailText := sealedTrail(a, aud.token)
	if len(events) < 2*sealedTrailPage {
		t.Errorf("the trail has only %d entries: paging is not exercised", len(events))
	}
	for action, wantMin := range map[string]int{"source.identity.reveal": 2, "source.identity.break_glass": 2, "source.identity.refuse": 6, "source.view": 1} {
		if n := sealedCount(events, action, ""); n < wantMin {
			t.Errorf("%d %s entries in the trail, want at least %d", n, action, wantMin)
		}
	}
	if found := sealedFound(trailText, sealedCanaries()); len(found) > 0 {
		t.Errorf("the audit trail carries %q", found)
	}
	t.Log("the trail as a transparency log: its checkpoint, key and proofs")
	for _, path := range []string{"/audit/checkpoint", "/audit/key", "/audit/proof/consistency?from=1&to=" + strconv.Itoa(len(events)),
		"/audit/proof/inclusion?seq=1&size=" + strconv.Itoa(len(events))} {
		if status, body := a.call(aud.token, "GET", path, nil); status != 200 {
			t.Errorf("GET %s as the auditor: %d %s", path, status, body)
		}
	}

	t.Log("every route of the API was called")
	for _, r := range (&tandemhttp.Server{}).Routes() {
		key := r.Method + " " + r.Pattern
		re := sealedRoutePattern(r.Pattern)
		for _, x := range a.exchanges() {
			path, _, _ := strings.Cut(x.path, "?")
			if x.method == r.Method && re.MatchString(tandemhttp.APIBase+path) {
				hit[key] = true
			}
		}
		if !hit[key] {
			t.Errorf("the test never called %s", key)
		}
	}

	t.Log("only the reveals' answers carry the identity")
	reveals := 0
	for _, x := range a.exchanges() {
		found := sealedFound(x.body, sealedCanaries())
		if x.method == "POST" && strings.HasSuffix(x.path, "/identity") && x.status == 200 {
			reveals++
			if len(found) == 0 {
				t.Errorf("the reveal %s answered without the identity: %s", x.path, x.body)
			}
			continue
		}
		if len(found) > 0 {
			t.Errorf("%s %s (status %d) carries %q", x.method, x.path, x.status, found)
		}
	}
	if reveals != 4 {
		t.Errorf("%d reveals answered 200, want 4", reveals)
	}
	if found := sealedFound(string(health), sealedCanaries()); len(found) > 0 {
		t.Errorf("/healthz carries %q", found)
	}

	t.Log("search the data folder while the server runs: the write-ahead log holds the newest pages")
	live := sealedSearchFolder(t, dir, "while serving")
	if !live["tandem.db-wal"] {
		t.Errorf("no write-ahead log to search while serving (files: %v)", live)
	}

	t.Log("stop, verify, and search every byte left behind")
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve after SIGTERM: exit %d\nstderr: %s", code, srv.stderr)
	}
	procs.outs = append(procs.outs, "tandem serve (stdout)\x00"+srv.stdout.String(), "tandem serve (stderr)\x00"+srv.stderr.String())
	res := procs.must("audit", "verify", "--data", dir)
	if !strings.Contains(res.stdout, "intact") {
		t.Errorf("audit verify: %q", res.stdout)
	}
	for _, out := range procs.outs {
		name, text, _ := strings.Cut(out, "\x00")
		if found := sealedFound(text, sealedCanaries()); len(found) > 0 {
			t.Errorf("the output of %s carries %q", name, found)
		}
	}
	searched := sealedSearchFolder(t, dir, "after the server stopped")
	for _, must := range []string{"tandem.db", "audit.checkpoints", "master.key", "checkpoint.key"} {
		if !searched[must] {
			t.Errorf("the data folder has no %s to search (it holds %v)", must, searched)
		}
	}
	for name := range live {
		searched[name+" (while serving)"] = true
	}
	t.Logf("searched %d files and %d process outputs for %d canaries", len(searched), len(procs.outs), len(sealedCanaries()))
}

// sealedSearchFolder searches every file of a data folder for every canary,
// and returns the names of the files it searched. As a control, the clear
// text of a contact's summary must be found: the search reads what is
// really there.
func sealedSearchFolder(t *testing.T, dir, when string) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	searched := map[string]bool{}
	control := false
	for _, e := range entries {
		if !e.Type().IsRegular() {
			t.Errorf("%s: %s in the data folder is not a regular file", when, e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		searched[e.Name()] = true
		control = control || bytes.Contains(b, []byte(sealedControl))
		for _, c := range sealedCanaries() {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("%s: %s holds %q", when, e.Name(), c)
			}
		}
	}
	if !control {
		t.Errorf("%s: the contact summary %q, kept in clear, is in no file: the search does not see the data", when, sealedControl)
	}
	return searched
}

// sealedControl is a contact's summary: not sealed, so found in the files.
const sealedControl = "Debrief with both handlers at the Lantern safe house."

// sealedRun is a data folder a real run left: officers, two sources with
// canary identities, a contact, reveals and looks at the end (entries with
// no record hash), the server stopped.
type sealedRun struct {
	dir          string
	ctl, hm, aud account
	a, b         sourceOut
	summary      string // audit verify's line
}

func newSealedRun(t *testing.T) sealedRun {
	t.Helper()
	r := sealedRun{dir: filepath.Join(t.TempDir(), "data")}
	r.ctl = addOfficer(t, r.dir, "carol", "Carol Controller", "female", "controller", "north", true)
	r.hm = addOfficer(t, r.dir, "harry", "Harry Handler", "male", "handler", "north", true)
	hf := addOfficer(t, r.dir, "fiona", "Fiona Cohandler", "female", "handler", "north", true)
	r.aud = addOfficer(t, r.dir, "alan", "Alan Auditor", "male", "auditor", "standards", false)
	// The store's administrator, added last (the first needs no --as):
	// keys rotate names them.
	mustRun(t, run{}, "user", "add", "--data", r.dir, "--username", "ada", "--name", "Ada Admin", "--gender", "female", "--roles", "admin")
	srv := startServer(t, r.dir)
	a := newAPI(t, srv.url)
	now := time.Now().UTC()
	course := map[string]any{"course": "Source handler course", "hours": 70, "completed_on": now.AddDate(0, 0, -60).Format("2006-01-02"), "covers_risk_management": true}
	for _, o := range []account{r.hm, hf} {
		a.do(r.ctl.token, "POST", "/officers/"+o.id+"/training", course, 201, nil)
	}
	recruited := now.AddDate(0, 0, -10).Format("2006-01-02")
	a.do(r.hm.token, "POST", "/sources", canaryA.registration("female", recruited), 201, &r.a)
	a.do(r.hm.token, "POST", "/sources", canaryB.registration("male", recruited), 201, &r.b)
	for _, s := range []sourceOut{r.a, r.b} {
		a.do(r.ctl.token, "POST", "/sources/"+s.ID+"/assignments", map[string]string{"officer_id": hf.id, "role": "co_handler"}, 201, nil)
	}
	a.do(r.hm.token, "POST", "/sources/"+r.a.ID+"/contacts", map[string]any{"kind": "meeting", "occurred_at": now.Add(-time.Hour).Format(time.RFC3339),
		"duration_minutes": 30, "location": "Safe house 3", "officer_ids": []string{r.hm.id, hf.id}, "summary": "Debrief."}, 201, nil)
	// The newest entries change no record: reveals and looks.
	for _, s := range []sourceOut{r.a, r.b} {
		a.do(r.hm.token, "POST", "/sources/"+s.ID+"/identity", map[string]string{"reason": "Arranging the next meeting"}, 200, nil)
		a.do(r.hm.token, "GET", "/sources/"+s.ID, nil, 200, nil)
		a.do(hf.token, "GET", "/sources/"+s.ID, nil, 200, nil)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve after SIGTERM: exit %d\nstderr: %s", code, srv.stderr)
	}
	res := mustRun(t, run{}, "audit", "verify", "--data", r.dir)
	if !strings.Contains(res.stdout, "intact") || !strings.Contains(res.stdout, "checkpoints hold") {
		t.Fatalf("audit verify of the untouched run: %q", res.stdout)
	}
	r.summary = res.stdout
	return r
}

// sealedAuditHead returns the last seq of a data folder's trail, read straight.
func sealedAuditHead(t *testing.T, dir string) int64 {
	t.Helper()
	db := openDB(t, filepath.Join(dir, "tandem.db"))
	defer db.Close()
	var head int64
	if err := db.QueryRow(`SELECT MAX(seq) FROM audit_events`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	return head
}

// sealedVerifyFails runs audit verify on dir and checks it exits 1 with one clear
// line holding every part.
func sealedVerifyFails(t *testing.T, dir string, parts ...string) string {
	t.Helper()
	res := runBin(t, run{}, "audit", "verify", "--data", dir)
	if res.code != 1 {
		t.Fatalf("audit verify: exit %d, want 1\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	if res.stdout != "" {
		t.Errorf("audit verify that fails printed on stdout: %q", res.stdout)
	}
	for _, p := range parts {
		if !strings.Contains(res.stderr, p) {
			t.Errorf("audit verify's line %q does not name %q", res.stderr, p)
		}
	}
	if found := sealedFound(res.stderr, sealedCanaries()); len(found) > 0 {
		t.Errorf("audit verify's line carries %q", found)
	}
	return res.stderr
}

// sealedNamesEntry reports whether a line names an audit entry by its number.
func sealedNamesEntry(line string, seq int64) bool {
	return regexp.MustCompile(`\bentry ` + strconv.FormatInt(seq, 10) + `\b`).MatchString(line)
}

// TestSealed_TamperingIsNamed tampers with copies of a real run's data
// folder, one way each, and checks that the reveal or audit verify names
// what was done.
func TestSealed_TamperingIsNamed(t *testing.T) {
	t.Parallel()
	run0 := newSealedRun(t)
	head := sealedAuditHead(t, run0.dir)
	mid := head / 2

	t.Run("a sealed name copied onto another source", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		sqlExec(t, filepath.Join(dir, "tandem.db"), `UPDATE sources SET legal_name = (SELECT legal_name FROM sources WHERE id = ?) WHERE id = ?`, run0.a.ID, run0.b.ID)
		srv := startServer(t, dir)
		a := newAPI(t, srv.url)
		status, raw := a.call(run0.hm.token, "POST", "/sources/"+run0.b.ID+"/identity", map[string]string{"reason": "Arranging the next meeting"})
		var e apiError
		json.Unmarshal(raw, &e)
		if status != 500 || e.Error.Code != "internal" {
			t.Errorf("revealing the tampered source: %d %s, want 500 internal", status, raw)
		}
		for _, part := range []string{"does not open", "legal_name", "altered"} {
			if !strings.Contains(e.Error.Message, part) {
				t.Errorf("the error %q does not name %q", e.Error.Message, part)
			}
		}
		if found := sealedFound(string(raw), sealedCanaries()); len(found) > 0 {
			t.Errorf("the failed reveal's answer carries %q", found)
		}
		for _, field := range []string{"legal_name\":", "address\":", "date_of_birth\":"} {
			if strings.Contains(string(raw), field) {
				t.Errorf("the failed reveal's answer has an identity field %s: %s", field, raw)
			}
		}
		// The untouched source still opens.
		a.do(run0.hm.token, "POST", "/sources/"+run0.a.ID+"/identity", map[string]string{"reason": "Arranging the next meeting"}, 200, nil)
		events, _ := sealedTrail(a, run0.aud.token)
		if n := sealedCount(events, "source.identity.integrity_failure", run0.b.ID); n != 1 {
			t.Errorf("%d source.identity.integrity_failure entries for the tampered source, want 1", n)
		}
		if code := srv.stop(); code != 0 {
			t.Fatalf("serve: exit %d", code)
		}
		if found := sealedFound(srv.stdout.String()+srv.stderr.String(), sealedCanaries()); len(found) > 0 {
			t.Errorf("the server's output carries %q", found)
		}
		sealedVerifyFails(t, dir, run0.b.ID, "changed outside Tandem")
	})

	t.Run("one byte of an audit entry changed", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		db := openDB(t, filepath.Join(dir, "tandem.db"))
		var action string
		if err := db.QueryRow(`SELECT action FROM audit_events WHERE seq = ?`, mid).Scan(&action); err != nil {
			t.Fatal(err)
		}
		db.Close()
		last := action[len(action)-1]
		changed := action[:len(action)-1] + string(last^1)
		sqlExec(t, filepath.Join(dir, "tandem.db"), `UPDATE audit_events SET action = ? WHERE seq = ?`, changed, mid)
		line := sealedVerifyFails(t, dir, "altered")
		if !sealedNamesEntry(line, mid) {
			t.Errorf("audit verify does not name entry %d: %q", mid, line)
		}
	})

	t.Run("an entry deleted from the middle", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		sqlExec(t, filepath.Join(dir, "tandem.db"), `DELETE FROM audit_events WHERE seq = ?`, mid)
		line := sealedVerifyFails(t, dir, "removed")
		if !sealedNamesEntry(line, mid) {
			t.Errorf("audit verify does not name the missing entry %d: %q", mid, line)
		}
	})

	t.Run("two entries swapped", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		path := filepath.Join(dir, "tandem.db")
		// The rows trade places: each keeps its content and takes the
		// other's number.
		sqlExec(t, path, `UPDATE audit_events SET seq = -1 WHERE seq = ?`, mid)
		sqlExec(t, path, `UPDATE audit_events SET seq = ? WHERE seq = ?`, mid, mid+1)
		sqlExec(t, path, `UPDATE audit_events SET seq = ? WHERE seq = -1`, mid+1)
		line := sealedVerifyFails(t, dir)
		if !sealedNamesEntry(line, mid) && !sealedNamesEntry(line, mid+1) {
			t.Errorf("audit verify names neither swapped entry %d nor %d: %q", mid, mid+1, line)
		}
	})

	t.Run("the newest entries cut off", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		db := openDB(t, filepath.Join(dir, "tandem.db"))
		var lastRecord int64
		if err := db.QueryRow(`SELECT MAX(seq) FROM audit_events WHERE record_hash <> ''`).Scan(&lastRecord); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if lastRecord >= head {
			t.Fatalf("the run ends with an entry that records a hash (%d of %d): nothing to cut that only a checkpoint can catch", lastRecord, head)
		}
		// The checkpoint written at the server's close vouches for the head.
		if last := sealedLastCheckpoint(t, dir); last.Size != uint64(head) {
			t.Fatalf("the last checkpoint is of %d entries, not of the head %d", last.Size, head)
		}
		path := filepath.Join(dir, "tandem.db")
		db = openDB(t, path)
		r, err := db.Exec(`DELETE FROM audit_events WHERE seq > ? AND record_hash = ''`, lastRecord)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := r.RowsAffected(); n != head-lastRecord {
			t.Fatalf("cut %d entries, want %d", n, head-lastRecord)
		}
		db.Close()
		line := sealedVerifyFails(t, dir, "cut off")
		// It names the first checkpointed entry that is gone: the head's,
		// or a reveal's, each signed before it answered.
		named := false
		for seq := lastRecord + 1; seq <= head; seq++ {
			named = named || sealedNamesEntry(line, seq)
		}
		if !named {
			t.Errorf("audit verify names no entry cut off (%d to %d): %q", lastRecord+1, head, line)
		}
	})

	t.Run("a reveal cut from the trail after kill -9", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		srv := startServer(t, dir)
		a := newAPI(t, srv.url)
		a.do(run0.hm.token, "POST", "/sources/"+run0.a.ID+"/identity", map[string]string{"reason": "Arranging the next meeting"}, 200, nil)
		// No clean close, no checkpoint at close: only what the reveal
		// signed before it answered.
		srv.cmd.Process.Kill()
		<-srv.done
		db := openDB(t, filepath.Join(dir, "tandem.db"))
		var reveal int64
		if err := db.QueryRow(`SELECT MAX(seq) FROM audit_events WHERE action = 'source.identity.reveal'`).Scan(&reveal); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if reveal <= head {
			t.Fatalf("the new reveal is entry %d, not after the run's head %d", reveal, head)
		}
		sqlExec(t, filepath.Join(dir, "tandem.db"), `DELETE FROM audit_events WHERE seq >= ?`, reveal)
		line := sealedVerifyFails(t, dir, "cut off")
		if !sealedNamesEntry(line, reveal) {
			t.Errorf("audit verify does not name the cut reveal, entry %d: %q", reveal, line)
		}
	})

	t.Run("one character of a checkpoint's signature changed", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		path := filepath.Join(dir, "audit.checkpoints")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The last signature line: "— <origin> <base64 of key hash and
		// signature>"; a character well past the key hash.
		i := bytes.LastIndexByte(b[:len(b)-1], ' ') + 30
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sealedVerifyFails(t, dir, "checkpoint", "signature")
	})

	for _, how := range []string{"deleted", "emptied"} {
		t.Run("the checkpoint file "+how, func(t *testing.T) {
			t.Parallel()
			dir := copyDataFolder(t, run0.dir)
			path := filepath.Join(dir, "audit.checkpoints")
			var err error
			if how == "deleted" {
				err = os.Remove(path)
			} else {
				err = os.WriteFile(path, nil, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			sealedVerifyFails(t, dir, "checkpoint file", how)
		})
	}

	t.Run("the checkpoint key replaced by another", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		key := filepath.Join(dir, "checkpoint.key")
		if err := os.Remove(key); err != nil {
			t.Fatal(err)
		}
		if _, _, err := checkpoint.LoadOrCreateKey(key); err != nil {
			t.Fatal(err)
		}
		sealedVerifyFails(t, dir, "checkpoint", "not signed by the log's key")
	})

	t.Run("history forged with the chain recomputed and re-signed by the key", func(t *testing.T) {
		t.Parallel()
		dir := copyDataFolder(t, run0.dir)
		sealedForge(t, dir, mid)
		// The folder alone cannot show it: whoever holds the key signed the
		// new history and left no older checkpoint behind.
		if res := runBin(t, run{}, "audit", "verify", "--data", dir); res.code != 0 {
			t.Fatalf("verify of the forged folder: exit %d %s: the forgery was not thorough", res.code, res.stderr)
		}
		// A witness that kept a checkpoint of the true history names it.
		witness := sealedWitnessOf(t, run0.dir)
		res := runBin(t, run{}, "audit", "verify", "--data", dir, "--witness", witness)
		if res.code != 1 || !strings.Contains(res.stderr, "the trail was rewritten") {
			t.Errorf("verify --witness of a forged history: exit %d, %q", res.code, res.stderr)
		}
	})

	// The copies were copies: the run itself still verifies, unchanged.
	t.Cleanup(func() {
		if res := runBin(t, run{}, "audit", "verify", "--data", run0.dir); res.code != 0 || res.stdout != run0.summary {
			t.Errorf("the original run after the tampered copies: exit %d, %q; want %q", res.code, res.stdout, run0.summary)
		}
	})
}

// sealedLastCheckpoint returns the last checkpoint of a data folder.
func sealedLastCheckpoint(t *testing.T, dir string) checkpoint.Checkpoint {
	t.Helper()
	l, err := checkpoint.OpenLog(filepath.Join(dir, "audit.checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	last, ok, err := l.Last()
	if err != nil || !ok {
		t.Fatalf("the last checkpoint of %s: %v %v", dir, ok, err)
	}
	return last
}

// sealedWitnessOf returns a witness state holding the last checkpoint of
// a data folder, as a witness that ran against it would.
func sealedWitnessOf(t *testing.T, dir string) string {
	t.Helper()
	key, err := checkpoint.LoadKey(filepath.Join(dir, "checkpoint.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := checkpoint.NewState(key.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	st.Checkpoints = []checkpoint.Checkpoint{sealedLastCheckpoint(t, dir)}
	path := filepath.Join(t.TempDir(), "witness.state")
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// sealedForge rewrites a data folder's history from entry from on as an
// insider holding the database and the key would: one entry's reason
// changed, every hash after it recomputed, the tree built again, and the
// checkpoint file replaced by one checkpoint of the new history.
func sealedForge(t *testing.T, dir string, from int64) {
	t.Helper()
	path := filepath.Join(dir, "tandem.db")
	db := openDB(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash FROM audit_events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*tandem.AuditEvent
	for rows.Next() {
		var e tandem.AuditEvent
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.RecordHash, &e.PrevHash, &e.Hash); err != nil {
			t.Fatal(err)
		}
		if e.At, err = time.Parse(audit.TimeLayout, at); err != nil {
			t.Fatalf("entry %d's time %q: %v", e.Seq, at, err)
		}
		evs = append(evs, &e)
	}
	rows.Close()
	tree := checkpoint.Ranges.NewEmptyRange(0)
	var prev *tandem.AuditEvent
	for _, e := range evs {
		if e.Seq == from {
			e.Reason += " (as it never was)"
		}
		if e.Seq >= from {
			audit.Seal(e, prev)
		}
		leaf, _ := checkpoint.LeafHash(e.Hash)
		nodes := []byte{}
		tree.Append(leaf, func(id compact.NodeID, h []byte) {
			if id.Level > 0 {
				nodes = append(nodes, h...)
			}
		})
		if _, err := db.Exec(`UPDATE audit_events SET reason = ?, prev_hash = ?, hash = ?, tree = ? WHERE seq = ?`, e.Reason, e.PrevHash, e.Hash, nodes, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e
	}
	key, err := checkpoint.LoadKey(filepath.Join(dir, "checkpoint.key"))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := checkpoint.Root(tree)
	c, err := checkpoint.Sign(key, tree.End(), root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.checkpoints"), c.Note, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSealed_RotateMasterKey rotates a real run's master key at the command
// line: refused for a key that is no new key, done for a good one; then
// the default key path holds the new key, the identity still reveals, and
// the old key opens nothing.
func TestSealed_RotateMasterKey(t *testing.T) {
	t.Parallel()
	r := newSealedRun(t)
	work := t.TempDir()
	keyPath := filepath.Join(r.dir, "master.key")
	oldKey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldCopy := write("old.key", oldKey)
	newBytes := make([]byte, 32)
	rand.Read(newBytes)
	newKey := write("new.key", newBytes)

	unchanged := func(when string) {
		t.Helper()
		if b, _ := os.ReadFile(keyPath); !bytes.Equal(b, oldKey) {
			t.Errorf("%s: master.key changed", when)
		}
		res := runBin(t, run{}, "audit", "verify", "--data", r.dir)
		if res.code != 0 || res.stdout != r.summary {
			t.Errorf("%s: audit verify exit %d, %q; want %q", when, res.code, res.stdout, r.summary)
		}
		if res := runBin(t, run{}, "audit", "verify", "--data", r.dir, "--master-key", oldCopy); res.code != 0 {
			t.Errorf("%s: the old key no longer opens the data folder: exit %d, %s", when, res.code, res.stderr)
		}
	}

	t.Log("refused: the key in use as the new key")
	res := runBin(t, run{}, "keys", "rotate", "--data", r.dir, "--as", "ada", "--new-master-key", write("same.key", oldKey))
	if res.code != 2 || !strings.Contains(res.stderr, "in use") {
		t.Errorf("rotating to the key in use: exit %d, %q; want 2 saying it is the key in use", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	unchanged("after rotating to the key in use")

	t.Log("refused: a new key of 31 bytes")
	res = runBin(t, run{}, "keys", "rotate", "--data", r.dir, "--as", "ada", "--new-master-key", write("short.key", newBytes[:31]))
	if res.code != 2 || !strings.Contains(res.stderr, "new-master-key") || !strings.Contains(res.stderr, "31") {
		t.Errorf("rotating to a 31-byte key: exit %d, %q; want 2 naming --new-master-key and its 31 bytes", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	unchanged("after rotating to a 31-byte key")

	t.Log("the rotation")
	res = mustRun(t, run{}, "keys", "rotate", "--data", r.dir, "--as", "ada", "--new-master-key", newKey)
	if found := sealedFound(res.stdout+res.stderr, sealedCanaries()); len(found) > 0 {
		t.Errorf("keys rotate printed %q", found)
	}
	if b, _ := os.ReadFile(keyPath); !bytes.Equal(b, newBytes) {
		t.Fatalf("after the rotation master.key does not hold the new key")
	}
	if info, err := os.Stat(keyPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("master.key after the rotation: %v, %v; want mode 0600", info, err)
	}
	if _, err := os.Stat(keyPath + ".new"); err == nil {
		t.Errorf("the rotation left master.key.new behind")
	}
	res = mustRun(t, run{}, "audit", "verify", "--data", r.dir)
	if !strings.Contains(res.stdout, "intact") {
		t.Errorf("audit verify with the default key after the rotation: %q", res.stdout)
	}
	mustRun(t, run{}, "token", "issue", "--data", r.dir, "--username", "harry")

	t.Log("the identity still reveals, with the default key")
	srv := startServer(t, r.dir)
	a := newAPI(t, srv.url)
	var got sealedIdentity
	a.do(r.hm.token, "POST", "/sources/"+r.a.ID+"/identity", map[string]string{"reason": "Checking after the key rotation"}, 200, &got)
	if got.LegalName != canaryA.LegalName || got.Address != canaryA.Address || got.DateOfBirth != canaryA.DateOfBirth {
		t.Errorf("the reveal after the rotation: %+v", got)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve: exit %d", code)
	}

	t.Log("the old key opens nothing")
	for _, args := range [][]string{
		{"audit", "verify", "--data", r.dir, "--master-key", oldCopy},
		{"token", "issue", "--data", r.dir, "--username", "harry", "--master-key", oldCopy},
	} {
		res := runBin(t, run{}, args...)
		if res.code != 2 {
			t.Errorf("tandem %s: exit %d, want 2", strings.Join(args, " "), res.code)
		}
		assertOneCleanLine(t, res.stderr)
		if !strings.Contains(res.stderr, "does not open this data folder") {
			t.Errorf("tandem %s: %q does not say the key does not open the data folder", strings.Join(args, " "), res.stderr)
		}
		if res.stdout != "" {
			t.Errorf("tandem %s printed %q", strings.Join(args, " "), res.stdout)
		}
	}
	if res := runBin(t, run{env: []string{"TANDEM_MASTER_KEY_FILE=" + oldCopy}}, "audit", "verify", "--data", r.dir); res.code != 2 {
		t.Errorf("the old key from TANDEM_MASTER_KEY_FILE: exit %d, want 2", res.code)
	}

	t.Log("refused: the new key, now in use, as the next new key")
	res = runBin(t, run{}, "keys", "rotate", "--data", r.dir, "--as", "ada", "--new-master-key", newKey)
	if res.code != 2 {
		t.Errorf("rotating again to the key now in use: exit %d, want 2; stderr %s", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	if b, _ := os.ReadFile(keyPath); !bytes.Equal(b, newBytes) {
		t.Errorf("a refused rotation changed master.key")
	}
	mustRun(t, run{}, "audit", "verify", "--data", r.dir)
}

// TestSealed_RotateWhileServing rotates the master key while the server
// runs. Either the rotation is refused while the data folder is in use, or
// it holds for everything: a source the running server registers after the
// rotation reveals after a restart with the new key, and the old key opens
// nothing.
func TestSealed_RotateWhileServing(t *testing.T) {
	t.Parallel()
	r := newSealedRun(t)
	newBytes := make([]byte, 32)
	rand.Read(newBytes)
	newKey := filepath.Join(t.TempDir(), "new.key")
	if err := os.WriteFile(newKey, newBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	oldKey := filepath.Join(t.TempDir(), "old.key")
	if b, err := os.ReadFile(filepath.Join(r.dir, "master.key")); err != nil || os.WriteFile(oldKey, b, 0o600) != nil {
		t.Fatalf("save the old key: %v", err)
	}

	srv := startServer(t, r.dir)
	a := newAPI(t, srv.url)
	res := runBin(t, run{}, "keys", "rotate", "--data", r.dir, "--as", "ada", "--new-master-key", newKey)
	if res.code != 0 {
		// Refused while the folder is in use: nothing changed.
		assertOneCleanLine(t, res.stderr)
		a.do(r.hm.token, "POST", "/sources/"+r.a.ID+"/identity", map[string]string{"reason": "Checking after a refused rotation"}, 200, nil)
		srv.stop()
		mustRun(t, run{}, "audit", "verify", "--data", r.dir)
		return
	}
	t.Log("the rotation ran while serving; the server goes on registering and revealing")
	status, raw := a.call(r.hm.token, "POST", "/sources/"+r.a.ID+"/identity", map[string]string{"reason": "Checking right after the rotation"})
	if status != 200 {
		t.Errorf("the running server cannot reveal an existing source after the rotation: %d %s", status, raw)
	}
	third := sealedIdentity{LegalName: "Percival Lateregistered", DateOfBirth: "1990-06-06", Address: "11 Afterwards Lane",
		PhoneNumbers: []string{"+447700900777"}, RecruitmentCircumstances: "Registered after the key rotation"}
	var src sourceOut
	a.do(r.hm.token, "POST", "/sources", third.registration("male", time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")), 201, &src)
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve: exit %d", code)
	}

	t.Log("restarted with the new key, every source reveals")
	srv = startServer(t, r.dir)
	a = newAPI(t, srv.url)
	for _, id := range []string{r.a.ID, r.b.ID, src.ID} {
		status, raw := a.call(r.hm.token, "POST", "/sources/"+id+"/identity", map[string]string{"reason": "Checking after the restart"})
		if status != 200 {
			t.Errorf("source %s after a restart with the new key: %d %s", id, status, raw)
		}
	}
	srv.stop()
	if res := runBin(t, run{}, "audit", "verify", "--data", r.dir, "--master-key", oldKey); res.code != 2 {
		t.Errorf("the old key still opens the data folder after the rotation: exit %d", res.code)
	}
}
