-- The vendor PKCE verifier is sealed like every secret hostgate must read
-- back: verifier now holds the sealed bytes (base64) and verifier_key the id
-- of the key that sealed them. Flows in progress are short-lived; any left
-- from before this migration are dropped rather than read as plaintext.
DELETE FROM connect_states;
ALTER TABLE connect_states ADD COLUMN verifier_key TEXT NOT NULL DEFAULT '';
