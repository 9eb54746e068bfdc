#!/bin/bash
# Benchmark of feast_historical beyond offline_store.max_memory: the same
# retrieval in memory and spilled to temporary files.
#
#   SCALE=0.05 PORT=55671 test/bench/spill.sh     # quick check (about a minute)
#   test/bench/spill.sh                           # full scale (10M entity rows)
#   MAX_MEMORY=128MB test/bench/spill.sh          # another budget
#   SCALE=0.3 ONLY=mem,spill test/bench/spill.sh  # only those measures
#
# Environment: SCALE (default 1: multiplies the row and key counts), RUNS
# (default 3, medians are reported), MAX_MEMORY (the budget of the spilled
# run; default 256MB at scale 1, scaled with SCALE so that the data is as
# many times the budget at every scale), ONLY (a comma-separated list of
# measures, default all), PG_CONFIG (default PostgreSQL 15), PORT (default
# 55499). The extension is built and installed into PG_CONFIG's tree; a
# throwaway cluster is created in /tmp (default settings: shared_buffers
# 128MB, work_mem 4MB; parallel workers off) and removed at the end.
#
# Data: an entity_df of N = 10,000,000 labelled events over E = 1,000,000
# drivers and one year; a feature view of M = 10,000,000 source rows (5
# float8 features, a created column, event timestamps on whole hours), ttl
# 30 days; then three views of three entities (M rows each) for the 3-view
# measures. Measured, each on a fresh connection, the result sent through
# COPY ... TO '/dev/null':
#   mem      feast_historical, 1 view, offline_store.max_memory = 1TB (in memory)
#   spill    the same with offline_store.max_memory = MAX_MEMORY
#   floor    the entity rows emitted with five constant columns, plus one
#            scan of the source (what any implementation must do)
#   mem3, spill3, floor3   likewise with 3 views
# with the backend's peak resident set (VmHWM from /proc/<pid>/status: shared
# buffers it touched included), its CPU time, and the bytes it wrote to
# temporary files (pg_stat_database.temp_bytes, before and after). Before
# measuring, the in-memory and spilled results are compared (a checksum of
# every row, order-independent): the bench fails if they differ.
# Targets (issue 12, at scale 1 with 256MB): spill peak < 450 MB, spill
# time <= 3x mem time, the same result.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
PORT=${PORT:-55499}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG
MAX_MEMORY=${MAX_MEMORY:-$(awk -v s="$SCALE" 'BEGIN { m = int(256 * 1024 * s); if (m < 64) m = 64; printf "%dkB", m }')}

N=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 10000000 * s }')
E=$(awk -v s="$SCALE" 'BEGIN { n = int(1000000 * s); if (n < 1) n = 1; printf "%d", n }')
M=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 10000000 * s }')
M3=$M
if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",mem3,"* && ",$ONLY," != *",spill3,"* && ",$ONLY," != *",floor3,"* ]]; then
	M3=0
fi

. "$(dirname "$0")/lib.sh"
bench_install
bench_workdir
bench_start "max_wal_size = 20GB" "checkpoint_timeout = 1h"

echo "scale $SCALE: entity_df N=$N rows over E=$E entities, sources M=$M rows each; max_memory $MAX_MEMORY; $RUNS runs per measure"
echo "generating data..."
psql_run <<SQL
CREATE EXTENSION offline_store;
SELECT setseed(0.42);
CREATE TABLE bench_ent AS
	SELECT (1 + floor(random() * $E))::bigint AS driver_id,
		   timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 86400) * interval '1 second' AS event_timestamp,
		   g AS label
	FROM generate_series(1, $N) g;
CREATE TABLE bench_ent3 AS
	SELECT driver_id, (1 + floor(random() * $E))::bigint AS customer_id,
		   (1 + floor(random() * $E))::bigint AS location_id, event_timestamp, label
	FROM bench_ent WHERE $M3 > 0;
CREATE FUNCTION pg_temp.make_source(tab text, key text, nrows bigint) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
	EXECUTE format(\$q\$
		CREATE TABLE %I AS
		SELECT k AS %I, ts AS event_timestamp,
			   ts + floor(random() * 120) * interval '1 minute' AS created,
			   random() AS f1, random() AS f2, random() AS f3, random() AS f4, random() AS f5
		FROM (SELECT (1 + floor(random() * $E))::bigint AS k,
					 timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 24) * interval '1 hour' AS ts
			  FROM generate_series(1, %s)) AS g\$q\$, tab, key, nrows);
END
\$\$;
SELECT pg_temp.make_source('bench_src', 'driver_id', $M);
SELECT pg_temp.make_source('bench_src_c', 'customer_id', $M3);
SELECT pg_temp.make_source('bench_src_l', 'location_id', $M3);
VACUUM (FREEZE, ANALYZE) bench_ent, bench_ent3, bench_src, bench_src_c, bench_src_l;

