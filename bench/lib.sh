# bench/lib.sh: what the bench runners share (sourced, bash, after
# scripts/lib.sh).

# bench_store N [postgresql.conf lines...]
# Builds and installs the extension, starts a throwaway cluster with
# production durability (fsync on) and room for the whole store in shared
# buffers, and fills it with N sessions (bench/setup.sql).  Sets BENCH_DIR,
# a folder that is removed with the cluster on exit: keep scratch files there.
bench_store() {
	local n=$1
	shift
	install_deps
	build_install
	BENCH_DIR=$(cluster_root "$PWD")
	trap 'cluster_stop "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
	CLUSTER_FSYNC=on cluster_start "$BENCH_DIR" "$(free_port 57432)" "shared_buffers = 1GB" \
		"max_wal_size = 4GB" "checkpoint_timeout = 30min" "$@"
	psql -X -q -d postgres -c "CREATE EXTENSION session"
	log "building $n sessions"
	psql -X -q -v n="$n" -d postgres -f bench/setup.sql
}

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
