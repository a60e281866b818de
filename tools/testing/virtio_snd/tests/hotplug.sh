#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PCI hot-unplug while streaming: the device "snd1" sits on a hotpluggable
# root port "rp1" (real-time -audiodev none "n").  Each cycle starts a
# playback and a capture, removes the device through QEMU's monitor
# (device_del: the guest ejects it), then plugs a new one in (device_add).
# Both streams must end with an error, soon, and the new card must play and
# record.  Leaks (kmemleak, debug kernel) and kernel warnings: the host's
# kernel log check.  /host/cycles: how many cycles.
. /vsnd/guest-lib.sh
identity hotplug
cycles=$(cat /host/cycles 2>/dev/null || echo 10)
add="virtio-sound-pci,id=snd1,bus=rp1,audiodev=n,streams=2"

# the_card: index of the one sound card (there is no other device)
the_card() {
	local c
	for c in /proc/asound/card[0-9]*; do
		[ -e "$c/id" ] && { echo "${c#/proc/asound/card}"; return 0; }
	done
	return 1
}
# gone PATH SECS: PATH disappears within SECS
gone() {
	local gi=0
	while [ -e "$1" ]; do
		gi=$((gi + 1))
		[ $gi -gt $(($2 * 10)) ] && return 1
		usleep 100000
	done
}

pcidev=
bad_unplug_p= bad_unplug_c= bad_replug= bad_remove=
done_cycles=0
c=0
while [ $c -lt "$cycles" ]; do
	c=$((c + 1))
	card=$(the_card) || { bad_replug="cycle $c: no card"; break; }
	[ "$(ls -d /proc/asound/card[0-9]* | wc -l)" = 1 ] ||
		{ bad_replug="cycle $c: $(ls -d /proc/asound/card[0-9]* | wc -l) cards"; break; }
	pcidev=$(readlink -f "$(virtio_snd_dev)/..")
	timeout 30 aplay -q -D "hw:$card,0" -t raw -f S16_LE -r 48000 -c 2 -d 10 \
		/dev/zero 2> /tmp/ap.err &
	ap=$!
	timeout 30 arecord -q -D "hw:$card,0" -t raw -f S16_LE -r 48000 -c 2 -d 10 \
		/tmp/rec 2> /tmp/ar.err &
	ar=$!
	moving "$card" 5 ||
		{ bad_unplug_p="cycle $c: the streams did not run at their rate"; break; }
	usleep $((c * 97000 % 500000))	# vary the point in the period
	if ! host_do monitor device_del snd1; then
		bad_remove="cycle $c: device_del failed"
		break
	fi
	if ! gone "/proc/asound/card$card" 10; then
		bad_remove="cycle $c: card $card still there 10 s after device_del"
		break
	fi
	ended $ap 10
	[ "$st" = 0 ] || [ "$st" = killed ] && bad_unplug_p="cycle $c: aplay status $st"
	[ "$st" = 0 ] && sed 's/^/#   /' /tmp/ap.err
	ended $ar 10
	[ "$st" = 0 ] || [ "$st" = killed ] && bad_unplug_c="cycle $c: arecord status $st"
	if [ $c = 1 ]; then
		echo "# aplay after unplug: $(head -n 1 /tmp/ap.err)"
		echo "# arecord after unplug: $(head -n 1 /tmp/ar.err)"
	fi
	if ! gone "$pcidev" 10; then
		bad_remove="cycle $c: PCI device $pcidev still there"
		break
	fi
	if ! host_do monitor device_add "$add"; then
		bad_replug="cycle $c: device_add failed"
		break
	fi
	i=0
	until card=$(the_card); do
		i=$((i + 1))
		[ $i -gt 100 ] && break
		usleep 100000
	done
	if [ -z "$card" ]; then
		bad_replug="cycle $c: no card 10 s after device_add"
		break
	fi
	head -c 19200 /dev/urandom > /tmp/tone
	if ! clean aplay -D "hw:$card,0" /tmp/tone; then
		bad_replug="cycle $c: the new card does not play: $(tail -n 1 /tmp/clean.err)"
		break
	fi
	if ! clean arecord -D "hw:$card,0" -s 4800 /tmp/rec ||
	   [ "$(wc -c < /tmp/rec)" != 19200 ]; then
		bad_replug="cycle $c: the new card records $(wc -c < /tmp/rec) of 19200 bytes: $(tail -n 1 /tmp/clean.err)"
		break
	fi
	done_cycles=$c
done

echo "# $done_cycles of $cycles unplug/replug cycles"
n=virtio_snd.hotplug
[ -z "$bad_remove" ] && [ $done_cycles = "$cycles" ] && ok $n.remove ||
	fail $n.remove "${bad_remove:-stopped after $done_cycles cycles}"
[ -z "$bad_unplug_p" ] && [ $done_cycles = "$cycles" ] && ok $n.playback_error ||
	fail $n.playback_error "${bad_unplug_p:-stopped after $done_cycles cycles}"
[ -z "$bad_unplug_c" ] && [ $done_cycles = "$cycles" ] && ok $n.capture_error ||
	fail $n.capture_error "${bad_unplug_c:-stopped after $done_cycles cycles}"
[ -z "$bad_replug" ] && [ $done_cycles = "$cycles" ] && ok $n.replug ||
	fail $n.replug "${bad_replug:-stopped after $done_cycles cycles}"
