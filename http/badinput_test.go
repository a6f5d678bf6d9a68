package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// badInput is a request the API must refuse with CONTRACT's error shape,
// having written nothing.
type badInput struct {
	name   string
	method string
	// path builds the path; it may create what the request refers to,
	// before the test counts the records.
	path   func(f *fixture) string
	user   string
	body   any
	header []string

	status int
	code   string
	field  string
}

func badInputs() []badInput {
	sources := func(f *fixture) string { return api("sources") }
	contacts := func(f *fixture) string { return api("sources", f.north.ID, "contacts") }
	meetings := func(f *fixture) string { return api("sources", f.north.ID, "meetings") }
	risks := func(f *fixture) string { return api("sources", f.north.ID, "risks") }
	training := func(f *fixture) string { return api("officers", f.id(uNorthHandlerB), "training") }
	amendments := func(f *fixture) string {
		return api("sources", f.north.ID, "contacts", f.northContact.ID, "amendments")
	}
	acknowledge := func(f *fixture) string { return api("alerts", f.freshAlert().ID, "acknowledge") }
	at := func(f *fixture) string { return api("sources", f.north.ID, "assignments") }
	get := func(p string) func(f *fixture) string { return func(f *fixture) string { return p } }
	north := func(suffix string) func(f *fixture) string {
		return func(f *fixture) string { return api("sources", f.north.ID) + suffix }
	}

	contact := func() map[string]any {
		return map[string]any{"kind": "phone", "occurred_at": rfc3339(t0.Add(-time.Hour)), "officer_ids": []string{"{handlerA}"}, "summary": "a call"}
	}
	meeting := func() map[string]any {
		return map[string]any{"planned_for": rfc3339(t0.Add(48 * time.Hour)), "location": "The library", "officer_ids": []string{"{handlerA}", "{handlerB}"}}
	}
	risk := func() map[string]any {
		return map[string]any{"category": "welfare", "description": "d", "likelihood": 2, "impact": 2, "mitigation": "m", "review_by": "2026-12-31"}
	}
	course := func() map[string]any {
		return map[string]any{"course": "Refresher", "hours": 4, "completed_on": "2026-11-01", "covers_risk_management": true}
	}
	officer := func() map[string]any {
		return map[string]any{"username": "new.one", "name": "New One", "gender": "male", "unit": "north", "roles": []string{"handler"}}
	}
	huge := strings.Repeat("x", maxBody+1)

	const (
		bad      = http.StatusBadRequest
		notFound = http.StatusNotFound
	)
	return []badInput{
		// Bodies that are not one JSON object.
		{name: "malformed JSON", method: "POST", path: sources, user: uNorthHandlerA, body: `{"gender": "female",`, status: bad, code: tandem.EINVALID},
		{name: "not JSON at all", method: "POST", path: sources, user: uNorthHandlerA, body: `gender=female&legal_name=x`, status: bad, code: tandem.EINVALID},
		{name: "an empty body", method: "POST", path: sources, user: uNorthHandlerA, body: "", status: bad, code: tandem.EINVALID},
		{name: "two JSON values", method: "POST", path: contacts, user: uNorthHandlerA, body: `{}{}`, status: bad, code: tandem.EINVALID},
		{name: "an array, not an object", method: "POST", path: contacts, user: uNorthHandlerA, body: `[]`, status: bad, code: tandem.EINVALID},
		{name: "a body not sent as JSON", method: "POST", path: sources, user: uNorthHandlerA, body: sourceBody(),
			header: []string{"Content-Type", "text/plain"}, status: bad, code: tandem.EINVALID},

		// What encoding/json alone would let through (CONTRACT, "Strict
		// input"): refused naming the field, on both databases.
		{name: "a duplicate key", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   `{"kind": "phone", "occurred_at": "` + rfc3339(t0.Add(-time.Hour)) + `", "officer_ids": ["{handlerA}"], "summary": "a call", "summary": "another call"}`,
			status: bad, code: tandem.EINVALID, field: "summary"},
		{name: "a duplicate key in another case", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   `{"kind": "phone", "occurred_at": "` + rfc3339(t0.Add(-time.Hour)) + `", "officer_ids": ["{handlerA}"], "summary": "a call", "Summary": "another call"}`,
			status: bad, code: tandem.EINVALID, field: "Summary"},
		{name: "a field name in the wrong case", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   `{"Kind": "phone", "occurred_at": "` + rfc3339(t0.Add(-time.Hour)) + `", "officer_ids": ["{handlerA}"], "summary": "a call"}`,
			status: bad, code: tandem.EINVALID, field: "Kind"},
		{name: "invalid UTF-8", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   []byte("{\"kind\": \"phone\", \"occurred_at\": \"" + rfc3339(t0.Add(-time.Hour)) + "\", \"officer_ids\": [\"{handlerA}\"], \"summary\": \"a \xff\xfe call\"}"),
			status: bad, code: tandem.EINVALID, field: "summary"},
		{name: "a NUL character", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(contact(), "summary", "a call\x00 and more"), status: bad, code: tandem.EINVALID, field: "summary"},
		{name: "a NUL character after a lone surrogate", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   `{"kind": "phone", "occurred_at": "` + rfc3339(t0.Add(-time.Hour)) + `", "officer_ids": ["{handlerA}"], "location": "\ud800", "summary": "a\u0000call"}`,
			status: bad, code: tandem.EINVALID, field: "location"},
		{name: "a NUL character in a list", method: "POST", path: meetings, user: uNorthHandlerA,
			body: withField(meeting(), "officer_ids", []string{"{handlerA}", "x\x00"}), status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "a NUL character in a source's identity", method: "POST", path: sources, user: uNorthHandlerA,
			body: withField(sourceBody(), "legal_name", "Jane\x00 Doe"), status: bad, code: tandem.EINVALID, field: "legal_name"},
		{name: "a NUL character in an acknowledgement", method: "POST", path: acknowledge, user: uNorthController,
			body: map[string]any{"justification": "reviewed with\x00 the handler"}, status: bad, code: tandem.EINVALID, field: "justification"},
		{name: "a date in the year 9999", method: "POST", path: risks, user: uNorthHandlerA, body: withField(risk(), "review_by", "9999-12-31"),
			status: bad, code: tandem.EINVALID, field: "review_by"},
		{name: "a time in the year 0", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "occurred_at", "0000-01-01T00:00:00Z"),
			status: bad, code: tandem.EINVALID, field: "occurred_at"},
		{name: "compliance to the year 9999", method: "GET", path: get(api("compliance") + "?to=9999-12-31"), user: uNorthController,
			status: bad, code: tandem.EINVALID, field: "to"},

		// Unknown fields.
		{name: "an unknown field in a source", method: "POST", path: sources, user: uNorthHandlerA,
			body: withField(sourceBody(), "nickname", "Birdie"), status: bad, code: tandem.EINVALID, field: "nickname"},
		{name: "a misspelt field in a contact", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(without(contact(), "summary"), "sumary", "a call"), status: bad, code: tandem.EINVALID, field: "sumary"},
		{name: "an unknown field in an acknowledgement", method: "POST", path: acknowledge, user: uNorthController,
			body: map[string]any{"justification": "reviewed with the handler", "status": "resolved"}, status: bad, code: tandem.EINVALID, field: "status"},

		// (A refused identity reveal is not here: it writes its audit entry;
		// see TestSourceIdentity_EveryRefusedCallIsLogged.)

		// Wrong types.
		{name: "hours as words", method: "POST", path: training, user: uAdmin, body: withField(course(), "hours", "seventy"),
			status: bad, code: tandem.EINVALID, field: "hours"},
		{name: "officer_ids as a string", method: "POST", path: meetings, user: uNorthHandlerA, body: withField(meeting(), "officer_ids", "x"),
			status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "officer_ids holding a number", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "officer_ids", []int{1}),
			status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "duration_minutes as words", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "duration_minutes", "ten"),
			status: bad, code: tandem.EINVALID, field: "duration_minutes"},
		{name: "likelihood as a fraction", method: "POST", path: risks, user: uNorthHandlerA, body: withField(risk(), "likelihood", 2.5),
			status: bad, code: tandem.EINVALID, field: "likelihood"},
		{name: "dedicated as a string", method: "POST", path: get(api("officers")), user: uAdmin, body: withField(officer(), "dedicated", "yes"),
			status: bad, code: tandem.EINVALID, field: "dedicated"},
		{name: "aliases as a string", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "aliases", canaryAlias),
			status: bad, code: tandem.EINVALID, field: "aliases"},
		{name: "covers_risk_management as a number", method: "POST", path: training, user: uAdmin, body: withField(course(), "covers_risk_management", 1),
			status: bad, code: tandem.EINVALID, field: "covers_risk_management"},

		// Missing required fields.
		{name: "a source without gender", method: "POST", path: sources, user: uNorthHandlerA, body: without(sourceBody(), "gender"),
			status: bad, code: tandem.EINVALID, field: "gender"},
		{name: "a source without date_of_birth", method: "POST", path: sources, user: uNorthHandlerA, body: without(sourceBody(), "date_of_birth"),
			status: bad, code: tandem.EINVALID, field: "date_of_birth"},
		{name: "a source without legal_name", method: "POST", path: sources, user: uNorthHandlerA, body: without(sourceBody(), "legal_name"),
			status: bad, code: tandem.EINVALID, field: "legal_name"},
		{name: "a source without recruited_on", method: "POST", path: sources, user: uNorthHandlerA, body: without(sourceBody(), "recruited_on"),
			status: bad, code: tandem.EINVALID, field: "recruited_on"},
		{name: "a contact without kind", method: "POST", path: contacts, user: uNorthHandlerA, body: without(contact(), "kind"),
			status: bad, code: tandem.EINVALID, field: "kind"},
		{name: "a contact without occurred_at", method: "POST", path: contacts, user: uNorthHandlerA, body: without(contact(), "occurred_at"),
			status: bad, code: tandem.EINVALID, field: "occurred_at"},
		{name: "a contact without officer_ids", method: "POST", path: contacts, user: uNorthHandlerA, body: without(contact(), "officer_ids"),
			status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "a contact without summary", method: "POST", path: contacts, user: uNorthHandlerA, body: without(contact(), "summary"),
			status: bad, code: tandem.EINVALID, field: "summary"},
		{name: "a meeting without planned_for", method: "POST", path: meetings, user: uNorthHandlerA, body: without(meeting(), "planned_for"),
			status: bad, code: tandem.EINVALID, field: "planned_for"},
		{name: "a meeting without location", method: "POST", path: meetings, user: uNorthHandlerA, body: without(meeting(), "location"),
			status: bad, code: tandem.EINVALID, field: "location"},
		{name: "a course without hours", method: "POST", path: training, user: uAdmin, body: without(course(), "hours"),
			status: bad, code: tandem.EINVALID, field: "hours"},
		{name: "a risk without review_by", method: "POST", path: risks, user: uNorthHandlerA, body: without(risk(), "review_by"),
			status: bad, code: tandem.EINVALID, field: "review_by"},
		{name: "an officer without username", method: "POST", path: get(api("officers")), user: uAdmin, body: without(officer(), "username"),
			status: bad, code: tandem.EINVALID, field: "username"},
		{name: "an assignment without role", method: "POST", path: at, user: uNorthController, body: map[string]any{"officer_id": "{handlerC}"},
			status: bad, code: tandem.EINVALID, field: "role"},
		{name: "an acknowledgement without justification", method: "POST", path: acknowledge, user: uNorthController, body: map[string]any{},
			status: bad, code: tandem.EINVALID, field: "justification"},
		{name: "an amendment without reason", method: "POST", path: amendments, user: uNorthHandlerA, body: map[string]any{"summary": "changed"},
			status: bad, code: tandem.EINVALID, field: "reason"},

		// Dates.
		{name: "an impossible date_of_birth", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "date_of_birth", "2026-02-30"),
			status: bad, code: tandem.EINVALID, field: "date_of_birth"},
		{name: "an impossible recruited_on", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "recruited_on", "2026-13-01"),
			status: bad, code: tandem.EINVALID, field: "recruited_on"},
		{name: "recruited in the future", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "recruited_on", "2026-12-01"),
			status: bad, code: tandem.EINVALID, field: "recruited_on"},
		{name: "born after recruitment", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "date_of_birth", "2026-10-02"),
			status: bad, code: tandem.EINVALID, field: "date_of_birth"},
		{name: "an impossible completed_on", method: "POST", path: training, user: uAdmin, body: withField(course(), "completed_on", "2026-02-30"),
			status: bad, code: tandem.EINVALID, field: "completed_on"},
		{name: "review_by written the British way", method: "POST", path: risks, user: uNorthHandlerA, body: withField(risk(), "review_by", "31/12/2026"),
			status: bad, code: tandem.EINVALID, field: "review_by"},

		// Times.
		{name: "occurred_at 10 minutes in the future", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(contact(), "occurred_at", rfc3339(t0.Add(10*time.Minute))), status: bad, code: tandem.EINVALID, field: "occurred_at"},
		{name: "occurred_at without a zone", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(contact(), "occurred_at", "2026-11-26T11:00:00"), status: bad, code: tandem.EINVALID, field: "occurred_at"},
		{name: "occurred_at as a date", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(contact(), "occurred_at", "2026-11-26"), status: bad, code: tandem.EINVALID, field: "occurred_at"},
		{name: "planned_for without a zone", method: "POST", path: meetings, user: uNorthHandlerA,
			body: withField(meeting(), "planned_for", "2026-11-28T11:00:00"), status: bad, code: tandem.EINVALID, field: "planned_for"},
		{name: "an amendment moving the contact 10 minutes into the future", method: "POST", path: amendments, user: uNorthHandlerA,
			body: map[string]any{"reason": "wrong time", "occurred_at": rfc3339(t0.Add(10 * time.Minute))}, status: bad, code: tandem.EINVALID, field: "occurred_at"},

		// Bodies over 1 MiB.
		{name: "a source over 1 MiB", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "recruitment_circumstances", huge),
			status: http.StatusRequestEntityTooLarge, code: tandem.ETOOLARGE},
		{name: "a contact over 1 MiB", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "summary", huge),
			status: http.StatusRequestEntityTooLarge, code: tandem.ETOOLARGE},
		{name: "a small object padded past 1 MiB", method: "POST", path: contacts, user: uNorthHandlerA,
			body:   `{"kind":"phone","occurred_at":"2026-11-26T11:00:00Z","officer_ids":["{handlerA}"],"summary":"a call"}` + strings.Repeat(" ", maxBody),
			status: http.StatusRequestEntityTooLarge, code: tandem.ETOOLARGE},

		// Records that do not exist.
		{name: "an unknown source", method: "GET", path: get(api("sources", "no-such-source")), user: uNorthHandlerA, status: notFound, code: tandem.ENOTFOUND},
		{name: "a contact with an unknown source", method: "POST", path: get(api("sources", "no-such-source", "contacts")), user: uNorthHandlerA,
			body: contact(), status: notFound, code: tandem.ENOTFOUND},
		{name: "a meeting with an unknown source", method: "POST", path: get(api("sources", "no-such-source", "meetings")), user: uNorthHandlerA,
			body: meeting(), status: notFound, code: tandem.ENOTFOUND},
		{name: "an unknown contact", method: "GET", path: north("/contacts/no-such-contact"), user: uNorthHandlerA, status: notFound, code: tandem.ENOTFOUND},
		{name: "an unknown alert", method: "POST", path: get(api("alerts", "no-such-alert", "acknowledge")), user: uNorthController,
			body: map[string]any{"justification": "reviewed with the handler"}, status: notFound, code: tandem.ENOTFOUND},
		{name: "an unknown officer", method: "GET", path: get(api("officers", "no-such-officer")), user: uNorthHandlerA, status: notFound, code: tandem.ENOTFOUND},
		{name: "training for an unknown officer", method: "POST", path: get(api("officers", "no-such-officer", "training")), user: uAdmin,
			body: course(), status: notFound, code: tandem.ENOTFOUND},
		{name: "an unknown API path", method: "GET", path: get(api("sauces")), user: uNorthHandlerA, status: notFound, code: tandem.ENOTFOUND},

		// Query parameters.
		{name: "limit as words", method: "GET", path: north("/contacts?limit=two"), user: uNorthHandlerA, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "a negative limit", method: "GET", path: north("/contacts?limit=-1"), user: uNorthHandlerA, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "a limit over 200", method: "GET", path: north("/contacts?limit=201"), user: uNorthHandlerA, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "a fractional limit", method: "GET", path: north("/contacts?limit=1.5"), user: uNorthHandlerA, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "a forged cursor", method: "GET", path: north("/contacts?after=not-a-cursor"), user: uNorthHandlerA, status: bad, code: tandem.EINVALID, field: "after"},
		{name: "an audit limit of 0", method: "GET", path: get(api("audit") + "?limit=0"), user: uNorthAuditor, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "an audit limit as words", method: "GET", path: get(api("audit") + "?limit=all"), user: uNorthAuditor, status: bad, code: tandem.EINVALID, field: "limit"},
		{name: "a negative after_seq", method: "GET", path: get(api("audit") + "?after_seq=-1"), user: uNorthAuditor, status: bad, code: tandem.EINVALID, field: "after_seq"},
		{name: "an unknown alert status", method: "GET", path: get(api("alerts") + "?status=closed"), user: uNorthController, status: bad, code: tandem.EINVALID, field: "status"},
		{name: "an unknown rule", method: "GET", path: get(api("alerts") + "?rule=ONE_OFFICER"), user: uNorthController, status: bad, code: tandem.EINVALID, field: "rule"},
		{name: "an impossible compliance date", method: "GET", path: get(api("compliance") + "?from=2026-02-30"), user: uNorthController, status: bad, code: tandem.EINVALID, field: "from"},
		{name: "a compliance period ending before it starts", method: "GET", path: get(api("compliance") + "?from=2026-11-01&to=2026-10-01"), user: uNorthController,
			status: bad, code: tandem.EINVALID, field: "to"},

		// Values outside what CONTRACT allows.
		{name: "an unknown contact kind", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "kind", "carrier_pigeon"),
			status: bad, code: tandem.EINVALID, field: "kind"},
		{name: "an unknown indicator", method: "POST", path: contacts, user: uNorthHandlerA, body: withField(contact(), "indicators", []string{"flirting"}),
			status: bad, code: tandem.EINVALID, field: "indicators"},
		{name: "an unknown officer at a contact", method: "POST", path: contacts, user: uNorthHandlerA,
			body: withField(contact(), "officer_ids", []string{"{handlerA}", "no-such-officer"}), status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "an officer listed twice", method: "POST", path: meetings, user: uNorthHandlerA,
			body: withField(meeting(), "officer_ids", []string{"{handlerA}", "{handlerA}"}), status: bad, code: tandem.EINVALID, field: "officer_ids"},
		{name: "a gender that is not a lowercase word", method: "POST", path: sources, user: uNorthHandlerA, body: withField(sourceBody(), "gender", "Female!"),
			status: bad, code: tandem.EINVALID, field: "gender"},
		{name: "an unknown risk category", method: "POST", path: risks, user: uNorthHandlerA, body: withField(risk(), "category", "bad_vibes"),
			status: bad, code: tandem.EINVALID, field: "category"},
		{name: "a likelihood of 6", method: "POST", path: risks, user: uNorthHandlerA, body: withField(risk(), "likelihood", 6),
			status: bad, code: tandem.EINVALID, field: "likelihood"},
		{name: "an unknown assignment role", method: "POST", path: at, user: uNorthController, body: map[string]any{"officer_id": "{handlerC}", "role": "boss"},
			status: bad, code: tandem.EINVALID, field: "role"},
		{name: "an unknown source status", method: "PATCH", path: north(""), user: uNorthController, body: map[string]any{"status": "retired"},
			status: bad, code: tandem.EINVALID, field: "status"},
		{name: "an unknown role for an officer", method: "POST", path: get(api("officers")), user: uAdmin, body: withField(officer(), "roles", []string{"chief"}),
			status: bad, code: tandem.EINVALID, field: "roles"},
	}
}

