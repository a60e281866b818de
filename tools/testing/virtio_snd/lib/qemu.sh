# SPDX-License-Identifier: GPL-2.0
# QEMU runner for the virtio_snd harness (sourced, not run).
#
# guest_run <work> <secs> <initrd> [extra QEMU args...]
# Boots $KIMG with <initrd>, shares <work> as 9p tag "vsnd" (the guest runs
# <work>/cmd.sh), console to <work>/console.log, the script's output to
# <work>/out.log.  QEMU runs with HOME=<work>, so <work>/.asoundrc defines
# any host ALSA PCMs an -audiodev alsa uses.  Serialised machine-wide by
# flock /tmp/virtio-snd-guest.lock; killed after <secs>, and 5 s before,
# if it still runs, QEMU's view of its vCPUs goes to <work>/hang.txt
# (lib/hang-report.py).  Returns QEMU's status (124: timeout).
# Environment: VSND_MEM (1G), VSND_SMP (2), VSND_MEMFD=1 (RAM in a shared
# memfd, for vhost-user devices), VSND_APPEND (extra kernel command line),
# VSND_ACCEL (force tcg or kvm), VSND_TCG_THREAD (single: one host thread
# for all vCPUs under TCG, see group_hotplug), VSND_QEMU (the QEMU binary:
# setup.sh's qemu-trixie, or boot_vus's), VSND_MONITOR=1 (an HMP monitor
# on the FIFOs <work>/mon.in and <work>/mon.out, see monitor_start).
#
# Host commands in step with the guest (guest_relay): a guest script calls
# host_do TAG CMD... (tests/guest-lib.sh), which prints "# TAG: SEQ CMD..."
# on its output serial and waits for /host/relay/TAG.SEQ; the host's relay
# for TAG runs its handler on CMD and writes that file (first line: the
# handler's status, then its output).  The monitor is one such relay
# (tag "monitor"); any other (a device's control FIFO) takes a handler.

VSND_LOCK=/tmp/virtio-snd-guest.lock
VSND_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# accel: tcg, unless /dev/kvm exists and a probe boot shows KVM works
guest_accel() {
	local probe=$VSND_CACHE/kvm-probe w
	[ -n "${VSND_ACCEL:-}" ] && { echo "$VSND_ACCEL"; return; }
	if [ ! -w /dev/kvm ]; then echo tcg; return; fi
	if [ ! -e "$probe" ]; then
		w=$(mktemp -d) || { echo tcg; return; }
		printf '#!/bin/sh\necho kvm-probe-ok\n' > "$w/cmd.sh"
		chmod +x "$w/cmd.sh"
		VSND_ACCEL=kvm VSND_MONITOR= guest_run "$w" 30 "$1" >/dev/null 2>&1
		if grep -q kvm-probe-ok "$w/out.log" 2>/dev/null; then
			echo kvm > "$probe"
		else
			echo tcg > "$probe"
		fi
		rm -rf "$w"
	fi
	cat "$probe"
}

guest_run() {
	local work=$1 secs=$2 initrd=$3 accel mem=() mon=() qmp watch rc
	shift 3
	accel=$(guest_accel "$initrd")
	[ "$accel" = tcg ] && [ -n "${VSND_TCG_THREAD:-}" ] &&
		accel=tcg,thread=$VSND_TCG_THREAD
	# vhost-user back-ends need the guest RAM in shared memory
	[ -n "${VSND_MEMFD:-}" ] &&
		mem=(-object "memory-backend-memfd,id=vsnd-mem,size=${VSND_MEM:-1G},share=on"
		     -machine memory-backend=vsnd-mem)
	if [ -n "${VSND_MONITOR:-}" ]; then
		monitor_start "$work" || return 1
		mon=(-chardev "pipe,id=vsnd-mon,path=$work/mon"
		     -mon chardev=vsnd-mon,mode=readline)
	fi
	# every guest has a QMP monitor, for hang-report.py (a socket's path
	# is short: not in the work dir)
	qmp=$(mktemp -d /tmp/vsnd-qmp.XXXXXX) || return 1
	: > "$work/console.log"
	: > "$work/out.log"
	rm -f "$work/hang.txt"
	{
		flock 9
		# 5 s before QEMU is killed, what it sees of a guest that
		# still runs goes to hang.txt
		python3 "$VSND_LIB/hang-report.py" --after $((secs > 10 ? secs - 5 : secs)) \
			"$work/hang.txt" "$qmp/sock" < /dev/null > /dev/null 2>&1 9>&- &
		watch=$!
		HOME=$work timeout -k 10 "$secs" \
			"${VSND_QEMU:-$VSND_CACHE/bin/qemu-trixie}" \
			-nodefaults -machine q35 -accel "$accel" \
			-cpu max -m "${VSND_MEM:-1G}" -smp "${VSND_SMP:-2}" \
			-display none -no-reboot -monitor none \
			-kernel "$KIMG" -initrd "$initrd" \
			-append "console=ttyS0 loglevel=7 panic=-1 ${VSND_APPEND:-}" \
			-serial "file:$work/console.log" -serial "file:$work/out.log" \
			-virtfs "local,path=$work,mount_tag=vsnd,security_model=none,id=vsnd" \
			-chardev "socket,id=vsnd-qmp,path=$qmp/sock,server=on,wait=off" \
			-mon chardev=vsnd-qmp,mode=control \
			"${mem[@]}" "${mon[@]}" "$@" </dev/null 9>&-
		rc=$?
		kill "$watch" 2> /dev/null
		wait "$watch" 2> /dev/null
	} 9> "$VSND_LOCK"
	rm -rf "$qmp"
	[ -n "${VSND_MONITOR:-}" ] && guest_relay_stop $MON_PIDS
	return $rc
}

