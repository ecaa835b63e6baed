-- 0015: a team's activity. An event that touched a team's vendor accounts
-- (a member's app reading or writing through them, an owner connecting
-- one) is listed for that team too, so its owners see what every member's
-- apps did with the team's accounts. One row per (team, event); it goes
-- with its event (retention included).
CREATE TABLE activity_teams (
	team_id  TEXT NOT NULL,
	at       INTEGER NOT NULL,
	event_id INTEGER NOT NULL REFERENCES audit_events(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, at, event_id)
) STRICT, WITHOUT ROWID;
-- The cascade from audit_events finds a row by its event.
CREATE INDEX activity_teams_event ON activity_teams(event_id);
