-- Sign-in attempts, counted in the database so that every instance sees the same counts and no
-- process keeps a map that a flood of names could grow. `key` is a SHA-256 digest of what is
-- counted: a client address, or an account together with a client address.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TEXT NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX sign_in_throttle_window_idx ON sign_in_throttle (window_start);
