#!/bin/bash
# Benchmark of feast_materialize against its floor, in a throwaway cluster.
#
#   test/bench/materialize.sh              # 10,000,000 source rows, 100,000 and 1,000,000 keys
#   SCALE=0.05 test/bench/materialize.sh   # 500,000 rows, 5,000 and 50,000 keys (quick)
#   SCALE=0.05 ONLY=floor,full test/bench/materialize.sh   # only those measures
#   SCALE=0.05 ONLY=floor,full,spill test/bench/materialize.sh   # in memory and spilled
#
# Environment: SCALE (default 1: multiplies the rows and the key counts),
# KEYS (the key counts at scale 1, default "100000 1000000"), RUNS (default
# 3, medians are reported), ONLY (a comma-separated list of measures, default
# all), PG_CONFIG (default PostgreSQL 15), WORK_MEM (default 1GB, so that
# the floor sorts in memory), PORT (default 55499), MAX_MEMORY (the budget of
# the spill measure; default 16MB times SCALE, at least 64kB).
#
# Source, for each key count K: SCALE * 10M rows over SCALE * K keys, 5
# features of mixed types, an event timestamp and a created timestamp (NULL
# for one row in ten), rows appended in time order (so that a key's rows
# mostly come newer and newer, as a feature log's do), with an index on the
# event timestamp (the recommended setup: incremental runs read only the
# new rows through it). Measured, each on a fresh connection:
#   floor        INSERT INTO <empty table of the online table's shape, keyed>
#                SELECT DISTINCT ON (key) ... ORDER BY key, ts DESC, created DESC
#   full         feast_materialize over the whole range into the empty online table
#   full_off     the same with offline_store.direct_scan off (the source read
#                through the executor instead of directly)
#   full_par     full with max_parallel_workers_per_gather = WORKERS (default
#                2; every other measure has 0): the read shared among
#                parallel workers (src/materialize_parallel.c); its CPU column
#                is the leader's only
#   spill        full with offline_store.max_memory = MAX_MEMORY: the keys beyond
#                it partitioned on temporary files (checked equal to the floor)
#   incremental  feast_materialize_incremental after 1% new rows (newer than
#                everything), into the full online table
# and the backend's peak resident set (VmHWM, shared buffers it touched
# included) and CPU time.
# Targets: full <= 0.35 x floor with 100,000 keys (per 10M rows) and
# <= 0.5 x floor with 1,000,000 keys; incremental <= 5% of full.
#
# Runs as root (the cluster runs as postgres) or as any user that can run
# initdb. Installs the extension into PG_CONFIG's tree first.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
WORKERS=${WORKERS:-2}
KEYS=${KEYS:-"100000 1000000"}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
WORK_MEM=${WORK_MEM:-1GB}
MAX_MEMORY=${MAX_MEMORY:-$(awk -v s="${SCALE:-1}" 'BEGIN { m = int(16 * 1024 * s); if (m < 64) m = 64; printf "%dkB", m }')}
PORT=${PORT:-55499}
. "$(dirname "$0")/lib.sh"

rows=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 10000000 }')
newrows=$((rows / 100))

bench_install
bench_workdir
bench_start "shared_buffers = 2GB" "max_wal_size = 20GB" "checkpoint_timeout = 30min" \
	"fsync = off" "synchronous_commit = off" "full_page_writes = off" "autovacuum = off" \
	"jit = off" "max_parallel_workers_per_gather = 0" "offline_store.progress_messages = off"

psql() {
	as_pg env PGOPTIONS="-c work_mem=$WORK_MEM" "$bindir/psql" -h "$work" -p "$PORT" \
		-U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}
wanted() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

# timed SQL: run SQL on a fresh connection; print "seconds peak_MB cpu_s"
# (psql's \timing of the last statement, the backend's VmHWM and CPU time)
timed() {
	psql -At >"$work/last.out" 2>&1 <<SQL || { cat "$work/last.out"; exit 1; }
SELECT 'CPU0 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
\timing on
$1
\timing off
SELECT 'CPU1 ' || (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint);
SELECT 'HWM ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');
SQL
	awk -v tck="$(getconf CLK_TCK)" '
		/^Time: / { t = $2 / 1000 }
		/^CPU0 / { c0 = $2 } /^CPU1 / { c1 = $2 } /^HWM / { h = $2 }
		END { printf "%.3f %d %.2f\n", t, h / 1024, (c1 - c0) / tck }' "$work/last.out"
}

