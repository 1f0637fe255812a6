-- Every instance remembers the API keys it has checked. A change that could narrow one is
-- written down here, naming the key, the user or the role, and each instance's watcher reads
-- what is new to forget only the keys it covers (SQLite has no notifications; writers take turns,
-- so ids come in commit order). A sign-in (`last_login`) or a spent two-factor code changes
-- nothing a key may do, and writes nothing here.
CREATE TABLE credential_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    uuid BLOB NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TRIGGER users_credential_update
    AFTER UPDATE OF external_id, username, email, name_first, name_last, password_hash, admin,
        totp_enabled, language, role_uuid, suspended ON users
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('user', OLD.uuid);
END;
CREATE TRIGGER users_credential_delete AFTER DELETE ON users
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('user', OLD.uuid);
END;
CREATE TRIGGER roles_credential_update AFTER UPDATE ON roles
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('role', OLD.uuid);
END;
CREATE TRIGGER roles_credential_delete AFTER DELETE ON roles
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('role', OLD.uuid);
END;
CREATE TRIGGER api_keys_credential_update AFTER UPDATE ON api_keys
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('key', OLD.uuid);
END;
CREATE TRIGGER api_keys_credential_delete AFTER DELETE ON api_keys
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('key', OLD.uuid);
END;