SELECT count(*) FROM feast_apply(\$y\$
project: bench
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: customer, join_keys: [customer_id], value_type: INT64}
  - {name: location, join_keys: [location_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.bench_src, timestamp_field: event_timestamp, created_timestamp_column: created}
  - {name: src_c, type: table, table: public.bench_src_c, timestamp_field: event_timestamp, created_timestamp_column: created}
  - {name: src_l, type: table, table: public.bench_src_l, timestamp_field: event_timestamp, created_timestamp_column: created}
feature_views:
  - {name: fv, entities: [driver], source: src, ttl: 30d,
     schema: [{name: f1, dtype: Float64}, {name: f2, dtype: Float64}, {name: f3, dtype: Float64}, {name: f4, dtype: Float64}, {name: f5, dtype: Float64}]}
  - {name: fv_c, entities: [customer], source: src_c, ttl: 30d,
     schema: [{name: f1, dtype: Float64}, {name: f2, dtype: Float64}, {name: f3, dtype: Float64}, {name: f4, dtype: Float64}, {name: f5, dtype: Float64}]}
  - {name: fv_l, entities: [location], source: src_l, ttl: 30d,
     schema: [{name: f1, dtype: Float64}, {name: f2, dtype: Float64}, {name: f3, dtype: Float64}, {name: f4, dtype: Float64}, {name: f5, dtype: Float64}]}
\$y\$);
CHECKPOINT;
SQL

# measure NAME SQL: run SQL RUNS times on fresh connections; print "NAME
# median_ms peak_kB cpu_ms temp_bytes" (the time of all statements; temp
# bytes of the last run).
measure() {
	local name=$1 sql=$2 times=() peaks=() cpus=() out ms hwm cpu tmp=0
	if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then
		echo "$name 0 0 0 0"
		return
	fi
	for ((r = 0; r < RUNS; r++)); do
		out=$(psql_run -At <<SQL 2>&1 || true
SET max_parallel_workers_per_gather = 0;
SELECT 'TMP0 ' || temp_bytes FROM pg_stat_database WHERE datname = current_database();
SELECT 'CPU0 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
\timing on
$sql
\timing off
SELECT 'CPU1 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
SELECT 'HWM ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');
SELECT pg_stat_force_next_flush();
SELECT 'TMP1 ' || temp_bytes FROM pg_stat_database WHERE datname = current_database();
SQL
)
		if grep -q "ERROR" <<<"$out"; then
			echo "$name failed: $out" >&2
			exit 1
		fi
		ms=$(grep -o 'Time: [0-9.]* ms' <<<"$out" | awk '{ s += $2 } END { printf "%.0f", s }')
		hwm=$(grep -o 'HWM [0-9]*' <<<"$out" | awk '{ print $2 }')
		cpu=$(awk '/^CPU0/ { a = $2 } /^CPU1/ { b = $2 } END { printf "%d", (b - a) * 1000 / '"$(getconf CLK_TCK)"' }' <<<"$out")
		tmp=$(awk '/^TMP0/ { a = $2 } /^TMP1/ { b = $2 } END { printf "%d", b - a }' <<<"$out")
		times+=("$ms")
		peaks+=("${hwm:-0}")
		cpus+=("$cpu")
		echo "  $name run $((r + 1)): $ms ms, backend CPU $cpu ms, peak $((${hwm:-0} / 1024)) MB, temp $((tmp / 1048576)) MB (load $(cut -d' ' -f1 /proc/loadavg))" >&2
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v n="$RUNS" -v name="$name" -v tmp="$tmp" \
		-v peak="$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)" \
		-v cpu="$(printf '%s\n' "${cpus[@]}" | sort -n | awk -v n="$RUNS" '{ v[NR] = $1 } END { print v[int((n + 1) / 2)] }')" \
		'{ v[NR] = $1 } END { printf "%s %s %s %s %s\n", name, v[int((n + 1) / 2)], peak, cpu, tmp }'
}

cols1="driver_id bigint, event_timestamp timestamptz, label int, f1 float8, f2 float8, f3 float8, f4 float8, f5 float8"
q1="SELECT * FROM feast_historical('bench_ent', ARRAY['fv:f1','fv:f2','fv:f3','fv:f4','fv:f5'], project => 'bench') AS t($cols1)"
cols3="driver_id bigint, customer_id bigint, location_id bigint, event_timestamp timestamptz, label int,
	fv__f1 float8, fv__f2 float8, fv__f3 float8, fv__f4 float8, fv__f5 float8,
	fv_c__f1 float8, fv_c__f2 float8, fv_c__f3 float8, fv_c__f4 float8, fv_c__f5 float8,
	fv_l__f1 float8, fv_l__f2 float8, fv_l__f3 float8, fv_l__f4 float8, fv_l__f5 float8"
