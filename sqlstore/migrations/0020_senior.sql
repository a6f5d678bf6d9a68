-- An authorising officer of the higher rank that juvenile and vulnerable
-- sources need. NULL (as every earlier officer reads, and as their audit
-- hashes were made) is not senior.
ALTER TABLE officers ADD COLUMN senior INTEGER;
