-- 0014: the activity log (PostgreSQL; the same change as
-- migrations/0014_activity.sql, which explains it). No secret is ever
-- stored here.
ALTER TABLE audit_events ADD COLUMN app_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN tool     TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN accounts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN outcome  TEXT NOT NULL DEFAULT '';
-- nanoseconds
ALTER TABLE audit_events ADD COLUMN duration BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN facts    TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN text     TEXT NOT NULL DEFAULT '';
-- the write's draft id
ALTER TABLE audit_events ADD COLUMN ref      TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET at = 0 WHERE at IS NULL;
CREATE INDEX audit_events_at ON audit_events(at);
