package tandem

import (
	"context"
	"strings"
	"time"
)

// Setting is one of the rules' numbers as it stands, with its floor: the
// founding article's number, which a force may tighten and never loosen.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Floor is the loosest value the setting may take, in words ("at
	// least 2"); empty for a setting that is not a rule's number.
	Floor string `json:"floor,omitempty"`
	// UpdatedAt and UpdatedBy (an officer's id) are set once a force has
	// changed the setting.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// SettingChange is the body of a change to a setting.
type SettingChange struct {
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// Validate checks what can be checked without the floors, which are the
// policy package's.
func (c SettingChange) Validate() error {
	if strings.TrimSpace(c.Value) == "" {
		return Invalid("value", "value is required")
	}
	if strings.TrimSpace(c.Reason) == "" {
		return Invalid("reason", "a reason is required to change a rule's number")
	}
	return nil
}

// SettingsService reads and tightens the rules' numbers.
type SettingsService interface {
	ListSettings(ctx context.Context) ([]*Setting, error)
	// SetSetting tightens one (administrators and controllers); a looser
	// value than the floor is refused naming the key.
	SetSetting(ctx context.Context, key, value, reason string) error
}
