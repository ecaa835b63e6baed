-- 0017: legacy MCP sessions (PostgreSQL; the same change as
-- migrations/0017_mcp_sessions.sql, which explains it).
CREATE TABLE mcp_sessions (
	hash         TEXT COLLATE "C" PRIMARY KEY,
	grant_id     TEXT COLLATE "C" NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	client       BYTEA,
	created_at   BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL
);
CREATE INDEX mcp_sessions_grant ON mcp_sessions(grant_id, last_used_at);
CREATE INDEX mcp_sessions_used ON mcp_sessions(last_used_at);
