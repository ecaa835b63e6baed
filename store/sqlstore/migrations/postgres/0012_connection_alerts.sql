-- 0012: alerts to hosts whose vendor connection needs them (PostgreSQL;
-- the same change as migrations/0012_connection_alerts.sql, which explains
-- it). Among processes sharing this database, the one that inserts (or
-- takes over) a connection's row sends the alert.
CREATE TABLE connection_alerts (
	connection_id TEXT COLLATE "C" PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
	episode     TEXT NOT NULL,
	owner       TEXT NOT NULL,
	claims      INTEGER NOT NULL DEFAULT 1,
	claimed_at  BIGINT NOT NULL,
	lease_until BIGINT NOT NULL,
	outcome     TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'sent', 'failed')),
	finished_at BIGINT
);

-- The episode ends when the connection is written with any status but
-- needs_reauth: its claim goes in the same transaction, whichever code
-- path wrote the row. SQLite's trigger body is this function's. Its
-- search_path is the one it was created under, so that it finds this
-- schema's table whatever the session's path.
CREATE FUNCTION connection_alerts_episode_end() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	DELETE FROM connection_alerts WHERE connection_id = NEW.id;
	RETURN NULL;
END;
$$;

CREATE TRIGGER connection_alerts_episode_end AFTER UPDATE OF status ON connections
FOR EACH ROW WHEN (NEW.status <> 'needs_reauth')
EXECUTE FUNCTION connection_alerts_episode_end();

-- The alert loop's query: connections needing their host, longest first.
CREATE INDEX connections_needs_host ON connections(status, updated_at, id)
	WHERE status = 'needs_reauth';
