-- 0006: an access token's own scopes (PostgreSQL; the same change as
-- migrations/0006_token_scopes.sql). '[]' means the grant's scopes.
ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
