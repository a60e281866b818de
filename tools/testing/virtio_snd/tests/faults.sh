#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Faults of the vhost-user test device (group "faults", lib/vhost.sh,
# tests/faults.conf).  Each case arms faults (or injects events) through
# the device's FIFO (vus, tests/guest-lib.sh), runs one operation and
# disarms them; its results:
#   NAME.message     the driver logged the message this fault must cause
#                    (or nothing, where the device did nothing wrong)
#   NAME.op          the operation failed cleanly (non-zero status, no
#                    hang), or worked where the fault is to be tolerated
#   NAME.after       a follow-up playback and capture work with no xrun
#                    (for probe faults: after a re-probe without the fault)
#   NAME.kernel_log  no BUG/WARNING/Oops... while it ran
# /host/mode: "run" (faults on a running card, then probe faults by
# rebinding the driver, then the device going away mid-stream) or
# "config NAME" (a boot whose config space is broken, module loaded here).
# The in-tree driver's known failures are turned into XFAILs by the host
# (tests/faults-intree.xfail).
. /vsnd/guest-lib.sh
T=virtio_snd.faults
set -- $(cat /host/mode)
mode=$1 cname=${2:-}
# 100 ms buffer: the stream starts while aplay writes (a START failure
# at drain time is not reported by aplay)
PLAY="aplay -q -D hw:$card,0 -t raw -f S16_LE -r 48000 -c 2 -B 100000 -s 9600 /dev/zero"
REC="arecord -q -D hw:$card,0 -t raw -f S16_LE -r 48000 -c 2 -s 4800 /dev/null"
# amixer cget exits 0 when the value cannot be read: success = a value
VOL="name='Master Playback Volume'"
READ="amixer -c $card cget $VOL | grep -q ': values='"
BAD='BUG:|WARNING:|Oops|Call Trace|INFO: |UBSAN:|general protection|hung_task|memory corruption'

dmark() { dmesg | wc -l; }
# result NAME REASON CMD...: ok if CMD succeeds
r() { check "$@"; }

# (vus prints its request on the output serial: never redirect it)

# finish NAME MARK MSG: .message and .kernel_log from the dmesg lines
# since MARK.  MSG: an ERE that a line of the driver's must match (the
# message this fault must cause, in our wording or, where it names the
# same cause, the in-tree driver's), or "-": the driver must say nothing
finish() {
	dmesg | sed -n "$(($2 + 1)),\$p" > /tmp/dm
	grep -v 'taints kernel\|verification failed' /tmp/dm | sed 's/^/# dmesg: /' | head -n 6
	grep -E 'virtio[0-9]+: ' /tmp/dm > /tmp/dm.drv
	if [ "$3" = - ]; then
		r "$1.message" "unexpected: $(head -n 1 /tmp/dm.drv)" \
			sh -c '! [ -s /tmp/dm.drv ]'
	else
		r "$1.message" "no message matching '$3' ($(wc -l < /tmp/dm.drv) others)" \
			grep -qE "$3" /tmp/dm.drv
	fi
	r "$1.kernel_log" "$(grep -E "$BAD" /tmp/dm | head -n 1)" \
		sh -c "! grep -qE '$BAD' /tmp/dm"
}

# after NAME [rebind]: the follow-up playback and capture, with no xrun
# (clean, tests/guest-lib.sh: aplay's default buffer, which holds the
# whole 0.2 s), then a control read; with "rebind": after a re-probe, for
# faults that leave the device's stream in a state the driver cannot know.
# A failed follow-up re-probes, so that the next case starts from a clean
# device
after() {
	local ast
	[ "${2:-}" = rebind ] && { rebind; wait_card "$card" 10; }
	clean aplay -D "hw:$card,0" -s 9600 /dev/zero &&
		clean arecord -D "hw:$card,0" -s 4800 /dev/null &&
		timeout 10 sh -c "$READ" 2>> /tmp/clean.err
	ast=$?
	r "$1.after" "follow-up failed (status $ast): $(grep -v '^[A-Z_]*: ' /tmp/clean.err | tail -n 1)" [ $ast = 0 ]
	[ $ast = 0 ] || { rebind; wait_card "$card" 10; }
}

