#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug guest kernel: linux-source-6.12 with our sound/virtio/ and
# uapi header in tree, "make tinyconfig" + guest-base.config + config (what
# the suite needs) + debug-kernel.config (lockdep, KASAN, kmemleak, UBSAN,
# ...), virtio_snd as the only module.  With --rt,
# debug-kernel-rt.config on top: the same checkers on PREEMPT_RT, where
# spinlocks sleep and "sleeping function called from invalid context" and
# lockdep judge the data path's contexts for real.
#
# Output, consumed by the harness as KERNEL=debug (KERNEL=debug-rt: the
# same under $VSND_CACHE/debug-rt-kernel/):
#   $VSND_CACHE/debug-kernel/bzImage
#   $VSND_CACHE/debug-kernel/config     the .config it was built from
#   $VSND_CACHE/debug-kernel/release    its "uname -r"
#   $VSND_CACHE/debug-kernel/mods/lib/modules/<release>/...
#   $VSND_CACHE/debug-kernel/stamp      hash of everything that went in
#
# An unchanged source tarball, config fragment and sound/virtio/ is not
# rebuilt; a change to our driver is an incremental make.
#
# Usage: build-debug-kernel.sh [-f] [--rt]
#        (-f: rebuild even if the stamp matches)
# Environment: VSND_CACHE (default /var/cache/virtio-snd), JOBS (default nproc)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache=${VSND_CACHE:-/var/cache/virtio-snd}
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${JOBS:-$(nproc)}
force=0 flavour=debug
frags=("$here/guest-base.config" "$here/config" "$here/debug-kernel.config")
for a in "$@"; do
	case $a in
	-f) force=1 ;;
	--rt) flavour=debug-rt; frags+=("$here/debug-kernel-rt.config") ;;
	*) echo "usage: $0 [-f] [--rt]" >&2; exit 2 ;;
	esac
done
out=$cache/$flavour-kernel
src=$out/src

. "$here/lib/kernel.sh"
log() { echo "build-debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -r "$tarball" ] || die "$tarball missing (run tools/testing/virtio_snd/setup.sh)"
mkdir -p "$out"
# One build at a time: the harness and a developer may both ask for it.
exec 9>"$out/.lock"
flock 9

# The fragments merged, a later one overriding an earlier: what
# merge_config.sh applies and what the final .config is checked against.
frag=$out/fragment
kconfig_merge "${frags[@]}" > "$frag.new"
cmp -s "$frag.new" "$frag" && rm "$frag.new" || mv "$frag.new" "$frag"

# Our driver sources: the files kbuild reads, nothing it produced.
driver_files() {
	(cd "$top" && find sound/virtio -maxdepth 1 -type f \
		\( -name '*.c' -o -name '*.h' -o -name Makefile -o -name Kconfig \
		   -o -name Kbuild \) ! -name '*.mod.c' | LC_ALL=C sort)
}

stamp_of() {
	{
		stat -c '%n %s %Y' "$tarball"
		sha256sum "$frag" "$0" | cut -d' ' -f1
		(cd "$top" && driver_files | xargs sha256sum &&
			sha256sum include/uapi/linux/virtio_snd.h)
	} | sha256sum | cut -d' ' -f1
}

stamp=$(stamp_of)
if [ $force = 0 ] && [ -f "$out/bzImage" ] && [ -f "$out/stamp" ] &&
   [ "$(cat "$out/stamp")" = "$stamp" ]; then
	log "up to date: $out/bzImage ($(cat "$out/release"))"
	exit 0
fi

start=$(date +%s)

# 1. unpack the source once per tarball version
tarball_id=$(stat -c '%s %Y' "$tarball")
if [ ! -f "$src/.vsnd-unpacked" ] || [ "$(cat "$src/.vsnd-unpacked")" != "$tarball_id" ]; then
	log "unpacking $tarball"
	rm -rf "$src" "$out/.unpack.tmp"
	mkdir "$out/.unpack.tmp"
	tar -xJf "$tarball" -C "$out/.unpack.tmp"
	mv "$out/.unpack.tmp/linux-source-6.12" "$src"
	rmdir "$out/.unpack.tmp"
	echo "$tarball_id" > "$src/.vsnd-unpacked"
fi

# 2. replace upstream's driver and uapi header with ours.  Copy only what
# changed (by content), without the source's times, so make sees new files
# as new and leaves the rest alone; drop upstream files we do not have.
rsync -r --checksum --delete --exclude='*.mod.c' \
	--include='*.c' --include='*.h' --include=Makefile --include=Kconfig \
	--include=Kbuild --exclude='*' \
	"$top/sound/virtio/" "$src/sound/virtio/"
cmp -s "$top/include/uapi/linux/virtio_snd.h" "$src/include/uapi/linux/virtio_snd.h" ||
	cp "$top/include/uapi/linux/virtio_snd.h" "$src/include/uapi/linux/virtio_snd.h"

# 3. configure when the fragment (or the tree) changed
config_id=$( (cat "$src/.vsnd-unpacked"; sha256sum "$frag") | sha256sum | cut -d' ' -f1)
if [ ! -f "$src/.config" ] || [ ! -f "$src/.vsnd-config" ] ||
   [ "$(cat "$src/.vsnd-config")" != "$config_id" ]; then
	log "configuring: tinyconfig + $(basename "$frag")"
	rm -f "$src/.vsnd-config"
	make -C "$src" -s tinyconfig
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O . .config "$frag" >/dev/null)
	make -C "$src" -s olddefconfig
	echo "$config_id" > "$src/.vsnd-config"
fi

# Every symbol the fragment asks for must have survived olddefconfig: a
# silently dropped KASAN or lockdep would make the debug run vacuous.
bad=$(kconfig_missing "$src/.config" "$frag")
[ -n "$bad" ] && echo "$bad" | sed 's/^/build-debug-kernel: config: wanted /' >&2
[ -z "$bad" ] || { rm -f "$src/.vsnd-config"; die "config fragment not satisfied"; }

# 4. build and install
log "building with -j$jobs"
nice -n 10 make -C "$src" -s -j"$jobs" bzImage modules
release=$(make -C "$src" -s kernelrelease)
rm -rf "$out/mods.tmp"
nice -n 10 make -C "$src" -s INSTALL_MOD_PATH="$out/mods.tmp" modules_install
[ -f "$out/mods.tmp/lib/modules/$release/kernel/sound/virtio/virtio_snd.ko" ] ||
	die "virtio_snd.ko was not installed"
rm -rf "$out/mods"
mv "$out/mods.tmp" "$out/mods"
cp "$src/arch/x86/boot/bzImage" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
cp "$src/.config" "$out/config"
echo "$release" > "$out/release"
echo "$stamp" > "$out/stamp"
log "done in $(( $(date +%s) - start ))s: $out/bzImage ($release)"
