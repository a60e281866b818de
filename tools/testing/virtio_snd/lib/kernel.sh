# SPDX-License-Identifier: GPL-2.0
# Guest kernel resolution for the virtio_snd harness (sourced, not run).
#
# kernel_resolve <name> sets, for the names kernel_meta knows, "debug" and
# "debug-rt" (build-debug-kernel.sh [--rt]), and for a path (kernel_path):
#   KIMG     bzImage/vmlinuz to boot
#   KMODS    /.../lib/modules/<release> of that kernel
#   KREL     kernel release
#   KSUITE   the Debian suite it comes from (empty for debug and paths)
#   KCONFIG  its .config (empty when unknown)
#   KBUILD   the tree to build our module against (paths; else empty)
#   KSLOW    1 for a kernel with the debug checkers (KASAN, lockdep)
# The Debian kernels are resolved through their metapackages and unpacked
# into $VSND_CACHE/kernels/<package>/ (downloaded once, never pinned).
# Kernels of newer suites come through an apt configuration of the
# harness's own ($VSND_CACHE/apt/<suite>/): the host's sources stay as
# they are.

VSND_CACHE=${VSND_CACHE:-/var/cache/virtio-snd}
KERNELS="6.12 6.1 6.12-rt 6.1-rt 7.3 7.3-rt debug debug-rt"

# kernel_meta <name>: "<suite> <metapackage>" of a Debian kernel
kernel_meta() {
	case $1 in
	6.12) echo "bookworm linux-image-6.12-amd64" ;;
	6.1) echo "bookworm linux-image-amd64" ;;
	6.12-rt) echo "bookworm linux-image-6.12-rt-amd64" ;;
	6.1-rt) echo "bookworm linux-image-rt-amd64" ;;
	7.3) echo "trixie-backports linux-image-amd64" ;;
	7.3-rt) echo "trixie-backports linux-image-rt-amd64" ;;
	*) return 1 ;;
	esac
}

