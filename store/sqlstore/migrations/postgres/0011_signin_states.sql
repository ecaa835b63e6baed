-- 0011: OpenID Connect sign-ins in progress (PostgreSQL; the same change
-- as migrations/0011_signin_states.sql).
CREATE TABLE signin_states (
    hash          TEXT COLLATE "C" PRIMARY KEY,
    browser_hash  TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    nonce_hash    TEXT    NOT NULL,
    verifier      TEXT    NOT NULL,
    verifier_key  TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);

CREATE INDEX signin_states_expires ON signin_states (expires_at);
