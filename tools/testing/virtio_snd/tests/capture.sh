#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bit-exact capture: card N records the combination on line N+1 of
# /host/combos (NAME FORMAT RATE CHANNELS rw|mmap FRAMES) into /host/rec/NAME.
. /vsnd/guest-lib.sh
identity capture
i=0
while read -r name fmt rate ch mode frames; do
	[ "$mode" = mmap ] && m=-M || m=
	wait_card $i 10
	timeout 20 arecord -q -D "hw:$i,0" -t raw -f "$fmt" -r "$rate" -c "$ch" $m \
		-F 10000 -B 80000 \
		-s "$frames" "/host/rec/$name" 2> /tmp/err
	rc=$?
	[ $rc -ne 0 ] && sed 's/^/#   /' /tmp/err | head -n 3
	echo "# recorded $name $rc"
	i=$((i + 1))
done < /host/combos
