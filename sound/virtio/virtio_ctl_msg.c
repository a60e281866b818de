// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Control messages.
 *
 * A control message is one allocation holding the request and the response
 * buffers.  It is reference counted: the sender holds one reference, and the
 * control queue holds another from the moment the message is added to the
 * virtqueue until the device returns it (or until virtsnd_ctl_msg_cancel_all()
 * runs after the device has been reset).  A request that times out therefore
 * never frees memory the device may still write to.
 */
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "virtio_card.h"

/*
 * Largest response buffer used for one *_INFO request: the items are
 * queried in chunks that fit in it.
 */
#define VIRTSND_INFO_CHUNK_BYTES	PAGE_SIZE

/**
 * struct virtio_snd_msg - a control message
 * @sg_request: device-readable part
 * @sg_response: device-writable part
 * @list: entry in virtio_snd::ctl_msgs while the device owns the message
 * @notify: completed when the device answers or the message is cancelled
 * @kref: reference count
 * @request_code: request code, for diagnostics
 * @response_size: size of the response buffer
 * @used_len: bytes written by the device
 * @rc: result of the request (valid once @notify is completed)
 * @buf: request followed by response
 */
struct virtio_snd_msg {
	struct scatterlist sg_request;
	struct scatterlist sg_response;
	struct list_head list;
	struct completion notify;
	struct kref kref;
	u32 request_code;
	size_t response_size;
	unsigned int used_len;
	int rc;
	u8 buf[] __aligned(8);
};

/**
 * virtsnd_ctl_msg_alloc() - allocate a control message
 * @request_size: size of the request (starts with struct virtio_snd_hdr)
 * @response_size: size of the response (starts with struct virtio_snd_hdr)
 * @gfp: allocation flags
 *
 * Both parts are zeroed.  The caller owns the only reference.
 *
 * Context: any context that @gfp allows.
 * Return: the message, or NULL.
 */
struct virtio_snd_msg *virtsnd_ctl_msg_alloc(size_t request_size,
					     size_t response_size, gfp_t gfp)
{
	struct virtio_snd_msg *msg;
	size_t request_room = ALIGN(request_size, 8);

	if (WARN_ON(request_size < sizeof(struct virtio_snd_hdr) ||
		    response_size < sizeof(struct virtio_snd_hdr)))
		return NULL;

	msg = kzalloc(struct_size(msg, buf, request_room + response_size),
		      gfp);
	if (!msg)
		return NULL;

	sg_init_one(&msg->sg_request, msg->buf, request_size);
	sg_init_one(&msg->sg_response, msg->buf + request_room, response_size);
	INIT_LIST_HEAD(&msg->list);
	init_completion(&msg->notify);
	kref_init(&msg->kref);
	msg->response_size = response_size;

	return msg;
}

static void virtsnd_ctl_msg_free(struct kref *kref)
{
	kfree(container_of(kref, struct virtio_snd_msg, kref));
}

/**
 * virtsnd_ctl_msg_unref() - drop a reference to a control message
 * @msg: the message
 *
 * Context: any context.
 */
void virtsnd_ctl_msg_unref(struct virtio_snd_msg *msg)
{
	kref_put(&msg->kref, virtsnd_ctl_msg_free);
}

/**
 * virtsnd_ctl_msg_request() - the request part of a control message
 * @msg: the message
 *
 * Context: any context.
 * Return: pointer to the request buffer.
 */
void *virtsnd_ctl_msg_request(struct virtio_snd_msg *msg)
{
	return sg_virt(&msg->sg_request);
}

/**
 * virtsnd_ctl_msg_response() - the response part of a control message
 * @msg: the message
 *
 * Context: any context.
 * Return: pointer to the response buffer.
 */
void *virtsnd_ctl_msg_response(struct virtio_snd_msg *msg)
{
	return sg_virt(&msg->sg_response);
}

