// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * The period-sliced I/O message ring.
 *
 * Message lifetime
 * ----------------
 * In prepare, once the device has returned every earlier message, the
 * stream's buffer (a vmalloc area managed by ALSA) is sliced into one I/O
 * message per period: a virtio_snd_pcm_xfer header, a scatterlist over the
 * period's pages (no copy) and a virtio_snd_pcm_status.  The messages form
 * a ring indexed in period order and are not allocated again until the next
 * prepare with another geometry; nothing is allocated in the data path.
 *
 * A message is owned either by the driver or by the device, and the
 * @inflight flag, protected by the queue lock, says which:
 *
 * - driver -> device: virtsnd_pcm_ring_push() adds it to the tx/rx queue.
 *   Playback does so only for periods the application has completely
 *   written (tracked through .ack, SYNC_APPLPTR), so the device never sees
 *   stale data; on drain the partial last period is padded with silence and
 *   sent as well.  Capture queues every period at prepare (before START)
 *   and a period again once the application has read it.  Never more than
 *   the virtqueue holds: on -ENOSPC the stream waits on the queue's waiter
 *   list and is pushed again from the completion callback.
 * - device -> driver: the tx/rx callback (hard IRQ) takes it back, records
 *   the (clamped) result, moves the device's position over the periods
 *   returned in ring order and queues the stream's elapsed work.
 * - .pointer shows ALSA that position as it is, so that every read, write
 *   and hwsync is checked against what the device really consumed or
 *   produced: if that is more than the application kept ahead, ALSA sees
 *   the xrun, however late the work runs; .ack checks a move of appl_ptr
 *   the same way.  The elapsed work, on the card's high-priority
 *   workqueue, calls snd_pcm_period_elapsed() once per batch of
 *   completions, in process context and with no spinlock held: one
 *   wake-up per batch.
 *
 * The messages are freed at hw_free or when the card goes away, and only
 * once none is in flight; a device reset (remove, freeze) hands every
 * message back to the driver.
 *
 * While the device owns a message, each page under it holds a reference of
 * the ring's: a device that keeps messages past STOP and RELEASE may still
 * write into them after ALSA has freed or reallocated the buffer (which the
 * core may do before any callback of ours, e.g. in hw_params), and the
 * pages must not go back to the page allocator before the message comes
 * back or the device is reset.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/vmalloc.h>
#include <sound/pcm_params.h>

#include "virtio_card.h"

/**
 * struct virtio_pcm_msg - one period of the I/O ring
 * @vss: the stream
 * @idx: ring index (period number within the buffer)
 * @inflight: the device owns the message, and a reference on each page
 *	      under it (queue lock)
 * @written: capture: bytes the device wrote, clamped to the period
 * @xfer: device-readable header
 * @status: device-writable status
 * @sg_xfer: scatterlist over @xfer
 * @sg_status: scatterlist over @status
 * @nsgs: number of entries of @sgs
 * @sgs: scatterlist over the period's pages
 */
struct virtio_pcm_msg {
	struct virtio_pcm_substream *vss;
	unsigned int idx;
	bool inflight;
	unsigned int written;
	struct virtio_snd_pcm_xfer xfer;
	struct virtio_snd_pcm_status status;
	struct scatterlist sg_xfer;
	struct scatterlist sg_status;
	unsigned int nsgs;
	struct scatterlist sgs[];
};

/* Number of physically contiguous runs of a vmalloc area. */
static unsigned int virtsnd_pcm_sg_count(u8 *data, size_t length)
{
	unsigned long prev = 0;
	unsigned int n = 0;

	while (length) {
		size_t chunk = min_t(size_t, length,
				     PAGE_SIZE - offset_in_page(data));
		unsigned long pfn = page_to_pfn(vmalloc_to_page(data));

		if (!n || pfn != prev + 1)
			n++;
		prev = pfn;
		data += chunk;
		length -= chunk;
	}

	return n;
}

/* Fill the scatterlist, merging physically contiguous pages. */
static void virtsnd_pcm_sg_fill(struct scatterlist *sgs, unsigned int nsgs,
				u8 *data, size_t length)
{
	struct scatterlist *sg = NULL;
	unsigned long prev = 0;

	sg_init_table(sgs, nsgs);
	while (length) {
		size_t chunk = min_t(size_t, length,
				     PAGE_SIZE - offset_in_page(data));
		struct page *pg = vmalloc_to_page(data);
		unsigned long pfn = page_to_pfn(pg);

		if (sg && pfn == prev + 1) {
			sg->length += chunk;
		} else {
			sg = sg ? sg_next(sg) : sgs;
			sg_set_page(sg, pg, chunk, offset_in_page(data));
		}
		prev = pfn;
		data += chunk;
		length -= chunk;
	}
}

