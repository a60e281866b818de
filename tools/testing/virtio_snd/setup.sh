#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent host setup for the virtio_snd test harness on Debian 12:
# QEMU 10 from bookworm-backports, guest kernels and their headers, and the
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
	linux-headers-6.12-amd64 linux-headers-amd64
	linux-kbuild-6.12 linux-source-6.12
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! qemu-system-x86_64 -device help 2>/dev/null | grep -q virtio-sound-pci; then
	apt-get install -y -q --no-install-recommends -t bookworm-backports \
		qemu-system-x86 qemu-system-data ipxe-qemu seabios
fi
qemu-system-x86_64 -device help | grep -q virtio-sound-pci

# guest kernels (6.12 and 6.1 through their metapackages) into the cache
here=$(cd "$(dirname "$0")" && pwd)
for k in 6.12 6.1; do
	(. "$here/lib/kernel.sh" && kernel_resolve "$k" && echo "setup: guest kernel $KREL")
done
echo "setup: ok"
