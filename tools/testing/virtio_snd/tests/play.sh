#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bit-exact playback: play every combination listed in /host/combos
# (NAME FORMAT RATE CHANNELS rw|mmap BYTES) through hw:0,0, 10 ms periods
# in an 80 ms buffer (the ring wraps); QEMU hands each
# stream to a host alsa-lib file PCM (one new file per stream open) and the
# host compares.  Prints "# played NAME RC LASTFILE" for the host.
. /vsnd/guest-lib.sh
identity play
while read -r name fmt rate ch mode bytes; do
	[ "$mode" = mmap ] && m=-M || m=
	head -c "$bytes" "/host/sig/$fmt.$ch" |
		timeout 20 aplay -q -D "hw:$card,0" -t raw -f "$fmt" -r "$rate" -c "$ch" $m \
		-F 10000 -B 80000 - \
		2> /tmp/err
	rc=$?
	[ $rc -ne 0 ] && sed 's/^/#   /' /tmp/err | head -n 3
	echo "# played $name $rc $(ls /host/pb | tail -n 1)"
done < /host/combos