/* Ring index of the period @n periods after prepare. */
static unsigned int virtsnd_pcm_ring_idx(struct virtio_pcm_substream *vss,
					 u64 n)
{
	u32 idx;

	div_u64_rem(n, vss->nmsgs, &idx);
	return idx;
}

/**
 * virtsnd_pcm_ring_free() - free the I/O ring of a stream
 * @vss: the stream
 *
 * Does nothing while the device owns a message: it may still access it.
 *
 * Context: process context; no I/O queued concurrently (cmd_mutex held or
 * the card is going away).
 */
void virtsnd_pcm_ring_free(struct virtio_pcm_substream *vss)
{
	unsigned int i;

	if (vss->inflight) {
		dev_warn(&vss->snd->vdev->dev,
			 "stream %u: %u I/O messages still owned by the device\n",
			 vss->sid, vss->inflight);
		return;
	}

	for (i = 0; i < vss->nmsgs; i++)
		kfree(vss->msgs[i]);
	kfree(vss->msgs);
	vss->msgs = NULL;
	vss->nmsgs = 0;
}

/* The I/O message of period @idx, over @period_bytes at @data. */
static struct virtio_pcm_msg *
virtsnd_pcm_msg_new(struct virtio_pcm_substream *vss, unsigned int idx,
		    u8 *data, size_t period_bytes)
{
	unsigned int descs = virtqueue_get_vring_size(vss->queue->vqueue);
	unsigned int nsgs = virtsnd_pcm_sg_count(data, period_bytes);
	struct virtio_pcm_msg *msg;

	/* hw.period_bytes_max keeps a chain within the queue */
	if (nsgs + 2 > descs) {
		dev_err(&vss->snd->vdev->dev,
			"stream %u: a period needs %u descriptors, the queue has %u\n",
			vss->sid, nsgs + 2, descs);
		return ERR_PTR(-EINVAL);
	}

	msg = kzalloc(struct_size(msg, sgs, nsgs), GFP_KERNEL);
	if (!msg)
		return ERR_PTR(-ENOMEM);

	msg->vss = vss;
	msg->idx = idx;
	msg->nsgs = nsgs;
	msg->xfer.stream_id = cpu_to_le32(vss->sid);
	sg_init_one(&msg->sg_xfer, &msg->xfer, sizeof(msg->xfer));
	sg_init_one(&msg->sg_status, &msg->status, sizeof(msg->status));
	virtsnd_pcm_sg_fill(msg->sgs, nsgs, data, period_bytes);

	return msg;
}

/**
 * virtsnd_pcm_ring_prepare() - slice the buffer into one message per period
 * @vss: the stream
 *
 * Resets the positions; the ring stays disabled until
 * virtsnd_pcm_ring_enable().
 *
 * Context: process context, may sleep; @vss->cmd_mutex held and no message
 * in flight.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_ring_prepare(struct virtio_pcm_substream *vss)
{
	struct snd_pcm_runtime *runtime = vss->substream->runtime;
	size_t period_bytes = frames_to_bytes(runtime, runtime->period_size);
	unsigned int periods = runtime->periods;
	unsigned int i;

	if (vss->inflight)
		return -EBUSY;

	/* the buffer may have moved since the last prepare: slice it again */
	virtsnd_pcm_ring_free(vss);

	vss->msgs = kcalloc(periods, sizeof(*vss->msgs), GFP_KERNEL);
	if (!vss->msgs)
		return -ENOMEM;
	vss->nmsgs = periods;

	for (i = 0; i < periods; i++) {
		struct virtio_pcm_msg *msg;

		msg = virtsnd_pcm_msg_new(vss, i,
					  runtime->dma_area + i * period_bytes,
					  period_bytes);
		if (IS_ERR(msg)) {
			virtsnd_pcm_ring_free(vss);
			return PTR_ERR(msg);
		}
		vss->msgs[i] = msg;
	}

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		vss->period_bytes = period_bytes;
		vss->period_frames = runtime->period_size;
		vss->buffer_bytes = period_bytes * periods;
		vss->head = 0;
		vss->done = 0;
		vss->queued = 0;
		vss->completed = 0;
		vss->returned = 0;
		vss->reported = 0;
		vss->signalled = 0;
		/* ALSA resets both pointers to zero right after prepare */
		vss->appl_frames = 0;
		vss->latency_bytes = 0;
		vss->clock_held_ns = 0;
		vss->flush = false;
		vss->xrun_pending = false;
		vss->running = false;
	}

	return 0;
}

/*
 * Take (@hold) or drop a reference on every page under @msg's period: the
 * device owns the message from push to completion (or reset).  Dropping the
 * last one, if ALSA freed the buffer meanwhile, gives the page back to the
 * page allocator here, possibly in hard IRQ, which put_page() allows.
 */
