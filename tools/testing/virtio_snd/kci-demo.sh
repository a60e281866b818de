#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Kernel CI demonstration (README "Kernel CI", RESULTS.md): kernels
# built here the way a CI builds its own, tested with
# "run-tests.sh KERNEL=<tree> GROUPS=smoke", and a "git bisect run" that
# finds the commit that broke audio.
#
#   kci-demo.sh trees    build the two trees below (tinyconfig +
#                        guest-base.config + config, a few minutes each)
#   kci-demo.sh smoke    the smoke group on each tree and driver, and on
#                        Debian's 6.12 and 6.1 images given by path (6.1
#                        has no virtio_snd: DRIVER=intree must give 125)
#   kci-demo.sh bisect   a history of our driver in the 6.12 tree with
#                        one bad commit, and "git bisect run" over it
#
# Trees, under $VSND_CACHE/kci/:
#   7.3-builtin  trixie-backports' linux-source-7.3, its own virtio_snd
#                built in (=y)
#   6.12-git     linux-source-6.12 with our sound/virtio/ in tree as a
#                module; sound/virtio/ is a git repository's history
#   (the sources in src-7.3 (kernel_source) and src-6.12, the builds O=)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/harness.sh"
kci=$VSND_CACHE/kci
run_tests=$here/run-tests.sh

log() { echo "kci-demo: $*" >&2; }
die() { log "error: $*"; exit 1; }

# kci_build SRC OUT EXTRA: configure SRC into O=OUT (tinyconfig, then
# guest-base.config, config and the lines of EXTRA over it), check that
# every line survived olddefconfig, build bzImage and modules
kci_build() {
	local src=$1 out=$2 bad
	mkdir -p "$out"
	echo "$3" > "$out/kci.config"
	kconfig_merge "$here/guest-base.config" "$here/config" "$out/kci.config" \
		> "$out/fragment"
	bad=$(kconfig_tiny "$src" "$out" "$out/fragment") ||
		{ log "$out: config: $bad"; return 1; }
	log "building $out"
	nice make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules
}

# the 6.12 source with our driver; sound/virtio/ a git repository
src_612() {
	local src=$kci/src-6.12
	if [ ! -e "$src/.done" ]; then
		rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp" &&
			tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$src.tmp" &&
			mv "$src.tmp/linux-source-6.12" "$src" && rmdir "$src.tmp" &&
			touch "$src/.done" || die "cannot unpack linux-source-6.12"
	fi
	echo "$src"
}

# our driver into the 6.12 source: sound/virtio/ and the uapi header
our_driver_into() {
	rsync -r --checksum --delete --exclude='*.mod.c' \
		--include='*.c' --include='*.h' --include=Makefile --include=Kconfig \
		--exclude='*' "$REPO/sound/virtio/" "$1/sound/virtio/" &&
		cp "$REPO/include/uapi/linux/virtio_snd.h" "$1/include/uapi/linux/"
}

trees() {
	local src
	KSUITE=trixie-backports
	src=$(kernel_source trixie-backports) || die "no linux-source-7.3"
	kci_build "$src" "$kci/7.3-builtin" 'CONFIG_LOCALVERSION="-kci-builtin"
CONFIG_SND_VIRTIO=y' || die "7.3-builtin failed"
	src=$(src_612)
	our_driver_into "$src" || die "cannot copy our driver"
	kci_build "$src" "$kci/6.12-git" 'CONFIG_LOCALVERSION="-kci"' ||
		die "6.12-git failed"
}

# smoke_on NAME EXPECTED ARGS...: run the smoke group, show the summary
# and the exit status, and whether that is the one expected
smoke_on() {
	local name=$1 want=$2 rc t0=$SECONDS
	shift 2
	"$run_tests" GROUPS=smoke "$@" > "$kci/$name.ktap" 2> "$kci/$name.log"
	rc=$?
	printf '%-34s exit %3s (want %3s) in %3d s: %s\n' "$name" "$rc" "$want" \
		$((SECONDS - t0)) "$(grep -E '^[0-9]+ passed|cannot test' "$kci/$name.ktap" |
		sed 's/^not ok [0-9]* //' | paste -sd ' ')"
	[ "$rc" = "$want" ]
}

