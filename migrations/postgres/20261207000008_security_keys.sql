-- Users' WebAuthn security keys and passkeys, as Calagopus keeps them: a key is registered in
-- two steps, and until the second `registration` holds the ceremony's state and `passkey` is
-- empty. `credential_id` is unique over every user.
CREATE TABLE user_security_keys (
    uuid UUID PRIMARY KEY NOT NULL,
    user_uuid UUID NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id BYTEA NOT NULL,
    passkey TEXT,
    registration TEXT,
    last_used TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX user_security_keys_credential_key ON user_security_keys (credential_id);
CREATE UNIQUE INDEX user_security_keys_name_key ON user_security_keys (user_uuid, lower(name));

-- A passkey sign-in's challenge, kept by the database so any instance can finish it; single use.
CREATE TABLE webauthn_challenges (
    uuid UUID PRIMARY KEY NOT NULL,
    -- The user a second-factor challenge is for; none for a passkey sign-in.
    user_uuid UUID REFERENCES users (uuid) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX webauthn_challenges_expires_idx ON webauthn_challenges (expires);