static void virtsnd_pcm_msg_hold_pages(struct virtio_pcm_msg *msg, bool hold)
{
	struct sg_page_iter piter;

	lockdep_assert_held(&msg->vss->queue->lock);

	/* order-0 vmalloc pages, each with its own count */
	for_each_sg_page(msg->sgs, &piter, msg->nsgs, 0) {
		if (hold)
			get_page(sg_page_iter_page(&piter));
		else
			put_page(sg_page_iter_page(&piter));
	}
}

/* One message to the virtqueue, its status cleared.  Queue lock held. */
static int virtsnd_pcm_msg_add(struct virtio_pcm_substream *vss,
			       struct virtio_pcm_msg *msg)
{
	/* header, data, status: data is device-readable for playback */
	struct scatterlist *sgs[] = {
		&msg->sg_xfer, msg->sgs, &msg->sg_status,
	};
	/* how many of them the device reads; it writes the others */
	unsigned int out = vss->direction == VIRTIO_SND_D_OUTPUT ? 2 : 1;

	msg->status.status = 0;
	msg->status.latency_bytes = 0;
	msg->written = 0;

	return virtqueue_add_sgs(vss->queue->vqueue, sgs, out, 3 - out, msg,
				 GFP_ATOMIC);
}

/*
 * How many periods since prepare may have gone to the device: those the
 * application has written (playback) or a buffer beyond those it has read
 * (capture); never more than a buffer beyond the position.  That is the
 * device's for playback; for capture it is the one .pointer has shown,
 * which pads a short period first: the device must not own it again
 * before.
 *
 * A free-running stream (@free_running) is fed by that position instead,
 * as hardware that plays the ring on its own would be: dmix and dsnoop
 * never move the slave's appl_ptr, they write (read) the buffer just ahead
 * of (behind) hw_ptr.  All but the period after the position go to the
 * device: that one is still the application's, and what the device is
 * given it may read at once (QEMU copies a playback period when it takes
 * the message).  Queue lock held.
 */
static u64 virtsnd_pcm_ring_limit(struct virtio_pcm_substream *vss)
{
	bool playback = vss->direction == VIRTIO_SND_D_OUTPUT;
	u64 pos = playback ? vss->returned : vss->reported;
	u64 limit;

	if (playback && vss->flush)
		limit = DIV_ROUND_UP_ULL(vss->appl_frames, vss->period_frames);
	else
		limit = div_u64(vss->appl_frames, vss->period_frames);
	if (!playback)
		limit += vss->nmsgs;
	if (vss->free_running)
		limit = max(limit, pos + vss->nmsgs - 1);

	return min(limit, pos + vss->nmsgs);
}

/*
 * Hand every message that may go to the device to the virtqueue.
 * Returns true if the device must be notified.  Queue lock held.
 */
static bool virtsnd_pcm_ring_push(struct virtio_pcm_substream *vss)
{
	unsigned int added = 0;
	u64 limit;

	if (!vss->xfer_enabled || !vss->nmsgs || vss->queue->dead)
		return false;

	limit = virtsnd_pcm_ring_limit(vss);

	/* a device that had nothing resumes with this message */
	if (!vss->inflight && vss->queued < limit)
		vss->clock_ns = ktime_get_ns();

	while (vss->queued < limit) {
		struct virtio_pcm_msg *msg = vss->msgs[vss->head];
		int rc;

		/* only after a device returned messages out of order */
		if (msg->inflight)
			break;

		rc = virtsnd_pcm_msg_add(vss, msg);
		if (rc == -ENOSPC) {
			/* a full queue defers, it never drops */
			if (list_empty(&vss->wait_node))
				list_add_tail(&vss->wait_node,
					      &vss->queue->waiters);
			break;
		}
		if (rc) {
			dev_err_ratelimited(&vss->snd->vdev->dev,
					    "stream %u: cannot queue I/O: %d\n",
					    vss->sid, rc);
			break;
		}

		virtsnd_pcm_msg_hold_pages(msg, true);
		msg->inflight = true;
		vss->inflight++;
		vss->queued++;
		vss->head = (vss->head + 1) % vss->nmsgs;
		added++;
	}

	if (vss->queued == limit)
		list_del_init(&vss->wait_node);

	return added &&
	       !(vss->features & BIT(VIRTIO_SND_PCM_F_MSG_POLLING));
}

/* Push and notify the device; takes the queue lock. */
static void virtsnd_pcm_ring_kick(struct virtio_pcm_substream *vss)
{
	struct virtio_snd_queue *queue = vss->queue;
	bool notify = false;

	scoped_guard(spinlock_irqsave, &queue->lock) {
		if (virtsnd_pcm_ring_push(vss))
			notify = virtqueue_kick_prepare(queue->vqueue);
	}

	if (notify)
		virtqueue_notify(queue->vqueue);
}

