-- feast_historical: the point-in-time join (SEMANTICS.md "Point-in-time join")
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- The registry, written directly (the owner may write the registry tables).
INSERT INTO feast.projects (name) VALUES ('hist');
INSERT INTO feast.entities (project, name, join_key, value_type) VALUES
	('hist', 'driver', 'driver_id', 'INT64'),
	('hist', 'customer', 'customer_id', 'INT64'),
	('hist', 'location', 'location_id', 'INT32');

-- driver stats: ties on ts broken by created, NULL created, exact duplicates,
-- a backfill (older ts, later created), a NULL key
CREATE TABLE hist_driver (driver_id bigint, event_timestamp timestamptz,
						  created timestamptz, conv_rate real, trips bigint);
INSERT INTO hist_driver VALUES
	(1001, '2024-01-01 10:00', '2024-01-01 10:00', 0.1, 10),
	(1001, '2024-01-01 10:00', '2024-01-01 10:30', 0.2, 20),
	(1001, '2024-01-01 10:00', NULL, 0.9, 90),
	(1002, '2024-01-01 10:00', '2024-01-01 12:00', 0.3, 30),
	(1002, '2024-01-01 11:00', '2024-01-01 11:00', 0.4, 40),
	(1003, '2024-01-01 08:00', NULL, 0.5, 50),
	(1004, '2024-01-01 09:00', '2024-01-01 09:00', 0.6, 60),
	(1004, '2024-01-01 09:00', '2024-01-01 09:00', 0.6, 60),
	(NULL, '2024-01-01 10:00', '2024-01-01 10:00', 0.7, 70);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field, created_timestamp_column)
	VALUES ('hist', 'driver_src', 'table', 'hist_driver', 'event_timestamp', 'created');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'driver_fv', 'driver_src', '2 hours');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'driver_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES
	('hist', 'driver_fv', 1, 'conv_rate', 'Float32'),
	('hist', 'driver_fv', 2, 'trips', 'Int64');

CREATE TABLE hist_ent (id int, driver_id bigint, event_timestamp timestamptz);
INSERT INTO hist_ent VALUES
	(1, 1001, '2024-01-01 11:00'),				-- tie at 10:00: greatest created wins: 0.2
	(2, 1001, '2024-01-01 12:00'),				-- ts = t - ttl exactly: 0.2
	(3, 1001, '2024-01-01 12:00:00.000001'),	-- 1 us outside the ttl: NULL
	(4, 1001, '2024-01-01 09:59:59.999999'),	-- before every row: NULL
	(5, 1002, '2024-01-01 11:30'),				-- newer ts beats greater created: 0.4
	(6, 1002, '2024-01-01 10:30'),				-- 0.3
	(7, 1003, '2024-01-01 09:00'),				-- only a NULL created row: 0.5
	(8, 1004, '2024-01-01 10:00'),				-- duplicate source rows: 0.6 once
	(8, 1004, '2024-01-01 10:00'),				-- duplicate entity row: kept
	(10, NULL, '2024-01-01 10:00'),				-- NULL key never matches
	(11, 9999, '2024-01-01 10:00'),				-- no such driver
	(12, 1001, '2024-01-01 10:00'),				-- ts = t: 0.2
	(13, 1001, NULL);							-- no entity time: NULL

SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:conv_rate', 'driver_fv:trips'], project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamptz, conv_rate real, trips bigint)
	ORDER BY id, event_timestamp;

-- full_feature_names; features in ref order
SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:trips', 'driver_fv:conv_rate'],
							   full_feature_names => true, project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamptz, driver_fv__trips bigint, driver_fv__conv_rate real)
	WHERE id IN (1, 5) ORDER BY id;

-- filter_by_created_timestamp: rows created after t, and NULL created, are excluded
SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:conv_rate'], project => 'hist',
							   filter_by_created_timestamp => true)
	AS t(id int, driver_id bigint, event_timestamp timestamptz, conv_rate real)
	ORDER BY id, event_timestamp;

