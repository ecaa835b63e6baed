-- 0010: teams (PostgreSQL; the same change as migrations/0010_teams.sql,
-- which explains it).
CREATE TABLE teams (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT COLLATE "C" NOT NULL,
	created_at BIGINT
);

CREATE TABLE team_members (
	team_id  TEXT COLLATE "C" NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	user_id  TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role     TEXT NOT NULL CHECK (role IN ('owner', 'member')),
	added_at BIGINT,
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id, team_id);

CREATE TABLE team_invites (
	hash       TEXT COLLATE "C" PRIMARY KEY,
	team_id    TEXT COLLATE "C" NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('owner', 'member')),
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT,
	expires_at BIGINT,
	used_at    BIGINT,
	used_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX team_invites_team ON team_invites(team_id, created_at);
CREATE INDEX team_invites_expires ON team_invites(expires_at);

ALTER TABLE connections ADD COLUMN team_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE UNIQUE INDEX connections_team_account ON connections(team_id, vendor, account_id) WHERE team_id <> '';

ALTER TABLE connect_states ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
