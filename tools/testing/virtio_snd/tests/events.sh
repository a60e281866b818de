#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Device events and the state dump, against the vhost-user test device
# (tests/events.conf): /proc/asound/cardN/virtio lists every stream; an
# injected PCM_XRUN stops a running stream with XRUN and aplay recovers; a
# real xrun (EVT_XRUNS stream starved) is counted; unknown codes and
# out-of-range ids are counted and ignored; PERIOD_ELAPSED changes nothing;
# jack events change the jack controls.
. /vsnd/guest-lib.sh
identity events
T=virtio_snd.events
D=/proc/asound/card$card/virtio

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"

# stat WORD: the number after WORD in the dump lines on stdin
stat() { tr ' ' '\n' | grep -A1 -x "$1" | tail -n 1; }

if [ ! -r "$D" ]; then
	fail "$T.dump" "no $D"
	exit 0
fi
sed 's/^/# /' "$D"
n=$(grep -c '^stream ' "$D")
check "$T.dump" "dump lists $n streams, want 4" [ "$n" = 4 ]

# --- xrun injected while stream 2 (device 1, EVT_XRUNS) plays ---------------
timeout 20 aplay -D "hw:$card,1,0" -t raw -f S16_LE -r 48000 -c 2 \
	--buffer-time=200000 --period-time=50000 -d 4 /dev/zero 2> /tmp/aplay.err &
pid=$!
sleep 1.5
grep -A3 '^stream 2' "$D" | sed 's/^/# /'
vus xrun 2
sleep 1
vus period 2
wait $pid
st=$?
sed 's/^/# aplay: /' /tmp/aplay.err
check "$T.xrun.aplay_recovers" "aplay exit $st" [ $st = 0 ]
check "$T.xrun.alsa_xrun" "aplay saw no xrun" grep -q underrun /tmp/aplay.err
x=$(grep -A3 '^stream 2' "$D" | stat device_xruns)
check "$T.xrun.counted" "device_xruns $x" [ "${x:-0}" -ge 1 ]
pe=$(grep ^events: "$D" | stat pcm_period_elapsed)
check "$T.period_elapsed.counted" "pcm_period_elapsed $pe" [ "$pe" = 1 ]
s=$(grep '^stream 2' "$D" | sed 's/.*state //')
check "$T.xrun.released" "stream 2 is $s after aplay" [ "$s" = RELEASED ]

# --- unknown codes and out-of-range ids: counted, ignored -------------------
vus event 0x7777 0 3
vus event 0x1101 99
vus event 0x1000 42
sleep 0.5
u=$(grep ^events: "$D" | stat unknown)
b=$(grep ^events: "$D" | stat bad_id)
check "$T.unknown_code" "unknown $u, want 3" [ "$u" = 3 ]
check "$T.bad_id" "bad_id $b, want 2" [ "$b" = 2 ]

# --- jacks: HDA names, remap control, events --------------------------------
# (amixer lists them sorted)
amixer -c "$card" controls | sed -n "s/.*iface=CARD,name='\(.* Jack\)'.*/\1/p" |
	tr '\n' , > /tmp/jacks
want="Dock Headphone Jack,Front Mic 2 Jack,Front Mic Jack,Line Out Jack,Speaker Jack,"
check "$T.jack.names" "got '$(cat /tmp/jacks)'" [ "$(cat /tmp/jacks)" = "$want" ]
r=$(amixer -c "$card" controls | grep -c 'Jack Remap')
check "$T.jack.remap_controls" "$r remap controls, want 1" [ "$r" = 1 ]
R="iface=CARD,name=Front Mic 2 Jack Remap"
rv() { amixer -c "$card" cget "$R" | sed -n 's/^  : values=//p'; }
check "$T.jack.remap_initial" "'$(rv)', want 3,1" [ "$(rv)" = 3,1 ]
amixer -c "$card" cset "$R" 5,2 > /dev/null
check "$T.jack.remap_set" "'$(rv)', want 5,2" [ "$(rv)" = 5,2 ]
amixer -c "$card" cset "$R" 3,1 > /dev/null
check "$T.jack.remap_back" "'$(rv)', want 3,1" [ "$(rv)" = 3,1 ]
jname="Front Mic Jack"
vus jack 1 connect
sleep 0.5
v=$(amixer -c "$card" cget "iface=CARD,name=$jname" | sed -n 's/^  : values=//p')
check "$T.jack.connect" "'$jname' is '$v'" [ "$v" = on ]
vus jack 1 disconnect
sleep 0.5
v=$(amixer -c "$card" cget "iface=CARD,name=$jname" | sed -n 's/^  : values=//p')
check "$T.jack.disconnect" "'$jname' is '$v'" [ "$v" = off ]

sed 's/^/# /' "$D"
# the playback still works after all this
clean aplay -D "hw:$card,1,0" -d 1 /dev/zero
st=$?
check "$T.play_after" "$(tail -n 1 /tmp/clean.err)" [ $st = 0 ]