-- entity_df as a query; entity timestamp column inferred (the only timestamp column)
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1001::bigint, '2024-01-01 11:00'::timestamptz, 'x'),
	(1002, '2024-01-01 11:00', 'y')) v(driver_id, e_ts, label)$$, ARRAY['driver_fv:trips'], project => 'hist')
	AS t(driver_id bigint, e_ts timestamptz, label text, trips bigint)
	ORDER BY driver_id;

-- select-list form: one record per entity row
SELECT feast_historical('SELECT * FROM hist_ent WHERE id < 3', ARRAY['driver_fv:trips'], project => 'hist') AS r
	ORDER BY 1::text;

-- ttl 0 (no lower bound), composite keys whose text forms collide, a key
-- column whose type differs from the entity_df's, an entity-less view
CREATE TABLE hist_order (customer_id bigint, driver_id bigint, event_timestamp timestamptz, amount numeric);
INSERT INTO hist_order VALUES
	(1, 12, '2024-01-01 10:00', 1.12),
	(11, 2, '2024-01-01 10:00', 11.2),
	(1, 12, '2020-01-01 00:00', 0.5),
	(1, 2, '2024-01-01 09:00', 1.2);
CREATE TABLE hist_global (event_timestamp timestamptz, total bigint);
INSERT INTO hist_global VALUES ('2024-01-01 09:00', 100), ('2024-01-01 10:00', 200), ('2019-06-01', 50);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field) VALUES
	('hist', 'order_src', 'table', 'hist_order', 'event_timestamp'),
	('hist', 'global_src', 'table', 'public.hist_global', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source) VALUES
	('hist', 'order_fv', 'order_src'), ('hist', 'global_fv', 'global_src');
INSERT INTO feast.feature_view_entities VALUES
	('hist', 'order_fv', 1, 'customer'), ('hist', 'order_fv', 2, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES
	('hist', 'order_fv', 1, 'amount', 'Float64'),
	('hist', 'global_fv', 1, 'total', 'Int64');

SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1, 1, 12, '2024-01-01 10:00'::timestamptz),
	(2, 11, 2, '2024-01-01 10:00'), (3, 1, 12, '2023-01-01'), (4, 1, 2, '2030-01-01'),
	(5, 12, 1, '2024-01-01 10:00'), (6, 1, NULL, '2024-01-01 09:30'))
	AS v(id, customer_id, driver_id, event_timestamp)$$,
	ARRAY['order_fv:amount', 'global_fv:total'], project => 'hist')
	AS t(id int, customer_id int, driver_id int, event_timestamp timestamptz, amount numeric, total bigint)
	ORDER BY id;
-- filter_by_created_timestamp does nothing to a source without a created column
SELECT count(amount) AS amounts, count(total) AS totals FROM feast_historical($$SELECT * FROM (VALUES (1, 1, 12, '2024-01-01 10:00'::timestamptz),
	(2, 11, 2, '2024-01-01 10:00'), (3, 1, 12, '2023-01-01'), (4, 1, 2, '2030-01-01'))
	AS v(id, customer_id, driver_id, event_timestamp)$$,
	ARRAY['order_fv:amount', 'global_fv:total'], project => 'hist', filter_by_created_timestamp => true)
	AS t(id int, customer_id int, driver_id int, event_timestamp timestamptz, amount numeric, total bigint);
-- error: VALUES names its columns column1..., so the join keys are missing
SELECT * FROM feast_historical($$VALUES (1, 1, 12, '2024-01-01 10:00'::timestamptz)$$,
	ARRAY['order_fv:amount'], project => 'hist') AS t(a int);

-- timestamp without time zone means UTC, whatever the session TimeZone;
-- field_mapping on the join key, the timestamp, the created column and a feature
SET TimeZone = 'America/New_York';
CREATE TABLE hist_naive (id bigint, ts_1 timestamp, cr_1 timestamp, v_src int);
INSERT INTO hist_naive VALUES
	(1001, '2024-01-01 10:00', '2024-01-01 10:00', 1),
	(1001, '2024-01-01 11:00', '2024-01-01 11:00', 2),
	(1001, '2024-01-01 11:00', '2024-01-01 10:59', 3);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field,
								created_timestamp_column, field_mapping) VALUES
	('hist', 'naive_src', 'table', 'hist_naive', 'ts', 'cr',
	 '{"id": "driver_id", "ts_1": "ts", "cr_1": "cr", "v_src": "val"}');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'naive_fv', 'naive_src', '1 hour');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'naive_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'naive_fv', 1, 'val', 'Int32');
