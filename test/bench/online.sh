#!/bin/bash
# Benchmark of online reads: feast_online_features against a prepared SELECT
# on the online table, with pgbench, in a throwaway cluster.
#
#   test/bench/online.sh                       # 100,000 keys, 3 runs of 20 s per measure
#   SCALE=0.05 DURATION=5 RUNS=1 test/bench/online.sh   # quick sanity run
#
# Environment: SCALE (default 1: 100,000 keys in the online table), RUNS
# (default 3; medians are reported), DURATION (seconds per pgbench run,
# default 20), CLIENTS (default 2; pgbench -c and -j), PORT (default 55498),
# PG_CONFIG (default PostgreSQL 15), ONLY (comma-separated measures to run,
# default all).
#
# The online table bench_online.bench_stats has one row per key (driver_id
# bigint primary key, 5 features of mixed types), written by
# feast_materialize. Every measure is a pgbench script run in prepared mode
# (-M prepared: the statement is parsed and planned once per connection, as
# an application's driver does), CLIENTS clients, DURATION seconds, TPS
# reported. Measures, run alternately (direct1, ours1, direct100, ours100,
# sql1, direct1, ...) so that a change in the machine's load hits each alike:
#   direct1    SELECT * FROM bench_online.bench_stats WHERE driver_id = $1
#              (a random key)
#   ours1      SELECT * FROM feast_online_features('SELECT <key>::bigint AS
#              driver_id', ARRAY[the 5 features], project => 'bench')
#              AS t(...), the key random, so that the entity_df's text is
#              new on every call
#   direct100  SELECT * FROM bench_online.bench_stats WHERE driver_id =
#              ANY($1), $1 one of 1000 arrays of 100 random keys, fetched
#              by a scalar subquery from public.bench_keysets
#   ours100    feast_online_features over 'SELECT unnest(''{...}''::bigint[])
#              AS driver_id' with the same 100 keys, fetched the same way
#   sql1       when feast_online_features_sql exists: the query it returns
#              for one key, the key random as in ours1
# Targets: ours1 within 3x of direct1 (direct1 / ours1 <= 3), ours100 within
# 1.5x of direct100.
#
# The machine should be otherwise idle: pgbench and the server share its
# cores. Runs as root (the cluster runs as postgres) or as any user that can
# run initdb. Installs the extension into PG_CONFIG's tree first.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-2}
PORT=${PORT:-55498}
ONLY=${ONLY:-direct1,ours1,direct100,ours100,sql1}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
. "$(dirname "$0")/lib.sh"

keys=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s); if (n < 1000) n = 1000; printf "%d", n }')

bench_install
bench_workdir
bench_start "shared_buffers = 256MB" "fsync = off" "synchronous_commit = off" \
	"full_page_writes = off" "autovacuum = off" "jit = off" "max_parallel_workers_per_gather = 0"