// resolve replaces the fixture placeholders ({handlerA}, {northContact}…)
// in a path or body with the fixture's ids.
func (f *fixture) resolve(s string) string {
	return strings.NewReplacer("{handlerA}", f.id(uNorthHandlerA), "{handlerB}", f.id(uNorthHandlerB), "{handlerC}", f.id(uNorthHandlerC),
		"{northContact}", f.northContact.ID).Replace(s)
}

func (f *fixture) resolveBody(body any) any {
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return f.resolve(b)
	case map[string]any:
		out := map[string]any{}
		for k, v := range b {
			switch x := v.(type) {
			case string:
				out[k] = f.resolve(x)
			case []string:
				ys := make([]string, len(x))
				for i, y := range x {
					ys[i] = f.resolve(y)
				}
				out[k] = ys
			default:
				out[k] = v
			}
		}
		return out
	}
	return body
}

func TestBadInput_RefusedWithTheFieldNamedAndNothingWritten(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		for _, tt := range badInputs() {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				path := f.resolve(tt.path(f))
				body := f.resolveBody(tt.body)
				before := f.counts()
				res := doOn(t, f.server, tt.method, path, f.token(tt.user), body, tt.header...)
				res.wantError(t, tt.status, tt.code, tt.field)
				checkSecurityHeaders(t, res.Header)
				if l := leaked(res.Body); l != nil {
					t.Errorf("the refusal carries identity %q: %s", l, res)
				}
				if after := f.counts(); after != before {
					t.Errorf("a refused request wrote: before %+v, after %+v", before, after)
				}
			})
		}
	})
}

