-- Sign-in for the web UI: server-side sessions, failed attempts and
-- account locks, and second factors (TOTP).

-- A session is found by the SHA-256 of its cookie, so a copy of the
-- database holds no usable session.
CREATE TABLE sessions (
    id_hash          TEXT PRIMARY KEY,
    officer_id       TEXT NOT NULL REFERENCES officers (id),
    csrf_token       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    second_factor_at TEXT
);
CREATE INDEX sessions_officer ON sessions (officer_id);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- A lock stays until an administrator unlocks it; unlocking keeps the row.
CREATE TABLE account_locks (
    id          TEXT PRIMARY KEY,
    officer_id  TEXT NOT NULL REFERENCES officers (id),
    locked_at   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    unlocked_at TEXT,
    unlocked_by TEXT
);
CREATE INDEX account_locks_officer ON account_locks (officer_id);

-- An officer's TOTP secret (base32), or an exemption for the demo's
-- accounts (secret empty, exempt 1).
CREATE TABLE second_factors (
    id          TEXT PRIMARY KEY,
    officer_id  TEXT NOT NULL UNIQUE REFERENCES officers (id),
    secret      TEXT NOT NULL,
    exempt      INTEGER NOT NULL,
    enrolled_at TEXT NOT NULL
);

-- The last TOTP time step used by each officer, so that a code is accepted
-- once only.
CREATE TABLE totp_steps (
    officer_id TEXT PRIMARY KEY REFERENCES officers (id),
    last_step  BIGINT NOT NULL
);
