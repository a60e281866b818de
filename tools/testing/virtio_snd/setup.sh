#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent host setup for the virtio_snd test harness on Debian 12:
# QEMU (trixie's and trixie-backports'), guest kernels and their headers, and the
# userspace the guest image is built from.  Safe to run again.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "setup.sh: must run as root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
export INITRD=No

bpo=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -qs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/* ; then
	cat > "$bpo" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

stamp=/var/lib/apt/periodic/virtio-snd-update
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360)" ]; then
	apt-get update -qq
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi

pkgs=(
	busybox-static alsa-utils libasound2-dev libasound2-plugins
	build-essential bc flex bison libelf-dev libssl-dev
	sparse cpio zstd xz-utils kmod python3 perl rsync
	dkms	# make check's dkms gate builds dkms.conf
	linux-headers-6.12-amd64 linux-headers-amd64
	linux-headers-6.12-rt-amd64 linux-headers-rt-amd64
	linux-kbuild-6.12 linux-source-6.12
	# checkpatch.pl in a kernel tree (check.sh series) checks SPDX
	# identifiers with scripts/spdxcheck.py, which needs these
	python3-ply python3-git
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# QEMU, in trees of their own run through each tree's dynamic loader
# ($VSND_CACHE/bin/qemu-<suite>).  bookworm-backports' 10.0.2 lacks QEMU
# commit 2865bf1c57 ("system/physmem: fix use-after-free with dispatch",
# QEMU issue 3040; in 10.0.4 and 10.1): under multi-threaded TCG a vCPU can
# use an address-space dispatch freed after the memory map changed, and QEMU
# aborts in iotlb_to_section() (seen in a CI run).  Guests on QEMU's own
# virtio-sound-pci get trixie's 10.0 (Debian stable's QEMU); guests on the
# vhost-user test device get trixie-backports' 11.1, because 10.0.13 gives
# every virtqueue 1024 entries whatever the device asks (a stable-branch
# change for QEMU < 11.1), which would hide the queue limits the test device
# checks.  11.1's own virtio-sound-pci is not used: it returns capture
# buffers long after RELEASE, with ids that are not heads.
export VSND_CACHE=${VSND_CACHE:-/var/cache/virtio-snd}
# qemu_tree SUITE: QEMU from SUITE (on trixie) and its wrapper
qemu_tree() {
	local suite=$1 root=$VSND_CACHE/qemu-$1 bin=$VSND_CACHE/bin/qemu-$1

	if [ ! -x "$root/usr/bin/qemu-system-x86_64" ]; then
		command -v mmdebstrap >/dev/null ||
			apt-get install -y -q --no-install-recommends mmdebstrap
		mkdir -p "$VSND_CACHE"
		rm -rf "$root.new"
		mmdebstrap -q --variant=essential --include=qemu-system-x86 \
			--aptopt="APT::Default-Release \"$suite\"" \
			trixie "$root.new" \
			"deb http://deb.debian.org/debian trixie main" \
			"deb http://deb.debian.org/debian $suite main"
		rm -rf "$root"
		mv "$root.new" "$root"
	fi
	mkdir -p "$(dirname "$bin")"
	cat > "$bin.new" <<WRAP
#!/bin/sh
# QEMU from $root (setup.sh), with the tree's own libraries
r=$root
export QEMU_MODULE_DIR=\$r/usr/lib/x86_64-linux-gnu/qemu
export ALSA_CONFIG_DIR=\$r/usr/share/alsa
exec \$r/usr/lib64/ld-linux-x86-64.so.2 --library-path \$r/usr/lib/x86_64-linux-gnu \\
	\$r/usr/bin/qemu-system-x86_64 -L \$r/usr/share/qemu -L \$r/usr/share/seabios "\$@"
WRAP
	chmod 755 "$bin.new"
	mv "$bin.new" "$bin"
	"$bin" -device help | grep -q virtio-sound-pci
	echo "setup: $suite: $("$bin" --version | head -n 1)"
}
qemu_tree trixie
qemu_tree trixie-backports

# sparse from sid for make check's 7.x gate: 7.x's scripts/checker-valid.sh
# wants __typeof_unqual__, which bookworm's and trixie's sparse 0.6.4 do not
# parse; sid's 0.6.5~rc1 does.  It needs glibc 2.38, so it runs, like QEMU,
# through the loader of its own tree ($VSND_CACHE/bin/sparse-sid).
sparse_tree() {
	local root=$VSND_CACHE/sparse-sid bin=$VSND_CACHE/bin/sparse-sid

	if [ ! -x "$root/usr/bin/sparse" ]; then
		rm -rf "$root.new"
		# (the archive's sid Release can be past its Valid-Until)
		mmdebstrap -q --variant=essential --include=sparse \
			--aptopt='Acquire::Check-Valid-Until "false"' \
			sid "$root.new" "deb http://deb.debian.org/debian sid main" ||
			return 1
		rm -rf "$root" && mv "$root.new" "$root" || return 1
	fi
	mkdir -p "$(dirname "$bin")"
	cat > "$bin.new" <<WRAP
#!/bin/sh
# sparse from $root (setup.sh), with the tree's own libraries
r=$root
exec \$r/usr/lib64/ld-linux-x86-64.so.2 --library-path \$r/usr/lib/x86_64-linux-gnu \\
	\$r/usr/bin/sparse "\$@"
WRAP
	chmod 755 "$bin.new" && mv "$bin.new" "$bin" &&
		echo "setup: sparse for 7.x: $("$bin" --version)"
}
# sid moves: if its sparse cannot be had today, only make check's
# sparse-7.3 gate fails (it says so), not the whole set-up
sparse_tree || echo "setup: warning: no sparse from sid; make check's sparse-7.3 will fail" >&2

# guest kernels (6.12 and 6.1 through their metapackages) into the cache
here=$(cd "$(dirname "$0")" && pwd)
for k in 6.12 6.1; do
	(. "$here/lib/kernel.sh" && kernel_resolve "$k" && echo "setup: guest kernel $KREL")
done
echo "setup: ok"
