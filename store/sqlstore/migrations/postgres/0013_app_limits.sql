-- 0013: limits a host sets on an app it approved (PostgreSQL; the same
-- change as migrations/0013_app_limits.sql, which explains it). The row
-- hangs on the approval and goes with it.
CREATE TABLE app_limits (
	user_id    TEXT COLLATE "C" NOT NULL,
	client_id  TEXT COLLATE "C" NOT NULL,
	tools      TEXT NOT NULL DEFAULT '[]',
	properties TEXT NOT NULL DEFAULT '[]',
	until      BIGINT,
	updated_at BIGINT,
	PRIMARY KEY (user_id, client_id),
	FOREIGN KEY (user_id, client_id) REFERENCES approvals (user_id, client_id) ON DELETE CASCADE
);
