-- Vendor authorization codes that arrived with no state (a marketplace
-- "one-click" connect), waiting for the host to confirm in the browser they
-- arrived in: single-use, about ten minutes. hash is the hash of the random
-- id in that browser's cookie; code holds the sealed code (base64) and
-- code_key the id of the key that sealed it. No user: the host may sign in
-- only after the code arrived, and confirms as whoever is then signed in.
CREATE TABLE oneclick_codes (
    hash       TEXT    PRIMARY KEY,
    vendor     TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    code_key   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX oneclick_codes_expires ON oneclick_codes (expires_at);