/*
 * Whether the application lets the stream run on its own: no stop at any
 * avail, and (playback) the core writing silence over what was played,
 * which is how dmix (dsnoop) sets up its slave.
 */
static bool virtsnd_pcm_free_running(struct snd_pcm_runtime *runtime,
				     bool playback)
{
	return runtime->stop_threshold >= runtime->boundary &&
	       (!playback || runtime->silence_size >= runtime->boundary);
}

/**
 * virtsnd_pcm_ring_enable() - allow or stop I/O of a stream
 * @vss: the stream
 * @enable: true to queue what may be queued (capture: every period) and
 *          report completions
 *
 * Context: the PCM trigger callback to enable (stream lock held); any
 * context that may take the queue lock to disable.
 */
void virtsnd_pcm_ring_enable(struct virtio_pcm_substream *vss, bool enable)
{
	bool free_running = false;

	if (enable)
		free_running = virtsnd_pcm_free_running(vss->substream->runtime,
							vss->direction ==
							VIRTIO_SND_D_OUTPUT);

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		vss->xfer_enabled = enable;
		if (enable)
			vss->free_running = free_running;
		else
			list_del_init(&vss->wait_node);
	}

	if (enable)
		virtsnd_pcm_ring_kick(vss);
}

/**
 * virtsnd_pcm_ring_set_running() - start or stop reporting completions
 * @vss: the stream
 * @running: true once the device has started the stream
 *
 * A device may complete prebuffered playback periods before START, or
 * periods in flight after a pause: those are reported when the stream runs
 * again, so that the position does not move while ALSA is not running.
 * The delay's clock stops and starts with the stream.
 *
 * Context: any context that may take the queue lock.
 */
void virtsnd_pcm_ring_set_running(struct virtio_pcm_substream *vss,
				  bool running)
{
	u64 now = ktime_get_ns();

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		/* a pause keeps the device where it was in its oldest message */
		if (!running && vss->running && now > vss->clock_ns)
			vss->clock_held_ns = now - vss->clock_ns;
		if (running) {
			vss->clock_ns = now - vss->clock_held_ns;
			vss->clock_held_ns = 0;
		}
		vss->running = running;
		if (running && vss->xfer_enabled)
			queue_work(vss->snd->wq, &vss->elapsed_work);
	}
}

/**
 * virtsnd_pcm_ring_disable_sync() - stop I/O and wait for the elapsed work
 * @vss: the stream
 *
 * Must not be called with @vss->cmd_mutex or the PCM stream lock held: the
 * elapsed work may need both (period_elapsed -> xrun -> trigger STOP).
 *
 * Context: process context, may sleep.
 */
void virtsnd_pcm_ring_disable_sync(struct virtio_pcm_substream *vss)
{
	virtsnd_pcm_ring_enable(vss, false);
	flush_work(&vss->elapsed_work);
	flush_work(&vss->drain_work);
}

/*
 * ALSA's xrun rule, avail >= stop_threshold, at the device's position and
 * with appl_ptr as it was before the application's move: .pointer may not
 * have shown ALSA the last completions yet (ALSA took the position before
 * the interrupt, or .pointer moved only part of a whole ring).  The device
 * has then run out (filled the buffer) already, and what the application
 * now gives (frees) would only go after the gap.  Queue lock held.
 */
static bool virtsnd_pcm_ring_ran_out(struct virtio_pcm_substream *vss,
				     struct snd_pcm_runtime *runtime)
{
	u64 dev = vss->returned * vss->period_frames;
	u64 avail;

	lockdep_assert_held(&vss->queue->lock);

	if (!vss->running)
		return false;
	if (vss->direction == VIRTIO_SND_D_OUTPUT)
		dev += runtime->buffer_size;
	avail = dev - min(vss->appl_frames, dev);

	return avail >= runtime->stop_threshold;
}

/**
 * virtsnd_pcm_ring_ack() - the application moved appl_ptr
 * @vss: the stream
 *
 * Playback: queue the periods it has now completely written.  Capture:
 * queue again the periods it has now completely read.  Nothing, if the
 * device had run out before the move.
 *
 * Context: the PCM .ack callback (stream lock held, process context since
 * the PCM is nonatomic).  Takes the queue lock.
 * Return: 0, or -EPIPE if the device ran out (overran) before the move:
 * ALSA then puts appl_ptr back and stops the stream in xrun.
 */
