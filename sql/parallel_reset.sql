-- End of the feast_historical tests' parallel pass (see parallel.sql):
-- back to the defaults.
SHOW parallel_leader_participation;
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET max_parallel_workers_per_gather',
							  current_database());
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET min_parallel_table_scan_size',
							  current_database());
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET parallel_leader_participation',
							  current_database());
END$$;
