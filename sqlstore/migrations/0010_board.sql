-- The early-warning board reads a unit's contacts and calls over a window
-- of up to two years: indexes that hold every column it reads, in the
-- order it reads them, spare a lookup in the table for each row.
CREATE INDEX contacts_source_board ON contacts (source_id, occurred_at, id, kind, indicators, late);
CREATE INDEX calls_source_board ON calls (source_id, started_at, id, officer_id, billsec);

-- The contacts that have amendments, by source and time: the board applies
-- them to a window's contacts without probing the amendments of every
-- contact in it. Kept by each amendment, filled here from those before.
CREATE TABLE amended_contacts (
    source_id   TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    PRIMARY KEY (source_id, occurred_at, contact_id)
);
INSERT INTO amended_contacts (source_id, occurred_at, contact_id)
SELECT DISTINCT c.source_id, c.occurred_at, c.id FROM contacts c JOIN amendments a ON a.contact_id = c.id;

-- The board's old index (by time alone, across every unit) is not read
-- any more.
DROP INDEX contacts_board;
