-- Roster schema for SQLite. Every invariant lives here: named unique indexes, foreign keys,
-- NOT NULL. Timestamps are RFC 3339 text in UTC, uuids 16-byte blobs.

CREATE TABLE roles (
    uuid BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    admin_permissions TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL
);
CREATE UNIQUE INDEX roles_name_key ON roles (lower(name));
CREATE INDEX roles_created_idx ON roles (created, uuid);

-- `id` is a stable integer key for the full-text index; the API only ever sees `uuid`.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    uuid BLOB NOT NULL,
    external_id TEXT,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    name_first TEXT NOT NULL,
    name_last TEXT NOT NULL,
    password_hash TEXT,
    admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    language TEXT NOT NULL DEFAULT 'en',
    role_uuid BLOB REFERENCES roles (uuid) ON DELETE SET NULL,
    created TEXT NOT NULL
);
CREATE UNIQUE INDEX users_uuid_key ON users (uuid);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_external_id_key ON users (external_id);
CREATE INDEX users_created_idx ON users (created, uuid);
CREATE INDEX users_role_idx ON users (role_uuid);

-- Substring search over the four searchable fields: a trigram index answers any term of three
-- or more characters without scanning the table.
CREATE VIRTUAL TABLE users_search USING fts5 (
    username, email, name_first, name_last,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, username, email, name_first, name_last)
    VALUES (new.id, new.username, new.email, new.name_first, new.name_last);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, email, name_first, name_last)
    VALUES ('delete', old.id, old.username, old.email, old.name_first, old.name_last);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username, email, name_first, name_last ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, email, name_first, name_last)
    VALUES ('delete', old.id, old.username, old.email, old.name_first, old.name_last);
    INSERT INTO users_search (rowid, username, email, name_first, name_last)
    VALUES (new.id, new.username, new.email, new.name_first, new.name_last);
END;

CREATE TABLE servers (
    uuid BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    owner_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE RESTRICT,
    created TEXT NOT NULL
);
CREATE INDEX servers_created_idx ON servers (created, uuid);
CREATE INDEX servers_owner_idx ON servers (owner_uuid, created, uuid);

CREATE TABLE api_keys (
    uuid BLOB PRIMARY KEY NOT NULL,
    user_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_start TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    admin_permissions TEXT NOT NULL DEFAULT '[]',
    expires TEXT,
    created TEXT NOT NULL
);
CREATE UNIQUE INDEX api_keys_key_start_key ON api_keys (key_start);
CREATE INDEX api_keys_user_idx ON api_keys (user_uuid, created);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_uuid BLOB NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_uuid);
