// SPDX-License-Identifier: GPL-2.0
/*
 * PCM I/O messages: the tx and rx queues.
 *
 * Each valid message joins its stream's FIFO.  While the stream runs, the
 * audio clock decides when the head message has been played (tx: its
 * frames are appended to the stream's data file) or recorded (rx: it is
 * filled from the capture pattern, which is also appended to the data
 * file).  Messages that break the spec are completed at once with
 * VIRTIO_SND_S_IO_ERR and logged as violations.
 *
 * Capture pattern: sample k of a stream (k counts samples, all channels
 * interleaved, from 0 at every SET_PARAMS) holds the value k, stored
 * little-endian in the sample's physical width.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_snd.h>

#include "fault.h"
#include "loop.h"
#include "snd_pcm.h"
#include "snd_tables.h"
#include "vlog.h"

#define PCM_XFER_SIZE	sizeof(struct virtio_snd_pcm_xfer)
#define PCM_STATUS_SIZE	sizeof(struct virtio_snd_pcm_status)

static bool pcm_is_output(const struct snd_pcm_stream *s)
{
	return s->cfg->direction == VIRTIO_SND_D_OUTPUT;
}

static struct virtq *pcm_vq(struct snd_pcm_stream *s)
{
	return snd_vq(s->snd, pcm_is_output(s) ? VIRTIO_SND_VQ_TX :
						 VIRTIO_SND_VQ_RX);
}

static size_t pcm_msg_payload(const struct snd_pcm_stream *s,
			      const struct vq_elem *e)
{
	return pcm_is_output(s) ? e->out_len - PCM_XFER_SIZE :
				  e->in_len - PCM_STATUS_SIZE;
}

static uint32_t pcm_msg_frames(const struct snd_pcm_stream *s,
			       const struct vq_elem *e)
{
	return pcm_msg_payload(s, e) / s->frame_bytes;
}

static void pcm_write_data(struct snd_pcm_stream *s, const void *buf,
			   size_t len)
{
	while (len) {
		ssize_t n = write(s->data_fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			vlog_err("stream %u: data file: %s", s->id, strerror(errno));
			return;
		}
		buf = (const char *)buf + n;
		len -= n;
	}
}

/* Play: append the payload (after the xfer header) to the data file. */
static void pcm_play(struct snd_pcm_stream *s, const struct vq_elem *e)
{
	size_t skip = PCM_XFER_SIZE;
	unsigned int i;

	for (i = 0; i < e->n_out; i++) {
		const struct iovec *v = &e->out[i];

		if (skip >= v->iov_len) {
			skip -= v->iov_len;
			continue;
		}
		pcm_write_data(s, (char *)v->iov_base + skip, v->iov_len - skip);
		skip = 0;
	}
}

/* Record: fill the payload from the capture pattern. */
static void pcm_record(struct snd_pcm_stream *s, const struct vq_elem *e,
		       size_t len)
{
	static uint8_t *buf;
	static size_t buf_size;
	unsigned int sb = s->sample_bytes, b;
	size_t off;

	if (len > buf_size) {
		uint8_t *nbuf = realloc(buf, len);

		if (!nbuf) {
			vlog_err("stream %u: out of memory", s->id);
			return;
		}
		buf = nbuf;
		buf_size = len;
	}
	for (off = 0; off + sb <= len; off += sb) {
		uint64_t v = s->sample_counter++;

		for (b = 0; b < sb; b++)
			buf[off + b] = b < 8 ? v >> (8 * b) : 0;
	}
	memset(buf + off, 0, len - off);
	iov_write(e->in, e->n_in, 0, buf, len);
	pcm_write_data(s, buf, len);
}

/*
 * Complete one message of @s.  @transfer says whether its frames were
 * played/recorded (false on RELEASE and on errors).
 */
