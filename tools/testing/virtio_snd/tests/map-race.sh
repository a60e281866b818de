#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A check of QEMU, not of the driver (not in any group):
#   run-guest.sh SECS=220 tests/map-race.sh
#   VSND_TCG_THREAD=single run-guest.sh SECS=220 tests/map-race.sh
# One vCPU changes the memory map as fast as it can (memory and I/O decode
# of every PCI device but the host bridge, the LPC bridge and the 9p
# device, off and back as they were) while the other reads through the 9p device (/host) and the
# HPET.  QEMU 10.0.13 with multi-threaded TCG aborts within a minute or
# two (msix_table_mmio_read, or iotlb_to_section as in a hotplug group):
# a vCPU resolves a TLB entry made under the old map against the new one.
# With one TCG thread, or with QEMU 11.1, it survives (RESULTS.md).
secs=${RACE_SECS:-150}
toggle=
for d in /sys/bus/pci/devices/*; do
	case $(basename "$d") in 0000:00:00.0|0000:00:1f.0) continue ;; esac
	case $(cat "$d/device") in 0x1009|0x1049) continue ;; esac
	toggle="$toggle $d"
done
# shellcheck disable=SC2086 # one word per device
set -- $toggle
if [ $# = 0 ]; then
	echo "not ok - map_race.qemu_survived # no device to turn off and on"
	exit 0
fi
echo "# toggling:$toggle"
# the low byte of each command register as it is, to turn back on
i=0
for d in $toggle; do
	i=$((i + 1))
	dd if="$d/config" of="/tmp/cmd.$i" bs=1 skip=4 count=1 2>/dev/null
done
echo hpet > /sys/devices/system/clocksource/clocksource0/current_clocksource
echo "# clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

# shellcheck disable=SC2016 # expanded by the inner shell
taskset 1 sh -c 'while :; do cat /host/cmd.sh /proc/uptime > /dev/null; done' &
reader=$!
# ten rounds per process: forks are the slow part
round="for r in 1 2 3 4 5 6 7 8 9 10; do
	for d in $toggle; do
		printf '\\000' | dd of=\$d/config bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
	done
	i=0
	for d in $toggle; do
		i=\$((i + 1))
		dd if=/tmp/cmd.\$i of=\$d/config bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
	done
done"
end=$(($(cut -d. -f1 /proc/uptime) + secs))
n=0
while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	taskset 2 sh -c "$round"
	n=$((n + 10))
done
kill $reader
echo "# $n rounds of $# devices off and on"
echo "ok - map_race.qemu_survived"
