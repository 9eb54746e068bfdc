
/*
 * Scheduling: one pg_cron job per project (feast_schedule), whose command
 * materializes each online feature view of the project in a transaction of
 * its own and records failures (feast_materialize_scheduled), and the
 * freshness of every online feature view. Everything that writes is revoked
 * from PUBLIC.
 */

-- A procedure, so that it can commit after each feature view; without a SET
-- clause (a procedure with one cannot commit), which is why it is C: every
-- statement it runs is schema-qualified SQL text.
CREATE PROCEDURE @extschema@.feast_materialize_scheduled(project text DEFAULT NULL)
AS 'MODULE_PATHNAME', 'ofs_feast_materialize_scheduled'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.feast_materialize_scheduled(text) IS 'the command of a feast_schedule job: materializes each online feature view of the project incrementally in its own transaction, records failures in feast.materialization_runs, and ends in an error naming the failed views';
REVOKE ALL ON PROCEDURE @extschema@.feast_materialize_scheduled(text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_schedule(schedule text DEFAULT '*/15 * * * *', project text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ofs_feast_schedule'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_schedule(text, text) IS 'creates or updates the pg_cron job feast_materialize:<project>, run as the current user in the current database, that calls feast_materialize_scheduled(project); returns the job id';
REVOKE ALL ON FUNCTION @extschema@.feast_schedule(text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_unschedule(project text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ofs_feast_unschedule'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_unschedule(text) IS 'removes the current user''s pg_cron job feast_materialize:<project> of the current database; false if there is none';
REVOKE ALL ON FUNCTION @extschema@.feast_unschedule(text) FROM PUBLIC;

-- The runs table also holds the failures of the schedule's command.
COMMENT ON TABLE feast.materialization_runs IS 'one row per committed materialization of one feature view, and one per feature view that failed in feast_materialize_scheduled (status failed, with its error)';

/*
 * One row per online feature view: how far it is materialized, and how its
 * last run went. security_invoker: read with the reader's privileges (the
 * registry is readable by PUBLIC). The newest run is the one with the
 * greatest run_id (materialization_runs_view_idx serves it).
 */
CREATE VIEW feast.feature_view_freshness WITH (security_invoker = true) AS
SELECT v.project,
	   v.name AS feature_view,
	   i.materialized_until,
	   pg_catalog.now() OPERATOR(pg_catalog.-) i.materialized_until AS lag,
	   r.started_at AS last_run_at,
	   r.status AS last_status,
	   r.error AS last_error
FROM feast.feature_views v
LEFT JOIN LATERAL (
	SELECT pg_catalog.max(mi.end_date) AS materialized_until
	FROM feast.materialization_intervals mi
	WHERE mi.project OPERATOR(pg_catalog.=) v.project
	  AND mi.feature_view OPERATOR(pg_catalog.=) v.name) i ON true
LEFT JOIN LATERAL (
	SELECT mr.started_at, mr.status, mr.error
	FROM feast.materialization_runs mr
	WHERE mr.project OPERATOR(pg_catalog.=) v.project
	  AND mr.feature_view OPERATOR(pg_catalog.=) v.name
	ORDER BY mr.run_id DESC
	LIMIT 1) r ON true
WHERE v.online;
COMMENT ON VIEW feast.feature_view_freshness IS 'one row per online feature view: the end of its last materialization, how old that is, and its last run (successful or failed)';
COMMENT ON COLUMN feast.feature_view_freshness.materialized_until IS 'end_date of the last successful materialization (NULL: never materialized)';
COMMENT ON COLUMN feast.feature_view_freshness.lag IS 'now() - materialized_until';
COMMENT ON COLUMN feast.feature_view_freshness.last_run_at IS 'started_at of the newest run in feast.materialization_runs';
COMMENT ON COLUMN feast.feature_view_freshness.last_status IS 'succeeded or failed';
COMMENT ON COLUMN feast.feature_view_freshness.last_error IS 'the error of the newest run, when it failed';
GRANT SELECT ON feast.feature_view_freshness TO PUBLIC;