static void pcm_msg_complete(struct snd_pcm_stream *s, struct vq_elem *e,
			     uint32_t status, bool transfer)
{
	struct virtio_snd_pcm_status st;
	size_t payload = pcm_msg_payload(s, e);
	struct fault f;
	bool faulted = transfer && fault_take(FAULT_IO, s->id, &f);
	uint32_t used;
	uint16_t head;

	if (faulted && f.action == FAULT_STATUS)
		status = f.arg;
	st.status = htole32(status);
	/*
	 * The device plays (records) straight from the messages, at its
	 * clock: it holds no audio beyond the messages the driver has queued
	 * and already counts, so no latency on top of them.
	 */
	st.latency_bytes = 0;
	if (faulted && f.action == FAULT_LATENCY)
		st.latency_bytes = htole32(f.arg);
	if (pcm_is_output(s)) {
		if (transfer)
			pcm_play(s, e);
		iov_write(e->in, e->n_in, 0, &st, sizeof(st));
		used = sizeof(st);
	} else {
		if (transfer)
			pcm_record(s, e, payload);
		iov_write(e->in, e->n_in, payload, &st, sizeof(st));
		used = (transfer ? payload : 0) + sizeof(st);
	}
	if (transfer)
		s->bytes_done += payload;
	vlog_io("stream %u: complete %zu bytes status 0x%x%s, %u queued",
		s->id, payload, status, transfer ? "" : " (untransferred)",
		s->queued);
	if (faulted) {
		switch (f.action) {
		case FAULT_SHORT:
			used = used > f.arg ? used - f.arg : 0;
			break;
		case FAULT_LONG:
			used = fault_longer(used, f.arg);
			break;
		case FAULT_DELAY:
		case FAULT_DROP:
			fault_hold(pcm_vq(s), e, used,
				   f.action == FAULT_DELAY ? f.arg : 0, 0);
			return;
		case FAULT_LATE:
			fault_hold(pcm_vq(s), e, used, f.arg,
				   pcm_is_output(s) ? 0 : payload);
			return;
		case FAULT_DUP:
			head = e->head;
			virtq_push(pcm_vq(s), e, used);
			virtq_push_id(pcm_vq(s), head, used);
			return;
		default:
			break;
		}
	}
	virtq_push(pcm_vq(s), e, used);
}

static struct vq_elem *pcm_dequeue(struct snd_pcm_stream *s)
{
	struct vq_elem *e = s->queue;

	if (!e)
		return NULL;
	s->queue = e->next;
	if (!s->queue)
		s->queue_tail = &s->queue;
	s->queued--;
	return e;
}

/* The driver may not kick for a stream that negotiated MSG_POLLING. */
static bool pcm_polling(const struct snd_pcm_stream *s)
{
	return s->params.features & (1u << VIRTIO_SND_PCM_F_MSG_POLLING);
}

#define PCM_POLL_NS	1000000ULL	/* poll period while starved */

/* Arm the clock for the head message, or complete everything (instant). */
static void pcm_schedule(struct snd_pcm_stream *s)
{
	struct vq_elem *e;

	if (s->state != PCM_STATE_START)
		return;
	if (!s->clock.instant) {
		if (s->queue)
			aclock_arm(&s->clock,
				   aclock_due(&s->clock, pcm_msg_frames(s, s->queue)));
		else if (pcm_polling(s))
			aclock_arm(&s->clock, aclock_now() + PCM_POLL_NS);
		else
			aclock_stop(&s->clock);
		return;
	}
	while ((e = pcm_dequeue(s)))
		pcm_msg_complete(s, e, VIRTIO_SND_S_OK, true);
	s->starved = true;
	virtq_notify(pcm_vq(s));
}

static void pcm_timer_cb(int fd, unsigned int events, void *opaque)
{
	struct snd_pcm_stream *s = opaque;
	uint64_t now = aclock_now();
	unsigned int done = 0;

	(void)fd;
	(void)events;
	aclock_ack(&s->clock);
	if (s->state != PCM_STATE_START)
		return;
	if (pcm_polling(s))
		pcm_io_kick(s->snd, pcm_is_output(s) ? VIRTIO_SND_VQ_TX :
						       VIRTIO_SND_VQ_RX);
	while (s->queue) {
		uint32_t frames = pcm_msg_frames(s, s->queue);

		if (aclock_due(&s->clock, frames) > now)
			break;
		aclock_advance(&s->clock, frames);
		pcm_msg_complete(s, pcm_dequeue(s), VIRTIO_SND_S_OK, true);
		done++;
	}
	if (!s->queue)
		s->starved = true;
	if (done)
		virtq_notify(pcm_vq(s));
	pcm_schedule(s);
}