-- naive entity timestamps (UTC)
SELECT * FROM feast_historical($$SELECT * FROM (VALUES
	(1, 1001::bigint, '2024-01-01 10:30'::timestamp),
	(2, 1001, '2024-01-01 12:00'),
	(3, 1001, '2024-01-01 12:00:00.000001'),
	(4, 1001, '2024-01-01 09:59:59.999999'),
	(5, 1001, '2024-01-01 11:00')) AS v(id, driver_id, event_timestamp)$$,
	ARRAY['naive_fv:val'], project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamp, val int)
	ORDER BY id;
-- timestamptz entity timestamps in other zones; output keeps the entity_df type
SELECT id, event_timestamp AT TIME ZONE 'UTC' AS utc, val FROM feast_historical($$SELECT * FROM (VALUES
	(1, 1001::bigint, '2024-01-01 06:30-05'::timestamptz),
	(2, 1001, '2024-01-01 11:30+01'),
	(3, 1001, '2024-01-01 10:30+00')) AS v(id, driver_id, event_timestamp)$$,
	ARRAY['naive_fv:val'], project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamptz, val int)
	ORDER BY id;
SET TimeZone = 'UTC';

-- feature service: aliases, a feature subset and join_key_map
CREATE TABLE hist_loc (location_id int, event_timestamp timestamptz, temperature float8, humidity float8);
INSERT INTO hist_loc VALUES
	(1, '2024-01-01 09:00', 5.0, 0.5),
	(1, '2024-01-01 10:30', 6.0, 0.6),
	(2, '2024-01-01 10:00', 7.0, 0.7),
	(3, '2024-01-01 12:00', 8.0, 0.8);
INSERT INTO feast.data_sources (project, name, type, query, timestamp_field) VALUES
	('hist', 'loc_src', 'query', 'SELECT * FROM public.hist_loc', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'loc_fv', 'loc_src', '1 hour');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'loc_fv', 1, 'location');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES
	('hist', 'loc_fv', 1, 'temperature', 'Float64'),
	('hist', 'loc_fv', 2, 'humidity', 'Float64');
INSERT INTO feast.feature_services (project, name) VALUES ('hist', 'trip_svc'), ('hist', 'loc_svc');
INSERT INTO feast.feature_service_projections (project, feature_service, position, feature_view, alias, features, join_key_map) VALUES
	('hist', 'trip_svc', 1, 'loc_fv', 'origin', '{temperature}', '{"location_id": "origin_id"}'),
	('hist', 'trip_svc', 2, 'loc_fv', 'destination', '{temperature}', '{"location_id": "dest_id"}'),
	('hist', 'trip_svc', 3, 'driver_fv', NULL, '{conv_rate}', '{}'),
	('hist', 'loc_svc', 1, 'loc_fv', NULL, NULL, '{}');
CREATE TABLE hist_trips (trip_id int, driver_id bigint, origin_id int, dest_id int, event_timestamp timestamptz);
INSERT INTO hist_trips VALUES
	(1, 1001, 1, 2, '2024-01-01 10:45'),
	(2, 1002, 3, 1, '2024-01-01 12:00'),
	(3, 1001, 2, 3, '2024-01-01 11:00');
SELECT * FROM feast_historical('hist_trips', feature_service => 'trip_svc', full_feature_names => true, project => 'hist')
	AS t(trip_id int, driver_id bigint, origin_id int, dest_id int, event_timestamp timestamptz,
		 origin__temperature float8, destination__temperature float8, driver_fv__conv_rate real)
	ORDER BY trip_id;