echo "offline_store materialization benchmark: $rows source rows, key counts: $(for k in $KEYS; do awk -v s="$SCALE" -v k="$k" 'BEGIN { printf "%d ", s * k }'; done), 5 features, $RUNS runs"
psql -c "CREATE EXTENSION offline_store"

summary=""
for kfull in $KEYS; do
	keys=$(awk -v s="$SCALE" -v k="$kfull" 'BEGIN { n = int(s * k); if (n < 1) n = 1; printf "%d", n }')
	t="bench_src_$keys"
	echo
	echo "== $keys keys: setting up..."
	psql <<EOF
CREATE TABLE public.$t (
	driver_id bigint,
	event_ts timestamptz,
	created timestamptz,
	conv real,
	acc double precision,
	trips bigint,
	rating integer,
	city text
);
INSERT INTO public.$t
SELECT g % $keys,
	   ts,
	   CASE WHEN g % 10 = 0 THEN NULL ELSE ts + interval '1 minute' END,
	   (g % 1000) / 1000.0, (g % 977) / 977.0, g, g % 5, 'city_' || (g % 50)
FROM (SELECT g, '2024-01-01 00:00+00'::timestamptz + (g % 2592000) * interval '1 second' AS ts
	  FROM generate_series(1, $rows) g) s;
