-- The two-person rule: an account an administrator created or changed
-- sees no source until a second person confirms it. The column holds the
-- id of the administrator whose change awaits confirmation; NULL (as
-- every earlier officer reads, and as their audit hashes were made) is an
-- account that awaits nothing.
ALTER TABLE officers ADD COLUMN awaiting_confirmation TEXT;
