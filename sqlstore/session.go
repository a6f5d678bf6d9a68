package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"tandem"
	"tandem/passwd"
	"tandem/policy"
	"tandem/seal"
)

// dummyHash is checked when the username is unknown, so that an unknown
// user costs the same work as a wrong password and reads exactly alike.
// Made on first use: an Argon2id hash takes 64 MiB and half a second, which
// commands that sign nobody in must not pay.
var dummyHash = sync.OnceValue(func() string {
	h, _ := passwd.Hash("tandem: no such officer")
	return h
})

var errSignIn = tandem.Errorf(tandem.EUNAUTHORIZED, "the username or password is wrong, or the account is locked")

var errSignInLimited = tandem.Errorf(tandem.ERATELIMITED, "too many failed sign-ins for this account: wait 15 minutes, or ask an administrator to unlock it")

// SignIn checks a username and password and opens a session. Every failure
// is counted; the LockoutFailures-th within LockoutWindow locks the account.
func (s *Store) SignIn(ctx context.Context, username, password string) (string, *tandem.Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > tandem.MaxUsername || tandem.ValidText("username", username) != nil {
		return "", nil, errSignIn // no account has such a name; nothing of it is stored
	}
	var officerID, hash string
	failures := 0
	err := s.view(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT id, password_hash FROM officers WHERE username = ?`, username).Scan(&officerID, &hash)
		if err != nil && !isNoRows(err) {
			return err
		}
		// The account's recent failures, counted whether or not it exists,
		// so that the answer says nothing of which usernames are real.
		failures, err = tx.recentFailures(username, officerID)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if failures >= tandem.LockoutFailures {
		// Refused before the password is hashed: a flood against one
		// account costs a query, not 64 MiB and a core.
		return "", nil, errSignInLimited
	}
	ok := false
	if officerID != "" && hash != "" {
		ok = passwd.Verify(hash, password)
	} else {
		passwd.Verify(dummyHash(), password)
	}
	var token string
	var sess *tandem.Session
	err = s.update(ctx, func(tx *Tx) error {
		locked := false
		if officerID != "" {
			var err error
			if locked, err = tx.locked(officerID); err != nil {
				return err
			}
		}
		if !ok || locked {
			return tx.failSignIn(username, officerID)
		}
		var err error
		token, sess, err = tx.openSession(officerID)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if sess == nil {
		return "", nil, errSignIn
	}
	return token, sess, nil
}

// failSignIn records a failed attempt, and locks the account when it is
// one too many. It returns nil so the record commits; the caller refuses.
func (tx *Tx) failSignIn(username, officerID string) error {
	if _, err := tx.exec(`INSERT INTO login_failures (username, at) VALUES (?, ?)`, username, ts(tx.now)); err != nil {
		return err
	}
	if officerID == "" {
		return nil
	}
	if err := tx.note("account.sign_in_failed", "officer", officerID, ""); err != nil {
		return err
	}
	locked, err := tx.locked(officerID)
	if err != nil || locked {
		return err
	}
	n, err := tx.recentFailures(username, officerID)
	if err != nil {
		return err
	}
	if n < tandem.LockoutFailures {
		return nil
	}
	id := newID()
	if _, err := tx.exec(`INSERT INTO account_locks (id, officer_id, locked_at, reason) VALUES (?, ?, ?, ?)`, id, officerID, ts(tx.now), "failed sign-ins"); err != nil {
		return err
	}
	return tx.record("account.lock", "account_lock", id, "five failed sign-ins within 15 minutes")
}

// recentFailures counts the failed sign-ins of the lockout window: those
// of the username in login_failures, and, for an officer, those in the
// audit trail since the window began or the last unlock, whichever is
// later. The larger counts: rows deleted from login_failures lift no
// lockout early, since the trail's entries cannot be thinned without
// breaking the chain.
func (tx *Tx) recentFailures(username, officerID string) (int, error) {
	since := ts(tx.now.Add(-tandem.LockoutWindow))
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?`, username, since).Scan(&n); err != nil {
		return 0, err
	}
	if officerID == "" {
		return n, nil
	}
	var unlocked sql.NullString
	if err := tx.queryRow(`SELECT MAX(unlocked_at) FROM account_locks WHERE officer_id = ? AND unlocked_at IS NOT NULL`, officerID).Scan(&unlocked); err != nil {
		return 0, err
	}
	if unlocked.Valid && unlocked.String > since {
		since = unlocked.String
	}
	var inTrail, pending int
	if err := tx.queryRow(`SELECT COUNT(*) FROM audit_events WHERE object_id = ? AND at > ? AND action = 'account.sign_in_failed'`, officerID, since).Scan(&inTrail); err != nil {
		return 0, err
	}
	if err := tx.queryRow(`SELECT COUNT(*) FROM audit_pending WHERE object_id = ? AND at > ? AND action = 'account.sign_in_failed'`, officerID, since).Scan(&pending); err != nil {
		return 0, err
	}
	// And the change's own entries, written when it is done.
	for _, e := range tx.pending {
		if e.Action == "account.sign_in_failed" && e.ObjectID == officerID {
			pending++
		}
	}
	return max(n, inTrail+pending), nil
}

