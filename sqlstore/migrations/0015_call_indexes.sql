-- Every kept call is written into each index of calls, at a page of its
-- own: an index no query reads is a cost to every import for nothing.
-- calls_source_board (source_id, started_at, ...) serves every query that
-- calls_source did, and nothing reads calls by officer.
DROP INDEX calls_source;
DROP INDEX calls_officer;