-- error: without full names origin and destination both give "temperature"
SELECT * FROM feast_historical('hist_trips', feature_service => 'trip_svc', project => 'hist') AS t(a int);
-- a service with every feature of a view
SELECT * FROM feast_historical($$SELECT 2 AS location_id, '2024-01-01 10:59'::timestamptz AS event_timestamp$$,
	feature_service => 'loc_svc', project => 'hist')
	AS t(location_id int, event_timestamp timestamptz, temperature float8, humidity float8);

-- entity-less retrieval: every (keys, event_timestamp) of the sources in
-- [start_date, end_date], views with different join keys
SELECT * FROM feast_historical(NULL, ARRAY['driver_fv:conv_rate', 'loc_fv:temperature'], project => 'hist',
							   start_date => '2024-01-01 10:00', end_date => '2024-01-01 11:00')
	AS t(event_timestamp timestamptz, driver_id bigint, location_id int, conv_rate real, temperature float8)
	ORDER BY event_timestamp, driver_id, location_id;
-- end_date defaults to now(), start_date to end_date - max(ttl): nothing that recent
SELECT count(*) FROM feast_historical(NULL, ARRAY['driver_fv:conv_rate'], project => 'hist')
	AS t(event_timestamp timestamptz, driver_id bigint, conv_rate real);
-- start_date alone
SELECT * FROM feast_historical(NULL, ARRAY['loc_fv:temperature'], project => 'hist',
							   start_date => '2024-01-01 10:30')
	AS t(event_timestamp timestamptz, location_id int, temperature float8)
	ORDER BY event_timestamp;

-- errors
-- error: unknown feature view
SELECT * FROM feast_historical('hist_ent', ARRAY['nope_fv:conv_rate'], project => 'hist') AS t(a int);
-- error: unknown feature
SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:nope'], project => 'hist') AS t(a int);
-- error: both features and feature_service, then neither
SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:trips'], 'loc_svc', project => 'hist') AS t(a int);
SELECT * FROM feast_historical('hist_ent', project => 'hist') AS t(a int);
-- error: unknown feature service
SELECT * FROM feast_historical('hist_ent', feature_service => 'nope', project => 'hist') AS t(a int);
-- error: a feature whose name is an entity_df column
SELECT * FROM feast_historical('SELECT 1001::bigint AS driver_id, now() AS event_timestamp, 1 AS trips',
	ARRAY['driver_fv:trips'], project => 'hist') AS t(a int);
-- error: two features with the same name
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'loc2_fv', 'loc_src', '1 hour');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'loc2_fv', 1, 'location');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'loc2_fv', 1, 'temperature', 'Float64');
SELECT * FROM feast_historical('SELECT 1 AS location_id, now() AS event_timestamp',
	ARRAY['loc_fv:temperature', 'loc2_fv:temperature'], project => 'hist') AS t(a int);
-- error: no timestamp column, then two timestamp columns and no event_timestamp
SELECT * FROM feast_historical('SELECT 1001::bigint AS driver_id', ARRAY['driver_fv:trips'], project => 'hist')
	AS t(a int);
SELECT * FROM feast_historical('SELECT 1001::bigint AS driver_id, now() AS a, now() AS b',
	ARRAY['driver_fv:trips'], project => 'hist') AS t(a int);
-- error: a join key missing from entity_df
SELECT * FROM feast_historical('SELECT now() AS event_timestamp', ARRAY['driver_fv:trips'], project => 'hist')
	AS t(a int);
-- error: entity_df that is neither a relation nor a single SELECT
SELECT * FROM feast_historical('no_such_table', ARRAY['driver_fv:trips'], project => 'hist') AS t(a int);
SELECT * FROM feast_historical('SELECT 1; SELECT 2', ARRAY['driver_fv:trips'], project => 'hist') AS t(a int);
-- error: column definition list mismatch prints the list to use
SELECT * FROM feast_historical('hist_ent', ARRAY['driver_fv:trips'], project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamptz, trips int);
-- error: a writing entity_df is refused
CREATE TABLE hist_log (x int);
CREATE FUNCTION hist_sneaky() RETURNS timestamptz LANGUAGE plpgsql VOLATILE
	AS $$BEGIN INSERT INTO public.hist_log VALUES (1); RETURN '2024-01-01 11:00+00'; END$$;
