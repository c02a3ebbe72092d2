#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything CI runs, on a machine that may be new.
#
#   scripts/check.sh [--only STEP[,STEP...]]
#
# Steps, in order:
#   static   W=1 builds (x86 test kernel, UML, Debian headers, arm64) with no
#            warnings; sparse (C=2) with no warnings from our code;
#            checkpatch --strict and kernel-doc clean on all our sources; the
#            xp2m tool's own tests
#   uml      that the UML kernel starts init on this host and that the host's
#            FP register state fits it; then KUnit suites in User-mode Linux
#   xen      KUnit suites in a Xen PV dom0 (test kernel) under QEMU; the live
#            import of xp2m_x86 in two memory layouts
#   distro   the modules built against Debian's headers, loaded into Debian's
#            kernel booted as a Xen PV dom0, xp2m_x86 verifying its p2m; and
#            into Debian's kernel on bare (emulated) hardware, where xp2m_x86
#            refuses to load
#   domu     Xen's toolstack started in that dom0 boots the test kernel as a
#            PV domU, where xp2m_x86 imports and verifies the domU's p2m
#
# Each check prints "ok - <what>" or "FAIL - <what>"; every KUnit case counts
# as one check. The last line is "N passed, N failed, N skipped" and the exit
# status is non-zero when anything failed.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

only=all
if [ "${1:-}" = "--only" ]; then
	only=${2:?--only needs a list of steps}
fi
want() { [ "$only" = all ] || [[ ",$only," == *",$1,"* ]]; }

passed=0 failed=0 skipped=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }

need_pkgs build-essential bc bison flex libelf-dev libssl-dev cpio kmod \
	python3 xz-utils sparse busybox-static qemu-system-x86 \
	xen-hypervisor-4.17-amd64 linux-source-6.1 linux-image-amd64 \
	linux-headers-amd64 gcc-aarch64-linux-gnu rsync file xen-utils-4.17 \
	dpkg-dev debhelper dh-dkms dkms fakeroot

src=$("$here/kernel.sh" --source) || exit 1
# Every build here has the tests and benchmarks, and the version of this
# tree (the staged copies have no git to ask).
version=$("$here/version.sh")
xp2m_args=(XP2M_TESTS=y "XP2M_VERSION=$version")
kunit_py=$src/tools/testing/kunit/kunit.py
logs=$top/build/logs
mkdir -p "$logs"
echo "$version" >"$top/build/version"

# stage NAME: a copy of the sources in build/NAME, so that builds against
# several kernels do not trample each other's objects.
stage() {
	local dir=$top/build/$1
	mkdir -p "$dir"
	rsync -a --delete --exclude=/build --exclude=.git \
		--exclude-from="$top/.gitignore" "$top/" "$dir/"
	echo "$dir"
}

# build NAME KDIR [MAKE ARGS...]: W=1 build of the modules; a check that it
# builds with no warning at all.
build() {
	local name=$1 kdir=$2 dir log
	shift 2
	dir=$(stage "$name")
	log=$logs/build-$name.log
	if make -C "$dir" KDIR="$kdir" W=1 -j"$(nproc)" "${xp2m_args[@]}" "$@" \
		>"$log" 2>&1 &&
		! grep -E -q 'warning:|WARNING:|error:' "$log"; then
		ok "W=1 build against $name"
		return 0
	fi
	grep -E 'warning:|WARNING:|error:' "$log" | head -n 20
	fail "W=1 build against $name (log: $log)"
	return 1
}

# sparse NAME KDIR: C=2 over our sources; only reports in our files count.
sparse_check() {
	local name=$1 kdir=$2 dir=$top/build/$1 log=$logs/sparse-$1.log
	make -C "$dir" KDIR="$kdir" C=2 CHECK=sparse -j"$(nproc)" \
		"${xp2m_args[@]}" >"$log" 2>&1
	if grep -E "^$dir/.*: (warning|error):" "$log" >"$log.ours"; then
		head -n 20 "$log.ours"
		fail "sparse (C=2) against $name: $(wc -l <"$log.ours") reports"
	else
		ok "sparse (C=2) against $name: no warnings from our code"
	fi
}

