# SPDX-License-Identifier: GPL-2.0
# Test groups and KTAP bookkeeping of the virtio_snd suite (sourced).

SIG=$VSND_DIR/sig.py
FORMATS="S8 U8 S16_LE U16_LE S32_LE U32_LE FLOAT_LE"
# every rate QEMU's virtio-sound-pci offers
RATES="5512 8000 11025 16000 22050 32000 44100 48000 64000 88200 96000 176400 192000 384000"
# The debug kernel (KASAN, lockdep) is there for the checkers, not for the
# data path, which the other kernels prove at every rate; it runs ~4x
# slower, so its play group takes the ends and a few common rates.
DEBUG_RATES="5512 8000 44100 48000 96000 384000"
SIGFRAMES=38437		# 0.1 s at 384 kHz + a partial period

say() { echo "# $*" >&2; }

suite_init() {
	local name=$1
	KERNEL=$1
	DRIVER=$2
	# a kernel given by its path is named by its last component
	case $name in */*) name=path-$(basename "$name") ;; esac
	# one dir per run (several runs may share the cache), the plain
	# name links to the latest; runs older than a day are dropped
	mkdir -p "$VSND_CACHE/runs"
	find "$VSND_CACHE/runs" -mindepth 1 -maxdepth 1 -type d -name "*.r*" \
		-mmin +1440 -exec rm -rf {} + 2>/dev/null
	RUN=$(mktemp -d "$VSND_CACHE/runs/$name-$DRIVER.rXXXXXX")
	chmod 755 "$RUN"
	rm -rf "${RUN%.r*}" 2>/dev/null
	ln -sfn "$(basename "$RUN")" "${RUN%.r*}"
	RESULTS=$RUN/results
	: > "$RESULTS"
}

# result STATUS NAME [DIRECTIVE]: STATUS is "ok" or "not ok"; the line
# also records the round (REPEAT), 0 outside the rounds (set-up)
result() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" "${ROUND:-0}" >> "$RESULTS"
	say "${1} - $2${3:+ # $3}"
}

# suite_keep_round: with REPEAT, a round's group logs are kept (as
# $RUN/round<N>/) only if one of its tests failed
suite_keep_round() {
	local d keep
	[ "${REPEAT:-1}" -gt 1 ] || return 0
	keep=$(awk -F '\t' -v r="$ROUND" '$4 == r && $1 != "ok"' "$RESULTS")
	[ -n "$keep" ] && mkdir -p "$RUN/round$ROUND"
	for d in "$RUN"/*/; do
		d=${d%/}
		case ${d##*/} in round*) continue ;; esac
		if [ -n "$keep" ]; then mv "$d" "$RUN/round$ROUND/"; else rm -rf "$d"; fi
	done
}

# our module for $KREL, built (or rebuilt) now; sets MODULE.  KERNEL=6.12
# builds in the repository (the tree's own .ko is the 6.12 one), any other
# kernel in a copy under $VSND_CACHE/build/<release>.
build_ours() {
	local log=$RUN/build.log dir kdir
	kdir=$(kernel_build_dir 2> "$log") || return 1
	if [ "$KERNEL" = 6.12 ]; then
		dir=$REPO
	else
		dir=$VSND_CACHE/build/$KREL
		[ -z "$KBUILD" ] || dir=$VSND_CACHE/build/tree$(echo "$KBUILD" | tr / _)
		mkdir -p "$dir"
		rsync -a --delete --exclude .git --exclude tools --exclude '*.o' \
			--exclude '*.ko' --exclude '*.mod' --exclude '*.mod.c' \
			--exclude '.*.cmd' --exclude modules.order \
			--exclude Module.symvers "$REPO/" "$dir/" || return 1
	fi
	say "building our module for $KREL in $dir against $kdir"
	make -C "$dir" KDIR="$kdir" > "$log" 2>&1 || return 1
	MODULE=$dir/sound/virtio/virtio_snd.ko
	[ -f "$MODULE" ]
}

# suite_untestable WHY: the kernel under test cannot be tested (it lacks
# an option, does not boot, has no virtio_snd): run-tests.sh exits 125,
# which "git bisect run" takes as "skip this commit"
suite_untestable() {
	touch "$RUN/untestable"
	result "not ok" "virtio_snd.setup" "cannot test this kernel: $1"
}

# suite_kernel_fits: a kernel given by its path has the options the
# selected groups ($SUITE_GROUPS) need (config) and the driver under test
suite_kernel_fits() {
	local miss=
	if [ -z "$KCONFIG" ]; then
		say "no .config found for $KREL: not checked against $VSND_DIR/config"
	else
		miss=$(kconfig_missing "$KCONFIG" "$VSND_DIR/config" "${SUITE_GROUPS:--}")
		if [ "$DRIVER" = ours ]; then
			miss=$(echo "$miss" | grep -v '^CONFIG_SND_VIRTIO=')
			grep -q '^CONFIG_MODULES=y' "$KCONFIG" ||
				miss="$miss${miss:+$'\n'}CONFIG_MODULES=y (have: not set): our module must load"
			grep -q '^CONFIG_SND_VIRTIO=y' "$KCONFIG" &&
				miss="$miss${miss:+$'\n'}CONFIG_SND_VIRTIO=m or not set (have: y: the built-in driver would take the device)"
		fi
	fi
	if [ -z "$miss" ] && [ "$DRIVER" = intree ]; then
		if kernel_builtin virtio_snd; then
			# the groups that unload the driver need a module
			[ -n "$(kconfig_missing <(echo '# nothing') "$VSND_DIR/config" "${SUITE_GROUPS:--}" |
				grep '^CONFIG_MODULE_UNLOAD=')" ] &&
				miss="CONFIG_SND_VIRTIO=m (have: y, and these groups unload the driver)"
		elif [ -z "$(modules_closure "$KMODS" virtio_snd)" ]; then
			miss="CONFIG_SND_VIRTIO=m (no virtio_snd, built in or module)"
		fi
	fi
	[ -z "$miss" ] && return 0
	suite_untestable "$KREL lacks $(echo "$miss" | paste -sd ';' | sed 's/;/; /g') (see $VSND_DIR/config)"
	return 1
}

# suite_boot_probe: a kernel given by its path boots to our /init and
# mounts the host's directory; one that does not is untestable
suite_boot_probe() {
	local w=$RUN/boot secs=60 why rc last
	[ -n "$KSLOW" ] && secs=240
	mkdir -p "$w"
	printf '#!/bin/sh\necho "ok - virtio_snd.boot"\n' > "$w/cmd.sh"
	chmod +x "$w/cmd.sh"
	VSND_APPEND="${VSND_APPEND:-} noload" guest_run "$w" "$secs" "$IMAGE" 2> "$w/qemu.log"
	rc=$?
	tr -d '\r' < "$w/out.log" > "$w/out.txt"
	if grep -q '^ok - virtio_snd.boot' "$w/out.txt"; then
		result ok virtio_snd.boot
		return 0
	fi
	# QEMU could not run at all: the host's fault, not the kernel's
	if [ $rc = 126 ] || [ $rc = 127 ]; then
		result "not ok" "virtio_snd.boot" "cannot run QEMU (status $rc): $(tail -n 1 "$w/qemu.log")"
		return 1
	fi
	if grep -q 'cannot mount the host share' "$w/console.log"; then
		why="no 9p share from the host (CONFIG_NET_9P_VIRTIO, CONFIG_9P_FS)"
	elif ! grep -q '^# vsnd: guest' "$w/out.txt"; then
		last=$(tr -d '\r' < "$w/console.log" | grep -v '^$' | tail -n 1)
		[ -n "$last" ] || last=$(tail -n 1 "$w/qemu.log")
		[ -n "$last" ] || last="no console output"
		why="it did not reach /init ($([ $rc = 124 ] && echo "in ${secs}s" ||
			echo "QEMU status $rc")): $last"
	else
		why="/init ran, the probe script did not (see $w)"
	fi
	suite_untestable "$why"
	return 1
}

