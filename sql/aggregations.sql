--
-- aggregations: windowed aggregations as of each entity row (API.md,
-- "Windowed aggregations as of each entity row"), checked by hand: every
-- function, window boundaries to the microsecond (a row at exactly t - w
-- is out, one at t is in), NULL values, keys and timestamps, empty windows
-- (count 0, the others NULL), ties, duplicate entity rows,
-- filter_by_created_timestamp, result types, request order, feature
-- services, entity-less views; then feast_apply's checks, details and
-- dump, and materialization into the online table as of end_date, read
-- through feature service views as feast_online_features reads it.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE ag_orders (customer_id int, ts timestamptz, created timestamptz,
						amount numeric(10,2), qty int, price float8, wait interval, note text);
-- customer 1: r1 at Jan 1 00:00; r2 at 12:00, created two days late; r3 and
-- r4 tied at Jan 2 00:00 (r3: no created, no qty; r4: no amount);
-- customer 2: r5; a row without customer and one without timestamp never
-- count
INSERT INTO ag_orders VALUES
	(1, '2024-01-01 00:00', '2024-01-01 00:00', 10.00, 1, 1.5, '10 minutes', 'b'),	-- r1
	(1, '2024-01-01 12:00', '2024-01-03 00:00', 20.50, 2, 2.5, '20 minutes', 'a'),	-- r2
	(1, '2024-01-02 00:00', NULL, 30.25, NULL, 0.5, NULL, 'd'),					-- r3
	(1, '2024-01-02 00:00', '2024-01-02 00:00', NULL, 4, 4.0, '1 hour', 'c'),		-- r4
	(2, '2024-01-01 06:00', '2024-01-01 06:00', 5.00, 5, -1, '1 day', 'x'),		-- r5
	(NULL, '2024-01-01 12:00', '2024-01-01 12:00', 99.00, 99, 99, '99 days', 'z'),
	(1, NULL, '2024-01-01 12:00', 1000.00, 1000, 1000, '1000 days', 'z');

