-- 0009: users an operator manages from the command line: an e-mail address
-- to reach the host (alerts; OIDC sign-in fills it from a verified claim)
-- and a disabled flag. A disabled host cannot sign in, and disabling
-- revokes every grant and ends every browser session in one transaction.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