int virtsnd_pcm_ring_ack(struct virtio_pcm_substream *vss)
{
	struct snd_pcm_runtime *runtime = vss->substream->runtime;
	snd_pcm_sframes_t ahead;

	/*
	 * Where the application is, from ALSA's own pointers: hw_ptr is the
	 * position .pointer last returned (vss->reported), appl_ptr is that far
	 * ahead of it (playback) or behind (capture).  Adding up appl_ptr's
	 * moves instead would go wrong after SNDRV_PCM_IOCTL_RESET, which
	 * sets appl_ptr back to hw_ptr (renumbering both) without calling
	 * .ack: the next period queued would be one the application had not
	 * written again.
	 */
	ahead = runtime->control->appl_ptr - runtime->status->hw_ptr;
	if (ahead < -(snd_pcm_sframes_t)(runtime->boundary / 2))
		ahead += runtime->boundary;
	else if (ahead > (snd_pcm_sframes_t)(runtime->boundary / 2))
		ahead -= runtime->boundary;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		u64 hw_frames = vss->reported * vss->period_frames;

		if (virtsnd_pcm_ring_ran_out(vss, runtime))
			return -EPIPE;
		if (ahead >= 0 || hw_frames >= -ahead)
			vss->appl_frames = hw_frames + ahead;
		else
			vss->appl_frames = 0;
	}

	virtsnd_pcm_ring_kick(vss);
	return 0;
}

/**
 * virtsnd_pcm_ring_flush() - playback drain: send the partial last period
 * @vss: the stream
 *
 * The rest of the period after appl_ptr is filled with silence so that the
 * device gets a whole period and drain can complete.
 *
 * Context: the PCM trigger callback (DRAIN), process context.
 */
void virtsnd_pcm_ring_flush(struct virtio_pcm_substream *vss)
{
	struct snd_pcm_runtime *runtime = vss->substream->runtime;
	u32 rem;

	if (vss->direction != VIRTIO_SND_D_OUTPUT || !vss->period_frames)
		return;

	scoped_guard(spinlock_irqsave, &vss->queue->lock)
		div_u64_rem(vss->appl_frames, vss->period_frames, &rem);

	/* the application cannot write while draining */
	if (rem) {
		snd_pcm_uframes_t pos = runtime->control->appl_ptr %
					runtime->buffer_size;

		snd_pcm_format_set_silence(runtime->format,
					   runtime->dma_area +
					   frames_to_bytes(runtime, pos),
					   (vss->period_frames - rem) *
					   runtime->channels);
	}

	scoped_guard(spinlock_irqsave, &vss->queue->lock)
		vss->flush = true;

	virtsnd_pcm_ring_kick(vss);
}

/**
 * virtsnd_pcm_ring_wait_empty() - wait until the device returned every message
 * @vss: the stream
 *
 * Not interruptible and bounded by msg_timeout_ms.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ETIMEDOUT.
 */
int virtsnd_pcm_ring_wait_empty(struct virtio_pcm_substream *vss)
{
	unsigned int inflight;

	if (!wait_event_timeout(vss->msg_empty, !READ_ONCE(vss->inflight),
				msecs_to_jiffies(virtsnd_msg_timeout_ms))) {
		scoped_guard(spinlock_irqsave, &vss->queue->lock)
			inflight = vss->inflight;
		if (inflight) {
			dev_err(&vss->snd->vdev->dev,
				"stream %u: device still holds %u I/O messages\n",
				vss->sid, inflight);
			return -ETIMEDOUT;
		}
	}

	return 0;
}

/**
 * virtsnd_pcm_ring_forget() - take every message back after a device reset
 * @vss: the stream
 *
 * Drops the references on the pages under the messages the device held,
 * which may free them: their buffers must be detached from the virtqueue
 * (unmapped) before.
 *
 * Context: the device has been reset; takes the queue lock.
 */
void virtsnd_pcm_ring_forget(struct virtio_pcm_substream *vss)
{
	unsigned int i;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		for (i = 0; i < vss->nmsgs; i++) {
			if (vss->msgs[i]->inflight)
				virtsnd_pcm_msg_hold_pages(vss->msgs[i], false);
			vss->msgs[i]->inflight = false;
		}
		vss->inflight = 0;
		vss->xfer_enabled = false;
		list_del_init(&vss->wait_node);
	}

	wake_up_all(&vss->msg_empty);
}

/*
 * Frames the device has played (or recorded) beyond the position ALSA
 * has: the periods it returned that .pointer has not shown yet, and the
 * part of the oldest message it holds that its clock has run through, at
 * the stream's rate, since it began on that message; never more than that
 * message.  Queue lock held.
 */
static u64 virtsnd_pcm_ring_ahead(struct virtio_pcm_substream *vss,
				  unsigned int rate)
{
	u64 frames = (vss->returned - vss->reported) * vss->period_frames;
	u64 now, ns;

	lockdep_assert_held(&vss->queue->lock);

	if (!vss->running || !vss->inflight)
		return frames;

	now = ktime_get_ns();
	ns = now > vss->clock_ns ? now - vss->clock_ns : 0;
	ns = min_t(u64, ns, NSEC_PER_SEC);

	return frames + min_t(u64, div_u64(ns * rate, NSEC_PER_SEC),
			      vss->period_frames);
}

