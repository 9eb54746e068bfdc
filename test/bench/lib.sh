# What the benchmarks share, sourced by each once it has set PG_CONFIG and
# PORT: building and installing the extension, a throwaway cluster in a new
# directory, and running commands as the cluster's owner.
#
#   bench_install                  build the extension, install it into PG_CONFIG's tree
#   bench_workdir                  a new directory $work, removed (its cluster stopped
#                                  first) when the script exits
#   bench_start [SETTING...]       a new cluster in $work/data on PORT, with the given
#                                  postgresql.conf lines ("shared_buffers = 2GB", ...)
#   as_pg CMD...                   CMD as postgres when run as root (PostgreSQL refuses root)
#   psql_run [ARG...]              psql on the cluster, quiet, stopping at the first error

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bindir=$("$PG_CONFIG" --bindir)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bench_install() {
	make -C "$src" -s PG_CONFIG="$PG_CONFIG" >/dev/null
	make -C "$src" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}

bench_cleanup() {
	as_pg "$bindir/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$work"
}

bench_workdir() {
	work=$(mktemp -d /tmp/ofs-bench.XXXXXX)
	chmod 755 "$work"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; fi
	trap bench_cleanup EXIT
	PSQL=("$bindir/psql" -X -q -h "$work" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
}

bench_start() {
	rm -rf "$work/data"
	as_pg "$bindir/initdb" -D "$work/data" -A trust >/dev/null
	printf '%s\n' "port = $PORT" "unix_socket_directories = '$work'" "listen_addresses = ''" "$@" |
		as_pg tee -a "$work/data/postgresql.conf" >/dev/null
	as_pg "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
}

psql_run() { as_pg "${PSQL[@]}" "$@"; }
