-- offline_store.max_memory: the third pass of the feast_historical tests.
-- Beyond max_memory, feast_historical partitions its work on temporary
-- files (src/historical_spill.c). The tests listed after this file in
-- REGRESS run again with the smallest max_memory, so that every retrieval
-- spills (every stage, several partitions, chunks of partitions too large
-- for a batch), with the same expected output: the differential tests
-- compare with their SQL references, the others print sorted rows.
-- spill_reset turns it back to the default.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
LOAD 'offline_store';

SHOW offline_store.max_memory;
-- error: below the minimum
SET offline_store.max_memory = '63kB';
SET offline_store.max_memory = '64kB';
SHOW offline_store.max_memory;
RESET offline_store.max_memory;

DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET offline_store.max_memory = %L',
							  current_database(), '64kB');
END$$;
