# Memory: feast_historical over 1,000,000 entity rows keeps the backend's
# peak memory within its budget (512 MB), and a failed or cancelled call
# leaks nothing into the next one.
#
# Peak: VmHWM of the backend (/proc/<pid>/status: the peak resident set,
# shared buffers it touched included) after the call.
#
# Beyond offline_store.max_memory: the same call in a fresh backend with
# max_memory = 32MB gives the same result with a peak within 32 MB (plus
# 48 MB of slack: the result's tuplestore, file buffers, PostgreSQL's own)
# of the peak of a backend that only reads the same tables (the floor), far
# below the in-memory peak, and leaves no temporary file.
#
# Leaks: in one session, every kind of call is first run once (caches warm
# up), then the memory held by the backend's memory contexts
# (pg_backend_memory_contexts) is summed, every kind is run five more
# times, and summed again. The kinds: a successful call, one that fails
# while planning (unknown feature), one that fails while reading the
# entity rows, one that fails while reading a source, one cancelled by
# statement_timeout, and a successful feast_persist. The sum may not grow
# by more than 256 kB, and no context may grow by more than 64 kB. The
# join engine maps its large arrays itself (src/pit_join.c), outside any
# memory context: the backend's mappings (/proc/<pid>/maps) and its mapped
# size (VmSize) may not grow either.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $budget_kb = 512 * 1024;

my $node = PostgreSQL::Test::Cluster->new('memory');
$node->init;
# no progress messages: a successful call must write nothing to stderr,
# however long it takes on a busy machine
$node->append_conf('postgresql.conf', "offline_store.progress_messages = off\n");
$node->start;

my $db = 'postgres';
$node->safe_psql($db, q{
CREATE EXTENSION offline_store;
CREATE TABLE public.stats AS
SELECT (i % 100000)::bigint AS driver_id,
	   '2024-01-01'::timestamptz + i * interval '1 second' AS event_timestamp,
	   ((i % 1000) / 1000.0)::real AS conv, i::bigint AS trips, md5(i::text) AS label
FROM generate_series(1, 1000000) i;
CREATE TABLE public.ent AS
SELECT (i % 100000)::bigint AS driver_id,
	   '2024-01-01'::timestamptz + i * interval '1 second' + interval '10 minutes' AS event_timestamp,
	   i AS row_id
FROM generate_series(1, 1000000) i;
ANALYZE public.stats, public.ent;
-- errors on demand, in the middle of a scan
CREATE FUNCTION public.fail_at(id bigint, at bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF id = at AND current_setting('mem.fail', true) = 'on' THEN
		RAISE EXCEPTION 'failing on purpose at %', id;
	END IF;
	RETURN true;
END
$$;
SELECT count(*) FROM feast_apply($y$
project: mem
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: s, type: table, table: public.stats, timestamp_field: event_timestamp}
  - {name: q, type: query, query: "SELECT * FROM public.stats WHERE public.fail_at(trips, 600000)", timestamp_field: event_timestamp}
feature_views:
  - {name: v, entities: [driver], source: s, ttl: 2h, online: false, schema: [{name: conv, dtype: Float32}, {name: trips, dtype: Int64}, {name: label, dtype: String}]}
  - {name: vq, entities: [driver], source: q, ttl: 2h, online: false, schema: [{name: conv, dtype: Float32}]}
$y$);
});

my $session = $node->background_psql($db, on_error_stop => 0);
my $pid = $session->query_safe('SELECT pg_backend_pid()');

sub proc_kb
{
	my ($field) = @_;
	open(my $fh, '<', "/proc/$pid/status") or die "cannot read /proc/$pid/status: $!";
	while (my $line = <$fh>)
	{
		return $1 if $line =~ /^$field:\s+(\d+) kB/;
	}
	die "no $field in /proc/$pid/status";
}

