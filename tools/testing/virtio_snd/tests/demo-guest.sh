#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, guest side: play /host/play.raw and record /host/rec.raw
# (2 s S16_LE 48000 Hz stereo) through hw:0,0.
. /vsnd/guest-lib.sh
identity demo
echo "# $(cat /proc/asound/card0/id): $(sed -n 1p /proc/asound/pcm)"
timeout 30 aplay -F 10000 -B 80000 -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 /host/play.raw
echo "# played $?"
timeout 30 arecord -F 10000 -B 80000 -D hw:0,0 -t raw -f S16_LE -r 48000 -c 2 -s 96000 /host/rec.raw
echo "# recorded $?"
