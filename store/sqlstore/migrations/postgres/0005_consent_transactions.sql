-- Consent pages shown and not yet answered: each page is one single-use
-- transaction (PostgreSQL; the same change as
-- migrations/0005_consent_transactions.sql).
CREATE TABLE consent_transactions (
    hash         TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash TEXT    NOT NULL,
    request      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);

CREATE INDEX consent_transactions_expires ON consent_transactions (expires_at);
CREATE INDEX consent_transactions_user ON consent_transactions (user_id);
