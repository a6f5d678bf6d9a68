package policy_test

import (
	"reflect"
	"testing"
	"time"

	"tandem/policy"
)

func TestDefaultSettings_AreContractNumbers(t *testing.T) {
	want := policy.Settings{
		MinOfficers:      2,
		MinSameGender:    1,
		MinHandlers:      2,
		DocumentWithin:   24 * time.Hour,
		MinTrainingHours: 70,
		CallMatchWindow:  30 * time.Minute,
		FutureTolerance:  5 * time.Minute,
		CountryCode:      "44",
	}
	if got := policy.DefaultSettings(); got != want {
		t.Errorf("DefaultSettings() = %+v, want %+v", got, want)
	}
}

func TestSettingKeys_OneKeyPerSetting(t *testing.T) {
	if n := reflect.TypeFor[policy.Settings]().NumField(); len(policy.SettingKeys) != n {
		t.Errorf("%d setting keys for %d settings fields", len(policy.SettingKeys), n)
	}
	seen := map[string]bool{}
	for _, k := range policy.SettingKeys {
		if seen[k] {
			t.Errorf("key %q listed twice", k)
		}
		seen[k] = true
	}
}

func TestSettingsSet_ChangesTheNamedSetting(t *testing.T) {
	tests := []struct {
		key, value string
		apply      func(*policy.Settings)
	}{
		{"min_officers", "3", func(s *policy.Settings) { s.MinOfficers = 3 }},
		{"min_officers", "2", func(s *policy.Settings) {}},
		{"min_same_gender", "2", func(s *policy.Settings) { s.MinSameGender = 2 }},
		{"min_handlers", "3", func(s *policy.Settings) { s.MinHandlers = 3 }},
		{"document_within", "12h", func(s *policy.Settings) { s.DocumentWithin = 12 * time.Hour }},
		{"document_within", "24h", func(s *policy.Settings) {}},
		{"document_within", "23h59m59s", func(s *policy.Settings) { s.DocumentWithin = 24*time.Hour - time.Second }},
		{"min_training_hours", "80", func(s *policy.Settings) { s.MinTrainingHours = 80 }},
		{"min_training_hours", "70", func(s *policy.Settings) {}},
		{"min_training_hours", "70.5", func(s *policy.Settings) { s.MinTrainingHours = 70.5 }},
		{"call_window", "15m", func(s *policy.Settings) { s.CallMatchWindow = 15 * time.Minute }},
		{"call_window", "30m", func(s *policy.Settings) {}},
		{"call_match_window", "20m", func(s *policy.Settings) { s.CallMatchWindow = 20 * time.Minute }},
		{"future_tolerance", "90s", func(s *policy.Settings) { s.FutureTolerance = 90 * time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got := policy.DefaultSettings()
			if err := got.Set(tt.key, tt.value); err != nil {
				t.Fatalf("Set(%q, %q): %v", tt.key, tt.value, err)
			}
			want := policy.DefaultSettings()
			tt.apply(&want)
			if got != want {
				t.Errorf("after Set(%q, %q): %+v, want %+v", tt.key, tt.value, got, want)
			}
		})
	}
}

