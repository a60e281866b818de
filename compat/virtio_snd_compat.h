/* SPDX-License-Identifier: GPL-2.0+ */
/*
 * Kernel API differences for out-of-tree builds of sound/virtio/.
 *
 * The driver is written against the current kernel API.  This header is
 * force-included (after kconfig.h and compiler_types.h) only by the
 * out-of-tree Kbuild and maps that API onto older kernels.  It is the only
 * place that tests LINUX_VERSION_CODE (or the VIRTSND_COMPAT_ flags Kbuild
 * sets); an in-tree build never sees it.
 */
#ifndef VIRTIO_SND_COMPAT_H
#define VIRTIO_SND_COMPAT_H

#include <linux/version.h>

#ifdef VIRTSND_COMPAT_VERSION
#include <linux/module.h>

/*
 * The version DKMS compares with the kernel's own virtio_snd (Kbuild).  It
 * goes with MODULE_DESCRIPTION(), which the driver has exactly once: one
 * object, one "version" entry.  (7.x refuses both entries in one
 * MODULE_INFO() string.)
 */
#undef MODULE_DESCRIPTION
#define MODULE_DESCRIPTION(_description)				\
	MODULE_INFO(description, _description);				\
	MODULE_VERSION(VIRTSND_COMPAT_VERSION)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#include <linux/slab.h>
#include <linux/virtio_config.h>

/*
 * 6.11 replaced the parallel callback/name arrays of virtio_find_vqs() by
 * an array of struct virtqueue_info.
 */
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

static inline int virtsnd_compat_find_vqs(struct virtio_device *vdev,
					  unsigned int nvqs,
					  struct virtqueue *vqs[],
					  struct virtqueue_info vqs_info[],
					  struct irq_affinity *desc)
{
	vq_callback_t **callbacks;
	const char **names;
	unsigned int i;
	int rc;

	callbacks = kcalloc(nvqs, sizeof(*callbacks), GFP_KERNEL);
	names = kcalloc(nvqs, sizeof(*names), GFP_KERNEL);
	if (!callbacks || !names) {
		rc = -ENOMEM;
		goto out;
	}

	for (i = 0; i < nvqs; i++) {
		callbacks[i] = vqs_info[i].callback;
		names[i] = vqs_info[i].name;
	}

	rc = vdev->config->find_vqs(vdev, nvqs, vqs, callbacks, names, NULL,
				    desc);
out:
	kfree(names);
	kfree(callbacks);
	return rc;
}

#define virtio_find_vqs virtsnd_compat_find_vqs
#endif /* < 6.11 */

#ifdef VIRTSND_COMPAT_NO_WQ_PERCPU
/*
 * 6.17 (and 6.12.y) added WQ_PERCPU; from 7.x a workqueue must name
 * WQ_PERCPU or WQ_UNBOUND.  Before, a workqueue without WQ_UNBOUND was
 * per-CPU.  Kbuild finds out whether the kernel's headers have it.
 */
#define WQ_PERCPU 0
#endif

/*
 * kzalloc_obj() (allocation by type, what 7.3's checkpatch asks for)
 * is in 7.3 and in 6.12.y, not in 6.1.  It is a macro: <linux/slab.h>
 * first, so that only a kernel without it gets ours (the form the driver
 * uses: one object, GFP_KERNEL).
 */
#include <linux/slab.h>
#ifndef kzalloc_obj
#define kzalloc_obj(P) kzalloc(sizeof(P), GFP_KERNEL)
#endif

#endif /* VIRTIO_SND_COMPAT_H */
