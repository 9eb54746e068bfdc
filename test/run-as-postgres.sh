#!/bin/bash
# Run make targets (default: installcheck) as the postgres user on a copy of
# the tree: PostgreSQL refuses to run as root, and the copy keeps the
# developer's tree owned by its owner. Installs the extension first.
#
#   test/run-as-postgres.sh [make arguments...]
#
# PG_CONFIG in the environment selects the PostgreSQL installation.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

make -C "$src" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
work=$(mktemp -d /tmp/ofs-test.XXXXXX)
cp -a "$src/." "$work/"
rm -rf "$work/results" "$work/output_iso" "$work/tmp_check" "$work/tmp_check_iso" "$work/log"
chown -R postgres:postgres "$work"

rc=0
if [ "$(id -u)" -eq 0 ]; then
  runuser -u postgres -- env PG_CONFIG="$PG_CONFIG" make -C "$work" -s "${@:-installcheck}" || rc=$?
else
  make -C "$work" -s "${@:-installcheck}" || rc=$?
fi
if [ $rc -ne 0 ]; then
  for f in regression.diffs output_iso/regression.diffs; do
    [ -f "$work/$f" ] && { echo "=== $f"; head -c 20000 "$work/$f"; }
  done
fi
# keep the outputs for the caller to count and inspect
rm -rf "$src/.test-output"; mkdir -p "$src/.test-output"
for d in results output_iso log tmp_check/log tmp_check_iso/log; do
  [ -e "$work/$d" ] && mkdir -p "$src/.test-output/$(dirname $d)" && cp -a "$work/$d" "$src/.test-output/$d"
done
rm -rf "$work"
exit $rc
