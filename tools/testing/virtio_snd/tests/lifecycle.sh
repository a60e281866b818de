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
# stream_bg: 5 s of playback in the background, pid in $bg
stream_bg() {
	timeout 30 aplay -q -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 -d 5 /dev/zero 2>/dev/null &
	bg=$!
	sleep 1
}
# reaped PID SECS: PID ended within SECS
reaped() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		usleep 100000
	done
	wait "$1" 2>/dev/null
	return 0
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

# rmmod while a stream runs: the open PCM pins the module (rmmod refuses)
# or the module goes and the stream ends with an error; never a hang.
n=virtio_snd.lifecycle.rmmod_streaming
stream_bg
if rmmod virtio_snd 2>/dev/null; then
	echo "# rmmod succeeded while streaming"
	reaped $bg 10 || fail "$n" "aplay still running 10 s after rmmod"
else
	echo "# rmmod refused while streaming (module in use)"
	reaped $bg 15 || fail "$n" "aplay did not finish"
	rmmod virtio_snd || fail "$n" "rmmod fails after the stream ended"
fi
insmod /vsnd/virtio_snd.ko
works "$n"

n=virtio_snd.lifecycle.unbind_streaming
stream_bg
if ! unbind; then
	fail "$n" "unbind failed"
else
	if reaped $bg 10; then
		bind && works "$n" || fail "$n" "bind failed"
	else
		fail "$n" "aplay still running 10 s after unbind"
		kill -9 $bg
		bind
	fi
fi

n=virtio_snd.lifecycle.unbind_capturing
timeout 30 arecord -q -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 -d 5 /dev/null 2>/dev/null &
bg=$!
sleep 1
if ! unbind; then
	fail "$n" "unbind failed"
elif reaped $bg 10; then
	bind && works "$n" || fail "$n" "bind failed"
else
	fail "$n" "arecord still running 10 s after unbind"
	kill -9 $bg
	bind
fi
