#!/bin/bash
# Static analysis of the C sources: cppcheck and clang-tidy over a
# compile_commands.json made by bear, then scan-build. Each tool must report
# nothing; the script exits non-zero on any finding. Used by .ci/run.
#
#   scripts/analyze.sh [cppcheck|clang-tidy|scan-build ...]   (default: all)
#
# PG_CONFIG in the environment selects the PostgreSQL installation. The tree
# is left cleaned (make clean): rebuild afterwards.
#
# A clear false positive may be silenced in the code with an inline comment
# (cppcheck: "// cppcheck-suppress <id>", clang-tidy: "// NOLINT(<check>)"),
# with a word on why.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(cppcheck clang-tidy scan-build)
# with_llvm=no: no JIT bitcode (clang would be run on gcc's flags)
MAKEARGS=(-s PG_CONFIG="$PG_CONFIG" with_llvm=no)
sources=(src/*.c)
rc=0

make_compile_db() {
  make "${MAKEARGS[@]}" clean
  bear --output compile_commands.json -- make "${MAKEARGS[@]}" -j2 >/dev/null
}

run_cppcheck() {
  [ -f compile_commands.json ] || make_compile_db
  # PostgreSQL's headers are outside the project: only our files are checked.
  # cppcheck does not define the compiler's macros; without them s_lock.h
  # stops at its #error (no spinlock implementation) and nothing is checked.
  # unknownEvaluationOrder is left out: it flags every list_make2(f(), g())
  # (PostgreSQL's list_makeN are compound literals); gcc's -Wall
  # (-Wsequence-point) covers the real cases.
  cppcheck --project=compile_commands.json -j2 -q --inline-suppr \
    -D__GNUC__=12 -D__x86_64__ -U__clang__ --platform=unix64 \
    --enable=warning,portability,performance \
    --suppress=missingIncludeSystem --suppress='*:*/include/*' \
    --suppress=unknownEvaluationOrder \
    --error-exitcode=1
}

# Left out, as noise for C written in PostgreSQL's style:
# - bugprone-narrowing-conversions: PostgreSQL's own APIs mix uint64
#   (SPI_processed), int (SPI row and column numbers) and Size, so it flags
#   the idiomatic loop over SPI results; -Wall -Wextra and UBSan cover the
#   sign and overflow cases that matter;
# - clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling:
#   flags every memcpy/memset/vsnprintf for not being C11 Annex K *_s
#   functions, which glibc does not have;
# - clang-analyzer-optin.performance.Padding: struct layout advice;
# - bugprone-implicit-widening-of-multiplication-result: flags PostgreSQL's
#   own ALLOCSET_DEFAULT_SIZES and constant sizes such as 64 * 1024 * 1024,
#   and items[2 * i] with a bounded int index;
# - clang-analyzer-valist.Uninitialized: clang 14 reports the va_list as
#   uninitialised in the vsnprintf right after va_start / va_copy (seen in
#   yaml_config.c, only when several files are analysed in one run).
TIDY_CHECKS='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-optin.performance.Padding,-clang-analyzer-valist.Uninitialized,-bugprone-implicit-widening-of-multiplication-result'

run_clang_tidy() {
  [ -f compile_commands.json ] || make_compile_db
  local out r=0
  out=$(mktemp -d /tmp/ofs-tidy.XXXXXX)
  # one file per process, two at a time; the compile db has gcc-only flags,
  # which clang is told to ignore
  printf '%s\n' "${sources[@]}" | TIDY_CHECKS=$TIDY_CHECKS OUT=$out xargs -P2 -I{} sh -c '
    clang-tidy -p . --quiet \
      --extra-arg=-Wno-unknown-warning-option \
      --extra-arg=-Wno-ignored-optimization-argument \
      -checks="$TIDY_CHECKS" --warnings-as-errors="*" \
      "{}" >"$OUT/$(basename "{}").log" 2>&1' || r=$?
  cat "$out"/*.log | grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' || true
  rm -rf "$out"
  return $r
}

run_scan_build() {
  local out; out=$(mktemp -d /tmp/ofs-scan.XXXXXX)
  make "${MAKEARGS[@]}" clean
  # Makefile.global hard-codes CC = gcc: plain `scan-build make` sees nothing
  scan-build-14 --status-bugs -o "$out" --use-cc=gcc \
    make "${MAKEARGS[@]}" -j2 CC=/usr/share/clang/scan-build-14/libexec/ccc-analyzer
  local r=$?
  rm -rf "$out"
  return $r
}

for t in "${tools[@]}"; do
  echo "--- $t"
  case $t in
    cppcheck)   run_cppcheck || { echo "cppcheck: findings above"; rc=1; } ;;
    clang-tidy) run_clang_tidy || { echo "clang-tidy: findings above"; rc=1; } ;;
    scan-build) run_scan_build || { echo "scan-build: findings above"; rc=1; } ;;
    *) echo "unknown tool $t" >&2; exit 2 ;;
  esac
done
rm -f compile_commands.json
make "${MAKEARGS[@]}" clean
exit $rc
