# SPDX-License-Identifier: GPL-2.0
# Guest kernel resolution for the virtio_snd harness (sourced, not run).
#
# kernel_resolve <6.12|6.1|debug> sets:
#   KIMG     bzImage/vmlinuz to boot
#   KMODS    /.../lib/modules/<release> of that kernel
#   KREL     kernel release
# The Debian kernels are resolved through their metapackages and unpacked
# into $VSND_CACHE/kernels/<package>/ (downloaded once, never pinned).

VSND_CACHE=${VSND_CACHE:-/var/cache/virtio-snd}

kernel_meta() {
	case $1 in
	6.12) echo linux-image-6.12-amd64 ;;
	6.1) echo linux-image-amd64 ;;
	*) return 1 ;;
	esac
}

# kernel_pkg <meta>: the versioned image package the metapackage depends on
kernel_pkg() {
	apt-cache depends "$1" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $NF; exit }'
}

kernel_fetch() {
	local meta pkg dir tmp deb
	meta=$(kernel_meta "$1") || { echo "unknown KERNEL=$1" >&2; return 1; }
	pkg=$(kernel_pkg "$meta")
	[ -n "$pkg" ] || { echo "cannot resolve $meta (apt-get update?)" >&2; return 1; }
	dir=$VSND_CACHE/kernels/$pkg
	if [ ! -e "$dir/.done" ]; then
		tmp=$(mktemp -d "$VSND_CACHE/kernels/.dl.XXXXXX") || return 1
		(cd "$tmp" && apt-get download -q "$pkg" >&2) || { rm -rf "$tmp"; return 1; }
		deb=$(ls "$tmp"/*.deb | head -n 1)
		rm -rf "$dir" && mkdir -p "$dir" &&
			dpkg-deb -x "$deb" "$dir" &&
			depmod -b "$dir" "$(ls "$dir/lib/modules" | head -n 1)" &&
			touch "$dir/.done" ||
			{ rm -rf "$tmp"; return 1; }
		rm -rf "$tmp"
	fi
	echo "$dir"
}

kernel_resolve() {
	local dir
	case $1 in
	debug)
		dir=$VSND_CACHE/debug-kernel
		KIMG=$dir/bzImage
		KMODS=$(ls -d "$dir"/mods/lib/modules/* 2>/dev/null | head -n 1)
		if [ ! -f "$KIMG" ] || [ -z "$KMODS" ]; then
			echo "no debug kernel in $dir (run tools/testing/virtio_snd/build-debug-kernel.sh)" >&2
			return 1
		fi
		;;
	6.12|6.1)
		mkdir -p "$VSND_CACHE/kernels"
		dir=$(kernel_fetch "$1") || return 1
		KIMG=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
		KMODS=$(ls -d "$dir"/lib/modules/* | head -n 1)
		;;
	*)
		echo "unknown KERNEL=$1 (6.12, 6.1 or debug)" >&2
		return 1
		;;
	esac
	KREL=$(basename "$KMODS")
}
