# SPDX-License-Identifier: GPL-2.0
# Guest initramfs builder for the virtio_snd harness (sourced, not run).
#
# image_build <out.cpio.gz> <kmods> <module.ko|""> <ours|intree>
# <kmods> is /.../lib/modules/<release> of the guest kernel.  The image holds
# busybox, alsa-utils and their libraries, /usr/share/alsa, the closure of
# the virtio/ALSA/9p modules from modules.dep (decompressed, loaded by
# /init in dependency order), the module under test (/vsnd/virtio_snd.ko;
# /vsnd/builtin instead when the kernel's own is built in), and guest/
# (scripts and programs) under /vsnd/.

VSND_DIR=${VSND_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# modules_closure <kmods> <name>...: module paths (relative to kmods), every
# dependency before its user; names missing from modules.dep (built in)
# are skipped.
modules_closure() {
	local kmods=$1
	shift
	awk -v roots="$*" '
	function norm(p,  b) { b = p; sub(/.*\//, "", b); sub(/\.ko.*/, "", b);
		gsub(/-/, "_", b); return b }
	function visit(n,  i, k, d) {
		if (!(n in path) || (n in seen)) return
		seen[n] = 1
		k = split(deps[n], d, " ")
		for (i = 1; i <= k; i++) visit(norm(d[i]))
		print path[n]
	}
	{ sub(/:$/, "", $1); n = norm($1); path[n] = $1; $1 = ""; deps[n] = $0 }
	END { k = split(roots, r, " "); for (i = 1; i <= k; i++) visit(norm(r[i])) }
	' "$kmods/modules.dep"
}

image_copy_bin() {
	local root=$1 bin lib
	shift
	for bin in "$@"; do
		[ -e "$bin" ] || continue
		install -D -m 755 "$bin" "$root/usr/bin/$(basename "$bin")"
		for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] || install -D "$(readlink -f "$lib")" "$root$lib"
		done
	done
}

image_build() {
	local out=$1 kmods=$2 ko=$3 driver=$4 root m f name deps=
	root=$(mktemp -d "${TMPDIR:-/tmp}/vsnd-root.XXXXXX") || return 1
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/share,proc,sys,dev,tmp,host,vsnd/mods,etc,lib64}
	install -m 755 /bin/busybox "$root/bin/busybox"
	for f in $(/bin/busybox --list); do
		[ -e "$root/bin/$f" ] || ln -s busybox "$root/bin/$f"
	done
	image_copy_bin "$root" /usr/bin/aplay /usr/bin/arecord /usr/bin/amixer \
		/usr/sbin/alsactl
	cp -a /usr/share/alsa "$root/usr/share/"
	if [ -f "$VSND_DIR/guest/Makefile" ]; then
		make -s -C "$VSND_DIR/guest" >&2 || { rm -rf "$root"; return 1; }
	fi
	cp -a "$VSND_DIR"/guest/. "$root/vsnd/"
	cp -a "$VSND_DIR"/tests/*.sh "$root/vsnd/"
	for f in "$root"/vsnd/*; do
		[ -f "$f" ] && [ -x "$f" ] &&
			[ "$(head -c 4 "$f" | tail -c 3)" = ELF ] &&
			image_copy_bin "$root" "$f"
	done

	# the module under test: ours (a .ko) or the kernel's own, which
	# may be built in (/vsnd/builtin, no .ko)
	if [ -z "$ko" ]; then
		ko=$(modules_closure "$kmods" virtio_snd | tail -n 1)
		[ -n "$ko" ] && ko=$kmods/$ko
	fi
	if [ -n "$ko" ]; then
		case $ko in
		*.xz) xz -dc "$ko" > "$root/vsnd/virtio_snd.ko" ;;
		*.zst) zstd -qdc "$ko" > "$root/vsnd/virtio_snd.ko" ;;
		*) cp "$ko" "$root/vsnd/virtio_snd.ko" ;;
		esac
		deps=$(modinfo -F depends "$root/vsnd/virtio_snd.ko" | tr , ' ')
		modinfo -F srcversion "$root/vsnd/virtio_snd.ko" > "$root/vsnd/srcversion"
		readelf -n "$root/vsnd/virtio_snd.ko" |
			awk '/Build ID:/ { print $3 }' > "$root/vsnd/buildid"
	elif grep -q '/virtio_snd\.ko$' "$kmods/modules.builtin" 2>/dev/null; then
		: > "$root/vsnd/builtin"
	else
		echo "no in-tree virtio_snd in $kmods" >&2
		rm -rf "$root"
		return 1
	fi
	echo "$driver" > "$root/vsnd/driver"
	: > "$root/vsnd/modules.list"
	for m in $(modules_closure "$kmods" virtio_pci 9pnet_virtio 9p $deps); do
		name=$(basename "$m")
		name=${name%%.ko*}.ko
		case $m in
		*.xz) xz -dc "$kmods/$m" > "$root/vsnd/mods/$name" ;;
		*.zst) zstd -qdc "$kmods/$m" > "$root/vsnd/mods/$name" ;;
		*) cp "$kmods/$m" "$root/vsnd/mods/$name" ;;
		esac
		echo "$name" >> "$root/vsnd/modules.list"
	done
	install -m 755 "$VSND_DIR/tests/init" "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}
