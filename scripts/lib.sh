# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the harness scripts; sourced, not run.

XP2M_CACHE=${XP2M_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xp2m}
export XP2M_CACHE

die() {
	echo "xp2m: error: $*" >&2
	exit 1
}

info() {
	echo "xp2m: $*" >&2
}

# need_pkgs PKG...: install the Debian packages that are missing. Runs
# apt-get update at most once per cache, and only when something is missing.
need_pkgs() {
	local missing=() p

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]} (install them, or run as root)"
	info "installing ${missing[*]}"
	mkdir -p "$XP2M_CACHE"
	(
		flock 8
		if [ ! -e "$XP2M_CACHE/.apt-updated" ]; then
			apt-get update -q >&2 || exit 1
			touch "$XP2M_CACHE/.apt-updated"
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}" >&2
	) 8>"$XP2M_CACHE/.apt-lock" || die "apt-get install ${missing[*]} failed"
}

# The release of Debian's distro kernel (linux-image-amd64), e.g. 6.1.0-56-amd64.
distro_krel() {
	dpkg-query -W -f='${Depends}' linux-image-amd64 |
		sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p'
}

# finish_run LOG QEMU_STATUS TIMEOUT: end a VM run. Exits with the guest's
# status, 124 on timeout, 125 when the guest never reported back, 1 when the
# log shows a kernel or hypervisor problem.
finish_run() {
	local log=$1 qrc=$2 limit=$3 grc problems=0

	"$here/logscan.sh" "$log" || problems=1
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "xp2m: run killed after its ${limit}s limit (log: $log)" >&2
		exit 124
	fi
	grc=$(tr -d '\r' <"$log" | grep -o 'XP2M-GUEST-EXIT [0-9]*' |
		tail -n 1 | cut -d' ' -f2)
	if [ -z "$grc" ]; then
		echo "xp2m: the guest never reported back (log: $log)" >&2
		exit 125
	fi
	if [ "$problems" = 1 ]; then
		echo "xp2m: the console log shows problems (log: $log)" >&2
		exit 1
	fi
	exit "$grc"
}

# built_modules DIR: the modules the last build in DIR produced, one a line
# (from Kbuild's modules.order, so stale .ko files left around are not
# picked up).
built_modules() {
	local m
	[ -r "$1/modules.order" ] || return 0
	while read -r m; do
		case "$m" in
		/*) echo "${m%.o}.ko" ;;
		*) echo "$1/${m%.o}.ko" ;;
		esac
	done <"$1/modules.order" | sed 's/\.ko\.ko$/.ko/'
}

# host_tool NAME: build the host-side program scripts/host/NAME.c (again when
# its source is newer) into build/host/, and print its path.
host_tool() {
	local src out

	src=$here/host/$1.c
	out=$(cd "$here/.." && pwd)/build/host/$1
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		mkdir -p "$(dirname "$out")"
		gcc -O2 -Wall -Wextra -Werror -o "$out" "$src" ||
			die "building $src failed"
	fi
	echo "$out"
}

# uml_fp_bytes KDIR LOG: how many bytes of FP register state the UML kernel
# built in KDIR passes the host. A kernel of scripts/patches/um measures it
# at boot and prints it (found in LOG, a console of that kernel); UML 6.1 as
# released has a size fixed at build time (HOST_FP_SIZE, in longs). Prints
# nothing when neither tells.
uml_fp_bytes() {
	local n consts=$1/include/generated/user_constants.h

	n=$(tr -d '\r' <"$2" 2>/dev/null |
		sed -n 's/.*Host FP register state: \([0-9]*\) bytes.*/\1/p' |
		head -n 1)
	if [ -z "$n" ] && [ -r "$consts" ]; then
		n=$(sed -n 's/^#define HOST_FP_SIZE \([0-9]*\).*/\1/p' "$consts")
		[ -z "$n" ] || n=$((n * 8))
	fi
	echo "$n"
}
