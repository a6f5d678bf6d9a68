package sqlstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"tandem"
	"tandem/audit"
)

// TestAccountRows_WrittenOutsideTandemSignNobodyIn: a DBA with the
// database, but not the master key, cannot make a session or a token: a
// row forged under a hash anyone could compute, a real row moved to
// another officer or given a later start or expiry, a revocation undone,
// a second factor marked passed, and a second-factor step wound back all
// open nothing.
func TestAccountRows_WrittenOutsideTandemSignNobodyIn(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := e.db.raw.Exec(e.db.dialect.Rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		sha := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
		ts := func(t time.Time) string { return t.UTC().Format(audit.TimeLayout) }
		now := ts(e.now)

		// A session forged for the controller under the plain SHA-256 of a
		// cookie the forger chose, with the second factor marked passed.
		exec(`INSERT INTO sessions (id_hash, officer_id, csrf_token, created_at, last_seen_at, second_factor_at) VALUES (?, ?, 'x', ?, ?, ?)`,
			sha("forged-cookie"), e.controller.ID, now, now, now)
		if _, err := e.store.Session(e.system(), "forged-cookie"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a forged session row: %v, want unauthorized", err)
		}
		exec(`INSERT INTO tokens (id, officer_id, token_hash, created_at, expires_at) VALUES ('forged', ?, ?, ?, ?)`,
			e.controller.ID, sha("tdm_forged"), now, ts(e.now.Add(time.Hour)))
		if _, err := e.store.Authenticate(e.system(), "tdm_forged"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a forged token row: %v, want unauthorized", err)
		}

		// A real session of a handler, moved to the controller.
		officer, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "mover", Name: "Mo Mover", Gender: "male",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := e.store.SignIn(e.system(), "mover", "a long enough passphrase")
		if err != nil {
			t.Fatal(err)
		}
		if s, err := e.store.Session(e.system(), cookie); err != nil || s.OfficerID != officer.ID {
			t.Fatalf("the real session: %+v, %v", s, err)
		}
		exec(`UPDATE sessions SET second_factor_at = ? WHERE officer_id = ?`, now, officer.ID)
		if _, err := e.store.Session(e.system(), cookie); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a session marked past its second factor outside Tandem: %v, want unauthorized", err)
		}
		exec(`UPDATE sessions SET second_factor_at = NULL, officer_id = ? WHERE officer_id = ?`, e.controller.ID, officer.ID)
		if s, err := e.store.Session(e.system(), cookie); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a session moved to the controller: %+v, %v; want unauthorized", s, err)
		}

		// A real token, extended, moved, and revoked then un-revoked.
		token, err := e.store.IssueToken(e.as(e.admin), "mover", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Authenticate(e.system(), token); err != nil {
			t.Fatalf("the real token: %v", err)
		}
		exec(`UPDATE tokens SET expires_at = ? WHERE officer_id = ?`, ts(e.now.Add(90*24*time.Hour)), officer.ID)
		if _, err := e.store.Authenticate(e.system(), token); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a token extended outside Tandem: %v, want unauthorized", err)
		}
		second, err := e.store.IssueToken(e.as(e.admin), "mover", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE tokens SET officer_id = ? WHERE officer_id = ? AND revoked_at IS NULL AND expires_at = ?`, e.controller.ID, officer.ID, ts(e.now.Add(time.Hour)))
		if o, err := e.store.Authenticate(e.system(), second); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a token moved to the controller: %+v, %v; want unauthorized", o, err)
		}
		third, err := e.store.IssueToken(e.as(e.admin), e.ha.Username, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.RevokeTokens(e.as(e.admin), e.ha.Username); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE tokens SET revoked_at = NULL WHERE officer_id = ?`, e.ha.ID)
		if _, err := e.store.Authenticate(e.system(), third); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("a revocation undone outside Tandem: %v, want unauthorized", err)
		}
	})
}

