#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One suspend/resume (pm_test devices) with streams in every state ALSA
# suspends, on the vhost-user test device (tests/events.conf): playback
# running, capture paused, a second playback prepared but not started, a
# second capture running (guest/pmstate.c: /vsnd/pmstate, or /host/pmstate).
# Each must end in SUSPENDED, recover as ALSA documents (resume -> ENOSYS
# -> prepare -> start) and move again; the device's violation log shows
# no stale stream state.  A jack remapping survives the device reset (the
# host sees JACK_REMAP again in the device's log), jack states are read
# again, and a new stream plays.
# virtio-9p has no freeze/restore: after the resume /host is gone, so
# everything needed later is in /tmp and the device is driven before.
. /vsnd/guest-lib.sh
identity pm_state
T=virtio_snd.pm_state
cd /tmp || exit 1

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"
if [ ! -w /sys/power/pm_test ] || ! grep -qw mem /sys/power/state; then
	fail "$T.suspend" "cannot run: no /sys/power/pm_test or no mem state"
	exit 0
fi
if ! cp /vsnd/pmstate /tmp/pmstate 2>/dev/null &&
   ! cp /host/pmstate /tmp/pmstate; then
	fail "$T.suspend" "cannot run: no /vsnd/pmstate (guest/Makefile) or /host/pmstate"
	exit 0
fi

R="iface=CARD,name=Front Mic 2 Jack Remap"
amixer -c "$card" cset "$R" 5,2 > /dev/null
vus jack 0 disconnect

set -- "0,0 play running" "0,0 cap paused" "1,0 play prepared" "1,0 cap running"
i=0
for c in "$@"; do
	set -- $c
	/tmp/pmstate "hw:$card,$1" "$2" "$3" "/tmp/ready$i" > "/tmp/pm$i.log" 2>&1 &
	eval "pid$i=\$!"
	i=$((i + 1))
done
n=0
while [ "$(ls /tmp/ready* 2>/dev/null | wc -l)" -lt 4 ] && [ $n -lt 100 ]; do
	usleep 100000
	n=$((n + 1))
done
sed 's/^/# /' "/proc/asound/card$card/virtio"

echo 0 > /sys/module/suspend/parameters/pm_test_delay 2>/dev/null
echo devices > /sys/power/pm_test
if echo mem > /sys/power/state; then
	ok "$T.suspend"
else
	fail "$T.suspend" "echo mem > /sys/power/state failed"
fi

# each needs about a second after the resume; a stuck one is shown, then
# killed, so that the run ends with the reason
n=0
while [ $n -lt 150 ]; do
	alive=0
	for p in $pid0 $pid1 $pid2 $pid3; do
		kill -0 "$p" 2>/dev/null && alive=1
	done
	[ $alive = 0 ] && break
	usleep 100000
	n=$((n + 1))
done
if [ $alive = 1 ]; then
	sed 's/^/# stuck: /' "/proc/asound/card$card/virtio"
	for p in $pid0 $pid1 $pid2 $pid3; do
		kill -0 "$p" 2>/dev/null || continue
		echo "# stuck: pid $p in $(cat /proc/$p/wchan 2>/dev/null)"
		sed 's/^/# stuck:   /' "/proc/$p/stack" 2>/dev/null
	done
	echo w > /proc/sysrq-trigger 2>/dev/null
	dmesg | tail -n 60 | sed 's/^/# dmesg: /'
	kill -9 $pid0 $pid1 $pid2 $pid3 2>/dev/null
fi
i=0
for c in "0,0 play running" "0,0 cap paused" "1,0 play prepared" "1,0 cap running"; do
	eval "wait \$pid$i"
	st=$?
	sed 's/^/# pmstate '"$c"': /' "/tmp/pm$i.log"
	name=$(echo "$c" | tr ' ,' '_')
	check "$T.recover.$name" "$(tail -n 1 "/tmp/pm$i.log")" [ $st = 0 ]
	i=$((i + 1))
done

v=$(amixer -c "$card" cget "$R" | sed -n 's/^  : values=//p')
check "$T.remap_kept" "remap control reads '$v'" [ "$v" = 5,2 ]
v=$(amixer -c "$card" cget "iface=CARD,name=Line Out Jack" | sed -n 's/^  : values=//p')
check "$T.jack_state" "Line Out Jack is '$v' (disconnected before the suspend)" [ "$v" = off ]
sed 's/^/# /' "/proc/asound/card$card/virtio"
timeout 10 aplay -q -D "hw:$card,0,0" -t raw -f S16_LE -r 48000 -c 2 -d 1 /dev/zero 2> /tmp/aplay.err
st=$?
check "$T.play_after" "aplay: $(tail -n 1 /tmp/aplay.err)" [ $st = 0 ]
dmesg | grep -i 'virtio_snd\|PM: ' | tail -n 20 | sed 's/^/# dmesg: /'
