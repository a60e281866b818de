#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The driver against a malicious device (group "fuzz", lib/vhost.sh,
# tests/faults.conf): /host/fuzz holds "SEED COUNT".  For each of COUNT
# seeds from SEED on, the test device fuzzes (vhost-user-snd README,
# "Fuzzing": random faults in its replies, completions and events) while
# the driver probes, plays, records, reads and writes controls and is
# unbound.  The rate of faults cycles through 1 in 4, 8, 16 and 32
# messages.  Each seed prints "# fuzz: seed S rate R" first: the line
# that reproduces it (vus fuzz S R, then bind).  Results:
#   no_crash   no BUG/WARNING/KASAN/UBSAN/Oops... in any seed (the first
#              names its seed)
#   no_hang    every bind, unbind, stream and control command ended
#              within its limit (a hang of the kernel stops the guest:
#              the host names the seed it stopped in)
#   ranges     every PCM the driver registered offers only what the spec
#              allows (rates 5512..384000, 1..64 channels, virtio's
#              formats), and at least one configuration
#   coverage   the device fuzzed every seed, and the seeds got as far as
#              ranges and streams (a card in a quarter of them at least),
#              so that the fuzzer reached the data path
#   recovers   after the fuzzer stops: a probe, and playback of /host/sig.raw
#              and 1 s of capture (/host/rec.raw) with no xrun; the host
#              checks both bit for bit (fuzz.audio_play, fuzz.audio_record)
. /vsnd/guest-lib.sh
identity fuzz
T=virtio_snd.fuzz
DRV=/sys/bus/virtio/drivers/virtio_snd
BAD='BUG:|WARNING:|Oops|Call Trace|INFO: |UBSAN:|KASAN|general protection|hung_task|memory corruption|list_(add|del) corruption|refcount_t:'
VOL="name='Master Playback Volume'"
SW="name='Master Playback Switch'"
# the virtio formats, as ALSA names them
FORMATS=' IMA_ADPCM MU_LAW A_LAW S8 U8 S16_LE U16_LE S18_3LE U18_3LE S20_3LE U20_3LE S24_3LE U24_3LE S20_LE U20_LE S24_LE U24_LE S32_LE U32_LE FLOAT_LE FLOAT64_LE DSD_U8 DSD_U16_LE DSD_U32_LE IEC958_SUBFRAME_LE '
set -- $(cat /host/fuzz)
seed0=$1 count=$2
vdev=$(basename "$(virtio_snd_dev)")
crash= hang= range= nofuzz= cards=0 streams=0 dumps=0

# sys unbind|bind: the driver's sysfs file, 60 s at most (124: hung)
sys() { limit 60 sh -c "echo $vdev > $DRV/$1" 2>/dev/null; }

# ranges_of: ALSA's configuration space of every PCM substream of the
# card within what the spec allows; prints the first thing that is not
# ("hang: ..." for a command that outlived its limit).  Counts the
# substreams it could dump in /tmp/dumps (a substream that cannot be
# opened, e.g. once the fuzzer broke a queue, has no dump to check).
ranges_of() {
	local s dev sub prog f
	for s in /proc/asound/card$card/pcm*/sub*; do
		[ -d "$s" ] || continue
		dev=${s#*/pcm} sub=${dev#*/sub}
		dev=${dev%%/*}
		case $dev in *p) prog=aplay ;; *c) prog="arecord -s 1" ;; esac
		limit 20 $prog -D "hw:$card,${dev%?},$sub" --dump-hw-params \
			-t raw /dev/null > /tmp/hw 2>&1
		[ $? = 124 ] && { echo "hang: $prog --dump-hw-params"; return; }
		if grep -q 'no configurations available' /tmp/hw; then
			echo "pcm$dev sub$sub: no configuration at all"
			return
		fi
		grep -q '^HW Params' /tmp/hw || continue
		echo $(($(cat /tmp/dumps) + 1)) > /tmp/dumps
		for f in $(sed -n 's/^FORMAT: *//p' /tmp/hw); do
			case $FORMATS in *" $f "*) ;; *) echo "pcm$dev sub$sub: format $f"; return ;; esac
		done
		awk -v w="pcm$dev sub$sub" '
		function iv(s, a) { gsub(/[][()]/, "", s); return split(s, a, " ") }
		/^RATE:/ { n = iv(substr($0, 6), r); if (r[1] < 5512 || r[n] > 384000) { print w ": rates " $2 " " $3; exit } }
		/^CHANNELS:/ { n = iv(substr($0, 10), c); if (c[1] < 1 || c[n] > 64) { print w ": channels " $2 " " $3; exit } }' /tmp/hw
	done
}

