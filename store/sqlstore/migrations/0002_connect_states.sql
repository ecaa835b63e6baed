-- Vendor OAuth flows in progress: single-use, about ten minutes.
CREATE TABLE connect_states (
    hash          TEXT    PRIMARY KEY,
    user_id       TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash  TEXT    NOT NULL,
    vendor        TEXT    NOT NULL,
    verifier      TEXT    NOT NULL,
    redirect_uri  TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX connect_states_expires ON connect_states (expires_at);
CREATE INDEX connect_states_user ON connect_states (user_id);
