-- Webhook endpoints: where changes are told, signed the Standard Webhooks way. The signing
-- secret must be at hand to sign each message, so it is kept as made (and never shown again);
-- after a rotation the previous one signs beside it until `previous_until`.
CREATE TABLE webhook_endpoints (
    uuid UUID PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TIMESTAMPTZ,
    failing_since TIMESTAMPTZ,
    owner_uuid UUID REFERENCES users (uuid) ON DELETE SET NULL,
    created TIMESTAMPTZ NOT NULL
);

-- The outbox of messages, one per endpoint that wants the change, written in the change's own
-- transaction. `id` is the order they are delivered in, per endpoint.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    uuid UUID NOT NULL,
    endpoint_uuid UUID NOT NULL REFERENCES webhook_endpoints (uuid) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    claim_token UUID,
    finished TIMESTAMPTZ
);
CREATE UNIQUE INDEX webhook_deliveries_uuid_key ON webhook_deliveries (uuid);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (endpoint_uuid, state, id);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created);

-- Each try at a delivery: the status, the time it took and the first kilobyte of the answer.
CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted TIMESTAMPTZ NOT NULL,
    status INTEGER,
    duration_ms INTEGER NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