SELECT * FROM feast_historical('SELECT 1001::bigint AS driver_id, hist_sneaky() AS event_timestamp',
	ARRAY['driver_fv:trips'], project => 'hist') AS t(driver_id bigint, event_timestamp timestamptz, trips bigint);
-- (a data-modifying WITH cannot even be parsed as a subquery)
SELECT * FROM feast_historical('WITH d AS (DELETE FROM hist_driver RETURNING *) SELECT * FROM hist_ent',
	ARRAY['driver_fv:trips'], project => 'hist') AS t(a int);
SELECT count(*) AS logged FROM hist_log;
SELECT count(*) AS driver_rows FROM hist_driver;
SHOW transaction_read_only;
-- error: a source whose timestamp column is not a timestamp
CREATE TABLE hist_badts (driver_id bigint, event_timestamp date, x int);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field) VALUES
	('hist', 'badts_src', 'table', 'hist_badts', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source) VALUES ('hist', 'badts_fv', 'badts_src');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'badts_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'badts_fv', 1, 'x', 'Int32');
SELECT * FROM feast_historical('hist_ent', ARRAY['badts_fv:x'], project => 'hist') AS t(a int);

-- text join keys (hashed and compared with the type's own support), text
-- features (copied, then replaced as better rows arrive, one stored out of
-- line), a sub-second ttl
INSERT INTO feast.entities (project, name, join_key, value_type) VALUES ('hist', 'user', 'user_name', 'STRING');
CREATE TABLE hist_user (user_name text, event_timestamp timestamptz, note text);
ALTER TABLE hist_user ALTER note SET STORAGE EXTERNAL;
INSERT INTO hist_user VALUES
	('ann', '2024-01-01 10:00:00', 'ann 10:00:00'),
	('ann', '2024-01-01 10:00:02', 'ann 10:00:02'),
	('ann', '2024-01-01 10:00:01', 'ann 10:00:01'),
	('Ann', '2024-01-01 10:00:00', 'capital Ann'),
	('bob', '2024-01-01 10:00:00', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 100) i));
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field) VALUES
	('hist', 'user_src', 'table', 'hist_user', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'user_fv', 'user_src', '1.5 seconds');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'user_fv', 1, 'user');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'user_fv', 1, 'note', 'String');
SELECT id, user_name, event_timestamp, length(note) AS len, left(note, 12) AS note
FROM feast_historical($$SELECT * FROM (VALUES
	(1, 'ann', '2024-01-01 10:00:02.5'::timestamptz),
	(2, 'ann', '2024-01-01 10:00:03.5'),			-- 10:00:02 = t - ttl exactly
	(3, 'ann', '2024-01-01 10:00:03.500001'),		-- 1 us outside
	(4, 'ann', '2024-01-01 10:00:01.9'),
	(5, 'Ann', '2024-01-01 10:00:00'),
	(6, 'bob', '2024-01-01 10:00:01'),
	(7, 'ANN', '2024-01-01 10:00:01')) AS v(id, user_name, event_timestamp)$$,
	ARRAY['user_fv:note'], project => 'hist')
	AS t(id int, user_name text, event_timestamp timestamptz, note text)
ORDER BY id;
SELECT md5(note) = (SELECT md5(string_agg(md5(i::text), '')) FROM generate_series(1, 100) i) AS long_note_intact
FROM feast_historical($$SELECT 'bob' AS user_name, '2024-01-01 10:00:01'::timestamptz AS event_timestamp$$,
	ARRAY['user_fv:note'], project => 'hist') AS t(user_name text, event_timestamp timestamptz, note text);

