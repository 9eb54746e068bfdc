# pg_cron end to end (a TAP test because it waits for the next minute's
# tick, up to a minute): a job running the documented command materializes,
# and a failing job leaves a message in cron.job_run_details that stands on
# its own (the view and the cause), and nothing in the registry.
#
# The jobs run in the database pg_cron lives in (cron.database_name), whose
# default project (offline_store.project) is set with ALTER DATABASE.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 20
});
$node->start;

my $db = 'postgres';
$node->safe_psql($db, q{
CREATE EXTENSION offline_store;
CREATE EXTENSION pg_cron;
CREATE TABLE public.cron_src (driver_id bigint, ts timestamptz, v integer);
INSERT INTO public.cron_src VALUES
	(1, now() - interval '10 minutes', 1),
	(1, now() - interval '5 minutes', 2),
	(2, now() - interval '2 hours', 3);
CREATE TABLE public.cron_gone (driver_id bigint, ts timestamptz, v integer);
SELECT count(*) FROM feast_apply($y$
project: cron_test
online_store: {type: postgres, db_schema: cron_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.cron_src, timestamp_field: ts}
feature_views:
  - {name: cron_view, entities: [driver], ttl: 1h, source: src, schema: [{name: v, dtype: Int32}]}
$y$);
SELECT count(*) FROM feast_apply($y$
project: cron_other
online_store: {type: postgres, db_schema: cron_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: gone_src, type: table, table: public.cron_gone, timestamp_field: ts}
feature_views:
  - {name: broken, entities: [driver], source: gone_src, schema: [{name: v, dtype: Int32}]}
$y$);
DROP TABLE public.cron_gone;
ALTER DATABASE postgres SET offline_store.project = 'cron_test';
});

is( $node->safe_psql(
		$db, q{
SELECT cron.schedule('feast-materialize', '* * * * *',
					 $$SELECT * FROM feast_materialize_incremental(now())$$) > 0,
	   cron.schedule('feast-broken', '* * * * *',
					 $$SELECT * FROM feast_materialize_incremental(now(), ARRAY['broken'], 'cron_other')$$) > 0}
	),
	't|t',
	'two jobs scheduled');

# a finished run of each job (the next minute's tick)
ok( $node->poll_query_until(
		$db, q{
SELECT count(DISTINCT j.jobname) = 2 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE d.status IN ('succeeded', 'failed')}),
	'both jobs ran');

is( $node->safe_psql(
		$db, q{
SELECT DISTINCT ON (j.jobname) j.jobname || ' | ' || d.status || ' | ' || d.return_message
FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE d.status IN ('succeeded', 'failed')
ORDER BY j.jobname, d.runid}),
	qq{feast-broken | failed | ERROR: could not materialize feature view "broken": relation "public.cron_gone" of data source "gone_src" does not exist\n}
	  . qq{CONTEXT: materializing feature view "broken"\n}
	  . qq{feast-materialize | succeeded | SELECT 1},
	'the failed run says which view and why; the other succeeded');
$node->safe_psql($db,
	q{SELECT cron.unschedule('feast-materialize'), cron.unschedule('feast-broken')});

# the successful run: the online table and the run record
is($node->safe_psql($db, 'SELECT driver_id, v FROM cron_online.cron_test_cron_view ORDER BY driver_id'),
	'1|2', 'the job materialized the newest value within the ttl');
is( $node->safe_psql(
		$db, q{
SELECT feature_view, incremental, status, rows_read, rows_written
FROM feast.materialization_runs WHERE project = 'cron_test' ORDER BY run_id LIMIT 1}),
	'cron_view|t|succeeded|2|1',
	'the run is recorded');

# the failed run left nothing
is( $node->safe_psql(
		$db, q{
SELECT (SELECT count(*) FROM feast.materialization_runs WHERE project = 'cron_other'),
	   (SELECT count(*) FROM feast.materialization_intervals WHERE project = 'cron_other')}),
	'0|0',
	'the failed run left no run and no interval');

$node->stop;
done_testing();
