#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Controls (VIRTIO_SND_F_CTLS) against vhost-user-snd with tests/controls.conf
# (QEMU controls=on): every element listed with its type, access, range and
# items; values read and written (the driver keeps no copy: every read is a
# CTL_READ, so a read-back shows the device's state); out-of-range writes
# refused; TLV read/write/command; CTL_NOTIFY from the device seen by an
# alsa-lib event subscriber (guest/ctlcheck monitor); and, by re-probing
# with faults armed on the device, cards that still come up when
# CTL_INFO/CTL_ENUM_ITEMS/JACK_INFO/CHMAP_INFO fail.  Device commands go through the host relay "vus" (host_do vus CMD:
# one line for the device's FIFO, see vhost-user-snd/README.md).
. /vsnd/guest-lib.sh
identity controls
T=virtio_snd.controls

# (host_do prints the request on the serial output: no redirection)
dev_cmd() { vus "$@"; }

# the control's "; type=..." line / ": values=..." line (without the prefix)
info_of() { amixer -c "$card" cget "$1" 2>&1 | sed -n 's/^  ; \(type=.*\)/\1/p'; }
value_of() { amixer -c "$card" cget "$1" 2>&1 | sed -n 's/^  : values=//p'; }
# (-i: amixer hides inactive elements by default)
mixer_count() { amixer -c "$card" -i controls | grep -c "iface=MIXER"; }

# short ID: a result name from an amixer id
short() { echo "$1" | sed "s/^name='//; s/'//" | tr -c 'A-Za-z0-9\n' _; }

# expect NAME WANT GOT: one result line
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"

# --- every element: ALSA id, type, access, count, range -------------------
# id | info line (amixer's access: r w i(nactive) v(olatile) l R W C(tlv))
while IFS='|' read -r id want; do
	n=$(short "$id")
	expect "$T.info.$n" "$want" "$(info_of "iface=MIXER,$id")"
done <<'EOF'
name='Master Playback Volume'|type=INTEGER,access=rw---R--,values=2,min=0,max=100,step=1
name='Master Playback Switch'|type=BOOLEAN,access=rw------,values=2
name='Capture Source'|type=ENUMERATED,access=rw------,values=1,items=3
name='Big Counter'|type=INTEGER64,access=rw------,values=1,min=-10000000000,max=10000000000,step=2
name='Mixer Blob'|type=BYTES,access=r-------,values=16
name='IEC958 Playback Default'|type=IEC958,access=rw------,values=1
name='Read Only Level'|type=INTEGER,access=r--v----,values=1,min=-10,max=10,step=0
name='Tone Control'|type=INTEGER,access=rw---RWC,values=1,min=-12,max=12,step=0
name='Disabled Switch'|type=BOOLEAN,access=rwi-----,values=1
name='Write Only Level'|type=INTEGER,access=rw------,values=1,min=0,max=7,step=0
name='Mic Capture Volume'|type=INTEGER,access=rw------,values=1,min=0,max=30,step=0
name='Master Playback Volume',index=1|type=INTEGER,access=rw------,values=1,min=0,max=31,step=0
name='Channel Mode'|type=ENUMERATED,access=rw------,values=2,items=4
name='Line Boost Volume',index=2|type=INTEGER,access=rw------,values=1,min=0,max=3,step=0
name='Master Playback Switch',index=1|type=BOOLEAN,access=rw------,values=1
EOF
expect "$T.count" 15 "$(mixer_count)"

items() { amixer -c "$card" cget "$1" | sed -n "s/^  ; Item #[0-9]* '\(.*\)'/\1/p" | tr '\n' ,; }
expect "$T.items.capture_source" "Mic,Line In,CD," "$(items "name='Capture Source'")"
expect "$T.items.channel_mode" "Stereo,Mono Left,Mono Right,Swapped," \
	"$(items "name='Channel Mode'")"

# --- values as the device holds them ----------------------------------------
while IFS='|' read -r id want; do
	n=$(short "$id")
	expect "$T.read.$n" "$want" "$(value_of "$id")"
