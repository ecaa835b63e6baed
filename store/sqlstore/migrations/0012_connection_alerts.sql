-- 0012: alerts to hosts whose vendor connection needs them. A row is one
-- process's claim on telling the host about the connection's current
-- episode (from being marked needs_reauth until it works again); among
-- processes sharing this file, the one that inserts (or takes over) the row
-- sends the alert. The row stays, finished, until the episode ends.
CREATE TABLE connection_alerts (
	connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
	-- Identifies the episode's alert; a takeover keeps it.
	episode     TEXT NOT NULL,
	owner       TEXT NOT NULL,
	claims      INTEGER NOT NULL DEFAULT 1,
	claimed_at  INTEGER NOT NULL,
	-- An unfinished claim past its lease was abandoned (its process
	-- stopped) and may be taken over.
	lease_until INTEGER NOT NULL,
	-- '' while the alert is being sent; then 'sent' or 'failed'.
	outcome     TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'sent', 'failed')),
	finished_at INTEGER
) STRICT, WITHOUT ROWID;

-- The episode ends when the connection is written with any status but
-- needs_reauth (a reconnect, a renewal, a key back in the keyring): its
-- claim goes in the same transaction, whichever code path wrote the row,
-- so the next time it breaks is alerted again.
CREATE TRIGGER connection_alerts_episode_end AFTER UPDATE OF status ON connections
WHEN NEW.status <> 'needs_reauth'
BEGIN
	DELETE FROM connection_alerts WHERE connection_id = NEW.id;
END;

-- The alert loop's query: connections needing their host, longest first.
-- Partial: it holds only those.
CREATE INDEX connections_needs_host ON connections(status, updated_at, id)
	WHERE status = 'needs_reauth';
