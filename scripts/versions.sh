#!/usr/bin/env bash
# scripts/versions.sh MAJOR: build and test the extension on another major
# release of PostgreSQL, in a Debian system of its own (root, Debian host).
#
#   17  Debian 13 (trixie)
#   18  Debian unstable (sid)
#   15  Debian 12 (bookworm): scripts/test tests 15 on the host itself; this
#       one tests it without touching the host's PostgreSQL
#
# The system is built once with debootstrap under $PG_SYSTEMS_DIR/<suite>
# (default /var/cache/session-pg) and kept for the next run; a stamp written
# last marks it complete, so a half-built one is thrown away and rebuilt.
# Each run copies the working tree into the system and runs scripts/test
# there with PG_MAJOR=MAJOR on SUITES (default "regress codec pg_cron"),
# then prints that run's count lines named "pgMAJOR-NAME: N passed,
# N failed".  /proc and a /dev/shm of its own are mounted while the system
# is in use and unmounted on the way out.  The last run's tree, with its
# results/ and regression.diffs, stays in <system>/build/session.
#
#   MIRROR          Debian archive (default http://deb.debian.org/debian)
#   PG_SYSTEMS_DIR  where the systems are kept
#   PG_SYSTEM_REBUILD=1  build the system again even if it is complete
#
# One run at a time uses a system: a second one waits for the first.
set -u
cd "$(dirname "$0")/.."
here=$PWD

major=${1:?usage: scripts/versions.sh MAJOR}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PG_SYSTEMS_DIR=${PG_SYSTEMS_DIR:-/var/cache/session-pg}
VERSION_SUITES=${VERSION_SUITES:-regress codec pg_cron}

apt_opts=()
case $major in
	15) release=bookworm ;;
	17) release=trixie ;;
	18) release=sid apt_opts=(-o Acquire::Check-Valid-Until=false) ;;
	*)
		echo "pg$major: no Debian release is known for PostgreSQL $major" >&2
		exit 2
		;;
esac
root=$PG_SYSTEMS_DIR/$release
stamp=$root/.session-system
packages="build-essential pkg-config libjson-c-dev libssl-dev zlib1g-dev
	postgresql-$major postgresql-server-dev-$major postgresql-$major-cron"
# Debian 13's Django 4.2 runs the engine's tests there too
if [ "$major" = 17 ]; then
	packages="$packages python3-django python3-psycopg2"
	VERSION_SUITES=${VERSION_SUITES_17:-$VERSION_SUITES django_suite}
fi
# The stamp says what the system holds; a different list means a rebuild.
want_stamp="session system v1: $release $MIRROR $(echo $packages)"

log() { printf '== pg%s: %s\n' "$major" "$*" >&2; }
die() {
	log "$*"
	echo "pg$major-system: 0 passed, 1 failed"
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	die "needs root (debootstrap, chroot, mount)"
fi
case $PG_SYSTEMS_DIR in
	/?*) ;;
	*) die "PG_SYSTEMS_DIR must be an absolute path, not '$PG_SYSTEMS_DIR'" ;;
esac
mkdir -p "$PG_SYSTEMS_DIR" || die "cannot create $PG_SYSTEMS_DIR"
exec 9>"$PG_SYSTEMS_DIR/$release.lock"
if ! flock -n 9; then
	log "waiting for another run that uses $root"
	flock 9
fi

# Mounts made by this run, unmounted in reverse order whatever happens.
mounted=()
unmount_all() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null
	done
	mounted=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

