// SPDX-License-Identifier: GPL-2.0
/*
 * Device side of a split virtqueue (virtio 1.x, little endian).
 *
 * The driver is untrusted: a chain that loops, points outside guest
 * memory, nests indirect tables or puts readable after writable segments
 * marks the queue broken and is logged as a violation.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <linux/virtio_ring.h>

#include "virtq.h"
#include "vlog.h"

#define VQ_MAX_SEGS 1024

struct vq_sg {
	unsigned int n_out, n_in;
	struct iovec out[VQ_MAX_SEGS], in[VQ_MAX_SEGS];
	size_t out_len, in_len;
};

void virtq_init(struct virtq *vq, unsigned int idx, const struct guest_mem *mem)
{
	memset(vq, 0, sizeof(*vq));
	vq->idx = idx;
	vq->mem = mem;
	vq->kick_fd = -1;
	vq->call_fd = -1;
}

/**
 * virtq_map() - Translate the ring addresses given by SET_VRING_ADDR.
 * @vq: virtqueue with @num and the three addresses set.
 *
 * Return: 0, or -EFAULT if a ring is not in shared memory.
 */
int virtq_map(struct virtq *vq)
{
	size_t num = vq->num;

	vq->desc = guest_mem_uva(vq->mem, vq->desc_uva,
				 num * sizeof(struct vring_desc));
	vq->avail = guest_mem_uva(vq->mem, vq->avail_uva,
				  sizeof(struct vring_avail) + (num + 1) * 2);
	vq->used = guest_mem_uva(vq->mem, vq->used_uva,
				 sizeof(struct vring_used) +
				 num * sizeof(struct vring_used_elem) + 2);
	if (!vq->desc || !vq->avail || !vq->used)
		return -EFAULT;
	return 0;
}

bool virtq_ready(const struct virtq *vq)
{
	return vq->started && vq->enabled && !vq->broken && vq->desc;
}

static void virtq_break(struct virtq *vq, const char *why)
{
	vlog_violation("virtqueue %u: %s; queue stopped", vq->idx, why);
	vq->broken = true;
}

static uint16_t virtq_avail_idx(const struct virtq *vq)
{
	return le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
}

static void virtq_set_avail_event(struct virtq *vq)
{
	uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];

	__atomic_store_n(avail_event, htole16(vq->last_avail),
			 __ATOMIC_RELAXED);
}

static int virtq_add_seg(struct virtq *vq, struct vq_sg *sg,
			 const struct vring_desc *d)
{
	uint64_t addr = le64toh(d->addr);
	uint32_t len = le32toh(d->len);
	void *p = guest_mem_gpa(vq->mem, addr, len);

	if (!p) {
		virtq_break(vq, "descriptor outside guest memory");
		return -EFAULT;
	}
	if (le16toh(d->flags) & VRING_DESC_F_WRITE) {
		if (sg->n_in == VQ_MAX_SEGS)
			goto too_long;
		sg->in[sg->n_in].iov_base = p;
		sg->in[sg->n_in++].iov_len = len;
		sg->in_len += len;
	} else {
		if (sg->n_in) {
			virtq_break(vq, "readable descriptor after writable one");
			return -EINVAL;
		}
		if (sg->n_out == VQ_MAX_SEGS)
			goto too_long;
		sg->out[sg->n_out].iov_base = p;
		sg->out[sg->n_out++].iov_len = len;
		sg->out_len += len;
	}
	return 0;
too_long:
	virtq_break(vq, "descriptor chain too long");
	return -E2BIG;
}

/*
 * Walk the chain starting at @head into @sg.  An indirect descriptor
 * switches to its table; the chain may hold at most as many descriptors
 * as its table, which catches loops.
 */
static int virtq_walk(struct virtq *vq, uint16_t head, struct vq_sg *sg)
{
	const struct vring_desc *table = vq->desc;
	unsigned int max = vq->num, i = head, count = 0;
	bool indirect = false;

	for (;;) {
		const struct vring_desc *d;
		uint16_t flags;

		if (i >= max) {
			virtq_break(vq, "descriptor index out of range");
			return -EINVAL;
		}
		if (++count > max) {
			virtq_break(vq, "descriptor chain loops");
			return -ELOOP;
		}
		d = &table[i];
		flags = le16toh(d->flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			uint32_t len = le32toh(d->len);

			if (indirect || (flags & VRING_DESC_F_NEXT)) {
				virtq_break(vq, "nested or chained indirect descriptor");
				return -EINVAL;
			}
			if (!len || len % sizeof(struct vring_desc)) {
				virtq_break(vq, "bad indirect table size");
				return -EINVAL;
			}
			table = guest_mem_gpa(vq->mem, le64toh(d->addr), len);
			if (!table) {
				virtq_break(vq, "indirect table outside guest memory");
				return -EFAULT;
			}
			indirect = true;
			max = len / sizeof(struct vring_desc);
			i = 0;
			count = 0;
			continue;
		}
		if (virtq_add_seg(vq, sg, d))
			return -EINVAL;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = le16toh(d->next);
	}
	/* 2.7.5.3.1: not even through an indirect table (served anyway) */
	if (sg->n_out + sg->n_in > vq->num)
		vlog_violation("virtqueue %u: a chain of %u descriptors, longer than the queue (%u)",
			       vq->idx, sg->n_out + sg->n_in, vq->num);
	return 0;
}

static struct vq_elem *virtq_elem_alloc(const struct vq_sg *sg)
{
	size_t n = sg->n_out + sg->n_in;
	struct vq_elem *elem;

