-- 0018: the vendors' rate limits that count per account, shared by every
-- process on the database (store.RateBudgets). A limit of N requests in
-- any Per is counted in ten slots of Per/10 under a name (vendor, limit,
-- account hash; never a token): one row per name and slot (the slot's
-- number, unix nanoseconds / slot length) holding the requests taken in
-- it. A window's count is its slot and the ten before it; ends_at is when
-- the slot leaves the last window that holds it, after which the sweep
-- deletes the row.
--
-- SQLite has one process per file: its single writer makes a take atomic,
-- and hostgate on SQLite counts its budgets in memory anyway. The table is
-- here so that both databases hold the same schema and pass the same
-- tests.
CREATE TABLE rate_counts (
	name    TEXT NOT NULL,
	slot    INTEGER NOT NULL,
	hits    INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	PRIMARY KEY (name, slot)
) STRICT, WITHOUT ROWID;
