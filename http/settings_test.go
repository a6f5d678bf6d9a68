package http

import (
	"net/http"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestSettings_FloorsHoldOverHTTP: any officer reads the rules' numbers
// with their floors; an administrator or a controller tightens one; a
// looser value, by the least step, is 400 naming the key and changes
// nothing; a handler may not change one at all.
func TestSettings_FloorsHoldOverHTTP(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		read := func(username, key string) tandem.Setting {
			t.Helper()
			res := f.do("GET", api("settings"), f.token(username), nil)
			if res.Status != http.StatusOK {
				t.Fatalf("GET settings as %s: %s", username, res)
			}
			var body struct{ Settings []tandem.Setting }
			res.decode(t, &body)
			for _, s := range body.Settings {
				if s.Key == key {
					return s
				}
			}
			t.Fatalf("no setting %q in %s", key, res)
			return tandem.Setting{}
		}
		if s := read(uNorthHandlerA, "document_within"); s.Value != "24h0m0s" || s.Floor != "at most 24h" || s.UpdatedAt != nil {
			t.Errorf("document_within as a handler reads it: %+v", s)
		}
		change := func(value string) map[string]string {
			return map[string]string{"value": value, "reason": "force policy 2026/11"}
		}
		for _, tc := range []struct {
			who, key, value string
			status          int
			code, field     string
		}{
			{uNorthHandlerA, "document_within", "12h", http.StatusForbidden, tandem.EFORBIDDEN, ""},
			{uAdmin, "document_within", "24h0m1s", http.StatusBadRequest, tandem.EINVALID, "document_within"},
			{uNorthController, "min_officers", "1", http.StatusBadRequest, tandem.EINVALID, "min_officers"},
			{uNorthController, "min_training_hours", "69.99", http.StatusBadRequest, tandem.EINVALID, "min_training_hours"},
			{uNorthController, "call_window", "30m1s", http.StatusBadRequest, tandem.EINVALID, "call_window"},
			{uNorthController, "no_such", "1", http.StatusBadRequest, tandem.EINVALID, "no_such"},
		} {
			before := f.auditHead()
			res := f.do("PUT", api("settings", tc.key), f.token(tc.who), change(tc.value))
			res.wantError(t, tc.status, tc.code, tc.field)
			if f.auditHead() != before {
				t.Errorf("refused PUT %s=%s by %s wrote to the trail", tc.key, tc.value, tc.who)
			}
		}
		res := f.do("PUT", api("settings", "document_within"), f.token(uNorthController), map[string]string{"value": "12h"})
		res.wantError(t, http.StatusBadRequest, tandem.EINVALID, "reason")
		if s := read(uAdmin, "document_within"); s.Value != "24h0m0s" {
			t.Fatalf("refused changes changed the setting: %+v", s)
		}

		f.setNow(t0.Add(time.Hour))
		head := f.auditHead()
		res = f.do("PUT", api("settings", "document_within"), f.token(uNorthController), change("12h"))
		if res.Status != http.StatusOK {
			t.Fatalf("tighten document_within: %s", res)
		}
		var got tandem.Setting
		res.decode(t, &got)
		if got.Key != "document_within" || got.Value != "12h0m0s" || got.UpdatedBy != f.id(uNorthController) || got.UpdatedAt == nil || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("the changed setting = %+v", got)
		}
		evs := f.auditSince(head)
		if len(evs) != 2 || evs[1].Action != "alert.raise" {
			t.Fatalf("the change wrote %d audit entries, want 2: the change and its SETTING_CHANGED alert", len(evs))
		}
		if last := evs[0]; last.Action != "setting.change" || last.ObjectID != "document_within" || last.Actor != f.id(uNorthController) || last.Reason != "force policy 2026/11" {
			t.Errorf("the change's audit entry = %+v", last)
		}
		// The old name of the call window still reaches it.
		res = f.do("PUT", api("settings", "call_match_window"), f.token(uAdmin), change("20m"))
		if res.Status != http.StatusOK {
			t.Fatalf("tighten call_match_window: %s", res)
		}
		if s := read(uNorthAuditor, "call_window"); s.Value != "20m0s" {
			t.Errorf("call_window after a change by its old name: %+v", s)
		}
	})
}