/*
 * Capture periods @from..@to (since prepare) are about to be shown to
 * ALSA: one the device returned short, or failed, is padded with silence,
 * so that the application never reads what the buffer held before.  The
 * messages are not queued again before they have been shown (see
 * virtsnd_pcm_ring_limit()).
 */
static void virtsnd_pcm_pad_short(struct virtio_pcm_substream *vss,
				  struct snd_pcm_runtime *runtime,
				  u64 from, u64 to)
{
	for (; from < to; from++) {
		struct virtio_pcm_msg *msg =
			vss->msgs[virtsnd_pcm_ring_idx(vss, from)];
		size_t written = READ_ONCE(msg->written);

		if (written >= vss->period_bytes)
			continue;
		snd_pcm_format_set_silence(runtime->format,
					   runtime->dma_area +
					   msg->idx * vss->period_bytes +
					   written,
					   bytes_to_samples(runtime,
							    vss->period_bytes -
							    written));
	}
}

/**
 * virtsnd_pcm_ring_pointer() - current position for the .pointer callback
 * @vss: the stream
 *
 * The position is the device's: every period it has returned, in ring
 * order, from the moment its interrupt came, whether or not the elapsed
 * work has run since.  ALSA checks every read, write and hwsync against
 * it, so an application that comes after the device ran out (filled the
 * buffer) gets its xrun, instead of feeding a device that has already
 * played through the gap.  One call moves the position by a buffer less a
 * period at most: a whole ring would bring it back to where it was, which
 * ALSA would take for no move; the next call takes the rest.
 *
 * The position is noted as vss->reported, which virtsnd_pcm_ring_ack() pairs
 * with ALSA's hw_ptr.  It cannot move within a period: a message is the
 * device's until it comes back, and a pointer beyond it would let the
 * application write into a period the device has not read yet (or read
 * one it has not filled).  What the device did since goes into
 * runtime->delay instead, from the time of its last completion: the delay
 * is what is queued (or captured) less (plus) what the device played
 * (recorded) of it since, plus the device's own latency (0 from QEMU,
 * whose completions mean "taken", not "played").  For playback that extra
 * delay is negative.
 *
 * Context: the PCM .pointer callback: process context (nonatomic PCM),
 * stream lock held.  Takes the queue lock.
 * Return: position in frames within the buffer.
 */
snd_pcm_uframes_t virtsnd_pcm_ring_pointer(struct virtio_pcm_substream *vss)
{
	struct snd_pcm_runtime *runtime = vss->substream->runtime;
	snd_pcm_sframes_t delay;
	u64 from, to, hw_frames, ahead;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		if (!vss->nmsgs)
			return 0;
		from = vss->reported;
		if (vss->running)
			vss->reported = min(vss->returned,
					    from + vss->nmsgs - 1);
		to = vss->reported;
		hw_frames = to * vss->period_frames;
		delay = bytes_to_frames(runtime, vss->latency_bytes);
		ahead = virtsnd_pcm_ring_ahead(vss, runtime->rate);
		if (vss->direction == VIRTIO_SND_D_OUTPUT) {
			/* never more than the application has queued */
			if (vss->appl_frames < hw_frames)
				ahead = 0;
			else
				ahead = min(ahead, vss->appl_frames - hw_frames);
			delay -= ahead;
		} else {
			delay += ahead;
		}
	}

	if (vss->direction == VIRTIO_SND_D_INPUT && to != from) {
		virtsnd_pcm_pad_short(vss, runtime, from, to);
		/* padded: a free-running capture may have them back */
		if (READ_ONCE(vss->free_running))
			virtsnd_pcm_ring_kick(vss);
	}
	runtime->delay = delay;

	return virtsnd_pcm_ring_idx(vss, to) * vss->period_frames;
}

/*
 * The device could not play or record a period.  Messages flushed by
 * STOP/RELEASE are expected to come back short; on a running stream the
 * period is lost, and the application learns it as an xrun (a capture
 * period reads as silence until then).  Queue lock held.
 */
static void virtsnd_pcm_msg_failed(struct virtio_pcm_substream *vss,
				   unsigned int len, u32 status)
{
	if (!vss->xfer_enabled)
		return;

	if (len < sizeof(struct virtio_snd_pcm_status))
		vss->io_bad_length++;
	else
		vss->io_bad_status++;
	dev_warn_ratelimited(&vss->snd->vdev->dev,
			     "stream %u: I/O failed (length %u, status 0x%x)\n",
			     vss->sid, len, status);
	if (vss->running)
		vss->xrun_pending = true;
}

/*
 * One message came back from the device.  The used length and the status
 * are untrusted: a short or failed capture period is padded with silence by
 * the elapsed work, latency_bytes is clamped to the buffer.  Queue lock
 * held; hard IRQ, or the card's workqueue for a PERIOD_ELAPSED event.
 */
