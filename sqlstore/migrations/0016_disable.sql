-- A leaver's account is disabled, never deleted: the trail still names
-- them. disabled_at NULL for an account in use. (NULL columns are left out
-- of a record's hash, so the trail of every earlier record still holds.)
ALTER TABLE officers ADD COLUMN disabled_at TEXT;
ALTER TABLE officers ADD COLUMN disabled_by TEXT;
-- A revoked API token stays, marked, so the trail of its issue holds.
ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