/**
 * virtsnd_ctl_status_to_errno() - map a device status code to an errno
 * @snd: the card
 * @request: request code, for the diagnostic
 * @status: VIRTIO_SND_S_* value written by the device
 *
 * This is the only place where device status codes become error codes.
 *
 * Context: any context.
 * Return: 0, -EOPNOTSUPP, -EIO, -EINVAL or -EPROTO.
 */
int virtsnd_ctl_status_to_errno(struct virtio_snd *snd, u32 request,
				u32 status)
{
	static const char *const names[] = {
		[VIRTIO_SND_S_BAD_MSG - VIRTIO_SND_S_OK] = "BAD_MSG",
		[VIRTIO_SND_S_NOT_SUPP - VIRTIO_SND_S_OK] = "NOT_SUPP",
		[VIRTIO_SND_S_IO_ERR - VIRTIO_SND_S_OK] = "IO_ERR",
	};

	/* a refused request must leave a trace: callers often only log -EIO */
	if (status != VIRTIO_SND_S_OK && status - VIRTIO_SND_S_OK < ARRAY_SIZE(names))
		dev_warn_ratelimited(&snd->vdev->dev,
				     "request 0x%04x: device answered %s\n",
				     request, names[status - VIRTIO_SND_S_OK]);

	switch (status) {
	case VIRTIO_SND_S_OK:
		return 0;
	case VIRTIO_SND_S_NOT_SUPP:
		return -EOPNOTSUPP;
	case VIRTIO_SND_S_IO_ERR:
		return -EIO;
	case VIRTIO_SND_S_BAD_MSG:
		return -EINVAL;
	default:
		virtsnd_stats_inc(snd, ctl_bad_status);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "request 0x%04x: invalid status 0x%08x\n",
				     request, status);
		return -EPROTO;
	}
}

/*
 * Work out the result of a message the device has returned.  A response
 * shorter than what was asked for is only acceptable when it carries an
 * error status (an error has no payload).
 */
static int virtsnd_ctl_msg_result(struct virtio_snd *snd,
				  struct virtio_snd_msg *msg)
{
	struct virtio_snd_hdr *hdr = virtsnd_ctl_msg_response(msg);
	int rc;

	if (msg->used_len < sizeof(*hdr)) {
		virtsnd_stats_inc(snd, ctl_bad_length);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "request 0x%04x: response too short (%u bytes)\n",
				     msg->request_code, msg->used_len);
		return -EPROTO;
	}

	if (msg->used_len > msg->response_size) {
		virtsnd_stats_inc(snd, ctl_bad_length);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "request 0x%04x: device used %u bytes of a %zu-byte response\n",
				     msg->request_code, msg->used_len,
				     msg->response_size);
	}

	rc = virtsnd_ctl_status_to_errno(snd, msg->request_code,
					 le32_to_cpu(hdr->code));
	if (!rc && msg->used_len < msg->response_size) {
		virtsnd_stats_inc(snd, ctl_bad_length);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "request 0x%04x: response is %u bytes, expected %zu\n",
				     msg->request_code, msg->used_len,
				     msg->response_size);
		rc = -EPROTO;
	}

	return rc;
}

/* Hand a returned (or cancelled) message back; control queue lock held. */
static void virtsnd_ctl_msg_finish(struct virtio_snd *snd,
				   struct virtio_snd_msg *msg, int rc)
{
	list_del_init(&msg->list);
	msg->rc = rc;
	complete(&msg->notify);
	/* the reference the queue held */
	virtsnd_ctl_msg_unref(msg);
}

/**
 * virtsnd_ctl_notify_cb() - control virtqueue callback
 * @vqueue: the control virtqueue
 *
 * Collects the messages the device has answered.
 *
 * Context: hard IRQ.  Takes the control queue lock.
 */
