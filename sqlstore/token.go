package sqlstore

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"time"

	"tandem"
	"tandem/passwd"
)

// IssueToken creates an API bearer token for the officer with the username
// and returns it. Only its hash is stored; the token itself is shown once.
func (s *Store) IssueToken(ctx context.Context, username string, ttl time.Duration) (string, error) {
	if err := tandem.ValidTokenTTL(ttl); err != nil {
		return "", err
	}
	token, err := passwd.NewToken()
	if err != nil {
		return "", err
	}
	err = s.update(ctx, func(tx *Tx) error {
		o, err := tx.officerByUsername(username)
		if err != nil {
			return tandem.Invalid("username", "no officer with username %q", username)
		}
		if o.DisabledAt != nil {
			return tandem.Errorf(tandem.ECONFLICT, "the account %q is disabled: it gets no token", username)
		}
		id, h, expires := newID(), s.keys.tokenHash(token), ts(tx.now.Add(ttl))
		if _, err := tx.exec(`INSERT INTO tokens (id, officer_id, token_hash, created_at, expires_at, row_mac) VALUES (?, ?, ?, ?, ?, ?)`,
			id, o.ID, h, ts(tx.now), expires, s.keys.rowMAC("token-row", id, o.ID, h, expires, "")); err != nil {
			return err
		}
		return tx.record("token.issue", "token", id, "for "+o.Username)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the officer a bearer token belongs to, or
// unauthorized when it is unknown or expired.
func (s *Store) Authenticate(ctx context.Context, token string) (*tandem.Officer, error) {
	var o *tandem.Officer
	// One query, on every request: the token, its officer, and whether
	// the account is locked. The officer's accreditation is not worked out
	// here: the store reads it from the records wherever it matters.
	err := s.view(ctx, func(tx *Tx) error {
		h := s.keys.tokenHash(token)
		rows, err := tx.query(`SELECT `+prefixed("o.", officerColumns)+`, t.expires_at, (SELECT COUNT(*) FROM account_locks l WHERE l.officer_id = o.id AND l.unlocked_at IS NULL), t.id, t.officer_id, t.row_mac
			FROM tokens t JOIN officers o ON o.id = t.officer_id WHERE t.token_hash = ? AND t.revoked_at IS NULL`, h)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token is unknown or has expired")
		}
		var expires, id, owner string
		var locks int
		var mac sql.NullString
		if o, err = scanOfficer(rows, &expires, &locks, &id, &owner, &mac); err != nil {
			return err
		}
		// A row Tandem did not write, or one changed since (another
		// officer, a later expiry), opens nothing.
		if want := s.keys.rowMAC("token-row", id, owner, h, expires, ""); !mac.Valid || !hmac.Equal([]byte(mac.String), []byte(want)) {
			o = nil
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token is unknown or has expired")
		}
		if !tx.now.Before(parseTS(expires)) {
			o = nil
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token is unknown or has expired")
		}
		if locks > 0 {
			o = nil
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token's account is locked")
		}
		if o.DisabledAt != nil {
			o = nil
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token's account is disabled")
		}
		rows.Close()
		if err := tx.officerIntact(o.ID); err != nil {
			o = nil
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}
