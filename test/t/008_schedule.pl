# feast_schedule end to end with the real pg_cron (one wait for the minute
# tick, for every job at once).
#
# One cluster with pg_cron in database feastdb (cron.database_name), and
# offline_store in feastdb and in otherdb:
#
#   feastdb  project p_one: views "good" and "broken" (its source table is
#            dropped after apply); project p_two: view "good". Both
#            scheduled by the superuser, in this database (cron.schedule).
#   otherdb  project p_other, owned by regress_sched_alice (not a
#            superuser), scheduled by her from otherdb, where pg_cron is not
#            installed: cron.schedule_in_database in feastdb over libpq, as
#            her, with the password she gives in
#            offline_store.cron_conninfo (pg_hba.conf asks her for it).
#
# After one tick: p_one's run fails in cron.job_run_details naming "broken",
# its good view is online and "broken"'s failure is in
# feast.materialization_runs; p_two's run succeeds (the two projects are
# independent); p_other's job ran in otherdb as alice; freshness reflects
# all of it. Before that: the errors without pg_cron (a second cluster
# without it, and otherdb before pg_cron is installed in feastdb), without
# or with a wrong password, and a rolled-back remote schedule leaving no
# job.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $alice = 'regress_sched_alice';
my $alice_password = 'alice-secret';
my $bob = 'regress_sched_bob';

# Runs sql in db, on through errors; returns stderr (empty when it
# succeeded).
sub psql_error
{
	my ($node, $db, $sql) = @_;
	my ($out, $err) = ('', '');
	$node->psql($db, $sql, stdout => \$out, stderr => \$err, on_error_stop => 0);
	return $err;
}

# --- a cluster without pg_cron: the error says how to set it up
my $plain = PostgreSQL::Test::Cluster->new('schedule_no_cron');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', q{
CREATE EXTENSION offline_store;
CREATE TABLE public.s (driver_id bigint, ts timestamptz, conv real);
SELECT count(*) FROM feast_apply($y$
project: p
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: s, type: table, table: public.s, timestamp_field: ts}]
feature_views: [{name: v, entities: [driver], source: s, schema: [{name: conv, dtype: Float32}]}]
$y$);
});
my $err = psql_error($plain, 'postgres', q{SELECT feast_schedule('* * * * *', 'p')});
like($err, qr/ERROR:  pg_cron is not loaded/, 'without pg_cron: error');
like($err, qr/HINT:  Install pg_cron \(on Debian: apt-get install postgresql-15-cron\), add pg_cron to shared_preload_libraries, set cron.database_name/,
	'without pg_cron: the hint says how to install and preload it');
$plain->stop;

# --- the cluster with pg_cron in feastdb
my $node = PostgreSQL::Test::Cluster->new('schedule');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'feastdb'
cron.use_background_workers = on
max_worker_processes = 20
});
# alice is asked for her password on local connections: the only way a role
# that is not a superuser may reach pg_cron in another database
my $hba = $node->data_dir . '/pg_hba.conf';
my $hba_rules = slurp_file($hba);
open(my $fh, '>', $hba) or die "could not write $hba: $!";
print $fh "local all $alice scram-sha-256\n" . $hba_rules;
close($fh);
$node->start;

$node->safe_psql('postgres', qq{
CREATE DATABASE feastdb;
CREATE DATABASE otherdb;
CREATE ROLE $alice LOGIN PASSWORD '$alice_password';
-- bob, a member of alice, logs in without a password (trust)
CREATE ROLE $bob LOGIN PASSWORD 'bob-secret' IN ROLE $alice;
});

