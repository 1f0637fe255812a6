-- Roster schema for PostgreSQL. Every invariant lives here: named unique indexes, foreign keys,
-- NOT NULL.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE roles (
    uuid UUID PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    admin_permissions TEXT NOT NULL DEFAULT '[]',
    created TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX roles_name_key ON roles (lower(name));
CREATE INDEX roles_created_idx ON roles (created, uuid);

CREATE TABLE users (
    uuid UUID PRIMARY KEY,
    external_id TEXT,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    name_first TEXT NOT NULL,
    name_last TEXT NOT NULL,
    password_hash TEXT,
    admin BOOLEAN NOT NULL DEFAULT FALSE,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT NOT NULL DEFAULT 'en',
    role_uuid UUID REFERENCES roles (uuid) ON DELETE SET NULL,
    created TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_external_id_key ON users (external_id);
CREATE INDEX users_created_idx ON users (created, uuid);
CREATE INDEX users_role_idx ON users (role_uuid);
-- Substring search (ILIKE '%term%') over the four searchable fields.
CREATE INDEX users_search_idx ON users USING gin (
    username gin_trgm_ops, email gin_trgm_ops, name_first gin_trgm_ops, name_last gin_trgm_ops
);

CREATE TABLE servers (
    uuid UUID PRIMARY KEY,
    name TEXT NOT NULL,
    owner_uuid UUID NOT NULL REFERENCES users (uuid) ON DELETE RESTRICT,
    created TIMESTAMPTZ NOT NULL
);
CREATE INDEX servers_created_idx ON servers (created, uuid);
CREATE INDEX servers_owner_idx ON servers (owner_uuid, created, uuid);

CREATE TABLE api_keys (
    uuid UUID PRIMARY KEY,
    user_uuid UUID NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_start TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    admin_permissions TEXT NOT NULL DEFAULT '[]',
    expires TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX api_keys_key_start_key ON api_keys (key_start);
CREATE INDEX api_keys_user_idx ON api_keys (user_uuid, created);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_uuid UUID NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    created TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_uuid);
