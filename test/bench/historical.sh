#!/bin/bash
# Benchmark of feast_historical (the point-in-time join).
#
#   SCALE=0.01 test/bench/historical.sh      # quick check (seconds)
#   test/bench/historical.sh                 # full scale (about 10 minutes)
#   SCALE=0.3 ONLY=ours,floor test/bench/historical.sh   # only those measures
#
# Run as root or as postgres. PG_CONFIG selects the PostgreSQL installation
# (default: PostgreSQL 15); the extension is built and installed into it, and
# a throwaway cluster is created in /tmp, started on port $PORT (default
# 55499), and removed at the end. Settings are the defaults (shared_buffers
# 128MB, work_mem 4MB), except max_parallel_workers_per_gather = 0 for every
# query: feast_historical reads its inputs in one process, so the others do
# too.
#
# Data (SCALE multiplies the row counts): entity_df of N = 1,000,000 rows over
# E = 100,000 entities spread over one year; a feature view of M = 10,000,000
# source rows (5 float8 features, a created column, event timestamps on whole
# hours so that some are equal), ttl 30 days. Then the same with three views
# of three different entities (M rows each) and one entity_df of N rows.
#
# Every time is the median of RUNS (default 3) runs, each on a fresh
# connection; every query sends its N result rows through COPY ... TO
# '/dev/null'. Measured:
#   ours     COPY (SELECT * FROM feast_historical(...)) TO '/dev/null'
#   ours_off the same with offline_store.direct_scan off: every source read
#            through the executor (ours reads a plain table directly,
#            src/historical_scan.c); ours3_off likewise for ours3
#   ours_par the same with max_parallel_workers_per_gather = WORKERS (default
#            2; every other measure has 0): the source read shared among
#            parallel workers (src/historical_parallel.c); ours3_par likewise.
#            Its CPU column is the leader's only.
#   floor    the work any implementation must do: COPY the entity rows plus
#            five constant float8 columns per view TO '/dev/null' (reading
#            the entity table and emitting N rows of the result's shape),
#            plus SELECT count(f5) over each source (one sequential scan that
#            reads every column). floor = the sum of the two.
#   feast    the SQL Feast's Postgres offline store generates for this
#            request (FEAST_REFERENCE.md section 3), written out for these
#            tables; capped by statement_timeout = FEAST_TIMEOUT seconds
#            (default 900): a capped run is reported as ">= FEAST_TIMEOUT".
#   lateral  LEFT JOIN LATERAL (... ORDER BY ts DESC, created DESC LIMIT 1)
#            with a btree index on (entity, ts, created), index built
#            beforehand (not timed). The data has no NULL created, so its
#            NULL ordering does not matter here.
#   peak     the backend's VmHWM (peak resident set, includes the shared
#            buffers it touched) after the run, from /proc/<pid>/status.
#   CPU      the backend's user + system CPU time for the query, from
#            /proc/<pid>/stat: less disturbed than wall time when other work
#            shares the machine (the load average is printed too).
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
WORKERS=${WORKERS:-2}
FEAST_TIMEOUT=${FEAST_TIMEOUT:-900}
PORT=${PORT:-55499}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

N=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 1000000 * s }')
E=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s); if (n < 1) n = 1; printf "%d", n }')
M=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 10000000 * s }')

# the other views' sources are only needed by the 3-view measures
M3=$M
if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",ours3,"* && ",$ONLY," != *",floor3,"* ]]; then
	M3=0
fi

. "$(dirname "$0")/lib.sh"
bench_install
bench_workdir
bench_start "max_wal_size = 20GB" "checkpoint_timeout = 1h"

echo "scale $SCALE: entity_df N=$N rows over E=$E entities, sources M=$M rows each; $RUNS runs per measure"
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
	SELECT (1 + floor(random() * $E))::bigint AS driver_id,
		   (1 + floor(random() * $E))::bigint AS customer_id,
		   (1 + floor(random() * $E))::bigint AS location_id,
		   timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 86400) * interval '1 second' AS event_timestamp,
		   g AS label
	FROM generate_series(1, $N) g;
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
CREATE INDEX bench_src_lateral ON bench_src (driver_id, event_timestamp, created);
VACUUM (FREEZE, ANALYZE) bench_ent, bench_ent3, bench_src, bench_src_c, bench_src_l;

