#!/bin/bash
# How the cost of retrieval and materialization grows with the work: the
# scaling table of the README, in a throwaway cluster.
#
#   test/bench/scaling.sh                    # 1x and 10x (10M x 100M: an hour, ~25 GB of disk)
#   FACTORS="0.1 1" test/bench/scaling.sh    # smaller steps (minutes)
#   FACTORS=0.01 RUNS=1 PORT=55692 test/bench/scaling.sh   # quick check
#
# Environment: FACTORS (the sizes to measure, default "1 10"), RUNS (default
# 3 for factors up to 1, 1 above; medians are reported), PG_CONFIG (default
# PostgreSQL 15), PORT (default 55499). Every factor gets a fresh cluster
# (defaults: shared_buffers 128MB, work_mem 4MB, offline_store.max_memory
# 1GB; parallel workers off, as the engine reads in one process).
#
# Data at factor F: a source of M = F * 10,000,000 rows over K = F * 100,000
# drivers, event timestamps spread over the 12 months of 2024, range
# partitioned by month (12 partitions), 3 float8 features and a created
# timestamp; an entity_df of N = F * 1,000,000 rows over the drivers in the
# last quarter (October to December); the feature view's ttl is 30 days, so
# the time window a retrieval needs is September to December and the
# planner prunes the other 8 partitions. Measured, on fresh connections,
# results sent through COPY ... TO '/dev/null':
#   historical   feast_historical, the 3 features as of every entity row
#                (offline_store.max_memory at its default, 1GB: the 10x
#                request spills)
#   hist_mem     the same with max_memory = 1TB (in memory, whatever it takes)
#   floor        the entity rows with 3 constant columns, plus a scan of
#                the 4 partitions the window needs (what any implementation
#                must read)
#   materialize  feast_materialize of December (one partition) into the
#                empty online table (K keys)
#   mfloor       INSERT ... SELECT DISTINCT ON (key) of December into a
#                keyed table (the SQL a user would write)
# with the wall time, the backend's peak resident set (VmHWM, shared
# buffers touched included), and the bytes it wrote to temporary files
# (pg_stat_database.temp_bytes): how the time, the memory and the spill
# grow from one factor to the next.
set -euo pipefail

FACTORS=${FACTORS:-"1 10"}
PORT=${PORT:-55499}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

. "$(dirname "$0")/lib.sh"
bench_install
bench_workdir

# measure NAME RUNS SQL: run SQL RUNS times, each on a fresh connection;
# print "NAME median_ms peak_kB temp_bytes" (peak and temp bytes of the
# median run's neighbourhood: their greatest).
measure() {
	local name=$1 runs=$2 sql=$3 times=() peaks=() temps=() out
	for ((r = 0; r < runs; r++)); do
		out=$(psql_run -At <<SQL 2>&1
SET max_parallel_workers_per_gather = 0;
SELECT pg_stat_force_next_flush();
SELECT 'TEMP0 ' || temp_bytes FROM pg_stat_database WHERE datname = current_database();
\timing on
$sql
\timing off
SELECT pg_stat_force_next_flush();
SELECT 'HWM ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');
SQL
)
		if grep -q "ERROR" <<<"$out"; then
			echo "$name failed: $out" >&2
			exit 1
		fi
		times+=("$(grep -o 'Time: [0-9.]* ms' <<<"$out" | awk '{ s += $2 } END { printf "%.0f", s }')")
		peaks+=("$(grep -o 'HWM [0-9]*' <<<"$out" | awk '{ print $2 }')")
		# the temp bytes are read in a new session: the flush is at its end
		temps+=("$(grep -o 'TEMP0 [0-9]*' <<<"$out" | awk '{ print $2 }')")
		echo "  $name run $((r + 1)): ${times[-1]} ms, peak $((${peaks[-1]:-0} / 1024)) MB (load $(cut -d' ' -f1 /proc/loadavg))" >&2
	done
	local t1
	t1=$(psql_run -At -c "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
	printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" -v name="$name" \
		-v peak="$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)" \
		-v temp="$(( (t1 - temps[0]) / runs ))" \
		'{ v[NR] = $1 } END { printf "%s %s %s %s\n", name, v[int((n + 1) / 2)], peak, temp }'
}

table=""
for F in $FACTORS; do
	M=$(awk -v f="$F" 'BEGIN { printf "%d", 10000000 * f }')
	K=$(awk -v f="$F" 'BEGIN { k = int(100000 * f); if (k < 1) k = 1; printf "%d", k }')
	N=$(awk -v f="$F" 'BEGIN { printf "%d", 1000000 * f }')
	RUNS=${RUNS:-$(awk -v f="$F" 'BEGIN { print (f > 1 ? 1 : 3) }')}

	bench_start "max_wal_size = 40GB" "checkpoint_timeout = 1h"

	echo "factor $F: source M=$M rows over K=$K drivers (12 monthly partitions), entity_df N=$N rows (Oct-Dec)"
	echo "generating data..."
	psql_run <<SQL
