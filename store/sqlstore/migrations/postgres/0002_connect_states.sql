-- Vendor OAuth flows in progress: single-use, about ten minutes
-- (PostgreSQL; the same change as migrations/0002_connect_states.sql).
CREATE TABLE connect_states (
    hash          TEXT COLLATE "C" PRIMARY KEY,
    user_id       TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash  TEXT    NOT NULL,
    vendor        TEXT    NOT NULL,
    verifier      TEXT    NOT NULL,
    redirect_uri  TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);

CREATE INDEX connect_states_expires ON connect_states (expires_at);
CREATE INDEX connect_states_user ON connect_states (user_id);
