#!/bin/bash
# make demo: install what is missing, build and install offline_store, start
# a throwaway PostgreSQL cluster (pg_cron preloaded), run demo/demo.sql in it
# (the driver ranking quickstart: demo/feature_repo.yaml and a few thousand
# generated rows), then remove the cluster. Exits non-zero if a step fails.
#
# PG_CONFIG in the environment selects the PostgreSQL installation.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

bash scripts/setup.sh
make -s -j2 PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null

bindir=$("$PG_CONFIG" --bindir)
# (from a directory the postgres user can enter: the tree may be under /root)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd "$d" && runuser -u postgres -- "$@"); else "$@"; fi
}
d=$(mktemp -d /tmp/ofs-demo.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$d"
port=${DEMO_PORT:-54398}
started=0
cleanup() {
  rc=$?
  if [ $started = 1 ]; then
    [ $rc -ne 0 ] && { echo "--- server log (tail)"; tail -n 30 "$d/server.log"; }
    as_pg "$bindir/pg_ctl" -D "$d/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$d"
  exit $rc
}
trap cleanup EXIT

t0=$SECONDS
as_pg "$bindir/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
as_pg "$bindir/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 \
  -o "-c listen_addresses= -k $d -p $port -c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.use_background_workers=on -c max_worker_processes=20" \
  start >/dev/null
started=1

PGOPTIONS="-c client_min_messages=warning" \
  "$bindir/psql" -X -q -h "$d" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -f demo/demo.sql
echo "(demo ran in $((SECONDS - t0))s)"
