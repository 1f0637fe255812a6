-- The fields of Calagopus' admin user that Roster lacked. A frozen user cannot change their own
-- password, email or two-factor sign-in; the two interface preferences are kept and returned
-- as given, with Calagopus' defaults.
ALTER TABLE users ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1));
ALTER TABLE users ADD COLUMN toast_position TEXT NOT NULL DEFAULT 'top_right'
    CHECK (toast_position IN ('top_left', 'top_center', 'top_right', 'bottom_left',
        'bottom_center', 'bottom_right'));
ALTER TABLE users ADD COLUMN start_on_grouped_servers INTEGER NOT NULL DEFAULT 1
    CHECK (start_on_grouped_servers IN (0, 1));

-- A remembered key carries its user: a change of these forgets it too.
DROP TRIGGER users_credential_update;
CREATE TRIGGER users_credential_update
    AFTER UPDATE OF external_id, username, email, name_first, name_last, password_hash, admin,
        totp_enabled, language, role_uuid, suspended, frozen, toast_position,
        start_on_grouped_servers ON users
BEGIN
    INSERT INTO credential_changes (kind, uuid) VALUES ('user', OLD.uuid);
END;
