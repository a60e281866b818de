# SPDX-License-Identifier: GPL-2.0
# Harness boots against the vhost-user test device (sourced by harness.sh).
#
# boot_vus GROUP SECS SCRIPT CONFIG [QEMU args]
#   `boot` (lib/suite.sh: same result lines, guest completion, kernel log)
#   with vhost-user-snd (vhost-user-snd/) started next to QEMU on CONFIG
#   (a path; relative paths are taken from tests/), guest RAM shared
#   (VSND_MEMFD=1).  The device's files are in $RUN/GROUP/vus/
#   (streamN.raw, violations.log, backend.log).  Two more result lines:
#   virtio_snd.GROUP.violations, ok if the device logged no spec violation
#   by the driver, and virtio_snd.GROUP.hidden_glitches (both left out
#   with VUS_FUZZ=1: the fuzzer causes both on purpose).  Environment:
#     VUS_DEVOPTS  extra vhost-user-snd-pci options (",controls=on" for a
#                  config with [control] sections)
#     VUS_ARGS     extra back-end options (e.g. "-p" to keep serving
#                  after a `disconnect`, "-i" for the instant clock)
#     VSND_QEMU_VUS  the QEMU binary (setup.sh's qemu-trixie-backports)
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
	# QEMU 11.1: 10.0.x stable gives every queue 1024 entries (setup.sh)
	VSND_MEMFD=1 VSND_QEMU=${VSND_QEMU_VUS:-$VSND_CACHE/bin/qemu-trixie-backports} \
		boot "$g" "$secs" "$script" "${VUS_QEMU_ARGS[@]}" "$@"
	guest_relay_stop "$relay"
	vus_stop "$VUS_WORK" 2> /dev/null
	rc=$?
	n=$(wc -l < "$VUS_WORK/violations.log" 2>/dev/null || echo 0)
	if [ -n "${VUS_FUZZ:-}" ]; then
		# replies the device did not act on put its state and the
		# driver's apart: violations and gaps are the fuzzer's doing
		say "group $g: $n spec violation(s) logged under the fuzzer"
		return 0
	fi
	if [ $rc = 0 ]; then
		result ok "virtio_snd.$g.violations"
	elif [ $rc = 2 ]; then
		result "not ok" "virtio_snd.$g.violations" "the device wrote no violation log (see $VUS_WORK/backend.log)"
	else
		result "not ok" "virtio_snd.$g.violations" "$n spec violation(s) by the driver, first: $(head -n 1 "$VUS_WORK/violations.log")"
	fi
	vus_hidden_glitches "$g"
}

# vus_hidden_glitches GROUP: a stream that ran dry on the device's clock and
# was then fed again without a STOP ran through a gap that ALSA did not see
# as an xrun (a reported xrun stops the stream).  The device logs each one
# ("stream N: underrun (K so far)"); ours must have none.
vus_hidden_glitches() {
	local g=$1 log=$VUS_WORK/backend.log n first
	if ! grep -q "listening on" "$log" 2>/dev/null; then
		result "not ok" "virtio_snd.$g.hidden_glitches" "cannot count: no device log ($log)"
		return
	fi
	n=$(grep -cE 'stream [0-9]+: (underrun|overrun) \(' "$log")
	first=$(grep -m 1 -E 'stream [0-9]+: (underrun|overrun) \(' "$log")
	if [ "$n" = 0 ]; then
		result ok "virtio_snd.$g.hidden_glitches"
	elif [ "$DRIVER" = intree ]; then
		result "not ok" "virtio_snd.$g.hidden_glitches" "XFAIL in-tree: $n device-side xrun(s) ALSA did not see, first: ${first#vhost-user-snd: *: }"
	else
		result "not ok" "virtio_snd.$g.hidden_glitches" "$n device-side xrun(s) ALSA did not see, first: ${first#vhost-user-snd: *: }"
	fi
}

