#!/bin/bash
# make test: install what is missing, build, install, and run every test
# layer: pure-C unit tests of the YAML layer, pg_regress, isolation specs and
# TAP tests (each in a private temporary instance run as the postgres user).
# Ends with a line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

bash scripts/setup.sh || exit 1
make -s -j2 PG_CONFIG="$PG_CONFIG" ${MAKE_FLAGS:-} || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp /tmp/ofs-test-log.XXXXXX)
passed=0; failed=0

# pure-C unit tests (the YAML layer, under ASan/UBSan when clang is there)
if command -v clang >/dev/null && [ -f test/unit/test_yaml_config.c ]; then
  if make -s unit >"$log" 2>&1; then
    p=$(grep -c '^ok ' "$log"); passed=$((passed + p)); echo "unit: $p passed"
  else
    cat "$log"; p=$(grep -c '^ok ' "$log" || true); f=$(grep -c '^not ok ' "$log" || true)
    passed=$((passed + p)); failed=$((failed + (f > 0 ? f : 1)))
  fi
fi

for layer in check-regress check-isolation check-tap; do
  test/run-as-postgres.sh "$layer" PROVE_FLAGS="${PROVE_FLAGS:-}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # pg_regress and isolation: one line per test; prove: one line per file
  # (PROVE_TESTS names them test/t/NNN_x.pl)
  p=$(grep -cE '(\.\.\. ok|\.pl \.+ ok$)' "$log" || true)
  # a failing TAP file has one line in prove's "Test Summary Report"
  f=$(grep -cE '(\.\.\. FAILED|\.\.\. failed|^[^ ]+\.pl \(Wstat: )' "$log" || true)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
done
rm -f "$log"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