CREATE INDEX ${t}_event_ts_idx ON public.$t (event_ts);
VACUUM (FREEZE, ANALYZE) public.$t;
SELECT count(*) FROM feast_apply(\$y\$
project: b$keys
online_store: {type: postgres, db_schema: bench_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - name: src
    type: table
    table: public.$t
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
CREATE TABLE public.bench_floor_$keys (LIKE bench_online.b${keys}_stats INCLUDING ALL);
CHECKPOINT;
EOF
	online="bench_online.b${keys}_stats"
	floor_sql="INSERT INTO public.bench_floor_$keys
SELECT DISTINCT ON (driver_id) driver_id, conv, acc, trips, rating, city, event_ts, created
FROM public.$t ORDER BY driver_id, event_ts DESC, created DESC;"
	full_sql="SELECT * FROM feast_materialize('2023-12-31', '2024-02-01', ARRAY['stats'], 'b$keys');"
	reset_floor="TRUNCATE public.bench_floor_$keys; CHECKPOINT"
	reset_online="TRUNCATE $online; DELETE FROM feast.materialization_intervals; DELETE FROM feast.materialization_runs; CHECKPOINT"

	declare -A times=() peaks=() cpus=()
	for i in $(seq 1 "$RUNS"); do
		for m in floor full full_off full_par spill; do
			wanted "$m" || continue
			if [ "$m" = floor ]; then psql -c "$reset_floor"; else psql -c "$reset_online"; fi
			case $m in
				floor) read -r s p c < <(timed "$floor_sql") ;;
				full) read -r s p c < <(timed "$full_sql") ;;
				full_off) read -r s p c < <(timed "SET offline_store.direct_scan = off; $full_sql") ;;
				full_par) read -r s p c < <(timed "SET max_parallel_workers_per_gather = $WORKERS; $full_sql") ;;
				spill) read -r s p c < <(timed "SET offline_store.max_memory = '$MAX_MEMORY'; $full_sql") ;;
			esac
			times[$m]="${times[$m]:-} $s"; peaks[$m]="${peaks[$m]:-} $p"; cpus[$m]="${cpus[$m]:-} $c"
			echo "  run $i: $m $s s, peak $p MB, CPU $c s (load $(cut -d' ' -f1 /proc/loadavg))"
		done
	done
	if wanted floor && { wanted full || wanted full_off || wanted full_par || wanted spill; }; then
		psql -At -c "SELECT '  online rows: ' || (SELECT count(*) FROM $online) || ', equal to floor: ' || NOT EXISTS (
	(SELECT driver_id, conv, acc, trips, rating, city, event_timestamp, created_timestamp FROM $online
	 EXCEPT ALL SELECT driver_id, conv, acc, trips, rating, city, event_timestamp, created_timestamp FROM public.bench_floor_$keys)
	UNION ALL
	(SELECT driver_id, conv, acc, trips, rating, city, event_timestamp, created_timestamp FROM public.bench_floor_$keys
	 EXCEPT ALL SELECT driver_id, conv, acc, trips, rating, city, event_timestamp, created_timestamp FROM $online))"
	fi

	# Incremental: 1% new rows, newer than everything, on spread keys, into
	# the full online table.
	if wanted incremental; then
		psql -c "TRUNCATE $online; DELETE FROM feast.materialization_intervals; DELETE FROM feast.materialization_runs" \
			-c "$full_sql" >/dev/null
		for i in $(seq 1 "$RUNS"); do
			psql -c "INSERT INTO public.$t
				SELECT (g * 7919) % $keys, '2024-02-01 00:00+00'::timestamptz + interval '1 hour' * $i + g * interval '1 millisecond',
					   NULL, 0.5, 0.5, g, 1, 'new'
				FROM generate_series(1, $newrows) g; ANALYZE public.$t; CHECKPOINT"
			read -r s p c < <(timed "SELECT * FROM feast_materialize_incremental('2024-02-01 00:00+00'::timestamptz + interval '1 hour' * ($i + 1), ARRAY['stats'], 'b$keys');")
			times[incremental]="${times[incremental]:-} $s"; peaks[incremental]="${peaks[incremental]:-} $p"; cpus[incremental]="${cpus[incremental]:-} $c"
			echo "  incremental run $i: $s s, peak $p MB, CPU $c s"
		done
	fi

	f=$(echo "${times[floor]:-}" | median)
	o=$(echo "${times[full]:-}" | median)
	target=$(awk -v k="$kfull" 'BEGIN { print (k <= 100000 ? 0.35 : 0.5) }')
	summary+=$(printf '\n%s keys (%s source rows), median of %s runs:\n' "$keys" "$rows" "$RUNS")
	for m in floor full full_off full_par spill incremental; do
		wanted "$m" || continue
		summary+=$(printf '\n  %-40s %8s s  peak %6s MB  CPU %7s s' \
			"$(case $m in floor) echo 'floor: INSERT ... SELECT DISTINCT ON' ;; full) echo 'feast_materialize, full' ;;
				full_off) echo 'feast_materialize, full, direct_scan off' ;;
				full_par) echo "feast_materialize, full, $WORKERS parallel workers" ;; spill) echo "feast_materialize, full, max_memory $MAX_MEMORY" ;;
				incremental) echo 'feast_materialize_incremental, 1% new' ;; esac)" \
			"$(echo "${times[$m]:-}" | median)" "$(echo "${peaks[$m]:-}" | median)" "$(echo "${cpus[$m]:-}" | median)")
	done
	if wanted floor && wanted full; then
		summary+=$(awk -v f="$f" -v m="$o" -v t="$target" -v fc="$(echo "${cpus[floor]:-}" | median)" \
			-v mc="$(echo "${cpus[full]:-}" | median)" 'BEGIN {
			printf "\n  full / floor        = %.2f  (target <= %.2f) %s", m / f, t, (m / f <= t ? "ok" : "MISSED")
			if (fc > 0) printf "\n  full / floor, CPU   = %.2f", mc / fc }')
	fi
	if wanted floor && wanted full_par; then
		summary+=$(awk -v f="$f" -v m="$(echo "${times[full_par]:-}" | median)" -v o="$o" 'BEGIN {
			printf "\n  full_par / floor    = %.2f; full / full_par = %.2f", m / f, (m > 0 ? o / m : 0) }')
	fi
	if wanted full && wanted incremental; then
		summary+=$(awk -v m="$o" -v i="$(echo "${times[incremental]:-}" | median)" 'BEGIN {
			printf "\n  incremental / full  = %.1f%% (target <= 5%%)   %s", 100 * i / m, (i / m <= 0.05 ? "ok" : "MISSED") }')
	fi
	unset times peaks cpus
	psql -c "DROP TABLE public.$t, public.bench_floor_$keys; CHECKPOINT"
done
echo "$summary"
