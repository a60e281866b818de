# SPDX-License-Identifier: GPL-2.0
# Helpers for the harness's own guest scripts (busybox sh, sourced).
# Result lines follow the harness contract:
#   ok - NAME | not ok - NAME # REASON | ok - NAME # SKIP R | not ok - NAME # XFAIL R

card=${VSND_CARD:-0}
driver=${VSND_DRIVER:-ours}

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1 # $2"; }
check() { # check NAME REASON CMD...: ok if CMD succeeds
	local cn=$1 cr=$2
	shift 2
	if "$@"; then ok "$cn"; else fail "$cn" "$cr"; fi
}

# wait_card IDX [SECS]: wait until /proc/asound/cardIDX exists
wait_card() {
	local wi=0
	while [ ! -e "/proc/asound/card$1/id" ]; do
		wi=$((wi + 1))
		[ $wi -gt $((${2:-10} * 10)) ] && return 1
		usleep 100000
	done
}

# ended PID SECS: PID exits within SECS (killed otherwise); status in $st
ended() {
	local ei=0
	while kill -0 "$1" 2>/dev/null; do
		ei=$((ei + 1))
		[ $ei -gt $(($2 * 10)) ] && { kill -9 "$1"; wait "$1"; st=killed; return 1; }
		usleep 100000
	done
	wait "$1"
	st=$?
}

# virtio_snd_dev: sysfs path of the first virtio device with device id 25
virtio_snd_dev() {
	local d
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = 0x0019 ] && { echo "$d"; return 0; }
	done
	return 1
}

# identity GROUP: the module bound to the device is the module under test
# (GNU build id of the loaded module == the .ko's, srcversion when it has
# one, and the virtio device's driver link points at virtio_snd).
identity() {
	local n=virtio_snd.$1.module_identity want got note d drv
	want=$(cat /vsnd/buildid 2>/dev/null)
	note=/sys/module/virtio_snd/notes/.note.gnu.build-id
	if [ ! -e /sys/module/virtio_snd ]; then
		fail "$n" "virtio_snd is not loaded"
		return
	fi
	got=$(od -An -v -tx1 "$note" 2>/dev/null | tr -d ' \n')
	got=${got#????????????????????????????????}
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		fail "$n" "loaded build id '$got', module under test '$want'"
		return
	fi
	if [ -s /vsnd/srcversion ] &&
	   [ "$(cat /sys/module/virtio_snd/srcversion 2>/dev/null)" != "$(cat /vsnd/srcversion)" ]; then
		fail "$n" "srcversion differs from the module under test"
		return
	fi
	d=$(virtio_snd_dev) || { fail "$n" "no virtio sound device"; return; }
	drv=$(basename "$(readlink "$d/driver")")
	if [ "$drv" != virtio_snd ]; then
		fail "$n" "$(basename "$d") bound to '$drv'"
		return
	fi
	echo "# $driver module, build id $got, bound to $(basename "$d")"
	ok "$n"
}

# host_do TAG CMD...: have the host's relay for TAG (lib/qemu.sh guest_relay;
# "monitor" sends CMD to QEMU's monitor) run CMD, wait up to 30 s for its
# answer, print the answer's output as comments and return its status
# (124: no answer).
host_do() {
	local tag=$1 hf hi=0 hs
	shift
	# the sequence lives in a file: subshells share it
	hs=$(($(cat /tmp/.host_seq 2>/dev/null || echo 0) + 1))
	echo $hs > /tmp/.host_seq
	hf=/host/relay/$tag.$hs
	echo "# $tag: $hs $*"
	while [ ! -e "$hf" ]; do
		hi=$((hi + 1))
		[ $hi -gt 300 ] && return 124
		usleep 100000
	done
	sed -n '2,$s/^/#   /p' "$hf"
	return "$(head -n 1 "$hf")"
}

# vus CMD...: one command for the vhost-user test device (boot_vus,
# lib/vhost.sh): returns once the device has executed it (0), refused it
# (1, its error printed as a comment) or after 30 s without an answer (124)
vus() { host_do vus "$@"; }