func TestContactRecord_OccurredAtToleratesFiveMinutesOfClockSkew(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		plus2 := time.FixedZone("UTC+2", 2*60*60)
		tests := []struct {
			name   string
			ahead  time.Duration
			zone   *time.Location
			accept bool
		}{
			{"now", 0, time.UTC, true},
			{"4 minutes ahead", 4 * time.Minute, time.UTC, true},
			{"4 minutes ahead, written in another zone", 4 * time.Minute, plus2, true},
			{"exactly 5 minutes ahead", 5 * time.Minute, time.UTC, true},
			{"5 minutes and a second ahead", 5*time.Minute + time.Second, time.UTC, false},
			{"10 minutes ahead", 10 * time.Minute, time.UTC, false},
			{"10 minutes ahead, written in another zone", 10 * time.Minute, plus2, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				at := t0.Add(tt.ahead).In(tt.zone).Format(time.RFC3339)
				before := f.counts()
				res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(uNorthHandlerA), map[string]any{
					"kind": "phone", "occurred_at": at, "officer_ids": []string{f.id(uNorthHandlerA)}, "summary": "a call"})
				after := f.counts()
				if !tt.accept {
					res.wantError(t, http.StatusBadRequest, tandem.EINVALID, "occurred_at")
					if after != before {
						t.Errorf("a refused contact wrote: before %+v, after %+v", before, after)
					}
					return
				}
				if res.Status != http.StatusCreated {
					t.Fatalf("occurred_at %s: %s", at, res)
				}
				if after.Contacts != before.Contacts+1 {
					t.Errorf("contacts went from %d to %d, want one more", before.Contacts, after.Contacts)
				}
				var c tandem.Contact
				res.decode(t, &c)
				if !c.OccurredAt.Equal(t0.Add(tt.ahead)) || c.OccurredAt.Location() != time.UTC {
					t.Errorf("occurred_at = %s, want %s in UTC", c.OccurredAt, t0.Add(tt.ahead))
				}
			})
		}
	})
}

