# SPDX-License-Identifier: GPL-2.0
# Helpers for the harness's own guest scripts (busybox sh, sourced).
# Result lines follow the harness contract:
#   ok - NAME | not ok - NAME # REASON | ok - NAME # SKIP R | not ok - NAME # XFAIL R

card=${VSND_CARD:-0}
driver=${VSND_DRIVER:-ours}

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1 # $2"; }
check() { # check NAME REASON CMD...: ok if CMD succeeds
	local cn=$1 cr=$2
	shift 2
	if "$@"; then ok "$cn"; else fail "$cn" "$cr"; fi
}

# hw_ranges NAME KEY DUMP: the period and buffer ranges of DUMP (aplay
# --dump-hw-params: the whole configuration space the driver offers)
# against the lines for KEY in /host/hw_ranges (tests/hw-ranges), so that
# no range shrinks (or grows) unnoticed
hw_ranges() {
	local got want
	got=$(sed -n 's/^\(PERIOD_TIME\|PERIOD_BYTES\|PERIODS\|BUFFER_TIME\|BUFFER_BYTES\): */\1 /p' "$3" |
		tr -s ' ' | tr '\n' ';')
	want=$(awk -v k="$2" '$1 == k { sub(/^[^ ]+ +/, ""); print }' /host/hw_ranges |
		tr -s ' ' | tr '\n' ';')
	echo "# $2: $got"
	if [ -z "$want" ]; then
		fail "$1" "no ranges for '$2' in tests/hw-ranges"
	elif [ "$got" = "$want" ]; then
		ok "$1"
	elif [ "$driver" = intree ]; then
		echo "not ok - $1 # XFAIL in-tree: the in-tree driver's own ranges: $got"
	else
		fail "$1" "want '$want', got '$got'"
	fi
}

# wait_card IDX [SECS]: wait until /proc/asound/cardIDX exists
wait_card() {
	local wi=0
	while [ ! -e "/proc/asound/card$1/id" ]; do
		wi=$((wi + 1))
		[ $wi -gt $((${2:-10} * 10)) ] && return 1
		usleep 100000
	done
}

# ended PID SECS: PID exits within SECS (killed otherwise); status in $st
ended() {
	local ei=0
	while kill -0 "$1" 2>/dev/null; do
		ei=$((ei + 1))
		[ $ei -gt $(($2 * 10)) ] && { kill -9 "$1"; wait "$1"; st=killed; return 1; }
		usleep 100000
	done
	wait "$1"
	st=$?
}

# virtio_snd_dev: sysfs path of the first virtio device with device id 25
virtio_snd_dev() {
	local d
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = 0x0019 ] && { echo "$d"; return 0; }
	done
	return 1
}