// locked reports whether the account signs nobody in: locked after failed
// sign-ins, or disabled.
func (tx *Tx) locked(officerID string) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT (SELECT COUNT(*) FROM account_locks WHERE officer_id = ? AND unlocked_at IS NULL) + (SELECT COUNT(*) FROM officers WHERE id = ? AND disabled_at IS NOT NULL)`, officerID, officerID).Scan(&n)
	return n > 0, err
}

func (tx *Tx) openSession(officerID string) (string, *tandem.Session, error) {
	token := randomToken()
	csrf := randomToken()
	h := tx.store.keys.sessionHash(token)
	if _, err := tx.exec(`INSERT INTO sessions (id_hash, officer_id, csrf_token, created_at, last_seen_at, row_mac) VALUES (?, ?, ?, ?, ?, ?)`,
		h, officerID, csrf, ts(tx.now), ts(tx.now), tx.store.keys.rowMAC("session-row", h, officerID, csrf, ts(tx.now), "")); err != nil {
		return "", nil, err
	}
	if err := tx.note("account.sign_in", "officer", officerID, ""); err != nil {
		return "", nil, err
	}
	sess, err := tx.session(h)
	return token, sess, err
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (tx *Tx) session(idHash string) (*tandem.Session, error) {
	var sess tandem.Session
	var created, seen string
	var second, mac sql.NullString
	err := tx.queryRow(`SELECT officer_id, csrf_token, created_at, last_seen_at, second_factor_at, row_mac FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&sess.OfficerID, &sess.CSRFToken, &created, &seen, &second, &mac)
	if isNoRows(err) {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "your session has ended: sign in again")
	} else if err != nil {
		return nil, err
	}
	// A row Tandem did not write, or one changed since (another officer,
	// a later start, a second factor it never passed), is no session.
	if want := tx.store.keys.rowMAC("session-row", idHash, sess.OfficerID, sess.CSRFToken, created, second.String); !mac.Valid || !hmac.Equal([]byte(mac.String), []byte(want)) {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "your session has ended: sign in again")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.SecondFactorAt = parseTS(created), parseTS(seen), parseNullTS(second)
	var exempt int
	err = tx.queryRow(`SELECT exempt FROM second_factors WHERE officer_id = ?`, sess.OfficerID).Scan(&exempt)
	switch {
	case err == nil:
		sess.Enrolled, sess.Exempt = exempt == 0, exempt == 1
	case !isNoRows(err):
		return nil, err
	}
	if sess.Officer, err = tx.officer(sess.OfficerID); err != nil {
		return nil, err
	}
	if err := tx.officerIntact(sess.OfficerID); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Session returns the live session of a token and refreshes its idle
// timer. An idle or too old session is ended.
func (s *Store) Session(ctx context.Context, token string) (*tandem.Session, error) {
	if token == "" {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "sign in first")
	}
	h := s.keys.sessionHash(token)
	var sess *tandem.Session
	var locked bool
	err := s.view(ctx, func(tx *Tx) error {
		var err error
		if sess, err = tx.session(h); err != nil {
			return err
		}
		locked, err = tx.locked(sess.OfficerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if locked || now.Sub(sess.LastSeenAt) > tandem.SessionIdle || now.Sub(sess.CreatedAt) > tandem.SessionAbsolute {
		err := s.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(`DELETE FROM sessions WHERE id_hash = ?`, h)
			return err
		})
		if err != nil {
			return nil, err
		}
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "your session has ended: sign in again")
	}
	// Refresh the idle timer at most once a minute: a write per page view
	// would queue every reader behind the single writer.
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		err := s.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, ts(tx.now), h)
			return err
		})
		if err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// SignOut ends a session.
