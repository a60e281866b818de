# SPDX-License-Identifier: GPL-2.0
# Harness boots against the vhost-user test device (sourced by harness.sh).
#
# boot_vus GROUP SECS SCRIPT CONFIG [QEMU args]
#   `boot` (lib/suite.sh: same result lines, guest completion, kernel log)
#   with vhost-user-snd (vhost-user-snd/) started next to QEMU on CONFIG
#   (a path; relative paths are taken from tests/), guest RAM shared
#   (VSND_MEMFD=1).  The device's files are in $RUN/GROUP/vus/
#   (streamN.raw, violations.log, backend.log).  One more result line:
#   virtio_snd.GROUP.violations, ok if the device logged no spec violation
#   by the driver.  Environment:
#     VUS_DEVOPTS  extra vhost-user-snd-pci options (",controls=on" for a
#                  config with [control] sections)
#     VUS_ARGS     extra back-end options (e.g. "-p" to keep serving
#                  after a `disconnect`, "-i" for the instant clock)
#     VUS_VIOLATIONS=allow  the group arms faults that make driver and
#                  device disagree by design: violations are reported
#                  (stderr, $RUN/GROUP/vus/violations.log), not failed
#   Returns 1 (after a "not ok" line) if the back-end cannot start.
#
# Driving the device from a guest script: the host relay "vus" (guest_relay,
# lib/qemu.sh) writes each command to the device's FIFO and answers once
# the back-end has executed it (its "inject: 'CMD': done" log line), so a
# guest script that continues after
#     host_do vus jack 0 disconnect      # (tests/guest-lib.sh)
#     vus jack 0 disconnect              # the same, shorter
# knows that the event is queued / the fault is armed.  Status 0: done,
# 1: the back-end refused the command (the answer holds its error), 124: no
# answer within 30 s.  Commands: vhost-user-snd/README.md ("Injecting
# events", "Injecting faults"), e.g. "fault ctl PCM_START status IO_ERR",
# "fault clear", "event 0x1100 7", "disconnect".

VUS_SH=$VSND_DIR/vhost-user-snd/vus.sh
. "$VUS_SH"

# vus_relay_cmd CMD...: one FIFO command, wait (5 s) for the back-end's
# verdict in its log; used by the relay "vus" (runs in the relay's subshell,
# VUS_WORK set by boot_vus)
vus_relay_cmd() {
	local log=$VUS_WORK/backend.log before i=0 out
	before=$(wc -c < "$log")
	# the back-end holds the FIFO open read-write while it runs: if it is
	# gone (after "disconnect"), the write must not block
	timeout 5 sh -c 'echo "$1" > "$2"' sh "$*" "$VUS_WORK/vus.fifo" || {
		echo "device FIFO not writable (back-end gone?)"
		return 1
	}
	while :; do
		out=$(tail -c +"$((before + 1))" "$log" | grep -F "inject: '$*': " | head -n 1)
		[ -n "$out" ] && break
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "no verdict from the back-end"; return 1; }
		sleep 0.1
	done
	echo "${out#*inject: }"
	[[ $out == *": done" ]]
}

vus_built=
boot_vus() {
	local g=$1 secs=$2 script=$3 conf=$4 w=$RUN/$1 relay rc n
	shift 4
	[ "${conf#/}" = "$conf" ] && conf=$VSND_DIR/tests/$conf
	if [ -z "$vus_built" ]; then
		if ! vus_build > "$RUN/vus-build.log" 2>&1; then
			result "not ok" "virtio_snd.$g.violations" "cannot run: building vhost-user-snd failed: $(tail -n 1 "$RUN/vus-build.log")"
			return 1
		fi
		vus_built=1
	fi
	mkdir -p "$w"
	VUS_WORK=$w/vus
	rm -rf "$VUS_WORK"
	# shellcheck disable=SC2086 # VUS_ARGS: words
	if ! vus_start "$VUS_WORK" "$conf" ${VUS_ARGS:-} 2> "$w/vus-start.log"; then
		result "not ok" "virtio_snd.$g.violations" "cannot run: vhost-user-snd did not start: $(tail -n 1 "$w/vus-start.log")"
		return 1
	fi
	: > "$w/out.log"	# the relay follows it from the start
	guest_relay "$w" vus vus_relay_cmd
	relay=$RELAY_PID
	VSND_MEMFD=1 boot "$g" "$secs" "$script" "${VUS_QEMU_ARGS[@]}" "$@"
	guest_relay_stop "$relay"
	vus_stop "$VUS_WORK" 2> /dev/null
	rc=$?
	n=$(wc -l < "$VUS_WORK/violations.log" 2>/dev/null || echo 0)
	if [ $rc = 0 ]; then
		result ok "virtio_snd.$g.violations"
	elif [ $rc = 2 ]; then
		result "not ok" "virtio_snd.$g.violations" "the device wrote no violation log (see $VUS_WORK/backend.log)"
	elif [ "${VUS_VIOLATIONS:-}" = allow ]; then
		say "group $g: $n violation(s) with faults armed (expected), first: $(head -n 1 "$VUS_WORK/violations.log")"
		result ok "virtio_snd.$g.violations"
	else
		result "not ok" "virtio_snd.$g.violations" "$n spec violation(s) by the driver, first: $(head -n 1 "$VUS_WORK/violations.log")"
	fi
}