psql() {
	as_pg "$bindir/psql" -h "$work" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

echo "offline_store online read benchmark: $keys keys, $CLIENTS clients, $RUNS runs of ${DURATION}s per measure"
echo "setting up..."
psql <<EOF
CREATE EXTENSION offline_store;
CREATE TABLE public.bench_src (
	driver_id bigint,
	event_timestamp timestamptz,
	conv real,
	acc double precision,
	trips bigint,
	rating integer,
	city text
);
INSERT INTO public.bench_src
SELECT g, '2024-01-01 00:00+00'::timestamptz + (g % 86400) * interval '1 second',
	   (g % 1000) / 1000.0, (g % 977) / 977.0, g, g % 5, 'city_' || (g % 50)
FROM generate_series(1, $keys) g;
SELECT count(*) FROM feast_apply(\$y\$
project: bench
online_store: {type: postgres, db_schema: bench_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.bench_src, timestamp_field: event_timestamp}
feature_views:
  - name: stats
    entities: [driver]
    source: src
    schema:
      - {name: conv, dtype: Float32}
      - {name: acc, dtype: Float64}
      - {name: trips, dtype: Int64}
      - {name: rating, dtype: Int32}
      - {name: city, dtype: String}
\$y\$);
SELECT rows_written FROM feast_materialize('2023-12-31', '2024-01-03', project => 'bench');
VACUUM ANALYZE bench_online.bench_stats;
-- 1000 sets of 100 random keys, as an array and as an entity_df
CREATE TABLE public.bench_keysets (id integer PRIMARY KEY, keys bigint[], entity_df text);
INSERT INTO public.bench_keysets
SELECT s, k, format('SELECT unnest(%L::bigint[]) AS driver_id', k)
FROM (SELECT s, array_agg(1 + (hashint8(s * 1000 + i) & 2147483647) % $keys ORDER BY i) AS k
	  FROM generate_series(1, 1000) s, generate_series(1, 100) i GROUP BY s) t;
VACUUM ANALYZE public.bench_keysets;
EOF

# (pgbench takes ":name" for a variable, even inside a literal: 'stats:' || 'conv')
features="ARRAY['stats:' || 'conv', 'stats:' || 'acc', 'stats:' || 'trips', 'stats:' || 'rating', 'stats:' || 'city']"
coldefs="driver_id bigint, conv real, acc double precision, trips bigint, rating integer, city text"
cat > "$work/direct1.sql" <<EOF
\set k random(1, $keys)
SELECT * FROM bench_online.bench_stats WHERE driver_id = :k;
EOF
cat > "$work/ours1.sql" <<EOF
\set k random(1, $keys)
SELECT * FROM feast_online_features('SELECT ' || :k || '::bigint AS driver_id', $features, project => 'bench') AS t($coldefs);
EOF
cat > "$work/direct100.sql" <<EOF
\set s random(1, 1000)
SELECT * FROM bench_online.bench_stats WHERE driver_id = ANY ((SELECT keys FROM public.bench_keysets WHERE id = :s)::bigint[]);
EOF
cat > "$work/ours100.sql" <<EOF
\set s random(1, 1000)
SELECT * FROM feast_online_features((SELECT entity_df FROM public.bench_keysets WHERE id = :s), $features, project => 'bench') AS t($coldefs);
EOF

# feast_online_features_sql (when it exists) returns a query for an
# entity_df; the key is a placeholder in it, replaced by the pgbench
# variable :k (inside a string literal as ' || :k || '), and any other
# ":name" inside a literal is split (pgbench would take it for a variable).
cat > "$work/sqlvar.pl" <<'PERL'
# A string literal that gets split is put in parentheses, so that a cast
# after it applies to the whole of it.
local $/;
my $q = <STDIN>;
my ($out, $in, $start, $split) = ('', 0, 0, 0);
my @c = split(//, $q);
for (my $i = 0; $i < @c; $i++)
{
	if (substr($q, $i, 12) eq '987654321987')
	{
		$out .= $in ? "' || :k || '" : ':k';
		$split = 1 if $in;
		$i += 11;
		next;
	}
	if ($c[$i] eq "'" && $in && $i + 1 < @c && $c[$i + 1] eq "'")
	{
		$out .= "''";
		$i++;
		next;
	}
	if ($c[$i] eq "'" && !$in)
	{
		($in, $start, $split) = (1, length($out), 0);
	}
	elsif ($c[$i] eq "'")
	{
		$in = 0;
		if ($split)
		{
			$out = substr($out, 0, $start) . '(' . substr($out, $start) . "')";
			next;
		}
	}
	elsif ($in && $c[$i] eq ':' && ($i == 0 || $c[$i - 1] ne ':')
		   && $i + 1 < @c && $c[$i + 1] =~ /[A-Za-z_]/)
	{
		$out .= ":' || '";
		$split = 1;
		next;
	}
	$out .= $c[$i];
}
$out =~ s/\s+/ /g;
$out =~ s/;?\s*$/;/;
print "$out\n";
PERL
measures=""
for m in direct1 ours1 direct100 ours100 sql1; do
	case ",$ONLY," in *",$m,"*) ;; *) continue ;; esac
	if [ "$m" = sql1 ]; then
		has=$(psql -At -c "SELECT to_regprocedure('feast_online_features_sql(text,text[],text,boolean,text)') IS NOT NULL")
		if [ "$has" != t ]; then
			echo "sql1: skipped (feast_online_features_sql does not exist)"
			continue
		fi
		{
			echo "\\set k random(1, $keys)"
			psql -At -c "SELECT feast_online_features_sql('SELECT 987654321987::bigint AS driver_id', $features, project => 'bench')" |
				perl "$work/sqlvar.pl"
		} > "$work/sql1.sql"
	fi
	measures="$measures $m"
done
chmod a+r "$work"/*.sql

# a check that each script runs (and that ours returns what direct returns)
for m in $measures; do
	as_pg "$bindir/pgbench" -h "$work" -p "$PORT" -U postgres -n -M prepared -t 1 -f "$work/$m.sql" postgres >/dev/null 2>"$work/check.err" || {
		echo "$m: the script fails:"; cat "$work/check.err"; cat "$work/$m.sql"; exit 1; }
done
psql -At <<EOF
SELECT 'same rows as direct, 100 keys: ' || bool_and(ok) FROM (
	SELECT (SELECT array_agg(ROW(t.*) ORDER BY t.driver_id) FROM feast_online_features(entity_df, $features, project => 'bench') AS t($coldefs))
		= (SELECT array_agg(ROW(o.driver_id, o.conv, o.acc, o.trips, o.rating, o.city) ORDER BY o.driver_id)
		   FROM bench_online.bench_stats o, unnest(keys) k WHERE o.driver_id = k) AS ok
	FROM public.bench_keysets WHERE id <= 20) s;
EOF

tps() {
	as_pg "$bindir/pgbench" -h "$work" -p "$PORT" -U postgres -n -M prepared -c "$CLIENTS" -j "$CLIENTS" \
		-T "$DURATION" -f "$work/$1.sql" postgres 2>&1 | awk '/^tps = / { printf "%.0f", $3 }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A results
for i in $(seq 1 "$RUNS"); do
	line="  run $i:"
	for m in $measures; do
		t=$(tps "$m")
		results[$m]="${results[$m]:-} $t"
		line="$line $m $t"
	done
	echo "$line  (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done

echo
printf "%-58s %10s\n" "measure (median of $RUNS runs, TPS)" "TPS"
declare -A med
for m in $measures; do
	med[$m]=$(echo "${results[$m]}" | median)
	printf "%-58s %10s\n" "$m" "${med[$m]}"
done
ratio() {
	# ratio name direct ours target
	if [ -n "${med[$2]:-}" ] && [ -n "${med[$3]:-}" ]; then
		awk -v d="${med[$2]}" -v o="${med[$3]}" -v t="$4" -v n="$1" 'BEGIN {
			r = (o > 0) ? d / o : 0
			printf "%-30s = %.2fx (target <= %.1fx) %s\n", n, r, t, (o > 0 && r <= t ? "ok" : "MISSED")
		}'
	fi
}
ratio "direct1 / ours1" direct1 ours1 3
ratio "direct100 / ours100" direct100 ours100 1.5
ratio "direct1 / sql1" direct1 sql1 3
