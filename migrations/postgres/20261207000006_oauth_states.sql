-- A sign-in (or a link) through a provider between leaving for the provider and coming back:
-- found by the SHA-256 of its `state`, which the browser also holds in a cookie, and used once.
-- It keeps the PKCE verifier and the OpenID nonce; for a link, the user linking.
CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    oauth_provider_uuid UUID NOT NULL REFERENCES oauth_providers (uuid) ON DELETE CASCADE,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    link_user UUID REFERENCES users (uuid) ON DELETE CASCADE,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires);
