-- 0006: an access token's own scopes, when a refresh asked for fewer than
-- its grant holds (RFC 6749 §6). '[]' (every token made before this
-- migration, and every refresh token) means the grant's scopes.
ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