# vus_expect CONFIG: what ALSA must show for a device description, one
# line per item (tests/vhost.sh reads it):
#   stream ID p|c DEV FORMATS CHMIN CHMAX RATEMIN RATEMAX   (ALSA names,
#                                  sorted, comma-separated; DEV: the PCM
#                                  device, nids in ascending order)
#   jack ID on|off
#   chmap DEV p|c POSITIONS
#   control TYPE COUNT NAME         (ALSA type name; NAME to the end)
vus_expect() {
	awk '
	function flush() {
		if (sec == "stream") {
			ns++; sdir[ns] = (kv["direction"] ~ /^(input|capture)/) ? "c" : "p"
			snid[ns] = kv["nid"] + 0; nids[snid[ns]] = 1
			sfmt[ns] = kv["formats"]; sch[ns] = kv["channels"]; srate[ns] = kv["rates"]
		} else if (sec == "jack") {
			printf "jack %d %s\n", nj++, (kv["connected"] ~ /^(yes|1|on|true)/) ? "on" : "off"
		} else if (sec == "chmap") {
			nc++; cnid[nc] = kv["nid"] + 0
			cdir[nc] = (kv["direction"] ~ /^(input|capture)/) ? "c" : "p"
			cpos[nc] = kv["positions"]
		} else if (sec == "control") {
			t = toupper(kv["type"]); cnt = ("count" in kv) ? kv["count"] + 0 : 1
			printf "control %s %d %s\n", t, cnt, kv["name"]
		}
		delete kv
	}
	function alsa(f) {
		if (f ~ /^(S8|U8|IMA_ADPCM|MU_LAW|A_LAW|DSD_U8)$/) return f
		if (f ~ /_3$/) return f "LE"
		return f "_LE"
	}
	function lst(s, sep,   a, n, i, o) {
		gsub(/,/, " ", s); n = split(s, a, " "); o = ""
		for (i = 1; i <= n; i++) o = o (i > 1 ? sep : "") a[i]
		return o
	}
	/^[ \t]*(#|$)/ { next }
	{ sub(/[ \t]*#.*/, "") }
	/^\[/ { flush(); sec = substr($0, 2, index($0, "]") - 2); next }
	{
		k = $0; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+/, "", k)
		v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
		kv[k] = v
	}
	END {
		flush()
		n = 0
		for (i = 0; i < 4096; i++) if (i in nids) dev[i] = n++
		for (i = 1; i <= ns; i++) {
			m = split(lst(sfmt[i], " "), f, " "); o = ""
			for (j = 1; j <= m; j++) f[j] = alsa(f[j])
			# sort (insertion) so the guest compares sets
			for (j = 2; j <= m; j++) for (l = j; l > 1 && f[l - 1] > f[l]; l--) {
				x = f[l]; f[l] = f[l - 1]; f[l - 1] = x }
			for (j = 1; j <= m; j++) o = o (j > 1 ? "," : "") f[j]
			split(lst(sch[i], " "), c, " "); if (c[2] == "") c[2] = c[1]
			m = split(lst(srate[i], " "), r, " "); lo = r[1] + 0; hi = lo
			for (j = 2; j <= m; j++) { if (r[j] + 0 < lo) lo = r[j] + 0; if (r[j] + 0 > hi) hi = r[j] + 0 }
			printf "stream %d %s %d %s %d %d %d %d\n", i - 1, sdir[i], dev[snid[i]], o, c[1], c[2], lo, hi
		}
		for (i = 1; i <= nc; i++)
			printf "chmap %d %s %s\n", dev[cnid[i]], cdir[i], lst(cpos[i], ",")
	}' "$1"
}

# vus_pick WANTED... -- HAVE,HAVE...: the first WANTED in the HAVE list
vus_pick() {
	local f have
	have=${!#}
	for f in "$@"; do
		[ "$f" = -- ] && break
		[[ ,$have, == *,$f,* ]] && { echo "$f"; return 0; }
	done
	return 1
}

# capture_check FORMAT CHANNELS FRAMES FILE [any]: FILE holds the device's
# capture pattern (sample k = k, little-endian, in the sample's width) for
# exactly FRAMES frames, from its start (or with "any", from any frame on:
# a client that joined a running stream); prints one line, status 0 when
# it does
capture_check() {
	python3 - "$@" <<-'PY'
	import sys
	fmt, ch, frames, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	w = {"S8": 1, "U8": 1, "S16_LE": 2, "U16_LE": 2, "S24_3LE": 3}.get(fmt, 4)
	got = open(path, "rb").read()
	n = frames * ch
	if len(got) != n * w:
	    print("%d bytes, want %d" % (len(got), n * w)); sys.exit(1)
	m = (1 << (8 * w)) - 1
	k0 = 0
	if sys.argv[5:] == ["any"]:
	    k0 = int.from_bytes(got[:w], "little")
	    if k0 % ch:
	        print("starts at sample %d, inside a frame" % k0); sys.exit(1)
	for k in range(n):
	    if int.from_bytes(got[k * w:(k + 1) * w], "little") != (k0 + k) & m:
	        print("sample %d (frame %d) differs" % (k, k // ch)); sys.exit(1)
	print("%d frames bit-exact%s" % (frames, " from sample %d" % k0 if k0 else ""))
	PY
}

# vus_played FORMAT CHANNELS FILE: a stream's file cut to whole frames:
# the guest's hw_params dumps (after the plays) leave silence in other
# frame sizes at its end
vus_played() {
	local fb=$(($(fsize "$1") * $2)) sz
	sz=$(stat -c %s "$3")
	head -c $((sz / fb * fb)) "$3"
}

# vhost_dmix: dmix and dsnoop, two clients each, on the test device
# (tests/dmix.sh); what the device received and sent, checked bit for bit
vhost_dmix() {
	local w=$RUN/dmix n msg
	mkdir -p "$w/rec"
	cp "$(signal S16_LE 2)" "$w/sig.raw"
	boot_vus dmix 90 dmix.sh "$VSND_DIR/vhost-user-snd/example.conf"
	n=virtio_snd.dmix.audio_play
	if [ ! -s "$w/vus/stream0.raw" ]; then
		result "not ok" "$n" "the device received nothing"
	elif ! msg=$(vus_played S16_LE 2 "$w/vus/stream0.raw" > "$w/got" &&
		     "$SIG" cmp S16_LE 2 "$w/sig.raw@$((SIGFRAMES * 4))" "$w/got"); then
		result "not ok" "$n" "$msg"
	# (the silence client played before and after the signal: 0.1 s each)
	elif [[ $msg =~ \(([0-9]+)\ leading,\ ([0-9]+)\ trailing ]] &&
	     [ "${BASH_REMATCH[1]}" -ge 4800 ] && [ "${BASH_REMATCH[2]}" -ge 4800 ]; then
		result ok "$n"
	else
		msg="the signal without silence around it: $msg"
		result "not ok" "$n" "$msg"
	fi
	rm -f "$w/got"
	for n in 0:96000 1:48000; do
		if [ ! -s "$w/rec/rec${n%:*}.raw" ]; then
			msg="no recording"
		elif msg=$(capture_check S16_LE 2 "${n#*:}" "$w/rec/rec${n%:*}.raw" any); then
			result ok "virtio_snd.dmix.audio_record${n%:*}"
			continue
		fi
		result "not ok" "virtio_snd.dmix.audio_record${n%:*}" "$msg"
	done
}

# group_vhost: the test device in its normal configuration
# (tests/vhost.conf, controls=on): everything it describes in ALSA, one
# bit-exact playback per output stream and one capture per input stream,
# jack events, no spec violation (tests/vhost.sh); then the device with a
# 50 ms tick, starved on purpose (tests/glitch.sh)
group_vhost() {
	local w=$RUN/vhost conf=$VSND_DIR/tests/vhost.conf
	local kind id d dev fmts c0 c1 r0 r1 f c sub bytes frames msg line
	mkdir -p "$w/sig" "$w/rec"
	vus_expect "$conf" > "$w/expect"
	cp "$VSND_DIR/tests/hw-ranges" "$w/hw_ranges"
	: > "$w/plan"
	declare -A subs=()
	while read -r kind id d dev fmts c0 c1 r0 r1; do
		[ "$kind" = stream ] || continue
		sub=${subs[$dev$d]:-0}
		subs[$dev$d]=$((sub + 1))
		if [ "$d" = p ]; then
			f=$(vus_pick FLOAT_LE S32_LE S16_LE U8 S8 -- "$fmts") || continue
			bytes=$((SIGFRAMES * c1 * $(fsize "$f")))
			cp "$(signal "$f" "$c1")" "$w/sig/$id.raw"
			echo "play $id $dev $sub $f $r1 $c1 $bytes" >> "$w/plan"
		else
			f=$(vus_pick S32_LE S16_LE U8 S8 -- "$fmts") || continue
			echo "record $id $dev $sub $f $r1 $c1 $((r1 / 4))" >> "$w/plan"
		fi
	done < "$w/expect"
	# (its "Big Counter" holds a value outside its own range)
	VSND_EXPECT_MSGS='control [0-9]+: member [0-9]+ value -?[0-9]+ out of range' \
		VUS_DEVOPTS=,controls=on boot_vus vhost 150 vhost.sh "$conf"
	while read -r kind id dev sub f r c bytes; do
		line=$(grep -m1 "^# ${kind}ed stream$id " "$w/out.txt")
		n=virtio_snd.vhost.$kind.stream$id
		if [ -z "$line" ]; then
			result "not ok" "$n" "not run (guest stopped before)"
		elif [ "${line##* }" != 0 ]; then
			result "not ok" "$n" "$kind failed (status ${line##* })"
		elif [ "$kind" = play ] &&
		     msg=$(vus_played "$f" "$c" "$w/vus/stream$id.raw" > "$w/got" &&
			   "$SIG" cmp "$f" "$c" "$w/sig/$id.raw@$bytes" "$w/got"); then
			result ok "$n"
		elif [ "$kind" = record ] &&
		     msg=$(capture_check "$f" "$c" "$bytes" "$w/rec/$id.raw"); then
			result ok "$n"
		else
			result "not ok" "$n" "$msg"
		fi
	done < "$w/plan"
	rm -f "$w/got"
	vhost_dmix
	VUS_ARGS="-t 50" boot_vus glitch 60 glitch.sh "$VSND_DIR/vhost-user-snd/qemu-like.conf"
	# the audio of pcmtest reset: generation 0, then 1, each in order
	if msg=$("$SIG" reset "$VUS_WORK/stream0.raw" 4800); then
		result ok virtio_snd.glitch.reset_audio
	elif [ "$DRIVER" = intree ]; then
		result "not ok" virtio_snd.glitch.reset_audio "XFAIL in-tree: $msg"
	else
		result "not ok" virtio_snd.glitch.reset_audio "$msg"
	fi
}

# group_fuzz: the test device as a malicious device (tests/fuzz.sh,
# vhost-user-snd's "fuzz SEED RATE"): VSND_FUZZ_SEEDS seeds (default 24)
# from VSND_FUZZ_SEED (default 1) on, a probe, streams, controls and an
# unbind under the fuzzer each, on the faults group's card.  The guest's
# results, then virtio_snd.fuzz.seeds: the guest ran every seed (else the
# seed it stopped in), the device logged each seed's counts and hit
# messages in all (a seed may meet no fault: at one in 32, a probe that
# fails early sends few); and virtio_snd.fuzz.audio_play and
# audio_record: the guest's last playback and capture, after the fuzzer,
# bit for bit.  No violations/hidden_glitches results: the fuzzer causes
# both on purpose.
group_fuzz() {
	local w=$RUN/fuzz n=${VSND_FUZZ_SEEDS:-24} s=${VSND_FUZZ_SEED:-1} tot last msg
	mkdir -p "$w"
	rm -f "$w/rec.raw"
	echo "$s $n" > "$w/fuzz"
	cp "$(signal S16_LE 2)" "$w/sig.raw"
	# page_poison=1: a device write into freed pages is reported
	VSND_APPEND="${VSND_APPEND:-} page_poison=1" VSND_EXPECT_MSGS=. \
		VUS_FUZZ=1 VUS_DEVOPTS=,controls=on \
		boot_vus fuzz $((60 + n * 20)) fuzz.sh faults.conf
	tot=$(grep -m1 'fuzz: total of' "$VUS_WORK/backend.log" 2>/dev/null)
	tot=${tot#*fuzz: }
	last=$(grep '^# fuzz: seed ' "$w/out.txt" | tail -n 1)
	if ! grep -q '^# fuzz: end' "$w/out.txt"; then
		result "not ok" virtio_snd.fuzz.seeds "the guest stopped in ${last#\# fuzz: } (to reproduce: vus fuzz SEED RATE, then bind)"
	elif [ "$(grep -c 'fuzz: seed [0-9]*: ' "$VUS_WORK/backend.log")" != "$n" ]; then
		result "not ok" virtio_snd.fuzz.seeds "the device logged $(grep -c 'fuzz: seed [0-9]*: ' "$VUS_WORK/backend.log") seeds' counts, want $n"
	elif [[ $tot =~ ^total\ of\ $n\ seeds:\ [0-9]+\ messages,\ ([1-9][0-9]*)\ hit ]]; then
		say "fuzz: $tot"
		result ok virtio_snd.fuzz.seeds
	else
		result "not ok" virtio_snd.fuzz.seeds "the device did not fuzz $n seeds: ${tot:-no total in its log}"
	fi
	# recovers' audio: the signal at the end of what the device played
	# (the seeds played silence), and a capture from sample 0
	if msg=$(vus_played S16_LE 2 "$VUS_WORK/stream0.raw" > "$w/got" &&
		 "$SIG" cmp S16_LE 2 "$w/sig.raw@$((SIGFRAMES * 4))" "$w/got"); then
		result ok virtio_snd.fuzz.audio_play
	else
		result "not ok" virtio_snd.fuzz.audio_play "${msg:-the device played nothing}"
	fi
	rm -f "$w/got"
	if [ ! -s "$w/rec.raw" ]; then
		result "not ok" virtio_snd.fuzz.audio_record "no recording"
	elif msg=$(capture_check S16_LE 2 48000 "$w/rec.raw"); then
		result ok virtio_snd.fuzz.audio_record
	else
		result "not ok" virtio_snd.fuzz.audio_record "$msg"
	fi
}

# faults_xfail: for the in-tree driver, the failures listed in
# tests/faults-intree.xfail ("NAME REASON", NAME a result name) become
# XFAILs with that reason
faults_xfail() {
	[ "$DRIVER" = intree ] || return 0
	awk -F '\t' -v OFS='\t' '
	FILENAME == ARGV[1] { n = $0; sub(/ .*/, "", n); r = $0; sub(/^[^ ]* +/, "", r); x[n] = r; next }
	$1 == "not ok" && $3 !~ /^(XFAIL|SKIP)/ && ($2 in x) {
		$3 = "XFAIL in-tree: " x[$2] ($3 == "" ? "" : " (" $3 ")")
	}
	{ print }' <(grep -v '^#' "$VSND_DIR/tests/faults-intree.xfail") "$RESULTS" > "$RESULTS.tmp" &&
		mv "$RESULTS.tmp" "$RESULTS"
}

# group_faults: tests/faults.sh against tests/faults.conf: one boot for the
# faults armed from the guest (requests, replies, I/O, events, probe
# faults by re-binding, the device going away), then one boot per broken
# config-space count (the module loaded by the guest script, so a probe
# that never ends cannot hang the guest).  No fault excuses a spec
# violation by the driver: it must stay within the stream's lifecycle
# whatever the device answers.
group_faults() {
	local w=$RUN/faults conf=$VSND_DIR/tests/faults.conf c k g
	mkdir -p "$w"
	echo run > "$w/mode"
	# page_poison=1: a device write into freed pages is reported; the
	# 360 s are 720 on a debug kernel (boot()), where this guest took
	# 250-400 s on the machines here
	VSND_APPEND="${VSND_APPEND:-} page_poison=1" \
		VSND_EXPECT_MSGS=. \
		VUS_DEVOPTS=,controls=on boot_vus faults 360 faults.sh "$conf"
	for c in streams=0xffffffff jacks=100000 chmaps=0x10000000 controls=0xffffffff; do
		k=${c%%=*}
		g=faults_$k
		mkdir -p "$RUN/$g"
		echo "config huge_$k" > "$RUN/$g/mode"
		sed "/^\[device\]/a advertise_$c" "$conf" > "$RUN/$g/faults.conf"
		VSND_APPEND="${VSND_APPEND:-} noload" \
			VSND_EXPECT_MSGS=. VUS_DEVOPTS=,controls=on \
			boot_vus "$g" 90 faults.sh "$RUN/$g/faults.conf"
	done
	# (the names a boot did not report are XFAILs too where listed)
	plan_check faults
	faults_xfail
}