-- a source is read without its time window only when the scan reads every
-- row anyway and returns them unchanged: a query source whose expression
-- fails outside the window (a division by zero in 2020 and in 2030) is
-- read with the window, with a sequential scan and with an index scan
CREATE TABLE hist_ratio (driver_id bigint, event_timestamp timestamptz, num float8, den float8);
INSERT INTO hist_ratio VALUES
	(1001, '2020-01-01 00:00+00', 1, 0),
	(1001, '2024-01-01 09:00+00', 3, 4),
	(1001, '2030-01-01 00:00+00', 1, 0);
INSERT INTO feast.data_sources (project, name, type, query, timestamp_field) VALUES
	('hist', 'ratio_src', 'query',
	 'SELECT driver_id, event_timestamp, num / den AS ratio FROM public.hist_ratio', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'ratio_fv', 'ratio_src', '24 hours');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'ratio_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'ratio_fv', 1, 'ratio', 'Float64');
SELECT * FROM feast_historical($$SELECT 1001::bigint AS driver_id, '2024-01-01 10:00+00'::timestamptz AS event_timestamp$$,
	ARRAY['ratio_fv:ratio'], project => 'hist') AS t(driver_id bigint, event_timestamp timestamptz, ratio float8);
CREATE INDEX ON hist_ratio (event_timestamp);
SET enable_seqscan = off;
SELECT * FROM feast_historical($$SELECT 1001::bigint AS driver_id, '2024-01-01 10:00+00'::timestamptz AS event_timestamp$$,
	ARRAY['ratio_fv:ratio'], project => 'hist') AS t(driver_id bigint, event_timestamp timestamptz, ratio float8);
RESET enable_seqscan;

-- a table read directly: dropped columns and the columns' order in the
-- table do not matter (the columns are found where they are stored)
CREATE TABLE hist_dropped (junk1 text, event_timestamp timestamptz, junk2 bigint, trips int,
						   driver_id bigint, conv real);
INSERT INTO hist_dropped VALUES
	('a', '2024-01-01 08:00+00', 1, 10, 1001, 0.5),
	('b', '2024-01-01 09:00+00', 2, 20, 1001, 0.25),
	('c', '2024-01-01 09:30+00', 3, 30, 1002, 0.125);
ALTER TABLE hist_dropped DROP COLUMN junk1, DROP COLUMN junk2;
INSERT INTO hist_dropped VALUES ('2024-01-01 09:45+00', 40, 1001, 0.0625);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field) VALUES
	('hist', 'dropped_src', 'table', 'hist_dropped', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'dropped_fv', 'dropped_src', '3600 seconds');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'dropped_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES
	('hist', 'dropped_fv', 1, 'conv', 'Float32'), ('hist', 'dropped_fv', 2, 'trips', 'Int32');
SELECT * FROM feast_historical($$SELECT * FROM (VALUES
	(1, 1001::bigint, '2024-01-01 09:40+00'::timestamptz),
	(2, 1001, '2024-01-01 09:50+00'),
	(3, 1002, '2024-01-01 10:00+00'),
	(4, 1002, '2024-01-01 10:30:00.000001+00')) AS v(id, driver_id, event_timestamp)$$,
	ARRAY['dropped_fv:conv', 'dropped_fv:trips'], project => 'hist')
	AS t(id int, driver_id bigint, event_timestamp timestamptz, conv real, trips int)
ORDER BY id;

-- a partitioned source: a window within one partition reads that partition
-- alone (its columns reordered, one dropped), a wider one reads both
CREATE TABLE hist_part (driver_id bigint, event_timestamp timestamptz, conv real)
	PARTITION BY RANGE (event_timestamp);
CREATE TABLE hist_part_a (junk int, conv real, event_timestamp timestamptz, driver_id bigint);
ALTER TABLE hist_part_a DROP COLUMN junk;
ALTER TABLE hist_part ATTACH PARTITION hist_part_a
	FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2024-02-01 00:00+00');
CREATE TABLE hist_part_b PARTITION OF hist_part
	FOR VALUES FROM ('2024-02-01 00:00+00') TO ('2024-03-01 00:00+00');
