#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark probe (guest side): what one driver costs the guest while it
# streams in real time (-audiodev none), and how fast it probes.  Prints
# "# bench: KEY VALUE" lines for bench.sh on the host; a measurement the
# driver cannot make prints VALUE "fail".
#   play_cpu_permille / cap_cpu_permille   guest CPU busy, per mille of all CPUs
#   play5ms_*                              the same for playback with 5 ms periods
#   play_irqs / cap_irqs                   virtio sound interrupts per second
#   play_ctxt / cap_ctxt                   context switches per second
#   probe_ms                               insmod to card registered (median of 5)
#   module_bytes                           /proc/modules size of virtio_snd
. /vsnd/guest-lib.sh
SECS=${BENCH_SECS:-8}

# cpu_busy_total: "busy total" jiffies summed over all CPUs
cpu_busy_total() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i
		       print t - $5 - $6, t }' /proc/stat
}

# vsnd_irqs: interrupts of the virtio sound device so far
vsnd_irqs() {
	local name
	name=$(basename "$(virtio_snd_dev)")
	awk -v n="$name" 'index($0, n) { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
		END { print s + 0 }' /proc/interrupts
}

ctxt() { awk '/^ctxt/ { print $2 }' /proc/stat; }

# measure KIND CMD...: run CMD (SECS of audio), print the three rates
measure() {
	local kind=$1 b0 t0 b1 t1 i0 i1 c0 c1 rc
	shift
	set -- $(cpu_busy_total) "$@"
	b0=$1 t0=$2
	shift 2
	i0=$(vsnd_irqs) c0=$(ctxt)
	"$@" 2> /tmp/bench.err
	rc=$?
	set -- $(cpu_busy_total)
	b1=$1 t1=$2
	i1=$(vsnd_irqs) c1=$(ctxt)
	if [ $rc != 0 ] || grep -qiE 'underrun|overrun|error' /tmp/bench.err; then
		echo "# bench: ${kind}_cpu_permille fail"
		echo "# bench: ${kind}_irqs fail"
		echo "# bench: ${kind}_ctxt fail"
		sed 's/^/# bench-err: /' /tmp/bench.err | head -n 3
		return
	fi
	echo "# bench: ${kind}_cpu_permille $(( (b1 - b0) * 1000 / (t1 - t0) ))"
	echo "# bench: ${kind}_irqs $(( (i1 - i0) / SECS ))"
	echo "# bench: ${kind}_ctxt $(( (c1 - c0) / SECS ))"
}

# uptime_ms: /proc/uptime in ms (10 ms resolution)
uptime_ms() { awk '{ split($1, a, "."); print a[1] * 1000 + a[2] * 10 }' /proc/uptime; }

probe_ms() {
	local n=0 t0 t1 all=
	while [ $n -lt 5 ]; do
		rmmod virtio_snd || return 1
		t0=$(uptime_ms)
		insmod /vsnd/virtio_snd.ko || return 1
		wait_card 0 10 || return 1
		t1=$(uptime_ms)
		all="$all $((t1 - t0))"
		n=$((n + 1))
	done
	echo $all | tr ' ' '\n' | sort -n | sed -n 3p
}

wait_card 0 10 || { fail virtio_snd.bench.card "no card"; exit 0; }
pcm="-D hw:0,0 -q -t raw -f S16_LE -r 48000 -c 2 --period-time=20000 --buffer-time=80000"
measure play timeout $((SECS + 10)) aplay $pcm -d "$SECS" /dev/zero
measure cap timeout $((SECS + 10)) arecord $pcm -d "$SECS" /dev/null
# 5 ms periods: where the in-tree driver is known to fail; 30 ms, the
# smallest buffer ours offers (pcm_buffer_ms_min)
pcm="${pcm%% --period-time*} --period-time=5000 --buffer-time=30000"
measure play5ms timeout $((SECS + 10)) aplay $pcm -d "$SECS" /dev/zero
echo "# bench: module_bytes $(awk '$1 == "virtio_snd" { print $2 }' /proc/modules)"
p=$(probe_ms) || p=fail
echo "# bench: probe_ms $p"
ok virtio_snd.bench.measured