func (s *Store) SignOut(ctx context.Context, token string) error {
	return s.update(ctx, func(tx *Tx) error {
		sess, err := tx.session(s.keys.sessionHash(token))
		if err != nil {
			return nil // already gone
		}
		if _, err := tx.exec(`DELETE FROM sessions WHERE id_hash = ?`, s.keys.sessionHash(token)); err != nil {
			return err
		}
		return tx.note("account.sign_out", "officer", sess.OfficerID, "")
	})
}

// totpOpts are RFC 6238's defaults, which every authenticator app reads.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchStep returns the time step a code matches, allowing one step of
// clock drift either way, or -1.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*30, 0), totpOpts)
		if err == nil && want == code {
			return step + d
		}
	}
	return -1
}

// VerifySecondFactor checks a code against the officer's secret. A code is
// accepted once; a wrong one counts toward the lockout.
func (s *Store) VerifySecondFactor(ctx context.Context, token, code string) error {
	h := s.keys.sessionHash(token)
	var refused bool
	err := s.update(ctx, func(tx *Tx) error {
		sess, err := tx.session(h)
		if err != nil {
			return err
		}
		var sealed string
		if err := tx.queryRow(`SELECT secret FROM second_factors WHERE officer_id = ? AND exempt = 0`, sess.OfficerID).Scan(&sealed); err != nil {
			if isNoRows(err) {
				return tandem.Errorf(tandem.ECONFLICT, "no second factor is enrolled for this account")
			}
			return err
		}
		plain, err := s.keys.secondFactors.Open(sealed, seal.FieldAD("officer", sess.OfficerID, "totp_secret", 1))
		if err != nil {
			return fmt.Errorf("the second-factor secret of officer %s does not open: %w", sess.OfficerID, err)
		}
		secret := string(plain)
		// A lock that a burst of codes brought on, committed since the
		// session was read, holds for the codes still in flight.
		if locked, err := tx.locked(sess.OfficerID); err != nil || locked {
			refused = true
			return err
		}
		step := matchStep(secret, code, tx.now)
		if step < 0 || !tx.freshStep(sess.OfficerID, step) {
			refused = true
			return tx.failSignIn(sess.Officer.Username, sess.OfficerID)
		}
		if err := tx.useStep(sess.OfficerID, step); err != nil {
			return err
		}
		return tx.passSecondFactor(h, sess)
	})
	if err != nil {
		return err
	}
	if refused {
		return tandem.Invalid("code", "the code is wrong or has been used: try the next one")
	}
	return nil
}

// passSecondFactor marks the session as past its second factor, and
// authenticates the row as such.
func (tx *Tx) passSecondFactor(h string, sess *tandem.Session) error {
	var created string
	if err := tx.queryRow(`SELECT created_at FROM sessions WHERE id_hash = ?`, h).Scan(&created); err != nil {
		return err
	}
	at := ts(tx.now)
	_, err := tx.exec(`UPDATE sessions SET second_factor_at = ?, row_mac = ? WHERE id_hash = ?`, at,
		tx.store.keys.rowMAC("session-row", h, sess.OfficerID, sess.CSRFToken, created, at), h)
	return err
}

// freshStep reports whether a code's time step is later than the last one
// the officer used. A row whose MAC does not match (its step wound back
// outside Tandem, to replay a code) accepts no code: fail closed.
func (tx *Tx) freshStep(officerID string, step int64) bool {
	var last int64
	var mac sql.NullString
	err := tx.queryRow(`SELECT last_step, row_mac FROM totp_steps WHERE officer_id = ?`, officerID).Scan(&last, &mac)
	if err != nil {
		// Enrolment writes the first step, and an unlock writes one: an
		// enrolled officer with none has had it deleted outside Tandem.
		return false
	}
	want := tx.store.keys.rowMAC("totp-step", officerID, strconv.FormatInt(last, 10))
	return mac.Valid && hmac.Equal([]byte(mac.String), []byte(want)) && step > last
}

func (tx *Tx) useStep(officerID string, step int64) error {
	mac := tx.store.keys.rowMAC("totp-step", officerID, strconv.FormatInt(step, 10))
	res, err := tx.exec(`UPDATE totp_steps SET last_step = ?, row_mac = ? WHERE officer_id = ?`, step, mac, officerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = tx.exec(`INSERT INTO totp_steps (officer_id, last_step, row_mac) VALUES (?, ?, ?)`, officerID, step, mac)
	}
	return err
}

