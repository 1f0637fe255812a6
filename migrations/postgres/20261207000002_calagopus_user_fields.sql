-- The fields of Calagopus' admin user that Roster lacked. A frozen user cannot change their own
-- password, email or two-factor sign-in; the two interface preferences are kept and returned
-- as given, with Calagopus' defaults.
ALTER TABLE users
    ADD COLUMN frozen BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN toast_position TEXT NOT NULL DEFAULT 'top_right'
        CHECK (toast_position IN ('top_left', 'top_center', 'top_right', 'bottom_left',
            'bottom_center', 'bottom_right')),
    ADD COLUMN start_on_grouped_servers BOOLEAN NOT NULL DEFAULT TRUE;

-- A remembered key carries its user: a change of these forgets it too.
DROP TRIGGER users_credential_change ON users;
CREATE TRIGGER users_credential_change
    AFTER UPDATE OF external_id, username, email, name_first, name_last, password_hash, admin,
        totp_enabled, language, role_uuid, suspended, frozen, toast_position,
        start_on_grouped_servers OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_credential_change('user');
