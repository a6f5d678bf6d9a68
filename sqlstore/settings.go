package sqlstore

import (
	"context"
	"fmt"

	"tandem"
	"tandem/policy"
)

// settings returns the defaults changed by whatever is stored.
func (tx *Tx) settings() (policy.Settings, error) {
	if tx.settingsRead != nil {
		return *tx.settingsRead, nil
	}
	st, err := tx.readSettings()
	if err == nil {
		tx.settingsRead = &st
	}
	return st, err
}

// readSettings reads the stored settings. A change to them clears the
// transaction's copy.
func (tx *Tx) readSettings() (policy.Settings, error) {
	st := policy.DefaultSettings()
	rows, err := tx.query(`SELECT id, value FROM settings`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return st, err
		}
		if err := st.Set(k, v); err != nil {
			return st, fmt.Errorf("stored setting: %w", err)
		}
	}
	return st, rows.Err()
}

// SetSetting changes one of the rules' numbers. Only an administrator may,
// and the change is audited with its reason.
func (s *Store) SetSetting(ctx context.Context, key, value, reason string) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return err
	}
	var probe policy.Settings = policy.DefaultSettings()
	if err := probe.Set(key, value); err != nil {
		return tandem.Invalid("value", "%s", err.Error())
	}
	if reason == "" {
		return tandem.Invalid("reason", "a reason is required to change a rule's number")
	}
	return s.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM settings WHERE id = ?`, key).Scan(&n); err != nil {
			return err
		}
		var err error
		if n == 0 {
			_, err = tx.exec(`INSERT INTO settings (id, value, updated_at, updated_by) VALUES (?, ?, ?, ?)`, key, value, ts(tx.now), tx.actorID())
		} else {
			_, err = tx.exec(`UPDATE settings SET value = ?, updated_at = ?, updated_by = ? WHERE id = ?`, value, ts(tx.now), tx.actorID(), key)
		}
		if err != nil {
			return err
		}
		tx.settingsRead = nil
		if err := tx.record("setting.change", "setting", key, reason); err != nil {
			return err
		}
		// Every source is judged again by the new number, each in a
		// transaction of its own, by the sweep.
		return tx.queueEverySource()
	})
}
