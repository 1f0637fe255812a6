-- Sessions get an identity of their own (so a user can list and end them one by one) and what
-- a person needs to recognise them: when they were last used, from which browser and address.
-- Sessions opened before this migration carried none of it; they end here.
DROP TABLE sessions;
CREATE TABLE sessions (
    uuid BLOB PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL,
    user_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    created TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires TEXT NOT NULL,
    user_agent TEXT,
    ip TEXT
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (user_uuid, created);
CREATE INDEX sessions_expires_idx ON sessions (expires);
