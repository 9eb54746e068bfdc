# pg_dump and restore keep the whole registry and the online tables.
#
# A registry is populated through feast_apply (with a source table, a push
# source, an online and an entity-less view with an aggregation, a feature
# service) plus a materialization interval, a run and a saved dataset, and
# two training views (one with as_of). The database is dumped with pg_dump
# -Fc and restored into a fresh database, where CREATE EXTENSION comes from
# the dump itself. Every registry table must have the same rows (md5 of its
# sorted rows), the online tables, the feature service view and the
# training views must exist, be recorded by their restored OIDs and read
# their rows (the training view with as_of still without the rows created
# after it), and applying the restored registry's own dump must change
# nothing.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');

$node->safe_psql('src', q{
CREATE EXTENSION offline_store;
CREATE TABLE public.driver_stats (
	driver_id bigint, event_timestamp timestamptz, created timestamptz,
	conv real, trips integer, "Label: ü" text);
INSERT INTO public.driver_stats VALUES
	(1, '2024-01-01 00:00+00', '2024-01-01 00:00+00', 0.5, 3, 'a'),
	(2, '2024-01-01 01:00+00', NULL, 0.7, 4, 'b');
});

my $doc = <<'YAML';
project: dump_restore
project_description: "dump and restore"
online_store: {type: postgres, db_schema: "Online ü"}
registry: {registry_type: sql, path: "postgresql://x/y"}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64, tags: {team: "a: b"}}
sources:
  - name: stats
    type: table
    table: public.driver_stats
    timestamp_field: event_timestamp
    created_timestamp_column: created
    field_mapping: {"Label: ü": label}
  - {name: stats_push, type: push, batch_source: stats}
feature_views:
  - name: driver_stats
    entities: [driver]
    ttl: 2h
    source: stats
    schema:
      - {name: conv, dtype: Float32, tags: {unit: ratio}}
      - {name: trips, dtype: Int32}
      - {name: label, dtype: String}
  - name: totals
    entities: []
    source: stats_push
    schema:
      - {name: trips, dtype: Int64}
    aggregations:
      - {column: trips, function: sum, time_window: 1d, name: trips_1d}
feature_services:
  - name: svc
    features:
      - driver_stats
      - {feature_view: driver_stats, name: recent, features: [conv], join_key_map: {driver_id: other_id}}
  - {name: svc_online, features: [{feature_view: driver_stats, features: [conv, label]}]}
YAML

my $created = $node->safe_psql('src',
	"SELECT string_agg(object_type || ' ' || action, ',') FROM feast_apply(\$y\$$doc\$y\$)");
is($created,
	'project created,entity created,data_source created,data_source created,'
	  . 'feature_view created,feature_view created,feature_service created,'
	  . 'feature_service created,feature_service_view created',
	'registry populated through feast_apply');

$node->safe_psql('src', q{
INSERT INTO "Online ü".dump_restore_driver_stats (driver_id, conv, trips, label, event_timestamp)
	VALUES (1, 0.5, 3, 'a', '2024-01-01 00:00+00');
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
	VALUES ('dump_restore', 'driver_stats', '2024-01-01', '2024-01-02');
INSERT INTO feast.materialization_runs (project, feature_view, start_date, end_date,
	incremental, rows_read, rows_written, started_at, finished_at)
	VALUES ('dump_restore', 'driver_stats', '2024-01-01', '2024-01-02', false, 2, 1,
		'2024-01-02 00:00+00', '2024-01-02 00:00:01+00');
INSERT INTO feast.saved_datasets (project, name, entity_df, features, full_feature_names, row_count)
	VALUES ('dump_restore', 'public.training', 'SELECT 1', '{driver_stats:conv}', false, 2);
CREATE TABLE public.labels (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.labels VALUES (1, '2024-01-01 00:30+00'), (2, '2024-01-01 02:00+00');
SELECT feast_create_training_view('public."Training ü"', 'public.labels',
	ARRAY['driver_stats:conv', 'driver_stats:label'], project => 'dump_restore');
SELECT feast_create_training_view('public.training_as_of', 'public.labels',
	ARRAY['driver_stats:conv', 'driver_stats:label'], project => 'dump_restore',
	as_of => '2024-01-01 00:45+00');
});

my @tables = split /\n/, $node->safe_psql('src',
	"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	  . "WHERE n.nspname = 'feast' AND c.relkind = 'r' ORDER BY c.relname COLLATE \"C\"");
cmp_ok(scalar(@tables), '>=', 12, 'registry tables found');

sub table_fingerprints
{
	my ($db) = @_;
	my %fp;
	foreach my $t (@tables)
	{
		$fp{$t} = $node->safe_psql($db,
			"SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text COLLATE \"C\")), '') "
			  . "FROM feast.$t x");
	}
	return \%fp;
}

my $before = table_fingerprints('src');
foreach my $t (@tables)
{
	unlike($before->{$t}, qr/^0 /, "src: feast.$t has rows");
}

my $dumpfile = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('src') ],
	'pg_dump');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dumpfile ],
	'pg_restore into a fresh database');