INSERT INTO feast.projects (name) VALUES ('bench');
INSERT INTO feast.entities (project, name, join_key, value_type) VALUES
	('bench', 'driver', 'driver_id', 'INT64'), ('bench', 'customer', 'customer_id', 'INT64'),
	('bench', 'location', 'location_id', 'INT64');
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field, created_timestamp_column) VALUES
	('bench', 'src', 'table', 'bench_src', 'event_timestamp', 'created'),
	('bench', 'src_c', 'table', 'bench_src_c', 'event_timestamp', 'created'),
	('bench', 'src_l', 'table', 'bench_src_l', 'event_timestamp', 'created');
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field, created_timestamp_column, field_mapping) VALUES
	('bench', 'src_c2', 'table', 'bench_src_c', 'event_timestamp', 'created',
	 '{"f1": "g1", "f2": "g2", "f3": "g3", "f4": "g4", "f5": "g5"}'),
	('bench', 'src_l2', 'table', 'bench_src_l', 'event_timestamp', 'created',
	 '{"f1": "h1", "f2": "h2", "f3": "h3", "f4": "h4", "f5": "h5"}');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES
	('bench', 'fv', 'src', '720 hours'), ('bench', 'fv_c', 'src_c2', '720 hours'),
	('bench', 'fv_l', 'src_l2', '720 hours');
INSERT INTO feast.feature_view_entities VALUES
	('bench', 'fv', 1, 'driver'), ('bench', 'fv_c', 1, 'customer'), ('bench', 'fv_l', 1, 'location');
INSERT INTO feast.features (project, feature_view, position, name, dtype)
	SELECT 'bench', v, i, p || i, 'Float64'
	FROM (VALUES ('fv', 'f'), ('fv_c', 'g'), ('fv_l', 'h')) AS x(v, p), generate_series(1, 5) i;
CHECKPOINT;
SQL

# measure NAME SQL: run SQL (one or more statements) RUNS times on fresh
# connections; print "NAME median_ms peak_kB" (the time of all statements).
measure() {
	local name=$1 sql=$2 times=() peaks=() cpus=() out ms hwm cpu
	if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then
		echo "$name 0 0 0"
		return
	fi
	for ((r = 0; r < RUNS; r++)); do
		out=$(psql_run -At <<SQL 2>&1 || true
SET max_parallel_workers_per_gather = 0;
SET statement_timeout = '${FEAST_TIMEOUT}s';
SELECT 'CPU0 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
\timing on
$sql
\timing off
SELECT 'CPU1 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
SELECT 'HWM ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');
SQL
)
		if grep -q "statement timeout" <<<"$out"; then
			ms=">=$((FEAST_TIMEOUT * 1000))"
		elif grep -q "ERROR" <<<"$out"; then
			echo "$name failed: $out" >&2
			exit 1
		else
			ms=$(grep -o 'Time: [0-9.]* ms' <<<"$out" | awk '{ s += $2 } END { printf "%.0f", s }')
		fi
		hwm=$(grep -o 'HWM [0-9]*' <<<"$out" | awk '{ print $2 }')
		cpu=$(awk '/^CPU0/ { a = $2 } /^CPU1/ { b = $2 } END { printf "%d", (b - a) * 1000 / '"$(getconf CLK_TCK)"' }' <<<"$out")
		times+=("$ms")
		peaks+=("${hwm:-0}")
		cpus+=("$cpu")
		echo "  $name run $((r + 1)): $ms ms, backend CPU $cpu ms, peak $((${hwm:-0} / 1024)) MB (load $(cut -d' ' -f1 /proc/loadavg))" >&2
	done
	printf '%s\n' "${times[@]}" | sed 's/>=//' | sort -n | awk -v n="$RUNS" -v name="$name" -v capped="$(printf '%s\n' "${times[@]}" | grep -c '>=' || true)" \
		-v peak="$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)" \
		-v cpu="$(printf '%s\n' "${cpus[@]}" | sort -n | awk -v n="$RUNS" '{ v[NR] = $1 } END { print v[int((n + 1) / 2)] }')" \
		'{ v[NR] = $1 } END { m = v[int((n + 1) / 2)]; printf "%s %s%s %s %s\n", name, (capped > 0 ? ">=" : ""), m, peak, cpu }'
}

ours_sql="COPY (SELECT * FROM feast_historical('bench_ent', ARRAY['fv:f1','fv:f2','fv:f3','fv:f4','fv:f5'], project => 'bench')
	AS t(driver_id bigint, event_timestamp timestamptz, label int, f1 float8, f2 float8, f3 float8, f4 float8, f5 float8)) TO '/dev/null';"
