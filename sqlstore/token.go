package sqlstore

import (
	"context"
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
		id := newID()
		if _, err := tx.exec(`INSERT INTO tokens (id, officer_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			id, o.ID, passwd.TokenHash(token), ts(tx.now), ts(tx.now.Add(ttl))); err != nil {
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
	err := s.view(ctx, func(tx *Tx) error {
		var officerID, expires string
		err := tx.queryRow(`SELECT officer_id, expires_at FROM tokens WHERE token_hash = ?`, passwd.TokenHash(token)).Scan(&officerID, &expires)
		if isNoRows(err) || (err == nil && !tx.now.Before(parseTS(expires))) {
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token is unknown or has expired")
		} else if err != nil {
			return err
		}
		locked, err := tx.locked(officerID)
		if err != nil {
			return err
		}
		if locked {
			return tandem.Errorf(tandem.EUNAUTHORIZED, "the token's account is locked")
		}
		o, err = tx.officer(officerID)
		return err
	})
	return o, err
}
