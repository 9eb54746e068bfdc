#!/bin/bash
# Install what building and testing offline_store needs on Debian 12.
# Skips apt when everything is already there. Needs root (or sudo).
set -euo pipefail

PACKAGES=(gcc make pkg-config postgresql-15 postgresql-server-dev-15 postgresql-15-cron
          libyaml-dev libipc-run-perl)
if [ "${1:-}" = "--qa" ] || [ -n "${CI:-}" ]; then
  PACKAGES+=(clang libclang-rt-14-dev valgrind cppcheck clang-tidy clang-tools bear)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