sources() {
	(cd "$top" && git ls-files -co --exclude-standard -- '*.c' '*.h' |
		grep -v '^build/' | sort)
}

checkpatch() {
	local f bad=0 out
	for f in $(sources); do
		# --terse prints one line per report, nothing for a clean file.
		if ! out=$("$src/scripts/checkpatch.pl" --strict --no-tree \
			--terse --show-types -f "$top/$f" 2>&1) || [ -n "$out" ]; then
			echo "$out" | head -n 10
			bad=$((bad + 1))
		fi
	done
	if [ $bad -eq 0 ]; then
		ok "checkpatch --strict: $(sources | wc -l) files clean"
	else
		fail "checkpatch --strict: $bad files with reports"
	fi
}

kerneldoc() {
	local files out sym missing=()
	files=$(sources | sed "s|^|$top/|")
	# shellcheck disable=SC2086
	out=$("$src/scripts/kernel-doc" -none $files 2>&1)
	if [ -n "$out" ]; then
		echo "$out" | head -n 20
		fail "kernel-doc: $(echo "$out" | wc -l) reports"
	else
		ok "kernel-doc: no reports"
	fi
	# Every exported symbol has a kernel-doc comment somewhere in the tree.
	for sym in $(cd "$top" && sources | xargs grep -h -o \
		'EXPORT_SYMBOL\(_GPL\)\?([a-z_0-9]*)' | sed 's/.*(\(.*\))/\1/' | sort -u); do
		# shellcheck disable=SC2086
		grep -q -E "^ \* (struct )?$sym(\(\))? - " $files || missing+=("$sym")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "kernel-doc: every exported symbol documented"
	else
		fail "kernel-doc: undocumented exports: ${missing[*]}"
	fi
}

# versions NAME: every module of build NAME reports this tree's version.
versions() {
	local m n=0 bad=()
	for m in $(built_modules "$top/build/$1"); do
		n=$((n + 1))
		[ "$(modinfo -F version "$m" 2>/dev/null)" = "$version" ] ||
			bad+=("$(basename "$m")")
	done
	if [ $n -gt 0 ] && [ ${#bad[@]} -eq 0 ]; then
		ok "modinfo: the $n modules built against $1 say version $version"
	else
		fail "modinfo: not version $version against $1: ${bad[*]:-no modules}"
	fi
}

# tool_tests: the xp2m tool's own tests, which need no guest; one check
# each.
tool_tests() {
	local line
	while IFS= read -r line; do
		case "$line" in
		*" ... ok") ok "xp2m tool: ${line% ... ok}" ;;
		*" ... FAIL"|*" ... ERROR") fail "xp2m tool: $line (python3 tools/test_xp2m.py)" ;;
		esac
	done < <(python3 "$top/tools/test_xp2m.py" -v 2>&1)
}

# snapshot_of LOG: the xp2m snapshot the guest printed (guest/tool.sh), to
# LOG's name with -snapshot.json, for a look or a picture (xp2m map
# --snapshot).
snapshot_of() {
	tr -d '\r' <"$1" | sed -n '/^XP2M-SNAPSHOT-BEGIN/,/^XP2M-SNAPSHOT-END/p' |
		sed '1d;$d' >"${1%.log}-snapshot.json"
	[ -s "${1%.log}-snapshot.json" ] || rm -f "${1%.log}-snapshot.json"
}

