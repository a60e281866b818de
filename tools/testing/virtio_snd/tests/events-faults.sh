#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A device whose JACK_INFO / CHMAP_INFO replies are broken (the [fault]s of
# tests/events-faults*.conf: short, garbage, no answer) still gives a card
# with its streams; what was rejected is logged, the state dump says why.
# $1: suffix of the result names (one boot per config).
. /vsnd/guest-lib.sh
identity "events_faults${1:-}"
T=virtio_snd.events_faults${1:-}
D=/proc/asound/card$card/virtio

if ! wait_card "$card" 20; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"
sed 's/^/# /' "$D"
dmesg | grep -i 'virtio_snd\|virtio[0-9]' | grep -iv 'module' | sed 's/^/# dmesg: /'
check "$T.streams" "no 4 streams in the dump" grep -q '^streams 4 ' "$D"
amixer -c "$card" controls | sed 's/^/# /'
clean aplay -D "hw:$card,0,0" -d 1 /dev/zero
st=$?
check "$T.play" "$(tail -n 1 /tmp/clean.err)" [ $st = 0 ]
