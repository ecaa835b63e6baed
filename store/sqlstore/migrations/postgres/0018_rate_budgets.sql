-- 0018: shared rate budgets (PostgreSQL; the same table as
-- migrations/0018_rate_budgets.sql, which explains it), and rate_take,
-- which takes room for one request in every limit it spends, all or
-- nothing, in one round trip.
CREATE TABLE rate_counts (
	name    TEXT COLLATE "C" NOT NULL,
	slot    BIGINT NOT NULL,
	hits    INTEGER NOT NULL,
	ends_at BIGINT NOT NULL,
	PRIMARY KEY (name, slot)
);

-- rate_take counts one request, at p_now (unix nanoseconds), against every
-- limit i (name p_names[i], at most p_n[i] in any ten slots of p_slot[i]
-- nanoseconds) if each has room, and returns 0; else it counts nothing and
-- returns the nanoseconds until all have room.
--
-- Under READ COMMITTED two takes could both read room and both count. So
-- each take first locks its names (transaction advisory locks, class
-- 0x68670003 = "hg" 3, on a hash of the schema and the name; in hash order,
-- so that two takes never wait for each other in a cycle), and reads only
-- after: every statement of this VOLATILE function reads a fresh snapshot,
-- which holds the commit of the lock's previous holder (its locks go after
-- its commit is visible). The locks end with the statement's transaction:
-- call it alone, outside an explicit transaction.
--
-- Slots ahead of p_now (a replica whose clock runs ahead) count too: a
-- fast clock never lets a slow one admit more.
CREATE FUNCTION rate_take(p_names TEXT[], p_n INTEGER[], p_slot BIGINT[], p_now BIGINT)
RETURNS BIGINT
LANGUAGE plpgsql
AS $$
DECLARE
	h       INTEGER;
	i       INTEGER;
	s       BIGINT;
	used    BIGINT;
	w       BIGINT;
	r       RECORD;
	longest BIGINT := 0;
BEGIN
	-- A count is worth less than the wait for its commit's flush to disk:
	-- a server crash loses at most the last fraction of a second of
	-- counts, where vendor 429s take over. Transaction-local; a caller's
	-- own transaction, if any, commits the same way.
	PERFORM set_config('synchronous_commit', 'off', true);
	FOR h IN SELECT DISTINCT hashtext(current_schema() || ' ' || x) FROM unnest(p_names) AS x ORDER BY 1 LOOP
		PERFORM pg_advisory_xact_lock(1751580675, h);
	END LOOP;
	FOR i IN 1 .. cardinality(p_names) LOOP
		s := p_now / p_slot[i];
		SELECT coalesce(sum(hits), 0) INTO used FROM rate_counts
			WHERE name = p_names[i] AND slot > s - 11;
		CONTINUE WHEN used < p_n[i];
		-- Full: slots leave the window oldest first; slot k leaves at the
		-- start of slot k + 11.
		w := 10 * p_slot[i];
		FOR r IN SELECT slot, hits FROM rate_counts
			WHERE name = p_names[i] AND slot > s - 11 AND slot <= s ORDER BY slot LOOP
			used := used - r.hits;
			IF used < p_n[i] THEN
				w := (r.slot + 11) * p_slot[i] - p_now;
				EXIT;
			END IF;
		END LOOP;
		longest := greatest(longest, w);
	END LOOP;
	IF longest > 0 THEN
		RETURN longest;
	END IF;
	FOR i IN 1 .. cardinality(p_names) LOOP
		s := p_now / p_slot[i];
		INSERT INTO rate_counts AS c (name, slot, hits, ends_at)
			VALUES (p_names[i], s, 1, (s + 11) * p_slot[i])
			ON CONFLICT (name, slot) DO UPDATE SET hits = c.hits + 1;
	END LOOP;
	RETURN 0;
END
$$;