# kapt <suite> <apt-get|apt-cache> ARGS...: apt for a suite; bookworm is
# the host's own, any other has its sources list, package lists and cache
# under $VSND_CACHE/apt/<suite>/ (with its base suite), updated every 6 h
kapt() {
	local suite=$1 cmd=$2 d=$VSND_CACHE/apt/$1 opts
	shift 2
	[ "$suite" = bookworm ] && { "$cmd" "$@"; return; }
	opts=(-o Dir::Etc::SourceList="$d/sources.list"
	      -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$d/lists"
	      -o Dir::Cache="$d/cache" -o Dir::State::status=/dev/null
	      -o APT::Default-Release="$suite" -o APT::Sandbox::User=root)
	if [ ! -e "$d/updated" ] || [ -n "$(find "$d/updated" -mmin +360)" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
			"${suite%%-*}" "$suite" | uniq > "$d/sources.list"
		apt-get "${opts[@]}" -qq update >&2 && touch "$d/updated" || return 1
	fi
	"$cmd" "${opts[@]}" "$@"
}

# kernel_locked FN ARGS...: run FN holding the cache's kernel lock, unless
# this process already holds it.  CI runs the static gates beside the
# suites: both may fetch, unpack or prepare the same kernel at once.  The
# lock is an open file, so the subshells of the holder share it.
kernel_locked() {
	[ -z "${KERNEL_LOCKED:-}" ] || { "$@"; return; }
	mkdir -p "$VSND_CACHE" || return 1
	(
		exec 8>> "$VSND_CACHE/.kernels.lock" && flock 8 || exit 1
		KERNEL_LOCKED=1 "$@"
	)
}

# kernel_pkgs <suite> <meta>: the image package the metapackage depends
# on, then the packages that image is split into (7.x: binary, modules,
# base), one a line
kernel_pkgs() {
	local img
	img=$(kapt "$1" apt-cache depends "$2" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $NF; exit }')
	[ -n "$img" ] || return 1
	echo "$img"
	kapt "$1" apt-cache depends "$img" 2>/dev/null |
		awk -v rel="${img#linux-image-}" '
		$1 == "Depends:" && $2 ~ /^linux-(binary|modules|base)-/ &&
		substr($2, length($2) - length(rel) + 1) == rel { print $2 }'
}

# kapt_get <suite> <dir> <package>...: download and unpack into dir
kapt_get() {
	local suite=$1 dir=$2 tmp deb
	shift 2
	tmp=$(mktemp -d "$VSND_CACHE/kernels/.dl.XXXXXX") || return 1
	(cd "$tmp" && kapt "$suite" apt-get download -q "$@" >&2) &&
		for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dir" || break; done
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# kernel_fetch <name>: the directory the kernel's packages are unpacked in
kernel_fetch() {
	local meta pkgs dir
	[ -n "${KERNEL_LOCKED:-}" ] || { kernel_locked kernel_fetch "$@"; return; }
	meta=$(kernel_meta "$1") || { echo "unknown KERNEL=$1 ($KERNELS)" >&2; return 1; }
	mkdir -p "$VSND_CACHE/kernels"
	pkgs=$(kernel_pkgs $meta)
	[ -n "$pkgs" ] || { echo "cannot resolve $meta (apt-get update?)" >&2; return 1; }
	dir=$VSND_CACHE/kernels/$(echo "$pkgs" | head -n 1)
	if [ ! -e "$dir/.done" ]; then
		rm -rf "$dir" && mkdir -p "$dir" &&
			kapt_get "${meta%% *}" "$dir" $pkgs &&
			kernel_depmod "$dir" && touch "$dir/.done" ||
			{ rm -rf "$dir"; return 1; }
	fi
	echo "$dir"
}

# kernel_depmod <dir>: modules.dep for the tree unpacked in dir (the
# modules live in lib/modules, or usr/lib/modules since 7.x)
kernel_depmod() {
	local base=$1
	[ -d "$base/lib/modules" ] || base=$1/usr
	depmod -b "$base" "$(ls "$base/lib/modules" | head -n 1)"
}

kernel_resolve() {
	local dir=
	KSUITE= KBUILD= KCONFIG=
	case $1 in
	*/*)
		kernel_path "$1" || return ;;
	debug|debug-rt)
		dir=$VSND_CACHE/$1-kernel
		KIMG=$dir/bzImage
		KMODS=$(ls -d "$dir"/mods/lib/modules/* 2>/dev/null | head -n 1)
		if [ ! -f "$KIMG" ] || [ -z "$KMODS" ]; then
			echo "no $1 kernel in $dir (run tools/testing/virtio_snd/build-debug-kernel.sh$([ "$1" = debug ] || echo " --rt"))" >&2
			return 1
		fi
		;;
	*)
		dir=$(kernel_fetch "$1") || return 1
		KSUITE=$(kernel_meta "$1") && KSUITE=${KSUITE%% *}
		KMODS=$(ls -d "$dir"/lib/modules/* "$dir"/usr/lib/modules/* 2>/dev/null | head -n 1)
		KIMG=$(ls "$dir"/boot/vmlinuz-* "$KMODS"/vmlinuz 2>/dev/null | head -n 1)
		[ -n "$KIMG" ] || { echo "no vmlinuz in $dir" >&2; return 1; }
		;;
	esac
	KREL=$(basename "$KMODS")
	[ -n "$KCONFIG" ] || KCONFIG=$(ls "$KMODS/config" "$dir/config" \
		"$dir/boot/config-$KREL" 2>/dev/null | head -n 1)
	KSLOW=
	if [ -n "$KCONFIG" ] && grep -qE '^CONFIG_(KASAN|PROVE_LOCKING)=y' "$KCONFIG"; then
		KSLOW=1
	fi
}

# kernel_path <path>: a kernel a CI (or a developer) built, for
# kernel_resolve.  <path> is a built tree (its arch/x86/boot/bzImage and
# .config; its modules are installed into $VSND_CACHE/trees/ when the
# bzImage or a module changed), or a bzImage with $KERNEL_MODULES naming its
# /lib/modules/<release> directory (config: there, or config-<release>
# beside the bzImage).  Status 2: not a kernel at all (a wrong path, no
# KERNEL_MODULES), which is the caller's mistake, not the kernel's.
kernel_path() {
	local p=$1 out
	p=$(readlink -f "$p") || { echo "KERNEL=$1: no such path" >&2; return 2; }
	if [ -d "$p" ]; then
		KIMG=$p/arch/x86/boot/bzImage
		[ -f "$KIMG" ] || { echo "no arch/x86/boot/bzImage in $p (not a built kernel tree)" >&2; return 1; }
		KCONFIG=$p/.config KBUILD=$p
		KREL=$(cat "$p/include/config/kernel.release" 2>/dev/null) ||
			{ echo "no include/config/kernel.release in $p" >&2; return 1; }
		out=$VSND_CACHE/trees/$(echo "$p" | tr / _)
		KMODS=$out/lib/modules/$KREL
		# installed again when the bzImage, the config or a module changed
		[ "$(cat "$out/.stamp" 2>/dev/null)" = "$(kernel_tree_stamp "$p")" ] &&
			[ -z "$(find "$p" -name '*.ko' -newer "$out/.stamp" -print -quit)" ] &&
			return 0
		rm -rf "$out" && mkdir -p "$KMODS" || return 1
		if grep -q '^CONFIG_MODULES=y' "$KCONFIG"; then
			make -s -C "$p" INSTALL_MOD_PATH="$out" modules_install >&2 ||
				{ echo "make modules_install failed in $p" >&2; return 1; }
		else
			# Kbuild lists what is built in even without modules
			: > "$KMODS/modules.dep"
			cp "$p/modules.builtin" "$KMODS/" 2>/dev/null ||
				: > "$KMODS/modules.builtin"
		fi
		kernel_tree_stamp "$p" > "$out/.stamp"
	elif [ -f "$p" ]; then
		KIMG=$p
		KMODS=${KERNEL_MODULES:-}
		[ -f "$KMODS/modules.dep" ] ||
			{ echo "KERNEL=<bzImage> needs KERNEL_MODULES=<its /lib/modules/<release>> (with modules.dep)" >&2; return 2; }
		KMODS=$(readlink -f "$KMODS")
		KREL=$(basename "$KMODS")
		KCONFIG=$(ls "$KMODS/config" "$KMODS/build/.config" \
			"$(dirname "$p")/config-$KREL" 2>/dev/null | head -n 1)
		if [ -d "$KMODS/build" ]; then KBUILD=$KMODS/build; fi
	else
		echo "KERNEL=$1: no such kernel tree or image" >&2
		return 2
	fi
}

# kernel_tree_stamp <tree>: what says a built tree changed
kernel_tree_stamp() {
	stat -c '%s %Y' "$1/arch/x86/boot/bzImage" "$1/.config" "$1/modules.order" 2>/dev/null
	return 0
}

# kernel_builtin <module>: whether the kernel has <module> built in
kernel_builtin() {
	grep -q "/$1\.ko\$" "$KMODS/modules.builtin" 2>/dev/null
}

# kconfig_merge FRAGMENT...: the fragments as one, a later line for a
# symbol overriding an earlier one (what merge_config.sh applies)
kconfig_merge() {
	awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { s = $0; sub(/=.*/, "", s) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { s = $2 }
	/^CONFIG_[A-Za-z0-9_]+=|^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
		if (!(s in v)) o[n++] = s
		v[s] = $0
	}
	END { for (i = 0; i < n; i++) print v[o[i]] }' "$@"
}

