# Real clients over TCP: what a BI tool sees through JDBC, and a training
# set loaded into pandas.
#
# A node listens on 127.0.0.1 (trust authentication, for the test). A
# project with two online feature views, a feature service over both
# (which gets a feature service view) and a training view is set up and
# materialized. Then:
#
# - test/clients/MetadataProbe.java, compiled here with javac and run with
#   Debian's PostgreSQL JDBC driver (/usr/share/java/postgresql.jar), lists
#   tables, views and columns through DatabaseMetaData as a BI tool does
#   (getTables, getColumns with type names, java.sql.Types and REMARKS),
#   reads both views, and filters the service view by key with a prepared
#   statement;
# - test/clients/pandas_probe.py loads a training set with pandas.read_sql
#   on the query feast_historical_sql returns (psycopg2), from a session in
#   another time zone, and checks the dtypes: tz-aware UTC timestamps,
#   numeric features.
#
# The packages (default-jdk-headless, libpostgresql-jdbc-java,
# python3-psycopg2, python3-pandas) come with scripts/setup.sh. Without
# them the test is skipped, loudly; in CI (CI set) it fails instead.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $jar = '/usr/share/java/postgresql.jar';
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
my $clients = ($ENV{TESTDIR} || '.') . '/test/clients';

my @missing;
push @missing, 'javac and java (default-jdk-headless)'
  if system('command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1') != 0;
push @missing, "$jar (libpostgresql-jdbc-java)" unless -r $jar;
push @missing, 'python3 with psycopg2 and pandas (python3-psycopg2, python3-pandas)'
  if system("$python -c 'import psycopg2, pandas' >/dev/null 2>&1") != 0;
if (@missing)
{
	my $what = join('; ', @missing);

	if ($ENV{CI})
	{
		fail("client packages missing in CI: $what");
		done_testing();
		exit 1;
	}
	diag('!' x 72);
	diag("!!! SKIPPING the JDBC and pandas client tests: missing $what");
	diag('!!! Install them with scripts/setup.sh (or apt-get install default-jdk-headless');
	diag('!!! libpostgresql-jdbc-java python3-psycopg2 python3-pandas).');
	diag('!' x 72);
	plan skip_all => "client packages missing: $what";
}

my $node = PostgreSQL::Test::Cluster->new('clients');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'\n");
$node->start;
my $port = $node->port;
my $user = $node->safe_psql('postgres', 'SELECT current_user');

$node->safe_psql('postgres', 'CREATE DATABASE clients');
$node->safe_psql('clients', q{
CREATE EXTENSION offline_store;
CREATE TABLE public.driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz,
	conv_rate real, acc_rate double precision, avg_daily_trips bigint);
INSERT INTO public.driver_stats VALUES
	(1001, '2024-01-01 10:00+00', '2024-01-01 10:00+00', 0.5, 0.9, 10),
	(1001, '2024-01-01 12:00+00', '2024-01-01 12:00+00', 0.6, 0.8, 12),
	(1002, '2024-01-01 11:00+00', '2024-01-01 11:00+00', 0.7, 0.7, 20);
CREATE TABLE public.driver_ratings (driver_id bigint, ts timestamp, rating numeric(3, 2));
INSERT INTO public.driver_ratings VALUES (1001, '2024-01-01 09:00', 4.5), (1003, '2024-01-01 09:00', 3.25);
CREATE TABLE public.labels (driver_id bigint, event_timestamp timestamptz, trip_completed integer);
INSERT INTO public.labels VALUES (1001, '2024-01-01 11:00+00', 1), (1001, '2024-01-01 13:00+00', 0),
	(1002, '2024-01-01 12:00+00', 1), (1004, '2024-01-01 12:00+00', 0);
});
$node->safe_psql('clients', q{
SELECT count(*) FROM feast_apply($y$
project: clients
online_store: {type: postgres, db_schema: feast_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.driver_stats, timestamp_field: event_timestamp, created_timestamp_column: created}
  - {name: ratings, type: table, table: public.driver_ratings, timestamp_field: ts}
feature_views:
  - name: driver_hourly_stats
    entities: [driver]
    ttl: 1d
    source: stats
    schema:
      - {name: conv_rate, dtype: Float32}
      - {name: acc_rate, dtype: Float64}
      - {name: avg_daily_trips, dtype: Int64}
  - name: driver_ratings
    entities: [driver]
    source: ratings
    schema: [{name: rating, dtype: Float64}]
feature_services:
  - name: driver_activity
    features:
      - {feature_view: driver_hourly_stats, features: [conv_rate, avg_daily_trips]}
      - driver_ratings
$y$);
SELECT count(*) FROM feast_materialize('2024-01-01', '2024-01-02');
SELECT feast_create_training_view('public.training_set', 'public.labels',
	ARRAY['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips', 'driver_ratings:rating'],
	project => 'clients');
});

