#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bit-exact playback: play every combination listed in /host/combos
# (NAME FORMAT RATE CHANNELS rw|mmap BYTES) through hw:0,0, 10 ms periods
# in an 80 ms buffer (the ring wraps); QEMU hands each
# stream to a host alsa-lib file PCM (one new file per stream open) and the
# host compares.  Prints "# played NAME RC LASTFILE" for the host.
. /vsnd/guest-lib.sh
identity play
play_combos /host/combos -F 10000 -B 80000
