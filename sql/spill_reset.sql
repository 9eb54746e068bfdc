-- End of the feast_historical tests' spilling pass (see spill.sql): back
-- to the default max_memory.
LOAD 'offline_store';
SHOW offline_store.max_memory;
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET offline_store.max_memory',
							  current_database());
END$$;