	elem = calloc(1, sizeof(*elem) + n * sizeof(struct iovec));
	if (!elem)
		return NULL;
	elem->out = (struct iovec *)(elem + 1);
	elem->in = elem->out + sg->n_out;
	memcpy(elem->out, sg->out, sg->n_out * sizeof(struct iovec));
	memcpy(elem->in, sg->in, sg->n_in * sizeof(struct iovec));
	elem->n_out = sg->n_out;
	elem->n_in = sg->n_in;
	elem->out_len = sg->out_len;
	elem->in_len = sg->in_len;
	return elem;
}

/**
 * virtq_pop() - Take the next available descriptor chain.
 * @vq: virtqueue.
 * @elemp: where to store the new element (owned by the caller until it is
 *         given back with virtq_push() or virtq_discard()).
 *
 * Return: 1 if an element was popped, 0 if the ring is empty or not
 * running, negative errno if the ring is broken.
 */
int virtq_pop(struct virtq *vq, struct vq_elem **elemp)
{
	static struct vq_sg sg;
	uint16_t avail_idx, head;

	if (!virtq_ready(vq))
		return vq->broken ? -EIO : 0;

	avail_idx = virtq_avail_idx(vq);
	if (avail_idx == vq->last_avail && vq->event_idx) {
		/* Ask for a kick, then look again to close the race. */
		virtq_set_avail_event(vq);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = virtq_avail_idx(vq);
	}
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		virtq_break(vq, "avail index moved by more than the queue size");
		return -EIO;
	}

	head = le16toh(vq->avail->ring[vq->last_avail % vq->num]);
	memset(&sg, 0, offsetof(struct vq_sg, out));
	sg.out_len = 0;
	sg.in_len = 0;
	if (virtq_walk(vq, head, &sg))
		return -EIO;

	*elemp = virtq_elem_alloc(&sg);
	if (!*elemp)
		return -ENOMEM;
	(*elemp)->qidx = vq->idx;
	(*elemp)->head = head;
	vq->last_avail++;
	vq->inflight++;
	if (vq->event_idx)
		virtq_set_avail_event(vq);
	return 1;
}

/**
 * virtq_push() - Return an element to the driver through the used ring.
 * @vq: virtqueue the element was popped from.
 * @elem: element; freed.
 * @len: number of bytes written into the device-writable part.
 *
 * The driver is not notified until virtq_notify().
 */
void virtq_push(struct virtq *vq, struct vq_elem *elem, uint32_t len)
{
	struct vring_used_elem *u;

	if (!virtq_ready(vq)) {
		virtq_discard(vq, elem);
		return;
	}
	u = &vq->used->ring[vq->used_idx % vq->num];
	u->id = htole32(elem->head);
	u->len = htole32(len);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	vq->inflight--;
	free(elem);
}

/**
 * virtq_push_id() - Put an id in the used ring that is not the device's
 *		     to return (a broken device, on purpose).
 * @vq: virtqueue.
 * @head: the id, already returned or never popped.
 * @len: used length.
 */
void virtq_push_id(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *u;

	if (!virtq_ready(vq))
		return;
	u = &vq->used->ring[vq->used_idx % vq->num];
	u->id = htole32(head);
	u->len = htole32(len);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
}

/**
 * virtq_discard() - Drop an element without giving it back (queue stopped).
 * @vq: virtqueue the element was popped from.
 * @elem: element; freed.
 */
void virtq_discard(struct virtq *vq, struct vq_elem *elem)
{
	vq->inflight--;
	free(elem);
}

/**
 * virtq_notify() - Signal the call eventfd if the driver wants it.
 * @vq: virtqueue.
 */
void virtq_notify(struct virtq *vq)
{
	bool need;

	if (!virtq_ready(vq) || vq->call_fd < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		uint16_t used_event = le16toh(__atomic_load_n(&vq->avail->ring[vq->num],
							      __ATOMIC_RELAXED));
		uint16_t old = vq->signalled_used;

		need = !vq->signalled_used_valid ||
		       vring_need_event(used_event, vq->used_idx, old);
		if (vq->signalled_used_valid && old == vq->used_idx)
			need = false;
	} else {
		need = !(le16toh(vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (!need)
		return;
	vq->signalled_used = vq->used_idx;
	vq->signalled_used_valid = true;
	if (eventfd_write(vq->call_fd, 1))
		vlog_err("virtqueue %u: call eventfd: %s", vq->idx, strerror(errno));
}

/**
 * virtq_signal() - Signal the call eventfd whatever the driver asked for
 *		    (fuzzing: an interrupt with nothing used).
 * @vq: virtqueue.
 */
void virtq_signal(struct virtq *vq)
{
	if (virtq_ready(vq) && vq->call_fd >= 0 && eventfd_write(vq->call_fd, 1))
		vlog_err("virtqueue %u: call eventfd: %s", vq->idx, strerror(errno));
}

/**
 * iov_read() - Copy out of a segment list.
 * @iov: segments.
 * @n: number of segments.
 * @off: byte offset into the segments.
 * @buf: destination.
 * @len: bytes wanted.
 *
 * Return: bytes copied (less than @len if the segments end first).
 */
size_t iov_read(const struct iovec *iov, unsigned int n, size_t off,
		void *buf, size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - off;
		if (chunk > len - done)
			chunk = len - done;
		memcpy((char *)buf + done, (char *)iov[i].iov_base + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

/**
 * iov_write() - Copy into a segment list.
 * @iov: segments.
 * @n: number of segments.
 * @off: byte offset into the segments.
 * @buf: source.
 * @len: bytes to copy.
 *
 * Return: bytes copied (less than @len if the segments end first).
 */
size_t iov_write(const struct iovec *iov, unsigned int n, size_t off,
		 const void *buf, size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - off;
		if (chunk > len - done)
			chunk = len - done;
		memcpy((char *)iov[i].iov_base + off, (const char *)buf + done, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}
