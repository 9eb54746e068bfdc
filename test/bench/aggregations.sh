#!/bin/bash
# Benchmark of windowed aggregations as of each entity row (feast_historical
# with aggregated features).
#
#   SCALE=0.01 test/bench/aggregations.sh     # quick check (seconds)
#   test/bench/aggregations.sh                # full scale (about 15 minutes)
#   SCALE=0.05 ONLY=ours,floor PORT=55641 test/bench/aggregations.sh
#
# Run as root or as postgres. PG_CONFIG selects the PostgreSQL installation
# (default: PostgreSQL 15); the extension is built and installed into it, and
# a throwaway cluster is created in /tmp, started on port $PORT (default
# 55498), and removed at the end. Settings are the defaults (shared_buffers
# 128MB, work_mem 4MB), except max_parallel_workers_per_gather = 0 for every
# query: feast_historical reads its inputs in one process, so the others do
# too.
#
# Data (SCALE multiplies the row counts): an entity_df of N = 1,000,000
# labels over E = 100,000 customers spread over one year; an orders table
# of M = 10,000,000 rows (customer, timestamp at any second of the year, a
# created timestamp, a float8 amount). The request: four aggregations of
# the amount over the 7 days before each label (sum, count, mean, max).
#
# Every time is the median of RUNS (default 3) runs, each on a fresh
# connection; every query sends its N result rows through COPY ... TO
# '/dev/null'. Measured:
#   ours        COPY (SELECT * FROM feast_historical(...)) TO '/dev/null'
#   ours_off    the same with offline_store.direct_scan off (every source
#               read through the executor)
#   floor       the work any implementation must do: COPY the entity rows
#               plus four constant columns of the result's types, plus
#               SELECT count(amount) over the orders (one sequential scan
#               reading every column). floor = the sum of the two.
#   lateral     the best plain SQL a user would write: LEFT JOIN LATERAL
#               (SELECT sum(amount), count(amount), avg(amount), max(amount)
#               ... WHERE customer = e.customer AND ts > t - 7 days AND ts <=
#               t) over a btree index on (customer_id, event_timestamp),
#               built beforehand (not timed)
#   lateral_cov the same over a covering index (customer_id,
#               event_timestamp) INCLUDE (amount), built beforehand (not
#               timed), the table vacuumed: index-only scans
#   peak        the backend's VmHWM (peak resident set, includes the shared
#               buffers it touched) after the run, from /proc/<pid>/status.
#   CPU         the backend's user + system CPU time for the query, from
#               /proc/<pid>/stat.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-1800}
PORT=${PORT:-55498}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

N=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 1000000 * s }')
E=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s); if (n < 1) n = 1; printf "%d", n }')
M=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 10000000 * s }')

. "$(dirname "$0")/lib.sh"
bench_install
bench_workdir
bench_start "max_wal_size = 20GB" "checkpoint_timeout = 1h"

echo "scale $SCALE: entity_df N=$N labels over E=$E customers, M=$M orders; $RUNS runs per measure"
echo "generating data..."
psql_run <<SQL
CREATE EXTENSION offline_store;
SELECT setseed(0.42);
CREATE TABLE bench_labels AS
	SELECT (1 + floor(random() * $E))::bigint AS customer_id,
		   timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 86400) * interval '1 second' AS event_timestamp,
		   g AS label
	FROM generate_series(1, $N) g;
CREATE TABLE bench_orders AS
	SELECT k AS customer_id, ts AS event_timestamp,
		   ts + floor(random() * 120) * interval '1 minute' AS created,
		   round((random() * 200)::numeric, 2)::float8 AS amount
	FROM (SELECT (1 + floor(random() * $E))::bigint AS k,
				 timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 86400) * interval '1 second' AS ts
		  FROM generate_series(1, $M)) AS g;
VACUUM (FREEZE, ANALYZE) bench_labels, bench_orders;
\o /dev/null
SELECT count(*) FROM feast_apply(\$y\$
project: bench
entities:
  - {name: customer, join_keys: [customer_id], value_type: INT64}
sources:
  - {name: orders, type: table, table: public.bench_orders, timestamp_field: event_timestamp,
     created_timestamp_column: created}
feature_views:
  - name: orders
    entities: [customer]
    source: orders
    online: false
    aggregations:
      - {column: amount, function: sum, time_window: 7d}
      - {column: amount, function: count, time_window: 7d}
      - {column: amount, function: mean, time_window: 7d}
      - {column: amount, function: max, time_window: 7d}
\$y\$);
\o
CHECKPOINT;
SQL

