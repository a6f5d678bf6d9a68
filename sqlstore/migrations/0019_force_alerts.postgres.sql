-- An alert of the whole force (SETTING_CHANGED) belongs to no source.
ALTER TABLE alerts ALTER COLUMN source_id DROP NOT NULL;
