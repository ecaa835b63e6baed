-- 0013: limits a host sets on an app it approved, finer than its scopes:
-- the tools it may call (tools, a JSON array of names; '[]' means every
-- tool its scopes allow), the properties it may see and act on
-- (properties, vendor-qualified ids; '[]' means every property of the
-- shared accounts) and when its access ends (until; NULL for never).
--
-- One row per approval, and only for an app the host limited. The row
-- hangs on the approval: revoking the app (which deletes the approval)
-- deletes its limits, while approving it again (an upsert of the same row)
-- keeps them, as it keeps the write policy.
CREATE TABLE app_limits (
	user_id    TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	tools      TEXT NOT NULL DEFAULT '[]',
	properties TEXT NOT NULL DEFAULT '[]',
	until      INTEGER,
	updated_at INTEGER,
	PRIMARY KEY (user_id, client_id),
	FOREIGN KEY (user_id, client_id) REFERENCES approvals (user_id, client_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