smoke() {
	local ok=0
	smoke_on 7.3-builtin.intree 0 KERNEL="$kci/7.3-builtin" DRIVER=intree || ok=1
	smoke_on 7.3-builtin.ours 125 KERNEL="$kci/7.3-builtin" DRIVER=ours || ok=1
	smoke_on 6.12-git.intree 0 KERNEL="$kci/6.12-git" DRIVER=intree || ok=1
	smoke_on 6.12-git.ours 0 KERNEL="$kci/6.12-git" DRIVER=ours || ok=1
	smoke_on debug.intree 0 KERNEL="$VSND_CACHE/debug-kernel/src" DRIVER=intree || ok=1
	# Debian's images as a bzImage and a modules directory: 6.12's
	# virtio_snd is a module, 6.1 has none
	kernel_resolve 6.12 || die "no 6.12 kernel"
	smoke_on debian-6.12.intree 0 KERNEL="$KIMG" KERNEL_MODULES="$KMODS" DRIVER=intree || ok=1
	kernel_resolve 6.1 || die "no 6.1 kernel"
	smoke_on debian-6.1.intree 125 KERNEL="$KIMG" KERNEL_MODULES="$KMODS" DRIVER=intree || ok=1
	smoke_on debian-6.1.ours 0 KERNEL="$KIMG" KERNEL_MODULES="$KMODS" DRIVER=ours || ok=1
	return $ok
}

# bisect: the 6.12 tree's sound/virtio/ gets the last 12 states of our
# driver as commits; from the 6th on, every state carries one bug (the
# third period of a playback stream is silenced before it is queued: the
# device never gets those samples).  "git bisect run" with the smoke
# group must name the 6th.
BUG='		if (playback \&\& vss->queued == 2)\
			memset(vss->substream->runtime->dma_area +\
			       2 * vss->period_bytes, 0, vss->period_bytes);'
bisect() {
	local src out=$kci/6.12-git c n=0 first bad=6 badc
	src=$(src_612)
	rm -rf "$src/.git"
	git -C "$src" init -q && git -C "$src" config user.name kci-demo &&
		git -C "$src" config user.email kci-demo@localhost || die "git init"
	for c in $(git -C "$REPO" log --format=%h -12 --reverse -- sound/virtio); do
		n=$((n + 1))
		git -C "$REPO" archive "$c" sound/virtio include/uapi/linux/virtio_snd.h |
			tar -x -C "$src" || die "git archive $c"
		if [ $n -ge $bad ]; then
			sed -i "/^\t\trc = virtsnd_pcm_msg_add(vss, msg);/i\\
$BUG" "$src/sound/virtio/virtio_pcm_msg.c"
			grep -q 'vss->queued == 2' "$src/sound/virtio/virtio_pcm_msg.c" ||
				die "the bug does not apply to $c"
		fi
		git -C "$src" add -f sound/virtio include/uapi/linux/virtio_snd.h &&
			git -C "$src" commit -q -m "$(git -C "$REPO" log -1 --format=%s "$c")$([ $n = $bad ] && echo ' [silences the third period]')" ||
			die "commit $n"
		[ $n = 1 ] && first=$(git -C "$src" rev-parse HEAD)
		[ $n = $bad ] && badc=$(git -C "$src" rev-parse HEAD)
	done
	log "history: $(git -C "$src" log --oneline | wc -l) commits; the bad one: $badc"
	cd "$src" || die "cd $src"
	git bisect start HEAD "$first" > /dev/null &&
		git bisect run sh -c "make -s -C '$src' O='$out' -j$(nproc) bzImage modules || exit 125
			'$run_tests' KERNEL='$out' DRIVER=intree GROUPS=smoke > '$kci/step.ktap' 2> /dev/null
			rc=\$?
			grep -E '^not ok|passed,' '$kci/step.ktap' | head -n 3
			echo \"run-tests.sh: exit \$rc\"
			exit \$rc" > "$kci/bisect.log" 2>&1
	grep -E '^\[|^not ok|^[0-9]+ passed,|^run-tests|is the first bad' "$kci/bisect.log"
	c=$(awk '/is the first bad commit/ { print $1; exit }' "$kci/bisect.log")
	git bisect reset > /dev/null 2>&1
	# the tree as "trees" left it: today's driver, built
	our_driver_into "$src" && make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules ||
		die "cannot rebuild $out"
	if [ "$(git rev-parse "$c" 2>/dev/null)" = "$badc" ]; then
		log "git bisect run found the bad commit"
	else
		log "git bisect run did not find the bad commit (see $kci/bisect.log)"
		return 1
	fi
}

mkdir -p "$kci"
case ${1:-} in
trees|smoke|bisect) "$1" ;;
*) echo "usage: $0 trees|smoke|bisect" >&2; exit 2 ;;
esac
