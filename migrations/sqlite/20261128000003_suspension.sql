-- A suspended user keeps their account but can do nothing with it; the index serves the users
-- list filtered by it and the count of active global admins.
ALTER TABLE users ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));
CREATE INDEX users_suspended_idx ON users (suspended, created, uuid);
