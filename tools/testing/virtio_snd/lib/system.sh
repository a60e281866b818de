# SPDX-License-Identifier: GPL-2.0
# System groups of the virtio_snd suite (sourced): several cards in one
# guest, suspend/resume with streams running, PCI hot-unplug while
# streaming, and the kernel's ALSA selftests against our card.

# group_hotplug: 10 device_del/device_add cycles of a device on a
# hotpluggable PCIe root port while it plays and records (tests/hotplug.sh).
# Its vCPUs share one TCG thread: QEMU 10.0.13's multi-threaded TCG lets a
# vCPU use a TLB entry made before a change of the memory map (each unplug
# and plug) against the new map until its flush runs, and QEMU aborts
# (iotlb_to_section, msix_table_mmio_read).  tests/map-race.sh reproduces
# it in about a minute; with one TCG thread it does not happen.
group_hotplug() {
	local w=$RUN/hotplug n=${VSND_HOTPLUG_CYCLES:-10}
	mkdir -p "$w"
	echo "$n" > "$w/cycles"
	# (the limit: 240 s for 10 cycles, doubled on a slow kernel)
	VSND_TCG_THREAD=single VSND_MONITOR=1 boot hotplug $((60 + n * 18)) hotplug.sh \
		-device pcie-root-port,id=rp1,chassis=1,slot=1 -audiodev none,id=n \
		-device virtio-sound-pci,id=snd1,bus=rp1,audiodev=n,streams=2
}

# pm_dir GROUP [platform]: the work dir of a tests/pm.sh boot (with
# "platform": real suspends, VSND_PM_S3_CYCLES of them, 6 by default);
# sets PM_LIMIT, the boot's limit (180 s for the default cycles, before
# boot() doubles it on a slow kernel)
pm_dir() {
	local w=$RUN/$1 n margin=0
	mkdir -p "$w"
	echo "$1" > "$w/group"
	if [ "${2:-}" = platform ]; then
		echo platform > "$w/sleep"
		n=${VSND_PM_S3_CYCLES:-6}
		margin=10
	else
		n=${VSND_PM_CYCLES:-20}
	fi
	echo "$n" > "$w/cycles"
	# the streams must outlast the cycles, each at least half a second
	# (moving): 20 cycles took 20 s on 7.3-rt, 27 s on the debug
	# kernel, 46 of them there 160 s; 10 of S3 11 s on 6.12
	echo $((n * (KSLOW ? 5 : 2) + margin)) > "$w/secs"
	PM_LIMIT=$((n * (KSLOW ? 3 : 2) + 140))
}

# group_pm: 20 suspend/resume cycles (pm_test devices) while aplay and
# arecord run (tests/pm.sh), on QEMU's device and then on the vhost-user
# test device (its violation log: no stale stream state after a resume)
group_pm() {
	pm_dir pm
	boot pm "$PM_LIMIT" pm.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2
	pm_dir pm_vus
	boot_vus pm_vus "$PM_LIMIT" pm.sh "$VSND_DIR/vhost-user-snd/example.conf"
}

# group_s3: the same with real suspends: 6 of ACPI S3 (QEMU resets the
# devices; an RTC alarm wakes the guest 3 s later), on each device
group_s3() {
	pm_dir s3 platform
	boot s3 "$PM_LIMIT" pm.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2
	pm_dir s3_vus platform
	boot_vus s3_vus "$PM_LIMIT" pm.sh "$VSND_DIR/vhost-user-snd/example.conf"
}