SELECT object_type, name, action FROM feast_apply($y$
project: ag
entities:
  - {name: customer, join_keys: [customer_id], value_type: INT32}
sources:
  - {name: orders, type: table, table: public.ag_orders, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    schema: [{name: amount, dtype: Float64}]
    aggregations:
      - {column: amount, function: sum, time_window: 1d}
      - {column: amount, function: count, time_window: 1d}
      - {column: qty, function: mean, time_window: 1d}
      - {column: price, function: min, time_window: 1d}
      - {column: price, function: max, time_window: 1d}
      - {column: qty, function: stddev, time_window: 2d}
      - {column: qty, function: count, time_window: 1h, name: qty_1h}
      - {column: qty, function: sum, time_window: 86400}
      - {column: wait, function: sum, time_window: PT24H}
      - {column: wait, function: mean, time_window: 1d}
      - {column: note, function: max, time_window: 1d}
  - name: all_orders
    entities: []
    source: orders
    aggregations:
      - {column: amount, function: count, time_window: 1d, name: orders_1d}
      - {column: amount, function: sum, time_window: 2d, name: amount_2d}
feature_services:
  - name: everything
    features: [stats]
  - name: some
    features:
      - {feature_view: stats, name: s, features: [qty_1h, amount, sum_amount]}
      - all_orders
$y$) ORDER BY 1, 2;
SELECT feature_view, position, name, column_name, function, time_window
FROM feast.aggregations WHERE project = 'ag' ORDER BY 1, 2;

CREATE TABLE ag_labels (id int, customer_id int, event_timestamp timestamptz);
INSERT INTO ag_labels VALUES
	(1, 1, '2024-01-02 00:00'),				-- r1 exactly at t - 1d: out; r2 in; r3, r4 at t: in
	(2, 1, '2024-01-01 23:59:59.999999'),	-- r1, r2 in; r3, r4 a microsecond later: out
	(3, 1, '2024-01-01 00:00:00.000001'),	-- r1 only
	(4, 2, '2024-01-02 06:00'),				-- r5 exactly at t - 1d: empty windows
	(5, 2, '2024-01-02 05:59:59.999999'),	-- r5 in
	(6, NULL, '2024-01-02 00:00'),			-- a NULL key matches nothing
	(7, 3, NULL),							-- nor does a NULL time
	(8, 1, '2024-01-02 00:00'),				-- the same as 1
	(9, 1, '2024-01-04 00:00');				-- r3, r4 exactly at t - 2d: every window empty

-- The result types are PostgreSQL's: sum(numeric) numeric, count bigint,
-- avg(int4) numeric, min/max the column's, stddev_samp(int4) numeric,
-- sum(int4) bigint, sum(interval) and avg(interval) interval
SELECT feast_historical_sql('ag_labels', ARRAY['stats:sum_amount', 'stats:count_amount',
	'stats:mean_qty', 'stats:min_price', 'stats:max_price', 'stats:stddev_qty', 'stats:qty_1h',
	'stats:sum_qty', 'stats:sum_wait', 'stats:mean_wait', 'stats:max_note'], project => 'ag');

-- By hand (windows of 1 day but stddev_qty, 2 days, and qty_1h, 1 hour):
-- 1, 8: r2, r3, r4: sum 20.50 + 30.25 = 50.75 (r4's amount NULL), count 2,
--       mean qty (2 + 4) / 2 = 3 (r3's NULL), min 0.5, max 4; 2 days: r1,
--       r2, r4: qty 1, 2, 4: stddev sqrt(7/3) = 1.5275...; 1 hour: r3, r4:
--       one qty; sum qty 6; wait 20 min + 1 h = 01:20, mean 00:40 (r3's
--       NULL); max note 'd'
-- 2:    r1, r2: 30.50, 2, 1.5, 1.5, 2.5; r1, r2 in 2 days: stddev of 1, 2
--       is 0.7071...; 1 hour: none, 0; 3; 00:30; 00:15; 'b'
-- 3:    r1: 10.00, 1, 1, 1.5, 1.5; stddev of one row: NULL; 1; 1; 00:10;
--       00:10; 'b'
-- 4, 9: nothing: NULL, 0, NULL, ..., count 0
-- 5:    r5: 5.00, 1, 5, -1, -1, NULL, 0, 5, 1 day, 1 day, 'x'
-- 6, 7: nothing
SELECT * FROM feast_historical('ag_labels', ARRAY['stats:sum_amount', 'stats:count_amount',
	'stats:mean_qty', 'stats:min_price', 'stats:max_price', 'stats:stddev_qty', 'stats:qty_1h',
	'stats:sum_qty', 'stats:sum_wait', 'stats:mean_wait', 'stats:max_note'], project => 'ag')
	AS t(id int, customer_id int, event_timestamp timestamptz, sum_amount numeric,
		 count_amount bigint, mean_qty numeric, min_price float8, max_price float8,
		 stddev_qty numeric, qty_1h bigint, sum_qty bigint, sum_wait interval,
		 mean_wait interval, max_note text)
ORDER BY id;

-- filter_by_created_timestamp: also created <= t (a NULL created is out).
-- 1, 8: r2 (created Jan 3) and r3 (no created) out: r4 only: sum NULL,
--       count 0, mean 4, min 4, max 4; 2 days: r1, r4: stddev of 1, 4 is
--       2.1213...; 1 hour: r4: 1; 4; 01:00; 01:00; 'c'
-- 2:    r2 out: r1: 10.00, 1, 1, 1.5, 1.5, NULL, 0, 1, 00:10, 00:10, 'b'
-- 3, 5: as without the filter
SELECT * FROM feast_historical('ag_labels', ARRAY['stats:sum_amount', 'stats:count_amount',
	'stats:mean_qty', 'stats:min_price', 'stats:max_price', 'stats:stddev_qty', 'stats:qty_1h',
	'stats:sum_qty', 'stats:sum_wait', 'stats:mean_wait', 'stats:max_note'], project => 'ag',
	filter_by_created_timestamp => true)
	AS t(id int, customer_id int, event_timestamp timestamptz, sum_amount numeric,
		 count_amount bigint, mean_qty numeric, min_price float8, max_price float8,
		 stddev_qty numeric, qty_1h bigint, sum_qty bigint, sum_wait interval,
		 mean_wait interval, max_note text)
WHERE id IN (1, 2, 3, 5, 8) ORDER BY id;

-- The same as the literal SQL of API.md, for every row and both settings
SELECT f AS filter, count(*) AS rows,
	   count(*) FILTER (WHERE (o.sum_amount, o.count_amount, o.mean_qty, o.min_price, o.max_price,
							   o.stddev_qty, o.qty_1h, o.sum_qty, o.sum_wait, o.mean_wait, o.max_note)::text
							  IS DISTINCT FROM (r.*)::text) AS mismatches
FROM (VALUES (false), (true)) AS fl(f)
CROSS JOIN LATERAL feast_historical('ag_labels', ARRAY['stats:sum_amount', 'stats:count_amount',
	'stats:mean_qty', 'stats:min_price', 'stats:max_price', 'stats:stddev_qty', 'stats:qty_1h',
	'stats:sum_qty', 'stats:sum_wait', 'stats:mean_wait', 'stats:max_note'], project => 'ag',
	filter_by_created_timestamp => f)
	AS o(id int, customer_id int, event_timestamp timestamptz, sum_amount numeric,
		 count_amount bigint, mean_qty numeric, min_price float8, max_price float8,
		 stddev_qty numeric, qty_1h bigint, sum_qty bigint, sum_wait interval,
		 mean_wait interval, max_note text)
CROSS JOIN LATERAL (
	SELECT (SELECT sum(amount) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT count(amount) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT avg(qty) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT min(price) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT max(price) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT stddev_samp(qty) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '2 days' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT count(qty) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 hour' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT sum(qty) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT sum(wait) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT avg(wait) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp)),
		   (SELECT max(note) FROM ag_orders s WHERE s.customer_id = o.customer_id AND s.ts > o.event_timestamp - interval '1 day' AND s.ts <= o.event_timestamp AND (NOT f OR s.created <= o.event_timestamp))
	) AS r
GROUP BY f ORDER BY f;

-- Request order is kept: aggregations and schema features mixed, with full
-- names; the schema feature is the point-in-time value (no ttl: r3 or r4 at
-- Jan 2 00:00 tie on ts, r4's created wins over r3's NULL: amount NULL)
SELECT * FROM feast_historical('SELECT * FROM ag_labels WHERE id IN (1, 2)',
	ARRAY['stats:qty_1h', 'stats:amount', 'stats:sum_amount'], project => 'ag',
	full_feature_names => true)
	AS t(id int, customer_id int, event_timestamp timestamptz, stats__qty_1h bigint,
		 stats__amount numeric(10, 2), stats__sum_amount numeric)
ORDER BY id;

-- A feature service: every feature of a view (its schema's, then its
-- aggregations'), or some, aliased; an entity-less view's aggregations
-- take every order: at Jan 2 00:00 the day holds r2, r3, r5 and the
-- keyless row (4 amounts) and r4 (no amount); two days: those and r1,
-- 20.50 + 30.25 + 5.00 + 99.00 + 10.00 = 164.75
SELECT feast_historical_sql('ag_labels', feature_service => 'everything', project => 'ag');
SELECT * FROM feast_historical('SELECT * FROM ag_labels WHERE id IN (1, 6)', feature_service => 'some',
	project => 'ag', full_feature_names => true)
	AS t(id int, customer_id int, event_timestamp timestamptz, s__qty_1h bigint,
		 s__amount numeric(10, 2), s__sum_amount numeric, all_orders__orders_1d bigint,
		 all_orders__amount_2d numeric)
ORDER BY id;

-- An entity-less retrieval: the entity rows are the sources' (keys, ts) in
-- the range; customer 1 at Jan 1 12:00 has r1 and r2 in its day
SELECT * FROM feast_historical(NULL, ARRAY['stats:count_amount', 'stats:sum_amount'], project => 'ag',
	start_date => '2024-01-01 12:00', end_date => '2024-01-01 12:00')
	AS t(event_timestamp timestamptz, customer_id int, count_amount bigint, sum_amount numeric)
ORDER BY 2;

-- Unknown aggregated features get the closest names
SELECT * FROM feast_historical('ag_labels', ARRAY['stats:sum_amont'], project => 'ag')
	AS t(id int, customer_id int, event_timestamp timestamptz, x numeric);
-- a name colliding with an entity_df column is refused, as for any feature
SELECT * FROM feast_historical('SELECT 1 AS id, 1 AS sum_amount, now() AS event_timestamp, 1 AS customer_id',
	ARRAY['stats:sum_amount'], project => 'ag')
	AS t(id int, sum_amount int, event_timestamp timestamptz, customer_id int, x numeric);

---------------------------------------------------------------------------
-- feast_apply: errors with line and column, details, dump round trip
---------------------------------------------------------------------------
-- error: no such column (42703)
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: amont, function: sum, time_window: 1d}
$y$);
-- error: sum of text (42804)
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: note, function: sum, time_window: 1d}
$y$);
-- error: stddev of an interval (42804)
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: wait, function: stddev, time_window: 1d}
$y$);
-- error: the name of a join key, of a reserved column
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: qty, function: max, time_window: 1d, name: customer_id}
$y$);
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: ts, function: max, time_window: 1d, name: event_timestamp}
$y$);
-- error: an unknown function and a zero window, from the parser (22023)
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: qty, function: median, time_window: 1d}
$y$);
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    aggregations:
      - {column: qty, function: sum, time_window: 0s}
