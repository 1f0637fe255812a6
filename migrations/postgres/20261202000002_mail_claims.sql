-- A worker claims mail under a token of its own; it renews, sends and records a mail only while
-- the claim is still its own.
ALTER TABLE mail_outbox ADD COLUMN claim_token UUID;