suite_prepare() {
	local why rc
	kernel_resolve "$KERNEL" 2> "$RUN/kernel.log"
	rc=$?
	if [ $rc != 0 ]; then
		why=$(tail -n 1 "$RUN/kernel.log")
		# a tree that did not build cannot be tested (bisect: skip);
		# a wrong path is the caller's mistake
		case $KERNEL/$rc in
		*/*/1) suite_untestable "$why" ;;
		*) result "not ok" "virtio_snd.setup" "cannot run: guest kernel $KERNEL: $why" ;;
		esac
		return 1
	fi
	say "kernel $KREL ($KIMG), driver $DRIVER, logs in $RUN"
	case $KERNEL in */*) suite_kernel_fits || return 1 ;; esac
	MODULE=
	case $DRIVER/$KERNEL in
	intree/*/*) ;;		# the tree's own, module or built in
	intree/debug|intree/debug-rt)
		result "not ok" "virtio_snd.setup" "cannot run: the debug kernel has only our driver"
		return 1 ;;
	intree/*)
		if [ -z "$(modules_closure "$KMODS" virtio_snd)" ]; then
			result "not ok" "virtio_snd.setup" "cannot run: $KREL has no in-tree virtio_snd"
			return 1
		fi ;;
	ours/debug|ours/debug-rt)
		MODULE=$(find "$KMODS" -name 'virtio_snd.ko*' | head -n 1)
		[ -n "$MODULE" ] || {
			result "not ok" "virtio_snd.setup" "cannot run: no virtio_snd.ko in $KMODS"
			return 1; } ;;
	ours/*)
		if [ -n "${VSND_MODULE:-}" ]; then
			MODULE=$VSND_MODULE	# a prebuilt .ko (e.g. a broken one)
			[ -f "$MODULE" ] || {
				result "not ok" "virtio_snd.setup" "cannot run: no $MODULE"
				return 1; }
		elif ! build_ours; then
			why=$(grep -m1 -iE 'error|no kernel|cannot' "$RUN/build.log")
			result "not ok" "virtio_snd.setup" "cannot run: building our module failed: ${why:-see $RUN/build.log}"
			return 1
		fi ;;
	*)
		result "not ok" "virtio_snd.setup" "cannot run: unknown DRIVER=$DRIVER (ours or intree)"
		return 1 ;;
	esac
	IMAGE=$RUN/initrd.gz
	if ! image_build "$IMAGE" "$KMODS" "$MODULE" "$DRIVER" 2> "$RUN/image.log"; then
		result "not ok" "virtio_snd.setup" "cannot run: guest image: $(tail -n 1 "$RUN/image.log")"
		return 1
	fi
	case $KERNEL in */*) suite_boot_probe || return 1 ;; esac
	result "ok" "virtio_snd.setup"
}

