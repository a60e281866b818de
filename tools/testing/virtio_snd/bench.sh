#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks: our driver against the kernel's in-tree virtio_snd, in the
# same run on the same machine, as ratios (ours / in-tree; lower is better).
#   bench.sh [KERNEL=6.12] [ROUNDS=5] [BEFORE=<virtio_snd.ko>]
# Boots one guest per driver and round, the order alternating between
# rounds, each measuring tests/bench.sh (per stream case: guest CPU,
# context switches and timer interrupts per period, interrupt ->
# period_elapsed latency; probe time, module size); reports the median and
# the range of the rounds as a Markdown table on stdout.  Timing is not
# asserted anywhere: the numbers go into BENCHMARKS.md.  BEFORE adds a
# column for a prebuilt module of ours (an earlier commit), measured in the
# same rounds.  Exit status 1 if a
# guest could not be measured.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

KERNEL=6.12 ROUNDS=5 BEFORE=
for a in "$@"; do
	case $a in
	KERNEL=*|ROUNDS=*|BEFORE=*) eval "${a%%=*}=\${a#*=}" ;;
	*) echo "usage: $0 [KERNEL=6.12] [ROUNDS=5] [BEFORE=<virtio_snd.ko>]" >&2; exit 2 ;;
	esac
done
CASES="play20 cap20 play10 play5 play2 tsched10"
KEYS=
for c in $CASES; do
	for h in "" _hog; do
		KEYS="$KEYS ${c}${h}_cpu ${c}${h}_ctxt ${c}${h}_timer ${c}${h}_lat_p50 ${c}${h}_lat_p99"
	done
done
KEYS="$KEYS delay10_dev_p50 delay10_dev_p99 delay10_ptr_p50 delay10_ptr_p99"
KEYS="$KEYS probe_ms module_bytes"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/vsnd-bench.XXXXXX")
status=0

# one_round DRIVER ROUND: boot, keep "KEY VALUE" lines in $OUT/DRIVER.ROUND
# (DRIVER before: ours, from the module BEFORE)
one_round() {
	suite_init "$KERNEL" "$1-bench"
	DRIVER=$1 VSND_MODULE=
	[ "$1" = before ] && DRIVER=ours VSND_MODULE=$BEFORE
	if ! suite_prepare 2>/dev/null; then
		echo "bench: cannot prepare $1: $(cut -f3 "$RESULTS")" >&2
		return 1
	fi
	mkdir -p "$RUN/bench"
	boot bench 300 bench.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2 2>/dev/null
	sed -n 's/^# bench: //p' "$RUN/bench/out.txt" > "$OUT/$1.$2"
	if grep -q '^not ok' "$RESULTS"; then
		echo "bench: $1 round $2: $(grep '^not ok' "$RESULTS" | head -n 1)" >&2
		return 1
	fi
}

# spread DRIVER KEY: "median min..max" of the rounds ("fail" if any failed)
spread() {
	local vals
	vals=$(cat "$OUT/$1".* 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }')
	if [ -z "$vals" ] || echo "$vals" | grep -q fail; then
		echo fail
		return
	fi
	# none: nothing to measure in any round (no period reported)
	if ! echo "$vals" | grep -qv none; then
		echo none
		return
	fi
	echo "$vals" | sort -g | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)], v[1] ".." v[NR] }'
}

for r in $(seq "$ROUNDS"); do
	order="ours intree${BEFORE:+ before}"
	[ $((r % 2)) = 0 ] && order="${BEFORE:+before }intree ours"
	for d in $order; do
		echo "bench: round $r, $d" >&2
		one_round "$d" "$r" || status=1
	done
done

bcols= bsep=
[ -n "$BEFORE" ] && bcols=" before median | before range |" bsep="---:|---:|"
echo "| measure (kernel $KERNEL, $ROUNDS rounds) | ours median | ours range | in-tree median | in-tree range | ours / in-tree |$bcols"
echo "|---|---:|---:|---:|---:|---:|$bsep"
for k in $KEYS; do
	set -- $(spread ours "$k") x
	o=$1 orange=${2/#x/-}
	set -- $(spread intree "$k") x
	i=$1 irange=${2/#x/-}
	ratio=n/a
	if [ "$o" != fail ] && [ "$i" != fail ] && [ "$o" != none ] &&
	   [ "$i" != none ] && [ "$i" != 0 ]; then
		ratio=$(awk -v o="$o" -v i="$i" 'BEGIN { printf "%.2f", o / i }')
	fi
	b=
	if [ -n "$BEFORE" ]; then
		set -- $(spread before "$k") x
		b=" $1 | ${2/#x/-} |"
	fi
	echo "| $k | $o | $orange | $i | $irange | $ratio |$b"
done
rm -rf "$OUT"
exit $status
