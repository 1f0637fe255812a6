-- A console session acting as another user ("Sign in as"): until `acting_until`, the session's
-- requests act as `acting_as`, and the activity log names the session's own user as the
-- impersonator. Returning, or the time running out, restores the session's own user.
ALTER TABLE sessions ADD COLUMN acting_as UUID REFERENCES users (uuid) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN acting_until TIMESTAMPTZ;
