-- 0014: the activity log. audit_events grows into each host's record of
-- what happened on their behalf: besides the security events it held, every
-- tool call an app made (the tool, the app's name at the time, the vendor
-- accounts touched, how it ended and how long it took) and, for a write,
-- what it wrote, in plain words. Every existing row is kept; the new
-- columns default to empty. Lists are JSON arrays (accounts: objects with
-- id, vendor, label; facts: objects with label, value). No secret is ever
-- stored here.
ALTER TABLE audit_events ADD COLUMN app_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN tool     TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN accounts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN outcome  TEXT NOT NULL DEFAULT '';
-- nanoseconds
ALTER TABLE audit_events ADD COLUMN duration INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN facts    TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN text     TEXT NOT NULL DEFAULT '';
-- the write's draft id
ALTER TABLE audit_events ADD COLUMN ref      TEXT NOT NULL DEFAULT '';
-- The log's pages walk (user_id, at, id) backwards (audit_events_user);
-- an event without a time would fall outside every page, so the few a
-- caller may have written without one count as the oldest.
UPDATE audit_events SET at = 0 WHERE at IS NULL;
-- The retention sweep deletes by age alone, across hosts.
CREATE INDEX audit_events_at ON audit_events(at);
