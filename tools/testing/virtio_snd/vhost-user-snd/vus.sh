# SPDX-License-Identifier: GPL-2.0
# Helpers to run vhost-user-snd next to a QEMU guest (sourced, not run).
#
#   vus_build                      build the back-end (into $VSND_CACHE)
#   vus_start DIR [CONFIG] [ARGS]  start it on DIR/vus.sock, outputs in DIR
#                                  (streamN.raw, violations.log, backend.log),
#                                  event/fault FIFO DIR/vus.fifo; sets VUS_PID
#                                  and the array VUS_QEMU_ARGS (add them, plus
#                                  shared guest RAM, to the QEMU command line)
#   vus_send DIR COMMAND...        write one FIFO command (README.md)
#   vus_stop DIR                   wait for the back-end to exit after QEMU
#                                  (kill it after 5 s); status 0 if the
#                                  violation log is empty, 1 (and the log on
#                                  stderr) if not, 2 if it never ran
#
# Extra QEMU device options (e.g. ",controls=on") go in $VUS_DEVOPTS.

VUS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VUS_BIN=${VSND_CACHE:-/var/cache/virtio-snd}/vhost-user-snd/vhost-user-snd

vus_build() {
	make -s -C "$VUS_SRC" O="$(dirname "$VUS_BIN")"
}

vus_start() {
	local dir=$1 config=${2:-} i
	shift 2 2>/dev/null || shift $#
	mkdir -p "$dir"
	rm -f "$dir/vus.sock"
	"$VUS_BIN" -s "$dir/vus.sock" -o "$dir" -e "$dir/vus.fifo" \
		${config:+-c "$config"} "$@" 2> "$dir/backend.log" &
	VUS_PID=$!
	for i in $(seq 100); do
		[ -S "$dir/vus.sock" ] && break
		kill -0 "$VUS_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$dir/vus.sock" ]; then
		echo "vus_start: back-end did not come up:" >&2
		cat "$dir/backend.log" >&2
		return 1
	fi
	VUS_QEMU_ARGS=(-chardev "socket,id=vus,path=$dir/vus.sock"
		       -device "vhost-user-snd-pci,chardev=vus${VUS_DEVOPTS:-}")
}

vus_send() {
	local dir=$1
	shift
	echo "$*" > "$dir/vus.fifo"
}

vus_stop() {
	local dir=$1 i
	for i in $(seq 50); do
		kill -0 "$VUS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$VUS_PID" 2>/dev/null
	wait "$VUS_PID" 2>/dev/null
	[ -e "$dir/violations.log" ] || return 2
	if [ -s "$dir/violations.log" ]; then
		echo "vhost-user-snd: spec violations by the driver:" >&2
		cat "$dir/violations.log" >&2
		return 1
	fi
	return 0
}
