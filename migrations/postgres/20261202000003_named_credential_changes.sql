-- Every instance remembers the API keys it has checked. A change that could narrow one now says
-- which: the notification names the key, the user or the role (`key:<uuid>`, `user:<uuid>`,
-- `role:<uuid>`), so an instance forgets only the keys it covers. A sign-in (`last_login`) or a
-- spent two-factor code (`totp_last_step`, `totp_secret`) changes nothing a key may do, and
-- notifies nothing.
DROP TRIGGER users_credential_change ON users;
DROP TRIGGER roles_credential_change ON roles;
DROP TRIGGER api_keys_credential_change ON api_keys;
DROP FUNCTION notify_credential_change();

CREATE FUNCTION notify_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roster_credentials', TG_ARGV[0] || ':' || OLD.uuid::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_credential_change
    AFTER UPDATE OF external_id, username, email, name_first, name_last, password_hash, admin,
        totp_enabled, language, role_uuid, suspended OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_credential_change('user');
CREATE TRIGGER roles_credential_change AFTER UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION notify_credential_change('role');
CREATE TRIGGER api_keys_credential_change AFTER UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION notify_credential_change('key');
