#!/bin/bash
# Benchmark of feast_materialize against its floor, in a throwaway cluster.
#
#   test/bench/materialize.sh            # 10,000,000 source rows, 1,000,000 keys
#   SCALE=0.01 test/bench/materialize.sh # 100,000 rows, 10,000 keys (quick)
#
# Environment: SCALE (default 1), RUNS (default 3, medians are reported),
# PG_CONFIG (default PostgreSQL 15), WORK_MEM (default 1GB), PORT.
#
# Source: SCALE * 10M rows over SCALE * 1M keys, 5 features of mixed types,
# an event timestamp and a created timestamp, with an index on the event
# timestamp (the recommended setup: incremental runs read only the new
# rows through it). Measured:
#   floor        INSERT INTO <empty table of the online table's shape>
#                SELECT DISTINCT ON (key) ... ORDER BY key, ts DESC, created DESC
#   full         feast_materialize over the whole range into the empty online table
#   incremental  feast_materialize_incremental after 1% new rows (newer than
#                everything), into the full online table
# Targets: full <= 1.5 x floor; incremental <= 5% of full.
#
# Runs as root (the cluster runs as postgres) or as any user that can run
# initdb. Installs the extension into PG_CONFIG's tree first.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
WORK_MEM=${WORK_MEM:-1GB}
PORT=${PORT:-55499}
src=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("$PG_CONFIG" --bindir)

rows=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 10000000 }')
keys=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 1000000 }')
newrows=$((rows / 100))

make -C "$src" -s install PG_CONFIG="$PG_CONFIG" >/dev/null

dir=$(mktemp -d /tmp/ofs-bench.XXXXXX)
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
cleanup() {
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

as_pg "$bindir/initdb" -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
port = $PORT
unix_socket_directories = '$dir'
listen_addresses = ''
shared_buffers = 2GB
max_wal_size = 20GB
checkpoint_timeout = 30min
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
jit = off
max_parallel_workers_per_gather = 0
EOF
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null

psql() {
	as_pg env PGOPTIONS="-c work_mem=$WORK_MEM" "$bindir/psql" -h "$dir" -p "$PORT" \
		-U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}
# seconds one SQL statement takes in the server (psql's \timing)
timed() {
	psql -c '\timing on' -c "$1" >"$dir/last.out" 2>&1 || { cat "$dir/last.out"; exit 1; }
	grep '^Time: ' "$dir/last.out" | tail -1 | awk '{ printf "%.3f", $2 / 1000 }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "offline_store materialization benchmark: $rows source rows, $keys keys, 5 features, $RUNS runs"
echo "setting up..."
psql <<EOF
CREATE EXTENSION offline_store;
CREATE TABLE public.bench_src (
	driver_id bigint,
	event_ts timestamptz,
	created timestamptz,
	conv real,
	acc double precision,
	trips bigint,
	rating integer,
	city text
);
INSERT INTO public.bench_src
SELECT g % $keys,
	   ts,
	   CASE WHEN g % 10 = 0 THEN NULL ELSE ts + interval '1 minute' END,
	   (g % 1000) / 1000.0, (g % 977) / 977.0, g, g % 5, 'city_' || (g % 50)
FROM (SELECT g, '2024-01-01 00:00+00'::timestamptz + (g % 2592000) * interval '1 second' AS ts
	  FROM generate_series(1, $rows) g) s;
CREATE INDEX bench_src_event_ts_idx ON public.bench_src (event_ts);
VACUUM ANALYZE public.bench_src;
SELECT count(*) FROM feast_apply(\$y\$
project: bench
online_store: {type: postgres, db_schema: bench_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - name: src
    type: table
    table: public.bench_src
    timestamp_field: event_timestamp
    created_timestamp_column: created
    field_mapping: {event_ts: event_timestamp}
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
CREATE TABLE public.bench_floor (LIKE bench_online.bench_stats INCLUDING ALL);
EOF

floor_sql="INSERT INTO public.bench_floor
SELECT DISTINCT ON (driver_id) driver_id, conv, acc, trips, rating, city, event_ts, created
FROM public.bench_src ORDER BY driver_id, event_ts DESC, created DESC"
full_sql="SELECT * FROM feast_materialize('2023-12-31', '2024-02-01', ARRAY['stats'], 'bench')"
reset_sql="TRUNCATE bench_online.bench_stats, public.bench_floor;
DELETE FROM feast.materialization_intervals; DELETE FROM feast.materialization_runs; CHECKPOINT"

floor_times=""
full_times=""
for i in $(seq 1 "$RUNS"); do
	psql -c "$reset_sql"
	floor_times="$floor_times $(timed "$floor_sql")"
	full_times="$full_times $(timed "$full_sql")"
	echo "  run $i: floor ${floor_times##* } s, full ${full_times##* } s"
done
grep -h rows_written -A2 "$dir/last.out" | tail -1 | sed 's/^/  last full run: /'
psql -At -c "SELECT 'online rows: ' || count(*) FROM bench_online.bench_stats"
psql -At -c "SELECT 'equal to floor: ' || NOT EXISTS (
	(SELECT driver_id, event_timestamp, created_timestamp FROM bench_online.bench_stats
	 EXCEPT SELECT driver_id, event_timestamp, created_timestamp FROM public.bench_floor)
	UNION ALL
	(SELECT driver_id, event_timestamp, created_timestamp FROM public.bench_floor
	 EXCEPT SELECT driver_id, event_timestamp, created_timestamp FROM bench_online.bench_stats))"

# Incremental: 1% new rows, newer than everything, on random keys.
incr_times=""
for i in $(seq 1 "$RUNS"); do
	psql -c "INSERT INTO public.bench_src
		SELECT (g * 7919) % $keys, '2024-02-01 00:00+00'::timestamptz + interval '1 hour' * $i + g * interval '1 millisecond',
			   NULL, 0.5, 0.5, g, 1, 'new'
		FROM generate_series(1, $newrows) g; ANALYZE public.bench_src; CHECKPOINT"
	incr_times="$incr_times $(timed "SELECT * FROM feast_materialize_incremental('2024-02-01 00:00+00'::timestamptz + interval '1 hour' * ($i + 1), ARRAY['stats'], 'bench')")"
	echo "  incremental run $i: ${incr_times##* } s ($(grep -A2 rows_written "$dir/last.out" | tail -1 | awk -F'|' '{ print $4 }' | tr -d ' ') rows written)"
done

floor_m=$(echo "$floor_times" | median)
full_m=$(echo "$full_times" | median)
incr_m=$(echo "$incr_times" | median)
echo
printf "%-40s %10s\n" "measure (median of $RUNS)" "seconds"
printf "%-40s %10s\n" "floor: INSERT ... SELECT DISTINCT ON" "$floor_m"
printf "%-40s %10s\n" "feast_materialize, full" "$full_m"
printf "%-40s %10s\n" "feast_materialize_incremental, 1% new" "$incr_m"
awk -v f="$floor_m" -v m="$full_m" -v i="$incr_m" 'BEGIN {
	printf "full / floor        = %.2f  (target <= 1.50) %s\n", m / f, (m / f <= 1.5 ? "ok" : "MISSED")
	printf "incremental / full  = %.1f%% (target <= 5%%)   %s\n", 100 * i / m, (i / m <= 0.05 ? "ok" : "MISSED")
}'