# fcase NAME WANT[/rebind] MSG OP CMD...: run the device commands CMD
# (vus: "fault ...", "event ..."), then OP (sh -c, $OP_LIMIT s), then
# "fault clear"; WANT: fail (OP must fail, not hang) or ok (OP must work);
# /rebind: the follow-up after a re-probe; MSG: see finish
OP_LIMIT=30
fcase() {
	local n=$T.$1 want=${2%/*} how= msg=$3 op=$4 m st t0 t1
	[ "$want" != "$2" ] && how=${2#*/}
	shift 4
	m=$(dmark)
	for c in "$@"; do vus $c || echo "# vus $c: refused"; done
	t0=$(date +%s)
	limit "$OP_LIMIT" sh -c "$op" > /tmp/op.out 2>&1
	st=$?
	t1=$(date +%s)
	vus fault clear
	echo "# $1: op status $st after $((t1 - t0)) s: $(grep -v '^[A-Z_]*: ' /tmp/op.out | tail -n 1)"
	# its phases ("UPTIME what" lines), and all it printed when it hung or
	# came near its limit, for the log
	if [ $st = 124 ] || [ $((t1 - t0)) -ge $((OP_LIMIT * 2 / 3)) ]; then
		sed 's/^/#   op: /' /tmp/op.out | tail -n 20
	else
		grep '^[0-9]*\.[0-9]* ' /tmp/op.out | sed 's/^/#   op: /'
	fi
	case $want in
	fail) r "$n.op" "status $st, want a clean failure$([ $st = 124 ] && echo ', not a hang')" [ $st != 0 -a $st != 124 ] ;;
	ok) r "$n.op" "status $st: $([ $st = 124 ] && echo "hung ($OP_LIMIT s)" || tail -n 1 /tmp/op.out)" [ $st = 0 ] ;;
	*) fail "$n.op" "unknown expectation '$want'" ;;
	esac
	after "$n" $how
	finish "$n" "$m" "$msg"
}

vdev=
rebind() {
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/unbind
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/bind
}

# pcase NAME WANT MSG CHECK CMD...: the device commands, then a re-probe;
# WANT: absent (no card, cleanly) or present (a card, CHECK (sh -c)
# holds); then the faults cleared, a re-probe and the follow-up; MSG: see
# finish
pcase() {
	local n=$T.$1 want=$2 msg=$3 chk=$4 m got=absent t0 t1
	shift 4
	m=$(dmark)
	vus fault clear
	for c in "$@"; do vus $c || echo "# vus $c: refused"; done
	t0=$(date +%s)
	rebind
	t1=$(date +%s)
	wait_card "$card" 2 && got=present
	echo "# $1: card $got, bind took $((t1 - t0)) s"
	[ $got = present ] &&
		echo "#   $(aplay -l | grep -c '^card') PCM devices, $(jacks) jacks, $(chmaps) chmaps, $(mixers) controls"
	vus fault clear
	if [ "$want" = present ] && [ $got = present ] && [ -n "$chk" ]; then
		r "$n.op" "card present, but not: $chk" eval "$chk"
	else
		r "$n.op" "card $got, want $want (bind took $((t1 - t0)) s)" [ $got = "$want" ]
	fi
	rebind
	if wait_card "$card" 10; then after "$n"; else fail "$n.after" "no card after a clean re-probe"; fi
	finish "$n" "$m" "$msg"
}

jacks() { amixer -c "$card" controls | grep -c "iface=CARD,name='.* Jack'"; }
chmaps() { amixer -c "$card" controls | grep -c "Channel Map"; }
mixers() { amixer -c "$card" controls | grep -c "iface=MIXER"; }

if [ "$mode" = config ]; then
	# the module is loaded here: a probe that never ends must not hang
	# the guest
	case $cname in
	huge_chmaps) cmsg='invalid number of channel maps' ;;
	*) cmsg="invalid number of ${cname#huge_} " ;;
	esac
	m=$(dmark)
	insmod /vsnd/virtio_snd.ko &
	ip=$!
	i=0
	while kill -0 $ip 2>/dev/null && [ $i -lt 300 ]; do
		usleep 100000
		i=$((i + 1))
	done
	r "$T.$cname.op" "probe still running after 30 s" sh -c "! kill -0 $ip 2>/dev/null"
	kill -0 $ip 2>/dev/null && { finish "$T.$cname" "$m" "$cmsg"; exit 0; }
	if wait_card "$card" 1; then
		identity "faults.$cname"
		echo "# card present: $(aplay -l | grep -c '^card') PCM devices, $(jacks) jacks, $(mixers) controls"
		timeout 20 $PLAY
		r "$T.$cname.after" "playback failed on the card that came up" [ $? = 0 ]
	else
		echo "# no card"
		ok "$T.$cname.after"
	fi
	finish "$T.$cname" "$m" "$cmsg"
	timeout 10 rmmod virtio_snd
	r "$T.$cname.rmmod" "rmmod failed" [ $? = 0 ]
	exit 0
