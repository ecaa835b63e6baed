-- Vendor authorization codes that arrived with no state, waiting for the
-- host to confirm (PostgreSQL; the same change as
-- migrations/0007_oneclick_codes.sql).
CREATE TABLE oneclick_codes (
    hash       TEXT COLLATE "C" PRIMARY KEY,
    vendor     TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    code_key   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);

CREATE INDEX oneclick_codes_expires ON oneclick_codes (expires_at);