my $after = table_fingerprints('dst');
foreach my $t (@tables)
{
	is($after->{$t}, $before->{$t}, "feast.$t rows intact after restore");
}

is($node->safe_psql('dst',
		"SELECT extversion FROM pg_extension WHERE extname = 'offline_store'"),
	'0.1.0', 'extension restored by the dump');
is($node->safe_psql('dst',
		"SELECT string_agg(feature_view || ' ' || schema_name || '.' || table_name, ',' ORDER BY feature_view) FROM feast.online_tables"),
	'driver_stats Online ü.dump_restore_driver_stats,totals Online ü.dump_restore_totals',
	'online tables recorded');
is($node->safe_psql('dst',
		q{SELECT bool_and(relid::oid = to_regclass(format('%I.%I', schema_name, table_name))::oid) FROM feast.online_tables}),
	't', 'recorded online table OIDs are those of the restored tables');
is($node->safe_psql('dst',
		q{SELECT driver_id || ' ' || conv || ' ' || label FROM "Online ü".dump_restore_driver_stats}),
	'1 0.5 a', 'online table exists with its rows');
is($node->safe_psql('dst',
		q{SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '"Online ü".dump_restore_driver_stats'::regclass AND contype = 'p'}),
	'PRIMARY KEY (driver_id)', 'online table keeps its primary key');
is($node->safe_psql('dst',
		q{SELECT string_agg(feature_service || ' ' || relid::text, ',') FROM feast.feature_service_views}),
	'svc_online "Online ü".dump_restore_svc_online', 'feature service view recorded');
is($node->safe_psql('dst',
		q{SELECT bool_and(relid::oid = to_regclass(format('%I.%I', schema_name, view_name))::oid) FROM feast.feature_service_views}),
	't', 'recorded feature service view OID is that of the restored view');
is($node->safe_psql('dst',
		q{SELECT driver_id || ' ' || conv || ' ' || label FROM "Online ü".dump_restore_svc_online}),
	'1 0.5 a', 'feature service view reads the restored online table');
is($node->safe_psql('dst',
		q{SELECT string_agg(relid::text || ' ' || coalesce(to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '-'), ',' ORDER BY relid::text COLLATE "C") FROM feast.training_views}),
	'"Training ü" -,training_as_of 2024-01-01 00:45', 'training views recorded, with their as_of');
is($node->safe_psql('dst',
		q{SELECT string_agg(driver_id || ' ' || coalesce(conv::text, '-') || ' ' || coalesce(label, '-'), ',' ORDER BY driver_id) FROM public."Training ü"}),
	'1 0.5 a,2 0.7 b', 'training view reads after restore');
# driver 2's row was created (its created NULL: at its event time) at 01:00
is($node->safe_psql('dst',
		q{SELECT string_agg(driver_id || ' ' || coalesce(conv::text, '-') || ' ' || coalesce(label, '-'), ',' ORDER BY driver_id) FROM public.training_as_of}),
	'1 0.5 a,2 - -', 'training view with as_of reads after restore, without the rows created after as_of');
is($node->safe_psql('dst',
		q{SELECT obj_description('public."Training ü"'::regclass, 'pg_class') LIKE 'offline_store training view%'}),
	't', 'training view keeps its comment');
is($node->safe_psql('dst',
		"SELECT nextval('feast.materialization_runs_run_id_seq') > 1"),
	't', 'run id sequence restored');

# The restored registry is the same project: applying its dump changes nothing,
# and the dump itself is the same as before.
is($node->safe_psql('dst', 'SELECT feast_registry_dump()'),
	$node->safe_psql('src', 'SELECT feast_registry_dump()'),
	'same dump before and after restore');
is($node->safe_psql('dst',
		"SELECT string_agg(DISTINCT action, ',') FROM feast_apply(feast_registry_dump())"),
	'unchanged', 'apply(dump) after restore: all unchanged');
is($node->safe_psql('dst',
		q{SELECT count(*) FROM "Online ü".dump_restore_driver_stats}),
	'1', 'online rows kept by the unchanged apply');

# And restored objects are usable: a change goes through apply.
my $upd = $node->safe_psql('dst',
	"SELECT string_agg(object_type || ' ' || name || ' ' || action, ',') FROM feast_apply(\$y\$"
	  . "project: dump_restore\nonline_store: {type: postgres, db_schema: \"Online ü\"}\n"
	  . "feature_services: []\n\$y\$)");
like($upd, qr/feature_service svc deleted/, 'apply works on the restored registry');
like($upd, qr/feature_service_view "Online ü".dump_restore_svc_online deleted/,
	'the restored feature service view goes with its service');
is($node->safe_psql('dst', q{SELECT to_regclass('"Online ü".dump_restore_svc_online') IS NULL}),
	't', 'the restored feature service view is dropped');

$node->stop;
done_testing();
