// Package policy holds the rules of Tandem as pure functions: facts in,
// findings out, the clock's reading passed in. The API, the web forms, the
// importers and the sweep all ask this package, so a rule is evaluated the
// same way wherever it is checked.
package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Settings are the numbers of the rules. They default to CONTRACT's values,
// which are floors: a force may tighten them, never loosen them (Floor),
// and every change is audited.
type Settings struct {
	// MinOfficers is how many officers must be present at a meeting.
	MinOfficers int
	// MinSameGender is how many of them must have the gender the source
	// requires.
	MinSameGender int
	// MinHandlers is how many current handlers an active source must have.
	MinHandlers int
	// DocumentWithin is how long after a contact it must be documented.
	DocumentWithin time.Duration
	// MinTrainingHours is the current training an accredited officer holds.
	MinTrainingHours float64
	// CallMatchWindow is how close to a call a contact must be to cover it.
	CallMatchWindow time.Duration
	// FutureTolerance is how far in the future a contact's time may lie,
	// to allow for clocks that disagree.
	FutureTolerance time.Duration
	// CountryCode is the calling code phone numbers written without one
	// belong to (44: the United Kingdom).
	CountryCode string
}

// DefaultSettings returns CONTRACT's numbers.
func DefaultSettings() Settings {
	return Settings{
		MinOfficers:      2,
		MinSameGender:    1,
		MinHandlers:      2,
		DocumentWithin:   24 * time.Hour,
		MinTrainingHours: 70,
		CallMatchWindow:  30 * time.Minute,
		FutureTolerance:  5 * time.Minute,
		CountryCode:      "44",
	}
}

// SettingKeys lists the names under which settings are stored.
var SettingKeys = []string{"min_officers", "min_same_gender", "min_handlers", "document_within", "min_training_hours", "call_window", "future_tolerance", "country_code"}

// legacyKeys are the names earlier versions stored settings under.
var legacyKeys = map[string]string{"call_match_window": "call_window"}

// CanonicalKey returns the name a setting goes by now, for a name it went
// by in an earlier version too.
func CanonicalKey(key string) string {
	if k, ok := legacyKeys[key]; ok {
		return k
	}
	return key
}

// Floor describes, in words, the loosest value a setting may take: the
// founding article's number. Every number of the rules has one; the
// calling code, which is not a rule, has none.
func Floor(key string) (string, bool) {
	switch CanonicalKey(key) {
	case "min_officers":
		return "at least 2", true
	case "min_same_gender":
		return "at least 1", true
	case "min_handlers":
		return "at least 2", true
	case "document_within":
		return "at most 24h", true
	case "min_training_hours":
		return "at least 70", true
	case "call_window":
		return "at most 30m", true
	case "future_tolerance":
		return "at most 5m", true
	}
	return "", false
}

// Get returns the stored text of the named setting.
func (s Settings) Get(key string) (string, bool) {
	switch CanonicalKey(key) {
	case "min_officers":
		return strconv.Itoa(s.MinOfficers), true
	case "min_same_gender":
		return strconv.Itoa(s.MinSameGender), true
	case "min_handlers":
		return strconv.Itoa(s.MinHandlers), true
	case "document_within":
		return s.DocumentWithin.String(), true
	case "min_training_hours":
		return strconv.FormatFloat(s.MinTrainingHours, 'f', -1, 64), true
	case "call_window":
		return s.CallMatchWindow.String(), true
	case "future_tolerance":
		return s.FutureTolerance.String(), true
	case "country_code":
		return s.CountryCode, true
	}
	return "", false
}

// Set changes the named setting from its text. It refuses a value looser
// than the setting's floor (fewer officers, longer to document, less
// training), so no setting can switch a rule off or weaken it: a force
// may only tighten. A refusal leaves the settings as they were.
func (s *Settings) Set(key, value string) error {
	key = CanonicalKey(key)
	floor, _ := Floor(key)
	// Past the floor, a bound on how tight: a number no force could keep
	// would bury every real breach under alerts, or refuse to record facts.
	atLeast := func(min int) (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil || n < min || n > 10 {
			return 0, fmt.Errorf("%s must be a whole number, %s (the founding article's number; a force may tighten it, never loosen it), and at most 10", key, floor)
		}
		return n, nil
	}
	atMost := func(max, tightest time.Duration) (time.Duration, error) {
		d, err := time.ParseDuration(value)
		if err != nil || d < tightest || d > max {
			return 0, fmt.Errorf("%s must be a duration such as 12h or 15m, %s (a force may tighten it, never loosen it), and at least %s", key, floor, tightest)
		}
		return d, nil
	}
	c := *s // changed only when the value is good
	var err error
	switch key {
	case "min_officers":
		c.MinOfficers, err = atLeast(2)
	case "min_same_gender":
		c.MinSameGender, err = atLeast(1)
	case "min_handlers":
		c.MinHandlers, err = atLeast(2)
	case "document_within":
		c.DocumentWithin, err = atMost(24*time.Hour, time.Hour)
	case "min_training_hours":
		var f float64
		f, err = strconv.ParseFloat(value, 64)
		if err != nil || !(f >= 70) || f > 1000 { // NaN fails f >= 70
			err = fmt.Errorf("%s must be a number of hours, %s (a force may tighten it, never loosen it), and at most 1000", key, floor)
		}
		c.MinTrainingHours = f
	case "call_window":
		c.CallMatchWindow, err = atMost(30*time.Minute, time.Minute)
	case "future_tolerance":
		c.FutureTolerance, err = atMost(5*time.Minute, 30*time.Second)
	case "country_code":
		c.CountryCode = value
		if len(value) < 1 || len(value) > 3 || strings.Trim(value, "0123456789") != "" || value[0] == '0' {
			err = fmt.Errorf("%s must be a calling code of 1 to 3 digits, such as 44", key)
		}
	default:
		return fmt.Errorf("unknown setting %q; the settings are %s", key, strings.Join(SettingKeys, ", "))
	}
	if err != nil {
		return err
	}
	*s = c
	return nil
}
