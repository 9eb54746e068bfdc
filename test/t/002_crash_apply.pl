# A server crash in the middle of feast_apply leaves the registry and the
# online tables as they were before the apply: all or nothing.
#
# feast_apply writes the registry rows first and the online table DDL last,
# in one transaction. Each scenario stops an apply at a known point by
# holding a lock it needs, checks (in pg_locks) that the apply has already
# written registry rows, then crashes the server (stop 'immediate', no
# shutdown checkpoint) and restarts it:
#
#   1. an apply that changes a project (ALTER, CREATE and DROP of online
#      tables) blocked on an online table;
#   2. the first apply of a new project (CREATE SCHEMA, CREATE TABLE)
#      blocked on feast.online_tables;
#   3. an apply in a prepared transaction: it survives the crash, and
#      COMMIT PREPARED then makes it visible whole;
#   4. a committed apply survives a crash.
#
# After each restart the registry (every table of schema feast), the online
# relations and their rows are compared with the state before, a
# consistency query finds no online view without its table, no recorded
# table missing, no stray table and no missing or extra column, and
# applying the old document again changes nothing.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib "$FindBin::RealBin/../perl";
use OfsCrash;

my $node = PostgreSQL::Test::Cluster->new('crash_apply');
$node->init;
$node->append_conf('postgresql.conf', "max_prepared_transactions = 2\nlock_timeout = 60s\n");
$node->start;

my $db = 'postgres';
$node->safe_psql($db, q{
CREATE EXTENSION offline_store;
CREATE TABLE public.stats (
	driver_id bigint, ts timestamptz, conv real, trips integer, label text);
INSERT INTO public.stats
	SELECT i, '2024-01-01'::timestamptz + i * interval '1 minute', i / 10.0, i, 'l' || i
	FROM generate_series(1, 100) i;
});
install_helpers($node, $db);

# A: the committed state. B: the change whose apply is interrupted.
my $doc_a = <<'YAML';
project: crash_apply
online_store: {type: postgres, db_schema: crash_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.stats, timestamp_field: ts}
feature_views:
  - name: v1
    entities: [driver]
    source: stats
    schema: [{name: conv, dtype: Float32}]
  - name: v3
    entities: [driver]
    source: stats
    schema: [{name: trips, dtype: Int32}]
YAML
my $doc_b = <<'YAML';
project: crash_apply
online_store: {type: postgres, db_schema: crash_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.stats, timestamp_field: ts}
feature_views:
  - name: v1
    entities: [driver]
    source: stats
    ttl: 2h
    schema: [{name: conv, dtype: Float32}, {name: label, dtype: String}]
  - name: v2
    entities: [driver]
    source: stats
    schema: [{name: trips, dtype: Int32}]
feature_services:
  - {name: svc, features: [v1, v2]}