# kconfig_tiny <src> <out> <fragment>: configure <src> into O=<out> the
# way the harness's own kernels are: tinyconfig, the fragment merged over
# it (merge_config.sh), olddefconfig.  Every line of the fragment must
# have survived; what did not is printed (status 1).
kconfig_tiny() {
	local src=$1 out=$2 frag bad
	frag=$(readlink -f "$3") || return 1
	make -s -C "$src" O="$out" tinyconfig &&
		(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O . \
			.config "$frag" > /dev/null) &&
		make -s -C "$src" O="$out" olddefconfig || return 1
	bad=$(kconfig_missing "$out/.config" "$frag")
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# kconfig_missing <.config> <fragment> [groups]: what of the fragment the
# .config lacks, one a line.  With [groups] (comma-separated; "-" for
# every section), the fragment's "# for: a,b" sections apply only where
# they name one of those groups or "all", and "=y" or "=m" is met by
# either (the harness loads the modules a kernel has).  Without, every
# line must be there as written (a fragment merged into a config that
# must have survived olddefconfig).
kconfig_missing() {
	awk -v groups="${3:-}" '
	BEGIN { need = 1 }
	FNR == NR {
		if (/^CONFIG_/) { k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v); have[k] = v }
		next
	}
	/^# for: / {
		need = groups == "" || groups == "-" || $3 == "all"
		n = split($3, a, ",")
		for (i = 1; i <= n; i++)
			if (index("," groups ",", "," a[i] ","))
				need = 1
		next
	}
	!need { next }
	/^CONFIG_[A-Za-z0-9_]+=/ {
		k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v)
		h = k in have ? have[k] : "not set"
		if (h == v || (groups != "" && v ~ /^[ym]$/ && h ~ /^[ym]$/))
			next
		# a number: at least that much
		if (groups != "" && v ~ /^[0-9]+$/ && h ~ /^[0-9]+$/ && h + 0 >= v + 0)
			next
		print k "=" v " (have: " h ")"
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ && ($2 in have) && have[$2] ~ /^[ym]$/ {
		print $2 " not set (have: " have[$2] ")"
	}' "$1" "$2"
}

