-- 0001: hostgate's initial schema (PostgreSQL; the same change as
-- migrations/0001_init.sql).
--
-- Times are BIGINT unix nanoseconds in UTC, NULL for "not set".
-- String lists are JSON arrays in TEXT columns.
-- Codes, tokens, client secrets and session ids appear only as SHA-256 hex.
-- Ids, hashes and the names lists are sorted by are COLLATE "C": compared
-- and ordered byte by byte, as SQLite does, whatever the database's locale.

CREATE TABLE users (
	id            TEXT COLLATE "C" PRIMARY KEY,
	username      TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	issuer        TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	created_at    BIGINT
);
-- OIDC-only users may have no username, local users no subject: only
-- non-empty values must be unique.
CREATE UNIQUE INDEX users_username ON users(username) WHERE username <> '';
CREATE UNIQUE INDEX users_subject ON users(issuer, subject) WHERE subject <> '';

CREATE TABLE clients (
	id                  TEXT COLLATE "C" PRIMARY KEY,
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
	metadata_expires_at BIGINT,
	registered_from     TEXT NOT NULL DEFAULT '',
	created_at          BIGINT,
	last_used_at        BIGINT
);
-- CountClientsFrom (registration rate limit) and DeleteStaleClients.
CREATE INDEX clients_registered_from ON clients(registered_from, created_at);
CREATE INDEX clients_stale ON clients(created_at) WHERE last_used_at IS NULL;

CREATE TABLE approvals (
	user_id     TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id   TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	scopes      TEXT NOT NULL DEFAULT '[]',
	connections TEXT NOT NULL DEFAULT '[]',
	created_at  BIGINT,
	updated_at  BIGINT,
	PRIMARY KEY (user_id, client_id)
);
CREATE INDEX approvals_client ON approvals(client_id);

CREATE TABLE auth_codes (
	hash         TEXT COLLATE "C" PRIMARY KEY,
	client_id    TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	redirect_uri TEXT NOT NULL DEFAULT '',
	challenge    TEXT NOT NULL DEFAULT '',
	scopes       TEXT NOT NULL DEFAULT '[]',
	resource     TEXT NOT NULL DEFAULT '',
	connections  TEXT NOT NULL DEFAULT '[]',
	created_at   BIGINT,
	expires_at   BIGINT,
	used_at      BIGINT,
	-- The grant the code was redeemed for. No foreign key: it is set in the
	-- same transaction, just before the grant row is inserted.
	grant_id     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX auth_codes_client ON auth_codes(client_id);
CREATE INDEX auth_codes_user ON auth_codes(user_id);
CREATE INDEX auth_codes_expires ON auth_codes(expires_at);

CREATE TABLE grants (
	id          TEXT COLLATE "C" PRIMARY KEY,
	user_id     TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id   TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	scopes      TEXT NOT NULL DEFAULT '[]',
	resource    TEXT NOT NULL DEFAULT '',
	connections TEXT NOT NULL DEFAULT '[]',
	created_at  BIGINT,
	revoked_at  BIGINT
);
CREATE INDEX grants_user ON grants(user_id, created_at, id);
CREATE INDEX grants_client ON grants(client_id, user_id);

CREATE TABLE tokens (
	hash        TEXT COLLATE "C" PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
	grant_id    TEXT COLLATE "C" NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	-- The refresh token this one was rotated from. No foreign key: an
	-- expired parent is deleted while its children live on.
	parent_hash TEXT COLLATE "C" NOT NULL DEFAULT '',
	created_at  BIGINT,
	expires_at  BIGINT,
	used_at     BIGINT,
	revoked_at  BIGINT
);
CREATE INDEX tokens_grant ON tokens(grant_id);
CREATE INDEX tokens_parent ON tokens(parent_hash, kind);
CREATE INDEX tokens_expires ON tokens(expires_at);

CREATE TABLE connections (
	id                 TEXT COLLATE "C" PRIMARY KEY,
	user_id            TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	vendor             TEXT COLLATE "C" NOT NULL,
	account_id         TEXT NOT NULL DEFAULT '',
	label              TEXT COLLATE "C" NOT NULL DEFAULT '',
	auth_kind          TEXT NOT NULL DEFAULT '',
	-- The vendor secret, sealed (AES-256-GCM) under secret_key_id with the
	-- additional data id || 0x00 || user_id. Never plaintext.
	secret_key_id      TEXT NOT NULL,
	secret             BYTEA NOT NULL,
	access_expires_at  BIGINT,
	refresh_expires_at BIGINT,
	status             TEXT COLLATE "C" NOT NULL DEFAULT '',
	last_error         TEXT NOT NULL DEFAULT '',
	version            BIGINT NOT NULL,
	created_at         BIGINT,
	updated_at         BIGINT,
	UNIQUE (user_id, vendor, account_id)
);
CREATE INDEX connections_expiring ON connections(status, access_expires_at, id);

CREATE TABLE browser_sessions (
	hash       TEXT COLLATE "C" PRIMARY KEY,
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT,
	expires_at BIGINT
);
CREATE INDEX browser_sessions_user ON browser_sessions(user_id);
CREATE INDEX browser_sessions_expires ON browser_sessions(expires_at);

-- Audit events outlive the users they name: no foreign key.
CREATE TABLE audit_events (
	id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	at        BIGINT,
	user_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
	client_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	kind      TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_user ON audit_events(user_id, at, id);