// authenticateLegacySteps gives the second-factor steps an earlier version
// left without a MAC their MAC, once, at start-up (as sealLegacy seals
// what it left in clear): from then on a step without one is tampered.
func (s *Store) authenticateLegacySteps(ctx context.Context) error {
	return s.update(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT officer_id, last_step FROM totp_steps WHERE row_mac IS NULL`)
		if err != nil {
			return err
		}
		type step struct {
			officer string
			last    int64
		}
		var todo []step
		for rows.Next() {
			var st step
			if err := rows.Scan(&st.officer, &st.last); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range todo {
			if _, err := tx.exec(`UPDATE totp_steps SET row_mac = ? WHERE officer_id = ?`, s.keys.rowMAC("totp-step", st.officer, strconv.FormatInt(st.last, 10)), st.officer); err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingSecondFactor returns the TOTP key the session's officer is to
// enrol: made by the server on the first call, kept sealed with the
// session, and the same on every call until enrolment succeeds, so a
// reload shows the key already scanned.
func (s *Store) PendingSecondFactor(ctx context.Context, token string) (string, error) {
	h := s.keys.sessionHash(token)
	var secret string
	err := s.update(ctx, func(tx *Tx) error {
		sess, err := tx.enrolling(h)
		if err != nil {
			return err
		}
		var ok bool
		if secret, ok, err = tx.pendingSecret(h, sess.OfficerID); err != nil || ok {
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Tandem", AccountName: sess.Officer.Username})
		if err != nil {
			return err
		}
		secret = key.Secret()
		_, err = tx.exec(`UPDATE sessions SET pending_secret = ? WHERE id_hash = ?`, s.keys.secondFactors.Seal([]byte(secret), pendingAD(sess.OfficerID)), h)
		return err
	})
	return secret, err
}

// enrolling returns the session of an officer with no second factor yet.
func (tx *Tx) enrolling(h string) (*tandem.Session, error) {
	sess, err := tx.session(h)
	if err != nil {
		return nil, err
	}
	if sess.Enrolled || sess.Exempt {
		return nil, tandem.Errorf(tandem.ECONFLICT, "a second factor is already set for this account")
	}
	return sess, nil
}

// pendingAD binds a pending key to its officer.
func pendingAD(officerID string) string {
	return seal.FieldAD("session", officerID, "pending_secret", 1)
}

// pendingSecret returns the key PendingSecondFactor made for the session,
// and false when there is none, or it was sealed under a key since rotated.
func (tx *Tx) pendingSecret(h, officerID string) (string, bool, error) {
	var sealed sql.NullString
	if err := tx.queryRow(`SELECT pending_secret FROM sessions WHERE id_hash = ?`, h).Scan(&sealed); err != nil {
		return "", false, err
	}
	if !sealed.Valid {
		return "", false, nil
	}
	plain, err := tx.store.keys.secondFactors.Open(sealed.String, pendingAD(officerID))
	if err != nil {
		return "", false, nil
	}
	return string(plain), true, nil
}

// EnrolSecondFactor stores the session's pending key (PendingSecondFactor)
// as the officer's second factor once a code from it checks.
func (s *Store) EnrolSecondFactor(ctx context.Context, token, code string) error {
	h := s.keys.sessionHash(token)
	var refused bool
	err := s.update(ctx, func(tx *Tx) error {
		sess, err := tx.enrolling(h)
		if err != nil {
			return err
		}
		secret, ok, err := tx.pendingSecret(h, sess.OfficerID)
		if err != nil {
			return err
		}
		if !ok {
			return tandem.Invalid("code", "open the set-up page first: it shows the key to scan")
		}
		step := matchStep(secret, code, tx.now)
		if step < 0 {
			refused = true
			return nil
		}
		id := newID()
		sealedSecret := s.keys.secondFactors.Seal([]byte(secret), seal.FieldAD("officer", sess.OfficerID, "totp_secret", 1))
		if _, err := tx.exec(`INSERT INTO second_factors (id, officer_id, secret, exempt, enrolled_at) VALUES (?, ?, ?, 0, ?)`, id, sess.OfficerID, sealedSecret, ts(tx.now)); err != nil {
			return err
		}
		if err := tx.record("account.second_factor_enrol", "second_factor", id, ""); err != nil {
			return err
		}
		if err := tx.useStep(sess.OfficerID, step); err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE sessions SET pending_secret = NULL WHERE id_hash = ?`, h); err != nil {
			return err
		}
		return tx.passSecondFactor(h, sess)
	})
	if err != nil {
		return err
	}
	if refused {
		return tandem.Invalid("code", "the code does not match: check the clock of your phone and try the next code")
	}
	return nil
}

