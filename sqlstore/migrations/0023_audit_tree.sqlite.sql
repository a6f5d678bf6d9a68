-- The audit trail is the leaves of a Merkle tree (package checkpoint). Each
-- entry's row holds the nodes of the tree that its leaf completes, lowest
-- level first, 32 bytes each: a node is found by the number of the last
-- leaf under it, so any node, and so any proof, is a few lookups by seq.
-- Derived, not evidence: audit verify builds the tree again and compares.
ALTER TABLE audit_events ADD COLUMN tree BLOB;
