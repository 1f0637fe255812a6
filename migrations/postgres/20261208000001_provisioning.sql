-- Provisioning from identity providers (SCIM). A provider's `userName` that breaks Roster's
-- username rule (an email address, say) is kept as sent in `provisioned_name`, and the user gets
-- a username made from it; `userName` is `provisioned_name` when there is one, else `username`,
-- and is unique case-insensitively like usernames. `updated` is when a provisioned attribute last
-- changed (null: never since the user was created).
ALTER TABLE users ADD COLUMN provisioned_name TEXT;
ALTER TABLE users ADD COLUMN updated TIMESTAMPTZ;
CREATE UNIQUE INDEX users_provisioned_name_key ON users (lower(COALESCE(provisioned_name, username)));
-- What a provider's `meta.lastModified gt "…"` asks for (an incremental sync).
CREATE INDEX users_modified_idx ON users (COALESCE(updated, created));

-- A group's id at the provider that pushed it (groups are roles).
ALTER TABLE roles ADD COLUMN external_id TEXT;

-- The keys made on the provisioning page, each for a named provider.
CREATE TABLE provisioning_keys (
    key_uuid UUID PRIMARY KEY NOT NULL REFERENCES api_keys (uuid) ON DELETE CASCADE,
    provider TEXT NOT NULL
);

-- The last requests each key made to the provisioning door: what an admin checks when a
-- provider reports an error.
CREATE TABLE provisioning_requests (
    uuid UUID PRIMARY KEY NOT NULL,
    key_uuid UUID NOT NULL REFERENCES api_keys (uuid) ON DELETE CASCADE,
    at TIMESTAMPTZ NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL
);
CREATE INDEX provisioning_requests_key_idx ON provisioning_requests (key_uuid, at DESC);