/*
 * A message arrived for a running stream whose queue had run dry: the
 * device had nothing to play (or nowhere to record), an xrun unless the
 * stream has done nothing since START (a driver may queue capture buffers
 * just after it).  Restart the clock from now.
 */
static void pcm_restart_after_starve(struct snd_pcm_stream *s)
{
	if (s->bytes_done != s->start_bytes && !s->clock.instant) {
		s->xruns++;
		vlog_info("stream %u: %s (%llu so far)", s->id,
			  pcm_is_output(s) ? "underrun" : "overrun",
			  (unsigned long long)s->xruns);
		if (s->params.features & (1u << VIRTIO_SND_PCM_F_EVT_XRUNS))
			snd_event_send(s->snd, VIRTIO_SND_EVT_PCM_XRUN, s->id);
	}
	aclock_start(&s->clock, snd_rate_hz(s->params.rate));
	s->starved = false;
}

static void pcm_enqueue(struct snd_pcm_stream *s, struct vq_elem *e)
{
	bool was_empty = !s->queue;

	e->next = NULL;
	*s->queue_tail = e;
	s->queue_tail = &e->next;
	s->queued++;
	vlog_io("stream %u: queue %zu bytes, %u queued, state %d%s", s->id,
		pcm_msg_payload(s, e), s->queued, s->state,
		s->starved ? ", starved" : "");
	if (s->state != PCM_STATE_START)
		return;
	if (s->starved)
		pcm_restart_after_starve(s);
	if (was_empty || s->clock.instant)
		pcm_schedule(s);
}

/* Complete a message that breaks the spec with IO_ERR, if at all possible. */
static void pcm_msg_fail(struct virtq *vq, struct vq_elem *e)
{
	struct virtio_snd_pcm_status st = {
		.status = htole32(VIRTIO_SND_S_IO_ERR),
	};

	if (e->in_len < sizeof(st)) {
		virtq_push(vq, e, 0);
		return;
	}
	iov_write(e->in, e->n_in, e->in_len - sizeof(st), &st, sizeof(st));
	virtq_push(vq, e, sizeof(st));
}

static const char *const pcm_queue_names[] = { "tx", "rx" };

/* Validate one I/O message; return its stream, or NULL (violation logged). */
static struct snd_pcm_stream *pcm_msg_check(struct snd_dev *snd,
					    unsigned int qidx,
					    struct vq_elem *e)
{
	bool tx = qidx == VIRTIO_SND_VQ_TX;
	const char *q = pcm_queue_names[!tx];
	struct virtio_snd_pcm_xfer xfer;
	struct snd_pcm_stream *s;
	size_t payload;
	uint32_t id;

	if (iov_read(e->out, e->n_out, 0, &xfer, sizeof(xfer)) < sizeof(xfer)) {
		vlog_violation("%s: I/O message without header (%zu readable bytes)",
			       q, e->out_len);
		return NULL;
	}
	id = le32toh(xfer.stream_id);
	if (id >= snd->cfg->adv_streams) {
		vlog_violation("%s: stream id %u >= streams %u", q, id,
			       snd->cfg->adv_streams);
		return NULL;
	}
	if (id >= snd->cfg->nstreams)
		return NULL;	/* advertised only (fault) */
	s = &snd->streams[id];
	if (pcm_is_output(s) != tx) {
		vlog_violation("%s: stream %u is an %s stream", q, id,
			       tx ? "input" : "output");
		return NULL;
	}
	if (tx && e->in_len != PCM_STATUS_SIZE) {
		vlog_violation("tx: stream %u: device-writable part is %zu bytes, not a %zu-byte status",
			       id, e->in_len, PCM_STATUS_SIZE);
		return NULL;
	}
	if (!tx && (e->out_len != PCM_XFER_SIZE || e->in_len < PCM_STATUS_SIZE)) {
		vlog_violation("rx: stream %u: %zu readable / %zu writable bytes (want %zu / buffer + %zu)",
			       id, e->out_len, e->in_len, PCM_XFER_SIZE,
			       PCM_STATUS_SIZE);
		return NULL;
	}
	if (s->state != PCM_STATE_PREPARE && s->state != PCM_STATE_START &&
	    s->state != PCM_STATE_STOP) {
		vlog_violation("%s: stream %u: I/O message while not prepared (state %d)",
			       q, id, s->state);
		return NULL;
	}
	payload = pcm_msg_payload(s, e);
	if (!payload || payload > s->params.period_bytes ||
	    payload % s->frame_bytes) {
		vlog_violation("%s: stream %u: buffer of %zu bytes (period %u, frame %u)",
			       q, id, payload, s->params.period_bytes,
			       s->frame_bytes);
		return NULL;
	}
	return s;
}

