--
-- Purging expired sessions, in short batches along sessions_purge_after_idx.
--
-- Candidates are the rows whose purge_after, a lower bound of expire_date,
-- has passed.  Each batch covers the next range of purge_after values, from
-- the end of the last one (keyset pagination: never from the start of the
-- index again, where the entries of the rows deleted so far stay until
-- vacuum and cannot be marked dead while this transaction is open) to the
-- batch_size-th candidate, found by an index-only scan; a range holds every
-- row of the values it covers, however many share one.  One DELETE per
-- range removes the rows whose expire_date has passed, re-checking it on
-- the row it deletes: a session touched or replaced meanwhile survives.
-- Live candidates are then "re-armed" (purge_after = expire_date) so that
-- later purges do not walk them again: the cost of a purge follows the
-- number of expired rows, not the size of the table.  A re-arm is a
-- non-HOT update that costs as much as 15 to 30 deletes, so a call re-arms
-- at most batch_size rows, and skips rows that requests hold.
-- bench/purge.sh measures the design.
--
-- A function runs in one transaction: the rows deleted stay locked, and
-- the xmin horizon held, until the caller commits.  Requests seldom write
-- expired rows; a save of a live row that was re-armed waits for the end
-- of the purge's transaction.  Nor can a function flush its WAL (mostly
-- full-page images after a checkpoint, about 0.5 kB per row deleted): the
-- commits of concurrent requests flush it for it, which is what slows them
-- while a purge runs.
--
-- One purge at a time per database: a second one returns 0 at once.  The
-- lock is pg_try_advisory_xact_lock(8315179226536832624), that is
-- 0x73657373696F6E70, "sessionp" in ASCII; hold it to keep purges out.
--
-- One batch: delete the expired rows among the next batch_size candidates
-- after "after"; returns where the batch ended (started: the last batch).
CREATE FUNCTION @extschema@._purge_batch(after timestamptz, started timestamptz, batch_size integer,
										 OUT upto timestamptz, OUT deleted bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the batch_size-th candidate after "after", or none: the last batch
	SELECT s.purge_after INTO upto
	FROM session.sessions AS s
	WHERE s.purge_after OPERATOR(pg_catalog.>) after
	  AND s.purge_after OPERATOR(pg_catalog.<=) started
	ORDER BY s.purge_after
	OFFSET batch_size OPERATOR(pg_catalog.-) 1 LIMIT 1;
	upto := coalesce(upto, started);

	DELETE FROM session.sessions AS s
	WHERE s.purge_after OPERATOR(pg_catalog.>) after
	  AND s.purge_after OPERATOR(pg_catalog.<=) upto
	  AND s.expire_date OPERATOR(pg_catalog.<=) started;
	GET DIAGNOSTICS deleted = ROW_COUNT;
END
$$;
COMMENT ON FUNCTION @extschema@._purge_batch(timestamptz, timestamptz, integer) IS
'internal: one batch of the purge along sessions_purge_after_idx';
REVOKE ALL ON FUNCTION @extschema@._purge_batch(timestamptz, timestamptz, integer) FROM PUBLIC;

-- Re-arm the first live candidates up to "upto", leaving alone those a
-- request is writing.
CREATE FUNCTION @extschema@._purge_rearm(upto timestamptz, started timestamptz, batch_size integer)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE session.sessions AS s
	SET purge_after = s.expire_date
	WHERE s.key_hash OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT c.key_hash FROM session.sessions AS c
			WHERE c.purge_after OPERATOR(pg_catalog.<=) $1
			  AND c.expire_date OPERATOR(pg_catalog.>) $2
			ORDER BY c.purge_after
			LIMIT $3
			FOR NO KEY UPDATE SKIP LOCKED))
	  AND s.purge_after OPERATOR(pg_catalog.<=) $1
	  AND s.expire_date OPERATOR(pg_catalog.>) $2
$$;
COMMENT ON FUNCTION @extschema@._purge_rearm(timestamptz, timestamptz, integer) IS
'internal: re-arm (purge_after = expire_date) live candidates the purge walked';
REVOKE ALL ON FUNCTION @extschema@._purge_rearm(timestamptz, timestamptz, integer) FROM PUBLIC;

CREATE FUNCTION @extschema@.purge_expired(batch_size integer DEFAULT 1000,
										  time_budget interval DEFAULT '10 seconds')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- a session is purged if it had expired when the purge started
	started timestamptz := clock_timestamp();
	after timestamptz := '-infinity';
	upto timestamptz;
	n bigint;
	deleted bigint := 0;
BEGIN
	IF batch_size IS NULL THEN
		RAISE EXCEPTION 'batch_size must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF time_budget IS NULL THEN
		RAISE EXCEPTION 'time_budget must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF batch_size OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'batch_size must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF time_budget OPERATOR(pg_catalog.<) '0'::interval THEN
		RAISE EXCEPTION 'time_budget must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT pg_try_advisory_xact_lock(8315179226536832624) THEN
		RETURN 0;				-- another purge is running
	END IF;

	LOOP
		SELECT b.upto, b.deleted INTO upto, n
		FROM session._purge_batch(after, started, batch_size) AS b;
		deleted := deleted OPERATOR(pg_catalog.+) n;

		-- Past the budget, go on until something is deleted: 0 means that
		-- nothing expired is left.
		EXIT WHEN upto OPERATOR(pg_catalog.=) started
			   OR (deleted OPERATOR(pg_catalog.>) 0
				   AND clock_timestamp() OPERATOR(pg_catalog.-) started OPERATOR(pg_catalog.>=) time_budget);
		after := upto;
	END LOOP;

	PERFORM session._purge_rearm(upto, started, batch_size);

	IF deleted OPERATOR(pg_catalog.>) 0 THEN
		PERFORM session._notify('purged', NULL, NULL, deleted);
	END IF;
	RETURN deleted;
END
$$;
COMMENT ON FUNCTION @extschema@.purge_expired(integer, interval) IS
'delete expired sessions in batches of batch_size until none is left, or time_budget has passed and some were; returns how many (0: none left, or another purge is running)';
REVOKE ALL ON FUNCTION @extschema@.purge_expired(integer, interval) FROM PUBLIC;
