-- Every instance remembers the API keys it has checked. A change to what a key may do (the key
-- itself, its owner, the owner's role) tells every instance to forget them: the notification is
-- delivered when the change commits, and only then.
CREATE FUNCTION notify_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roster_credentials', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_credential_change AFTER UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();
CREATE TRIGGER roles_credential_change AFTER UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();
CREATE TRIGGER api_keys_credential_change AFTER UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();