# vm_checks LOG RUNNER_STATUS WHAT: count the guest's own checks, the
# runner's verdict and the KUnit cases of one VM run.
vm_checks() {
	local log=$1 rc=$2 what=$3 line counts p f s
	while IFS= read -r line; do
		case "$line" in
		"XP2M-CHECK ok "*) ok "$what: ${line#XP2M-CHECK ok }" ;;
		"XP2M-CHECK fail "*) fail "$what: ${line#XP2M-CHECK fail }" ;;
		"XP2M-CHECK skip "*)
			echo "skip - $what: ${line#XP2M-CHECK skip }"
			skipped=$((skipped + 1))
			;;
		esac
	done < <(tr -d '\r' <"$log" | grep -o 'XP2M-CHECK .*')
	case $rc in
	0) ok "$what: run clean (no oops, BUG, WARN, lockdep, kmemleak or Xen crash)" ;;
	124) fail "$what: timed out (log: $log)" ;;
	125) fail "$what: guest never reported back (log: $log)" ;;
	*) fail "$what: run failed with status $rc (log: $log)" ;;
	esac
	grep -q 'XP2M-KTAP-BEGIN' "$log" || return 0
	counts=$("$here/ktap.py" "$log" "${log%.log}.ktap" "$kunit_py" \
		2>"${log%.log}.kunit")
	read -r _ p f s <<<"$counts"
	grep -E '\[(FAILED|CRASHED|ERROR)\]|ktap:' "${log%.log}.kunit" | head -n 20
	echo "# $what KUnit: $p passed, $f failed, $s skipped (${log%.log}.kunit)"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	skipped=$((skipped + ${s:-0}))
	if [ "${p:-0}" -eq 0 ] && [ "${f:-1}" -eq 0 ]; then
		fail "$what: no KUnit case passed"
	fi
}

kx86=$("$here/kernel.sh" x86) || exit 1
kum=$("$here/kernel.sh" um) || exit 1
distro_kdir=/usr/src/linux-headers-$(distro_krel)
[ -d "$distro_kdir" ] || die "no Debian headers at $distro_kdir"
if want static; then
	karm64=$("$here/kernel.sh" arm64) || exit 1
fi

built_x86=0 built_um=0 built_distro=0
if want static || want xen || want domu; then
	build x86 "$kx86" && built_x86=1
fi
if want static || want uml; then build um "$kum" ARCH=um && built_um=1; fi

# Before its suites, the UML kernel must start init on this host; when it
# does not, one line says why (and which host feature) instead of a panic in
# the middle of the run. And the host's FP register state must fit what the
# kernel passes to ptrace (scripts/host/xstate.c). Both count in the uml
# step.
uml_ready=0 uml_pre=()
if want uml && [ $built_um = 1 ]; then
	boot_log=$logs/uml-boot.log
	if line=$("$here/uml-ready" -k um -l "$boot_log"); then
		uml_ready=1
		uml_pre+=("ok uml: $line")
	else
		uml_pre+=("fail uml: $line")
	fi
	fp=$(uml_fp_bytes "$kum" "$boot_log")
	if ! xstate=$(host_tool xstate); then
		uml_pre+=("fail uml: scripts/host/xstate.c does not build")
	elif [ -z "$fp" ]; then
		uml_pre+=("fail uml: host FP state: the um kernel does not say how many bytes it passes (log: $boot_log)")
	elif line=$("$xstate" --fits "$fp"); then
		uml_pre+=("ok uml: $line")
	else
		uml_pre+=("fail uml: $line")
	fi
fi

# UML runs on one CPU: its KUnit run goes on beside the rest of the static
# step, its output kept for the uml step below.
uml_pid=
if want uml && [ $uml_ready = 1 ]; then
	uml_log=$logs/uml-kunit.log
	"$here/uml-vm" -q -t 600 -l "$uml_log" -s "$here/guest/kunit.sh" \
		$(built_modules "$top/build/um" | sed 's/^/-M /') \
		>"$logs/uml-kunit.out" 2>&1 &
	uml_pid=$!
	trap 'kill "$uml_pid" 2>/dev/null' EXIT
fi
if want static || want distro || want domu; then
	build distro "$distro_kdir" && built_distro=1
fi
if want static; then
	build arm64 "$karm64" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- &&
		versions arm64
	[ $built_x86 = 1 ] && versions x86
	[ $built_um = 1 ] && versions um
	[ $built_distro = 1 ] && versions distro
	[ $built_x86 = 1 ] && sparse_check x86 "$kx86"
	checkpatch
	kerneldoc
	tool_tests
fi

