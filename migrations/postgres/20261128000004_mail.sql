-- Mail waiting to go out, written in the same transaction as the change that causes it and
-- delivered by a background worker. A link (which carries a password token) is kept apart from
-- the bodies and dropped once the mail is sent: only undelivered mail holds one.
CREATE TABLE mail_outbox (
    uuid UUID PRIMARY KEY NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    link TEXT,
    created TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    sent TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (sent, next_attempt);
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created, uuid);

-- One password token per user (a new one replaces the old), kept only as a SHA-256 digest.
CREATE TABLE password_tokens (
    user_uuid UUID PRIMARY KEY NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX password_tokens_hash_key ON password_tokens (token_hash);
