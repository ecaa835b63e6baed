-- 0004: writes an app asks for on a host's behalf (PostgreSQL; the same
-- change as migrations/0004_drafts.sql, which explains it).
ALTER TABLE approvals ADD COLUMN write_policy TEXT NOT NULL DEFAULT 'ask'
	CHECK (write_policy IN ('ask', 'drafts', 'act'));

CREATE TABLE drafts (
	id         TEXT COLLATE "C" PRIMARY KEY,
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id  TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	-- No foreign key: a draft is the host's record and outlives its grant.
	grant_id   TEXT COLLATE "C" NOT NULL,
	tool       TEXT NOT NULL DEFAULT '',
	-- The tool's input and the vendor's answer, JSON, kept byte for byte.
	args       BYTEA NOT NULL DEFAULT ''::bytea,
	key        TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL
		CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'discarded')),
	via        TEXT NOT NULL DEFAULT '',
	result     BYTEA NOT NULL DEFAULT ''::bytea,
	error      TEXT NOT NULL DEFAULT '',
	created_at BIGINT,
	updated_at BIGINT
);
CREATE INDEX drafts_find ON drafts(grant_id, key, created_at, id);
CREATE INDEX drafts_list ON drafts(user_id, client_id, created_at, id);
CREATE INDEX drafts_client ON drafts(client_id);
