-- 0001: hostgate's initial schema.
--
-- Times are INTEGER unix nanoseconds in UTC, NULL for "not set".
-- String lists are JSON arrays in TEXT columns.
-- Codes, tokens, client secrets and session ids appear only as SHA-256 hex.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	issuer        TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	created_at    INTEGER
) STRICT;
-- OIDC-only users may have no username, local users no subject: only
-- non-empty values must be unique.
CREATE UNIQUE INDEX users_username ON users(username) WHERE username <> '';
CREATE UNIQUE INDEX users_subject ON users(issuer, subject) WHERE subject <> '';

CREATE TABLE clients (
	id                  TEXT PRIMARY KEY,
	name                TEXT NOT NULL DEFAULT '',
	redirect_uris       TEXT NOT NULL DEFAULT '[]',
	grant_types         TEXT NOT NULL DEFAULT '[]',
	response_types      TEXT NOT NULL DEFAULT '[]',
	scope               TEXT NOT NULL DEFAULT '',
	auth_method         TEXT NOT NULL DEFAULT '',
	secret_hash         TEXT NOT NULL DEFAULT '',
	client_uri          TEXT NOT NULL DEFAULT '',
	logo_uri            TEXT NOT NULL DEFAULT '',
	software_id         TEXT NOT NULL DEFAULT '',
	software_version    TEXT NOT NULL DEFAULT '',
	application_type    TEXT NOT NULL DEFAULT '',
	metadata_url        TEXT NOT NULL DEFAULT '',
	metadata_expires_at INTEGER,
	registered_from     TEXT NOT NULL DEFAULT '',
	created_at          INTEGER,
	last_used_at        INTEGER
) STRICT;
-- CountClientsFrom (registration rate limit) and DeleteStaleClients.
CREATE INDEX clients_registered_from ON clients(registered_from, created_at);
CREATE INDEX clients_stale ON clients(created_at) WHERE last_used_at IS NULL;

CREATE TABLE approvals (
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id   TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	scopes      TEXT NOT NULL DEFAULT '[]',
	connections TEXT NOT NULL DEFAULT '[]',
	created_at  INTEGER,
	updated_at  INTEGER,
	PRIMARY KEY (user_id, client_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX approvals_client ON approvals(client_id);

CREATE TABLE auth_codes (
	hash         TEXT PRIMARY KEY,
	client_id    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	redirect_uri TEXT NOT NULL DEFAULT '',
	challenge    TEXT NOT NULL DEFAULT '',
	scopes       TEXT NOT NULL DEFAULT '[]',
	resource     TEXT NOT NULL DEFAULT '',
	connections  TEXT NOT NULL DEFAULT '[]',
	created_at   INTEGER,
	expires_at   INTEGER,
	used_at      INTEGER,
	-- The grant the code was redeemed for. No foreign key: it is set in the
	-- same transaction, just before the grant row is inserted.
	grant_id     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX auth_codes_client ON auth_codes(client_id);
CREATE INDEX auth_codes_user ON auth_codes(user_id);
CREATE INDEX auth_codes_expires ON auth_codes(expires_at);

CREATE TABLE grants (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id   TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	scopes      TEXT NOT NULL DEFAULT '[]',
	resource    TEXT NOT NULL DEFAULT '',
	connections TEXT NOT NULL DEFAULT '[]',
	created_at  INTEGER,
	revoked_at  INTEGER
) STRICT;
CREATE INDEX grants_user ON grants(user_id, created_at, id);
CREATE INDEX grants_client ON grants(client_id, user_id);

CREATE TABLE tokens (
	hash        TEXT PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
	grant_id    TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	-- The refresh token this one was rotated from. No foreign key: an
	-- expired parent is deleted while its children live on.
	parent_hash TEXT NOT NULL DEFAULT '',
	created_at  INTEGER,
	expires_at  INTEGER,
	used_at     INTEGER,
	revoked_at  INTEGER
) STRICT;
CREATE INDEX tokens_grant ON tokens(grant_id);
CREATE INDEX tokens_parent ON tokens(parent_hash, kind);
CREATE INDEX tokens_expires ON tokens(expires_at);

CREATE TABLE connections (
	id                 TEXT PRIMARY KEY,
	user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	vendor             TEXT NOT NULL,
	account_id         TEXT NOT NULL DEFAULT '',
	label              TEXT NOT NULL DEFAULT '',
	auth_kind          TEXT NOT NULL DEFAULT '',
	-- The vendor secret, sealed (AES-256-GCM) under secret_key_id with the
	-- additional data id || 0x00 || user_id. Never plaintext.
	secret_key_id      TEXT NOT NULL,
	secret             BLOB NOT NULL,
	access_expires_at  INTEGER,
	refresh_expires_at INTEGER,
	status             TEXT NOT NULL DEFAULT '',
	last_error         TEXT NOT NULL DEFAULT '',
	version            INTEGER NOT NULL,
	created_at         INTEGER,
	updated_at         INTEGER,
	UNIQUE (user_id, vendor, account_id)
) STRICT;
CREATE INDEX connections_expiring ON connections(status, access_expires_at, id);

CREATE TABLE browser_sessions (
	hash       TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER,
	expires_at INTEGER
) STRICT;
CREATE INDEX browser_sessions_user ON browser_sessions(user_id);
CREATE INDEX browser_sessions_expires ON browser_sessions(expires_at);

-- Audit events outlive the users they name: no foreign key.
CREATE TABLE audit_events (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER,
	user_id   TEXT NOT NULL DEFAULT '',
	client_id TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_events_user ON audit_events(user_id, at, id);
