#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test device with a 50 ms audio tick (vhost-user-snd -t 50: a batch of
# completions per tick, as QEMU returns them): the application stops
# feeding (or reading) for a buffer plus 20 ms, three times per stream, and
# ALSA must be in XRUN by then each time (pcmtest stall).  The host counts,
# from the device's log, any starvation the stream ran through without a
# STOP (virtio_snd.glitch.hidden_glitches).  Before that, a RESET of a
# playing stream (pcmtest reset), whose audio the host checks.  10 periods of 10 ms: a buffer
# of two ticks, which both drivers offer.  Then the same starvation while
# the driver's report is held up (pcmtest late: busy loops on every CPU keep
# the kernel's workers off), the application writing (reading) a period in
# between: still an xrun, and the device never fed before the STOP.  Once
# through read/write (ALSA takes the position first), once through mmap
# (the commit alone tells the driver: .ack).
. /vsnd/guest-lib.sh
identity glitch
T=virtio_snd.glitch

# pcmtest_case NAME ARGS...: pcmtest ARGS, its notes, NAME ok unless it failed
pcmtest_case() {
	name=$1
	shift
	/vsnd/pcmtest "$@" > /tmp/pcmtest.out 2>&1
	rc=$?
	sed -n 's/^# /#   /p' /tmp/pcmtest.out
	if [ $rc = 0 ]; then
		ok "$name"
	else
		fail "$name" "$(sed -n 's/^\(FAIL\|SKIP\): //p' /tmp/pcmtest.out | tail -n 1) (exit $rc)"
	fi
}

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
# RESET while playing, first, so that the device's stream0.raw starts with
# it: the host checks that audio (virtio_snd.glitch.reset_audio)
pcmtest_case "$T.reset" reset -D "hw:$card,0" -p 10000 -n 16
for d in play cap; do
	n=$T.stall_$d
	/vsnd/pcmtest stall -D "hw:$card,0" -s $d -p 10000 -n 10 -k 3 -H 150 > /tmp/stall 2>&1
	rc=$?
	sed -n 's/^# /#   /p' /tmp/stall
	case $rc in
	0) ok "$n" ;;
	4) r=$(sed -n 's/^SKIP: //p' /tmp/stall | tail -n 1)
	   if [ "$driver" = intree ]; then echo "ok - $n # SKIP $r"; else fail "$n" "$r"; fi ;;
	*) fail "$n" "$(sed -n 's/^FAIL: //p' /tmp/stall | tail -n 1) (exit $rc)" ;;
	esac
done
for t in play cap play_mmap cap_mmap; do
	d=${t%_mmap}
	m=
	[ "$d" = "$t" ] || m=-M
	pcmtest_case "$T.late_$t" late -D "hw:$card,0" -s $d $m -p 20000 -n 4 -K 50
done
