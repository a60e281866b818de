#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_snd QEMU test suite: boots guests with virtio-sound-pci devices,
# loads the module under test and checks audio bit for bit.  Prints KTAP on
# stdout (and in $VSND_CACHE/runs/<kernel>-<driver>/ktap), ends with "N
# passed, N failed, N skipped" (every skip says why in its line; one
# without a reason fails).  Progress goes to stderr.  Exit status: 0 if
# nothing failed, 1 if something did, 4 if everything was skipped, 125 if
# the kernel cannot be tested (it lacks an option of ./config, does not
# boot, or has no virtio_snd for DRIVER=intree): "git bisect run" skips it.
#
#   run-tests.sh [KERNEL=6.12|6.1|6.12-rt|6.1-rt|7.3|7.3-rt|debug|debug-rt|<path>]
#                [KERNEL_MODULES=<dir>] [DRIVER=ours|intree]
#                [GROUPS=group,group...] [REPEAT=N]
# (the same names are read from the environment; VSND_GROUPS too).
# KERNEL=<path>: a kernel tree built there (its bzImage, .config and
# modules), or a bzImage with KERNEL_MODULES=<its /lib/modules/<release>>;
# DRIVER=intree tests its own virtio_snd (a module or built in),
# DRIVER=ours our module built against the tree.
# REPEAT=N runs the groups N times over and reports each test once, with
# how many of the N rounds it failed in (a flake check).
# Groups, all by default: QEMU's virtio-sound-pci (lib/suite.sh):
# enum,play,capture,lifecycle,state (and smoke, a 2-minute check that
# the others cover: not in the default list); the vhost-user test device
# (lib/vhost.sh): vhost,faults,fuzz,controls,events; system (lib/system.sh):
# cards,pm,s3,hotplug,selftests.
# VSND_MODULE=<path.ko> tests that prebuilt module instead of building ours;
# VSND_DEVICE_OPTS=,jacks=1 adds options to the lifecycle/state device.
# Logs of the last run: $VSND_CACHE/runs/<kernel>-<driver>/<group>/.
set -u
# The body is one compound command, read whole before it runs: bash reads
# a script as it goes, and an edit during a run would otherwise change it.
{
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

# bash ignores GROUPS from the environment (it is the shell's gid list)
sel=$(tr '\0' '\n' < /proc/$$/environ | sed -n 's/^GROUPS=//p')
ALL=enum,play,capture,lifecycle,state,vhost,faults,fuzz,controls,events,cards,pm,s3,hotplug,selftests
sel=${VSND_GROUPS:-${sel:-$ALL}}
KERNEL=${KERNEL:-6.12}
DRIVER=${DRIVER:-ours}
for a in "$@"; do
	case $a in
	KERNEL=*) KERNEL=${a#*=} ;;
	KERNEL_MODULES=*) export KERNEL_MODULES=${a#*=} ;;
	DRIVER=*) DRIVER=${a#*=} ;;
	GROUPS=*) sel=${a#*=} ;;
	REPEAT=*) REPEAT=${a#*=} ;;
	*) echo "usage: $0 [KERNEL=6.12|6.1|6.12-rt|6.1-rt|7.3|7.3-rt|debug|debug-rt|<path>] [KERNEL_MODULES=<dir>] [DRIVER=ours|intree] [GROUPS=a,b] [REPEAT=N]" >&2
	   exit 2 ;;
	esac
done
REPEAT=${REPEAT:-1}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "$0: REPEAT=$REPEAT is not a count" >&2; exit 2; }

run_groups() {
	local g t0
	for g in ${sel//,/ }; do
		t0=$SECONDS
		case $g in
		enum|play|capture|lifecycle|state|smoke) "group_$g" ;;
		cards|pm|s3|hotplug|selftests) "group_$g" ;;	# lib/system.sh
		vhost|faults|fuzz) "group_$g" ;;	# lib/vhost.sh
		# (these devices make the driver log on purpose; their tests
		# check the messages themselves)
		controls) VSND_EXPECT_MSGS=. VUS_DEVOPTS=,controls=on \
			boot_vus controls 300 controls.sh controls.conf ;;
		events) export VSND_EXPECT_MSGS=.
			boot_vus events 150 events.sh events.conf
			boot_vus events_faults 60 events-faults.sh events-faults.conf
			boot_vus events_faults2 60 "events-faults.sh 2" events-faults2.conf
			boot_vus recovery 90 recovery.sh events.conf
			unset VSND_EXPECT_MSGS
			# pm-state.sh takes guest/pmstate from /host until guest/Makefile builds it
			mkdir -p "$RUN/pm_state"
			gcc -O2 -o "$RUN/pm_state/pmstate" "$VSND_DIR/guest/pmstate.c" -lasound
			boot_vus pm_state 120 pm-state.sh events.conf ;;
		*) result "not ok" "virtio_snd.$g" "cannot run: unknown group" ;;
		esac
		plan_check "$g"
		say "group $g: $((SECONDS - t0)) s"
	done
}

suite_init "$KERNEL" "$DRIVER"
SUITE_GROUPS=$sel
if suite_prepare; then
	for ((ROUND = 1; ROUND <= REPEAT; ROUND++)); do
		[ "$REPEAT" = 1 ] || say "round $ROUND of $REPEAT"
		run_groups
		suite_keep_round
	done
fi
suite_report | tee "$RUN/ktap"
exit "${PIPESTATUS[0]}"
}
