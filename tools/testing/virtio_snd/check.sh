#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static gates for sound/virtio/ and include/uapi/linux/virtio_snd.h ("make
# check"): W=1 out-of-tree builds against the Debian 6.12 and 6.1 headers
# and a 7.3 tree prepared from trixie-backports' linux-source, sparse on
# each, kernel-doc -Wall, checkpatch --strict, a W=1 in-tree build in
# linux-source-6.12, and the upstream series (series.sh) applied to the
# pristine linux-source-7.3 and built at every step, and a DKMS build of
# dkms.conf.  Each gate prints one
# KTAP line, its findings as "#" lines below it; the run ends with "N
# passed, N failed, N skipped" (no gate skips) and exits non-zero if any
# gate failed.
#
# Usage: check.sh [gate...]     gates: build-6.12 build-6.1 build-7.3
#        sparse-6.12 sparse-6.1 sparse-7.3 kernel-doc checkpatch
#        checkpatch-commits in-tree series dkms
# Environment: VSND_CACHE (default /var/cache/virtio-snd) holds the scratch
# build trees, the checkpatch scripts and the unpacked kernel source; the
# full log of each gate is kept in $VSND_CACHE/check/logs/.
# VSND_CHECK_COMMITS=<rev range> checkpatches those commits instead of only
# the newest one that touches the driver.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache=${VSND_CACHE:-/var/cache/virtio-snd}
work=$cache/check
logs=$work/logs
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${JOBS:-$(nproc)}

# Our files, relative to the top of the tree.
src_files() {
	(cd "$top" && find sound/virtio -maxdepth 1 -type f \
		\( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' | LC_ALL=C sort)
}
uapi=include/uapi/linux/virtio_snd.h
# Where a finding in one of our files shows up in build or checker output.
ours_re='(sound/virtio/|include/uapi/linux/virtio_snd\.h|compat/virtio_snd_compat\.h)'

. "$here/lib/kernel.sh"
. "$here/lib/series.sh"

mkdir -p "$logs"
# The scratch trees are shared: one run at a time.
exec 9>"$work/.lock"
flock 9
ntest=0 npass=0 nfail=0

# result <name> <0|1> <log>: print the KTAP line and, on failure, the log's
# interesting lines (already filtered by the gate into <log>.findings).
result() {
	local name=$1 rc=$2 log=$3
	ntest=$((ntest + 1))
	if [ "$rc" = 0 ]; then
		npass=$((npass + 1))
		echo "ok $ntest $name"
	else
		nfail=$((nfail + 1))
		echo "not ok $ntest $name"
		if [ -s "$log.findings" ]; then
			head -n 60 "$log.findings" | sed 's/^/# /'
			local n
			n=$(wc -l < "$log.findings")
			[ "$n" -le 60 ] || echo "# ... $((n - 60)) more lines in $log.findings"
		fi
		echo "# full log: $log"
	fi
}

# findings <log> <egrep pattern>: keep the matching lines; 0 if none.
findings() {
	grep -E -- "$2" "$1" > "$1.findings"
	[ ! -s "$1.findings" ]
}

kver_of() {
	ls /lib/modules 2>/dev/null | grep -E "^$1\.[0-9]+[^-]*(-[0-9]+)?-amd64\$" | sort -V | tail -n 1
}

# A fresh copy of what the out-of-tree build reads, so every file is
# compiled (warnings only show on a compile) and so the gates do not race
# with builds other developers run in the checkout.
oot_copy() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$top" && tar -cf - Makefile Kbuild dkms.conf compat include \
		$(src_files) sound/virtio/Makefile sound/virtio/Kconfig) |
		tar -xf - -C "$dir"
}

# kbuild_of <series>: the tree out-of-tree builds for that series use
# (printed): the host's headers for 6.x, the prepared source tree of the
# harness for 7.x (lib/kernel.sh: Debian's 7.x headers need gcc-14)
kbuild_of() {
	local kver
	case $1 in
	7.*)	(. "$here/lib/kernel.sh" && kernel_resolve "$1" &&
		 kernel_build_dir) ;;
	*)	kver=$(kver_of "$1")
		[ -n "$kver" ] || { echo "no /lib/modules/$1.*-amd64 (linux-headers missing)" >&2; return 1; }
		echo "/lib/modules/$kver/build" ;;
	esac
}

