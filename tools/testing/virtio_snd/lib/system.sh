# SPDX-License-Identifier: GPL-2.0
# System groups of the virtio_snd suite (sourced): several cards in one
# guest, suspend/resume with streams running, PCI hot-unplug while
# streaming, and the kernel's ALSA selftests against our card.

# group_hotplug: 10 device_del/device_add cycles of a device on a
# hotpluggable PCIe root port while it plays and records (tests/hotplug.sh)
group_hotplug() {
	local w=$RUN/hotplug
	mkdir -p "$w"
	echo "${VSND_HOTPLUG_CYCLES:-10}" > "$w/cycles"
	VSND_MONITOR=1 boot hotplug 240 hotplug.sh \
		-device pcie-root-port,id=rp1,chassis=1,slot=1 -audiodev none,id=n \
		-device virtio-sound-pci,id=snd1,bus=rp1,audiodev=n,streams=2
}

# pm_dir GROUP: the work dir of a tests/pm.sh boot
pm_dir() {
	local w=$RUN/$1
	mkdir -p "$w"
	echo "$1" > "$w/group"
	echo "${VSND_PM_CYCLES:-20}" > "$w/cycles"
	# the streams must outlast the cycles (the debug kernel is slower)
	if [ "$KERNEL" = debug ]; then echo 60; else echo 25; fi > "$w/secs"
}

# group_pm: 20 suspend/resume cycles (pm_test devices) while aplay and
# arecord run (tests/pm.sh), on QEMU's device and then on the vhost-user
# test device (its violation log: no stale stream state after a resume)
group_pm() {
	pm_dir pm
	boot pm 180 pm.sh -audiodev none,id=n \
		-device virtio-sound-pci,audiodev=n,streams=2
	pm_dir pm_vus
	boot_vus pm_vus 180 pm.sh "$VSND_DIR/vhost-user-snd/example.conf"
}