$y$);
-- error: two aggregations with one name, an aggregation named like a field
SELECT * FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    schema: [{name: qty, dtype: Int32}]
    aggregations:
      - {column: qty, function: sum, time_window: 1d, name: qty}
$y$);
-- error: a feature service naming an aggregation that does not exist
SELECT * FROM feast_apply($y$
project: ag
feature_services:
  - name: some
    features:
      - {feature_view: stats, features: [qty_2h]}
$y$);
-- nothing was written
SELECT count(*) AS aggregations FROM feast.aggregations WHERE project = 'ag';

-- The dump has the aggregations (a name only where it is not the default)
-- and applies unchanged
SELECT feast_registry_dump('ag');
SELECT object_type, name, action, detail FROM feast_apply(feast_registry_dump('ag')) ORDER BY 1, 2;

-- Details (a dry run): a changed window, an added and a removed
-- aggregation, and the online table's columns with them
SELECT object_type, name, action, detail FROM feast_apply($y$
project: ag
feature_views:
  - name: stats
    entities: [customer]
    source: orders
    schema: [{name: amount, dtype: Float64}]
    aggregations:
      - {column: amount, function: sum, time_window: 2d}
      - {column: amount, function: count, time_window: 1d}
      - {column: qty, function: mean, time_window: 1d}
      - {column: price, function: min, time_window: 1d}
      - {column: price, function: max, time_window: 1d}
      - {column: qty, function: stddev, time_window: 2d}
      - {column: qty, function: count, time_window: 1h, name: qty_1h}
      - {column: qty, function: sum, time_window: 86400}
      - {column: wait, function: sum, time_window: PT24H}
      - {column: wait, function: mean, time_window: 1d}
      - {column: price, function: mean, time_window: 90m}
  - name: all_orders
    entities: []
    source: orders
    aggregations:
      - {column: amount, function: count, time_window: 1d, name: orders_1d}
      - {column: amount, function: sum, time_window: 2d, name: amount_2d}
$y$, dry_run => true) WHERE action <> 'unchanged' ORDER BY 1, 2;

