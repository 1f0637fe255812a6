-- Every instance remembers the API keys it has checked. On SQLite nothing is needed in the
-- database: an instance forgets them when it commits, and when `PRAGMA data_version` shows that
-- another process committed.
SELECT 1;
