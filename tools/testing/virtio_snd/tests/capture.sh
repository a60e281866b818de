#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bit-exact capture: card N records the combination on line N+1 of
# /host/combos (NAME FORMAT RATE CHANNELS rw|mmap FRAMES) into /host/rec/NAME.
. /vsnd/guest-lib.sh
identity capture
capture_combos /host/combos 0
