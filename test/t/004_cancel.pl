# statement_timeout and pg_cancel_backend stop a long feast_historical
# within a second, in every phase of its work, and leave the session usable.
#
# A 3,000,000-row entity_df is joined to a 3,000,000-row source. The call
# is first timed whole; then it is stopped by statement_timeout at 1 s and
# at fractions of its full duration (entity read, source read, join,
# emission), and by pg_cancel_backend from a second session at the same
# points. Each stop must come less than 1 s after the timeout or the
# cancel. After a stop the session is usable and no longer read-only, and
# a cancelled feast_persist leaves no table and no saved dataset.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;

my $db = 'postgres';
$node->safe_psql($db, q{
CREATE EXTENSION offline_store;
CREATE TABLE public.big_stats AS
SELECT (i % 200000)::bigint AS driver_id,
	   '2024-01-01'::timestamptz + i * interval '1 second' AS event_timestamp,
	   ((i % 1000) / 1000.0)::real AS conv, i::bigint AS trips
FROM generate_series(1, 3000000) i;
CREATE TABLE public.big_ent AS
SELECT (i % 200000)::bigint AS driver_id,
	   '2024-01-01'::timestamptz + i * interval '1 second' + interval '30 minutes' AS event_timestamp
FROM generate_series(1, 3000000) i;
ANALYZE public.big_stats, public.big_ent;
SELECT count(*) FROM feast_apply($y$
project: big
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: s, type: table, table: public.big_stats, timestamp_field: event_timestamp}]
feature_views:
  - {name: v, entities: [driver], source: s, ttl: 2h, online: false, schema: [{name: conv, dtype: Float32}, {name: trips, dtype: Int64}]}
$y$);
});

my $query = q{SELECT count(*), sum(trips) FROM feast_historical('public.big_ent', ARRAY['v:conv', 'v:trips'], project => 'big')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real, trips bigint)};

# The whole call, twice (the first one warms the cache).
my $full;
foreach my $i (1, 2)
{
	my $t0 = time;
	my $res = $node->safe_psql($db, $query);
	$full = time - $t0;
	is($res, '3000000|4500001500000', "run $i: the full result");
}
note(sprintf('full call: %.3f s', $full));

# statement_timeout at 1 s (when the call takes longer) and at fractions of
# the full duration
my @points = ((grep { $_ < 0.8 * $full } (1.0)), map { $_ * $full } (0.1, 0.3, 0.5, 0.7));
foreach my $timeout (@points)
{
	my $ms = int($timeout * 1000);
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql($db, "SET statement_timeout = $ms; $query");
	my $elapsed = time - $t0;
  SKIP:
	{
		# the machine may be faster now than when the call was timed
		skip "the call finished in $elapsed s, before the timeout", 2
		  if $out =~ /^3000000\|/m;
		like($err, qr/canceling statement due to statement timeout/,
			"statement_timeout = $ms ms stops the call");
		cmp_ok($elapsed - $timeout, '<', 1.0,
			sprintf('statement_timeout = %d ms: stopped %.3f s after the timeout', $ms, $elapsed - $timeout));
	}
}

# pg_cancel_backend from a second session at the same points
my $session = $node->background_psql($db, on_error_stop => 0);
my $pid = $session->query_safe('SELECT pg_backend_pid()');
foreach my $delay (@points)
{
	$session->query_until(qr/started/, "\\echo started\n$query;\n\\echo done\n");
	sleep($delay);
	my $t0 = time;
	is($node->safe_psql($db, "SELECT pg_cancel_backend($pid)"), 't', 'cancel sent');
	my $out = $session->query_until(qr/done/, '');
	my $latency = time - $t0;
  SKIP:
	{
		skip "the call finished before the cancel", 2 if $out =~ /^3000000\|/m;
		like($session->{stderr}, qr/canceling statement due to user request/,
			sprintf('pg_cancel_backend after %.3f s stops the call', $delay));
		cmp_ok($latency, '<', 1.0,
			sprintf('pg_cancel_backend after %.3f s: stopped %.3f s after the cancel', $delay, $latency));
	}
	$session->{stderr} = '';
	# the session is usable and no longer read-only
	is($session->query_safe('SHOW transaction_read_only'), 'off',
		'the session is read-write again after the cancel');
}
$session->quit;

# A cancelled feast_persist leaves nothing behind.
my ($ret, $out, $err) = $node->psql($db,
	"SET statement_timeout = " . int(0.5 * $full * 1000) . "; "
	  . "SELECT feast_persist('public.big_training', 'public.big_ent', ARRAY['v:conv'], project => 'big')");
like($err, qr/canceling statement due to statement timeout/, 'feast_persist stopped by statement_timeout');
is($node->safe_psql($db,
		q{SELECT (to_regclass('public.big_training') IS NULL)::text || ' ' || count(*) FROM feast.saved_datasets}),
	'true 0', 'no table and no saved dataset after the cancelled feast_persist');

$node->stop;
done_testing();
