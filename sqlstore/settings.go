package sqlstore

import (
	"context"
	"fmt"
	"strings"

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
// transaction's copy. A stored value looser than its floor, which Tandem
// never writes, is not applied: a row written outside Tandem weakens no
// rule (and audit verify names the row).
func (tx *Tx) readSettings() (policy.Settings, error) {
	st := policy.DefaultSettings()
	rows, err := tx.query(`SELECT id, value FROM settings ORDER BY id`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	stored := map[string]string{}
	var legacy []string
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return st, err
		}
		if c := policy.CanonicalKey(k); c != k {
			legacy = append(legacy, k)
		}
		stored[k] = v
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	// A name of an earlier version first, so that a value stored under
	// today's name wins.
	for _, k := range legacy {
		_ = st.Set(k, stored[k])
	}
	for k, v := range stored {
		if policy.CanonicalKey(k) == k {
			_ = st.Set(k, v)
		}
	}
	return st, nil
}

// SetSetting tightens one of the rules' numbers. An administrator or a
// controller may; a value looser than the founding article's number is
// refused, naming the key. The change is audited with its reason and the
// officer who made it.
func (s *Store) SetSetting(ctx context.Context, key, value, reason string) error {
	o, err := requireOfficer(ctx)
	if err != nil {
		return err
	}
	if !o.HasAnyRole(tandem.RoleAdmin, tandem.RoleController) {
		return tandem.Errorf(tandem.EFORBIDDEN, "only an administrator or a controller may change a rule's number")
	}
	if err := policy.Confirmed(o); err != nil {
		return err
	}
	key = policy.CanonicalKey(key)
	probe := policy.DefaultSettings()
	if err := probe.Set(key, value); err != nil {
		return tandem.Invalid(key, "%s", err.Error())
	}
	value, _ = probe.Get(key) // as it is read back: 24h, not 1440m
	if strings.TrimSpace(reason) == "" {
		return tandem.Invalid("reason", "a reason is required to change a rule's number")
	}
	return s.update(ctx, func(tx *Tx) error {
		before, err := tx.settings()
		if err != nil {
			return err
		}
		was, _ := before.Get(key)
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM settings WHERE id = ?`, key).Scan(&n); err != nil {
			return err
		}
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
		// Every controller and auditor is told: a rule's number changed,
		// by whom, from what to what, and why. The officer who changed it
		// is named on the alert, so another must acknowledge it.
		msg := fmt.Sprintf("%s changed from %s to %s by %s: %s", key, was, value, o.Name, reason)
		if _, err := tx.insertForceAlert(tandem.RuleSettingChanged, tandem.SeverityWarning, msg, []string{o.ID}); err != nil {
			return err
		}
		// Every source is judged again by the new number, each in a
		// transaction of its own, by the sweep.
		return tx.queueEverySource()
	})
}

// ListSettings returns every setting as it stands, with its floor and who
// last changed it. Any officer may read the rules they work under.
func (s *Store) ListSettings(ctx context.Context) ([]*tandem.Setting, error) {
	if _, err := requireOfficer(ctx); err != nil {
		return nil, err
	}
	var out []*tandem.Setting
	err := s.view(ctx, func(tx *Tx) error {
		st, err := tx.settings()
		if err != nil {
			return err
		}
		changed := map[string]*tandem.Setting{}
		rows, err := tx.query(`SELECT id, updated_at, updated_by FROM settings ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, at, by string
			if err := rows.Scan(&id, &at, &by); err != nil {
				return err
			}
			t := parseTS(at)
			changed[policy.CanonicalKey(id)] = &tandem.Setting{UpdatedAt: &t, UpdatedBy: by}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range policy.SettingKeys {
			v, _ := st.Get(k)
			floor, _ := policy.Floor(k)
			set := &tandem.Setting{Key: k, Value: v, Floor: floor}
			if c := changed[k]; c != nil {
				set.UpdatedAt, set.UpdatedBy = c.UpdatedAt, c.UpdatedBy
			}
			out = append(out, set)
		}
		return nil
	})
	return out, err
}