# boot GROUP SECS SCRIPT [QEMU args]: run /vsnd/SCRIPT (or the guest path
# SCRIPT when absolute) in a guest, collect
# its result lines, the guest's completion and its kernel log: no report
# (KERNEL_LOG_BAD), and no message of the driver's but those matching
# $VSND_EXPECT_MSGS (a regex: what the group's device causes on purpose).
# The work dir $RUN/GROUP must exist (it may hold files for the guest).
# SECS is for a production kernel: a debug one gets twice as long (it runs
# about 4x slower: 17-33 s to /init here, and its two kmemleak scans after
# the script took more than 20 s of a 60 s limit once).
boot() {
	local g=$1 secs=$2 script=$3 w=$RUN/$1 rc errs when=
	shift 3
	[ -n "$KSLOW" ] && secs=$((secs * 2))
	[ "${script#/}" = "$script" ] && script=/vsnd/$script
	printf '#!/bin/sh\nexec %s\n' "$script" > "$w/cmd.sh"
	chmod +x "$w/cmd.sh"
	say "group $g: booting (limit ${secs}s)"
	guest_run "$w" "$secs" "$IMAGE" "$@" 2> "$w/qemu.log"
	rc=$?
	tr -d '\r' < "$w/out.log" > "$w/out.txt"
	grep -E '^(not )?ok - ' "$w/out.txt" | while IFS= read -r l; do
		local st=ok rest=${l#ok - } name dir=
		case $l in "not ok - "*) st="not ok"; rest=${l#not ok - } ;; esac
		name=${rest%% # *}
		[ "$name" != "$rest" ] && dir=${rest#* # }
		result "$st" "$name" "$dir"
	done
	# a script that could not run, or ran and said nothing, must not
	# pass as an empty group
	if ! grep -qE '^(not )?ok - ' "$w/out.txt" &&
	   grep -q '^# vsnd: done' "$w/out.txt"; then
		result "not ok" "virtio_snd.$g.guest" "the guest script gave no result ($(grep -m1 '^# vsnd: cmd.sh exit' "$w/out.txt" | sed 's/^# vsnd: //'))"
	elif grep -qE '^# vsnd: cmd.sh exit 12[67]$' "$w/out.txt"; then
		result "not ok" "virtio_snd.$g.guest" "the guest script could not be run ($(grep -m1 '^# vsnd: cmd.sh exit' "$w/out.txt" | sed 's/^# vsnd: //'))"
	elif grep -q '^# vsnd: done' "$w/out.txt"; then
		result ok "virtio_snd.$g.guest"
	elif [ $rc = 124 ]; then
		result "not ok" "virtio_snd.$g.guest" "guest timed out after ${secs}s (see $w)"
		# QEMU's view of the vCPUs (lib/hang-report.py): where each
		# runs, halted or not (HLT=), its timer, interrupts pending or
		# in service
		[ -f "$w/hang.txt" ] &&
			grep -aE 'CPU #|^--- vCPU [0-9]+: info lapic|^(RIP=|LVTT[[:space:]]|Timer|ISR|IRR)|hang-report' "$w/hang.txt" |
			sed 's/^/hang.txt: /' | while IFS= read -r l; do say "$l"; done
	else
		result "not ok" "virtio_snd.$g.guest" "guest did not finish: qemu status $rc: $(tail -n 1 "$w/qemu.log")"
	fi
	errs=$(kernel_log_errors "$w/console.log")
	if [ -z "$errs" ]; then
		result ok "virtio_snd.$g.kernel_log"
	else
		kernel_log_early "$w/console.log" &&
			when=" (while the kernel booted, before /init and any module loaded)"
		result "not ok" "virtio_snd.$g.kernel_log" "$(echo "$errs" | wc -l) bad lines, first$when: $(echo "$errs" | head -n 1 | sed 's/^\[[ 0-9.]*\] //')"
	fi
	errs=$(driver_messages "$w/console.log" "${VSND_EXPECT_MSGS:-}")
	if [ -z "$errs" ]; then
		result ok "virtio_snd.$g.driver_messages"
	else
		result "not ok" "virtio_snd.$g.driver_messages" "$(echo "$errs" | wc -l) unexpected, first: $(echo "$errs" | head -n 1 | sed 's/^\[[ 0-9.]*\] //')"
	fi
}

group_enum() {
	local w=$RUN/enum s i=0 args=()
	mkdir -p "$w"
	# "2j": streams=2 with one jack and one chmap, which QEMU answers
	# with NOT_SUPP: the card must come up without them
	echo "1 2 3 10 2j" > "$w/streams"
	cp "$VSND_DIR/tests/hw-ranges" "$w/hw_ranges"
	for s in 1 2 3 10 2j; do
		local opts=streams=${s%j}
		[ "$s" = 2j ] && opts=$opts,jacks=1,chmaps=1
		args+=(-audiodev "none,id=n$i" -device "virtio-sound-pci,audiodev=n$i,$opts")
		i=$((i + 1))
	done
	# the jacks/chmaps card: QEMU answers NOT_SUPP
	VSND_EXPECT_MSGS='answered NOT_SUPP|continuing without' \
		boot enum 120 enum.sh "${args[@]}"
}

# signal FORMAT CHANNELS: path of the cached test signal
signal() {
	local f=$VSND_CACHE/signal/$1.$2
	if [ ! -s "$f" ]; then
		mkdir -p "$VSND_CACHE/signal"
		"$SIG" gen "$1" "$2" "$SIGFRAMES" "$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

fsize() { # fsize FORMAT: bytes per sample
	case $1 in S8|U8) echo 1 ;; S16_LE|U16_LE) echo 2 ;; *) echo 4 ;; esac
}

# sig_link W FORMAT CHANNELS: the test signal as W/sig/FORMAT.CHANNELS
sig_link() {
	[ -e "$1/sig/$2.$3" ] ||
		ln -f "$(signal "$2" "$3")" "$1/sig/$2.$3" 2>/dev/null ||
		cp "$(signal "$2" "$3")" "$1/sig/$2.$3"
}

# play_output W: QEMU's playback into a host file PCM (W/.asoundrc: every
# stream opened writes a new file in W/pb/); prints the out.* options of
# the -audiodev
play_output() {
	echo "pcm.vsnd_play { type file; slave.pcm \"null\"; file \"$1/pb/play.raw\"; format \"raw\"; truncate false }" >> "$1/.asoundrc"
	echo "out.dev=vsnd_play,out.mixing-engine=off,out.try-poll=off"
}

# capture_input W I FORMAT CHANNELS: the test signal injected into capture
# device I through a host file PCM (W/.asoundrc); prints the in.* options
# of its -audiodev.  QEMU's mixing engine (needed for capture) makes mono
# as left + right: the mono signal goes in on the left.
capture_input() {
	local w=$1 i=$2 f=$3 c=$4 q inj
	case $f in FLOAT_LE) q=f32 ;; *) q=$(echo "${f%_LE}" | tr A-Z a-z) ;; esac
	sig_link "$w" "$f" "$c"
	inj=$w/sig/$f.$c
	if [ "$c" = 1 ]; then
		inj=$w/sig/$f.1.left
		[ -e "$inj" ] || "$SIG" stereo "$f" "$w/sig/$f.1" "$inj"
	fi
	echo "pcm.vsnd_cap$i { type file; slave.pcm \"null\"; file \"/dev/null\"; infile \"$inj\"; format \"raw\" }" >> "$w/.asoundrc"
	echo "in.dev=vsnd_cap$i,in.mixing-engine=on,in.frequency=48000,in.format=$q,in.channels=2,in.try-poll=off,in.buffer-length=10000"
}