# identity GROUP: the module bound to the device is the module under test
# (GNU build id of the loaded module == the .ko's, srcversion when it has
# one, and the virtio device's driver link points at virtio_snd).
# A built-in driver (/vsnd/builtin) has no build id of its own to compare:
# it must be the one bound, and no module of that name may be loaded.
identity() {
	local n=virtio_snd.$1.module_identity want got note d drv
	if [ -e /vsnd/builtin ]; then
		d=$(virtio_snd_dev) || { fail "$n" "no virtio sound device"; return; }
		drv=$(basename "$(readlink "$d/driver")")
		if [ -e /sys/module/virtio_snd/initstate ]; then
			fail "$n" "a virtio_snd module is loaded beside the built-in driver"
		elif [ "$drv" != virtio_snd ]; then
			fail "$n" "$(basename "$d") bound to '$drv'"
		else
			echo "# $driver driver, built in, bound to $(basename "$d")"
			ok "$n"
		fi
		return
	fi
	want=$(cat /vsnd/buildid 2>/dev/null)
	note=/sys/module/virtio_snd/notes/.note.gnu.build-id
	if [ ! -e /sys/module/virtio_snd ]; then
		fail "$n" "virtio_snd is not loaded"
		return
	fi
	got=$(od -An -v -tx1 "$note" 2>/dev/null | tr -d ' \n')
	got=${got#????????????????????????????????}
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		fail "$n" "loaded build id '$got', module under test '$want'"
		return
	fi
	if [ -s /vsnd/srcversion ] &&
	   [ "$(cat /sys/module/virtio_snd/srcversion 2>/dev/null)" != "$(cat /vsnd/srcversion)" ]; then
		fail "$n" "srcversion differs from the module under test"
		return
	fi
	d=$(virtio_snd_dev) || { fail "$n" "no virtio sound device"; return; }
	drv=$(basename "$(readlink "$d/driver")")
	if [ "$drv" != virtio_snd ]; then
		fail "$n" "$(basename "$d") bound to '$drv'"
		return
	fi
	echo "# $driver module, build id $got, bound to $(basename "$d")"
	ok "$n"
}

# limit SECS CMD...: CMD killed (SIGTERM) after SECS seconds; status 124
# if the limit ended it.  The guest's timeout is busybox's, which returns
# the killed command's 128+15 (143) where coreutils' returns 124: a check
# for 124 after a bare "timeout" never sees a hang.
limit() {
	local ls
	timeout "$@"
	ls=$?
	[ $ls = 143 ] && return 124
	return $ls
}

# host_do TAG CMD...: have the host's relay for TAG (lib/qemu.sh guest_relay;
# "monitor" sends CMD to QEMU's monitor) run CMD, wait up to 30 s for its
# answer, print the answer's output as comments and return its status
# (124: no answer).
host_do() {
	local tag=$1 hf hi=0 hs
	shift
	# the sequence lives in a file: subshells share it
	hs=$(($(cat /tmp/.host_seq 2>/dev/null || echo 0) + 1))
	echo $hs > /tmp/.host_seq
	hf=/host/relay/$tag.$hs
	echo "# $tag: $hs $*"
	while [ ! -e "$hf" ]; do
		hi=$((hi + 1))
		[ $hi -gt 300 ] && return 124
		usleep 100000
	done
	sed -n '2,$s/^/#   /p' "$hf"
	return "$(head -n 1 "$hf")"
}

# vus CMD...: one command for the vhost-user test device (boot_vus,
# lib/vhost.sh): returns once the device has executed it (0), refused it
# (1, its error printed as a comment) or after 30 s without an answer (124)
vus() { host_do vus "$@"; }

# hw_ptr CARD p|c: the position of the card's first substream in that
# direction ("" unless it is RUNNING)
hw_ptr() {
	local f=/proc/asound/card$1/pcm0$2/sub0/status
	grep -q RUNNING "$f" 2>/dev/null && sed -n 's/^hw_ptr *: *//p' "$f"
}

# moving CARD SECS: within SECS, a half second in which the card's first
# playback and capture substreams both ran and moved by at least a
# quarter of their rate (at half their speed or better)
moving() {
	local mi=0 p0 c0 p1 c1 r q=/proc/asound/card$1/pcm0
	while [ $mi -lt $(($2 * 2)) ]; do
		mi=$((mi + 1))
		p0=$(hw_ptr "$1" p) c0=$(hw_ptr "$1" c)
		usleep 500000
		p1=$(hw_ptr "$1" p) c1=$(hw_ptr "$1" c)
		[ -n "$p0" ] && [ -n "$c0" ] && [ -n "$p1" ] && [ -n "$c1" ] || continue
		r=$(sed -n 's/^rate: \([0-9]*\).*/\1/p' ${q}p/sub0/hw_params)
		[ $((p1 - p0)) -ge $((${r:-1} / 4)) ] || continue
		r=$(sed -n 's/^rate: \([0-9]*\).*/\1/p' ${q}c/sub0/hw_params)
		[ $((c1 - c0)) -ge $((${r:-1} / 4)) ] && return 0
	done
	return 1
}

# clean aplay|arecord ARGS...: run the tool (20 s at most) on S16_LE
# 48 kHz stereo with ARGS; succeeds only if it exits 0 and reported no
# xrun (aplay exits 0 after one).  Its messages are in /tmp/clean.err.
clean() {
	local tool=$1
	shift
	timeout 20 "$tool" -q -t raw -f S16_LE -r 48000 -c 2 "$@" 2> /tmp/clean.err ||
		{ echo "$tool: exit status $?" >> /tmp/clean.err; return 1; }
	if grep -qE 'underrun|overrun' /tmp/clean.err; then
		echo "$tool: xrun" >> /tmp/clean.err
		return 1
	fi
}

# Streams read and write files in the guest's RAM: the host's 9p server
# shares QEMU's main loop with the audio device, and a stalled 9p write in
# the middle of a stream is an xrun of the test, not of the driver.

# play_combos FILE APLAY_ARGS...: play each line of FILE (NAME FORMAT RATE
# CHANNELS rw|mmap BYTES) from /host/sig/FORMAT.CHANNELS through
# hw:$card,0, and print "# played NAME RC LASTFILE" for the host (LASTFILE:
# the newest file of QEMU's host voice in /host/pb), and "# xrun NAME"
# when aplay reported one
play_combos() {
	local pf=$1 pn pfmt prate pch pmode pbytes pm prc
	shift
	while read -r pn pfmt prate pch pmode pbytes; do
		[ "$pmode" = mmap ] && pm=-M || pm=
		head -c "$pbytes" "/host/sig/$pfmt.$pch" > /tmp/play.raw
		timeout 20 aplay -q -D "hw:$card,0" -t raw -f "$pfmt" -r "$prate" \
			-c "$pch" $pm "$@" /tmp/play.raw 2> /tmp/err
		prc=$?
		[ $prc -ne 0 ] && sed 's/^/#   /' /tmp/err | head -n 3
		grep -qE 'underrun|overrun' /tmp/err && echo "# xrun $pn"
		echo "# played $pn $prc $(ls /host/pb | tail -n 1)"
	done < "$pf"
}

# capture_combos FILE FIRSTCARD: card FIRSTCARD+N records the combination
# on line N+1 of FILE (NAME FORMAT RATE CHANNELS rw|mmap FRAMES) into
# /host/rec/NAME, 10 ms periods in a buffer of /host/buffer_us (80 ms);
# prints "# recorded NAME RC" for the host, and "# xrun NAME" when
# arecord reported one
capture_combos() {
	local cf=$1 ci=$2 cn cfmt crate cch cmode cframes cm crc cbuf
	cbuf=$(cat /host/buffer_us 2>/dev/null || echo 80000)
	while read -r cn cfmt crate cch cmode cframes; do
		[ "$cmode" = mmap ] && cm=-M || cm=
		wait_card $ci 10
		rm -f /tmp/rec.raw
		timeout 20 arecord -q -D "hw:$ci,0" -t raw -f "$cfmt" -r "$crate" \
			-c "$cch" $cm -F 10000 -B "$cbuf" \
			-s "$cframes" /tmp/rec.raw 2> /tmp/err
		crc=$?
		cp /tmp/rec.raw "/host/rec/$cn"
		[ $crc -ne 0 ] && sed 's/^/#   /' /tmp/err | head -n 3
		grep -qE 'underrun|overrun' /tmp/err && echo "# xrun $cn"
		echo "# recorded $cn $crc"
		ci=$((ci + 1))
	done < "$cf"
}