# guest_relay <work> <tag> <handler>: serve the guest's "# <tag>: SEQ CMD..."
# lines of <work>/out.log in the background: run "<handler> CMD..." (words
# split as the guest wrote them, no globbing) and answer in
# <work>/relay/<tag>.SEQ; a log of every request goes to <work>/relay/<tag>.log.
# Start it before guest_run (which empties out.log; the relay follows);
# stop it after with guest_relay_stop $RELAY_PID.
guest_relay() {
	local work=$1 tag=$2 handler=$3
	mkdir -p "$work/relay"
	(
		local done=0 total line seq st out
		set -f
		while :; do
			total=$(wc -l < "$work/out.log" 2>/dev/null || echo 0)
			[ "$total" -lt "$done" ] && done=0	# emptied: a new run
			if [ "$total" -gt "$done" ]; then
				while IFS= read -r line; do
					line=${line%$'\r'}
					case $line in "# $tag: "*) ;; *) continue ;; esac
					set -- ${line#"# $tag: "}
					seq=$1
					shift
					out=$("$handler" "$@" 2>&1)
					st=$?
					{ echo "$st"; [ -n "$out" ] && echo "$out"; } \
						> "$work/relay/.$tag.$seq"
					mv "$work/relay/.$tag.$seq" "$work/relay/$tag.$seq"
					printf '%s %s %s -> %s\n%s\n' "$(date +%T.%N)" \
						"$seq" "$*" "$st" "$out" >> "$work/relay/$tag.log"
				done < <(sed -n "$((done + 1)),${total}p" "$work/out.log")
				done=$total
			fi
			sleep 0.2
		done
	) &
	RELAY_PID=$!
}

# guest_relay_stop PID...: end relays (and other helpers) started here
guest_relay_stop() {
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

# monitor_start <work>: the FIFOs of VSND_MONITOR=1, the monitor's output
# kept in <work>/mon.log, and the relay "monitor" (guest: host_do monitor
# HMP-COMMAND; the answer holds the command's output).  Sets MON_PIDS.
monitor_start() {
	MON_WORK=$1
	rm -f "$1/mon.in" "$1/mon.out"
	mkfifo "$1/mon.in" "$1/mon.out" || return 1
	: > "$1/mon.log"
	# QEMU opens both FIFOs read-write; this open waits for QEMU
	cat "$1/mon.out" >> "$1/mon.log" &
	MON_PIDS=$!
	guest_relay "$1" monitor monitor_cmd
	MON_PIDS="$MON_PIDS $RELAY_PID"
}

# monitor_cmd HMP-COMMAND...: send one command, wait (5 s) for the next
# prompt, print what the monitor answered; fails on an "Error" answer
monitor_cmd() {
	local log=$MON_WORK/mon.log before i=0 out
	before=$(wc -c < "$log")
	printf '%s\n' "$*" | timeout 5 tee "$MON_WORK/mon.in" > /dev/null || return 1
	while :; do
		out=$(tail -c +"$((before + 1))" "$log" | tr -d '\r' |
			sed 's/\x1b\[[0-9;]*[A-Za-z]//g')
		# the command's echo, its output, then a new prompt
		[[ $out == *"(qemu)"* ]] && break
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "no answer from the monitor"; return 1; }
		sleep 0.1
	done
	# drop the echo (readline redraws the line as it grows) and prompts
	out=$(echo "$out" | sed '1d' | grep -v '(qemu)' | grep -v '^$')
	[ -n "$out" ] && echo "$out"
	! echo "$out" | grep -qi error
}

KERNEL_LOG_BAD='BUG:|WARNING:|Oops|Call Trace|printk messages dropped|possible circular locking|possible recursive locking|inconsistent lock state|INFO: |sleeping function called from invalid context|Lost interrupts\?|UBSAN:|unreferenced object|Kernel panic|general protection fault|hung_task|RCU stall|rcu_sched self-detected'

# kernel_log_errors <console.log>: the lines that fail a run
kernel_log_errors() {
	grep -aE "$KERNEL_LOG_BAD" "$1" | tr -d '\r'
}

# driver_messages <console.log> <regex>: the lines the driver under test
# logged on its device ("virtio_snd virtioN: ...") that do not match
# <regex>, the messages the group's device causes on purpose (empty: none)
driver_messages() {
	grep -aE 'virtio_snd virtio[0-9]+: ' "$1" | tr -d '\r' |
		if [ -n "$2" ]; then grep -vE "$2"; else cat; fi
}

# kernel_log_early <console.log>: true if the first line that fails the
# run came before the guest's /init started (tests/init logs "vsnd-init:
# start"), i.e. while the kernel booted, before any module was loaded
kernel_log_early() {
	local bad start
	bad=$(grep -naE "$KERNEL_LOG_BAD" "$1" | head -n 1 | cut -d: -f1)
	start=$(grep -naF 'vsnd-init: start' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$bad" ] && { [ -z "$start" ] || [ "$bad" -lt "$start" ]; }
}