# release_of <kbuild>: the kernel release a build tree is for
release_of() {
	local r
	r=$(basename "$1")
	[ "$r" != build ] || r=$(basename "$(dirname "$1")")
	echo "$r"
}

gate_build() {	# <series>
	local name=build-$1 kdir log=$logs/build-$1.log dir=$work/oot-$1
	if ! kdir=$(kbuild_of "$1" 2> "$log"); then
		tail -n 1 "$log" > "$log.findings"
		result "$name" 1 "$log"
		return
	fi
	oot_copy "$dir"
	make -C "$dir" KDIR="$kdir" W=1 -j"$jobs" > "$log" 2>&1
	local rc=$?
	findings "$log" '[Ww][Aa][Rr][Nn][Ii][Nn][Gg]|[Ee]rror' || rc=1
	[ -f "$dir/sound/virtio/virtio_snd.ko" ] ||
		{ echo "virtio_snd.ko not built" >> "$log.findings"; rc=1; }
	result "$name ($(release_of "$kdir"), W=1)" "$rc" "$log"
}

gate_sparse() {	# <series>; reuses the build-<series> copy when present
	local name=sparse-$1 kdir log=$logs/sparse-$1.log dir=$work/oot-$1
	local sparse=sparse
	# 7.x wants a sparse that knows __typeof_unqual__ (setup.sh)
	[[ $1 != 7.* ]] || sparse=$cache/bin/sparse-sid
	if ! command -v "$sparse" > /dev/null; then
		echo "needs $sparse (setup.sh installs it)" > "$log"
		cp "$log" "$log.findings"
		result "$name" 1 "$log"
		return
	fi
	if ! kdir=$(kbuild_of "$1" 2> "$log"); then
		tail -n 1 "$log" > "$log.findings"
		result "$name" 1 "$log"
		return
	fi
	[ -f "$dir/Kbuild" ] || oot_copy "$dir"
	make -C "$dir" KDIR="$kdir" C=2 CHECK="$sparse" CF=-D__CHECK_ENDIAN__ \
		-j"$jobs" > "$log" 2>&1
	local rc=$?
	grep -q 'CHECK' "$log" || { echo "sparse did not run" > "$log.findings"; rc=1; }
	[ $rc != 0 ] || findings "$log" "$ours_re.*(warning|error):" || rc=1
	result "$name ($(release_of "$kdir"), C=2 -D__CHECK_ENDIAN__)" "$rc" "$log"
}