void virtsnd_ctl_notify_cb(struct virtqueue *vqueue)
{
	struct virtio_snd *snd = vqueue->vdev->priv;
	struct virtio_snd_queue *queue = virtsnd_control_queue(snd);
	struct virtio_snd_msg *msg;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&queue->lock, flags);
	do {
		virtqueue_disable_cb(vqueue);
		while ((msg = virtqueue_get_buf(vqueue, &len))) {
			msg->used_len = len;
			virtsnd_ctl_msg_finish(snd, msg,
					       virtsnd_ctl_msg_result(snd, msg));
		}
		if (unlikely(virtqueue_is_broken(vqueue)))
			break;
	} while (!virtqueue_enable_cb(vqueue));
	spin_unlock_irqrestore(&queue->lock, flags);
}

/* Give the message to the device; the queue takes its own reference. */
static int virtsnd_ctl_msg_queue(struct virtio_snd *snd,
				 struct virtio_snd_msg *msg)
{
	struct virtio_snd_queue *queue = virtsnd_control_queue(snd);
	struct virtio_snd_hdr *request = virtsnd_ctl_msg_request(msg);
	struct virtio_snd_hdr *response = virtsnd_ctl_msg_response(msg);
	struct scatterlist *sgs[] = { &msg->sg_request, &msg->sg_response };
	bool notify = false;
	int rc;

	msg->request_code = le32_to_cpu(request->code);
	/* a device that does not write the status must not read as S_OK */
	response->code = 0;
	msg->used_len = 0;
	reinit_completion(&msg->notify);

	scoped_guard(spinlock_irqsave, &queue->lock) {
		if (snd->ctl_dead) {
			rc = -ENODEV;
		} else {
			kref_get(&msg->kref);
			rc = virtqueue_add_sgs(queue->vqueue, sgs, 1, 1, msg,
					       GFP_ATOMIC);
			if (!rc) {
				list_add_tail(&msg->list, &snd->ctl_msgs);
				notify = virtqueue_kick_prepare(queue->vqueue);
			} else {
				kref_put(&msg->kref, virtsnd_ctl_msg_free);
			}
		}
	}

	if (rc) {
		/* -ENODEV: the device is going away, callers expect that */
		if (rc != -ENODEV)
			dev_err(&snd->vdev->dev,
				"request 0x%04x: cannot queue the message: %d\n",
				msg->request_code, rc);
		return rc;
	}

	if (notify)
		virtqueue_notify(queue->vqueue);

	return 0;
}

/**
 * virtsnd_ctl_msg_wait() - wait for the answer to a queued message
 * @snd: the card
 * @msg: the message (queued by virtsnd_ctl_msg_send_async())
 *
 * The wait is deliberately not interruptible: a signal must not make the
 * driver believe a request failed that the device then executes.  After
 * msg_timeout_ms the request fails with -ETIMEDOUT; the message then stays
 * referenced by the queue until the device (or cancel-all) returns it.
 *
 * Context: process context, may sleep.
 * Return: 0 on success or a negative error code.
 */
int virtsnd_ctl_msg_wait(struct virtio_snd *snd, struct virtio_snd_msg *msg)
{
	unsigned long left;

	might_sleep();

	left = wait_for_completion_timeout(&msg->notify,
					   msecs_to_jiffies(virtsnd_msg_timeout_ms));
	if (!left) {
		virtsnd_stats_inc(snd, ctl_timeouts);
		dev_err(&snd->vdev->dev,
			"request 0x%04x: no answer within %u ms\n",
			msg->request_code, virtsnd_msg_timeout_ms);
		return -ETIMEDOUT;
	}

	return msg->rc;
}

/**
 * virtsnd_ctl_msg_send() - send a control message and wait for the answer
 * @snd: the card
 * @msg: the message (the caller keeps its reference and drops it afterwards)
 *
 * Context: process context, may sleep.  Takes the control queue lock.
 * Return: 0 on success or a negative error code (see virtsnd_ctl_msg_wait()).
 */