# measure NAME SQL: run SQL (one or more statements) RUNS times on fresh
# connections; print "NAME median_ms peak_kB cpu_ms" (the time of all
# statements).
measure() {
	local name=$1 sql=$2 times=() peaks=() cpus=() out ms hwm cpu
	if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then
		echo "$name 0 0 0"
		return
	fi
	for ((r = 0; r < RUNS; r++)); do
		out=$(psql_run -At <<SQL 2>&1 || true
SET max_parallel_workers_per_gather = 0;
SET statement_timeout = '${TIMEOUT}s';
SELECT 'CPU0 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
\timing on
$sql
\timing off
SELECT 'CPU1 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
SELECT 'HWM ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');
SQL
)
		if grep -q "statement timeout" <<<"$out"; then
			ms=">=$((TIMEOUT * 1000))"
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

# wanted NAME: whether ONLY (if set) asks for measure NAME
wanted() {
	[ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]
}

ours_sql="COPY (SELECT * FROM feast_historical('bench_labels',
	ARRAY['orders:sum_amount', 'orders:count_amount', 'orders:mean_amount', 'orders:max_amount'], project => 'bench')
	AS t(customer_id bigint, event_timestamp timestamptz, label int, sum_amount float8, count_amount bigint,
		 mean_amount float8, max_amount float8)) TO '/dev/null';"
floor_sql="COPY (SELECT e.*, 0.5::float8 AS sum_amount, 0::bigint AS count_amount, 0.5::float8 AS mean_amount,
	0.5::float8 AS max_amount FROM bench_labels e) TO '/dev/null';
SELECT count(amount) FROM bench_orders;"
lateral_sql="COPY (SELECT e.*, l.* FROM bench_labels e LEFT JOIN LATERAL (
	SELECT sum(s.amount) AS sum_amount, count(s.amount) AS count_amount, avg(s.amount) AS mean_amount,
		   max(s.amount) AS max_amount
	FROM bench_orders s
	WHERE s.customer_id = e.customer_id AND s.event_timestamp > e.event_timestamp - interval '7 days'
	  AND s.event_timestamp <= e.event_timestamp) l ON true) TO '/dev/null';"

echo "measuring..."
results=$(
	measure ours "$ours_sql"
	measure ours_off "SET offline_store.direct_scan = off;
$ours_sql"
	measure floor "$floor_sql"
	if wanted lateral; then
		psql_run -c "CREATE INDEX bench_orders_key_ts ON bench_orders (customer_id, event_timestamp)" >&2
	fi
	measure lateral "$lateral_sql"
	if wanted lateral_cov; then
		psql_run -c "DROP INDEX IF EXISTS bench_orders_key_ts" \
			-c "CREATE INDEX bench_orders_key_ts_cov ON bench_orders (customer_id, event_timestamp) INCLUDE (amount)" \
			-c "VACUUM ANALYZE bench_orders" -c "CHECKPOINT" >&2
	fi
	measure lateral_cov "$lateral_sql"
)

echo
echo "$results" | awk -v scale="$SCALE" -v n="$N" -v m="$M" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v ncpu="$(nproc)" '
	{ t[$1] = $2; p[$1] = $3; c[$1] = $4 }
	function num(x) { sub(/>=/, "", x); return x + 0 }
	function div(a, b) { return b == 0 ? 0 : a / b }
	function fmt(x) { return (x ~ />=/ ? ">= " : "") sprintf("%.2f s", num(x) / 1000) }
	function row(label, k, ratio) {
		printf "%-38s %12s %10.2f s %7d MB  %s\n", label, fmt(t[k]), c[k] / 1000, p[k] / 1024, ratio
	}
	END {
		printf "aggregations benchmark, scale %s (N = %d entity rows, M = %d source rows; sum, count, mean, max over 7 days)\n", scale, n, m
		printf "machine: %d CPUs, load average at the end %s\n\n", ncpu, load
		printf "%-38s %12s %12s %10s  %s\n", "measure (median of runs)", "wall", "backend CPU", "peak RSS", "ratio (wall; CPU)"
		row("feast_historical, 4 aggregations", "ours", "")
		row("  with direct_scan off", "ours_off", sprintf("ours_off/ours = %.2fx; %.2fx", div(num(t["ours_off"]), num(t["ours"])), div(c["ours_off"], c["ours"])))
		row("floor", "floor", sprintf("ours/floor = %.2fx; %.2fx", div(num(t["ours"]), num(t["floor"])), div(c["ours"], c["floor"])))
		row("(a) LATERAL aggregate, btree (k, ts)", "lateral", sprintf("lateral/ours = %s%.1fx; %.1fx", (t["lateral"] ~ />=/ ? ">= " : ""), div(num(t["lateral"]), num(t["ours"])), div(c["lateral"], c["ours"])))
		row("(b) LATERAL, covering (k, ts) INCLUDE", "lateral_cov", sprintf("lateral_cov/ours = %s%.2fx; %.2fx", (t["lateral_cov"] ~ />=/ ? ">= " : ""), div(num(t["lateral_cov"]), num(t["ours"])), div(c["lateral_cov"], c["ours"])))
		printf "\ntargets: lateral/ours >= 10, lateral_cov/ours > 1, ours/floor <= 2.0, peak RSS < 512 MB\n"
	}'