fi

identity faults
if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"
vdev=$(basename "$(virtio_snd_dev)")

# --- control requests: every status, per request code ----------------------
fcase set_params_bad_msg fail '0x0101: .*BAD_MSG' "$PLAY" "fault ctl PCM_SET_PARAMS status BAD_MSG count=0"
fcase prepare_not_supp fail '0x0102: .*NOT_SUPP' "$PLAY" "fault ctl PCM_PREPARE status NOT_SUPP count=0"
fcase start_io_err fail '0x0104: .*IO_ERR' "$PLAY" "fault ctl PCM_START status IO_ERR count=0"
fcase prepare_undefined fail '0x0102: .*status 0x0*1234' "$PLAY" "fault ctl PCM_PREPARE status 0x1234 count=0"
# STOP/RELEASE refused: the device keeps the stream; the driver must not
# lose the card over it.  A STOP sent without waiting (at the end of the
# drain) that fails or is never answered leaves the device running: the
# driver must learn it before its next command (a RELEASE would violate
# the stream's lifecycle) and recover on its own
fcase stop_io_err ok '0x0105: .*IO_ERR' "$PLAY" "fault ctl PCM_STOP status IO_ERR"
fcase release_bad_msg ok/rebind '0x0103: .*BAD_MSG' "$PLAY" "fault ctl PCM_RELEASE status BAD_MSG"
fcase ctl_read_io_err fail '0x0302: .*IO_ERR' "$READ" "fault ctl CTL_READ status IO_ERR count=0"
fcase ctl_write_not_supp fail '0x0303: .*NOT_SUPP' "amixer -c $card cset $VOL 50,50" \
	"fault ctl CTL_WRITE status NOT_SUPP count=0"
fcase ctl_tlv_undefined fail '0x0304: .*status 0x0*77' "amixer -c $card cget $VOL | grep -q dBscale" \
	"fault ctl CTL_TLV_READ status 0x77 count=0"
# --- replies late, missing, short, long -------------------------------------
# (the late reply arrives during the op's extra second)
fcase prepare_late fail '0x0102: no answer|\(0x0+102\) timeout' "$PLAY; s=\$?; sleep 1; exit \$s" "fault ctl PCM_PREPARE delay 2000"
fcase set_params_no_reply fail '0x0101: no answer|\(0x0+101\) timeout' "$PLAY" "fault ctl PCM_SET_PARAMS drop"
fcase stop_no_reply ok '0x0105: no answer|\(0x0+105\) timeout' "$PLAY" "fault ctl PCM_STOP drop"
fcase ctl_write_late fail '0x0303: no answer|\(0x0+303\) timeout' "amixer -c $card cset name='Master Playback Switch' off; s=\$?; sleep 1; exit \$s" \
	"fault ctl CTL_WRITE delay 2000"
fcase set_params_short fail '0x0101: response too short \(2 bytes\)' "$PLAY" "fault ctl PCM_SET_PARAMS short 2"
fcase prepare_long ok '0x0102: device used 68 bytes of a 4-byte response' "$PLAY" "fault ctl PCM_PREPARE long 64"
fcase ctl_read_short fail '0x0302: response is 510 bytes, expected 516' "$READ" "fault ctl CTL_READ short 6"
# --- I/O messages ------------------------------------------------------------
# the device keeps every capture period 3 s and writes into it only then,
# long after the stream ended and ALSA freed the buffer: the page
# allocator (page_poison=1, lib/vhost.sh) must find every freed page
# untouched when most free memory is allocated again (after compaction has
# drained the per-CPU free lists, which one CPU's allocations do not reach).
# fallocate on a tmpfs of that size allocates the pages without writing
# them; still, on the debug kernel (TCG, KASAN, every page's poison checked
# and written again) allocating and freeing 570 MiB took 18-27 s, the
# whole op 30-35 s (dd: 18-23 s to fill, 7-8 s to free): this op has 90 s.
REC_LONG="arecord -q -D hw:$card,0 -t raw -f S16_LE -r 48000 -c 2 -d 5 /dev/null"
LATE_WRITE="up() { cut -d' ' -f1 /proc/uptime; }
	echo \"\$(up) arecord\"; timeout -s INT 1 $REC_LONG; st=\$?
	echo \"\$(up) arecord status \$st\"; sleep 4
	fill=\$(awk '/^MemFree:/ { print int(\$2 / 1024) - 150 }' /proc/meminfo)
	echo \"\$(up) compacting\"; echo 1 > /proc/sys/vm/compact_memory
	echo \"\$(up) allocating \$fill MiB\"
	mkdir -p /tmp/fill && mount -t tmpfs -o size=\${fill}m fill /tmp/fill &&
		fallocate -l \$((fill << 20)) /tmp/fill/pages; fst=\$?
	echo \"\$(up) freeing\"; umount /tmp/fill
	echo \"\$(up) done: arecord status \$st, \$fill MiB allocated: status \$fst\"
	[ \$st = 1 ] && [ \$fst = 0 ]"