group_play() {
	local w=$RUN/play f r c m bytes
	local rates=$RATES

	[ -n "$KSLOW" ] && rates=$DEBUG_RATES
	mkdir -p "$w/sig" "$w/pb"
	: > "$w/combos"
	# QEMU keeps (and appends to) the host voice while the stream
	# parameters stay the same: consecutive plays always differ in rate,
	# so each one lands in a file of its own
	for m in rw mmap; do
		for f in $FORMATS; do
			for c in 1 2; do
				sig_link "$w" "$f" "$c"
				for r in $rates; do
					bytes=$(( (r / 10 + 37) * c * $(fsize "$f") ))
					echo "virtio_snd.play.$f.$r.${c}ch.$m $f $r $c $m $bytes" >> "$w/combos"
				done
			done
		done
	done
	: > "$w/.asoundrc"
	boot play 900 play.sh -audiodev "alsa,id=p,$(play_output "$w"),in.dev=null,in.mixing-engine=off,in.try-poll=off" \
		-device virtio-sound-pci,audiodev=p,streams=1
	# QEMU's file backend has no clock: it takes all the guest has
	# queued at each 10 ms tick, an 80 ms buffer at once, faster than
	# aplay refills it, so these streams underrun by design (aplay
	# prepares and goes on, nothing is lost: the bit-exact check says
	# so).  The smoke group plays what fits its buffer: no xrun there.
	played_check "$w" "$w/combos" xruns-expected
	say "play: $(grep -c '^# xrun ' "$w/out.txt") of $(wc -l < "$w/combos") streams had an xrun (expected here)"
}