static void virtsnd_pcm_msg_complete(struct virtio_pcm_msg *msg,
				     unsigned int len, u64 now)
{
	struct virtio_pcm_substream *vss = msg->vss;
	struct device *dev = &vss->snd->vdev->dev;
	size_t status_size = sizeof(msg->status);
	u32 status;

	if (!msg->inflight) {
		dev_warn_ratelimited(dev,
				     "stream %u: device returned an idle I/O message\n",
				     vss->sid);
		return;
	}

	if (msg->idx != vss->done)
		dev_warn_ratelimited(dev,
				     "stream %u: I/O message %u returned out of order (expected %u)\n",
				     vss->sid, msg->idx, vss->done);

	msg->inflight = false;
	vss->inflight--;
	virtsnd_pcm_msg_hold_pages(msg, false);

	status = le32_to_cpu(msg->status.status);
	if (len < status_size || status != VIRTIO_SND_S_OK) {
		virtsnd_pcm_msg_failed(vss, len, status);
		msg->written = 0;
	} else {
		u32 latency = le32_to_cpu(msg->status.latency_bytes);

		/* the device cannot have written more than the buffer */
		if (len - status_size > vss->period_bytes) {
			vss->io_bad_length++;
			dev_warn_ratelimited(dev,
					     "stream %u: device used %u bytes of a %zu-byte buffer\n",
					     vss->sid, len - (u32)status_size,
					     vss->period_bytes);
		}
		if (latency > vss->buffer_bytes)
			dev_warn_ratelimited(dev,
					     "stream %u: latency of %u bytes beyond the %zu-byte buffer\n",
					     vss->sid, latency, vss->buffer_bytes);
		msg->written = min_t(size_t, len - status_size,
				     vss->period_bytes);
		vss->latency_bytes = min_t(size_t, latency, vss->buffer_bytes);
	}

	vss->completed++;
	vss->done = (vss->done + 1) % vss->nmsgs;
	vss->clock_ns = now;
	/* the device's position: a message back early waits for its elders */
	while (vss->returned < vss->completed &&
	       !vss->msgs[virtsnd_pcm_ring_idx(vss, vss->returned)]->inflight)
		vss->returned++;

	if (vss->xfer_enabled)
		queue_work(vss->snd->wq, &vss->elapsed_work);
	if (!vss->inflight)
		wake_up_all(&vss->msg_empty);
}

static void virtsnd_pcm_notify_cb(struct virtqueue *vqueue,
				  struct virtio_snd_queue *queue)
{
	struct virtio_pcm_substream *vss, *next;
	struct virtio_pcm_msg *msg;
	u64 now = ktime_get_ns();
	unsigned long flags;
	bool kick = false;
	unsigned int len;

	spin_lock_irqsave(&queue->lock, flags);
	/* a PERIOD_ELAPSED event may call us while the card goes away */
	if (unlikely(queue->dead)) {
		spin_unlock_irqrestore(&queue->lock, flags);
		return;
	}
	do {
		virtqueue_disable_cb(vqueue);
		while ((msg = virtqueue_get_buf(vqueue, &len))) {
			virtsnd_pcm_msg_complete(msg, len, now);
			/* nothing else feeds free-running playback */
			if (msg->vss->free_running)
				kick |= virtsnd_pcm_ring_push(msg->vss);
		}
		if (unlikely(virtqueue_is_broken(vqueue)))
			break;
	} while (!virtqueue_enable_cb(vqueue));

	/* room was freed: retry the streams that found the queue full */
	list_for_each_entry_safe(vss, next, &queue->waiters, wait_node) {
		list_del_init(&vss->wait_node);
		kick |= virtsnd_pcm_ring_push(vss);
		if (!list_empty(&vss->wait_node))
			break;
	}
	if (kick)
		kick = virtqueue_kick_prepare(vqueue);
	spin_unlock_irqrestore(&queue->lock, flags);

	if (kick)
		virtqueue_notify(vqueue);
}

/**
 * virtsnd_pcm_tx_notify_cb() - tx virtqueue callback
 * @vqueue: the tx virtqueue
 *
 * Also called for a PERIOD_ELAPSED event; does nothing once the queue is
 * dead (device reset).
 *
 * Context: hard IRQ, or the card's worker (event).  Takes the tx queue lock.
 */
void virtsnd_pcm_tx_notify_cb(struct virtqueue *vqueue)
{
	struct virtio_snd *snd = vqueue->vdev->priv;

	virtsnd_pcm_notify_cb(vqueue, virtsnd_tx_queue(snd));
}

