#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Lifecycle: rmmod/insmod and unbind/bind, idle and while streaming; after
# each, the card must come back and play (real-time device: -audiodev none).
. /vsnd/guest-lib.sh
identity lifecycle
head -c 38400 /dev/urandom > /tmp/tone	# 0.2 s S16_LE 48 kHz stereo

works() { # works NAME: card 0 is back, plays and records without an xrun
	if ! wait_card 0 10; then fail "$1" "card did not come back"; return; fi
	if ! clean aplay -D hw:0,0 /tmp/tone; then
		fail "$1" "playback fails afterwards: $(tail -n 1 /tmp/clean.err)"; return
	fi
	if ! clean arecord -D hw:0,0 -s 4800 /tmp/rec ||
	   [ "$(wc -c < /tmp/rec)" != 19200 ]; then
		fail "$1" "capture fails afterwards: $(tail -n 1 /tmp/clean.err)"; return
	fi
	ok "$1"
}
# stream_bg aplay|arecord: a 20 s stream in the background, pid in $bg:
# far longer than a removal may take to end it.  Fails (killing it) if it
# is not RUNNING within 5 s: a removal must find it running, not opening.
stream_bg() {
	if [ "$1" = aplay ]; then
		timeout 30 aplay -q -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 -d 20 /dev/zero 2>/dev/null &
	else
		timeout 30 arecord -q -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 -d 20 /dev/null 2>/dev/null &
	fi
	bg=$!
	si=0
	while [ -z "$(hw_ptr 0 "$([ "$1" = aplay ] && echo p || echo c)")" ]; do
		si=$((si + 1))
		if [ $si -gt 50 ]; then
			kill -9 $bg
			wait $bg
			return 1
		fi
		usleep 100000
	done
	sleep 1
}
# interrupted WHAT: the removal (WHAT) ended the stream $bg with an error
# within 5 s and took card 0 away; $why says what went wrong
interrupted() {
	why=
	if ! ended "$bg" 5; then
		why="the stream still ran 5 s after $1"
	elif [ "$st" = 0 ]; then
		why="the stream ended without an error after $1"
	elif [ -e /proc/asound/card0 ]; then
		why="card 0 stays after $1"
	fi
	[ -z "$why" ]
}
unbind() { echo "$(basename "$dev")" > /sys/bus/virtio/drivers/virtio_snd/unbind; }
bind() { echo "$(basename "$dev")" > /sys/bus/virtio/drivers/virtio_snd/bind; }

dev=$(virtio_snd_dev)
good=1
for round in 1 2 3; do
	rmmod virtio_snd || { fail virtio_snd.lifecycle.rmmod_idle "rmmod failed"; good=0; break; }
	[ -e /proc/asound/card0 ] && { fail virtio_snd.lifecycle.rmmod_idle "card stays after rmmod"; good=0; break; }
	insmod /vsnd/virtio_snd.ko || { fail virtio_snd.lifecycle.rmmod_idle "insmod failed"; good=0; break; }
done
[ $good = 1 ] && works virtio_snd.lifecycle.rmmod_idle

good=1
for round in 1 2 3; do
	unbind || { fail virtio_snd.lifecycle.unbind_idle "unbind failed"; good=0; break; }
	[ -e /proc/asound/card0 ] && { fail virtio_snd.lifecycle.unbind_idle "card stays after unbind"; good=0; break; }
	bind || { fail virtio_snd.lifecycle.unbind_idle "bind failed"; good=0; break; }
done
[ $good = 1 ] && works virtio_snd.lifecycle.unbind_idle

# rmmod while a stream runs: the open PCM pins the module (rmmod refuses,
# and works once the stream is stopped), or the module goes and the
# stream ends with an error at once; never a hang.
n=virtio_snd.lifecycle.rmmod_streaming
why=
if ! stream_bg aplay; then
	why="the stream did not start"
elif rmmod virtio_snd 2>/dev/null; then
	echo "# rmmod succeeded while streaming"
	interrupted rmmod
else
	echo "# rmmod refused while streaming (module in use)"
	kill -INT $bg
	if ! ended $bg 5; then
		why="aplay did not stop on SIGINT"
	elif ! rmmod virtio_snd; then
		why="rmmod fails after the stream ended"
	fi
fi
[ -e /sys/module/virtio_snd ] || insmod /vsnd/virtio_snd.ko
if [ -n "$why" ]; then fail "$n" "$why"; else works "$n"; fi

# unbind while a stream runs: the stream ends with an error at once
for tool in aplay arecord; do
	n=virtio_snd.lifecycle.unbind_streaming
	[ $tool = arecord ] && n=virtio_snd.lifecycle.unbind_capturing
	if ! stream_bg $tool; then
		fail "$n" "the stream did not start"
		continue
	fi
	if ! unbind; then
		fail "$n" "unbind failed"
		kill -9 $bg
		continue
	fi
	if interrupted unbind; then
		bind && works "$n" || fail "$n" "bind failed"
	else
		fail "$n" "$why"
		bind
	fi
done
