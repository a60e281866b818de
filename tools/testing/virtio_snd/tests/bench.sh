#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark probe (guest side): what one driver costs the guest while it
# streams in real time (-audiodev none), and how fast it probes.  Prints
# "# bench: KEY VALUE" lines for bench.sh on the host; a measurement the
# driver cannot make prints VALUE "fail".  For each CASE (play20, cap20,
# play10, play5, play2: aplay or arecord, direction and period in ms;
# tsched10: a timer-driven client, pcmtest sleeping a quarter period
# between transfers, with period wakeups off where the driver allows it
# (its lat_* are "none" when no period is reported at all);
# each with idle guest CPUs and with two busy loops, suffix _hog):
#   CASE_cpu        guest CPU busy, per mille of all CPUs
#   CASE_ctxt       context switches per period
#   CASE_timer      local timer interrupts per period (the hrtimers and
#                   ticks the stream costs, all CPUs)
#   CASE_lat_p50 / CASE_lat_p99   microseconds from a tx/rx interrupt to
#                   the period report (kprobes on
#                   snd_pcm_period_elapsed_under_stream_lock(): ours calls
#                   it, the in-tree driver through snd_pcm_period_elapsed())
# and probe_ms (insmod to card registered, median of 5), module_bytes,
# delay10_dev_p50 / _p99 and delay10_ptr_p50 / _p99: how far the position
# given by snd_pcm_delay(), and the pointer alone, stray from a straight
# line, in ms (pcmtest delay, 10 ms periods, 2 s; QEMU's own completions
# wander by a few ms, so this is no finer than QEMU's audio timer).
. /vsnd/guest-lib.sh
SECS=${BENCH_SECS:-4}
T=/sys/kernel/tracing

# cpu_busy_total: "busy total" jiffies summed over all CPUs
cpu_busy_total() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i
		       print t - $5 - $6, t }' /proc/stat
}

ctxt() { awk '/^ctxt/ { print $2 }' /proc/stat; }
timer_irqs() { awk '$1 == "LOC:" { for (i = 2; $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts; }

# kprobes on both drivers' tx/rx callbacks (same names in tree and here)
# and on ALSA's period report; "fail" latencies without tracefs
trace_setup() {
	[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
	echo 0 > $T/tracing_on 2>/dev/null || return 1
	echo > $T/kprobe_events
	echo 'p:vsnd/irq virtsnd_pcm_tx_notify_cb' >> $T/kprobe_events &&
	echo 'p:vsnd/irq2 virtsnd_pcm_rx_notify_cb' >> $T/kprobe_events &&
	echo 'p:vsnd/elapsed snd_pcm_period_elapsed_under_stream_lock' >> $T/kprobe_events &&
	echo 4096 > $T/buffer_size_kb &&
	echo 1 > $T/events/vsnd/enable
}

# latency: p50 and p99 (us) from the trace: each period_elapsed is timed
# from the oldest interrupt not yet followed by a report, or, when it came
# without a new interrupt (a report held back), from the last interrupt
latency() {
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0; break } }
	     / irq2?: / { if (!pend) first = t; pend = 1; last = t; next }
	     / elapsed: / { if (!last) next
			   d = (pend ? t - first : t - last) * 1e6; pend = 0
			   print int(d) }' $T/trace | sort -n |
	awk -v irqs="$(grep -c ' irq2\?: ' $T/trace)" '{ v[NR] = $1 }
	     END { if (!NR) { print (irqs ? "none none" : "fail fail"); exit }
		p = int(NR * 0.99); if (p < 1) p = 1
		print v[int((NR + 1) / 2)], v[p] }'
}