# played_check W COMBOS [XRUNS]: the results of the combinations in COMBOS
# that a guest played (play_combos) into W/pb: each bit-exact, and without
# an xrun unless XRUNS is "xruns-expected"
played_check() {
	local w=$1 combos=$2 xruns=${3:-} n f r c m bytes prev= line rc last files
	ls "$w/pb" | sort > "$w/pb.list"
	rm -f "$w/cmp.in"
	: > "$w/verdicts"
	while read -r n f r c m bytes; do
		line=$(grep -m1 "^# played $n " "$w/out.txt")
		if [ -z "$line" ]; then
			echo "$n fail not played (guest stopped before)" >> "$w/verdicts"
			continue
		fi
		set -- $line
		rc=$4 last=${5:-}
		# the files QEMU opened for this stream: after the previous
		# combination's last one, up to and including this one's
		files=$(awk -v a="$prev" -v b="$last" -v d="$w/pb/" \
			'$0 > a && $0 <= b { printf "%s%s%s", s, d, $0; s = "," }' "$w/pb.list")
		prev=$last
		if [ "$rc" != 0 ]; then
			echo "$n fail aplay failed (status $rc)"
		elif [ "$xruns" != xruns-expected ] && grep -qx "# xrun $n" "$w/out.txt"; then
			echo "$n fail aplay reported an xrun"
		else
			echo "$n $f $c $w/sig/$f.$c@$bytes ${files:--}" >> "$w/cmp.in"
		fi >> "$w/verdicts"
	done < "$combos"
	verdicts "$w" "$combos"
}