func TestBodyLimit_OneMiBIsReadAndOneByteMoreIsTooLarge(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		// A contact padded to exactly the size given: at 1 MiB it is read (and
		// refused for its summary's length); a byte more is too large.
		contactOfSize := func(size int) string {
			head := `{"kind":"phone","occurred_at":"2026-11-26T11:00:00Z","officer_ids":["` + f.id(uNorthHandlerA) + `"],"summary":"`
			tail := `"}`
			return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
		}
		tests := []struct {
			name   string
			size   int
			status int
			code   string
			field  string
		}{
			{"exactly 1 MiB", maxBody, http.StatusBadRequest, tandem.EINVALID, "summary"},
			{"1 MiB and a byte", maxBody + 1, http.StatusRequestEntityTooLarge, tandem.ETOOLARGE, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				body := contactOfSize(tt.size)
				if len(body) != tt.size {
					t.Fatalf("built %d bytes, want %d", len(body), tt.size)
				}
				before := f.counts()
				res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(uNorthHandlerA), body)
				res.wantError(t, tt.status, tt.code, tt.field)
				if after := f.counts(); after != before {
					t.Errorf("a refused contact wrote: before %+v, after %+v", before, after)
				}
			})
		}
	})
}

// TestBadInput_QueryAndPathHoldNoNUL: a NUL or a broken byte in a query or
// a path is 400 naming it, on both databases, never a database error.
func TestBadInput_QueryAndPathHoldNoNUL(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		for _, c := range []struct{ path, field string }{
			{api("alerts") + "?rule=TWO%00OFFICERS", "rule"},
			{api("alerts") + "?source_id=%ff%fe", "source_id"},
			{api("compliance") + "?unit=north%00", "unit"},
			{APIBase + "/sources/abc%00def", "path"},
			{APIBase + "/sources/%ff", "path"},
		} {
			res := f.do("GET", c.path, f.token(uNorthController), nil)
			res.wantError(t, http.StatusBadRequest, tandem.EINVALID, c.field)
		}
		// A refused reveal whose reason holds a NUL is still in the trail.
		head := f.auditHead()
		res := f.do("POST", api("sources", f.north.ID, "identity"), f.token(uNorthHandlerA), `{"reason": "checking\u0000 the address"}`)
		res.wantError(t, http.StatusBadRequest, tandem.EINVALID, "reason")
		evs := f.auditSince(head)
		if len(evs) != 1 || evs[0].Action != "source.identity.refuse" {
			t.Errorf("the trail after a refused reveal with a NUL: %+v", evs)
		}
	})
}
