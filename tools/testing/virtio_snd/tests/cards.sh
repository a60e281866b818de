#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Several cards in one guest, one per virtio-sound-pci device.  /host/group
# names the results, /host/ncards how many devices there are, /host/mode:
#   exact   every card plays and records at once (lines "IDX FORMAT BYTES
#           FRAMES" in /host/combos: card IDX plays BYTES of
#           /host/sig/FORMAT.2 and records FRAMES frames into /host/rec/IDX,
#           48 kHz stereo); prints "# card IDX RC-PLAY RC-RECORD", the host
#           compares bit for bit (each device has its own host files)
#   unbind  real-time devices: every card plays and records, card 1's
#           device is unbound in the middle: its streams end with an error,
#           the others run to the end with every frame; card 1 comes back
#           after bind and plays
. /vsnd/guest-lib.sh
g=$(cat /host/group)
ncards=$(cat /host/ncards)
mode=$(cat /host/mode)
n=virtio_snd.$g
identity "$g"

i=0
bad=
while [ $i -lt "$ncards" ]; do
	if ! wait_card $i 10; then
		bad="card $i missing"
	elif [ ! -e /proc/asound/card$i/pcm0p/sub0 ] || [ ! -e /proc/asound/card$i/pcm0c/sub0 ]; then
		bad="card $i has no playback or no capture substream"
	fi
	i=$((i + 1))
done
[ -e /proc/asound/card$ncards ] && bad="more than $ncards cards"
if [ -n "$bad" ]; then
	fail $n.enum "$bad"
	exit 0
fi
ok $n.enum

if [ "$mode" = exact ]; then
	# the host's buffer: 80 ms, larger for a slow (debug) guest
	buf=$(cat /host/buffer_us 2>/dev/null || echo 80000)
	pids=
	while read -r idx fmt bytes frames; do
		# files in RAM, not on 9p (guest-lib.sh says why)
		head -c "$bytes" "/host/sig/$fmt.2" > /tmp/play$idx.raw
		timeout 30 aplay -q -D "hw:$idx,0" -t raw -f "$fmt" -r 48000 -c 2 \
			-F 10000 -B "$buf" /tmp/play$idx.raw 2> /tmp/ap$idx.err &
		pids="$pids $!"
		timeout 30 arecord -q -D "hw:$idx,0" -t raw -f "$fmt" -r 48000 -c 2 \
			-F 10000 -B "$buf" -s "$frames" /tmp/rec$idx.raw 2> /tmp/ar$idx.err &
		pids="$pids $!"
	done < /host/combos
	set -- $pids
	while read -r idx fmt bytes frames; do
		wait "$1"
		p=$?
		wait "$2"
		r=$?
		shift 2
		cp /tmp/rec$idx.raw "/host/rec/$idx"
		[ $p != 0 ] && sed 's/^/#   /' /tmp/ap$idx.err | head -n 3
		[ $r != 0 ] && sed 's/^/#   /' /tmp/ar$idx.err | head -n 3
		# arecord goes on after an overrun: the host must know
		if grep -q overrun /tmp/ar$idx.err; then
			echo "# xrun card $idx capture"
			grep overrun /tmp/ar$idx.err | sed 's/^/#   /' | head -n 3
		fi
		echo "# card $idx $p $r"
	done < /host/combos
	exit 0
fi

# unbind: 4 s streams on every card, card 1's device goes after 1.5 s
secs=4
bytes=$((secs * 48000 * 4))
i=0
while [ $i -lt "$ncards" ]; do
	timeout 30 aplay -q -D "hw:$i,0" -t raw -f S16_LE -r 48000 -c 2 -d $secs \
		/dev/zero 2> /tmp/ap$i.err &
	eval ap$i=$!
	timeout 30 arecord -q -D "hw:$i,0" -t raw -f S16_LE -r 48000 -c 2 -d $secs \
		/tmp/rec$i 2> /tmp/ar$i.err &
	eval ar$i=$!
	i=$((i + 1))
done
usleep 1500000
dev=$(readlink -f /sys/class/sound/card1/device)
vdev=$(basename "$dev")
if ! echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/unbind; then
	fail $n.unbind_one "unbind of $vdev failed"
	exit 0
fi
bad=
ended "$ap1" 5
[ "$st" = 0 ] || [ "$st" = killed ] && bad="card 1 aplay status $st after unbind"
ended "$ar1" 5
[ "$st" = 0 ] || [ "$st" = killed ] && bad="${bad:+$bad, }card 1 arecord status $st after unbind"
echo "# card 1 after unbind: $(head -n 1 /tmp/ap1.err); $(head -n 1 /tmp/ar1.err)"
i=0
while [ $i -lt "$ncards" ]; do
	if [ $i != 1 ]; then
		eval ended "\$ap$i" 15
		[ "$st" = 0 ] || bad="${bad:+$bad, }card $i aplay status $st"
		eval ended "\$ar$i" 15
		[ "$st" = 0 ] || bad="${bad:+$bad, }card $i arecord status $st"
		[ "$(wc -c < /tmp/rec$i)" = $bytes ] ||
			bad="${bad:+$bad, }card $i recorded $(wc -c < /tmp/rec$i) of $bytes bytes"
	fi
	i=$((i + 1))
done
[ -e /proc/asound/card1 ] && bad="${bad:+$bad, }card 1 still there after unbind"
if [ -n "$bad" ]; then fail $n.unbind_one "$bad"; else ok $n.unbind_one; fi

echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/bind
if ! wait_card 1 10; then
	fail $n.rebind "card 1 did not come back"
elif ! clean aplay -D hw:1,0 -d 1 /dev/zero; then
	fail $n.rebind "card 1 does not play after bind: $(tail -n 1 /tmp/clean.err)"
elif ! clean aplay -D hw:0,0 -d 1 /dev/zero; then
	fail $n.rebind "card 0 does not play after card 1's bind: $(tail -n 1 /tmp/clean.err)"
else
	ok $n.rebind
fi