OP_LIMIT=90
fcase rx_late_write ok 'stream 1: .*still (holds|owned)' "$LATE_WRITE" "fault io 1 late 3000 count=0"
OP_LIMIT=30
# an I/O error loses a period: the application must see an xrun
fcase tx_io_err ok 'stream 0: I/O failed .*status 0x8003' "$PLAY 2>&1 | grep -q underrun" "fault io 0 status IO_ERR count=0"
# the device keeps one buffer for ever: the driver must not reuse it
fcase tx_no_completion fail/rebind 'stream 0: (device still holds 1 |1 I/O messages still owned)' "$PLAY" "fault io 0 drop skip=2"
fcase rx_used_too_long ok 'stream 1: device used 124000 bytes of a 24000-byte buffer' "$REC" "fault io 1 long 100000 count=0"
# (a short capture period is legal)
fcase rx_used_short ok '-' "$REC" "fault io 1 short 100 count=0"
fcase latency_absurd ok 'stream 0: latency of 4294967295 bytes' "$PLAY" "fault io 0 latency 0xffffffff count=0"
# --- events: out-of-range ids, unknown codes, a storm ------------------------
fcase event_jack_bad_id ok 'event 0x1000: invalid jack id 7' "$PLAY" "event 0x1000 7"
fcase event_pcm_bad_id ok 'event 0x1101: invalid stream id 99' "$PLAY" "event 0x1101 99" "event 0x1100 99"
fcase event_unknown_code ok 'unexpected event 0x0*7777' "$PLAY" "event 0x7777 0"
fcase event_ctl_bad_id ok 'invalid control id 999' "$PLAY" "ctl 999 notify 1"
# (valid events, many: nothing to report, the card must keep up)
fcase event_storm ok '-' "$PLAY" "event 0x1101 0 5000" "event 0x1000 0 5000"
# --- info replies at probe: out-of-range, short, missing, no NUL -----------
pcase pcm_info_garbage absent 'stream 0: invalid direction 255' "" "fault ctl PCM_INFO fill 0xff count=0"
pcase pcm_info_short absent '0x0100: response is 60 bytes' "" "fault ctl PCM_INFO short 8 count=0"
pcase pcm_info_no_reply absent '0x0100: no answer|\(0x0+100\) timeout' "" "fault ctl PCM_INFO drop count=0"
pcase pcm_info_bad_msg absent '0x0100: device answered BAD_MSG' "" "fault ctl PCM_INFO status BAD_MSG count=0"
pcase jack_info_garbage present 'jack 0: (ignoring unknown features|invalid status)' "" "fault ctl JACK_INFO fill 0x7f count=0"
pcase jack_info_not_supp present '0x0001: device answered NOT_SUPP' "" "fault ctl JACK_INFO status NOT_SUPP count=0"
pcase chmap_info_garbage present 'chmap 0: invalid direction 255' "" "fault ctl CHMAP_INFO fill 0xff count=0"
pcase ctl_info_noterm present 'control 0: name is not NUL-terminated' "" "fault ctl CTL_INFO noterm count=0"
# --- the device goes away mid-stream (NEEDS_RESET cannot be sent through
# QEMU's vhost-user-base: "disconnect" is the nearest) -----------------------
n=$T.device_gone
m=$(dmark)
limit 30 aplay -q -D "hw:$card,0" -t raw -f S16_LE -r 48000 -c 2 -d 3 /dev/zero 2> /tmp/op.out &
ap=$!
sleep 1
vus disconnect
wait $ap
st=$?
echo "# device_gone: aplay status $st: $(tail -n 1 /tmp/op.out)"
r "$n.op" "aplay status $st, want a clean failure" [ $st != 0 -a $st != 124 ]
limit 30 $PLAY 2> /tmp/op.out
st=$?
r "$n.after" "a new playback: status $st, want a clean failure" [ $st != 0 -a $st != 124 ]
timeout 30 rmmod virtio_snd
st=$?
r "$n.rmmod" "rmmod: status $st" [ $st = 0 ]
finish "$n" "$m" '0x0103: no answer|\(0x0+103\) timeout|still (holds|owned)'