// The founding article's numbers are floors: every value looser than the
// floor, by the least step, is refused, as is every value that is not one.
func TestSettingsSet_RefusesValuesLooserThanTheFloor(t *testing.T) {
	bad := map[string][]string{
		"min_officers":       {"1", "0", "-1", "-2", "", "two", "1.5", "2h", " 2", "11", "101"},
		"min_same_gender":    {"0", "-1", "", "one"},
		"min_handlers":       {"1", "0", "-1", "", "x", "2.0"},
		"document_within":    {"24h0m1s", "24h0m0.001s", "25h", "48h", "0", "0s", "-1h", "-24h", "", "24", "a day", "24 hours", "59m59s", "1ns"},
		"min_training_hours": {"69.99", "69.5", "0", "-0", "-1", "-69.5", "", "seventy", "70h", "-Inf", "1000.5"},
		"call_window":        {"30m1s", "45m", "0s", "-30m", "", "30", "59s", "1ns"},
		"call_match_window":  {"30m1s", "45m"},
		"future_tolerance":   {"5m1s", "1h", "0s", "-5m", "", "5", "29s", "1ns"},
		"no_such_setting":    {"2"},
		"":                   {"2"},
	}
	for key, values := range bad {
		for _, v := range values {
			t.Run(key+"="+v, func(t *testing.T) {
				s := policy.DefaultSettings()
				err := s.Set(key, v)
				if err == nil {
					t.Fatalf("Set(%q, %q) = nil, want an error", key, v)
				}
				if err.Error() == "" {
					t.Error("error with an empty message")
				}
				if s != policy.DefaultSettings() {
					t.Errorf("settings changed by a refused Set: %+v", s)
				}
			})
		}
	}
}

// A training minimum that is not a finite number must be refused like any
// other garbage. Known bug: strconv.ParseFloat accepts "NaN" and "Inf", and
// Set's check (f <= 0) lets both through. With NaN, Accredit's
// "Hours < MinTrainingHours" is always false, so the training-hours
// condition of TRAINED_OFFICER is switched off; with +Inf nobody can ever
// be accredited.
func TestSettingsSet_RefusesNonFiniteTrainingHours(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "infinity"} {
		t.Run(v, func(t *testing.T) {
			s := policy.DefaultSettings()
			if err := s.Set("min_training_hours", v); err == nil {
				t.Errorf("Set(min_training_hours, %q) = nil, want an error; settings now %+v", v, s)
			}
			if s != policy.DefaultSettings() {
				t.Errorf("settings changed: MinTrainingHours = %v", s.MinTrainingHours)
			}
		})
	}
}

func TestSettingsGet_UnknownKey(t *testing.T) {
	for _, key := range []string{"", "MinOfficers", "min-officers", "no_such_setting"} {
		t.Run(key, func(t *testing.T) {
			if v, ok := policy.DefaultSettings().Get(key); ok || v != "" {
				t.Errorf("Get(%q) = %q, %v; want \"\", false", key, v, ok)
			}
		})
	}
}

func TestSettingsGetSet_RoundTripEveryKey(t *testing.T) {
	changed := policy.Settings{
		MinOfficers:      3,
		MinSameGender:    2,
		MinHandlers:      4,
		DocumentWithin:   12*time.Hour + 30*time.Minute + 15*time.Second,
		MinTrainingHours: 72.25,
		CallMatchWindow:  15 * time.Minute,
		FutureTolerance:  90 * time.Second,
		CountryCode:      "1",
	}
	for _, from := range []policy.Settings{policy.DefaultSettings(), changed} {
		for _, key := range policy.SettingKeys {
			t.Run(key, func(t *testing.T) {
				text, ok := from.Get(key)
				if !ok || text == "" {
					t.Fatalf("Get(%q) = %q, %v", key, text, ok)
				}
				// Set the text onto settings that differ in every field, then
				// read it back: the field must now equal the source's.
				to := changed
				if from == changed {
					to = policy.DefaultSettings()
				}
				if err := to.Set(key, text); err != nil {
					t.Fatalf("Set(%q, %q): %v", key, text, err)
				}
				if back, _ := to.Get(key); back != text {
					t.Errorf("Get after Set(%q, %q) = %q", key, text, back)
				}
			})
		}
		if t.Failed() {
			continue
		}
		// Copying every key across must reproduce the settings exactly.
		to := policy.DefaultSettings()
		for _, key := range policy.SettingKeys {
			text, _ := from.Get(key)
			if err := to.Set(key, text); err != nil {
				t.Fatalf("Set(%q, %q): %v", key, text, err)
			}
		}
		if to != from {
			t.Errorf("settings copied key by key = %+v, want %+v", to, from)
		}
	}
}
