-- An account's failures over every network back off: the throttle keeps when the next attempt
-- may be judged. A waiting mail's link carries a password token: it is kept no longer than the
-- token works.
ALTER TABLE sign_in_throttle ADD COLUMN next_allowed TIMESTAMPTZ;
ALTER TABLE mail_outbox ADD COLUMN link_expires TIMESTAMPTZ;
CREATE INDEX mail_outbox_link_expires_idx ON mail_outbox (link_expires);
