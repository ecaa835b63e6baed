-- 0016: renewal leases (PostgreSQL; the same change as
-- migrations/0016_connection_renewals.sql, which explains it).
CREATE TABLE connection_renewals (
	connection_id TEXT COLLATE "C" PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
	owner         TEXT NOT NULL,
	version       BIGINT NOT NULL,
	lease_until   BIGINT NOT NULL
);
