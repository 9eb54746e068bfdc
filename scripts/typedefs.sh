#!/bin/bash
# Remake src/typedefs.list: every typedef name the project's C sources define,
# one a line, sorted, for pgindent (pass it with PostgreSQL's own list:
# pgindent --typedefs=src/typedefs.list --typedefs=<PostgreSQL's typedefs.list>).
#
#   scripts/typedefs.sh           rewrite src/typedefs.list
#   scripts/typedefs.sh --check   exit 1 (and show the difference) when it is stale
set -euo pipefail
cd "$(dirname "$0")/.."
files=(src/*.c src/*.h test/unit/*.c test/unit/*.h test/fuzz/*.c)
list=$(
  {
    # typedef struct X { ... } Name;   typedef enum { ... } Name;
    grep -hE '^\}[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' "${files[@]}" 2>/dev/null |
      sed -E 's/^\}[[:space:]]*([A-Za-z_][A-Za-z0-9_]*);.*/\1/'
    # typedef struct X Name;   typedef int Name;
    grep -hE '^typedef[^;(]*[[:space:]*][A-Za-z_][A-Za-z0-9_]*;' "${files[@]}" 2>/dev/null |
      sed -E 's/.*[[:space:]*]([A-Za-z_][A-Za-z0-9_]*);.*/\1/'
    # typedef void (*Name) (...);
    grep -hE '^typedef[^;]*\(\*[A-Za-z_][A-Za-z0-9_]*\)' "${files[@]}" 2>/dev/null |
      sed -E 's/.*\(\*([A-Za-z_][A-Za-z0-9_]*)\).*/\1/'
  } | LC_ALL=C sort -u
)
if [ "${1:-}" = "--check" ]; then
  diff -u src/typedefs.list <(printf '%s\n' "$list") && echo "src/typedefs.list is up to date"
  exit $?
fi
printf '%s\n' "$list" >src/typedefs.list
echo "src/typedefs.list: $(wc -l <src/typedefs.list) typedefs"
