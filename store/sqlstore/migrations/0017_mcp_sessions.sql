-- 0017: legacy MCP sessions (clients before protocol 2026-07-28 carry
-- Mcp-Session-Id), so that any process on the database serves any session
-- and a restart loses none. The id is stored only as its SHA-256 hash;
-- client holds what the client declared at initialize (capabilities,
-- client info, protocol version: no secret), as JSON. last_used_at is
-- written at most every few minutes per session, not on every call: it
-- decides the idle sweep and which session a grant over its cap loses.
CREATE TABLE mcp_sessions (
	hash         TEXT PRIMARY KEY,
	grant_id     TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	client       BLOB,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX mcp_sessions_grant ON mcp_sessions(grant_id, last_used_at);
CREATE INDEX mcp_sessions_used ON mcp_sessions(last_used_at);
