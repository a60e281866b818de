/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device side of a split virtqueue: pop descriptor chains (direct and
 * indirect) as elements, push them to the used ring, signal the call
 * eventfd (with VIRTIO_RING_F_EVENT_IDX if negotiated).
 */
#ifndef VUS_VIRTQ_H
#define VUS_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_mem.h"

/**
 * struct vq_elem - One popped descriptor chain.
 * @next: link for lists kept by the device model.
 * @qidx: index of the queue it came from.
 * @head: head descriptor index (the used ring id).
 * @n_out: number of device-readable segments in @out.
 * @n_in: number of device-writable segments in @in.
 * @out_len: total bytes of @out.
 * @in_len: total bytes of @in.
 * @out: device-readable segments, mapped.
 * @in: device-writable segments, mapped.
 */
struct vq_elem {
	struct vq_elem *next;
	unsigned int qidx;
	uint16_t head;
	unsigned int n_out, n_in;
	size_t out_len, in_len;
	struct iovec *out, *in;
};

/**
 * struct virtq - Device-side state of one split virtqueue.
 * @idx: queue index.
 * @owner: the vhost-user device the queue belongs to.
 * @mem: guest memory table used to translate addresses.
 * @num: queue size (VHOST_USER_SET_VRING_NUM).
 * @desc_uva: descriptor table, front-end virtual address.
 * @avail_uva: available ring, front-end virtual address.
 * @used_uva: used ring, front-end virtual address.
 * @desc: descriptor table, mapped.
 * @avail: available ring, mapped.
 * @used: used ring, mapped.
 * @last_avail: next available ring entry to pop.
 * @used_idx: our copy of the used index.
 * @signalled_used: @used_idx when the driver was last notified.
 * @signalled_used_valid: @signalled_used is meaningful.
 * @event_idx: VIRTIO_RING_F_EVENT_IDX negotiated.
 * @enabled: VHOST_USER_SET_VRING_ENABLE state.
 * @started: between SET_VRING_KICK and GET_VRING_BASE.
 * @broken: the driver broke the ring layout; nothing more is popped.
 * @kick_fd: eventfd the driver kicks, or -1.
 * @call_fd: eventfd we signal, or -1.
 * @inflight: popped elements not yet pushed or discarded.
 */
struct virtq {
	unsigned int idx;
	void *owner;
	const struct guest_mem *mem;

	uint16_t num;
	uint64_t desc_uva, avail_uva, used_uva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled_used;
	bool signalled_used_valid;

	bool event_idx;
	bool enabled;
	bool started;
	bool broken;

	int kick_fd;
	int call_fd;
	unsigned int inflight;
};

void virtq_init(struct virtq *vq, unsigned int idx, const struct guest_mem *mem);
int virtq_map(struct virtq *vq);
int virtq_pop(struct virtq *vq, struct vq_elem **elemp);
void virtq_push(struct virtq *vq, struct vq_elem *elem, uint32_t len);
void virtq_push_id(struct virtq *vq, uint16_t head, uint32_t len);
void virtq_discard(struct virtq *vq, struct vq_elem *elem);
void virtq_notify(struct virtq *vq);
void virtq_signal(struct virtq *vq);
bool virtq_ready(const struct virtq *vq);

size_t iov_read(const struct iovec *iov, unsigned int n, size_t off,
		void *buf, size_t len);
size_t iov_write(const struct iovec *iov, unsigned int n, size_t off,
		 const void *buf, size_t len);

#endif /* VUS_VIRTQ_H */
