#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmix and dsnoop, two clients each, on the test device's real-time clock
# (group "vhost", lib/vhost.sh): ALSA's "default" on a card without a
# config of its own.  Their slave streams run on their own (stop threshold
# and silence size at the boundary), fed by the device's position.
# Playback: one client plays the test signal while another plays silence
# around it; the device must receive silence, the signal bit for bit,
# silence.  Capture: two clients record at once; each recording must be a
# run of the device's capture pattern without a gap or a repeat.  The host
# checks both (/host/rec, the device's stream0.raw).
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
	name=$1 tool=$2
	shift 2
	HOME=/tmp/dmix timeout 20 "$tool" -q -t raw -f S16_LE -r 48000 -c 2 "$@" \
		2> "/tmp/$name.err" &
}

# verdict NAME PID: NAME ok if client PID exited 0 and reported no xrun
verdict() {
	ended "$2" 25
	if [ "$st" != 0 ]; then
		fail "$T.$1" "exit status $st: $(tail -n 1 "/tmp/$1.err")"
	elif grep -qE 'underrun|overrun' "/tmp/$1.err"; then
		fail "$T.$1" "$(grep -m1 -E 'underrun|overrun' "/tmp/$1.err")"
	else
		ok "$T.$1"
	fi
}

client play_silence aplay -D vdmix -d 3 /dev/zero
quiet=$!
usleep 500000
client play_signal aplay -D vdmix /tmp/sig.raw
verdict play_signal $!
verdict play_silence $quiet

client record0 arecord -D vdsnoop -d 2 /tmp/rec0.raw
first=$!
usleep 300000
client record1 arecord -D vdsnoop -d 1 /tmp/rec1.raw
verdict record1 $!
verdict record0 $first
cp /tmp/rec0.raw /tmp/rec1.raw /host/rec/
