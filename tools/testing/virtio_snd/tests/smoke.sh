#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Smoke test (lib/suite.sh group_smoke): three cards; card 0 plays
# /host/play bit-exact (0.4 s in 50 ms periods of a 0.5 s buffer), cards 0
# and 1 record /host/capture; card 2 (real time) runs one pass of the
# state machine, then is unbound and bound, and must play again.
. /vsnd/guest-lib.sh
T=virtio_snd.smoke
identity smoke

# enumeration: each card has one playback and one capture substream
bad=
for i in 0 1 2; do
	if ! wait_card $i 10; then
		bad="card $i did not appear"
		break
	fi
	for s in p c; do
		[ -e "/proc/asound/card$i/pcm0$s/sub0/info" ] ||
			bad="${bad:-card $i has no pcm0$s substream}"
	done
done
if [ -z "$bad" ]; then ok $T.enum; else fail $T.enum "$bad"; fi

play_combos /host/play -F 50000 -B 500000
capture_combos /host/capture 0

VSND_CARD=2 VSND_STATE_PREFIX=$T.state \
	VSND_STATE_ONLY="playback_rw capture_rw pause_playback drain_playback xrun_playback" \
	/vsnd/state.sh

# unbind and bind card 2's device: the card goes, comes back, and plays
# 0.2 s in real time without an xrun
dev=$(readlink -f /sys/class/sound/card2/device)
drv=/sys/bus/virtio/drivers/virtio_snd
head -c 38400 /dev/urandom > /tmp/tone
if [ ! -e "$dev/driver" ]; then
	fail $T.unbind_bind "card 2 has no device with a driver"
elif ! echo "${dev##*/}" > $drv/unbind; then
	fail $T.unbind_bind "unbind failed"
elif [ -e /proc/asound/card2 ]; then
	fail $T.unbind_bind "card 2 stays after unbind"
elif ! echo "${dev##*/}" > $drv/bind; then
	fail $T.unbind_bind "bind failed"
elif ! wait_card 2 10; then
	fail $T.unbind_bind "card 2 did not come back"
elif ! timeout 20 aplay -q -D hw:2,0 -t raw -f S16_LE -r 48000 -c 2 /tmp/tone 2> /tmp/err; then
	fail $T.unbind_bind "playback fails afterwards: $(head -n 1 /tmp/err)"
elif grep -qE 'underrun|overrun' /tmp/err; then
	fail $T.unbind_bind "playback afterwards had an xrun"
else
	ok $T.unbind_bind
fi
