# A server crash in the middle of a materialization leaves the online
# tables, the intervals and the runs as they were: all or nothing.
#
#   1. feast_materialize of two views, stopped on the second one's source
#      table (locked by another session) after the first one is written
#      (an online table is not a good place to block: a materialization
#      that cannot lock it fails at once);
#   2. a long materialization of 1,000,000 source rows, crashed while it
#      runs (seen in pg_stat_activity);
#   3. the same materialization run to its end survives a crash, and
#      materialize_incremental then starts where it ended.
#
# After each restart: the registry and the online tables are as before (or
# as committed), the consistency check finds nothing (no interval without
# its run, no online view without its table...), and the materialization
# runs again to the expected result.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib "$FindBin::RealBin/../perl";
use OfsCrash;

my $node = PostgreSQL::Test::Cluster->new('crash_materialize');
$node->init;
$node->append_conf('postgresql.conf', "lock_timeout = 60s\n");
$node->start;

my $db = 'postgres';
$node->safe_psql($db, q{
CREATE EXTENSION offline_store;
CREATE TABLE public.small (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.small
	SELECT i, '2024-01-01'::timestamptz + i * interval '1 minute', i / 10.0
	FROM generate_series(1, 100) i;
CREATE TABLE public.small_b AS SELECT * FROM public.small;
CREATE TABLE public.big (driver_id bigint, ts timestamptz, trips bigint);
INSERT INTO public.big
	SELECT i % 200000, '2024-01-01'::timestamptz + i * interval '1 second', i
	FROM generate_series(1, 1000000) i;
ANALYZE public.small, public.small_b, public.big;
SELECT count(*) FROM feast_apply($y$
project: crash_mat
online_store: {type: postgres, db_schema: crash_mat_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: small, type: table, table: public.small, timestamp_field: ts}
  - {name: small_b, type: table, table: public.small_b, timestamp_field: ts}
  - {name: big, type: table, table: public.big, timestamp_field: ts}
feature_views:
  - {name: a, entities: [driver], source: small, schema: [{name: conv, dtype: Float32}]}
  - {name: b, entities: [driver], source: small_b, schema: [{name: conv, dtype: Float32}]}
  - {name: big, entities: [driver], source: big, schema: [{name: trips, dtype: Int64}]}
$y$);
});
install_helpers($node, $db);

sub crash_and_restart
{
	my @sessions = @_;
	$node->stop('immediate');
	eval { $_->quit; } foreach @sessions;
	$node->start;
	return;
}

sub materialize
{
	my ($args) = @_;
	return $node->safe_psql($db,
		"SELECT string_agg(feature_view || ' ' || rows_written, ',' ORDER BY feature_view) "
		  . "FROM feast_materialize($args, project => 'crash_mat')");
}

my $state0 = fingerprint($node, $db);
is(inconsistencies($node, $db), '', 'initial state consistent');

# 1. Two views; the second one's source is locked.
my $locker = $node->background_psql($db);
$locker->query_safe('BEGIN; LOCK TABLE public.small_b IN ACCESS EXCLUSIVE MODE;');
my $worker = $node->background_psql($db, on_error_stop => 0);
# (progress shown in pg_stat_activity at once: src/progress.c)
$worker->query_until(qr/started/,
	"SET offline_store.progress_interval = 0;\n"
	  . "\\echo started\nSELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['a', 'b'], 'crash_mat');\n");
my $waiting = q{
SELECT count(*) > 0 FROM pg_stat_activity
WHERE wait_event_type = 'Lock'
  AND query LIKE '%feast_materialize(%/* offline_store: feast_materialize: preparing feature view "b" (2 of 2) */'};
my $waits = $node->poll_query_until($db, $waiting);
ok($waits, '1: the materialization waits for the second view');
BAIL_OUT('the materialization did not block: ' . $worker->{stderr}) unless $waits;
my $held = $node->safe_psql($db, q{
SELECT string_agg(DISTINCT c.relname, ',' ORDER BY c.relname)
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity s ON s.pid = l.pid
WHERE s.query LIKE '%feast_materialize(%' AND s.pid <> pg_backend_pid()
  AND l.mode = 'RowExclusiveLock' AND l.granted});
like($held, qr/crash_mat_a/, "1: the first view's online table is written ($held) when the server crashes");
crash_and_restart($locker, $worker);
is(fingerprint($node, $db), $state0, '1: online tables, intervals and runs as before');
is(inconsistencies($node, $db), '', '1: consistent');
is(materialize("'2024-01-01', '2024-01-02', ARRAY['a', 'b']"), 'a 100,b 100',
	'1: the materialization runs again whole');
is(inconsistencies($node, $db), '', '1: consistent after the rerun');
my $state1 = fingerprint($node, $db);

# 2. A long materialization, crashed while it runs.
$worker = $node->background_psql($db, on_error_stop => 0);
$worker->query_until(qr/started/,
	"\\echo started\nSELECT * FROM feast_materialize('2024-01-01', '2024-02-01', ARRAY['big'], 'crash_mat');\n");
ok($node->poll_query_until($db, q{
SELECT count(*) > 0 FROM pg_stat_activity
WHERE state = 'active' AND pid <> pg_backend_pid()
  AND query LIKE '%feast_materialize(%'}),
	'2: the long materialization runs');
# no sleep here: on a fast machine the run could end before the crash
my $running = $node->safe_psql($db, q{
SELECT count(*) FROM pg_stat_activity
WHERE state = 'active' AND pid <> pg_backend_pid()
  AND query LIKE '%feast_materialize(%'});
is($running, '1', '2: still running when the server crashes');
crash_and_restart($worker);
is(fingerprint($node, $db), $state1, '2: online tables, intervals and runs as before');
is(inconsistencies($node, $db), '', '2: consistent');

# 3. The same run to its end survives a crash.
is(materialize("'2024-01-01', '2024-02-01', ARRAY['big']"), 'big 200000',
	'3: the long materialization completes');
my $state3 = fingerprint($node, $db);
crash_and_restart();
is(fingerprint($node, $db), $state3, '3: committed materialization kept after the crash');
is(inconsistencies($node, $db), '', '3: consistent');
is($node->safe_psql($db, q{
SELECT feature_view || ' ' || count(*) || ' ' || max(end_date)::text FROM feast.materialization_intervals
WHERE project = 'crash_mat' GROUP BY feature_view ORDER BY feature_view}),
	"a 1 2024-01-02 00:00:00+00\nb 1 2024-01-02 00:00:00+00\nbig 1 2024-02-01 00:00:00+00",
	'3: one interval per committed run');
is($node->safe_psql($db, q{
SELECT string_agg(feature_view || ' ' || start_date::text, ',' ORDER BY feature_view)
FROM feast_materialize_incremental('2024-02-02', ARRAY['a', 'big'], 'crash_mat')}),
	'a 2024-01-02 00:00:00+00,big 2024-02-01 00:00:00+00',
	'3: materialize_incremental starts at the end of the committed runs');

ok(!$node->log_contains('TRAP:'), 'no assertion failure');
$node->stop;
done_testing();
