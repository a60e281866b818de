#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks: our driver against the kernel's in-tree virtio_snd, in the
# same run on the same machine, as ratios (ours / in-tree; lower is better).
#   bench.sh [KERNEL=6.12] [ROUNDS=3]
# Boots one guest per driver and round, alternating, each measuring
# tests/bench.sh (guest CPU, interrupts and context switches while playing
# and recording S16 48 kHz stereo in real time with 20 ms periods, and
# playing with 5 ms periods; probe time, module size); reports the median
# of the rounds as a Markdown table on stdout.  Timing is not asserted
# anywhere: the numbers go into BENCHMARKS.md.  Exit status 1 if a guest could not be measured.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

KERNEL=6.12 ROUNDS=3
for a in "$@"; do
	case $a in
	KERNEL=*|ROUNDS=*) eval "${a%%=*}=\${a#*=}" ;;
	*) echo "usage: $0 [KERNEL=6.12] [ROUNDS=3]" >&2; exit 2 ;;
	esac
done
KEYS="play_cpu_permille play_irqs play_ctxt cap_cpu_permille cap_irqs cap_ctxt play5ms_cpu_permille play5ms_irqs play5ms_ctxt probe_ms module_bytes"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/vsnd-bench.XXXXXX")
status=0

# one_round DRIVER ROUND: boot, keep "KEY VALUE" lines in $OUT/DRIVER.ROUND
one_round() {
	suite_init "$KERNEL" "$1-bench"
	DRIVER=$1
	if ! suite_prepare 2>/dev/null; then
		echo "bench: cannot prepare $1: $(cut -f3 "$RESULTS")" >&2
		return 1
	fi
	mkdir -p "$RUN/bench"
	boot bench 180 bench.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2 2>/dev/null
	sed -n 's/^# bench: //p' "$RUN/bench/out.txt" > "$OUT/$1.$2"
	if grep -q '^not ok' "$RESULTS"; then
		echo "bench: $1 round $2: $(grep '^not ok' "$RESULTS" | head -n 1)" >&2
		return 1
	fi
}

# median DRIVER KEY: median of the rounds ("fail" if any round failed)
median() {
	local vals
	vals=$(cat "$OUT/$1".* 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }')
	if [ -z "$vals" ] || echo "$vals" | grep -q fail; then
		echo fail
		return
	fi
	echo "$vals" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for r in $(seq "$ROUNDS"); do
	for d in ours intree; do
		echo "bench: round $r, $d" >&2
		one_round "$d" "$r" || status=1
	done
done

echo "| measure (median of $ROUNDS, kernel $KERNEL) | ours | in-tree | ours / in-tree |"
echo "|---|---:|---:|---:|"
for k in $KEYS; do
	o=$(median ours "$k")
	i=$(median intree "$k")
	ratio=n/a
	if [ "$o" != fail ] && [ "$i" != fail ] && [ "$i" != 0 ]; then
		ratio=$(awk -v o="$o" -v i="$i" 'BEGIN { printf "%.2f", o / i }')
	fi
	echo "| $k | $o | $i | $ratio |"
done
rm -rf "$OUT"
exit $status
