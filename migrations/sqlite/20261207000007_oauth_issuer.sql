-- A provider's OpenID Connect issuer: with one, every sign-in's ID token is checked against it.
ALTER TABLE oauth_providers ADD COLUMN issuer TEXT;
