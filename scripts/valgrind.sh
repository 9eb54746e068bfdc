#!/bin/bash
# make test-valgrind: pg_regress and the isolation specs against a postmaster
# running under valgrind memcheck; fails on any valgrind error in any server
# process (VALGRINDERROR-BEGIN in the per-process logs).
#
# Debian's postgres is not built with USE_VALGRIND, so palloc misuse is
# invisible: this checks malloc'd memory (libyaml's) and uses of
# uninitialised values. Suppressions: test/valgrind.supp. As root, the suite
# runs as the postgres user on a copy of the tree (like run-as-postgres.sh).
#
# PG_CONFIG in the environment selects the PostgreSQL installation.
# Arguments are passed to make, e.g. scripts/valgrind.sh REGRESS=apply
# ISOLATION= to run one regression test and no isolation spec.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

if [ "$(id -u)" -eq 0 ]; then
  make -C "$src" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
  work=$(mktemp -d /tmp/ofs-vg.XXXXXX)
  cp -a "$src/." "$work/"
  rm -rf "$work/results" "$work/output_iso" "$work/log" "$work/.test-output"
  chown -R postgres:postgres "$work"
  rc=0
  (cd "$work" && runuser -u postgres -- env PG_CONFIG="$PG_CONFIG" OFS_VG_INSTALLED=1 \
    bash "$work/scripts/valgrind.sh" "$@") || rc=$?
  rm -rf "$src/.test-output"; mkdir -p "$src/.test-output"
  for d in results output_iso valgrind; do
    [ -e "$work/$d" ] && cp -a "$work/$d" "$src/.test-output/$d"
  done
  rm -rf "$work"
  exit $rc
fi

cd "$src"
[ -n "${OFS_VG_INSTALLED:-}" ] || make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
bindir=$("$PG_CONFIG" --bindir)
d=$(mktemp -d /tmp/ofs-vg-data.XXXXXX)
port=${VG_PORT:-54329}
t0=$SECONDS

"$bindir/initdb" -D "$d/data" -A trust --no-sync >/dev/null
cat test/postgresql.conf >>"$d/data/postgresql.conf"
cat >>"$d/data/postgresql.conf" <<CONF
jit = off
max_connections = 40
CONF

valgrind -q --trace-children=yes --suppressions="$src/test/valgrind.supp" \
  --leak-check=no --track-origins=yes --num-callers=30 \
  --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
  --log-file="$d/vg.%p.log" \
  "$bindir/postgres" -D "$d/data" -k "$d" -c listen_addresses= -p "$port" \
  >"$d/postmaster.log" 2>&1 &
pm=$!

stop() {
  "$bindir/pg_ctl" -D "$d/data" -m fast -w -t 120 stop >/dev/null 2>&1 || kill "$pm" 2>/dev/null || true
  wait "$pm" 2>/dev/null || true
}
trap 'stop; rm -rf "$d"' EXIT

for _ in $(seq 180); do
  "$bindir/pg_isready" -q -h "$d" -p "$port" && break
  kill -0 "$pm" 2>/dev/null || { cat "$d/postmaster.log"; exit 1; }
  sleep 1
done

rc=0
for layer in check-regress check-isolation; do
  PGHOST=$d PGPORT=$port make -s "$layer" TEMP_INSTANCE=0 PG_CONFIG="$PG_CONFIG" "$@" || rc=1
done
[ $rc -ne 0 ] && for f in regression.diffs output_iso/regression.diffs; do
  [ -f "$f" ] && { echo "=== $f"; head -c 20000 "$f"; }
done
stop
trap 'rm -rf "$d"' EXIT

nlogs=$(ls "$d"/vg.*.log | wc -l)
bad=$(grep -l VALGRINDERROR-BEGIN "$d"/vg.*.log || true)
mkdir -p valgrind && cp "$d"/vg.*.log "$d/postmaster.log" valgrind/
if [ -n "$bad" ]; then
  echo "valgrind: errors in $(echo "$bad" | wc -l) of $nlogs process logs:"
  for f in $bad; do echo "=== $f"; sed -n '/VALGRINDERROR-BEGIN/,/VALGRINDERROR-END/p' "$f" | head -n 80; done
  rc=1
else
  echo "valgrind: no errors in $nlogs process logs ($((SECONDS - t0))s)"
fi
exit $rc
