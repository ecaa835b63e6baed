-- 0009: users an operator manages from the command line (PostgreSQL; the
-- same change as migrations/0009_user_admin.sql).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