if want uml; then
	for line in "${uml_pre[@]}"; do
		case $line in
		"ok "*) ok "${line#ok }" ;;
		*) fail "${line#fail }" ;;
		esac
	done
	if [ -n "$uml_pid" ]; then
		wait "$uml_pid"
		rc=$?
		trap - EXIT
		cat "$logs/uml-kunit.out"
		vm_checks "$uml_log" $rc "uml"
	elif [ $built_um = 1 ]; then
		echo "# uml KUnit: not run, the kernel does not start init here"
	else
		fail "uml: not run, the UML build failed"
	fi
fi

if want xen; then
	if [ $built_x86 = 1 ]; then
		log=$logs/xen-kunit.log
		echo "xp2m_env_kunit require_pv=1" >"$top/build/modparams"
		"$here/xen-vm" -q -t 900 -l "$log" -s "$here/guest/kunit.sh" \
			-f "$top/build/modparams" \
			$(built_modules "$top/build/x86" | sed 's/^/-M /')
		vm_checks "$log" $? "xen dom0"
		# The live import, in two memory layouts: 512 MiB of 1 GiB (with
		# the bad-input and reload checks), and 5 GiB of 6 GiB, RAM on
		# both sides of the PCI hole and past 4 GiB.
		x86_mods=(-M "$top/build/x86/xp2m.ko" -M "$top/build/x86/xp2m_m2p.ko"
			  -M "$top/build/x86/xp2m_x86.ko")
		log=$logs/xen-x86.log
		"$here/xen-vm" -q -t 900 -l "$log" -s "$here/guest/x86.sh" -P \
			-f "$here/guest/x86-input.sh" -f "$top/build/version" \
			"${x86_mods[@]}"
		vm_checks "$log" $? "xen dom0 x86 (512M of 1G)"
		snapshot_of "$log"
		log=$logs/xen-x86-6g.log
		"$here/xen-vm" -q -t 900 -m 6G -d 5G -l "$log" -P \
			-s "$here/guest/x86.sh" -f "$top/build/version" \
			"${x86_mods[@]}"
		vm_checks "$log" $? "xen dom0 x86 (5G of 6G)"
		snapshot_of "$log"
	else
		fail "xen dom0: not run, the x86 build failed"
	fi
fi

