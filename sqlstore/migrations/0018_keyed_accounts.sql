-- Sessions and API tokens are found by an HMAC under the accounts key
-- (which the master key protects), and each row carries a MAC of who it
-- signs in and until when: a row written or copied outside Tandem signs
-- nobody in. The sessions of earlier versions, found by a plain SHA-256,
-- end: everyone signs in again. Their API tokens stop working likewise,
-- and are issued again.
ALTER TABLE sessions ADD COLUMN row_mac TEXT;
ALTER TABLE tokens ADD COLUMN row_mac TEXT;
ALTER TABLE totp_steps ADD COLUMN row_mac TEXT;
DELETE FROM sessions;