/**
 * pcm_io_kick() - Take every available message from the tx or rx queue.
 * @snd: device.
 * @qidx: VIRTIO_SND_VQ_TX or VIRTIO_SND_VQ_RX.
 */
void pcm_io_kick(struct snd_dev *snd, unsigned int qidx)
{
	struct virtq *vq = snd_vq(snd, qidx);
	struct vq_elem *e;
	bool failed = false;

	while (virtq_pop(vq, &e) > 0) {
		struct snd_pcm_stream *s = pcm_msg_check(snd, qidx, e);

		if (s) {
			pcm_enqueue(s, e);
		} else {
			pcm_msg_fail(vq, e);
			failed = true;
		}
	}
	if (failed)
		virtq_notify(vq);
}

/**
 * pcm_io_start() - The stream entered START: run the clock.
 * @s: stream.
 */
void pcm_io_start(struct snd_pcm_stream *s)
{
	aclock_start(&s->clock, snd_rate_hz(s->params.rate));
	s->starved = !s->queue;
	s->start_bytes = s->bytes_done;
	pcm_schedule(s);
}

/**
 * pcm_io_stop() - Stop the clock; queued messages stay queued.
 * @s: stream.
 */
void pcm_io_stop(struct snd_pcm_stream *s)
{
	aclock_stop(&s->clock);
}

/**
 * pcm_io_release() - Complete every pending message of @s, unplayed.
 * @s: stream.
 *
 * Messages still in the available ring are taken first, so none is left
 * pending when the RELEASE reply goes out.
 */
void pcm_io_release(struct snd_pcm_stream *s)
{
	struct vq_elem *e;

	pcm_io_kick(s->snd, pcm_is_output(s) ? VIRTIO_SND_VQ_TX :
					       VIRTIO_SND_VQ_RX);
	aclock_stop(&s->clock);
	while ((e = pcm_dequeue(s)))
		pcm_msg_complete(s, e, VIRTIO_SND_S_OK, false);
	virtq_notify(pcm_vq(s));
}

/**
 * pcm_io_discard() - Drop every pending message without completing it.
 * @s: stream.
 *
 * Used when the queue stops (device reset): the driver no longer expects
 * the buffers back.
 */
void pcm_io_discard(struct snd_pcm_stream *s)
{
	struct vq_elem *e;

	while ((e = pcm_dequeue(s)))
		virtq_discard(pcm_vq(s), e);
}

/**
 * pcm_io_queue_stop() - The tx or rx queue stopped.
 * @snd: device.
 * @qidx: VIRTIO_SND_VQ_TX or VIRTIO_SND_VQ_RX.
 */
void pcm_io_queue_stop(struct snd_dev *snd, unsigned int qidx)
{
	unsigned int i;

	for (i = 0; i < snd->cfg->nstreams; i++) {
		struct snd_pcm_stream *s = &snd->streams[i];

		if (pcm_is_output(s) == (qidx == VIRTIO_SND_VQ_TX)) {
			aclock_stop(&s->clock);
			pcm_io_discard(s);
		}
	}
}

/**
 * pcm_io_init() - Set up the clock and the data file of a stream.
 * @s: stream with @snd, @cfg and @id set.
 *
 * The data file is OUTDIR/streamN.raw, truncated now and appended to for
 * the whole life of the device.
 *
 * Return: 0 or -errno.
 */
int pcm_io_init(struct snd_pcm_stream *s)
{
	char path[PATH_MAX];
	int rc;

	rc = aclock_init(&s->clock, s->snd->instant);
	if (rc)
		return rc;
	rc = loop_add(s->clock.tfd, pcm_timer_cb, s);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/stream%u.raw", s->snd->outdir, s->id);
	s->data_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
			  O_CLOEXEC, 0644);
	if (s->data_fd < 0) {
		rc = -errno;
		vlog_err("%s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}