done <<'EOF'
name='Master Playback Volume'|80,80
name='Master Playback Switch'|on,on
name='Capture Source'|1
name='Big Counter'|-9876543210
name='Mixer Blob'|0x01,0x02,0x03,0x04,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00
name='IEC958 Playback Default'|[AES0=0x04 AES1=0x00 AES2=0x00 AES3=0x02]
name='Read Only Level'|-3
name='Tone Control'|0
name='Mic Capture Volume'|10
name='Master Playback Volume',index=1|31
name='Channel Mode'|0,3
name='Line Boost Volume',index=2|1
name='Master Playback Switch',index=1|off
EOF
# not readable on the device: ALSA reads the value last written (the minimum
# at first), so that alsa-lib's simple mixer still loads the card
expect "$T.read.write_only_shadow" 0 "$(value_of "name='Write Only Level'")"

# --- writes, read back from the device --------------------------------------
while IFS='|' read -r id val want; do
	n=$(short "$id")
	if amixer -c "$card" -- cset "$id" "$val" > /tmp/cset.out 2>&1; then
		expect "$T.write.$n" "$want" "$(value_of "$id")"
	else
		fail "$T.write.$n" "cset $val: $(tail -n 1 /tmp/cset.out)"
	fi
done <<'EOF'
name='Master Playback Volume'|30,45|30,45
name='Master Playback Switch'|off,on|off,on
name='Capture Source'|2|2
name='Big Counter'|-20|-20
name='Tone Control'|-7|-7
name='Mic Capture Volume'|25|25
name='Master Playback Volume',index=1|0|0
name='Channel Mode'|2,1|2,1
name='Master Playback Switch',index=1|on|on
EOF
expect "$T.write.write_only" ok "$(/vsnd/ctlcheck "$card" write 'Write Only Level' 5)"
expect "$T.write.write_only_shadow" 5 "$(value_of "name='Write Only Level'")"
# a mute element under the role's Switch name is inverted (spec: 1 = muted)
dev_cmd ctl 14 value 1
mw=0
while [ "$(value_of "name='Master Playback Switch',index=1")" != off ] &&
	[ $mw -lt 30 ]; do
	mw=$((mw + 1))
	usleep 100000
done
expect "$T.write.mute_role_device_muted" off \
	"$(value_of "name='Master Playback Switch',index=1")"
check "$T.write.read_only_refused" "read-only element was written" \
	sh -c "! amixer -c $card cset name='Read Only Level' 1 > /dev/null 2>&1"

# members out of range (amixer would clamp them: ctlcheck sends them as is)
while IFS='|' read -r id vals; do
	n=$(echo "$id $vals" | tr -c 'A-Za-z0-9\n' _)
	# shellcheck disable=SC2086
	out=$(/vsnd/ctlcheck "$card" write "$id" $vals)
	case $out in
	"error: -22 "*) ok "$T.range.$n" ;;
	*) fail "$T.range.$n" "write $vals: $out" ;;
	esac
done <<'EOF'
Master Playback Volume|101 0
Master Playback Volume|0 -1
Master Playback Switch|2 0
Capture Source|3
Big Counter|-19
Big Counter|10000000002
Channel Mode|0 4
EOF
expect "$T.range.unchanged" "30,45" "$(value_of "name='Master Playback Volume'")"

# --- TLV ---------------------------------------------------------------------
expect "$T.tlv.amixer_db" "| dBscale-min=-50.00dB,step=1.00dB,mute=0" \
	"$(amixer -c "$card" cget name='Master Playback Volume' | sed -n 's/^  \(| dB.*\)/\1/p')"
expect "$T.tlv.sget_db" "Front Left: Playback 30 [30%] [-20.00dB] [off]" \
	"$(amixer -c "$card" sget Master,0 | sed -n 's/^  \(Front Left: .*\)/\1/p')"
expect "$T.tlv.read" "tlv 1 8 -5000 100" \
	"$(/vsnd/ctlcheck "$card" tlv-read 'Master Playback Volume' 64 | head -n 1)"
expect "$T.tlv.read_small_buffer" "error: -12 (Cannot allocate memory)" \
	"$(/vsnd/ctlcheck "$card" tlv-read 'Master Playback Volume' 12)"
