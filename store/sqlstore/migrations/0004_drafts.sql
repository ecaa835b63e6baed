-- 0004: writes an app asks for on a host's behalf.
--
-- Each approval gets the host's write policy: 'ask' (the default, and what
-- every approval made before this migration gets), 'drafts' or 'act'.
-- SQLite checks a CHECK added by ALTER TABLE against the existing rows, so
-- the default must (and does) pass it.
--
-- Every write is recorded as a draft, whichever way it was confirmed, so
-- that a repeated call acts at most once. Drafts are the host's record:
-- expiry never deletes them; they go only with their user or client.
ALTER TABLE approvals ADD COLUMN write_policy TEXT NOT NULL DEFAULT 'ask'
	CHECK (write_policy IN ('ask', 'drafts', 'act'));

CREATE TABLE drafts (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	-- The grant the write was asked for under: the scope in which a
	-- repeated call is found. No foreign key: a draft is the record of what
	-- was (or would have been) sent to a guest or vendor and must outlive
	-- its grant should revoked grants ever be swept. A grant goes with its
	-- user or client, and so, through the keys above, do its drafts.
	grant_id   TEXT NOT NULL,
	tool       TEXT NOT NULL DEFAULT '',
	-- The tool's input and the vendor's answer, JSON, kept byte for byte.
	args       BLOB NOT NULL DEFAULT x'',
	key        TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL
		CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'discarded')),
	via        TEXT NOT NULL DEFAULT '',
	result     BLOB NOT NULL DEFAULT x'',
	error      TEXT NOT NULL DEFAULT '',
	created_at INTEGER,
	updated_at INTEGER
) STRICT;
-- FindDraft (a repeated call within a grant) and ListDrafts (the host's
-- drafts through one client, newest first).
CREATE INDEX drafts_find ON drafts(grant_id, key, created_at, id);
CREATE INDEX drafts_list ON drafts(user_id, client_id, created_at, id);
-- Deleting a client cascades here (a user's deletion uses drafts_list).
CREATE INDEX drafts_client ON drafts(client_id);