# Mount points under the system, deepest first (left behind by a run that
# was killed before its trap could run).
mounts_under() {
	awk -v r="$1/" 'index($2 "/", r) == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Processes whose root is the system: strays of a killed run.
stop_strays() {
	local p pids=()
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	log "stopping processes left in $root: ${pids[*]}"
	kill "${pids[@]}" 2>/dev/null
	sleep 2
	kill -9 "${pids[@]}" 2>/dev/null
	return 0
}

clear_leftovers() {
	local m
	stop_strays
	for m in $(mounts_under "$root"); do
		log "unmounting $m, left by an earlier run"
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

mount_system() {
	mkdir -p "$root/proc" "$root/dev/shm"
	mount -t proc proc "$root/proc" && mounted+=("$root/proc") || return 1
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm" && mounted+=("$root/dev/shm") || return 1
}

# Run a command in the system, without the lock's descriptor (a server it
# starts must not hold the lock).
in_system() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@" 9>&-
}

build_system() {
	local t0=$SECONDS
	log "building a Debian $release system in $root"
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >/dev/null ||
			return 1
	fi
	# The stamp goes first: a run killed from here on leaves no stamp.
	rm -f "$stamp"
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	debootstrap --variant=minbase "$release" "$root" "$MIRROR" >"$PG_SYSTEMS_DIR/$release.debootstrap.log" 2>&1 || {
		tail -20 "$PG_SYSTEMS_DIR/$release.debootstrap.log" >&2
		return 1
	}
	# Packages start no service here, and apt keeps no downloaded archives.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	echo 'Binary::apt::APT::Keep-Downloaded-Packages "false";' >"$root/etc/apt/apt.conf.d/90session-no-cache"
	if [ ${#apt_opts[@]} -gt 0 ]; then
		# sid's Release file may be past its Valid-Until date.
		echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/90session-valid-until"
	fi
	mount_system || return 1
	in_system apt-get "${apt_opts[@]}" update -qq >&2 || return 1
	in_system apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends $packages \
		>"$PG_SYSTEMS_DIR/$release.apt.log" 2>&1 || {
		tail -30 "$PG_SYSTEMS_DIR/$release.apt.log" >&2
		return 1
	}
	in_system apt-get clean
	# The package's own cluster is not used: tests start throwaway ones.
	in_system pg_dropcluster "$major" main >/dev/null 2>&1
	unmount_all
	echo "$want_stamp" >"$stamp"
	log "system ready in $((SECONDS - t0)) s"
}

clear_leftovers
if [ "${PG_SYSTEM_REBUILD:-0}" = 1 ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_stamp" ]; then
	build_system || {
		unmount_all
		die "could not build the Debian $release system with PostgreSQL $major"
	}
else
	log "reusing the Debian $release system in $root"
fi
[ -x "$root/usr/lib/postgresql/$major/bin/pg_config" ] ||
	die "PostgreSQL $major is missing from $root"

# The working tree as it is (committed or not), without build outputs.
t0=$SECONDS
src=$root/build/session
rm -rf --one-file-system "$src"
mkdir -p "$src"
chmod 755 "$root/build"
if git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$here" ls-files -z -co --exclude-standard |
		tar -C "$here" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$src" -xf -
else
	tar -C "$here" --exclude=./tmp --exclude=./results --exclude=./output_iso --exclude=./log \
		--exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=./test/codec/build \
		--exclude=./test/fuzz/build --exclude=./test/fuzz/work --exclude=.git -cf - . | tar -C "$src" -xf -
fi
[ -f "$src/scripts/test" ] || die "could not copy the source into $src"

mount_system || die "could not mount /proc and /dev/shm in $root"
log "testing PostgreSQL $(in_system "/usr/lib/postgresql/$major/bin/pg_config" --version | sed 's/^PostgreSQL //') on Debian $release"
in_system env SESSION_PG_SYSTEM="$release" PG_MAJOR="$major" SUITES="$VERSION_SUITES" \
	SESSION_DJANGO_SRC=/var/cache/session-django-src \
	SKIP_SUITES="${VERSION_SKIP_SUITES:-interop}" SESSION_PORT_BASE=$((56000 + major * 10)) \
	bash /build/session/scripts/test 2>&1 |
	sed -uE "s/^([A-Za-z0-9_.-]+): ([0-9]+ passed, [0-9]+ failed)/pg$major-\1: \2/; s/^([0-9]+ passed, [0-9]+ failed)\$/== pg$major total: \1/"
rc=${PIPESTATUS[0]}
unmount_all
log "tests took $((SECONDS - t0)) s"
exit "$rc"