INSERT INTO hist_part VALUES
	(1001, '2024-01-10 10:00+00', 0.5), (1001, '2024-01-20 10:00+00', 0.25),
	(1001, '2024-02-10 10:00+00', 0.125);
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field) VALUES
	('hist', 'part_src', 'table', 'hist_part', 'event_timestamp');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES ('hist', 'part_fv', 'part_src', '240 hours');
INSERT INTO feast.feature_view_entities VALUES ('hist', 'part_fv', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('hist', 'part_fv', 1, 'conv', 'Float32');
SELECT * FROM feast_historical($$SELECT 1001::bigint AS driver_id, '2024-01-25 00:00+00'::timestamptz AS event_timestamp$$,
	ARRAY['part_fv:conv'], project => 'hist') AS t(driver_id bigint, event_timestamp timestamptz, conv real);
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1001::bigint, '2024-01-25 00:00+00'::timestamptz),
	(1001, '2024-02-15 00:00+00'), (1001, '2024-02-25 00:00+00')) AS v(driver_id, event_timestamp)$$,
	ARRAY['part_fv:conv'], project => 'hist') AS t(driver_id bigint, event_timestamp timestamptz, conv real)
ORDER BY event_timestamp;

-- feast_historical_sql: the query with its column list, which runs as it is
SELECT feast_historical_sql('hist_ent', ARRAY['driver_fv:conv_rate'], project => 'hist');
SELECT feast_historical_sql(NULL, feature_service => 'loc_svc', full_feature_names => true, project => 'hist',
	filter_by_created_timestamp => true, start_date => '2024-01-01 10:00:00.5+02', end_date => 'infinity');
SELECT feast_historical_sql('SELECT * FROM hist_ent WHERE id = 1', ARRAY['driver_fv:conv_rate'], project => 'hist')
\gexec

-- feast_create_training_view
CREATE SCHEMA "hist schema";
SELECT feast_create_training_view('"hist schema"."Train V"', 'hist_ent', ARRAY['driver_fv:conv_rate', 'driver_fv:trips'],
	project => 'hist');
SELECT * FROM "hist schema"."Train V" WHERE id < 3 ORDER BY id;
INSERT INTO hist_driver VALUES (1001, '2024-01-01 11:30', '2024-01-01 11:30', 0.8, 80);
SELECT * FROM "hist schema"."Train V" WHERE id < 3 ORDER BY id;

-- feast_persist
SELECT feast_persist('"hist schema".persisted', 'hist_ent', ARRAY['driver_fv:trips'], project => 'hist');
SELECT id, trips FROM "hist schema".persisted ORDER BY id, trips;
SELECT project, name, entity_df, features, feature_service, full_feature_names, row_count
	FROM feast.saved_datasets WHERE project = 'hist';
-- error: the table exists
SELECT feast_persist('"hist schema".persisted', 'hist_ent', ARRAY['driver_fv:trips'], project => 'hist');
SELECT feast_persist('"hist schema".persisted', 'SELECT * FROM hist_ent WHERE id < 3', ARRAY['driver_fv:trips'],
	project => 'hist', allow_overwrite => true);
SELECT id, trips FROM "hist schema".persisted ORDER BY id;
SELECT project, name, entity_df, features, row_count FROM feast.saved_datasets WHERE project = 'hist';

-- privileges: reading is for everyone, creating objects is not
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
	FROM pg_proc p WHERE p.proname IN ('feast_historical', 'feast_historical_sql',
									   'feast_create_training_view', 'feast_persist')
	ORDER BY p.proname COLLATE "C";

-- clean up
DROP SCHEMA "hist schema" CASCADE;
DROP FUNCTION hist_sneaky();
DROP TABLE hist_part, hist_dropped, hist_ratio, hist_user, hist_log, hist_driver, hist_ent, hist_order, hist_global, hist_naive, hist_loc, hist_trips, hist_badts;
DELETE FROM feast.saved_datasets WHERE project = 'hist';
DELETE FROM feast.feature_services WHERE project = 'hist';
DELETE FROM feast.feature_views WHERE project = 'hist';
DELETE FROM feast.data_sources WHERE project = 'hist';
DELETE FROM feast.projects WHERE name = 'hist';