# JDBC: what a BI tool sees
my $classes = PostgreSQL::Test::Utils::tempdir;
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'javac', '-d', $classes, "$clients/MetadataProbe.java" ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'MetadataProbe compiles') or diag($stderr);
$ok = IPC::Run::run(
	[
		'java', '-Duser.timezone=UTC', '-cp', "$classes:$jar", 'MetadataProbe',
		"jdbc:postgresql://127.0.0.1:$port/clients", $user, 'public,feast_online',
		'feast_online.clients_driver_activity', 'driver_id', '1001'
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'MetadataProbe runs') or diag($stderr);
note($stdout);

my $expected = <<'EOF';
driver PostgreSQL JDBC Driver
TABLE public.driver_ratings
TABLE public.driver_stats
TABLE public.labels
VIEW public.training_set -- offline_store training view of project "clients": features driver_hourly_stats:conv_rate, driver_hourly_stats:avg_daily_trips, driver_ratings:rating as of each row of entity_df public.labels
TABLE feast_online.clients_driver_hourly_stats -- offline_store online table of feature view "driver_hourly_stats" of project "clients"
TABLE feast_online.clients_driver_ratings -- offline_store online table of feature view "driver_ratings" of project "clients"
VIEW feast_online.clients_driver_activity -- offline_store feature service view of feature service "driver_activity" of project "clients": the online features of its projections, one row per join key present in any of their online tables
  COLUMN public.training_set.driver_id int8 BIGINT
  COLUMN public.training_set.event_timestamp timestamptz TIMESTAMP
  COLUMN public.training_set.trip_completed int4 INTEGER
  COLUMN public.training_set.conv_rate float4 REAL
  COLUMN public.training_set.avg_daily_trips int8 BIGINT
  COLUMN public.training_set.rating numeric NUMERIC
  READ public.training_set: driver_id int8 java.lang.Long, event_timestamp timestamptz java.sql.Timestamp, trip_completed int4 java.lang.Integer, conv_rate float4 java.lang.Float, avg_daily_trips int8 java.lang.Long, rating numeric java.math.BigDecimal
    1001 | 2024-01-01 11:00:00+00 | 1 | 0.5 | 10 | 4.50
    1001 | 2024-01-01 13:00:00+00 | 0 | 0.6 | 12 | 4.50
    1002 | 2024-01-01 12:00:00+00 | 1 | 0.7 | 20 | null
    1004 | 2024-01-01 12:00:00+00 | 0 | null | null | null
  COLUMN feast_online.clients_driver_activity.driver_id int8 BIGINT -- join key of entity driver (INT64)
  COLUMN feast_online.clients_driver_activity.conv_rate float4 REAL -- feature conv_rate of feature view driver_hourly_stats (Float32)
  COLUMN feast_online.clients_driver_activity.avg_daily_trips int8 BIGINT -- feature avg_daily_trips of feature view driver_hourly_stats (Int64)
  COLUMN feast_online.clients_driver_activity.rating numeric NUMERIC -- feature rating of feature view driver_ratings (Float64)
  READ feast_online.clients_driver_activity: driver_id int8 java.lang.Long, conv_rate float4 java.lang.Float, avg_daily_trips int8 java.lang.Long, rating numeric java.math.BigDecimal
    1001 | 0.6 | 12 | 4.50
    1002 | 0.7 | 20 | null
    1003 | null | null | 3.25
  READ feast_online.clients_driver_activity WHERE driver_id = 1001: driver_id int8 java.lang.Long, conv_rate float4 java.lang.Float, avg_daily_trips int8 java.lang.Long, rating numeric java.math.BigDecimal
    1001 | 0.6 | 12 | 4.50
EOF
is($stdout, $expected, 'JDBC sees the training view and the feature service view, typed and commented');

# pandas: a training set through feast_historical_sql
$ok = IPC::Run::run(
	[
		$python, "$clients/pandas_probe.py", '127.0.0.1', $port, 'clients', $user,
		'clients', 'public.labels', 'driver_hourly_stats:conv_rate',
		'driver_hourly_stats:avg_daily_trips', 'driver_ratings:rating'
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pandas_probe runs and its checks pass') or diag($stderr);
note($stdout);
my $expected_py = <<'EOF';
dtype driver_id: int64
dtype event_timestamp: datetime64[ns, UTC]
dtype trip_completed: int64
dtype conv_rate: float64
dtype avg_daily_trips: float64
dtype rating: float64
row 1001 | 2024-01-01 11:00:00+00:00 | 1 | 0.5 | 10.0 | 4.5
row 1001 | 2024-01-01 13:00:00+00:00 | 0 | 0.6 | 12.0 | 4.5
row 1002 | 2024-01-01 12:00:00+00:00 | 1 | 0.7 | 20.0 | NaN
row 1004 | 2024-01-01 12:00:00+00:00 | 0 | NaN | NaN | NaN
ok 4 rows, event_timestamp tz-aware UTC, numeric features
EOF
is($stdout, $expected_py, 'pandas: tz-aware UTC timestamps and numeric dtypes');

$node->stop;
done_testing();
