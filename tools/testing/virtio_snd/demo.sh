#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot a guest (KERNEL=6.12 by default) with a virtio-sound-pci
# device, load our virtio_snd.ko (DRIVER=intree for the kernel's own), play
# 2 s of a test signal and record 2 s of another, and tell what the host
# heard, compared bit for bit.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

KERNEL=${KERNEL:-6.12}
DRIVER=${DRIVER:-ours}
suite_init "$KERNEL" "$DRIVER-demo"
DRIVER=${DRIVER%-demo}
if ! suite_prepare 2>/dev/null; then
	cut -f2,3 "$RESULTS" | tr '\t' ' ' >&2
	exit 1
fi
w=$RUN/demo
mkdir -p "$w/pb"
"$SIG" gen S16_LE 2 96000 "$w/play.raw"		# 2.00 s
"$SIG" gen S16_LE 2 144000 "$w/inject.raw"	# 3.00 s, recorded from the start
cat > "$w/.asoundrc" <<EOA
pcm.vsnd_play { type file; slave.pcm "null"; file "$w/pb/heard.raw"; format "raw"; truncate false }
pcm.vsnd_rec { type file; slave.pcm "null"; file "/dev/null"; infile "$w/inject.raw"; format "raw" }
EOA
echo "demo: booting $KREL with the $DRIVER virtio_snd (TCG, about 20 s)..."
boot demo 180 demo-guest.sh \
	-audiodev "alsa,id=a,out.dev=vsnd_play,in.dev=vsnd_rec,out.mixing-engine=off,out.try-poll=off,in.mixing-engine=on,in.frequency=48000,in.format=s16,in.channels=2,in.try-poll=off,in.buffer-length=10000" \
	-device virtio-sound-pci,audiodev=a,streams=2 2>/dev/null
sed -n 's/^# //p' "$w/out.txt" | grep -vE '^vsnd:|^played|^recorded' | sed 's/^/guest: /'
bad=0
(cd "$w/pb" && cat $(ls | sort) /dev/null) > "$w/heard.raw"
if msg=$("$SIG" cmp S16_LE 2 "$w/play.raw" "$w/heard.raw"); then
	echo "played 2.00 s S16_LE 48000 Hz stereo: the host heard it $msg"
else
	echo "played 2.00 s S16_LE 48000 Hz stereo: NOT bit-exact: $msg"
	bad=1
fi
if msg=$("$SIG" cmp S16_LE 2 "$w/inject.raw" "$w/rec.raw" --prefix 90000); then
	echo "recorded 2.00 s S16_LE 48000 Hz stereo: arecord got the injected signal $msg"
else
	echo "recorded 2.00 s S16_LE 48000 Hz stereo: NOT bit-exact: $msg"
	bad=1
fi
if grep -q "^not ok" "$RESULTS"; then
	grep "^not ok" "$RESULTS" | cut -f2,3 | tr '\t' ' ' | sed 's/^/FAILED: /'
	bad=1
fi
echo "logs: $w"
exit $bad
