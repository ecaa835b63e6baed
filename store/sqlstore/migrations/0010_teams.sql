-- 0010: teams. A team owns vendor connections its members use through
-- their own approved apps. A connection with team_id '' is its user's own
-- (a host with no team is a team of one, and nothing changes for them);
-- user_id stays the host who connected it, because the sealed secret is
-- bound to (id, user_id).
CREATE TABLE teams (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at INTEGER
) STRICT;

CREATE TABLE team_members (
	team_id  TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role     TEXT NOT NULL CHECK (role IN ('owner', 'member')),
	added_at INTEGER,
	PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;
-- A host's teams (ListTeams, and ListConnections' team part).
CREATE INDEX team_members_user ON team_members(user_id, team_id);

-- Invitations: single-use links; only the link's hash is kept.
CREATE TABLE team_invites (
	hash       TEXT PRIMARY KEY,
	team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('owner', 'member')),
	created_by TEXT NOT NULL DEFAULT '',
	created_at INTEGER,
	expires_at INTEGER,
	used_at    INTEGER,
	used_by    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX team_invites_team ON team_invites(team_id, created_at);
CREATE INDEX team_invites_expires ON team_invites(expires_at);

ALTER TABLE connections ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
-- One connection per vendor account within a team.
CREATE UNIQUE INDEX connections_team_account ON connections(team_id, vendor, account_id) WHERE team_id <> '';

-- A vendor OAuth flow started for a team creates the team's connection.
ALTER TABLE connect_states ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