# verdicts W COMBOS: one result per name COMBOS lists (the first word of
# each line), from W/verdicts ("NAME ok|fail MESSAGE") and the bit-exact
# comparisons requested in W/cmp.in (sig.py cmp-many, one process for them
# all: a Python start costs 0.4 s here, a play group has hundreds)
verdicts() {
	local w=$1 n v msg
	local -A verdict
	[ -s "$w/cmp.in" ] && "$SIG" cmp-many < "$w/cmp.in" >> "$w/verdicts"
	rm -f "$w/cmp.in"
	while read -r n v msg; do
		[ -n "${verdict[$n]:-}" ] || verdict[$n]="$v $msg"
	done < "$w/verdicts"
	while read -r n _; do
		read -r v msg <<< "${verdict[$n]:-fail no verdict (a bug of the harness)}"
		if [ "$v" = ok ]; then result ok "$n"; else result "not ok" "$n" "$msg"; fi
	done < "$2"
}

# buffer_us W: the buffer the guest's aplay/arecord use in the bit-exact
# groups (W/buffer_us): 80 ms, so that the ring wraps; 400 ms on a slow
# (debug) guest, which does not read in time through 80 ms (arecord
# overruns, and a buffer of data is lost: ALSA reports it, so it fails)
buffer_us() {
	if [ -n "$KSLOW" ]; then echo 400000; else echo 80000; fi > "$1/buffer_us"
}

group_capture() {
	local w=$RUN/capture f c m n i=0 args=() frames=9600
	mkdir -p "$w/sig" "$w/rec"
	buffer_us "$w"
	: > "$w/combos"
	: > "$w/.asoundrc"
	for f in $FORMATS; do
		for c in 1 2 2; do
			m=rw
			[ $c = 2 ] && grep -q "\.$f\.48000\.2ch\.rw " "$w/combos" && m=mmap
			n=virtio_snd.capture.$f.48000.${c}ch.$m
			echo "$n $f 48000 $c $m $frames" >> "$w/combos"
			args+=(-audiodev "alsa,id=c$i,out.dev=null,out.mixing-engine=off,out.try-poll=off,$(capture_input "$w" $i "$f" "$c")"
			       -device "virtio-sound-pci,audiodev=c$i,streams=2")
			i=$((i + 1))
		done
	done
	boot capture 600 capture.sh "${args[@]}"
	recorded_check "$w" "$w/combos"
}