expect "$T.tlv.write" ok "$(/vsnd/ctlcheck "$card" tlv-write 'Tone Control' 1 8 -600 50)"
expect "$T.tlv.write_read_back" "tlv 1 8 -600 50" \
	"$(/vsnd/ctlcheck "$card" tlv-read 'Tone Control' 64 | head -n 1)"
expect "$T.tlv.command" ok "$(/vsnd/ctlcheck "$card" tlv-cmd 'Tone Control' 7 4 1)"
expect "$T.tlv.write_refused" "error: -6 (No such device or address)" \
	"$(/vsnd/ctlcheck "$card" tlv-write 'Master Playback Volume' 1 8 0 1)"

# --- notifications -----------------------------------------------------------
# (ctlcheck monitor: alsactl monitor needs epoll, which the debug kernel
# lacks; same output format from "#numid (" on)
# (appending: the file is emptied between checks)
: > /tmp/mon.txt
/vsnd/ctlcheck "$card" monitor 120 >> /tmp/mon.txt 2>&1 &
mon=$!
mi=0
while ! grep -q ready /tmp/mon.txt && [ $mi -lt 100 ]; do
	mi=$((mi + 1))
	usleep 100000
done
# wait_event NAME PATTERN: up to 5 s for a line of the monitor
wait_event() {
	local we=0
	while ! grep -q "$2" /tmp/mon.txt; do
		we=$((we + 1))
		if [ $we -gt 50 ]; then
			fail "$1" "no event '$2' in: $(tr '\n' ';' < /tmp/mon.txt)"
			return 1
		fi
		usleep 100000
	done
	ok "$1"
}
dev_cmd ctl 0 value 11 22
wait_event "$T.notify.value" "Master Playback Volume,0) VALUE" &&
	expect "$T.notify.value_read" "11,22" "$(value_of "name='Master Playback Volume'")"
dev_cmd ctl 7 notify 2
wait_event "$T.notify.info" "Tone Control,0) INFO"
# after an INFO event the driver asks the device about that element: a new
# range shows, and only there (Mic Capture Volume is another one-member
# INTEGER, so a refresh of the wrong element would go unseen otherwise);
# then the range as it was, for the checks below
: > /tmp/mon.txt
dev_cmd ctl 7 range -6 6 2
wait_event "$T.notify.range_event" "Tone Control,0) INFO" &&
	expect "$T.notify.range_info" "type=INTEGER,access=rw---RWC,values=1,min=-6,max=6,step=2" \
		"$(info_of "name='Tone Control'")"
expect "$T.notify.range_others" "type=INTEGER,access=rw------,values=1,min=0,max=30,step=0" \
	"$(info_of "name='Mic Capture Volume'")"
: > /tmp/mon.txt
dev_cmd ctl 7 range -12 12 0
wait_event "$T.notify.range_back" "Tone Control,0) INFO" &&
	expect "$T.notify.range_back_info" "type=INTEGER,access=rw---RWC,values=1,min=-12,max=12,step=0" \
		"$(info_of "name='Tone Control'")"
dev_cmd ctl 7 notify 4
wait_event "$T.notify.tlv" "Tone Control,0) TLV"
dev_cmd ctl 12 notify 7
wait_event "$T.notify.all" "Channel Mode,0) VALUE INFO TLV"
# a write that changes the value is an event, one that does not is none
: > /tmp/mon.txt
amixer -c "$card" cset name='Line Boost Volume',index=2 3 > /dev/null
wait_event "$T.notify.changed_write" "Line Boost Volume,2) VALUE"
: > /tmp/mon.txt
amixer -c "$card" cset name='Line Boost Volume',index=2 3 > /dev/null
sleep 1
check "$T.notify.unchanged_write" "event for an unchanged value" \
	sh -c "! grep -q 'Line Boost' /tmp/mon.txt"
# ids and masks the driver does not know: a warning, nothing else
dev_cmd ctl 200 notify 1
dev_cmd ctl 0 notify 0x80
sleep 1
check "$T.notify.bad_id" "no warning for control id 200" \
	sh -c "dmesg | grep -q 'invalid control id 200'"
