#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one guest script under the harness (for developing tests):
#   run-guest.sh [KERNEL=..] [DRIVER=..] [SECS=300] SCRIPT [QEMU args...]
# SCRIPT (a host file) runs in the guest with VSND_CARD/VSND_DRIVER set and
# the module under test loaded; its work dir is shared as /host.  Without
# QEMU args the guest gets "-audiodev none -device virtio-sound-pci".
# Prints the script's output, then the result lines, guest and kernel log
# checks as KTAP; exit status 0 only if nothing failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

KERNEL=${KERNEL:-6.12} DRIVER=${DRIVER:-ours} SECS=${SECS:-300}
while [ $# -gt 0 ]; do
	case $1 in
	KERNEL=*|DRIVER=*|SECS=*) eval "${1%%=*}=\${1#*=}"; shift ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] && [ -f "$1" ] || { sed -n '4,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
script=$(readlink -f "$1")
shift
[ $# -gt 0 ] || set -- -audiodev none,id=n -device virtio-sound-pci,audiodev=n
suite_init "$KERNEL" "$DRIVER-guest"
DRIVER=${DRIVER%-guest}
if suite_prepare 2>/dev/null; then
	mkdir -p "$RUN/guest"
	install -m 755 "$script" "$RUN/guest/test.sh"
	boot guest "$SECS" /host/test.sh "$@" 2>/dev/null
	cat "$RUN/guest/out.txt"
fi
suite_report