floor_sql="COPY (SELECT e.*, 0.5::float8 AS f1, 0.5::float8 AS f2, 0.5::float8 AS f3, 0.5::float8 AS f4, 0.5::float8 AS f5 FROM bench_ent e) TO '/dev/null';
SELECT count(f5) FROM bench_src;"
lateral_sql="COPY (SELECT e.*, l.f1, l.f2, l.f3, l.f4, l.f5 FROM bench_ent e LEFT JOIN LATERAL (
	SELECT s.f1, s.f2, s.f3, s.f4, s.f5 FROM bench_src s
	WHERE s.driver_id = e.driver_id AND s.event_timestamp <= e.event_timestamp
	  AND s.event_timestamp >= e.event_timestamp - 2592000 * interval '1' second
	ORDER BY s.event_timestamp DESC, s.created DESC LIMIT 1) l ON true) TO '/dev/null';"
# Feast's Postgres template (MULTIPLE_FEATURE_VIEW_POINT_IN_TIME_JOIN, entity
# df branch, temp_table mode: the entity df is a table) for this request.
feast_sql="COPY (
WITH entity_dataframe AS (
	SELECT *, event_timestamp AS entity_timestamp,
		   (CAST(driver_id AS VARCHAR) || CAST(event_timestamp AS VARCHAR)) AS fv__entity_row_unique_id
	FROM bench_ent
),
fv__entity_dataframe AS (
	SELECT driver_id, entity_timestamp, fv__entity_row_unique_id
	FROM entity_dataframe
	GROUP BY driver_id, entity_timestamp, fv__entity_row_unique_id
),
fv__subquery AS (
	SELECT event_timestamp AS event_timestamp, created AS created_timestamp, driver_id AS driver_id,
		   f1 AS f1, f2 AS f2, f3 AS f3, f4 AS f4, f5 AS f5
	FROM bench_src AS sub
	WHERE event_timestamp <= (SELECT MAX(entity_timestamp) FROM entity_dataframe)
	  AND event_timestamp >= (SELECT MIN(entity_timestamp) FROM entity_dataframe) - 2592000 * interval '1' second
),
fv__base AS (
	SELECT subquery.*, entity_dataframe.entity_timestamp, entity_dataframe.fv__entity_row_unique_id
	FROM fv__subquery AS subquery
	INNER JOIN fv__entity_dataframe AS entity_dataframe
	ON TRUE
	   AND subquery.event_timestamp <= entity_dataframe.entity_timestamp
	   AND subquery.event_timestamp >= entity_dataframe.entity_timestamp - 2592000 * interval '1' second
	   AND subquery.driver_id = entity_dataframe.driver_id
),
fv__dedup AS (
	SELECT fv__entity_row_unique_id, event_timestamp, MAX(created_timestamp) AS created_timestamp
	FROM fv__base
	GROUP BY fv__entity_row_unique_id, event_timestamp
),
fv__latest AS (
	SELECT event_timestamp, created_timestamp, fv__entity_row_unique_id
	FROM (
		SELECT base.*, ROW_NUMBER() OVER (PARTITION BY base.fv__entity_row_unique_id
										  ORDER BY base.event_timestamp DESC, base.created_timestamp DESC) AS row_number
		FROM fv__base AS base
		INNER JOIN fv__dedup AS dedup
		USING (fv__entity_row_unique_id, event_timestamp, created_timestamp)
	) AS sub
	WHERE row_number = 1
),
fv__cleaned AS (
	SELECT base.*
	FROM fv__base AS base
	INNER JOIN fv__latest
	USING (fv__entity_row_unique_id, event_timestamp, created_timestamp)
)
SELECT driver_id, event_timestamp, label, f1, f2, f3, f4, f5
FROM entity_dataframe
LEFT JOIN (
	SELECT fv__entity_row_unique_id, f1, f2, f3, f4, f5
	FROM fv__cleaned
) AS fv__cleaned USING (fv__entity_row_unique_id)
) TO '/dev/null';"

ours3_sql="COPY (SELECT * FROM feast_historical('bench_ent3',
	ARRAY['fv:f1','fv:f2','fv:f3','fv:f4','fv:f5','fv_c:g1','fv_c:g2','fv_c:g3','fv_c:g4','fv_c:g5',
		  'fv_l:h1','fv_l:h2','fv_l:h3','fv_l:h4','fv_l:h5'], project => 'bench')
	AS t(driver_id bigint, customer_id bigint, location_id bigint, event_timestamp timestamptz, label int,
		 f1 float8, f2 float8, f3 float8, f4 float8, f5 float8, g1 float8, g2 float8, g3 float8, g4 float8, g5 float8,
		 h1 float8, h2 float8, h3 float8, h4 float8, h5 float8)) TO '/dev/null';"