/**
 * virtsnd_pcm_rx_notify_cb() - rx virtqueue callback
 * @vqueue: the rx virtqueue
 *
 * Also called for a PERIOD_ELAPSED event; does nothing once the queue is
 * dead (device reset).
 *
 * Context: hard IRQ, or the card's worker (event).  Takes the rx queue lock.
 */
void virtsnd_pcm_rx_notify_cb(struct virtqueue *vqueue)
{
	struct virtio_snd *snd = vqueue->vdev->priv;

	virtsnd_pcm_notify_cb(vqueue, virtsnd_rx_queue(snd));
}

/**
 * virtsnd_pcm_drain_work() - flush the partial period of a drain that
 *			      started the stream
 * @work: virtio_pcm_substream::drain_work
 *
 * ALSA does not always call trigger(DRAIN) when snd_pcm_drain() has to
 * start a prepared stream itself, so trigger(START) queues this work: once
 * the drain ioctl has finished its state change (the stream lock orders
 * us after it), a draining stream gets its partial last period sent.
 *
 * Context: the card's workqueue; takes the PCM stream lock.
 */
void virtsnd_pcm_drain_work(struct work_struct *work)
{
	struct virtio_pcm_substream *vss =
		container_of(work, struct virtio_pcm_substream, drain_work);
	struct snd_pcm_substream *substream = vss->substream;
	bool draining;

	snd_pcm_stream_lock_irq(substream);
	draining = substream->runtime &&
		   substream->runtime->status->state == SNDRV_PCM_STATE_DRAINING;
	if (draining)
		virtsnd_pcm_ring_flush(vss);
	snd_pcm_stream_unlock_irq(substream);
}

/**
 * virtsnd_pcm_ring_xrun() - the device reported an xrun on the stream
 * @vss: the stream
 *
 * ALSA is told from the elapsed work, which hw_free flushes: the substream's
 * runtime cannot go away under snd_pcm_stop_xrun() there.
 *
 * Context: process context (the card's workqueue).  Takes the queue lock.
 */
void virtsnd_pcm_ring_xrun(struct virtio_pcm_substream *vss)
{
	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		if (vss->xfer_enabled && vss->running) {
			vss->xrun_pending = true;
			queue_work(vss->snd->wq, &vss->elapsed_work);
		}
	}
}

/*
 * Whether the elapsed work is to tell ALSA about returned periods now.
 * Takes the queue lock; the stream lock held, so that .pointer and hw_ptr
 * stay as read here until ALSA has taken the call.
 */
static bool virtsnd_pcm_ring_elapsed(struct virtio_pcm_substream *vss,
				     struct snd_pcm_runtime *runtime)
{
	bool live, moves, news;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		live = vss->xfer_enabled && vss->running;
		moves = vss->reported < vss->returned;
		news = vss->signalled != vss->returned;
		if (live)
			vss->signalled = vss->returned;
	}

	/*
	 * .pointer moves: ALSA accounts the periods and wakes the waiters.
	 * Or a read, write or hwsync has already moved it over them, and the
	 * period's timer tick and SIGIO are still due; not at the very
	 * position of ALSA's last period call: there, half a buffer later,
	 * ALSA would take the call for a whole buffer gone by.
	 */
	if (!live)
		return false;
	return moves ||
	       (news && runtime->status->hw_ptr != runtime->hw_ptr_interrupt);
}

/**
 * virtsnd_pcm_elapsed_work() - report completed periods to ALSA
 * @work: virtio_pcm_substream::elapsed_work
 *
 * Once per batch of completions, one period-elapsed call moves ALSA's
 * position over every period the device returned and wakes the
 * application; only a whole ring takes two (see
 * virtsnd_pcm_ring_pointer()).  No report is delayed or spread out: when
 * the device has consumed (or filled) more than the application kept
 * ahead, ALSA sees the xrun.
 *
 * Context: the card's workqueue, process context; takes the PCM stream
 * lock, and the queue lock without calling into ALSA under it.
 */
void virtsnd_pcm_elapsed_work(struct work_struct *work)
{
	struct virtio_pcm_substream *vss =
		container_of(work, struct virtio_pcm_substream, elapsed_work);
	struct snd_pcm_substream *substream = vss->substream;
	bool xrun;
	u64 shown;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		if (!vss->xfer_enabled || !substream->runtime)
			return;
		xrun = vss->xrun_pending;
		vss->xrun_pending = false;
	}
	if (xrun) {
		snd_pcm_stop_xrun(substream);
		return;
	}

	snd_pcm_stream_lock_irq(substream);
	while (substream->runtime &&
	       virtsnd_pcm_ring_elapsed(vss, substream->runtime)) {
		shown = READ_ONCE(vss->reported);
		snd_pcm_period_elapsed_under_stream_lock(substream);
		/* ALSA did not move: the stream has stopped */
		if (READ_ONCE(vss->reported) == shown)
			break;
	}
	snd_pcm_stream_unlock_irq(substream);
}