check "$T.notify.bad_mask" "no warning for mask 0x80" \
	sh -c "dmesg | grep -q 'unknown mask bits 0x80'"
kill $mon 2>/dev/null
wait $mon 2>/dev/null

# --- faults at probe: the card comes up with what works ---------------------
vdev=$(virtio_snd_dev) && vdev=$(basename "$vdev")
# reprobe NAME FAULT...: arm the faults, rebind the driver, wait for the card
reprobe() {
	local rn=$1
	shift
	dev_cmd fault clear
	for f in "$@"; do dev_cmd fault "$f"; done
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/unbind
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_snd/bind
	if ! wait_card "$card" 20; then
		fail "$T.fault.$rn" "no card after re-probe"
		return 1
	fi
	# the PCM devices are there in every case
	if ! aplay -l 2>/dev/null | grep -q "card $card:.*device 1"; then
		fail "$T.fault.$rn" "PCM devices missing"
		return 1
	fi
	ok "$T.fault.$rn"
}
jacks() { amixer -c "$card" controls | grep -c "iface=CARD,name='.* Jack'"; }
chmaps() { amixer -c "$card" controls | grep -c "Channel Map"; }

if reprobe ctl_info_io_err "ctl 0x300 status IO_ERR count=0"; then
	expect "$T.fault.ctl_info_io_err.controls" 0 "$(mixer_count)"
	expect "$T.fault.ctl_info_io_err.jacks" 2 "$(jacks)"
fi
if reprobe ctl_info_timeout "ctl 0x300 drop count=0"; then
	expect "$T.fault.ctl_info_timeout.controls" 0 "$(mixer_count)"
fi
if reprobe ctl_info_short "ctl 0x300 short 8 count=0"; then
	expect "$T.fault.ctl_info_short.controls" 0 "$(mixer_count)"
fi
if reprobe ctl_info_garbage "ctl 0x300 fill 0xff count=0"; then
	expect "$T.fault.ctl_info_garbage.controls" 0 "$(mixer_count)"
fi
# names without NUL: all the same 43 X's, uniquified by index
if reprobe ctl_info_noterm "ctl 0x300 noterm count=0"; then
	expect "$T.fault.ctl_info_noterm.controls" 15 "$(mixer_count)"
	x=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
	expect "$T.fault.ctl_info_noterm.index13" "type=INTEGER,access=rw------,values=1,min=0,max=3,step=0" \
		"$(info_of "iface=MIXER,name='$x',index=13")"
fi
# the first enumerated element loses its items: only it is left out
if reprobe enum_items_io_err "ctl 0x301 status IO_ERR count=1"; then
	expect "$T.fault.enum_items_io_err.controls" 14 "$(mixer_count)"
	check "$T.fault.enum_items_io_err.others" "Channel Mode missing" \
		sh -c "amixer -c $card controls | grep -q 'Channel Mode'"
fi
if reprobe jack_chmap_fail "ctl JACK_INFO status IO_ERR count=0" \
		"ctl CHMAP_INFO drop count=0"; then
	expect "$T.fault.jack_chmap_fail.jacks" 0 "$(jacks)"
	expect "$T.fault.jack_chmap_fail.chmaps" 0 "$(chmaps)"
	expect "$T.fault.jack_chmap_fail.controls" 15 "$(mixer_count)"
fi
if reprobe clean; then
	expect "$T.fault.clean.controls" 15 "$(mixer_count)"
	expect "$T.fault.clean.jacks" 2 "$(jacks)"
	expect "$T.fault.clean.chmaps" 3 "$(chmaps)"
	# a failed read fails that read only
	dev_cmd fault ctl 0x302 status IO_ERR count=1
	# (amixer cget exits 0 after a read error: look for the values line)
	expect "$T.fault.ctl_read_io_err" "" "$(value_of "name='Tone Control'")"
	expect "$T.fault.ctl_read_io_err.next_read" "-7" "$(value_of "name='Tone Control'")"
fi
dev_cmd fault clear
dmesg | grep -i 'virtio_snd' | grep -iv 'taint' | sed 's/^/# /' | tail -n 40
