-- Consent pages shown and not yet answered: each page is one single-use
-- transaction, so that one page gives at most one decision (one code).
CREATE TABLE consent_transactions (
    hash         TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash TEXT    NOT NULL,
    request      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX consent_transactions_expires ON consent_transactions (expires_at);
CREATE INDEX consent_transactions_user ON consent_transactions (user_id);