# measure CASE PERIOD_MS CMD...: run CMD (SECS of audio), print the rates
measure() {
	local kind=$1 per=$2 b0 t0 b1 t1 l0 l1 c0 c1 rc periods lat
	shift 2
	periods=$((SECS * 1000 / per))
	[ -n "$tracing" ] && { echo > $T/trace; echo 1 > $T/tracing_on; }
	set -- $(cpu_busy_total) "$@"
	b0=$1 t0=$2
	shift 2
	l0=$(timer_irqs) c0=$(ctxt)
	"$@" 2> /tmp/bench.err
	rc=$?
	set -- $(cpu_busy_total)
	b1=$1 t1=$2
	l1=$(timer_irqs) c1=$(ctxt)
	[ -n "$tracing" ] && echo 0 > $T/tracing_on
	if [ $rc != 0 ] || grep -qiE 'underrun|overrun|error' /tmp/bench.err; then
		for k in cpu ctxt timer lat_p50 lat_p99; do
			echo "# bench: ${kind}_$k fail"
		done
		sed 's/^/# bench-err: /' /tmp/bench.err | head -n 3
		return
	fi
	lat="fail fail"
	[ -n "$tracing" ] && lat=$(latency)
	echo "# bench: ${kind}_cpu $(( (b1 - b0) * 1000 / (t1 - t0) ))"
	awk -v c=$((c1 - c0)) -v l=$((l1 - l0)) -v p=$periods -v k="$kind" \
		'BEGIN { printf "# bench: %s_ctxt %.2f\n# bench: %s_timer %.2f\n", k, c / p, k, l / p }'
	set -- $lat
	echo "# bench: ${kind}_lat_p50 $1"
	echo "# bench: ${kind}_lat_p99 $2"
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

# cases SUFFIX: every stream case once; 30 ms buffers for the short
# periods (the smallest ours offers), where the in-tree driver stalls
cases() {
	local pcm="-D hw:0,0 -q -t raw -f S16_LE -r 48000 -c 2" s=$((SECS + 10))
	measure "play20$1" 20 timeout $s aplay $pcm -F 20000 -B 80000 -d "$SECS" /dev/zero
	measure "cap20$1" 20 timeout $s arecord $pcm -F 20000 -B 80000 -d "$SECS" /dev/null
	measure "play10$1" 10 timeout $s aplay $pcm -F 10000 -B 30000 -d "$SECS" /dev/zero
	measure "play5$1" 5 timeout $s aplay $pcm -F 5000 -B 30000 -d "$SECS" /dev/zero
	measure "play2$1" 2 timeout $s aplay $pcm -F 2000 -B 30000 -d "$SECS" /dev/zero
	measure "tsched10$1" 10 timeout $s /vsnd/pcmtest stream -D hw:0,0 -s play \
		-T $nowake -p 10000 -n 3 -t "$SECS"
}

# delay_error: the straight-line residuals pcmtest delay notes (it fails
# for a driver whose delay stands still, after noting them)
delay_error() {
	timeout 20 /vsnd/pcmtest delay -D hw:0,0 -s play -p 10000 -n 16 -t 2 > /tmp/delay 2>&1
	awk '/off a straight line/ {
		k = /by the delay/ ? "dev" : "ptr"
		for (i = 1; i <= NF; i++) {
			if ($i == "p50") p50 = $(i + 1)
			if ($i == "p99") p99 = $(i + 1)
		}
		printf "# bench: delay10_%s_p50 %s\n# bench: delay10_%s_p99 %s\n", k, p50, k, p99
		n++
	}
	END { if (n != 2) print "# bench: delay10_dev_p50 fail" }' /tmp/delay
}

wait_card 0 10 || { fail virtio_snd.bench.card "no card"; exit 0; }
tracing=
trace_setup && tracing=1 || echo "# bench: no kprobes, latencies not measured"
nowake=
/vsnd/pcmtest stream -D hw:0,0 -s play -w -p 10000 -n 3 -t 0.2 > /dev/null 2>&1 && nowake=-w
echo "# tsched10: period wakeups ${nowake:+off}${nowake:-on (the driver cannot disable them)}"
cases ""
sh -c 'while :; do :; done' & h1=$!
sh -c 'while :; do :; done' & h2=$!
cases _hog
kill $h1 $h2
delay_error
# the probes on the module's functions go before it is unloaded
[ -n "$tracing" ] && { echo 0 > $T/events/vsnd/enable; echo > $T/kprobe_events; }
echo "# bench: module_bytes $(awk '$1 == "virtio_snd" { print $2 }' /proc/modules)"
p=$(probe_ms) || p=fail
echo "# bench: probe_ms $p"
ok virtio_snd.bench.measured