// ChangePassword is an officer's change of their own password, from the
// session of token: the current one must be given (a wrong one counts as a
// failed sign-in, towards the lockout), and every other session of the
// account ends. An administrator sets an account's first password; this is
// how the officer makes it theirs alone. Audited, without either password.
func (s *Store) ChangePassword(ctx context.Context, token, current, next string) error {
	o, err := requireOfficer(ctx)
	if err != nil {
		return err
	}
	if err := tandem.ValidPassword("new_password", next); err != nil {
		return err
	}
	if next == current {
		return tandem.Invalid("new_password", "the new password is the current one: choose another")
	}
	var hash string
	if err := s.view(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT password_hash FROM officers WHERE id = ?`, o.ID).Scan(&hash)
	}); err != nil {
		return err
	}
	if hash == "" || utf8.RuneCountInString(current) > 256 || !passwd.Verify(hash, current) {
		if err := s.update(ctx, func(tx *Tx) error { return tx.failSignIn(o.Username, o.ID) }); err != nil {
			return err
		}
		return tandem.Invalid("current_password", "the current password is not right")
	}
	newHash, err := passwd.Hash(next)
	if err != nil {
		return err
	}
	keep := s.keys.sessionHash(token)
	return s.update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE officers SET password_hash = ? WHERE id = ?`, newHash, o.ID); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sessions WHERE officer_id = ? AND id_hash <> ?`, o.ID, keep); err != nil {
			return err
		}
		return tx.record("account.password_change", "officer", o.ID, "")
	})
}

// ExemptSecondFactor marks an account as having no second factor. Only the
// demo loader does this, at the command line.
func (s *Store) ExemptSecondFactor(ctx context.Context, officerID string) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return err
	}
	return s.update(ctx, func(tx *Tx) error {
		id := newID()
		if _, err := tx.exec(`INSERT INTO second_factors (id, officer_id, secret, exempt, enrolled_at) VALUES (?, ?, '', 1, ?)`, id, officerID, ts(tx.now)); err != nil {
			return err
		}
		return tx.record("account.second_factor_exempt", "second_factor", id, "demo account")
	})
}

// UnlockAccount lifts an account's lock. Only an administrator may.
func (s *Store) UnlockAccount(ctx context.Context, officerID string) error {
	if _, err := requireRole(ctx, tandem.RoleAdmin); err != nil {
		return err
	}
	return s.update(ctx, func(tx *Tx) error {
		ids, err := tx.ids(`SELECT id FROM account_locks WHERE officer_id = ? AND unlocked_at IS NULL`, officerID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return tandem.Errorf(tandem.ECONFLICT, "the account is not locked")
		}
		for _, id := range ids {
			if _, err := tx.exec(`UPDATE account_locks SET unlocked_at = ?, unlocked_by = ? WHERE id = ?`, ts(tx.now), tx.actorID(), id); err != nil {
				return err
			}
			if err := tx.record("account.unlock", "account_lock", id, ""); err != nil {
				return err
			}
		}
		// Failures before the unlock no longer count toward a new lock.
		var username string
		if err := tx.queryRow(`SELECT username FROM officers WHERE id = ?`, officerID).Scan(&username); err != nil {
			return err
		}
		// A second-factor step that fails its MAC (wound back or deleted
		// outside Tandem) locks its owner out too: the unlock starts it
		// afresh, at the present step, so no code already shown works.
		var enrolled int
		if err := tx.queryRow(`SELECT COUNT(*) FROM second_factors WHERE officer_id = ? AND exempt = 0`, officerID).Scan(&enrolled); err != nil {
			return err
		}
		if enrolled > 0 {
			if err := tx.useStep(officerID, tx.now.Unix()/30); err != nil {
				return err
			}
		}
		_, err = tx.exec(`DELETE FROM login_failures WHERE username = ?`, username)
		return err
	})
}

// LockedOfficers returns the officers whose accounts are locked, with when.
func (s *Store) LockedOfficers(ctx context.Context) (map[string]time.Time, error) {
	if _, err := requireRole(ctx, policy.Accounts...); err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	err := s.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT officer_id, locked_at FROM account_locks WHERE unlocked_at IS NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, at string
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			out[id] = parseTS(at)
		}
		return rows.Err()
	})
	return out, err
}

// IsDemo reports whether the store holds the demo unit: only the demo's
// accounts are exempt from the second factor.
func (s *Store) IsDemo(ctx context.Context) (bool, error) {
	var n int
	err := s.view(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COUNT(*) FROM second_factors WHERE exempt = 1`).Scan(&n)
	})
	return n > 0, err
}