# --- Peak memory of one call over 1,000,000 entity rows
my $hwm_before = proc_kb('VmHWM');
my $res = $session->query_safe(q{
SELECT count(*), count(conv), sum(trips), count(DISTINCT label) FROM feast_historical('public.ent', ARRAY['v:conv', 'v:trips', 'v:label'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real, trips bigint, label text)});
my $hwm = proc_kb('VmHWM');
is($res, '1000000|1000000|500000500000|1000000', '1,000,000 entity rows, each with its features');
note("backend VmHWM: before $hwm_before kB, after the call $hwm kB (budget $budget_kb kB)");
cmp_ok($hwm, '<', $budget_kb, "peak memory of the backend ($hwm kB) is within 512 MB");

# --- Leaks across failed, cancelled and successful calls
my %calls = (
	ok => q{SELECT count(*) FROM feast_historical('public.ent', ARRAY['v:conv', 'v:label'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real, label text);},
	plan_error => q{SELECT count(*) FROM feast_historical('public.ent', ARRAY['v:nope'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real);},
	entity_error => q{SET mem.fail = on;
SELECT count(*) FROM feast_historical('SELECT * FROM public.ent WHERE public.fail_at(row_id, 700000)', ARRAY['v:conv'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real);
SET mem.fail = off;},
	source_error => q{SET mem.fail = on;
SELECT count(*) FROM feast_historical('public.ent', ARRAY['vq:conv'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real);
SET mem.fail = off;},
	cancelled => q{SET statement_timeout = 300;
SELECT count(*) FROM feast_historical('public.ent', ARRAY['v:conv', 'v:label'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real, label text);
RESET statement_timeout;},
	persist => q{SELECT feast_persist('public.training', 'public.ent', ARRAY['v:conv'], project => 'mem', allow_overwrite => true);},
);
my %expect_err = (
	ok => undef,
	plan_error => qr/feature "nope" does not exist/,
	entity_error => qr/failing on purpose at 700000/,
	source_error => qr/failing on purpose at 600000/,
	cancelled => qr/canceling statement due to statement timeout/,
	persist => undef,
);

sub run_all
{
	foreach my $kind (sort keys %calls)
	{
		$session->{stderr} = '';
		$session->query($calls{$kind});
		# psql's stderr can lag behind its stdout: a second round trip
		$session->query('SELECT 1');
		if (defined $expect_err{$kind})
		{
			like($session->{stderr}, $expect_err{$kind}, "$kind: fails as expected");
		}
		else
		{
			is($session->{stderr}, '', "$kind: succeeds");
		}
	}
	return;
}

my $contexts = q{SELECT name || coalesce(' ' || ident, '') || '=' || sum(total_bytes)
FROM pg_backend_memory_contexts GROUP BY name, ident ORDER BY 1};
sub context_sizes
{
	my %sizes;
	$session->{stderr} = '';
	foreach my $line (split /\n/, $session->query($contexts))
	{
		my ($name, $bytes) = $line =~ /^(.*)=(\d+)$/;
		$sizes{$name} += $bytes;
	}
	return \%sizes;
}

# the number of the backend's mappings
sub mappings
{
	open(my $fh, '<', "/proc/$pid/maps") or die "cannot read /proc/$pid/maps: $!";
	my @lines = <$fh>;
	return scalar(@lines);
}

sub total
{
	my ($sizes) = @_;
	my $t = 0;
	$t += $_ foreach values %$sizes;
	return $t;
}

run_all();	# warm-up
my $before = context_sizes();
my $rss_before = proc_kb('VmRSS');
my $maps_before = mappings();
my $vm_before = proc_kb('VmSize');
run_all() foreach 1 .. 5;
my $after = context_sizes();
my $rss_after = proc_kb('VmRSS');
my $maps_after = mappings();
my $vm_after = proc_kb('VmSize');

my $growth = total($after) - total($before);
note(sprintf('memory contexts: %d bytes before, %d bytes after 5 more rounds (%+d); VmRSS %d kB -> %d kB',
		total($before), total($after), $growth, $rss_before, $rss_after));
cmp_ok($growth, '<', 256 * 1024, "memory contexts grew by $growth bytes over 30 calls");
my @grown = grep { ($after->{$_} // 0) - ($before->{$_} // 0) > 64 * 1024 } sort keys %$after;
is(join(', ', map { "$_: +" . ($after->{$_} - ($before->{$_} // 0)) } @grown), '',
	'no memory context grew by more than 64 kB');
note("mappings: $maps_before -> $maps_after; VmSize $vm_before kB -> $vm_after kB");
cmp_ok($maps_after, '<=', $maps_before + 4, "the backend's mappings did not pile up ($maps_before -> $maps_after)");
cmp_ok($vm_after - $vm_before, '<', 16 * 1024, "the backend's mapped size grew by less than 16 MB");
$session->{stderr} = '';
is($session->query('SHOW transaction_read_only'), 'off', 'the session is read-write');
$session->quit;

# --- Beyond offline_store.max_memory: a fresh backend each
sub peak_of
{
	my ($sql) = @_;
	my $s = $node->background_psql($db, on_error_stop => 1);
	my $p = $s->query_safe('SELECT pg_backend_pid()');
	my $out = $s->query_safe($sql);
	open(my $fh, '<', "/proc/$p/status") or die "cannot read /proc/$p/status: $!";
	my ($kb) = map { /^VmHWM:\s+(\d+) kB/ ? $1 : () } <$fh>;
	$s->quit;
	return ($out, $kb);
}
my ($floor_out, $floor_hwm) = peak_of(q{
SELECT count(*) FROM public.ent; SELECT count(*), count(DISTINCT label) FROM public.stats;});
my ($spill_res, $spill_hwm) = peak_of(q{SET offline_store.max_memory = '32MB';
SELECT count(*), count(conv), sum(trips), count(DISTINCT label) FROM feast_historical('public.ent', ARRAY['v:conv', 'v:trips', 'v:label'], project => 'mem')
	AS t(driver_id bigint, event_timestamp timestamptz, row_id int, conv real, trips bigint, label text)});
is($spill_res, $res, 'beyond max_memory: the same result as in memory');
note("VmHWM: floor $floor_hwm kB, spilled (max_memory 32MB) $spill_hwm kB, in memory $hwm kB");
cmp_ok($spill_hwm, '<', $floor_hwm + (32 + 48) * 1024,
	"beyond max_memory: peak $spill_hwm kB within 32 MB (and 48 MB of slack) of the floor's $floor_hwm kB");
is($node->safe_psql($db, 'SELECT count(*) FROM pg_ls_tmpdir()'), '0', 'beyond max_memory: no temporary file left');

$node->stop;
done_testing();