int virtsnd_ctl_msg_send(struct virtio_snd *snd, struct virtio_snd_msg *msg)
{
	int rc;

	rc = virtsnd_ctl_msg_queue(snd, msg);
	if (rc)
		return rc;

	return virtsnd_ctl_msg_wait(snd, msg);
}

/**
 * virtsnd_ctl_msg_send_async() - send a control message without waiting
 * @snd: the card
 * @msg: the message (the caller keeps its reference; virtsnd_ctl_msg_wait()
 *       takes the answer)
 *
 * Context: any context.  Takes the control queue lock.
 * Return: 0 if the message was queued, or a negative error code.
 */
int virtsnd_ctl_msg_send_async(struct virtio_snd *snd,
			       struct virtio_snd_msg *msg)
{
	return virtsnd_ctl_msg_queue(snd, msg);
}

/**
 * virtsnd_ctl_msg_set_dead() - make the control queue refuse or accept messages
 * @snd: the card
 * @dead: true to refuse new messages with -ENODEV
 *
 * Context: any context.  Takes the control queue lock.
 */
void virtsnd_ctl_msg_set_dead(struct virtio_snd *snd, bool dead)
{
	struct virtio_snd_queue *queue = virtsnd_control_queue(snd);

	scoped_guard(spinlock_irqsave, &queue->lock)
		snd->ctl_dead = dead;
}

/**
 * virtsnd_ctl_msg_cancel_all() - fail every message the device still holds
 * @snd: the card
 *
 * Waiters are woken with -ENODEV and the queue's references are dropped.
 * Only call this once the device can no longer touch the messages (after
 * virtio_reset_device()).
 *
 * Context: any context.  Takes the control queue lock.
 */
void virtsnd_ctl_msg_cancel_all(struct virtio_snd *snd)
{
	struct virtio_snd_queue *queue = virtsnd_control_queue(snd);
	struct virtio_snd_msg *msg, *next;

	scoped_guard(spinlock_irqsave, &queue->lock) {
		list_for_each_entry_safe(msg, next, &snd->ctl_msgs, list)
			virtsnd_ctl_msg_finish(snd, msg, -ENODEV);
	}
}

/**
 * virtsnd_ctl_query_info() - query item information from the device
 * @snd: the card
 * @command: VIRTIO_SND_R_*_INFO
 * @start: id of the first item
 * @count: number of items
 * @size: size of one item as the driver knows it
 * @info: destination, @count * @size bytes
 *
 * The items are requested in chunks so that no response buffer is larger
 * than VIRTSND_INFO_CHUNK_BYTES.
 *
 * Context: process context, may sleep.
 * Return: 0 on success or a negative error code.
 */
int virtsnd_ctl_query_info(struct virtio_snd *snd, u32 command, u32 start,
			   u32 count, size_t size, void *info)
{
	u32 chunk = max_t(u32, 1, (VIRTSND_INFO_CHUNK_BYTES -
				   sizeof(struct virtio_snd_hdr)) / size);
	u32 done;
	int rc = 0;

	for (done = 0; done < count && !rc; done += chunk) {
		u32 n = min(chunk, count - done);
		struct virtio_snd_query_info *query;
		struct virtio_snd_msg *msg;

		msg = virtsnd_ctl_msg_alloc(sizeof(*query),
					    sizeof(struct virtio_snd_hdr) +
					    n * size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;

		query = virtsnd_ctl_msg_request(msg);
		query->hdr.code = cpu_to_le32(command);
		query->start_id = cpu_to_le32(start + done);
		query->count = cpu_to_le32(n);
		query->size = cpu_to_le32(size);

		rc = virtsnd_ctl_msg_send(snd, msg);
		if (!rc)
			memcpy(info + done * size,
			       virtsnd_ctl_msg_response(msg) +
			       sizeof(struct virtio_snd_hdr), n * size);
		virtsnd_ctl_msg_unref(msg);
	}

	return rc;
}