# cards_exact N: a guest with N devices, each on its own host files in a
# format of its own (no crosstalk passes unseen), all playing and recording
# at once; checked bit for bit per card (tests/cards.sh exact)
cards_exact() {
	local g=cards$1 w=$RUN/cards$1 i=0 args=() f q bytes frames=19200 line msg
	local fmts=(S16_LE S32_LE FLOAT_LE)
	mkdir -p "$w/sig" "$w/rec"
	echo "$g" > "$w/group"
	echo "$1" > "$w/ncards"
	echo exact > "$w/mode"
	buffer_us "$w"
	: > "$w/combos"
	: > "$w/.asoundrc"
	while [ $i -lt "$1" ]; do
		f=${fmts[i % 3]}
		case $f in FLOAT_LE) q=f32 ;; *) q=$(echo "${f%_LE}" | tr A-Z a-z) ;; esac
		[ -e "$w/sig/$f.2" ] || ln -f "$(signal "$f" 2)" "$w/sig/$f.2" 2>/dev/null ||
			cp "$(signal "$f" 2)" "$w/sig/$f.2"
		bytes=$((SIGFRAMES * 2 * $(fsize "$f")))
		echo "$i $f $bytes $frames" >> "$w/combos"
		mkdir -p "$w/pb$i"
		cat >> "$w/.asoundrc" <<-EOT
		pcm.vsnd_play$i { type file; slave.pcm "null"; file "$w/pb$i/play.raw"; format "raw"; truncate false }
		pcm.vsnd_cap$i { type file; slave.pcm "null"; file "/dev/null"; infile "$w/sig/$f.2"; format "raw" }
		EOT
		args+=(-audiodev "alsa,id=a$i,out.dev=vsnd_play$i,in.dev=vsnd_cap$i,out.mixing-engine=off,out.try-poll=off,in.mixing-engine=on,in.frequency=48000,in.format=$q,in.channels=2,in.try-poll=off,in.buffer-length=10000"
		       -device "virtio-sound-pci,audiodev=a$i,streams=2")
		i=$((i + 1))
	done
	boot "$g" 120 cards.sh "${args[@]}"
	while read -r i f bytes frames; do
		line=$(grep -m1 "^# card $i " "$w/out.txt")
		if [ -z "$line" ]; then
			result "not ok" "virtio_snd.$g.card$i.play" "not played (guest stopped before)"
			result "not ok" "virtio_snd.$g.card$i.capture" "not recorded (guest stopped before)"
			continue
		fi
		set -- $line
		if [ "$4" != 0 ]; then
			result "not ok" "virtio_snd.$g.card$i.play" "aplay failed (status $4)"
		elif msg=$(cat "$w/pb$i"/* /dev/null > "$w/got$i" &&
			   "$SIG" cmp "$f" 2 "$w/sig/$f.2@$bytes" "$w/got$i"); then
			result ok "virtio_snd.$g.card$i.play"
		else
			result "not ok" "virtio_snd.$g.card$i.play" "$msg"
		fi
		rm -f "$w/got$i"
		if [ "$5" != 0 ]; then
			result "not ok" "virtio_snd.$g.card$i.capture" "arecord failed (status $5)"
		elif grep -qx "# xrun card $i capture" "$w/out.txt"; then
			result "not ok" "virtio_snd.$g.card$i.capture" "arecord reported an overrun (it did not read in time: a buffer of data lost)"
		elif msg=$("$SIG" cmp "$f" 2 "$w/sig/$f.2" "$w/rec/$i" --prefix $((frames - 480))); then
			result ok "virtio_snd.$g.card$i.capture"
		else
			result "not ok" "virtio_snd.$g.card$i.capture" "$msg"
		fi
	done < "$w/combos"
}

# group_cards: two and three devices in one guest, all streaming at once
# bit-exact; then three real-time devices, one unbound while all stream
group_cards() {
	local w=$RUN/cards_unbind i args=()
	cards_exact 2
	cards_exact 3
	mkdir -p "$w"
	echo cards_unbind > "$w/group"
	echo 3 > "$w/ncards"
	echo unbind > "$w/mode"
	for i in 0 1 2; do
		args+=(-audiodev "none,id=n$i" -device "virtio-sound-pci,audiodev=n$i,streams=2")
	done
	boot cards_unbind 120 cards.sh "${args[@]}"
}

# group_selftests: the kernel's ALSA selftests (tests/selftests.sh):
# pcm-test on QEMU's device (it has no controls for mixer-test), pcm-test
# and mixer-test on the vhost-user test device with controls
group_selftests() {
	local w=$RUN/selftests
	mkdir -p "$w"
	echo selftests > "$w/group"
	echo pcm-test > "$w/tests"
	cp "$VSND_DIR/tests/selftests.skips" "$w/skips"
	boot selftests 300 selftests.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2
	w=$RUN/selftests_vus
	mkdir -p "$w"
	echo selftests_vus > "$w/group"
	echo "mixer-test pcm-test" > "$w/tests"
	cp "$VSND_DIR/tests/selftests.skips" "$w/skips"
	# example-controls.conf's "Big Counter" holds a value outside its own
	# range (the driver rightly fails its reads with EPROTO) over a range
	# of 2e10 values, which mixer-test's write_valid walks one by one:
	# give it a sane value and a range mixer-test can walk
	sed '/^name = Big Counter/,/^\[/{s/^min = .*/min = -1000/;s/^max = .*/max = 1000/;s/^value = .*/value = 123/}' \
		"$VSND_DIR/vhost-user-snd/example-controls.conf" > "$w/controls.conf"
	VUS_DEVOPTS=,controls=on boot_vus selftests_vus 300 selftests.sh "$w/controls.conf"
}
