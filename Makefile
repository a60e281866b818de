# SPDX-License-Identifier: GPL-2.0
#
# virtio-snd: out-of-tree build of sound/virtio/ plus the project's targets.
#
#   make                 build virtio_snd.ko against the Debian 6.12 headers
#   make KVER=<release>  ... against /lib/modules/<release>/build
#   make KDIR=<dir>      ... against any prepared kernel tree
#   make install         install virtio_snd.ko into /lib/modules/<KVER>/updates
#   make check           static gates (W=1, sparse, kernel-doc, checkpatch,
#                        the upstream series: series.sh)
#   make test            the QEMU test suite (KTAP)
#   make fuzz            its fuzz group, SEEDS=N seeds (200) from SEED=S (1)
#   make demo            boot a guest that plays and records through our driver
#   make bench           our driver against the in-tree one (BENCHMARKS.md)
#
# The kbuild pass reads ./Kbuild; this file only drives it.

KVER ?= $(shell ls /lib/modules 2>/dev/null | grep -E '^6\.12\.[^-]*-amd64$$' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
TESTDIR := tools/testing/virtio_snd

.PHONY: all modules modules_install install clean check test fuzz demo bench debug-kernel

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_SND_VIRTIO=m modules

# updates/ (6.12's default, 6.1's is extra/): depmod prefers it to the
# kernel's own virtio_snd
modules_install install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

check:
	$(TESTDIR)/check.sh

test:
	$(TESTDIR)/run-tests.sh

fuzz:
	VSND_FUZZ_SEEDS=$${SEEDS:-200} VSND_FUZZ_SEED=$${SEED:-1} $(TESTDIR)/run-tests.sh GROUPS=fuzz

demo:
	$(TESTDIR)/demo.sh

bench:
	$(TESTDIR)/bench.sh

debug-kernel:
	$(TESTDIR)/build-debug-kernel.sh
