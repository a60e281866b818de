# SPDX-License-Identifier: GPL-2.0
# QEMU runner for the virtio_snd harness (sourced, not run).
#
# guest_run <work> <secs> <initrd> [extra QEMU args...]
# Boots $KIMG with <initrd>, shares <work> as 9p tag "vsnd" (the guest runs
# <work>/cmd.sh), console to <work>/console.log, the script's output to
# <work>/out.log.  QEMU runs with HOME=<work>, so <work>/.asoundrc defines
# any host ALSA PCMs an -audiodev alsa uses.  Serialised machine-wide by
# flock /tmp/virtio-snd-guest.lock; killed after <secs>.  Returns QEMU's
# status (124: timeout).  Environment: VSND_MEM (1G), VSND_SMP (2),
# VSND_MEMFD=1 (RAM in a shared memfd, for vhost-user devices), VSND_APPEND
# (extra kernel command line), VSND_ACCEL (force tcg or kvm).

VSND_LOCK=/tmp/virtio-snd-guest.lock

# accel: tcg, unless /dev/kvm exists and a probe boot shows KVM works
guest_accel() {
	local probe=$VSND_CACHE/kvm-probe w
	[ -n "${VSND_ACCEL:-}" ] && { echo "$VSND_ACCEL"; return; }
	if [ ! -w /dev/kvm ]; then echo tcg; return; fi
	if [ ! -e "$probe" ]; then
		w=$(mktemp -d) || { echo tcg; return; }
		printf '#!/bin/sh\necho kvm-probe-ok\n' > "$w/cmd.sh"
		chmod +x "$w/cmd.sh"
		VSND_ACCEL=kvm guest_run "$w" 30 "$1" >/dev/null 2>&1
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
	local work=$1 secs=$2 initrd=$3 accel mem=()
	shift 3
	accel=$(guest_accel "$initrd")
	# vhost-user back-ends need the guest RAM in shared memory
	[ -n "${VSND_MEMFD:-}" ] &&
		mem=(-object "memory-backend-memfd,id=vsnd-mem,size=${VSND_MEM:-1G},share=on"
		     -machine memory-backend=vsnd-mem)
	: > "$work/console.log"
	: > "$work/out.log"
	HOME=$work flock "$VSND_LOCK" timeout -k 10 "$secs" \
		qemu-system-x86_64 -nodefaults -machine q35 -accel "$accel" \
		-cpu max -m "${VSND_MEM:-1G}" -smp "${VSND_SMP:-2}" \
		-display none -no-reboot -monitor none \
		-kernel "$KIMG" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=7 panic=-1 ${VSND_APPEND:-}" \
		-serial "file:$work/console.log" -serial "file:$work/out.log" \
		-virtfs "local,path=$work,mount_tag=vsnd,security_model=none,id=vsnd" \
		"${mem[@]}" "$@" </dev/null
}

# kernel_log_errors <console.log>: the lines that fail a run
kernel_log_errors() {
	grep -aE 'BUG:|WARNING:|Oops|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|INFO: |sleeping function called from invalid context|Lost interrupts\?|UBSAN:|unreferenced object|Kernel panic|general protection fault|hung_task|RCU stall|rcu_sched self-detected' "$1" |
		tr -d '\r'
}
