-- The activity log as Calagopus' clients read it: its event names, and the impersonator of a
-- request made as another user.
ALTER TABLE activity ADD COLUMN impersonator_uuid BLOB;
ALTER TABLE activity ADD COLUMN impersonator_username TEXT;

UPDATE activity SET event = CASE event
    WHEN 'user:password-reset-sent' THEN 'user:email.password-reset'
    WHEN 'user:two-factor-reset' THEN 'user:two-factor.disable'
    WHEN 'api-key:revoke' THEN 'api-key:delete'
    WHEN 'session:end' THEN 'session:delete'
    WHEN 'session:end-others' THEN 'session:delete-all'
    WHEN 'auth:sign-in' THEN 'auth:success'
    WHEN 'auth:password-forgot' THEN 'email:password-reset'
    WHEN 'auth:password-reset' THEN 'auth:reset-password'
    WHEN 'two-factor:enable' THEN 'account:two-factor.enable'
    WHEN 'two-factor:disable' THEN 'account:two-factor.disable'
END
WHERE event IN ('user:password-reset-sent', 'user:two-factor-reset', 'api-key:revoke',
    'session:end', 'session:end-others', 'auth:sign-in', 'auth:password-forgot',
    'auth:password-reset', 'two-factor:enable', 'two-factor:disable');

-- `search` matches an actor's username by prefix, whatever its case.
CREATE INDEX activity_actor_name_idx ON activity (lower(actor_username), id);
-- A user's activity holds what they did as someone else.
CREATE INDEX activity_impersonator_idx ON activity (impersonator_uuid, id);
