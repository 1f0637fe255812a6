-- OAuth providers as Calagopus administers them, their claim mappings, and users' links to an
-- identity at a provider. A provider's client secret is written and used, never read back.
CREATE TABLE oauth_providers (
    uuid UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    auth_url TEXT NOT NULL,
    token_url TEXT NOT NULL,
    info_url TEXT NOT NULL,
    -- A JSON array of scope names.
    scopes TEXT NOT NULL DEFAULT '[]',
    identifier_path TEXT NOT NULL,
    email_path TEXT,
    username_path TEXT,
    name_first_path TEXT,
    name_last_path TEXT,
    enabled BOOLEAN NOT NULL,
    login_only BOOLEAN NOT NULL,
    login_bypass_two_factor BOOLEAN NOT NULL,
    link_viewable BOOLEAN NOT NULL,
    user_manageable BOOLEAN NOT NULL,
    basic_auth BOOLEAN NOT NULL,
    created TIMESTAMPTZ NOT NULL
);
-- Names are unique whatever their case; listings run in creation order.
CREATE UNIQUE INDEX oauth_providers_name_key ON oauth_providers (lower(name));
CREATE INDEX oauth_providers_created_idx ON oauth_providers (created, uuid);

-- `matcher` and `mapping` are JSON text in Calagopus' shapes.
CREATE TABLE oauth_provider_mappings (
    uuid UUID PRIMARY KEY NOT NULL,
    oauth_provider_uuid UUID NOT NULL REFERENCES oauth_providers (uuid) ON DELETE CASCADE,
    matcher TEXT NOT NULL,
    mapping TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_provider_mappings_provider_idx
    ON oauth_provider_mappings (oauth_provider_uuid, created, uuid);

-- One identity per user at a provider, and one user per identity.
CREATE TABLE user_oauth_links (
    uuid UUID PRIMARY KEY NOT NULL,
    user_uuid UUID NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    oauth_provider_uuid UUID NOT NULL REFERENCES oauth_providers (uuid) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    last_used TIMESTAMPTZ
);
CREATE UNIQUE INDEX user_oauth_links_user_key ON user_oauth_links (user_uuid, oauth_provider_uuid);
CREATE UNIQUE INDEX user_oauth_links_identifier_key
    ON user_oauth_links (oauth_provider_uuid, identifier);
CREATE INDEX user_oauth_links_user_idx ON user_oauth_links (user_uuid, created, uuid);
CREATE INDEX user_oauth_links_provider_idx ON user_oauth_links (oauth_provider_uuid, created, uuid);
