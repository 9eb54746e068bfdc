# pg_dump and restore of a database whose online tables, intervals and runs
# were written by feast_materialize and feast_push (not by hand), in the
# custom format (pg_restore) and in plain SQL (psql): every registry table
# and online table comes back with the same rows, the restored database is
# consistent, online reads return the same values, and the next
# incremental materialization starts where the dumped one ended.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib "$FindBin::RealBin/../perl";
use OfsCrash;

my $node = PostgreSQL::Test::Cluster->new('dump_online');
$node->init;
$node->start;

foreach my $db ('src', 'dst_custom', 'dst_plain')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
}

$node->safe_psql('src', q{
CREATE EXTENSION offline_store;
CREATE TABLE public.stats (driver_id bigint, ts timestamptz, created timestamptz, conv real, "Trips ☃" integer);
INSERT INTO public.stats
	SELECT i % 50, '2024-01-01'::timestamptz + i * interval '1 minute', NULL, (i % 7) / 7.0, i
	FROM generate_series(1, 2000) i;
CREATE TABLE public.ent (driver_id bigint);
INSERT INTO public.ent SELECT generate_series(0, 60);
SELECT count(*) FROM feast_apply($y$
project: "Dump ü"
online_store: {type: postgres, db_schema: "Online; ü"}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - name: stats
    type: table
    table: public.stats
    timestamp_field: ts
    created_timestamp_column: created
    field_mapping: {"Trips ☃": trips}
  - {name: push, type: push, batch_source: stats}
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: 1d, schema: [{name: conv, dtype: Float32}, {name: trips, dtype: Int32}]}
  - {name: "p ☃", entities: [driver], source: push, schema: [{name: conv, dtype: Float32}]}
  - {name: totals, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT count(*) FROM feast_materialize('2024-01-01', '2024-01-01 12:00', project => 'Dump ü');
SELECT count(*) FROM feast_materialize_incremental('2024-01-01 20:00', ARRAY['v'], 'Dump ü');
SELECT feast_push('push', $$SELECT 99::bigint AS driver_id, '2024-01-03'::timestamptz AS ts, 0.99::real AS conv$$,
				  'online_and_offline', 'Dump ü');
SELECT feast_persist('public.training', 'SELECT driver_id, ''2024-01-01 10:00+00''::timestamptz AS event_timestamp FROM public.ent',
					 ARRAY['v:conv'], project => 'Dump ü');
});
install_helpers($node, 'src');	# dumped and restored with the rest

my $before = fingerprint($node, 'src');
like($before, qr/feast\.materialization_intervals 4:/, 'src: four intervals (three views, then v again)');
like($before, qr/feast\.materialization_runs 4:/, 'src: four runs');
like($before, qr/"Online; ü"\."Dump ü_v" \(.*\) 50:/, 'src: online table of v has 50 keys');
like($before, qr/"Online; ü"\."Dump ü_p ☃" \(.*\) 51:/, 'src: online table of the push view has its rows');
is(inconsistencies($node, 'src'), '', 'src: consistent');

my $online_query = q{SELECT string_agg(driver_id || ':' || coalesce(conv::text, '-') || ':' || coalesce(trips::text, '-'), ',' ORDER BY driver_id)
FROM feast_online_features('public.ent', ARRAY['v:conv', 'v:trips'], project => 'Dump ü') AS t(driver_id bigint, conv real, trips integer)};
my $online_before = $node->safe_psql('src', $online_query);

my $dump_custom = $node->basedir . '/src.dump';
my $dump_plain = $node->basedir . '/src.sql';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump_custom, '-d', $node->connstr('src') ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-Fp', '-f', $dump_plain, '-d', $node->connstr('src') ], 'pg_dump -Fp');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst_custom'), $dump_custom ],
	'pg_restore into a fresh database');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('dst_plain'), '-f', $dump_plain ],
	'plain dump restored with psql');

foreach my $db ('dst_custom', 'dst_plain')
{
	is(fingerprint($node, $db), $before, "$db: registry, online tables and intervals as dumped");
	is(inconsistencies($node, $db), '', "$db: consistent");
	is($node->safe_psql($db, $online_query), $online_before, "$db: online reads return the same values");
	is($node->safe_psql($db, q{SELECT count(*) FROM public.training}), '61', "$db: the saved training set");
	# the next incremental run starts at the restored end, and writes
	is($node->safe_psql($db, q{
SELECT string_agg(feature_view || ' ' || start_date::text || ' ' || (rows_written > 0)::text, ',' ORDER BY feature_view)
FROM feast_materialize_incremental('2024-01-02 12:00', ARRAY['v'], 'Dump ü')}),
		'v 2024-01-01 20:00:00+00 true', "$db: incremental materialization continues from the dump");
	is($node->safe_psql($db, q{SELECT nextval('feast.materialization_runs_run_id_seq') > 5}), 't',
		"$db: the run id sequence continues");
	is(inconsistencies($node, $db), '', "$db: consistent after the next run");
	# apply of the registry's own dump changes nothing
	is($node->safe_psql($db, q{SELECT string_agg(DISTINCT action, ',') FROM feast_apply(feast_registry_dump('Dump ü'))}),
		'unchanged', "$db: apply of the dump after restore changes nothing");
}

$node->stop;
done_testing();