# recorded_check W COMBOS: the results of the combinations in COMBOS that
# a guest recorded (capture_combos) into W/rec: the injected signal after
# at most one period (capture_combos': 10 ms) of leading silence,
# bit-exact, without an xrun
recorded_check() {
	local w=$1 combos=$2 n f r c m frames line
	rm -f "$w/cmp.in"
	: > "$w/verdicts"
	while read -r n f r c m frames; do
		line=$(grep -m1 "^# recorded $n " "$w/out.txt")
		if [ -z "$line" ]; then
			echo "$n fail not recorded (guest stopped before)"
			continue
		fi
		set -- $line
		if [ "$4" != 0 ]; then
			echo "$n fail arecord failed (status $4)"
		elif grep -qx "# xrun $n" "$w/out.txt"; then
			echo "$n fail arecord reported an xrun"
		else
			echo "$n $f $c $w/sig/$f.$c $w/rec/$n $((frames - r / 100))" >> "$w/cmp.in"
		fi
	done < "$combos" >> "$w/verdicts"
	verdicts "$w" "$combos"
}

# plan_check GROUP: every name tests/plan lists for GROUP has a result
# this round; one that does not fails as missing (a guest script that
# died halfway must not lose its remaining tests silently)
plan_check() {
	local n
	awk -F '\t' -v g="$1" -v r="${ROUND:-0}" '
	FNR == NR { if ($4 == r) seen[$2] = 1; next }
	$1 == g && !($2 in seen) { print $2 }' "$RESULTS" FS=' ' "$VSND_DIR/tests/plan" |
	while read -r n; do
		result "not ok" "$n" "missing: the group did not report it"
	done
}

# group_smoke: is virtio sound alive on this kernel, in a minute or two
# (Kernel CI, git bisect): enumeration; bit-exact playback of four formats
# and capture of two through QEMU's file backend (0.4 s in 50 ms periods of
# a 0.5 s buffer, which the 6.12 and 7.3 in-tree drivers also stream); one
# pass of the state machine (start, pause, drain, xrun) on a real-time
# device; unbind and bind; and boot()'s kernel-log gates.  Card 0 plays
# and records, card 1 records, card 2 (-audiodev none) keeps time.
group_smoke() {
	local w=$RUN/smoke f r c m n i args=()
	mkdir -p "$w/sig" "$w/pb" "$w/rec"
	: > "$w/.asoundrc"
	: > "$w/play"
	: > "$w/capture"
	for n in "S16_LE 48000 2 rw" "U8 8000 1 mmap" "S32_LE 44100 2 mmap" "FLOAT_LE 96000 1 rw"; do
		set -- $n
		sig_link "$w" "$1" "$3"
		echo "virtio_snd.smoke.play.$1.$2.$3ch.$4 $n $(( $2 * 4 / 10 * $3 * $(fsize "$1") ))" >> "$w/play"
	done
	i=0
	for n in "S16_LE 2 rw" "FLOAT_LE 1 mmap"; do
		set -- $n
		echo "virtio_snd.smoke.capture.$1.48000.$2ch.$3 $1 48000 $2 $3 9600" >> "$w/capture"
		args+=(-audiodev "alsa,id=s$i,$(capture_input "$w" $i "$1" "$2"),$(
			if [ $i = 0 ]; then play_output "$w"
			else echo "out.dev=null,out.mixing-engine=off,out.try-poll=off"; fi)"
		       -device "virtio-sound-pci,audiodev=s$i,streams=2")
		i=$((i + 1))
	done
	boot smoke 300 smoke.sh "${args[@]}" -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2
	played_check "$w" "$w/play"
	recorded_check "$w" "$w/capture"
}

group_lifecycle() {
	mkdir -p "$RUN/lifecycle"
	boot lifecycle 300 lifecycle.sh -audiodev none,id=n \
		-device "virtio-sound-pci,audiodev=n,streams=2${VSND_DEVICE_OPTS:-}"
}

