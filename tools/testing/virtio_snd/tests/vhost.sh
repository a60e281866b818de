#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vhost-user test device in its normal configuration (group "vhost",
# lib/vhost.sh): every stream, jack, chmap and control of tests/vhost.conf
# (as /host/expect lists them) is in ALSA with what the config says; one
# playback per output stream and one capture per input stream
# (/host/plan: the host checks them bit for bit); jack events from the
# device change the jack controls.
. /vsnd/guest-lib.sh
identity vhost
T=virtio_snd.vhost
C=/proc/asound/card$card

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"
amixer -c "$card" -i contents > /tmp/ctls 2>&1

# range MIN MAX: how aplay --dump-hw-params prints an interval
range() { if [ "$1" = "$2" ]; then echo "$1"; else echo "[$1 $2]"; fi; }

# --- audio: the host compares the device's files --------------------------
while read -r kind id dev sub f r c x; do
	if [ "$kind" = play ]; then
		aplay -q -D "hw:$card,$dev,$sub" -t raw -f "$f" -r "$r" -c "$c" "/host/sig/$id.raw"
		echo "# played stream$id $?"
	else
		arecord -q -D "hw:$card,$dev,$sub" -t raw -f "$f" -r "$r" -c "$c" -s "$x" "/host/rec/$id.raw"
		echo "# recorded stream$id $?"
	fi
done < /host/plan

# --- streams: substream of the right PCM device, hw params ranges ---------
# (sub: substreams of one PCM device and direction follow the stream ids)
while read -r kind id d dev fmts c0 c1 r0 r1; do
	[ "$kind" = stream ] || continue
	eval "sub=\${sub_$dev$d:-0}; sub_$dev$d=\$((sub + 1))"
	n=$T.stream$id
	if [ ! -e "$C/pcm$dev$d/sub$sub" ]; then
		fail "$n.present" "no $C/pcm$dev$d/sub$sub"
		continue
	fi
	ok "$n.present"
	# (aplay: nothing to play, the device's file stays as it is)
	if [ $d = p ]; then prog=aplay; else prog="arecord -s 1"; fi
	f=${fmts%%,*}
	timeout 10 $prog -D "hw:$card,$dev,$sub" --dump-hw-params -t raw -f "$f" \
		-r "$r0" -c "$c0" /dev/null > /tmp/hw 2>&1
	got=$(sed -n 's/^FORMAT: *//p' /tmp/hw | tr -s ' ' '\n' | grep . | sort | tr '\n' ,)
	got="${got%,} $(sed -n 's/^CHANNELS: *//p' /tmp/hw) $(sed -n 's/^RATE: *//p' /tmp/hw)"
	want="$fmts $(range "$c0" "$c1") $(range "$r0" "$r1")"
	check "$n.hw_params" "want '$want', got '$got'" [ "$got" = "$want" ]
	hw_ranges "$n.hw_ranges" "vhost.stream$id" /tmp/hw
done < /host/expect

# --- the largest period: an I/O message is one descriptor chain (header,
# a descriptor per page, status), and a chain may not be longer than the
# queue, indirect descriptors or not (virtio 1.3, 2.7.5.3.1): the device
# breaks the queue on a longer one.  Each output stream at its widest
# format, highest rate and most channels, asking for 500 ms periods: the
# driver must offer no period of more than (queue_size - 3) pages
# (tests/vhost.conf: queue_size 64) and play 1 s with the largest it offers.
maxbytes=$(((64 - 3) * 4096))
while read -r kind id d dev fmts c0 c1 r0 r1; do
	[ "$kind" = stream ] && [ "$d" = p ] || continue
	eval "sub=\${lsub_$dev:-0}; lsub_$dev=\$((sub + 1))"
	n=$T.stream$id.largest_period
	f=
	for w in S32_LE FLOAT_LE U32_LE S24_LE S16_LE U16_LE S8 U8; do
		case ",$fmts," in *",$w,"*) f=$w; break ;; esac
	done
	timeout 20 aplay -D "hw:$card,$dev,$sub" --dump-hw-params -t raw -f "$f" \
		-r "$r1" -c "$c1" --period-time=500000 --buffer-time=1000000 \
		-d 1 /dev/zero > /tmp/lp 2>&1
	st=$?
	pb=$(awk '/^PERIOD_BYTES:/ { gsub(/[][]/, ""); print $NF }' /tmp/lp)
	if [ "$st" != 0 ]; then
		fail "$n" "aplay $f ${r1} Hz ${c1} ch with 500 ms periods: exit $st, $(grep -v '^[A-Z_]*:' /tmp/lp | tail -n 1)"
	elif [ -z "$pb" ] || [ "$pb" -gt "$maxbytes" ]; then
		fail "$n" "period bytes up to '$pb' offered, a chain of more than 64 descriptors"
	else
		ok "$n"
	fi
