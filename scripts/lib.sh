# scripts/lib.sh: shared set-up for the demo and the tests (sourced, bash).
#
# Installs what is missing from Debian's archive, builds and installs the
# extension, and runs throwaway PostgreSQL clusters as the postgres OS user
# on 127.0.0.1 with a socket directory of their own.
#
# PG_MAJOR is the major release of PostgreSQL (default 15, Debian 12's);
# PGBIN may name another installation of it (a private copy).  Inside a
# system built by scripts/versions.sh (SESSION_PG_SYSTEM set) only what
# building and the core suites need is installed.

PG_MAJOR=${PG_MAJOR:-15}
PGBIN=${PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PACKAGES="build-essential pkg-config postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	postgresql-$PG_MAJOR-cron libjson-c-dev libssl-dev zlib1g-dev"
[ -n "${SESSION_PG_SYSTEM:-}" ] ||
	PACKAGES="$PACKAGES clang libclang-rt-14-dev pgbouncer python3-django python3-psycopg2
		php8.2-cli php8.2-pgsql postgresql-$PG_MAJOR-plproxy"

log() { printf '== %s\n' "$*" >&2; }

# Install the Debian packages the project needs, if any is missing.
install_deps() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	log "installing ${missing[*]}"
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Build and install the extension, and the router (router/), into
# PostgreSQL $PG_MAJOR.
build_install() {
	log "building and installing the extension"
	make -s PG_CONFIG=$PGBIN/pg_config >/dev/null &&
		make -s PG_CONFIG=$PGBIN/pg_config install >/dev/null &&
		make -s -C router PG_CONFIG=$PGBIN/pg_config install >/dev/null
}

# A folder the postgres OS user can use: under the checkout when it can reach
# it, otherwise under /tmp.
cluster_root() {
	local here=$1
	mkdir -p "$here/tmp"
	if runuser -u postgres -- test -x "$here/tmp" 2>/dev/null; then
		mktemp -d "$here/tmp/cluster.XXXXXX"
	else
		mktemp -d /tmp/session-cluster.XXXXXX
	fi
}

# A port nobody listens on.
free_port() {
	local port
	for port in $(seq "${1:-55432}" 65000); do
		(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
		# nor the local end of any connection (ports here are in the
		# ephemeral range, where a client's socket may hold one)
		if command -v ss >/dev/null && [ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
			continue
		fi
		echo "$port"
		return 0
	done
	return 1
}

# cluster_start DIR PORT [extra postgresql.conf lines...]
# Leaves PGHOST, PGPORT and PGUSER exported for clients.
cluster_start() {
	local dir=$1 port=$2
	shift 2
	chown postgres: "$dir"
	runuser -u postgres -- $PGBIN/initdb -D "$dir/data" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$dir'"
		echo "shared_preload_libraries = 'pg_cron'"
		echo "cron.database_name = 'postgres'"
		echo "cron.use_background_workers = on"
		echo "max_worker_processes = 16"
		echo "max_connections = 60"
		echo "fsync = ${CLUSTER_FSYNC:-off}"
		echo "log_min_messages = warning"
		local line
		for line in "$@"; do echo "$line"; done
	} >>"$dir/data/postgresql.conf"
	runuser -u postgres -- $PGBIN/pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
		cat "$dir/server.log" >&2
		return 1
	}
	export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
}

cluster_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] &&
		runuser -u postgres -- $PGBIN/pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