// TestSecondFactorStep_WoundBackOutsideTandemAcceptsNoCode: the last
// second-factor step is authenticated; winding it back to replay a code
// makes the account accept no code at all until an administrator looks.
func TestSecondFactorStep_WoundBackOutsideTandemAcceptsNoCode(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		if _, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "twofa", Name: "Tess Twofa", Gender: "female",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"}); err != nil {
			t.Fatal(err)
		}
		signIn := func() string {
			t.Helper()
			cookie, _, err := e.store.SignIn(e.system(), "twofa", "a long enough passphrase")
			if err != nil {
				t.Fatal(err)
			}
			return cookie
		}
		cookie := signIn()
		secret, err := e.store.PendingSecondFactor(e.system(), cookie)
		if err != nil {
			t.Fatal(err)
		}
		code := func() string {
			t.Helper()
			c, err := totp.GenerateCode(secret, e.now)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if err := e.store.EnrolSecondFactor(e.system(), cookie, code()); err != nil {
			t.Fatalf("enrol: %v", err)
		}
		e.now = e.now.Add(time.Minute)
		if err := e.store.VerifySecondFactor(e.system(), signIn(), code()); err != nil {
			t.Fatalf("a fresh code: %v", err)
		}
		// The code just used, replayed after the step is wound back.
		if _, err := e.db.raw.Exec(`UPDATE totp_steps SET last_step = 0`); err != nil {
			t.Fatal(err)
		}
		if err := e.store.VerifySecondFactor(e.system(), signIn(), code()); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a replayed code after the step was wound back: %v, want refused", err)
		}
		e.now = e.now.Add(time.Minute)
		if err := e.store.VerifySecondFactor(e.system(), signIn(), code()); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("even a fresh code on a tampered step: %v, want refused (fail closed)", err)
		}
		// Deleted outside Tandem: the same.
		if _, err := e.db.raw.Exec(`DELETE FROM totp_steps`); err != nil {
			t.Fatal(err)
		}
		e.now = e.now.Add(time.Minute)
		if err := e.store.VerifySecondFactor(e.system(), signIn(), code()); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a code after the step was deleted: %v, want refused (fail closed)", err)
		}
		// The failures lock the account; the unlock starts the step afresh.
		half := signIn()
		for range 5 {
			e.store.VerifySecondFactor(e.system(), half, "000000")
		}
		tess, err := e.store.FindOfficerByUsername(e.as(e.admin), "twofa")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.UnlockAccount(e.as(e.admin), tess.ID); err != nil {
			t.Fatalf("unlock: %v", err)
		}
		e.now = e.now.Add(time.Minute)
		if err := e.store.VerifySecondFactor(e.system(), signIn(), code()); err != nil {
			t.Errorf("a fresh code after the unlock: %v", err)
		}
	})
}

// TestOfficerRow_ChangedOutsideTandemSignsNobodyIn: a DBA who adds a role
// to their own row, or enables a disabled account, gains nothing: the
// very next request with that officer's session or token is refused.
func TestOfficerRow_ChangedOutsideTandemSignsNobodyIn(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		if _, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "dee", Name: "Dee Insider", Gender: "female",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"}); err != nil {
			t.Fatal(err)
		}
		cookie, _, err := e.store.SignIn(e.system(), "dee", "a long enough passphrase")
		if err != nil {
			t.Fatal(err)
		}
		token, err := e.store.IssueToken(e.as(e.admin), "dee", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Session(e.system(), cookie); err != nil {
			t.Fatalf("the session before: %v", err)
		}
		if _, err := e.store.Authenticate(e.system(), token); err != nil {
			t.Fatalf("the token before: %v", err)
		}
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`UPDATE officers SET roles = ? WHERE username = ?`), "auditor,handler", "dee"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Session(e.system(), cookie); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the session after a role was added outside Tandem: %v, want unauthorized", err)
		}
		if o, err := e.store.Authenticate(e.system(), token); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the token after a role was added outside Tandem: %+v, %v; want unauthorized", o, err)
		}
		// Put back as it was, the account works again: the check is of
		// the row, not a ban.
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`UPDATE officers SET roles = ? WHERE username = ?`), "handler", "dee"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Authenticate(e.system(), token); err != nil {
			t.Errorf("the token with the row as Tandem wrote it: %v", err)
		}
		// A disabled account enabled outside Tandem stays shut.
		leaver, err := e.store.FindOfficerByUsername(e.as(e.admin), "dee")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.DisableOfficer(e.as(e.admin), leaver.ID, "left"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`UPDATE officers SET disabled_at = NULL, disabled_by = NULL WHERE username = ?`), "dee"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.SignIn(e.system(), "dee", "a long enough passphrase"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("sign in to an account enabled outside Tandem: %v, want unauthorized", err)
		}
	})
}

// TestSignInFailures_DeletedOutsideTandemStillCount: a DBA who empties
// login_failures between an attacker's guesses lifts no lockout: an
// officer's failures are counted from the audit trail too.
func TestSignInFailures_DeletedOutsideTandemStillCount(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		if _, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "target", Name: "Tara Target", Gender: "female",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"}); err != nil {
			t.Fatal(err)
		}
		for i := range tandem.LockoutFailures {
			if _, _, err := e.store.SignIn(e.system(), "target", "a wrong guess"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
				t.Fatalf("guess %d: %v", i+1, err)
			}
			if _, err := e.db.raw.Exec(`DELETE FROM login_failures`); err != nil {
				t.Fatal(err)
			}
			e.now = e.now.Add(time.Minute)
		}
		if n := e.count(`SELECT COUNT(*) FROM account_locks WHERE unlocked_at IS NULL`); n != 1 {
			t.Errorf("%d open locks after %d failures with login_failures emptied after each, want 1", n, tandem.LockoutFailures)
		}
		if _, _, err := e.store.SignIn(e.system(), "target", "a long enough passphrase"); err == nil {
			t.Error("the right password signs in to an account that should be locked")
		}
	})
}
