-- Identities sealed at rest: a data key per source, wrapped by the master
-- key; the store's own keys (blind index, second factors, a check value),
-- wrapped the same way; and blind indexes to match sealed values.

CREATE TABLE source_keys (
    id         TEXT PRIMARY KEY,
    source_id  TEXT NOT NULL UNIQUE REFERENCES sources (id),
    wrapped    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE keyring (
    id         TEXT PRIMARY KEY,
    wrapped    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The keyed hash of each of a source's phone numbers, for call records.
CREATE TABLE source_phones (
    source_id TEXT NOT NULL REFERENCES sources (id),
    digest    TEXT NOT NULL,
    PRIMARY KEY (source_id, digest)
);
CREATE INDEX source_phones_digest ON source_phones (digest);

-- The keyed hash of a source's normalised name and date of birth, for
-- deconfliction between units.
ALTER TABLE sources ADD COLUMN person_digest TEXT;
CREATE INDEX sources_person ON sources (person_digest);