---------------------------------------------------------------------------
-- Materialization: the online table's aggregated features as of end_date
---------------------------------------------------------------------------
SELECT feature_view, start_date, end_date, rows_written
FROM feast_materialize('2024-01-01', '2024-01-02 00:00') ORDER BY 1;
-- customer 1 as row 1 above, customer 2 as of Jan 2 00:00: r5 in its day
SELECT customer_id, amount, sum_amount, count_amount, mean_qty, min_price, max_price, stddev_qty,
	   qty_1h, sum_qty, sum_wait, mean_wait, max_note, event_timestamp, created_timestamp
FROM feast_online.ag_stats ORDER BY 1;
SELECT * FROM feast_online.ag_all_orders;
-- equal to feast_historical's answers for (key, end_date)
SELECT count(*) AS keys, count(*) FILTER (WHERE (o.sum_amount, o.count_amount, o.mean_qty, o.min_price,
		   o.max_price, o.stddev_qty, o.qty_1h, o.sum_qty, o.sum_wait, o.mean_wait, o.max_note)::text
		   IS DISTINCT FROM (h.sum_amount, h.count_amount, h.mean_qty, h.min_price, h.max_price,
		   h.stddev_qty, h.qty_1h, h.sum_qty, h.sum_wait, h.mean_wait, h.max_note)::text) AS differ