YAML
my $doc_c = <<'YAML';
project: crash_new
online_store: {type: postgres, db_schema: crash_new_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.stats, timestamp_field: ts}
feature_views:
  - {name: w, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
YAML

sub apply_sql
{
	my ($doc) = @_;
	return "SELECT string_agg(object_type || ' ' || name || ' ' || action, ',' "
	  . "ORDER BY object_type, name) FROM feast_apply(\$y\$$doc\$y\$)";
}

# Wait until the backend running feast_apply waits for a lock, and return
# the registry tables it holds RowExclusiveLock on (it has written them).
sub wait_blocked_apply
{
	my $blocked = q{
SELECT count(*) > 0 FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE '%feast_apply%' AND pid <> pg_backend_pid()};
	ok($node->poll_query_until($db, $blocked), 'apply is blocked on a lock');
	return $node->safe_psql($db, q{
SELECT string_agg(DISTINCT c.relname, ',' ORDER BY c.relname)
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE a.query LIKE '%feast_apply%' AND a.pid <> pg_backend_pid()
  AND l.mode = 'RowExclusiveLock' AND l.granted
  AND c.relnamespace = 'feast'::regnamespace AND c.relkind = 'r'});
}

sub crash_and_restart
{
	my @sessions = @_;
	$node->stop('immediate');
	foreach my $s (@sessions)
	{
		# their server is gone: psql exits with an error
		eval { $s->quit; };
	}
	$node->start;
	return;
}

sub check_state
{
	my ($before, $what) = @_;
	is(fingerprint($node, $db), $before, "$what: registry and online tables as before");
	is(inconsistencies($node, $db), '', "$what: registry and online tables consistent");
	return;
}

is($node->safe_psql($db, apply_sql($doc_a)),
	'data_source stats created,entity driver created,feature_view v1 created,'
	  . 'feature_view v3 created,project crash_apply created',
	'A applied');
$node->safe_psql($db, q{
INSERT INTO crash_online.crash_apply_v1 (driver_id, conv, event_timestamp)
	SELECT driver_id, conv, ts FROM public.stats;
INSERT INTO crash_online.crash_apply_v3 (driver_id, trips, event_timestamp)
	SELECT driver_id, trips, ts FROM public.stats WHERE driver_id <= 10;
});
my $state_a = fingerprint($node, $db);
my $registry_a = fingerprint($node, $db, 1);
like($state_a, qr/crash_online\.crash_apply_v1 \(driver_id bigint, conv real, event_timestamp timestamp with time zone, created_timestamp timestamp with time zone\) 100:/,
	'A: online table v1 with its rows');
is(inconsistencies($node, $db), '', 'A consistent');

# 1. Apply B blocked on the online tables it alters and drops. EXCLUSIVE
# mode lets apply read them (it plans the online table changes first, and
# counts the rows a drop loses) and blocks the DDL that comes after the
# registry writes.
my $locker = $node->background_psql($db);
$locker->query_safe(q{BEGIN;
LOCK TABLE crash_online.crash_apply_v1, crash_online.crash_apply_v3 IN EXCLUSIVE MODE;});
my $applier = $node->background_psql($db, on_error_stop => 0);
$applier->query_until(qr/started/, "\\echo started\n" . apply_sql($doc_b) . ";\n");
my $written = wait_blocked_apply();
like($written, qr/feature_views/, "1: apply has written registry rows ($written) when the server crashes");
crash_and_restart($locker, $applier);
check_state($state_a, '1: crash during an apply that alters, creates and drops online tables');
is($node->safe_psql($db, apply_sql($doc_a)),
	'data_source stats unchanged,entity driver unchanged,feature_view v1 unchanged,'
	  . 'feature_view v3 unchanged,project crash_apply unchanged',
	'1: A again changes nothing');

# 2. The first apply of a new project, blocked on feast.online_tables
# after its registry rows, schema and online table are written.
$locker = $node->background_psql($db);
$locker->query_safe(q{BEGIN; LOCK TABLE feast.online_tables IN SHARE MODE;});
$applier = $node->background_psql($db, on_error_stop => 0);
$applier->query_until(qr/started/, "\\echo started\n" . apply_sql($doc_c) . ";\n");
$written = wait_blocked_apply();
like($written, qr/projects/, "2: apply has written registry rows ($written) when the server crashes");
crash_and_restart($locker, $applier);
check_state($state_a, '2: crash during the first apply of a project');
is($node->safe_psql($db,
		q{SELECT count(*) FROM feast.projects WHERE name = 'crash_new'}
		  . q{ UNION ALL SELECT count(*) FROM pg_namespace WHERE nspname = 'crash_new_online'}),
	"0\n0", '2: no project, no online schema');

# 3. Apply B in a prepared transaction: the crash keeps it prepared, and
# COMMIT PREPARED makes all of it visible at once.
$node->safe_psql($db, "BEGIN;\n" . apply_sql($doc_b) . ";\nPREPARE TRANSACTION 'ofs_apply_b';");
crash_and_restart();
is(fingerprint($node, $db, 1), $registry_a,
	'3: prepared apply not visible in the registry after the crash');
# its locks survive too: the online table it alters cannot be read meanwhile
my ($rc, $out, $err) = $node->psql($db,
	'SET lock_timeout = 100; SELECT count(*) FROM crash_online.crash_apply_v1');
like($err, qr/canceling statement due to lock timeout/,
	'3: the prepared apply still holds its lock on the online table');
is($node->safe_psql($db, 'SELECT gid FROM pg_prepared_xacts'), 'ofs_apply_b',
	'3: the prepared apply survived the crash');
$node->safe_psql($db, "COMMIT PREPARED 'ofs_apply_b'");
is(inconsistencies($node, $db), '', '3: consistent after COMMIT PREPARED');
my $state_b = fingerprint($node, $db);
like($state_b, qr/crash_online\.crash_apply_v1 \(driver_id bigint, conv real, event_timestamp timestamp with time zone, created_timestamp timestamp with time zone, label text\) 100:/,
	'3: B altered v1 and kept its rows');
like($state_b, qr/crash_online\.crash_apply_v2 \(/, '3: B created v2');
unlike($state_b, qr/crash_apply_v3/, '3: B dropped v3');
is($node->safe_psql($db, apply_sql($doc_b)),
	'data_source stats unchanged,entity driver unchanged,feature_service svc unchanged,'
	  . 'feature_view v1 unchanged,feature_view v2 unchanged,project crash_apply unchanged',
	'3: B again changes nothing');

# 4. A committed apply survives a crash.
is($node->safe_psql($db, apply_sql($doc_c)),
	'data_source stats created,entity driver created,feature_view w created,project crash_new created',
	'4: C applied and committed');
my $state_c = fingerprint($node, $db);
crash_and_restart();
check_state($state_c, '4: committed apply kept after the crash');

# The server log has no assertion failure or crash of a backend other than
# the ones we caused.
ok(!$node->log_contains('TRAP:|server process .* was terminated by signal (?!9)'),
	'no backend crashed on its own');

$node->stop;
done_testing();
