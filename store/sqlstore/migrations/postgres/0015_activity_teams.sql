-- 0015: a team's activity (PostgreSQL; the same change as
-- migrations/0015_activity_teams.sql, which explains it).
CREATE TABLE activity_teams (
	team_id  TEXT COLLATE "C" NOT NULL,
	at       BIGINT NOT NULL,
	event_id BIGINT NOT NULL REFERENCES audit_events(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, at, event_id)
);
CREATE INDEX activity_teams_event ON activity_teams(event_id);
