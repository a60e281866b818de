#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmix and dsnoop, two clients each, on the test device's real-time clock
# (group "vhost", lib/vhost.sh), with a slave of 10 ms periods (what
# "default" opens on a card without a config of its own is dmix and dsnoop
# too, with other periods).  Their slave streams run on their own (stop
# threshold and silence size at the boundary), fed by the device's
# position.  Playback: one client plays the test signal while another,
# started first and ending last, plays silence; the device must receive
# silence, the signal bit for bit, silence.  Capture: a second client
# records while the first does; each recording must be a run of the
# device's capture pattern without a gap or a repeat.  The host checks
# both (/host/rec, the device's stream0.raw).
. /vsnd/guest-lib.sh
identity dmix
T=virtio_snd.dmix
cd /tmp || exit 1

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
mkdir -p /tmp/dmix
for p in dmix dsnoop; do
	echo "pcm.v$p { type $p; ipc_key $((4242 + ${#p})); slave { pcm \"hw:$card,0\"; format S16_LE; rate 48000; channels 2; period_time 10000; buffer_time 80000 } }"
done > /tmp/dmix/.asoundrc
cp /host/sig.raw /tmp/sig.raw

# client NAME TOOL ARGS...: run one client in the background ($! its pid),
# its messages in /tmp/NAME.err
client() {
	local name=$1 tool=$2
	shift 2
	HOME=/tmp/dmix timeout 20 "$tool" -q -t raw -f S16_LE -r 48000 -c 2 "$@" \
		2> "/tmp/$name.err" &
}

# running p|c PID: within 5 s, the slave stream runs, and client PID with it
running() {
	local i=0
	until [ -n "$(hw_ptr "$card" "$1")" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		usleep 100000
	done
	kill -0 "$2" 2> /dev/null
}

# verdict NAME PID [WHY]: NAME ok if client PID exited 0, reported no xrun
# and WHY (the clients did not overlap) is empty
verdict() {
	ended "$2" 25
	if [ "$st" != 0 ]; then
		fail "$T.$1" "exit status $st: $(tail -n 1 "/tmp/$1.err")"
	elif grep -qE 'underrun|overrun' "/tmp/$1.err"; then
		fail "$T.$1" "$(grep -m1 -E 'underrun|overrun' "/tmp/$1.err")"
	elif [ -n "${3:-}" ]; then
		fail "$T.$1" "$3"
	else
		ok "$T.$1"
	fi
}

# the second client joins a running slave and ends first
apart=
client play_silence aplay -D vdmix -d 3 /dev/zero
first=$!
running p $first || apart="the slave was not running 5 s after the first client started"
usleep 500000
client play_signal aplay -D vdmix /tmp/sig.raw
verdict play_signal $!
kill -0 $first 2> /dev/null || apart=${apart:-"it ended before the second client"}
verdict play_silence $first "$apart"

apart=
client record0 arecord -D vdsnoop -d 2 /tmp/rec0.raw
first=$!
running c $first || apart="the slave was not running 5 s after the first client started"
usleep 300000
client record1 arecord -D vdsnoop -d 1 /tmp/rec1.raw
verdict record1 $!
kill -0 $first 2> /dev/null || apart=${apart:-"it ended before the second client"}
verdict record0 $first "$apart"
cp /tmp/rec0.raw /tmp/rec1.raw /host/rec/
