-- The vendor PKCE verifier is sealed like every secret hostgate must read
-- back: verifier holds the sealed bytes (base64) and verifier_key the id of
-- the key that sealed them (PostgreSQL; the same change as
-- migrations/0003_connect_state_sealed.sql).
DELETE FROM connect_states;
ALTER TABLE connect_states ADD COLUMN verifier_key TEXT NOT NULL DEFAULT '';