floor3_sql="COPY (SELECT e.*$(for p in f g h; do for i in 1 2 3 4 5; do printf ', 0.5::float8 AS %s%s' $p $i; done; done) FROM bench_ent3 e) TO '/dev/null';
SELECT count(f5) FROM bench_src;
SELECT count(f5) FROM bench_src_c;
SELECT count(f5) FROM bench_src_l;"

echo "measuring..."
results=$(
	measure ours "$ours_sql"
	measure ours_off "SET offline_store.direct_scan = off;
$ours_sql"
	measure floor "$floor_sql"
	measure ours_par "SET max_parallel_workers_per_gather = $WORKERS;
$ours_sql"
	measure lateral "$lateral_sql"
	measure feast "$feast_sql"
	measure ours3 "$ours3_sql"
	measure ours3_off "SET offline_store.direct_scan = off;
$ours3_sql"
	measure floor3 "$floor3_sql"
	measure ours3_par "SET max_parallel_workers_per_gather = $WORKERS;
$ours3_sql"
)

echo
echo "$results" | awk -v scale="$SCALE" -v workers="$WORKERS" -v n="$N" -v m="$M" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v ncpu="$(nproc)" '
	{ t[$1] = $2; p[$1] = $3; c[$1] = $4 }
	function num(x) { sub(/>=/, "", x); return x + 0 }
	function div(a, b) { return b == 0 ? 0 : a / b }
	function fmt(x) { return (x ~ />=/ ? ">= " : "") sprintf("%.2f s", num(x) / 1000) }
	function row(label, k, ratio) {
		printf "%-34s %12s %10.2f s %7d MB  %s\n", label, fmt(t[k]), c[k] / 1000, p[k] / 1024, ratio
	}
	END {
		printf "feast_historical benchmark, scale %s (N = %d entity rows, M = %d source rows per view)\n", scale, n, m
		printf "machine: %d CPUs, load average at the end %s\n\n", ncpu, load
		printf "%-34s %12s %12s %10s  %s\n", "measure (median of runs)", "wall", "backend CPU", "peak RSS", "ratio (wall; CPU)"
		row("feast_historical, 1 view", "ours", "")
		row("  with direct_scan off", "ours_off", sprintf("ours_off/ours = %.2fx; %.2fx", div(num(t["ours_off"]), num(t["ours"])), div(c["ours_off"], c["ours"])))
		row("floor, 1 view", "floor", sprintf("ours/floor = %.2fx; %.2fx", div(num(t["ours"]), num(t["floor"])), div(c["ours"], c["floor"])))
		row(sprintf("  with %d parallel workers", workers), "ours_par", sprintf("ours_par/floor = %.2fx; ours/ours_par = %.2fx", div(num(t["ours_par"]), num(t["floor"])), div(num(t["ours"]), num(t["ours_par"]))))
		row("LEFT JOIN LATERAL + btree index", "lateral", sprintf("lateral/ours = %.1fx; %.1fx", div(num(t["lateral"]), num(t["ours"])), div(c["lateral"], c["ours"])))
		row("Feast Postgres SQL", "feast", sprintf("feast/ours = %s%.1fx; %.1fx", (t["feast"] ~ />=/ ? ">= " : ""), div(num(t["feast"]), num(t["ours"])), div(c["feast"], c["ours"])))
		row("feast_historical, 3 views", "ours3", "")
		row("  with direct_scan off", "ours3_off", sprintf("ours3_off/ours3 = %.2fx; %.2fx", div(num(t["ours3_off"]), num(t["ours3"])), div(c["ours3_off"], c["ours3"])))
		row("floor, 3 views", "floor3", sprintf("ours3/floor3 = %.2fx; %.2fx", div(num(t["ours3"]), num(t["floor3"])), div(c["ours3"], c["floor3"])))
		row(sprintf("  with %d parallel workers", workers), "ours3_par", sprintf("ours3_par/floor3 = %.2fx; ours3/ours3_par = %.2fx", div(num(t["ours3_par"]), num(t["floor3"])), div(num(t["ours3"]), num(t["ours3_par"]))))
		printf "\ntargets: ours/floor <= 2.0, lateral/ours >= 3, feast/ours >= 20, peak RSS < 512 MB\n"
		printf "(a capped Feast run counts as its timeout, so its ratio is a lower bound; its CPU is then that of the capped run)\n"
	}'
