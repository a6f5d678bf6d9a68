// Package policy holds the rules of Tandem as pure functions: facts in,
// findings out, the clock's reading passed in. The API, the web forms, the
// importers and the sweep all ask this package, so a rule is evaluated the
// same way wherever it is checked.
package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the numbers of the rules. They default to CONTRACT's values;
// a force may change them, and every change is audited.
type Settings struct {
	// MinOfficers is how many officers must be present at a meeting.
	MinOfficers int
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
		MinHandlers:      2,
		DocumentWithin:   24 * time.Hour,
		MinTrainingHours: 70,
		CallMatchWindow:  30 * time.Minute,
		FutureTolerance:  5 * time.Minute,
		CountryCode:      "44",
	}
}

// SettingKeys lists the names under which settings are stored.
var SettingKeys = []string{"min_officers", "min_handlers", "document_within", "min_training_hours", "call_match_window", "future_tolerance", "country_code"}

// Get returns the stored text of the named setting.
func (s Settings) Get(key string) (string, bool) {
	switch key {
	case "min_officers":
		return strconv.Itoa(s.MinOfficers), true
	case "min_handlers":
		return strconv.Itoa(s.MinHandlers), true
	case "document_within":
		return s.DocumentWithin.String(), true
	case "min_training_hours":
		return strconv.FormatFloat(s.MinTrainingHours, 'f', -1, 64), true
	case "call_match_window":
		return s.CallMatchWindow.String(), true
	case "future_tolerance":
		return s.FutureTolerance.String(), true
	case "country_code":
		return s.CountryCode, true
	}
	return "", false
}

// Set changes the named setting from its text, refusing values that would
// switch a rule off.
func (s *Settings) Set(key, value string) error {
	positiveInt := func() (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s must be a whole number of at least 1", key)
		}
		return n, nil
	}
	positiveDuration := func() (time.Duration, error) {
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("%s must be a positive duration such as 24h or 30m", key)
		}
		return d, nil
	}
	c := *s // changed only when the value is good
	var err error
	switch key {
	case "min_officers":
		c.MinOfficers, err = positiveInt()
	case "min_handlers":
		c.MinHandlers, err = positiveInt()
	case "document_within":
		c.DocumentWithin, err = positiveDuration()
	case "min_training_hours":
		var f float64
		f, err = strconv.ParseFloat(value, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) { // NaN fails f > 0
			err = fmt.Errorf("%s must be a positive number of hours", key)
		}
		c.MinTrainingHours = f
	case "call_match_window":
		c.CallMatchWindow, err = positiveDuration()
	case "future_tolerance":
		c.FutureTolerance, err = positiveDuration()
	case "country_code":
		c.CountryCode = value
		if len(value) < 1 || len(value) > 3 || strings.Trim(value, "0123456789") != "" || value[0] == '0' {
			err = fmt.Errorf("%s must be a calling code of 1 to 3 digits, such as 44", key)
		}
	default:
		return fmt.Errorf("unknown setting %q", key)
	}
	if err != nil {
		return err
	}
	*s = c
	return nil
}