gate_kernel_doc() {
	local log=$logs/kernel-doc.log kdoc rc=0
	kdoc=$(ls -d /usr/src/linux-kbuild-6.12*/scripts/kernel-doc 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$kdoc" ]; then
		echo "no /usr/src/linux-kbuild-6.12*/scripts/kernel-doc" > "$log"
		cp "$log" "$log.findings"
		result kernel-doc 1 "$log"
		return
	fi
	echo "using $kdoc" > "$log"
	(cd "$top" && "$kdoc" -none -Wall $(src_files) $uapi) >> "$log" 2>&1 || rc=1
	findings "$log" '[Ww]arning|[Ee]rror' || rc=1
	result "kernel-doc (-none -Wall, $(basename "$(dirname "$(dirname "$kdoc")")"))" "$rc" "$log"
}

# checkpatch.pl and the data files it reads, from the 6.12 source tarball.
checkpatch_prepare() {
	local dir=$work/checkpatch id
	id=$(stat -c '%s %Y' "$tarball" 2>/dev/null) || return 1
	if [ ! -f "$dir/.vsnd-extracted" ] || [ "$(cat "$dir/.vsnd-extracted")" != "$id" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir" --strip-components=1 \
			linux-source-6.12/scripts/checkpatch.pl \
			linux-source-6.12/scripts/spelling.txt \
			linux-source-6.12/scripts/const_structs.checkpatch \
			linux-source-6.12/Documentation/dev-tools/checkpatch.rst || return 1
		echo "$id" > "$dir/.vsnd-extracted"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

gate_checkpatch() {
	local log=$logs/checkpatch.log cp rc=0 f
	if ! cp=$(checkpatch_prepare); then
		echo "cannot extract checkpatch.pl from $tarball" > "$log"
		cp "$log" "$log.findings"
		result checkpatch 1 "$log"
		return
	fi
	: > "$log"
	# Run from the top so a .checkpatch.conf there is honoured.
	for f in $(src_files) sound/virtio/Makefile sound/virtio/Kconfig $uapi \
		 Kbuild; do
		[ -f "$top/$f" ] || continue
		(cd "$top" && perl "$cp" --no-tree --strict --color=never \
			--summary-file --file "$f") >> "$log" 2>&1 || rc=1
	done
	# The compat header exists to test LINUX_VERSION_CODE, which checkpatch
	# also takes for a constant on the left of a comparison; and its
	# MODULE_DESCRIPTION() adds a second file-scope declaration, where a
	# do-while cannot go.
	(cd "$top" && perl "$cp" --no-tree --strict --color=never --summary-file \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,MULTISTATEMENT_MACRO_USE_DO_WHILE \
		--file compat/virtio_snd_compat.h) >> "$log" 2>&1 || rc=1
	grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:' "$log" > "$log.findings" && rc=1
	result "checkpatch (--strict --file)" "$rc" "$log"
}

# The driver's commits as patches.  History cannot be rewritten, so what
# is counted is the newest commit that touches the driver (or the range in
# VSND_CHECK_COMMITS, e.g. "origin/main..HEAD" before pushing a series);
# older commits with findings are listed as "#" lines.  Not checked:
# Signed-off-by (the project does not use it) and MAINTAINERS updates
# (FILE_PATH_CHANGES: there is no MAINTAINERS file out of tree).
gate_checkpatch_commits() {
	local log=$logs/checkpatch-commits.log cp rc=0 c out counted what
	if ! cp=$(checkpatch_prepare); then
		echo "cannot extract checkpatch.pl from $tarball" > "$log"
		cp "$log" "$log.findings"
		result checkpatch-commits 1 "$log"
		return
	fi
	: > "$log"
	: > "$log.findings"
	if [ -n "${VSND_CHECK_COMMITS:-}" ]; then
		counted=$(cd "$top" && git rev-list "$VSND_CHECK_COMMITS" -- sound/virtio $uapi)
		what="commits $VSND_CHECK_COMMITS"
	else
		counted=$(cd "$top" && git rev-list -1 HEAD -- sound/virtio $uapi)
		what="newest driver commit"
	fi
	if [ -z "$counted" ]; then
		echo "no commit touching the driver in ${VSND_CHECK_COMMITS:-HEAD}" > "$log.findings"
		rc=1
	fi
	for c in $(cd "$top" && git rev-list --reverse HEAD -- sound/virtio $uapi); do
		out=$(cd "$top" && git format-patch -1 --stdout "$c" -- sound/virtio $uapi |
			perl "$cp" --no-tree --strict --no-signoff --color=never -q \
				--ignore FILE_PATH_CHANGES - 2>&1)
		[ -n "$out" ] || continue
		{ echo "commit $(cd "$top" && git log -1 --format='%h %s' "$c")"; echo "$out"; } >> "$log"
		if grep -qx "$c" <<< "$counted"; then
			rc=1
			echo "commit $(cd "$top" && git log -1 --format='%h %s' "$c")" >> "$log.findings"
			echo "$out" | grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:' >> "$log.findings"
		else
			echo "# (history) $(cd "$top" && git log -1 --format='%h %s' "$c"): $(echo "$out" | grep -E '^total:')"
		fi
	done
	result "checkpatch-commits (--strict, $what)" "$rc" "$log"
}

# In-tree: linux-source-6.12 unpacked once into the cache, our driver and
# uapi header dropped in, "make M=sound/virtio W=1" after modules_prepare.
# Nothing of compat/ is copied: the in-tree build must not need it.
gate_in_tree() {
	local log=$logs/in-tree.log tree=$cache/intree/linux-source-6.12 id rc=0
	local frag=$cache/intree/vsnd.config
	: > "$log"
	id=$(stat -c '%s %Y' "$tarball" 2>/dev/null) || {
		echo "$tarball missing" > "$log"; cp "$log" "$log.findings"
		result in-tree 1 "$log"; return; }
	if [ ! -f "$tree/.vsnd-unpacked" ] || [ "$(cat "$tree/.vsnd-unpacked")" != "$id" ]; then
		echo "unpacking $tarball" >> "$log"
		rm -rf "$tree" "$cache/intree/.unpack.tmp"
		mkdir -p "$cache/intree/.unpack.tmp"
		tar -xJf "$tarball" -C "$cache/intree/.unpack.tmp" >> "$log" 2>&1 &&
		mv "$cache/intree/.unpack.tmp/linux-source-6.12" "$tree" &&
		rmdir "$cache/intree/.unpack.tmp" &&
		echo "$id" > "$tree/.vsnd-unpacked" || {
			cp "$log" "$log.findings"; result in-tree 1 "$log"; return; }
	fi
	rsync -r --checksum --delete --exclude='*.mod.c' \
		--include='*.c' --include='*.h' --include=Makefile --include=Kconfig \
		--include=Kbuild --exclude='*' \
		"$top/sound/virtio/" "$tree/sound/virtio/" >> "$log" 2>&1 || rc=1
	cmp -s "$top/$uapi" "$tree/$uapi" || cp "$top/$uapi" "$tree/$uapi" || rc=1
	if [ ! -f "$tree/.vsnd-prepared" ]; then
		printf '%s\n' CONFIG_VIRTIO_MENU=y CONFIG_VIRTIO_PCI=y CONFIG_SOUND=y \
			CONFIG_SND=m CONFIG_SND_VIRTIO=m > "$frag"
		{ make -C "$tree" -s x86_64_defconfig &&
		  (cd "$tree" && scripts/kconfig/merge_config.sh -m -O . .config "$frag") &&
		  make -C "$tree" -s olddefconfig &&
		  grep -qx CONFIG_SND_VIRTIO=m "$tree/.config" &&
		  nice -n 10 make -C "$tree" -s -j"$jobs" modules_prepare &&
		  touch "$tree/.vsnd-prepared"; } >> "$log" 2>&1 || rc=1
	fi
	if [ $rc = 0 ]; then
		make -C "$tree" -s M=sound/virtio clean >> "$log" 2>&1
		echo "=== make M=sound/virtio W=1" >> "$log"
		make -C "$tree" M=sound/virtio W=1 KBUILD_MODPOST_WARN=1 \
			-j"$jobs" modules >> "$log" 2>&1 || rc=1
	fi
	# There is no vmlinux, hence no Module.symvers: modpost cannot resolve
	# the core's symbols and says so.  Those notes are expected, nothing else.
	grep -E -i 'warning|error' "$log" |
		grep -v -E '^WARNING: Module\.symvers is missing\.$|^ +(You may get many unresolved symbol errors\.|You can set KBUILD_MODPOST_WARN=1 to turn errors into warning)$|^WARNING: modpost: "[^"]+" \[sound/virtio/virtio_snd\.ko\] undefined!$|^WARNING: modpost: suppressed [0-9]+ unresolved symbol warnings' \
		> "$log.findings"
	[ ! -s "$log.findings" ] || rc=1
	[ -f "$tree/sound/virtio/virtio_snd.ko" ] ||
		{ echo "virtio_snd.ko not built" >> "$log.findings"; rc=1; }
	if grep -l virtio_snd_compat "$tree"/sound/virtio/.*.cmd > /dev/null 2>&1; then
		echo "the in-tree build used the compat header" >> "$log.findings"
		rc=1
	fi
	result "in-tree (linux-source-6.12, make M=sound/virtio W=1)" "$rc" "$log"
}

# The upstream series (series.sh): made from this tree, "git am" on the
# pristine linux-source-7.3, every patch checkpatch --strict clean in that
# tree with its own checkpatch.pl and free of compat code, every step
# built.  One O= tree in the cache (tinyconfig + series/kernel.config,
# vmlinux built once), so a run compiles sound/virtio/ and links vmlinux
# once.
series_src=$work/series-src
series_out=$cache/series/build
# Its log's "===" lines carry the seconds since check.sh started, so a
# CI log shows what each phase of the gate cost.

# series_configure <=m|=y>: the O= tree's .config with that CONFIG_SND_VIRTIO;
# made from scratch when the fragments or the source changed.  Switching
# between =m and =y rebuilds only what depends on the symbol (kbuild
# tracks every object's CONFIG_ dependencies): sound/virtio/ and the link.
series_configure() {
	local want=$1 frag=$series_out/fragment id bad
	mkdir -p "$series_out"
	cp "$here/series/kernel.config" "$frag.new"
	id=$( (cat "$series_git/vsnd-source"; sha256sum < "$frag.new") | sha256sum)
	if [ "$(cat "$series_out/.vsnd-config" 2>/dev/null)" != "$id" ]; then
		echo "=== [${SECONDS}s] configuring $series_out: tinyconfig + series/kernel.config"
		rm -f "$series_out/.vsnd-config"
		mv "$frag.new" "$frag"
		bad=$(kconfig_tiny "$series_src" "$series_out" "$frag") ||
			{ echo "config: wanted $bad"; return 1; }
		echo "$id" > "$series_out/.vsnd-config"
	fi
	rm -f "$frag.new"
	"$series_src/scripts/config" --file "$series_out/.config" \
		--set-val SND_VIRTIO "${want#=}" &&
		make -s -C "$series_src" O="$series_out" olddefconfig &&
		grep -qx "CONFIG_SND_VIRTIO${want}" "$series_out/.config" ||
		{ echo "CONFIG_SND_VIRTIO$want did not survive olddefconfig"; return 1; }
}

# series_step_build <step>: build the driver as this step has it, W=1.
# Until the patch that hooks up the build, sound/virtio/ has a Makefile
# that builds nothing and files that only a later patch links: each .c
# there is compiled on its own (a kbuild single target), so every patch's
# code is compiled at the step that adds it.  Then the module, through
# modpost against vmlinux's Module.symvers.
series_step_build() {
	local targets f
	if grep -q 'obj-$(CONFIG_SND_VIRTIO)' "$series_src/sound/virtio/Makefile"; then
		targets=sound/virtio/virtio_snd.ko
	else
		targets=
		for f in "$series_src"/sound/virtio/*.c; do
			[ -f "$f" ] && targets+=" sound/virtio/$(basename "${f%.c}").o"
		done
		[ -n "$targets" ] || targets=sound/virtio/
	fi
	echo "=== [${SECONDS}s] step $1: make W=1 $targets"
	make -C "$series_src" O="$series_out" W=1 -j"$jobs" $targets 2>&1
}

# series_uapi_check: at a step that changes the uapi header, the header as
# user space gets it: "make headers" (headers_install.sh refuses
# kernel-only constructs), then what the kernel's own header test does
# (usr/include/Makefile: C90, included twice, headers_check.pl), with
# -Werror: the test config has no CONFIG_UAPI_HEADER_TEST.
series_uapi_check() {
	local inc=$series_out/usr/include
	echo "=== [${SECONDS}s] step $1: make headers; the uapi header alone, C90, twice"
	make -s -C "$series_src" O="$series_out" headers 2>&1 &&
		gcc -std=c90 -Wall -Werror -Werror=implicit-function-declaration \
			-I"$inc" -fsyntax-only -x c /dev/null \
			-include linux/virtio_snd.h -include linux/virtio_snd.h 2>&1 &&
		perl "$series_src/usr/include/headers_check.pl" "$inc" \
			"$inc/linux/virtio_snd.h" 2>&1
}

gate_series() {
	local log=$logs/series.log rc=0 patches=$work/series-patches p c n=0
	local found subj cprc
	: > "$log"
	: > "$log.findings"
	# findings for a step: what concerns our files (W=1 flags the rest of
	# the tree too), modpost's word on the module, any error
	local ours='(sound/virtio/|include/uapi/linux/virtio_snd\.h|virtio_snd\.ko).*([Ww]arning|[Ee]rror)|[Ee]rror:|^(WARNING|ERROR): modpost'
	fail() { echo "$*" >> "$log.findings"; rc=1; }

	# the series, as the developer gets it (signed off by this tree's author)
	echo "=== [${SECONDS}s] series.sh -s" >> "$log"
	if ! "$here/series.sh" -s -o "$patches" >> "$log" 2>&1; then
		grep '^series: error' "$log" >> "$log.findings"
		fail "series.sh failed"
		result "series" 1 "$log"
		return
	fi
	series_git=$(series_repo) &&
		series_src=$(series_clone "$series_git" "$series_src") ||
		{ fail "no pristine linux-source-7.3 repository"; result series 1 "$log"; return; }

	# no compat: not the header, no version test, nothing of compat/
	for p in "$patches"/0*.patch; do
		found=$(grep -n -i -E '^\+.*(compat([^i]|$)|LINUX_VERSION_CODE|KERNEL_VERSION)|^diff --git a/compat/' "$p")
		[ -z "$found" ] || fail "$(basename "$p"): compat: $found"
	done

	# "git am" on the pristine tree, and it must give what series.sh made
	echo "=== [${SECONDS}s] git am" >> "$log"
	if ! git -C "$series_src" am -q $(ls "$patches"/0*.patch | grep -v /0000-) >> "$log" 2>&1; then
		fail "git am failed on $(series_base "$series_git")"
		result series 1 "$log"
		return
	fi
	[ "$(git -C "$series_src" rev-parse HEAD^{tree})" = \
	  "$(git -C "$cache/series/gen" rev-parse HEAD^{tree})" ] ||
		fail "git am gives another tree than series.sh made"

	# checkpatch --strict, in the tree, with 7.3's own checkpatch.pl: the
	# one that judges a patch for 7.3.  "does MAINTAINERS need updating?"
	# (FILE_PATH_CHANGES) is asked of every patch that adds or removes a
	# file; it is answered here: each such file must be covered by the
	# VIRTIO SOUND DRIVER entry (get_maintainer.pl, the series' MAINTAINERS).
	# In a tree, checkpatch checks SPDX identifiers with
	# scripts/spdxcheck.py, and takes a spdxcheck that cannot run for a
	# valid identifier: Debian's python3 (/usr/bin, where setup.sh
	# installs its modules) goes first, and a traceback is a finding.
	for p in "$patches"/0*.patch; do
		case $p in */0000-*) continue ;; esac
		echo "=== [${SECONDS}s] checkpatch $(basename "$p")" >> "$log"
		cprc=0
		(cd "$series_src" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl \
			--strict --color=never -q --ignore FILE_PATH_CHANGES "$p") > "$log.step" 2>&1 ||
			cprc=1
		cat "$log.step" >> "$log"
		if [ $cprc != 0 ] || grep -q Traceback "$log.step"; then
			fail "$(basename "$p"): checkpatch:"
			grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:|^[A-Za-z]*Error' "$log.step" >> "$log.findings"
		fi
	done
	for c in $(git -C "$series_src" rev-list --reverse pristine..HEAD); do
		for f in $(git -C "$series_src" diff --name-only --diff-filter=AD "$c^" "$c"); do
			# grep reads all (no -q): an early exit would be a
			# SIGPIPE for get_maintainer.pl, a failure under pipefail
			git -C "$series_src" format-patch -1 --stdout "$c" -- "$f" |
				(cd "$series_src" && perl scripts/get_maintainer.pl --no-git \
					--no-git-fallback --sections) |
				grep -x 'VIRTIO SOUND DRIVER' > /dev/null ||
				fail "$(git -C "$series_src" log -1 --format=%s "$c"): $f is not in the VIRTIO SOUND DRIVER entry of MAINTAINERS"
		done
	done

	# every step built =m, W=1; the last one also =y with vmlinux linked
	{
		series_configure =m || exit 1
		if [ ! -f "$series_out/Module.symvers" ]; then
			echo "=== [${SECONDS}s] vmlinux (once; the O= tree is new)"
			nice make -s -C "$series_src" O="$series_out" -j"$jobs" vmlinux || exit 1
		fi
	} >> "$log" 2>&1 || { fail "cannot configure or build $series_out"; result series 1 "$log"; return; }
	for c in $(git -C "$series_src" rev-list --reverse pristine..HEAD); do
		n=$((n + 1))
		subj=$(git -C "$series_src" log -1 --format=%s "$c")
		git -C "$series_src" checkout -q --detach "$c"
		# a Kconfig change (the hook-up) may change the .config
		if git -C "$series_src" diff --name-only "$c^" "$c" | grep Kconfig > /dev/null; then
			series_configure =m >> "$log" 2>&1 || fail "$n/$subj: $(tail -n 1 "$log")"
		fi
		series_step_build "$n" > "$log.step" 2>&1 || fail "$n/$subj: make failed (=m)"
		cat "$log.step" >> "$log"
		if git -C "$series_src" diff --name-only "$c^" "$c" |
		   grep -x include/uapi/linux/virtio_snd.h > /dev/null; then
			series_uapi_check "$n" > "$log.uapi" 2>&1 ||
				fail "$n/$subj: the uapi header test failed: $(tail -n 3 "$log.uapi")"
			cat "$log.uapi" >> "$log"
			rm -f "$log.uapi"
		fi
		grep -E -- "$ours" "$log.step" | sed "s|^|$n/$subj: |" >> "$log.findings"
	done
	[ -f "$series_out/sound/virtio/virtio_snd.ko" ] || fail "the last step built no virtio_snd.ko"
	{
		series_configure =y &&
			echo "=== [${SECONDS}s] last step, =y: make vmlinux" &&
			nice make -C "$series_src" O="$series_out" -j"$jobs" vmlinux
	} > "$log.step" 2>&1 || fail "$n/$subj: =y: vmlinux failed"
	cat "$log.step" >> "$log"
	grep -E -- "$ours" "$log.step" | sed "s|^|$n/$subj (=y): |" >> "$log.findings"
	grep -qx kernel/sound/virtio/virtio_snd.ko "$series_out/modules.builtin" ||
		fail "=y: virtio_snd is not in modules.builtin: the driver was not linked in"
	# the in-tree builds must never have seen the out-of-tree compat header
	! grep -l -r virtio_snd_compat "$series_out"/sound/virtio/.*.cmd > /dev/null 2>&1 ||
		fail "a build used the compat header"
	rm -f "$log.step"
	echo "=== [${SECONDS}s] end" >> "$log"
	[ ! -s "$log.findings" ] || rc=1
	result "series ($n patches on $(series_base "$series_git"): git am, checkpatch --strict, no compat, W=1 =m every step, =y vmlinux)" "$rc" "$log"
}

# gate_dkms: dkms.conf builds the module for the 6.12 and 6.1 headers and
# installs it over 6.12's own virtio_snd, where depmod then finds ours; in
# trees of its own (DKMS's, its signing key, the modules), the host's
# /usr/src, /var/lib/dkms and /lib/modules untouched
gate_dkms() {
	local log=$logs/dkms.log dir=$work/dkms rc=0 ver s kver ko own
	local -a opts
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
	rm -rf "$dir"
	mkdir -p "$dir/src" "$dir/tree" "$dir/root/lib/modules" "$dir/depmod.d"
	oot_copy "$dir/src/virtio-snd-$ver"
	opts=(--sourcetree "$dir/src" --dkmstree "$dir/tree" --installtree "$dir/root/lib/modules")
	export mok_signing_key=$dir/mok.key mok_certificate=$dir/mok.pub
	{
		command -v dkms > /dev/null || echo "no dkms (setup.sh installs it)"
		dkms add "virtio-snd/$ver" "${opts[@]}" || echo "dkms add failed"
		for s in 6.12 6.1; do
			kver=$(kver_of "$s")
			mkdir -p "$dir/root/lib/modules/$kver"
			ln -s "/lib/modules/$kver/build" "$dir/root/lib/modules/$kver/build"
			dkms build "virtio-snd/$ver" -k "$kver" "${opts[@]}" ||
				echo "dkms build for $kver failed"
			ko=$(find "$dir/tree/virtio-snd/$ver/$kver" -name 'virtio_snd.ko*' | head -n 1)
			if [ -z "$ko" ]; then
				echo "dkms built no virtio_snd.ko for $kver"
			elif [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$kver" ] ||
			     [ "$(modinfo -F version "$ko")" != "$ver" ]; then
				echo "$ko: version '$(modinfo -F version "$ko")', for $(modinfo -F vermagic "$ko"), not $ver for $kver"
			fi
		done
		# over 6.12's own driver, as on a guest
		kver=$(kver_of 6.12)
		own=$(find "/lib/modules/$kver/kernel/sound/virtio" -name 'virtio_snd.ko*' | head -n 1)
		mkdir -p "$dir/root/lib/modules/$kver/kernel/sound/virtio"
		cp "$own" /lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$dir/root/lib/modules/$kver/" ||
			echo "no virtio_snd of 6.12's own to install over"
		mv "$dir/root/lib/modules/$kver/$(basename "$own")" "$dir/root/lib/modules/$kver/kernel/sound/virtio/"
		dkms install "virtio-snd/$ver" -k "$kver" --no-depmod "${opts[@]}" ||
			echo "dkms install for $kver failed"
		depmod -b "$dir/root" -C "$dir/depmod.d" "$kver"
		grep '^updates/dkms/virtio_snd\.ko' "$dir/root/lib/modules/$kver/modules.dep" ||
			echo "depmod does not prefer the DKMS module: $(grep virtio_snd "$dir/root/lib/modules/$kver/modules.dep")"
	} > "$log" 2>&1
	unset mok_signing_key mok_certificate
	grep -E 'failed|^no |built no|, not |does not prefer' "$log" > "$log.findings" && rc=1
	result "dkms (dkms.conf $ver: built for 6.12 and 6.1, installed over 6.12's own)" "$rc" "$log"
}

all_gates=(build-6.12 build-6.1 build-7.3 sparse-6.12 sparse-6.1 sparse-7.3
	   kernel-doc checkpatch checkpatch-commits in-tree series dkms)
gates=("$@")
[ ${#gates[@]} -gt 0 ] || gates=("${all_gates[@]}")

echo "KTAP version 1"
echo "1..${#gates[@]}"
for g in "${gates[@]}"; do
	case "$g" in
	build-6.12|build-6.1|build-7.3)		gate_build "${g#build-}" ;;
	sparse-6.12|sparse-6.1|sparse-7.3)	gate_sparse "${g#sparse-}" ;;
	kernel-doc)		gate_kernel_doc ;;
	checkpatch)		gate_checkpatch ;;
	checkpatch-commits)	gate_checkpatch_commits ;;
	in-tree)		gate_in_tree ;;
	series)			gate_series ;;
	dkms)			gate_dkms ;;
	*) echo "check.sh: unknown gate '$g' (${all_gates[*]})" >&2; exit 2 ;;
	esac
done
echo "$npass passed, $nfail failed, 0 skipped"
[ "$nfail" = 0 ]