FROM feast_online.ag_stats o
JOIN feast_historical($$SELECT customer_id, timestamptz '2024-01-02 00:00' AS event_timestamp
						FROM feast_online.ag_stats$$,
	ARRAY['stats:sum_amount', 'stats:count_amount', 'stats:mean_qty', 'stats:min_price',
		  'stats:max_price', 'stats:stddev_qty', 'stats:qty_1h', 'stats:sum_qty', 'stats:sum_wait',
		  'stats:mean_wait', 'stats:max_note'], project => 'ag')
	AS h(customer_id int, event_timestamp timestamptz, sum_amount numeric, count_amount bigint,
		 mean_qty numeric, min_price float8, max_price float8, stddev_qty numeric, qty_1h bigint,
		 sum_qty bigint, sum_wait interval, mean_wait interval, max_note text)
	ON h.customer_id = o.customer_id;
-- The feature service views show the aggregated features as the online
-- table holds them, as feast_online_features reads them: "everything"
-- (every feature of stats), and "picked", naming features of both kinds
SELECT object_type, name, action FROM feast_apply($y$
project: ag
feature_services:
  - name: everything
    features: [stats]
  - name: some
    features:
      - {feature_view: stats, name: s, features: [qty_1h, amount, sum_amount]}
      - all_orders
  - name: picked
    features:
      - {feature_view: stats, features: [qty_1h, amount, sum_amount]}
$y$) WHERE action <> 'unchanged' ORDER BY 1, 2;
SELECT c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
WHERE c.relnamespace = 'feast_online'::regnamespace AND c.relname IN ('ag_everything', 'ag_picked')
GROUP BY c.relname ORDER BY 1;
SELECT col_description('feast_online.ag_picked'::regclass, 2) AS qty_1h_comment;
SELECT feast_online_features_sql('SELECT customer_id FROM feast_online.ag_stats', feature_service => 'everything',
								 project => 'ag');
SELECT * FROM feast_online.ag_everything ORDER BY customer_id;
SELECT * FROM feast_online.ag_picked ORDER BY customer_id;
CREATE FUNCTION ag_service_views_differ() RETURNS TABLE(service text, keys bigint, differ bigint)
LANGUAGE sql AS $f$
	SELECT 'everything', count(*), count(*) FILTER (WHERE (v.*)::text IS DISTINCT FROM (f.*)::text)
	FROM feast_online.ag_everything v
	FULL JOIN feast_online_features('SELECT customer_id FROM feast_online.ag_stats',
									feature_service => 'everything', project => 'ag')
		AS f(customer_id int, amount numeric(10,2), sum_amount numeric, count_amount bigint,
			 mean_qty numeric, min_price float8, max_price float8, stddev_qty numeric, qty_1h bigint,
			 sum_qty bigint, sum_wait interval, mean_wait interval, max_note text)
		ON f.customer_id = v.customer_id
	UNION ALL
	SELECT 'picked', count(*), count(*) FILTER (WHERE (v.*)::text IS DISTINCT FROM (f.*)::text)
	FROM feast_online.ag_picked v
	FULL JOIN feast_online_features('SELECT customer_id FROM feast_online.ag_stats',
									feature_service => 'picked', project => 'ag')
		AS f(customer_id int, qty_1h bigint, amount numeric(10,2), sum_amount numeric)
		ON f.customer_id = v.customer_id
	ORDER BY 1
$f$;
SELECT * FROM ag_service_views_differ();
-- a later end date moves the windows on: at Jan 4 every window is empty,
-- even the two-day one (r3 and r4 lie exactly at Jan 4 - 2 days): count 0,
-- the others NULL
SELECT feature_view, rows_written FROM feast_materialize('2024-01-02 00:00', '2024-01-04 00:00') ORDER BY 1;
SELECT customer_id, sum_amount, count_amount, stddev_qty, qty_1h FROM feast_online.ag_stats ORDER BY 1;
SELECT * FROM ag_service_views_differ();
-- a backfill ending earlier leaves the newer aggregates alone
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-01 12:00') ORDER BY 1;
SELECT customer_id, sum_amount, count_amount FROM feast_online.ag_stats ORDER BY 1;
-- an aggregated feature read online
SELECT * FROM feast_online_features('SELECT 1 AS customer_id', ARRAY['stats:count_amount', 'stats:amount'],
									project => 'ag')
	AS t(customer_id int, count_amount bigint, amount numeric(10, 2));

DELETE FROM feast.projects WHERE name = 'ag';
DROP TABLE ag_orders, ag_labels;
DROP FUNCTION ag_service_views_differ();