# Source rows of the last hours (incremental materialization looks back 52
# weeks the first time).
my $setup = q{
CREATE EXTENSION offline_store;
CREATE TABLE public.s_stats (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.s_stats VALUES
	(1, now() - interval '3 hours', 0.1),
	(1, now() - interval '2 hours', 0.2),
	(2, now() - interval '1 hour', 0.3);
};
$node->safe_psql('feastdb', $setup . q{
CREATE TABLE public.s_gone (driver_id bigint, ts timestamptz, conv real);
SELECT count(*) FROM feast_apply($y$
project: p_one
online_store: {type: postgres, db_schema: one_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.s_stats, timestamp_field: ts}
  - {name: gone, type: table, table: public.s_gone, timestamp_field: ts}
feature_views:
  - {name: broken, entities: [driver], source: gone, schema: [{name: conv, dtype: Float32}]}
  - {name: good, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
SELECT count(*) FROM feast_apply($y$
project: p_two
online_store: {type: postgres, db_schema: two_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.s_stats, timestamp_field: ts}]
feature_views:
  - {name: good, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
DROP TABLE public.s_gone;
});
$node->safe_psql('otherdb', $setup . qq{
SELECT count(*) FROM feast_apply(\$y\$
project: p_other
online_store: {type: postgres, db_schema: other_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.s_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
\$y\$);
-- a project named as one of feastdb's
SELECT count(*) FROM feast_apply(\$y\$
project: p_two
online_store: {type: postgres, db_schema: other_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.s_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
\$y\$);
-- alice owns p_other, with what README says a project's owner is granted
UPDATE feast.projects SET owner = '$alice' WHERE name = 'p_other';
GRANT EXECUTE ON FUNCTION feast_schedule(text, text), feast_unschedule(text),
	feast_materialize_incremental(timestamptz, text[], text) TO $alice;
GRANT EXECUTE ON PROCEDURE feast_materialize_scheduled(text) TO $alice;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA feast TO $alice;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA feast TO $alice;
GRANT USAGE ON SCHEMA other_online TO $alice;
GRANT SELECT ON public.s_stats TO $alice;
});

# --- pg_cron is loaded, not yet installed in feastdb
$err = psql_error($node, 'otherdb', q{SELECT feast_schedule('* * * * *', 'p_other')});
like($err, qr/ERROR:  extension "pg_cron" is not installed in database "feastdb"/,
	'from otherdb, pg_cron not installed in feastdb: error');
like($err, qr/HINT:  Run CREATE EXTENSION pg_cron in database "feastdb"/, '... with the hint');

$node->safe_psql('feastdb', qq{
CREATE EXTENSION pg_cron;
GRANT USAGE ON SCHEMA cron TO $alice;
GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO $alice;
});

# --- two projects scheduled in feastdb, where pg_cron is
my $job_one = $node->safe_psql('feastdb', q{SELECT feast_schedule('* * * * *', 'p_one')});
my $job_two = $node->safe_psql('feastdb', q{SELECT feast_schedule('* * * * *', 'p_two')});
isnt($job_one, $job_two, 'one job per project');

# --- alice schedules p_other from otherdb
my $as_alice = "SET ROLE $alice;\n";
$err = psql_error($node, 'otherdb', $as_alice . q{SELECT feast_schedule('* * * * *', 'p_other')});
like($err, qr/ERROR:  password is required/, 'alice without a password: error');
like($err, qr/HINT:  Give the password in the session: SET offline_store.cron_conninfo/, '... the hint names the setting');
$err = psql_error($node, 'otherdb', $as_alice
	  . q{SET offline_store.cron_conninfo = 'password=wrong';
		  SELECT feast_schedule('* * * * *', 'p_other')});
like($err, qr/ERROR:  could not connect to database "feastdb", where pg_cron is installed\nDETAIL:  .*password authentication failed for user "$alice"/,
	'alice with a wrong password: error');
# a password is never taken from the catalogs, where every role reads it:
# refused when stored (the library is loaded), ignored with a warning when
# read (stored while it was not)
$err = psql_error($node, 'otherdb',
	"LOAD 'offline_store'; ALTER ROLE $alice SET offline_store.cron_conninfo = 'password=x'");
like($err, qr/ERROR:  invalid value for parameter "offline_store.cron_conninfo": "password=x"\nDETAIL:  A password must not be stored in the system catalogs/,
	'no password stored with ALTER ROLE SET');
$node->safe_psql('otherdb',
	"ALTER DATABASE otherdb SET offline_store.cron_conninfo = 'password=$alice_password'");
$err = psql_error($node, 'otherdb', $as_alice . q{SELECT feast_schedule('* * * * *', 'p_other')});
like($err, qr/WARNING:  invalid value for parameter "offline_store.cron_conninfo".*ERROR:  password is required/s,
	'a password stored with ALTER DATABASE SET is not used');
$node->safe_psql('otherdb', 'ALTER DATABASE otherdb RESET offline_store.cron_conninfo');

my $with_password = $as_alice . "SET offline_store.cron_conninfo = 'password=$alice_password';\n";
my $job_other = $node->safe_psql('otherdb', $with_password
	  . q{SELECT feast_schedule('* * * * *', 'p_other')});
like($job_other, qr/^\d+$/, 'alice schedules p_other from otherdb');

# bob gives his password, but the server does not ask for it: refused
$err = psql_error($node, 'otherdb', qq{SET ROLE $bob;
SET offline_store.cron_conninfo = 'password=bob-secret';
SELECT feast_schedule('* * * * *', 'p_other')});
like($err, qr/ERROR:  password is required\nDETAIL:  The server let role "$bob" connect to database "feastdb" without asking for its password\./,
	'bob, whom the server does not ask for a password: error');

# remote changes go with the caller's transaction: a rollback, a rollback to
# a savepoint taken before the connection, leave no job; a rollback to a
# savepoint after an earlier change makes the commit fail
$node->safe_psql('otherdb', q{
BEGIN;
SELECT feast_schedule('0 0 31 2 *', 'p_other');
ROLLBACK;
BEGIN;
SAVEPOINT a;
SELECT feast_schedule('0 0 31 2 *', 'p_other');
ROLLBACK TO a;
COMMIT;
});
$err = psql_error($node, 'otherdb', q{
BEGIN;
SELECT feast_schedule('0 0 31 2 *', 'p_other');
SAVEPOINT a;
SELECT feast_schedule('61 * * * *', 'p_other');
ROLLBACK TO a;
COMMIT;
});
like($err, qr/ERROR:  invalid schedule: 61 \* \* \* \*.*ERROR:  a change to pg_cron jobs in database "feastdb" was rolled back with a savepoint/s,
	'a savepoint rolled back after a remote change: the commit fails');

# the superuser's p_two job runs in feastdb: p_two of otherdb cannot take it
$err = psql_error($node, 'otherdb', q{SELECT feast_schedule('0 0 31 2 *', 'p_two')});
like($err, qr/ERROR:  pg_cron job "feast_materialize:p_two" of role "\w+" already exists in database "feastdb"/,
	'a project of the same name in another database: error');
is($node->safe_psql('otherdb', q{SELECT feast_unschedule('p_two')}), 'f',
	'... and feast_unschedule there leaves feastdb\'s job alone');

is( $node->safe_psql('feastdb', q{
SELECT string_agg(concat_ws('|', jobname, schedule, command, database, username), E'\n'
				  ORDER BY jobname COLLATE "C", username COLLATE "C")
FROM cron.job}),
	"feast_materialize:p_one|* * * * *|CALL public.feast_materialize_scheduled('p_one')|feastdb|"
	  . $node->safe_psql('postgres', 'SELECT current_user') . "\n"
	  . "feast_materialize:p_other|* * * * *|CALL public.feast_materialize_scheduled('p_other')|otherdb|$alice\n"
	  . "feast_materialize:p_two|* * * * *|CALL public.feast_materialize_scheduled('p_two')|feastdb|"
	  . $node->safe_psql('postgres', 'SELECT current_user'),
	'cron.job: three jobs, p_other in otherdb as alice, no rolled-back job');

# --- the one wait: every job has finished a run
ok( $node->poll_query_until('feastdb', qq{
SELECT count(DISTINCT jobid) = 3 FROM cron.job_run_details
WHERE jobid IN ($job_one, $job_two, $job_other) AND status IN ('succeeded', 'failed')}),
	'every job ran once');

# stop them before the next tick
is($node->safe_psql('feastdb', q{SELECT feast_unschedule('p_one'), feast_unschedule('p_two')}),
	't|t', 'p_one and p_two unscheduled');
is($node->safe_psql('otherdb', $with_password . q{SELECT feast_unschedule('p_other')}),
	't', 'alice unschedules p_other');
is($node->safe_psql('feastdb', 'SELECT count(*) FROM cron.job'), '0', 'no job left');

# --- what the runs did
my %run;
foreach my $job ([ 'one', $job_one ], [ 'two', $job_two ], [ 'other', $job_other ])
{
	$run{ $job->[0] } = $node->safe_psql('feastdb', qq{
SELECT concat_ws('|', status, database, username, return_message)
FROM cron.job_run_details WHERE jobid = $job->[1] AND status IN ('succeeded', 'failed')
ORDER BY runid LIMIT 1});
	note("cron.job_run_details of p_$job->[0]: $run{$job->[0]}");
}
like($run{one}, qr/^failed\|feastdb\|[^|]+\|ERROR: could not materialize feature view "broken" of project "p_one"\n/,
	'p_one: the run failed, naming the broken view');
like($run{one}, qr/\nDETAIL: 1 of 2 feature views failed; the other one was materialized\./,
	'p_one: the detail says the other view was materialized');
like($run{two}, qr/^succeeded\|feastdb\|[^|]+\|CALL$/, 'p_two: the run succeeded');
is($run{other}, "succeeded|otherdb|$alice|CALL", 'p_other: ran in otherdb, as alice');

is($node->safe_psql('feastdb', q{SELECT string_agg(driver_id || ' ' || conv, ',' ORDER BY driver_id) FROM one_online.p_one_good}),
	'1 0.2,2 0.3', 'p_one: the good view is online');
is($node->safe_psql('feastdb', 'SELECT count(*) FROM one_online.p_one_broken'),
	'0', 'p_one: the broken view wrote nothing');
is($node->safe_psql('feastdb', q{SELECT string_agg(driver_id || ' ' || conv, ',' ORDER BY driver_id) FROM two_online.p_two_good}),
	'1 0.2,2 0.3', 'p_two: online');
is($node->safe_psql('otherdb', q{SELECT string_agg(driver_id || ' ' || conv, ',' ORDER BY driver_id) FROM other_online.p_other_v}),
	'1 0.2,2 0.3', 'p_other: online, in otherdb');

# the failure is recorded, and survived the run's final error
my $runs = $node->safe_psql('feastdb', q{
SELECT string_agg(concat_ws('|', project, feature_view, status, rows_written, error), E'\n'
				  ORDER BY project, feature_view)
FROM (SELECT DISTINCT ON (project, feature_view) * FROM feast.materialization_runs
	  ORDER BY project, feature_view, run_id) r});
note("feast.materialization_runs in feastdb:\n$runs");
like($runs, qr/^p_one\|broken\|failed\|0\|could not materialize feature view "broken": relation "public.s_gone" .*does not exist$/m,
	'feastdb: the failure of "broken" is in feast.materialization_runs');
like($runs, qr/^p_one\|good\|succeeded\|2$/m, 'feastdb: p_one good succeeded');
like($runs, qr/^p_two\|good\|succeeded\|2$/m, 'feastdb: p_two good succeeded');
is($node->safe_psql('otherdb', q{
SELECT string_agg(concat_ws('|', project, feature_view, status, rows_written), ',')
FROM feast.materialization_runs}), 'p_other|v|succeeded|2', 'otherdb: the run of p_other');

# freshness reflects both outcomes
my $fresh = $node->safe_psql('feastdb', q{
SELECT string_agg(concat_ws('|', project, feature_view, materialized_until IS NOT NULL,
							coalesce((lag < interval '10 minutes')::text, 'null'), last_status,
							last_error IS NOT NULL), E'\n'
				  ORDER BY project, feature_view)
FROM feast.feature_view_freshness});
note("feast.feature_view_freshness in feastdb:\n$fresh");
is($fresh, "p_one|broken|f|null|failed|t\np_one|good|t|true|succeeded|f\np_two|good|t|true|succeeded|f",
	'feastdb: freshness of the three views');
is($node->safe_psql('otherdb', q{
SELECT concat_ws('|', project, feature_view, materialized_until IS NOT NULL, last_status)
FROM feast.feature_view_freshness WHERE project = 'p_other'}), 'p_other|v|t|succeeded', 'otherdb: freshness');

$node->stop;
done_testing();