q3="SELECT * FROM feast_historical('bench_ent3', ARRAY['fv:f1','fv:f2','fv:f3','fv:f4','fv:f5',
	'fv_c:f1','fv_c:f2','fv_c:f3','fv_c:f4','fv_c:f5','fv_l:f1','fv_l:f2','fv_l:f3','fv_l:f4','fv_l:f5'],
	project => 'bench', full_feature_names => true) AS t($cols3)"
floor_sql="COPY (SELECT e.*, 0.5::float8 AS f1, 0.5::float8 AS f2, 0.5::float8 AS f3, 0.5::float8 AS f4, 0.5::float8 AS f5 FROM bench_ent e) TO '/dev/null';
SELECT count(f5) FROM bench_src;"
floor3_sql="COPY (SELECT e.*$(for p in f g h; do for i in 1 2 3 4 5; do printf ', 0.5::float8 AS %s%s' $p $i; done; done) FROM bench_ent3 e) TO '/dev/null';
SELECT count(f5) FROM bench_src;
SELECT count(f5) FROM bench_src_c;
SELECT count(f5) FROM bench_src_l;"

# check NAME QUERY: the in-memory and the spilled result are the same rows
check() {
	local name=$1 q=$2 a b
	if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",mem${name},"* && ",$ONLY," != *",spill${name},"* ]]; then
		return
	fi
	sum="SELECT count(*) || ' ' || sum(hashtext(t::text)::numeric) FROM ($q) AS t"
	a=$(psql_run -At -c "SET offline_store.max_memory = '1TB'" -c "$sum")
	b=$(psql_run -At -c "SET offline_store.max_memory = '$MAX_MEMORY'" -c "$sum")
	if [ "$a" != "$b" ]; then
		echo "the spilled result of $name differs from the in-memory one: $a against $b" >&2
		exit 1
	fi
	echo "  result $name: the same rows in memory and spilled ($a)" >&2
}

echo "checking the results..."
check "" "$q1"
check 3 "$q3"

echo "measuring..."
results=$(
	measure mem "SET offline_store.max_memory = '1TB';
COPY ($q1) TO '/dev/null';"
	measure spill "SET offline_store.max_memory = '$MAX_MEMORY';
COPY ($q1) TO '/dev/null';"
	measure floor "$floor_sql"
	measure mem3 "SET offline_store.max_memory = '1TB';
COPY ($q3) TO '/dev/null';"
	measure spill3 "SET offline_store.max_memory = '$MAX_MEMORY';
COPY ($q3) TO '/dev/null';"
	measure floor3 "$floor3_sql"
)

echo
echo "$results" | awk -v scale="$SCALE" -v n="$N" -v m="$M" -v mm="$MAX_MEMORY" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v ncpu="$(nproc)" '
	{ t[$1] = $2; p[$1] = $3; c[$1] = $4; x[$1] = $5 }
	function div(a, b) { return b == 0 ? 0 : a / b }
	function row(label, k, ratio) {
		printf "%-38s %9.2f s %10.2f s %7d MB %9d MB  %s\n", label, t[k] / 1000, c[k] / 1000, p[k] / 1024, x[k] / 1048576, ratio
	}
	END {
		printf "feast_historical beyond memory, scale %s (N = %d entity rows, M = %d source rows per view), max_memory %s\n", scale, n, m, mm
		printf "machine: %d CPUs, load average at the end %s\n\n", ncpu, load
		printf "%-38s %11s %12s %10s %12s  %s\n", "measure (median of runs)", "wall", "backend CPU", "peak RSS", "temp files", "ratio (wall; CPU)"
		row("feast_historical, 1 view, in memory", "mem", sprintf("mem/floor = %.2fx; %.2fx", div(t["mem"], t["floor"]), div(c["mem"], c["floor"])))
		row("  spilled (max_memory " mm ")", "spill", sprintf("spill/mem = %.2fx; %.2fx", div(t["spill"], t["mem"]), div(c["spill"], c["mem"])))
		row("floor, 1 view", "floor", "")
		row("feast_historical, 3 views, in memory", "mem3", sprintf("mem3/floor3 = %.2fx; %.2fx", div(t["mem3"], t["floor3"]), div(c["mem3"], c["floor3"])))
		row("  spilled (max_memory " mm ")", "spill3", sprintf("spill3/mem3 = %.2fx; %.2fx", div(t["spill3"], t["mem3"]), div(c["spill3"], c["mem3"])))
		row("floor, 3 views", "floor3", "")
		printf "\ntargets (scale 1, max_memory 256MB): spill peak RSS < 450 MB, spill/mem <= 3x, the same rows (checked above)\n"
	}'
