-- An officer's failed sign-ins are counted from the audit trail, which a
-- DBA cannot thin without breaking the chain, not only from the
-- login_failures table: deleting its rows lifts no lockout early. Found
-- by officer and time, however many years of failures lie behind.
CREATE INDEX audit_sign_in_failures ON audit_events (object_id, at) WHERE action = 'account.sign_in_failed';
CREATE INDEX audit_pending_sign_in_failures ON audit_pending (object_id, at) WHERE action = 'account.sign_in_failed';
