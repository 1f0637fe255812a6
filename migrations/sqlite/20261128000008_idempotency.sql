-- Idempotent creates: the first reply to each caller's `Idempotency-Key`, kept for 24 hours.
-- `caller` is a SHA-256 of the credential the request presented, `request` one of its method,
-- path and body. `status` is NULL while the first request runs, 0 once its write committed
-- but before its reply was kept; `body` is NULL for a reply that holds a secret.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created TEXT NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created);
