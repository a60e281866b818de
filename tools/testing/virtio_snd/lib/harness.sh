# SPDX-License-Identifier: GPL-2.0
# Common start of the harness's entry points (sourced): where the harness
# and the repository are, the cache directory, and the libraries.

VSND_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$VSND_DIR/../../.." && pwd)
export VSND_CACHE=${VSND_CACHE:-/var/cache/virtio-snd}
. "$VSND_DIR/lib/kernel.sh"
. "$VSND_DIR/lib/image.sh"
. "$VSND_DIR/lib/qemu.sh"
. "$VSND_DIR/lib/suite.sh"
. "$VSND_DIR/lib/system.sh"
. "$VSND_DIR/lib/vhost.sh"