done < /host/expect

# --- jacks: one CARD control "... Jack" per jack, initial states; each
# jack found by unplugging / plugging it on the device (the event must
# change exactly one control, and change it back) ---------------------------
grep "iface=CARD,name='.* Jack'" /tmp/ctls | sed "s/.*name='\(.*\)'.*/\1/" > /tmp/jacks
nj=$(grep -c '^jack ' /host/expect)
check "$T.jack_count" "want $nj jack controls, got $(wc -l < /tmp/jacks)" \
	[ "$(wc -l < /tmp/jacks)" = "$nj" ]
jval() { amixer -c "$card" cget "iface=CARD,name=$1" | sed -n 's/^  : values=//p'; }
jstates() { while read -r jn; do echo "$jn=$(jval "$jn")"; done < /tmp/jacks; }
jstates > /tmp/j0
got=$(sed 's/.*=//' /tmp/j0 | sort | tr '\n' ' ')
want=$(sed -n 's/^jack [0-9]* //p' /host/expect | sort | tr '\n' ' ')
check "$T.jack_states" "want states '$want', got '$got'" [ "$got" = "$want" ]
# jchanged WANT_DIFF_LINES: wait (2 s) until the jack states differ from
# /tmp/j0 in that many lines; the changed lines in /tmp/jd
jchanged() {
	local i=0
	while :; do
		jstates > /tmp/j1
		diff /tmp/j0 /tmp/j1 | grep '^+[^+]' > /tmp/jd
		[ "$(wc -l < /tmp/jd)" = "$1" ] && return 0
		i=$((i + 1))
		[ $i -gt 20 ] && return 1
		usleep 100000
	done
}
while read -r kind id want; do
	[ "$kind" = jack ] || continue
	[ "$want" = on ] && to=disconnect back=connect || { to=connect; back=disconnect; }
	if vus jack "$id" $to && jchanged 1; then
		jn=$(sed 's/^+//; s/=.*//' /tmp/jd)
		vus jack "$id" $back
		if jchanged 0; then
			echo "# jack $id: '$jn' ($want)"
			ok "$T.jack$id"
		else
			fail "$T.jack$id" "'$jn' did not follow the $back event"
		fi
	else
		fail "$T.jack$id" "no jack control followed the $to event: $(cat /tmp/jd)"
	fi
done < /host/expect

# --- channel maps: the PCM device's "... Channel Map" TLV ----------------
while read -r kind dev d pos; do
	[ "$kind" = chmap ] || continue
	[ $d = p ] && nm="Playback Channel Map" || nm="Capture Channel Map"
	id="iface=PCM,name='$nm'"
	[ "$dev" != 0 ] && id="$id,device=$dev"
	got=$(amixer -c "$card" cget "$id" 2>&1 | sed -n 's/.*chmap-[a-z]*=//p' | tr '\n' ' ')
	case " $got" in
	*" $pos "*) ok "$T.chmap.$dev$d" ;;
	*) fail "$T.chmap.$dev$d" "$nm of device $dev offers '$got', want '$pos'" ;;
	esac
done < /host/expect

# --- controls: name, type, member count ------------------------------------
while read -r kind type count name; do
	[ "$kind" = control ] || continue
	n=$T.control.$(echo "$name" | tr -c 'A-Za-z0-9\n' _)
	got=$(amixer -c "$card" cget "iface=MIXER,name=$name" 2>/dev/null |
		sed -n 's/^  ; type=\([A-Z0-9]*\),.*values=\([0-9]*\).*/\1 \2/p')
	if [ "$got" = "$type $count" ]; then
		ok "$n"
	elif [ "$driver" = intree ] && [ -z "$got" ]; then
		echo "not ok - $n # XFAIL in-tree driver has no VIRTIO_SND_F_CTLS support"
	else
		fail "$n" "'$name': want '$type $count', got '${got:-no such control}'"
	fi
done < /host/expect


# --- delay: on the device's exact clock, snd_pcm_delay() follows the device
# between completions, and the position it gives never goes back (pcmtest
# delay notes how far it strays from the clock) -----------------------------
for s in play cap; do
	n=$T.delay_$s
	timeout 30 /vsnd/pcmtest delay -D "hw:$card,0" -s $s -p 10000 -n 16 -t 2 > /tmp/delay 2>&1
	st=$?
	grep '^# ' /tmp/delay
	why=$(sed -n 's/^FAIL: //p' /tmp/delay | tail -n 1)
	if [ "$st" = 0 ]; then
		ok "$n"
	elif [ "$driver" = intree ] && [ "${why#the delay moved in only 0 of}" != "$why" ]; then
		echo "not ok - $n # XFAIL in-tree: $why"
	else
		fail "$n" "${why:-pcmtest delay exit $st}"
	fi
done