# dkms_round KREL OUT: what a user does: build the xp2m-dkms package, `apt
# install` it here (DKMS builds the modules for KREL's headers), carry the
# modules DKMS installed to OUT, and remove the package again; check each
# step. Holds the lock apt-get holds in need_pkgs, so that runs from other
# trees take turns.
dkms_round() {
	local krel=$1 out=$2 deb m mods apt
	local dkms=/lib/modules/$krel/updates/dkms
	apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q
	     -o DPkg::Lock::Timeout=600)
	if ! deb=$("$here/deb.sh" "$version" 2>"$logs/deb.log"); then
		fail "make deb (log: $logs/deb.log)"
		return 1
	fi
	ok "make deb: $(basename "$deb")"
	mkdir -p "$XP2M_CACHE"
	exec 8>"$XP2M_CACHE/.apt-lock"
	flock 8
	# A package a run that died left behind goes first.
	if dpkg-query -W -f='${Status}' xp2m-dkms 2>/dev/null | grep -q installed; then
		"${apt[@]}" purge xp2m-dkms >"$logs/dkms-purge-old.log" 2>&1
	fi
	if "${apt[@]}" install "$deb" >"$logs/dkms-install.log" 2>&1 &&
		dkms status -m xp2m -v "$version" -k "$krel" | grep -q ': installed'; then
		ok "apt install ./$(basename "$deb"): DKMS built and installed it for $krel"
	else
		fail "apt install ./$(basename "$deb") (log: $logs/dkms-install.log)"
	fi
	mods=$(cd "$dkms" 2>/dev/null && echo *)
	if [ "$mods" = "xp2m.ko xp2m_balloon.ko xp2m_m2p.ko xp2m_x86.ko" ]; then
		ok "installed in updates/dkms: $mods, nothing else"
	else
		fail "installed in updates/dkms: '$mods'"
	fi
	for m in $mods; do
		[ "$(modinfo -F version "$dkms/$m")" = "$version" ] ||
			{ fail "modinfo $m: version $(modinfo -F version "$dkms/$m"), not $version"; continue; }
		ok "modinfo $m: version $version"
	done
	if [ "$(/usr/sbin/xp2m --version 2>&1)" = "xp2m $version" ]; then
		ok "the package's xp2m command: version $version"
	else
		fail "the package's xp2m command: '$(/usr/sbin/xp2m --version 2>&1)'"
	fi
	rm -rf "$out"
	mkdir -p "$out/updates"
	cp -a "$dkms" "$out/updates/" 2>/dev/null
	"${apt[@]}" purge xp2m-dkms >"$logs/dkms-purge.log" 2>&1
	if ! ls /lib/modules/*/updates/dkms/xp2m*.ko >/dev/null 2>&1 &&
		[ ! -e "/usr/src/xp2m-$version" ] && [ ! -e /var/lib/dkms/xp2m ] &&
		[ ! -e /usr/sbin/xp2m ]; then
		ok "apt purge xp2m-dkms: the modules, the sources and the tool are gone"
	else
		fail "apt purge xp2m-dkms left files behind (log: $logs/dkms-purge.log)"
	fi
	flock -u 8
	exec 8>&-
	[ -n "$mods" ]
}

if want distro; then
	if [ $built_distro = 1 ] && dkms_round "$(distro_krel)" "$top/build/dkms"; then
		log=$logs/xen-distro.log
		"$here/xen-vm" -q -k distro -t 900 -l "$log" -P \
			-s "$here/guest/distro.sh" -f "$here/guest/x86.sh" \
			-f "$top/build/version" -T "$top/build/dkms"
		vm_checks "$log" $? "distro dom0"
		log=$logs/bare-distro.log
		echo "not running on Xen" >"$top/build/why"
		"$here/bare-vm" -t 300 -l "$log" -s "$here/guest/refuse.sh" \
			-f "$top/build/why" -M "$top/build/distro/xp2m.ko" \
			-M "$top/build/distro/xp2m_m2p.ko" \
			-M "$top/build/distro/xp2m_x86.ko"
		vm_checks "$log" $? "distro bare metal"
	else
		fail "distro dom0: not run, the build against Debian's headers or the package failed"
	fi
fi

if want domu; then
	if [ $built_x86 = 1 ]; then
		log=$logs/xen-domu.log
		dir=$top/build/domu
		krel=$(distro_krel)
		domu_mods=()
		for m in xenfs/xenfs xen-evtchn xen-privcmd xen-gntdev \
			 xen-gntalloc; do
			domu_mods+=(-M "/lib/modules/$krel/kernel/drivers/xen/$m.ko")
		done
		xen=()
		rm -f "$dir/xen-shadow"
		if [ -n "${XP2M_XEN:-}" ]; then
			# A hypervisor with shadow paging: live migration runs.
			xen=(-x "$XP2M_XEN")
			mkdir -p "$dir" && touch "$dir/xen-shadow"
		fi
		debian=()
		# Debian's kernel as a published domU too, its modules built
		# against its headers (else the domU says why it skips).
		[ $built_distro = 1 ] && debian=(-d "$top/build/distro")
		if "$here/domu-prep.sh" -o "$dir" -p -f "$top/build/version" \
			-m "$top/build/x86/xp2m.ko" -m "$top/build/x86/xp2m_m2p.ko" \
			-m "$top/build/x86/xp2m_x86.ko" "${debian[@]}" \
			>"$logs/domu-prep.log" 2>&1; then
			"$here/xen-vm" -q -k distro -t 1500 -m 1536M -l "$log" -P \
				"${xen[@]}" -s "$here/guest/domu.sh" \
				$(printf -- '-f %s ' "$dir"/xentools.tar.gz \
				"$dir"/xenstore.tar.gz "$dir"/domu-* \
				"$dir"/domu.cfg $(ls "$dir"/xen-shadow 2>/dev/null)) \
				"${domu_mods[@]}"
			vm_checks "$log" $? "PV domU"
		else
			fail "PV domU: preparing the toolstack and the domU failed (log: $logs/domu-prep.log)"
		fi
	else
		fail "PV domU: not run, the x86 build failed"
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
