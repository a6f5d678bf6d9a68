package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"tandem"
	"tandem/seal"
)

// keys are the store's keys, opened with the master key at start-up.
type keys struct {
	master *seal.Key
	// index computes blind indexes (phones, persons).
	index *seal.Index
	// secondFactors seals officers' TOTP secrets.
	secondFactors *seal.Key
	// accounts keys the hashes under which sessions and API tokens are
	// found, and authenticates their rows and the second-factor steps: a
	// row written outside Tandem, without this key, signs nobody in.
	accounts *seal.Index
}

// WithMasterKey gives the store its master key (32 bytes). Without it the
// store refuses to open: identities are never stored in clear.
func WithMasterKey(material []byte) Option {
	return func(s *Store) { s.masterMaterial = append([]byte(nil), material...) }
}

// ErrWrongMasterKey is returned when the master key does not open the
// store's keys.
var ErrWrongMasterKey = errors.New("the master key does not open this data folder: it is another key, or the keys were rotated to a new one")

// The keyring's entries. check holds a random value whose only purpose is
// to tell at start-up whether the master key is the right one.
const (
	keyCheck         = "check"
	keyIndex         = "blind_index"
	keySecondFactors = "second_factors"
	keyAccounts      = "accounts"
)

// openKeys unwraps the keyring with the master key, creating the keyring
// on first start, and seals whatever an older version left in clear.
func (s *Store) openKeys(ctx context.Context) error {
	if len(s.masterMaterial) == 0 {
		return errors.New("sqlstore: no master key given")
	}
	master, err := seal.NewKey(s.masterMaterial)
	if err != nil {
		return err
	}
	s.keys = &keys{master: master}
	material := map[string][]byte{}
	if s.readOnly {
		if err := s.readKeys(ctx, master, material); err != nil {
			return err
		}
		return s.useKeys(material)
	}
	err = s.update(ctx, func(tx *Tx) error {
		for _, id := range []string{keyCheck, keyIndex, keySecondFactors, keyAccounts} {
			var wrapped string
			err := tx.queryRow(`SELECT wrapped FROM keyring WHERE id = ?`, id).Scan(&wrapped)
			switch {
			case isNoRows(err):
				m := seal.RandomKeyMaterial()
				if _, err := tx.exec(`INSERT INTO keyring (id, wrapped, created_at) VALUES (?, ?, ?)`, id, master.Seal(m, seal.KeyAD("keyring", id, 1)), ts(tx.now)); err != nil {
					return err
				}
				if err := tx.record("key.create", "key", id, ""); err != nil {
					return err
				}
				material[id] = m
			case err != nil:
				return err
			default:
				m, err := master.Open(wrapped, seal.KeyAD("keyring", id, 1))
				if err != nil {
					return ErrWrongMasterKey
				}
				material[id] = m
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.useKeys(material); err != nil {
		return err
	}
	if slices.Contains(s.migrated, keyedAccountsMigration) {
		if err := s.authenticateLegacySteps(ctx); err != nil {
			return err
		}
	}
	return s.sealLegacy(ctx)
}

// useKeys makes the store's keys from the keyring's material.
func (s *Store) useKeys(material map[string][]byte) error {
	var err error
	if s.keys.index, err = seal.NewIndex(material[keyIndex]); err != nil {
		return err
	}
	if s.keys.secondFactors, err = seal.NewKey(material[keySecondFactors]); err != nil {
		return err
	}
	if s.keys.accounts, err = seal.NewIndex(material[keyAccounts]); err != nil {
		return err
	}
	return nil
}

// readKeys unwraps the keyring, making nothing: a read-only open.
func (s *Store) readKeys(ctx context.Context, master *seal.Key, material map[string][]byte) error {
	return s.view(ctx, func(tx *Tx) error {
		for _, id := range []string{keyCheck, keyIndex, keySecondFactors, keyAccounts} {
			var wrapped string
			if err := tx.queryRow(`SELECT wrapped FROM keyring WHERE id = ?`, id).Scan(&wrapped); err != nil {
				if isNoRows(err) {
					return fmt.Errorf("the keyring has no %s key", id)
				}
				return err
			}
			m, err := master.Open(wrapped, seal.KeyAD("keyring", id, 1))
			if err != nil {
				return ErrWrongMasterKey
			}
			material[id] = m
		}
		return nil
	})
}

// sourceKey returns a source's data key, unwrapped.
func (tx *Tx) sourceKey(sourceID string) (*seal.Key, int, error) {
	var wrapped string
	var version int
	err := tx.queryRow(`SELECT wrapped, version FROM source_keys WHERE source_id = ?`, sourceID).Scan(&wrapped, &version)
	if err != nil {
		return nil, 0, fmt.Errorf("the key of source %s: %w", sourceID, err)
	}
	m, err := tx.store.keys.master.Open(wrapped, seal.KeyAD("source", sourceID, version))
	if err != nil {
		return nil, 0, errIntegrity(sourceID, "its data key")
	}
	k, err := seal.NewKey(m)
	return k, version, err
}

// newSourceKey creates a source's data key. The source's row refers to
// nothing, but the key's row refers to the source: save stores the wrapped
// key once the source's row exists.
func (tx *Tx) newSourceKey(sourceID string) (key *seal.Key, version int, save func() error, err error) {
	m := seal.RandomKeyMaterial()
	version = 1
	key, err = seal.NewKey(m)
	save = func() error {
		if _, err := tx.exec(`INSERT INTO source_keys (id, source_id, wrapped, version, created_at) VALUES (?, ?, ?, ?, ?)`,
			sourceID, sourceID, tx.store.keys.master.Seal(m, seal.KeyAD("source", sourceID, version)), version, ts(tx.now)); err != nil {
			return err
		}
		return tx.record("source_key.create", "source_key", sourceID, "")
	}
	return key, version, save, err
}

// errIntegrity is what a reveal says when a sealed value does not open: an
// inquiry needs to know that the record was tampered with, never what the
// value was.
func errIntegrity(sourceID, what string) error {
	return &tandem.Error{Code: tandem.EINTERNAL, Message: fmt.Sprintf("the sealed identity of this source does not open (%s): it was altered, or moved from another record; report it to professional standards", what)}
}

// RotateMasterKey re-wraps every data key and the keyring under a new
// master key, in one transaction: afterwards the old key opens nothing.
func (s *Store) RotateMasterKey(ctx context.Context, newMaterial []byte) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return err
	}
	next, err := seal.NewKey(newMaterial)
	if err != nil {
		return tandem.Invalid("new_master_key", "%v", err)
	}
	old := s.keys.master
	err = s.update(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT id, wrapped FROM keyring ORDER BY id`)
		if err != nil {
			return err
		}
		type wrappedKey struct{ id, wrapped string }
		var ring []wrappedKey
		for rows.Next() {
			var k wrappedKey
			if err := rows.Scan(&k.id, &k.wrapped); err != nil {
				rows.Close()
				return err
			}
			ring = append(ring, k)
		}
		rows.Close()
		for _, k := range ring {
			m, err := old.Open(k.wrapped, seal.KeyAD("keyring", k.id, 1))
			if err != nil {
				return ErrWrongMasterKey
			}
			if _, err := tx.exec(`UPDATE keyring SET wrapped = ? WHERE id = ?`, next.Seal(m, seal.KeyAD("keyring", k.id, 1)), k.id); err != nil {
				return err
			}
			if err := tx.record("key.rewrap", "key", k.id, "master key rotated"); err != nil {
				return err
			}
		}
		rows, err = tx.query(`SELECT source_id, wrapped, version FROM source_keys ORDER BY source_id`)
		if err != nil {
			return err
		}
		type sourceKey struct {
			id, wrapped string
			version     int
		}
		var sks []sourceKey
		for rows.Next() {
			var k sourceKey
			if err := rows.Scan(&k.id, &k.wrapped, &k.version); err != nil {
				rows.Close()
				return err
			}
			sks = append(sks, k)
		}
		rows.Close()
		for _, k := range sks {
			m, err := old.Open(k.wrapped, seal.KeyAD("source", k.id, k.version))
			if err != nil {
				return errIntegrity(k.id, "its data key")
			}
			if _, err := tx.exec(`UPDATE source_keys SET wrapped = ? WHERE source_id = ?`, next.Seal(m, seal.KeyAD("source", k.id, k.version)), k.id); err != nil {
				return err
			}
			if err := tx.record("source_key.rewrap", "source_key", k.id, "master key rotated"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.keys.master = next
	return nil
}

// keyedAccountsMigration is the migration that gave the second-factor
// steps their MAC column: the steps an earlier version left get their MAC
// in the same open, and never again (a MAC set to NULL afterwards is
// tampering, not a legacy row).
const keyedAccountsMigration = 18

// sessionHash is the key a session is stored under: an HMAC of its cookie
// under the accounts key, never a plain hash anyone could compute.
func (k *keys) sessionHash(token string) string { return k.accounts.Sum("session", token) }

// tokenHash is the key an API token is stored under, likewise.
func (k *keys) tokenHash(token string) string { return k.accounts.Sum("api-token", token) }

// rowMAC authenticates the fields of an account row that say who it signs
// in and for how long: a row copied to another officer, or extended, no
// longer matches.
func (k *keys) rowMAC(kind string, fields ...string) string {
	return k.accounts.Sum(kind, strings.Join(fields, "\x00"))
}
