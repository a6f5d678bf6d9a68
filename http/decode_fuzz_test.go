package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"tandem"
)

// decodeTargets are the request types of every route that reads a body.
func decodeTargets() []any {
	return []any{&sourceRequest{}, &sourceUpdateRequest{}, &identityRequest{}, &assignmentRequest{}, &meetingRequest{},
		&contactRequest{}, &amendmentRequest{}, &riskRequest{}, &acknowledgeRequest{}, &officerRequest{}, &trainingRequest{}}
}

var fuzzContentTypes = []string{"application/json", "", "application/json; charset=utf-8", "text/plain", "application/json;;", "APPLICATION/JSON"}

// FuzzDecode feeds decode any body, under any of a few content types and
// body limits: it must never panic, and must return nil or a *tandem.Error
// that is invalid, or too_large when the body was over the limit.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		``, ` `, `{}`, `null`, `[]`, `""`, `1`, `true`, `{`, `}`, `{"`, `{"a"`, `{"a":`, `{}{}`, `{} x`, `{}   `, "{}\n",
		`{"gender":"female","date_of_birth":"1987-06-05","legal_name":"A B","aliases":["C"],"recruited_on":"2026-10-01"}`,
		`{"hours":"seventy"}`, `{"hours":1e400}`, `{"hours":-0}`, `{"officer_ids":"x"}`, `{"officer_ids":[1]}`, `{"officer_ids":[null]}`,
		`{"officer_ids":null}`, `{"nickname":1}`, `{"Gender":"female"}`, `{"gender":"female","gender":"male"}`, `{"likelihood":2.5}`,
		`{"likelihood":99999999999999999999}`, `{"duration_minutes":-1}`, `{"reason":"\ud800"}`, "{\"reason\":\"\xff\"}", "\xef\xbb\xbf{}",
		`{"a\"b":1}`, `{"":1}`, `{"summary":"a\u0000b"}`, `{"reason":"x","reason":"y"}`, `{"Reason":"x"}`, `{"officer_ids":["a","\u0000"]}`, `{"kind":{"nested":[1,2,{"deep":true}]}}`, strings.Repeat("[", 20000), `{"summary":"` + strings.Repeat("x", 100) + `"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(0), uint16(0))
	}
	f.Add([]byte(`{"summary":"longer than the limit"}`), uint8(0), uint16(5))
	f.Add([]byte(`{"reason":"x"}`+strings.Repeat(" ", 64)), uint8(2), uint16(20))
	f.Add([]byte(`{"reason":"x"}`), uint8(3), uint16(0))

	f.Fuzz(func(t *testing.T, body []byte, ct uint8, limit uint16) {
		contentType := fuzzContentTypes[int(ct)%len(fuzzContentTypes)]
		max := int64(maxBody)
		if limit > 0 {
			max = int64(limit)
		}
		for _, target := range decodeTargets() {
			req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, max)
			err := decode(req, target)
			if err == nil {
				if !json.Valid(body) {
					t.Fatalf("decode accepted %q, which is not JSON", body)
				}
				if int64(len(body)) > max {
					t.Fatalf("decode accepted %d bytes over a limit of %d", len(body), max)
				}
				if contentType == "text/plain" {
					t.Fatalf("decode accepted a body sent as text/plain")
				}
				if err := strictlyJSON(body, fieldNames(reflect.TypeOf(target))); err != "" {
					t.Fatalf("decode accepted %q, which has %s", body, err)
				}
				continue
			}
			e, ok := err.(*tandem.Error)
			if !ok {
				t.Fatalf("decode(%q) returned %T (%v), want *tandem.Error", body, err, err)
			}
			switch e.Code {
			case tandem.EINVALID:
			case tandem.ETOOLARGE:
				if int64(len(body)) <= max {
					t.Fatalf("decode said too_large for %d bytes under a limit of %d", len(body), max)
				}
			default:
				t.Fatalf("decode(%q) returned code %q, want invalid or too_large", body, e.Code)
			}
			if e.Message == "" {
				t.Fatalf("decode(%q) returned an error without a message", body)
			}
		}
	})
}

// strictlyJSON says, independently of decode, what CONTRACT's strict input
// forbids in an accepted body: a duplicate member name in any object,
// invalid UTF-8, a NUL in any string, and a name that differs from one of
// the request's only in case. "" when there is none.
func strictlyJSON(body []byte, known map[string]bool) string {
	if !utf8.Valid(body) {
		return "invalid UTF-8"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// Object members one by one, by tokens: a map would hide duplicates.
	var members func() string
	members = func() string {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch d := tok.(type) {
		case json.Delim:
			switch d {
			case '{':
				seen := map[string]bool{}
				for dec.More() {
					nt, err := dec.Token()
					if err != nil {
						return ""
					}
					name := nt.(string)
					if seen[name] {
						return "a duplicate name " + name
					}
					seen[name] = true
					if strings.IndexByte(name, 0) >= 0 {
						return "a NUL in a name"
					}
					if !known[name] {
						for k := range known {
							if strings.EqualFold(k, name) {
								return "a name in the wrong case: " + name
							}
						}
					}
					if r := members(); r != "" {
						return r
					}
				}
				dec.Token()
			case '[':
				for dec.More() {
					if r := members(); r != "" {
						return r
					}
				}
				dec.Token()
			}
		case string:
			if strings.IndexByte(d, 0) >= 0 {
				return "a NUL in a string"
			}
		}
		return ""
	}
	return members()
}
