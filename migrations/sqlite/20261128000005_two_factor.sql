-- Two-factor sign-in (TOTP). The secret must be read back to check codes, so it is kept as is;
-- `totp_last_step` is the time step of the last code accepted, so no code works twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE roles ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0 CHECK (require_two_factor IN (0, 1));

-- Ten single-use recovery codes per enrolled user, kept only as SHA-256 digests.
CREATE TABLE recovery_codes (
    user_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_uuid, code_hash)
);

-- A sign-in that passed its password and waits for its code: the token the client holds is
-- kept only as a digest, for five minutes.
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    expires TEXT NOT NULL
);