CREATE EXTENSION offline_store;
SELECT setseed(0.42);
CREATE TABLE bench_src (driver_id bigint, ts timestamptz, created timestamptz,
						f1 float8, f2 float8, f3 float8) PARTITION BY RANGE (ts);
DO \$\$
BEGIN
	FOR m IN 1..12 LOOP
		EXECUTE format('CREATE TABLE bench_src_%s PARTITION OF bench_src FOR VALUES FROM (%L) TO (%L)',
					   m, make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'),
					   make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC') + interval '1 month');
	END LOOP;
END\$\$;
INSERT INTO bench_src
	SELECT k, ts, ts + floor(random() * 60) * interval '1 minute', random(), random(), random()
	FROM (SELECT (1 + floor(random() * $K))::bigint AS k,
				 timestamptz '2024-01-01 00:00+00' + floor(random() * 366 * 86400) * interval '1 second' AS ts
		  FROM generate_series(1, $M)) g;
CREATE TABLE bench_entities AS
	SELECT (1 + floor(random() * $K))::bigint AS driver_id,
		   timestamptz '2024-10-01 00:00+00' + floor(random() * 92 * 86400) * interval '1 second' AS event_timestamp
	FROM generate_series(1, $N);
CREATE TABLE bench_keyed (driver_id bigint PRIMARY KEY, f1 float8, f2 float8, f3 float8,
						  event_timestamp timestamptz, created_timestamp timestamptz);
VACUUM (FREEZE, ANALYZE) bench_src, bench_entities;
\o /dev/null
SELECT count(*) FROM feast_apply(\$y\$
project: bench
online_store: {type: postgres, db_schema: bench_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.bench_src, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: stats
    entities: [driver]
    source: src
    ttl: 30d
    schema:
      - {name: f1, dtype: Float64}
      - {name: f2, dtype: Float64}
      - {name: f3, dtype: Float64}
\$y\$);
\o
CHECKPOINT;
SQL
	hist="COPY (SELECT * FROM feast_historical('bench_entities', ARRAY['stats:f1', 'stats:f2', 'stats:f3'], project => 'bench')
	AS t(driver_id bigint, event_timestamp timestamptz, f1 float8, f2 float8, f3 float8)) TO '/dev/null';"
	floor="COPY (SELECT e.*, 0.5::float8, 0.5::float8, 0.5::float8 FROM bench_entities e) TO '/dev/null';
SELECT count(f1) + count(f2) + count(f3) FROM bench_src WHERE ts >= '2024-09-01 00:00+00' AND ts < '2025-01-01 00:00+00';"
	mat="TRUNCATE bench_online.bench_stats; DELETE FROM feast.materialization_intervals;
SELECT count(*) FROM feast_materialize('2024-12-01 00:00+00', '2025-01-01 00:00+00', project => 'bench');"
	mfloor="TRUNCATE bench_keyed;
INSERT INTO bench_keyed SELECT DISTINCT ON (driver_id) driver_id, f1, f2, f3, ts, created FROM bench_src
WHERE ts >= '2024-12-01 00:00+00' AND ts < '2025-01-01 00:00+00' ORDER BY driver_id, ts DESC, created DESC;"
	echo "measuring..."
	results=$(
		measure historical "$RUNS" "$hist"
		measure hist_mem "$RUNS" "SET offline_store.max_memory = '1TB';
$hist"
		measure floor "$RUNS" "$floor"
		measure materialize "$RUNS" "$mat"
		measure mfloor "$RUNS" "$mfloor"
	)
	table+=$(echo "$results" | awk -v f="$F" -v n="$N" -v m="$M" -v k="$K" '
		{ t[$1] = $2; p[$1] = $3; b[$1] = $4 }
		function row(label, x, ratio) {
			printf "%-6s %-34s %10.2f s %8d MB %10d MB  %s\n", f "x", label, t[x] / 1000, p[x] / 1024, b[x] / 1048576, ratio
		}
		END {
			row(sprintf("historical %gM x %gM", n / 1e6, m / 1e6), "historical", sprintf("%.2fx floor", t["historical"] / t["floor"]))
			row("  in memory (max_memory 1TB)", "hist_mem", sprintf("%.2fx floor", t["hist_mem"] / t["floor"]))
			row("  floor", "floor", "")
			row(sprintf("materialize Dec, %gk keys", k / 1000), "materialize", sprintf("%.2fx DISTINCT ON", t["materialize"] / t["mfloor"]))
			row("  INSERT ... SELECT DISTINCT ON", "mfloor", "")
		}')
	table+=$'\n'
	as_pg "$bindir/pg_ctl" -D "$work/data" -m fast stop >/dev/null
done

echo
echo "scaling: time, peak memory and temporary files by size (machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf "%-6s %-34s %12s %11s %13s\n" "size" "measure (median)" "wall" "peak RSS" "temp files"
printf '%s' "$table"
