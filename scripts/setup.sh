#!/bin/bash
# Install what building and testing offline_store needs on Debian 12.
# Skips apt when everything is already there. Needs root (or sudo).
set -euo pipefail

# perl: prove; libipc-run-perl (+ libio-pty-perl): PostgreSQL::Test::Utils;
# iproute2: ss, with which test/t/007_sharded.pl measures the bytes the shards
# send (postgres_fdw and pg_stat_statements come with postgresql-15)
# default-jdk-headless, libpostgresql-jdbc-java, python3-psycopg2 and
# python3-pandas: the real clients of test/t/009_clients.pl (a JDBC program
# as a BI tool, pandas.read_sql as a data scientist)
PACKAGES=(gcc make pkg-config perl postgresql-15 postgresql-server-dev-15 postgresql-15-cron
          libyaml-dev libipc-run-perl libio-pty-perl iproute2
          default-jdk-headless libpostgresql-jdbc-java python3-psycopg2 python3-pandas)
# QA tools for .ci/run: clang + libclang-rt (unit tests under ASan, libFuzzer),
# valgrind (make test-valgrind), cppcheck, clang-tidy, clang-tools
# (scan-build) and bear (compile_commands.json) for scripts/analyze.sh
if [ "${1:-}" = "--qa" ] || [ -n "${CI:-}" ]; then
  PACKAGES+=(clang libclang-rt-14-dev valgrind cppcheck clang-tidy clang-tools bear)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q -o Acquire::Retries=3
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Acquire::Retries=3 -o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null