group_state() {
	if [ ! -x "$VSND_DIR/guest/state.sh" ]; then
		result "not ok" "virtio_snd.state" "cannot run: guest/state.sh missing"
		return
	fi
	mkdir -p "$RUN/state"
	boot state 900 state.sh -audiodev none,id=n \
		-device "virtio-sound-pci,audiodev=n,streams=2${VSND_DEVICE_OPTS:-}"
}

# awk: whether a result line (status, directive) counts as passed; XFAIL
# passes only for the in-tree driver (-v intree=1) and only with a reason,
# and a SKIP (skipped(), counted apart) only with its reason
PASSED_AWK='function skipped(st, dir) { return st == "ok" && dir ~ /^SKIP/ }
function passed(st, dir) {
	if (skipped(st, dir))
		return dir ~ /^SKIP [^ ]/
	return st == "ok" || (intree && dir ~ /^XFAIL [^ ]/)
}'

# suite_fold INTREE: with REPEAT, one line per test, in the order of first
# appearance: passed only if it passed in every round (set-up: once), then
# as its last result; otherwise the directive says in how many rounds it
# failed or was missing, and gives the first failure
suite_fold() {
	awk -F '\t' -v OFS='\t' -v rounds="$REPEAT" -v intree="$1" "$PASSED_AWK"'
	!($2 in seen) { order[++n] = $2; seen[$2] = 0; bad[$2] = 0; want[$2] = $4 ? rounds : 1 }
	{
		seen[$2]++
		st[$2] = $1; dir[$2] = $3
		if (!passed($1, $3)) {
			bad[$2]++
			if (!($2 in first))
				first[$2] = "round " $4 ": " ($3 == "" ? "failed" : $3)
		}
	}
	END {
		for (i = 1; i <= n; i++) {
			t = order[i]
			miss = want[t] - seen[t]
			if (miss < 0)
				miss = 0
			if (!bad[t] && !miss) {
				print st[t], t, dir[t]
				continue
			}
			d = (bad[t] + miss) " of " rounds " rounds failed"
			if (miss)
				d = d " (missing in " miss ")"
			if (t in first)
				d = d ", first in " first[t]
			print "not ok", t, d
		}
	}' "$RESULTS"
}

# suite_report: the KTAP stream, ending with "N passed, N failed, N
# skipped" (a SKIP without a reason is a failure); status 0 if nothing
# failed, 1 if something did, 4 if everything was skipped (kselftest's
# KSFT_SKIP), 125 if the kernel cannot be tested (suite_untestable)
suite_report() {
	local lines=$RESULTS suite_intree
	suite_intree=$([ "$DRIVER" = intree ] && echo 1)
	if [ "${REPEAT:-1}" -gt 1 ]; then
		lines=$RUN/results.folded
		suite_fold "$suite_intree" > "$lines"
		awk -F '\t' -v intree="$suite_intree" "$PASSED_AWK"' !passed($1, $3)' \
			"$lines" > "$RUN/flakes"
	fi
	echo "KTAP version 1"
	echo "# virtio_snd suite: kernel $KERNEL${KREL:+ ($KREL)}, driver $DRIVER$([ "${REPEAT:-1}" -gt 1 ] && echo ", $REPEAT rounds")"
	echo "1..$(wc -l < "$lines")"
	awk -F '\t' -v intree="$suite_intree" -v run="$RUN" "$PASSED_AWK"'
	# what every boot reports about itself, not a test of the driver
	function own(t) {
		return t ~ /^virtio_snd\.(setup|boot)$|\.(guest|kernel_log|driver_messages|module_identity)$/
	}
	{
		printf "%s %d %s%s\n", $1, NR, $2, ($3 == "" ? "" : " # " $3)
		if (!passed($1, $3))
			fail++
		else if (skipped($1, $3))
			skip++
		else {
			pass++
			tests += !own($2)
		}
	}
	END {
		printf "# logs: %s\n%d passed, %d failed, %d skipped\n", run,
			pass, fail, skip
		exit fail ? 1 : !tests && skip ? 4 : 0
	}' "$lines"
	local rc=$?
	[ -e "$RUN/untestable" ] && rc=125
	return $rc
}
