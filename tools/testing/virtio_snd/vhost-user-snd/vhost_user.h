/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost-user back-end protocol: the unix socket, the message loop,
 * features, the memory table and the vring setup messages.  The device
 * model plugs in through struct vu_dev_ops.
 */
#ifndef VUS_VHOST_USER_H
#define VUS_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtq.h"

#define VU_MAX_QUEUES 8

/**
 * struct vu_dev_ops - Device model callbacks.
 * @features: device-specific feature bits offered (bits 0..23).
 * @get_config: fill @len bytes of config space from @off; return 0 or -errno.
 * @queue_kick: buffers may have become available on queue @qidx.
 * @queue_stop: queue @qidx stopped: every element the device holds from
 *	it must be handed back with virtq_discard() now.
 * @reset: the device was reset (all queues stopped, or RESET_DEVICE).
 */
struct vu_dev_ops {
	uint64_t (*features)(void *opaque);
	int (*get_config)(void *opaque, uint8_t *buf, uint32_t off, uint32_t len);
	void (*queue_kick)(void *opaque, unsigned int qidx);
	void (*queue_stop)(void *opaque, unsigned int qidx);
	void (*reset)(void *opaque);
};

/**
 * struct vu_dev - One vhost-user back-end.
 * @listen_fd: listening socket.
 * @conn_fd: connection to the front-end, or -1.
 * @features: negotiated virtio features.
 * @protocol_features: negotiated vhost-user protocol features.
 * @mem: guest memory table.
 * @nvqs: number of virtqueues of the device.
 * @max_queue_size: largest SET_VRING_NUM accepted.
 * @vq: the virtqueues.
 * @ops: device model.
 * @opaque: passed to @ops.
 * @persist: keep listening after the front-end disconnects.
 */
struct vu_dev {
	int listen_fd;
	int conn_fd;
	uint64_t features;
	uint64_t protocol_features;
	struct guest_mem mem;
	unsigned int nvqs;
	unsigned int max_queue_size;
	struct virtq vq[VU_MAX_QUEUES];
	const struct vu_dev_ops *ops;
	void *opaque;
	bool persist;
};

int vu_init(struct vu_dev *dev, const char *path, unsigned int nvqs,
	    unsigned int max_queue_size, const struct vu_dev_ops *ops,
	    void *opaque);
bool vu_has_feature(const struct vu_dev *dev, unsigned int bit);
void vu_disconnect(struct vu_dev *dev);

#endif /* VUS_VHOST_USER_H */
