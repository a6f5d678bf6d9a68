package sqlstore

import (
	"context"
	"fmt"

	"tandem"
	"tandem/phone"
	"tandem/policy"
	"tandem/seal"
)

// personDigest is the blind index of a person: normalised name and date of
// birth, keyed, so that the same person registered twice can be found
// without either identity being readable.
func (tx *Tx) personDigest(id tandem.Identity) string {
	return tx.store.keys.index.Sum("person", seal.NormalName(id.LegalName)+"|"+id.DateOfBirth)
}

// indexPhones stores the blind index of each of a source's phone numbers,
// written in E.164 with the force's country code, as call records are. A
// number that cannot be read is refused when strict (registration), and
// left out of the index otherwise (sealing an older version's rows, which
// must not stop the store from opening).
func (tx *Tx) indexPhones(sourceID string, phones []string, strict bool) error {
	st, err := tx.settings()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, p := range phones {
		n, ok := phone.Normalize(p, st.CountryCode)
		if !ok && strict {
			return tandem.Invalid("phone_numbers", "phone number %d cannot be read as a phone number", i+1)
		} else if !ok {
			continue
		}
		d := tx.store.keys.index.Sum("phone", n)
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, err := tx.exec(`INSERT INTO source_phones (source_id, digest) VALUES (?, ?)`, sourceID, d); err != nil {
			return err
		}
	}
	return nil
}

// deconflict raises a DECONFLICTION alert on a new source and on every
// other source that is the same person: each unit's controllers learn that
// another unit runs them, and which unit, but see nothing of its file.
func (tx *Tx) deconflict(sourceID, unit string) error {
	var digest string
	if err := tx.queryRow(`SELECT person_digest FROM sources WHERE id = ?`, sourceID).Scan(&digest); err != nil {
		return err
	}
	others, err := tx.sources(`person_digest = ? AND id <> ?`, digest, sourceID)
	if err != nil {
		return err
	}
	for _, o := range others {
		where := "another unit, " + o.Unit
		if o.Unit == unit {
			where = "this unit"
		}
		if _, err := tx.evaluate(sourceID, policy.Deconflicted{Message: fmt.Sprintf("this person appears to be registered already, by %s: controllers, deconflict before tasking", where)}); err != nil {
			return err
		}
		where = "another unit, " + unit
		if o.Unit == unit {
			where = "this unit"
		}
		if _, err := tx.evaluate(o.ID, policy.Deconflicted{Message: fmt.Sprintf("the same person has just been registered again, by %s: controllers, deconflict before tasking", where)}); err != nil {
			return err
		}
	}
	return nil
}

// SourcesByPhone returns the ids of the sources with a phone number, found
// by its blind index: how call records are matched to sources.
func (s *Store) SourcesByPhone(ctx context.Context, number string) ([]string, error) {
	var out []string
	err := s.view(ctx, func(tx *Tx) error {
		st, err := tx.settings()
		if err != nil {
			return err
		}
		n, ok := phone.Normalize(number, st.CountryCode)
		if !ok {
			return nil // what is not a phone number matches no source
		}
		out, err = tx.ids(`SELECT source_id FROM source_phones WHERE digest = ? ORDER BY source_id`, s.keys.index.Sum("phone", n))
		return err
	})
	return out, err
}

// sealLegacy seals what a version of Tandem before sealing left in clear:
// sources' identities and officers' second-factor secrets. Then it empties
// the write-ahead log and rewrites the file, so that no old page still
// holds a plaintext copy.
func (s *Store) sealLegacy(ctx context.Context) error {
	n := 0
	err := s.update(ctx, func(tx *Tx) error {
		ids, err := tx.ids(`SELECT s.id FROM sources s LEFT JOIN source_keys k ON k.source_id = s.id WHERE k.source_id IS NULL ORDER BY s.id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var plain tandem.Identity
			var aliases, phones string
			if err := tx.queryRow(`SELECT legal_name, aliases, date_of_birth, address, phone_numbers, recruitment_circumstances FROM sources WHERE id = ?`, id).
				Scan(&plain.LegalName, &aliases, &plain.DateOfBirth, &plain.Address, &phones, &plain.RecruitmentCircumstances); err != nil {
				return err
			}
			if err := fromJSON(aliases, &plain.Aliases); err != nil {
				return err
			}
			if err := fromJSON(phones, &plain.PhoneNumbers); err != nil {
				return err
			}
			key, version, saveKey, err := tx.newSourceKey(id)
			if err != nil {
				return err
			}
			if err := saveKey(); err != nil {
				return err
			}
			si := sealIdentity(key, id, version, plain)
			if _, err := tx.exec(`UPDATE sources SET legal_name = ?, aliases = ?, date_of_birth = ?, address = ?, phone_numbers = ?, recruitment_circumstances = ?, person_digest = ? WHERE id = ?`,
				si.LegalName, si.Aliases, si.DateOfBirth, si.Address, si.PhoneNumbers, si.RecruitmentCircumstances, tx.personDigest(plain), id); err != nil {
				return err
			}
			if err := tx.indexPhones(id, plain.PhoneNumbers, false); err != nil {
				return err
			}
			if err := tx.record("source.seal", "source", id, "identity sealed at rest"); err != nil {
				return err
			}
			n++
		}
		rows, err := tx.query(`SELECT id, officer_id, secret FROM second_factors WHERE exempt = 0`)
		if err != nil {
			return err
		}
		type sf struct{ id, officer, secret string }
		var clear []sf
		for rows.Next() {
			var x sf
			if err := rows.Scan(&x.id, &x.officer, &x.secret); err != nil {
				rows.Close()
				return err
			}
			if !seal.IsSealed(x.secret) {
				clear = append(clear, x)
			}
		}
		rows.Close()
		for _, x := range clear {
			if _, err := tx.exec(`UPDATE second_factors SET secret = ? WHERE id = ?`, s.keys.secondFactors.Seal([]byte(x.secret), seal.FieldAD("officer", x.officer, "totp_secret", 1)), x.id); err != nil {
				return err
			}
			if err := tx.record("account.second_factor_seal", "second_factor", x.id, "secret sealed at rest"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil || n == 0 {
		return err
	}
	return s.compact(ctx)
}

// compact empties the write-ahead log into the database and rewrites the
// file, so that pages once holding cleartext are gone from both.
func (s *Store) compact(ctx context.Context) error {
	if _, ok := s.dialect.(SQLite); !ok {
		return nil
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `VACUUM`); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}
