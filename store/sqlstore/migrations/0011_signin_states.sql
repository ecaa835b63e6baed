-- 0011: OpenID Connect sign-ins in progress: single-use, about ten minutes,
-- bound to the browser that started them (the hash of its id cookie), not
-- to a host (no one is signed in yet). The nonce is kept only as its hash;
-- the PKCE verifier is sealed like every secret hostgate must read back.
CREATE TABLE signin_states (
    hash          TEXT    PRIMARY KEY,
    browser_hash  TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    nonce_hash    TEXT    NOT NULL,
    verifier      TEXT    NOT NULL,
    verifier_key  TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX signin_states_expires ON signin_states (expires_at);
