package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestCallsPage_ImportsAFileAndRaisesTheUndocumentedCall: a controller
// uploads the PBX's file; the page says what was kept and what is
// undocumented, and the alert is raised.
func TestCallsPage_ImportsAFileAndRaisesTheUndocumentedCall(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl", "ha")
		s := a.pairedSource() // registered with +447700900123
		ctrl := a.signIn(a.controller)
		if p := ctrl.get("/calls"); p.status != http.StatusOK {
			t.Fatalf("GET /calls: %d", p.status)
		}
		if p := a.signIn(a.ha).get("/calls"); p.status != http.StatusForbidden {
			t.Errorf("a handler on /calls: %d, want 403", p.status)
		}
		// An officer whose work phone is the PBX extension 7001; the call is
		// two days old, answered, and no contact covers it.
		if _, err := a.store.CreateOfficer(cli(), tandem.OfficerCreate{Username: "hc", Name: "Officer hc", Gender: "male", Unit: "north",
			Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, WorkPhones: []string{"7001"}}); err != nil {
			t.Fatal(err)
		}
		london, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		start := a.clock.Now().Add(-48 * time.Hour).In(london)
		line := `"","07700 900123","7001","from-trunk","""Unknown"" <07700900123>","SIP/trunk-1","SIP/7001-1","Dial","SIP/7001,30","` +
			start.Format("2006-01-02 15:04:05") + `","` + start.Add(5*time.Second).Format("2006-01-02 15:04:05") + `","` +
			start.Add(605*time.Second).Format("2006-01-02 15:04:05") + `",605,600,"ANSWERED","DOCUMENTATION","1.1"` + "\n" +
			`"","07700900999","7002","from-trunk","x","SIP/a","SIP/b","Dial","","2026-01-01 10:00:00","","2026-01-01 10:00:10",10,0,"NO ANSWER","DOCUMENTATION","1.2"` + "\n" +
			"not a record\n"
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", ctrl.csrf())
		mw.WriteField("format", "asterisk")
		mw.WriteField("tz", "Europe/London")
		fw, _ := mw.CreateFormFile("file", "Master.csv")
		fw.Write([]byte(line))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, ctrl.base.String()+"/calls", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		p := ctrl.do(req)
		if p.status != http.StatusOK {
			t.Fatalf("POST /calls: %d %s", p.status, p.alert())
		}
		for _, want := range []string{"3 records read", "1 calls kept", "1 with no source involved", "1 rejected", "1 undocumented"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the result does not say %q", want)
			}
		}
		if n := len(a.alerts(tandem.AlertFilter{Rule: tandem.RuleUndocumentedCall, SourceID: s.ID})); n != 1 {
			t.Errorf("%d UNDOCUMENTED_CALL alerts, want 1", n)
		}
		// The alert's age runs from the call, two days ago, not from the
		// import that found it a moment ago.
		alerts := ctrl.get("/alerts?rule=UNDOCUMENTED_CALL")
		row := regexp.MustCompile(`(?s)<td data-label="Age" class="nowrap">([^<]*)<br><span class="hint">([^<]*)</span></td>`).FindStringSubmatch(alerts.body)
		if row == nil || row[1] != "48 h 00 min" && row[1] != "2 days" {
			t.Errorf("the undocumented call's alert is %q old, want two days (the call's age)", row)
		}
		// The source's handler is told, on the list of their sources, and
		// the link opens the contact form filled from the call.
		ha := a.signIn(a.ha)
		list := ha.get("/sources")
		m := regexp.MustCompile(`<a href="(/sources/` + s.ID + `/contacts/new\?call=[^"]+)">Call of [^<]*, not written up</a>: <span class="clock red">overdue by`).FindStringSubmatch(list.body)
		if m == nil {
			t.Fatalf("the handler's sources do not list the undocumented call as overdue:\n%s", list.body)
		}
		form := ha.get(html.UnescapeString(m[1]))
		if form.status != http.StatusOK {
			t.Fatalf("the contact form from the call: %d", form.status)
		}
		for _, want := range []string{`value="phone" checked`, `value="` + start.UTC().Format("2006-01-02T15:04") + `"`, `name="duration_minutes" type="number" min="0" max="1440" value="11"`} {
			if !strings.Contains(form.body, want) {
				t.Errorf("the form from the call lacks %s", want)
			}
		}
	})
}