# one SEED RATE: fuzz one probe, stream and removal
one() {
	local t0 p r pst rst got=no st
	t0=$(date +%s)
	echo "# fuzz: seed $1 rate $2"
	dmesg -c > /dev/null
	vus fuzz "$1" "$2" || nofuzz=${nofuzz:-"seed $1: the device did not start fuzzing"}
	sys bind
	[ $? = 124 ] && hang=${hang:-"seed $1 rate $2: bind"}
	if wait_card "$card" 3; then
		got=yes
		cards=$((cards + 1))
		echo 0 > /tmp/dumps
		st=$(ranges_of)
		dumps=$((dumps + $(cat /tmp/dumps)))
		case $st in
		"") ;;
		hang:*) hang=${hang:-"seed $1 rate $2: ${st#hang: }"} ;;
		*) range=${range:-"seed $1 rate $2: $st"} ;;
		esac
		limit 25 aplay -q -D "hw:$card,0" -t raw -f S16_LE -r 48000 -c 2 \
			-B 100000 -s 24000 /dev/zero 2> /dev/null &
		p=$!
		limit 25 arecord -q -D "hw:$card,0" -t raw -f S16_LE -r 48000 -c 2 \
			-B 100000 -s 24000 /dev/null 2> /dev/null &
		r=$!
		limit 20 amixer -c "$card" contents > /dev/null 2>&1
		[ $? = 124 ] && hang=${hang:-"seed $1 rate $2: amixer contents"}
		limit 20 amixer -c "$card" cset "$VOL" 40,60 > /dev/null 2>&1
		[ $? = 124 ] && hang=${hang:-"seed $1 rate $2: amixer cset"}
		limit 20 amixer -c "$card" cset "$SW" off > /dev/null 2>&1
		[ $? = 124 ] && hang=${hang:-"seed $1 rate $2: amixer cset switch"}
		wait $p
		pst=$?
		wait $r
		rst=$?
		[ $pst = 124 ] && hang=${hang:-"seed $1 rate $2: aplay"}
		[ $rst = 124 ] && hang=${hang:-"seed $1 rate $2: arecord"}
		[ $pst = 0 ] || [ $rst = 0 ] && streams=$((streams + 1))
	fi
	sys unbind
	[ $? = 124 ] && hang=${hang:-"seed $1 rate $2: unbind"}
	vus fuzz off
	st=$(dmesg | grep -E "$BAD" | head -n 1)
	[ -n "$st" ] && crash=${crash:-"seed $1 rate $2: $st"}
	echo "#   card $got, aplay ${pst:--} arecord ${rst:--}, $(($(date +%s) - t0)) s${st:+, found: $st}"
}

sys unbind
i=0
while [ $i -lt "$count" ]; do
	one $((seed0 + i)) $((4 << (i % 4)))
	i=$((i + 1))
done
echo "# fuzz: end: $count seeds, a card in $cards, $dumps substreams' ranges checked, streams in $streams"

check "$T.no_crash" "$crash" [ -z "$crash" ]
check "$T.no_hang" "$hang" [ -z "$hang" ]
check "$T.ranges" "accepted: $range" [ -z "$range" ]
if [ -n "$nofuzz" ]; then
	fail "$T.coverage" "$nofuzz"
else
	check "$T.coverage" "a card in $cards of $count seeds, $dumps substreams' ranges checked, streams in $streams" \
		[ $((cards * 4)) -ge "$count" -a "$dumps" -gt 0 -a "$streams" -gt 0 ]
fi
sys bind
if ! wait_card "$card" 10; then
	fail "$T.recovers" "no card after the fuzzer stopped"
elif cp /host/sig.raw /tmp/sig.raw &&
     clean aplay -D "hw:$card,0" /tmp/sig.raw &&
     clean arecord -D "hw:$card,0" -d 1 /tmp/rec.raw; then
	cp /tmp/rec.raw /host/rec.raw
	ok "$T.recovers"
else
	fail "$T.recovers" "$(tail -n 1 /tmp/clean.err)"
fi