# kernel_build_dir: the tree our module is built against for the kernel
# kernel_resolve chose (printed): the host's headers of that release
# (setup.sh installs them), else a prepared source tree (kernel_tree)
kernel_build_dir() {
	if [ -n "$KBUILD" ]; then
		echo "$KBUILD"
	elif [ -d "/lib/modules/$KREL/build" ]; then
		echo "/lib/modules/$KREL/build"
	elif [ -n "$KSUITE" ] && [ "$KSUITE" != bookworm ]; then
		kernel_tree
	else
		echo "no kernel headers for $KREL (run setup.sh)" >&2
		return 1
	fi
}

# kernel_source <suite>: the suite's linux-source, unpacked once per
# version in $VSND_CACHE/ktree/ (printed)
kernel_source() {
	local suite=$1 ver src
	[ -n "${KERNEL_LOCKED:-}" ] || { kernel_locked kernel_source "$@"; return; }
	ver=$(kapt "$suite" apt-cache depends linux-source 2>/dev/null |
		awk '/Depends: linux-source-[0-9]/ { print $NF; exit }')
	[ -n "$ver" ] || { echo "cannot resolve linux-source in $suite" >&2; return 1; }
	src=$VSND_CACHE/ktree/$ver-$(kapt "$suite" apt-cache show --no-all-versions "$ver" |
		awk '/^Version:/ { print $2 }')
	mkdir -p "$VSND_CACHE/ktree" "$VSND_CACHE/kernels"
	if [ ! -e "$src/.done" ]; then
		echo "kernel_source: unpacking $ver" >&2
		rm -rf "$src" "$src.deb" && mkdir -p "$src.deb" &&
			kapt_get "$suite" "$src.deb" "$ver" &&
			tar -xJf "$src.deb"/usr/src/"$ver".tar.xz -C "$src.deb" &&
			mv "$src.deb/$ver" "$src" && touch "$src/.done" ||
			{ rm -rf "$src" "$src.deb"; return 1; }
		rm -rf "$src.deb"
	fi
	echo "$src"
}

# kernel_tree: a kernel tree prepared for building modules for $KREL, in
# $VSND_CACHE/ktree/$KREL (printed).  Debian's headers of a newer suite
# need that suite's compiler (trixie: gcc-14), which the host lacks; the
# suite's linux-source, configured with the image's config (olddefconfig
# drops what only gcc-14 offers, none of which changes a structure),
# prepared with the host's gcc and the image's release, with the headers'
# Module.symvers, builds modules the image loads.  The source is unpacked
# once per version and shared by every flavour (O= trees).
kernel_tree() {
	local out=$VSND_CACHE/ktree/$KREL src hdr
	[ -e "$out/.done" ] && { echo "$out"; return 0; }
	[ -n "${KERNEL_LOCKED:-}" ] || { kernel_locked kernel_tree "$@"; return; }
	src=$(kernel_source "$KSUITE") || return 1
	echo "kernel_tree: preparing $out" >&2
	hdr=$(mktemp -d "$VSND_CACHE/kernels/.hdr.XXXXXX") || return 1
	rm -rf "$out" && mkdir -p "$out" &&
		cp "$KMODS/config" "$out/.config" &&
		make -s -C "$src" O="$out" olddefconfig >&2 &&
		make -s -C "$src" O="$out" KERNELRELEASE="$KREL" \
			-j"$(nproc)" modules_prepare >&2 &&
		kapt_get "$KSUITE" "$hdr" "linux-headers-$KREL" &&
		cp "$hdr/usr/src/linux-headers-$KREL/Module.symvers" "$out/" &&
		touch "$out/.done"
	local rc=$?
	rm -rf "$hdr"
	[ $rc = 0 ] || { rm -rf "$out"; return 1; }
	echo "$out"
}
