#!/bin/bash
# Make a private copy of the PostgreSQL 15 installation under /opt/pgsb/NAME
# and print its pg_config. Several developers (or agents) on one machine can
# then `make install PG_CONFIG=...` and run tests without overwriting each
# other's offline_store.so. PostgreSQL finds its share directory relative to
# its binaries, so the copy works as it is.
#
#   export PG_CONFIG=$(test/pg-sandbox.sh mybranch)
set -euo pipefail
name=${1:?usage: $0 NAME}
root=/opt/pgsb/$name
if [ ! -x "$root/usr/lib/postgresql/15/bin/pg_config" ]; then
  mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
  cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/"
  cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
fi
# PGXS looks for the server headers under the copy's prefix too
if [ ! -e "$root/usr/include/postgresql" ]; then
  mkdir -p "$root/usr/include"
  ln -s /usr/include/postgresql "$root/usr/include/postgresql"
fi
echo "$root/usr/lib/postgresql/15/bin/pg_config"
