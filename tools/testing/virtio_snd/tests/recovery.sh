#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Command timeouts and the stream state machine (vhost-user test device,
# tests/events.conf, no violation allowed): a SET_PARAMS, PREPARE or START
# that the device answers too late or never fails that one aplay; the next
# aplay on the stream works, and the device never sees a command its
# lifecycle forbids (a RELEASE of an unprepared stream, a SET_PARAMS of a
# running one).  vus requests go to stdout: the relay reads them there.
. /vsnd/guest-lib.sh
identity recovery
T=virtio_snd.recovery
D=/proc/asound/card$card/virtio
PLAY="aplay -q -D hw:$card,0,0 -t raw -f S16_LE -r 48000 -c 2 -d 1 /dev/zero"

if ! wait_card "$card" 10; then
	fail "$T.card" "no card $card"
	exit 0
fi
ok "$T.card"

# rcase NAME FAULT: the first aplay fails under FAULT (cleanly: a hang is
# no failure), the next one works
rcase() {
	local st
	vus fault "$2" || { fail "$T.$1" "cannot arm '$2'"; return; }
	limit 20 $PLAY 2> /tmp/first.err
	st=$?
	if [ $st = 0 ] || [ $st = 124 ]; then
		fail "$T.$1" "aplay $([ $st = 0 ] && echo worked || echo hung) with '$2' armed"
		vus fault clear
		return
	fi
	vus fault clear
	# a late answer arrives (and is dropped) before the next try
	sleep 2.5
	grep -A3 '^stream 0' "$D" | sed 's/^/# /'
	if timeout 20 $PLAY 2> /tmp/next.err; then
		ok "$T.$1"
	else
		fail "$T.$1" "aplay after '$2': $(tail -n 1 /tmp/next.err)"
	fi
}

rcase set_params_no_reply "ctl PCM_SET_PARAMS drop"
rcase prepare_no_reply "ctl PCM_PREPARE drop"
rcase prepare_late "ctl PCM_PREPARE delay 2000"
rcase start_late "ctl PCM_START delay 2000"
t=$(grep -c 'cmd_timeouts [1-9]' "$D")
check "$T.timeouts_counted" "no stream counted a timeout" [ "$t" -ge 1 ]
sed 's/^/# /' "$D"
