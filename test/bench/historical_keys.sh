#!/bin/bash
# Benchmark of feast_historical when the entity_df's key type differs from
# the source's (join keys compare as SQL's =, SEMANTICS.md "Clarifications").
#
#   SCALE=0.05 test/bench/historical_keys.sh     # quick check (seconds)
#   test/bench/historical_keys.sh                # full scale
#
# The data of test/bench/historical.sh's one-view measure (SCALE multiplies
# N = 1,000,000 entity rows over E = 100,000 entities, M = 10,000,000 source
# rows with a bigint key, 5 float8 features, ttl 30 days), and the same
# request with the entity_df's key as:
#   bigint   the source's type: the direct table of the engine (the main path)
#   integer  int4 = int8: still compared as integers, on the direct table
#   smallint the same with int2 keys (E capped at 32767)
#   numeric  numeric = numeric: the source key is converted as SQL converts
#            it (read through the executor), keys hashed with numeric's hash
#   text     no = between text and bigint: an error (checked, not timed)
# Each time is the median of RUNS (default 3) runs, each on a fresh
# connection, the N result rows sent through COPY ... TO '/dev/null'.
# Run as root or as postgres; PG_CONFIG and PORT (default 55498) as in
# historical.sh. The cluster is created in /tmp and removed at the end.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
PORT=${PORT:-55498}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

N=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 1000000 * s }')
E=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s); if (n < 1) n = 1; if (n > 32767) n = 32767; printf "%d", n }')
M=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 10000000 * s }')

. "$(dirname "$0")/lib.sh"
bench_install
bench_workdir
bench_start "max_wal_size = 20GB" "checkpoint_timeout = 1h"

echo "scale $SCALE: entity_df N=$N rows over E=$E entities, source M=$M rows; $RUNS runs per measure"
psql_run >/dev/null <<SQL
CREATE EXTENSION offline_store;
SELECT setseed(0.42);
CREATE TABLE bench_ent AS
	SELECT (1 + floor(random() * $E))::bigint AS driver_id,
		   timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 86400) * interval '1 second' AS event_timestamp,
		   g AS label
	FROM generate_series(1, $N) g;
CREATE TABLE bench_src AS
	SELECT k AS driver_id, ts AS event_timestamp,
		   ts + floor(random() * 120) * interval '1 minute' AS created,
		   random() AS f1, random() AS f2, random() AS f3, random() AS f4, random() AS f5
	FROM (SELECT (1 + floor(random() * $E))::bigint AS k,
				 timestamptz '2024-01-01 00:00+00' + floor(random() * 365 * 24) * interval '1 hour' AS ts
		  FROM generate_series(1, $M)) AS g;
CREATE TABLE bench_ent_int AS SELECT driver_id::integer AS driver_id, event_timestamp, label FROM bench_ent;
CREATE TABLE bench_ent_small AS SELECT driver_id::smallint AS driver_id, event_timestamp, label FROM bench_ent;
CREATE TABLE bench_ent_num AS SELECT driver_id::numeric AS driver_id, event_timestamp, label FROM bench_ent;
VACUUM (FREEZE, ANALYZE) bench_ent, bench_ent_int, bench_ent_small, bench_ent_num, bench_src;
SELECT * FROM feast_apply(\$y\$
project: bench
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: src, type: table, table: public.bench_src, timestamp_field: event_timestamp, created_timestamp_column: created}]
feature_views:
  - name: fv
    entities: [driver]
    source: src
    ttl: 30d
    schema: [{name: f1, dtype: Float64}, {name: f2, dtype: Float64}, {name: f3, dtype: Float64},
             {name: f4, dtype: Float64}, {name: f5, dtype: Float64}]
\$y\$);
CHECKPOINT;
SQL

# the text entity_df: an error naming both columns, before any row is read
if psql_run -c "SELECT count(*) FROM feast_historical('SELECT driver_id::text AS driver_id, event_timestamp FROM bench_ent',
	ARRAY['fv:f1'], project => 'bench') AS t(driver_id text, event_timestamp timestamptz, f1 float8)" 2>"$work/err"; then
	echo "text keys: expected an error" >&2
	exit 1
fi
echo "text keys: $(head -1 "$work/err")"

# measure NAME ENTITY_TABLE KEYTYPE: median wall time of the retrieval
measure() {
	local name=$1 ent=$2 typ=$3 times=() out
	for ((r = 0; r < RUNS; r++)); do
		out=$(psql_run -At <<SQL
SET max_parallel_workers_per_gather = 0;
\timing on
COPY (SELECT * FROM feast_historical('$ent', ARRAY['fv:f1','fv:f2','fv:f3','fv:f4','fv:f5'], project => 'bench')
	AS t(driver_id $typ, event_timestamp timestamptz, label int, f1 float8, f2 float8, f3 float8, f4 float8, f5 float8)) TO '/dev/null';
SQL
)
		times+=("$(grep -o 'Time: [0-9.]* ms' <<<"$out" | awk '{ printf "%.0f", $2 }')")
		echo "  $name run $((r + 1)): ${times[-1]} ms (load $(cut -d' ' -f1 /proc/loadavg))" >&2
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v n="$RUNS" -v name="$name" '{ v[NR] = $1 } END { print name, v[int((n + 1) / 2)] }'
}

results=$(
	measure bigint bench_ent bigint
	measure integer bench_ent_int integer
	measure smallint bench_ent_small smallint
	measure numeric bench_ent_num numeric
)
echo
echo "$results" | awk '{ t[$1] = $2 }
	END {
		printf "%-28s %10s  %s\n", "entity_df key (source bigint)", "wall", "vs bigint"
		split("bigint integer smallint numeric", k, " ")
		for (i = 1; i <= 4; i++)
			printf "%-28s %8.2f s  %.2fx\n", k[i], t[k[i]] / 1000, t[k[i]] / t["bigint"]
	}'
