// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * The per-stream command state machine: which PCM command may be sent in
 * which state, synchronous and asynchronous commands, SET_PARAMS, and the
 * recovery of a stream the device may have left in any state.
 */
#include <linux/virtio_config.h>
#include <sound/pcm_params.h>

#include "virtio_card.h"

/* Request codes of the PCM commands, in table order. */
enum {
	VIRTSND_CMD_SET_PARAMS,
	VIRTSND_CMD_PREPARE,
	VIRTSND_CMD_RELEASE,
	VIRTSND_CMD_START,
	VIRTSND_CMD_STOP,
	VIRTSND_CMD_COUNT
};

/*
 * The one transition table: which command may be sent in which state, the
 * state it leads to, and the state a timeout leaves.  It follows the
 * specification's lifecycle, which a strict device enforces with BAD_MSG
 * (and QEMU with virtio_error() for a RELEASE of a stream it never
 * prepared).
 *
 * A timed-out command is still in the control queue, which the device
 * handles in order: it has been carried out or refused by the time the
 * device sees our next command.  After SET_PARAMS or PREPARE the stream is
 * then prepared or not, so it must never be RELEASEd; SET_PARAMS is legal
 * either way (IDLE: only SET_PARAMS).  After RELEASE it is released.
 * After START or STOP it may or may not run (UNKNOWN): recovery sends STOP
 * and RELEASE, taking BAD_MSG as "was not in that state" (see
 * virtsnd_pcm_quiesce()).
 */
#define VS(s)	BIT(VIRTSND_PCM_S_##s)
static const struct {
	u32 request;
	unsigned long from;
	enum virtsnd_pcm_state to;
	enum virtsnd_pcm_state timeout;
} virtsnd_pcm_transitions[VIRTSND_CMD_COUNT] = {
	[VIRTSND_CMD_SET_PARAMS] = {
		VIRTIO_SND_R_PCM_SET_PARAMS,
		VS(IDLE) | VS(PARAMS) | VS(PREPARED) | VS(RELEASED),
		VIRTSND_PCM_S_PARAMS, VIRTSND_PCM_S_IDLE },
	[VIRTSND_CMD_PREPARE] = {
		VIRTIO_SND_R_PCM_PREPARE,
		VS(PARAMS) | VS(PREPARED) | VS(RELEASED),
		VIRTSND_PCM_S_PREPARED, VIRTSND_PCM_S_IDLE },
	[VIRTSND_CMD_RELEASE] = {
		VIRTIO_SND_R_PCM_RELEASE,
		VS(PREPARED) | VS(STOPPED) | VS(UNKNOWN),
		VIRTSND_PCM_S_RELEASED, VIRTSND_PCM_S_RELEASED },
	[VIRTSND_CMD_START] = {
		VIRTIO_SND_R_PCM_START,
		VS(PREPARED) | VS(STOPPED),
		VIRTSND_PCM_S_STARTED, VIRTSND_PCM_S_UNKNOWN },
	[VIRTSND_CMD_STOP] = {
		VIRTIO_SND_R_PCM_STOP,
		VS(STARTED) | VS(UNKNOWN),
		VIRTSND_PCM_S_STOPPED, VIRTSND_PCM_S_UNKNOWN },
};

#undef VS

static int virtsnd_pcm_cmd_index(struct virtio_pcm_substream *vss,
				 u32 request)
{
	unsigned int i;

	lockdep_assert_held(&vss->cmd_mutex);

	for (i = 0; i < VIRTSND_CMD_COUNT; i++) {
		if (virtsnd_pcm_transitions[i].request != request)
			continue;
		if (virtsnd_pcm_transitions[i].from & BIT(vss->state))
			return i;
		dev_err(&vss->snd->vdev->dev,
			"stream %u: request 0x%04x not allowed in state %d\n",
			vss->sid, request, vss->state);
		return -EBADFD;
	}

	return -EINVAL;
}

static struct virtio_snd_msg *
virtsnd_pcm_cmd_alloc(struct virtio_pcm_substream *vss, u32 request,
		      size_t size, gfp_t gfp)
{
	struct virtio_snd_pcm_hdr *hdr;
	struct virtio_snd_msg *msg;

	msg = virtsnd_ctl_msg_alloc(size, sizeof(struct virtio_snd_hdr), gfp);
	if (!msg)
		return NULL;

	hdr = virtsnd_ctl_msg_request(msg);
	hdr->hdr.code = cpu_to_le32(request);
	hdr->stream_id = cpu_to_le32(vss->sid);

	return msg;
}

/*
 * Take the answer to an asynchronous STOP before the stream's next
 * command.  The device handles the control queue in order: a command sent
 * behind a STOP it refused or never answered reaches a stream that still
 * runs, and a strict device refuses a RELEASE there.  A STOP that failed or
 * timed out leaves the stream UNKNOWN, for which quiesce recovers.
 */
static void virtsnd_pcm_stop_settle(struct virtio_pcm_substream *vss)
{
	struct virtio_snd_msg *msg = vss->stop_msg;
	int rc;

	lockdep_assert_held(&vss->cmd_mutex);

	if (!msg)
		return;
	vss->stop_msg = NULL;
	rc = virtsnd_ctl_msg_wait(vss->snd, msg);
	virtsnd_ctl_msg_unref(msg);
	if (!rc)
		return;
	dev_warn_ratelimited(&vss->snd->vdev->dev,
			     "stream %u: STOP failed: %d\n", vss->sid, rc);
	if (rc == -ETIMEDOUT)
		vss->cmd_timeouts++;
	vss->state = VIRTSND_PCM_S_UNKNOWN;
}

/*
 * A command without payload (PREPARE, RELEASE, START, STOP), if the state
 * machine allows it in the stream's state; its table index in @idx.
 */
static struct virtio_snd_msg *
virtsnd_pcm_cmd_new(struct virtio_pcm_substream *vss, u32 request, int *idx)
{
	struct virtio_snd_msg *msg;

	virtsnd_pcm_stop_settle(vss);
	*idx = virtsnd_pcm_cmd_index(vss, request);
	if (*idx < 0)
		return ERR_PTR(*idx);

	msg = virtsnd_pcm_cmd_alloc(vss, request,
				    sizeof(struct virtio_snd_pcm_hdr),
				    GFP_KERNEL);
	return msg ?: ERR_PTR(-ENOMEM);
}

/* Send a prepared command and apply the state transition. */
static int virtsnd_pcm_cmd_send(struct virtio_pcm_substream *vss, int idx,
				struct virtio_snd_msg *msg)
{
	int rc;

	rc = virtsnd_ctl_msg_send(vss->snd, msg);
	virtsnd_ctl_msg_unref(msg);

	if (!rc) {
		vss->state = virtsnd_pcm_transitions[idx].to;
	} else if (rc == -ETIMEDOUT) {
		vss->state = virtsnd_pcm_transitions[idx].timeout;
		vss->cmd_timeouts++;
	}

	return rc;
}

/**
 * virtsnd_pcm_cmd() - send a PCM command and wait for the answer
 * @vss: the stream
 * @request: VIRTIO_SND_R_PCM_{PREPARE,RELEASE,START,STOP}
 *
 * The command is only sent if the state machine allows it.
 *
 * Context: process context, may sleep; @vss->cmd_mutex held.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_cmd(struct virtio_pcm_substream *vss, u32 request)
{
	struct virtio_snd_msg *msg;
	int idx;

	msg = virtsnd_pcm_cmd_new(vss, request, &idx);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	return virtsnd_pcm_cmd_send(vss, idx, msg);
}

/**
 * virtsnd_pcm_cmd_async() - send a PCM command without waiting
 * @vss: the stream
 * @request: VIRTIO_SND_R_PCM_STOP
 *
 * The state changes when the command is queued: later commands of the
 * stream follow it in the control queue, which the device handles in order.
 * The next command takes the answer first (virtsnd_pcm_stop_settle()).
 *
 * Context: process context; @vss->cmd_mutex held.  Does not wait for the
 * device.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_cmd_async(struct virtio_pcm_substream *vss, u32 request)
{
	struct virtio_snd_msg *msg;
	int idx, rc;

	msg = virtsnd_pcm_cmd_new(vss, request, &idx);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	rc = virtsnd_ctl_msg_send_async(vss->snd, msg);
	if (rc) {
		virtsnd_ctl_msg_unref(msg);
		return rc;
	}
	vss->state = virtsnd_pcm_transitions[idx].to;
	vss->stop_msg = msg;

	return 0;
}

/* Field by field: the structure has padding. */
static bool virtsnd_pcm_params_equal(const struct virtsnd_pcm_params *a,
				     const struct virtsnd_pcm_params *b)
{
	return a->buffer_bytes == b->buffer_bytes &&
	       a->period_bytes == b->period_bytes &&
	       a->features == b->features && a->channels == b->channels &&
	       a->format == b->format && a->rate == b->rate;
}

/**
 * virtsnd_pcm_set_params() - send SET_PARAMS for the given configuration
 * @vss: the stream
 * @format: ALSA sample format
 * @rate: frame rate in Hz
 * @channels: number of channels
 * @buffer_bytes: buffer size
 * @period_bytes: period size (divides @buffer_bytes)
 *
 * MSG_POLLING and EVT_XRUNS are selected when the device offers them; the
 * shared memory features are never selected (the specification says they
 * are placeholders).  Nothing is sent when the last command the stream
 * sent was a SET_PARAMS with these very parameters.
 *
 * Context: process context, may sleep; @vss->cmd_mutex held.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_set_params(struct virtio_pcm_substream *vss,
			   snd_pcm_format_t format, unsigned int rate,
			   unsigned int channels, size_t buffer_bytes,
			   size_t period_bytes)
{
	struct virtio_snd_pcm_set_params *req;
	struct virtsnd_pcm_params want;
	struct virtio_snd_msg *msg;
	int vfmt = virtsnd_pcm_format_from_alsa(format);
	int vrate = virtsnd_pcm_rate_from_hz(rate);
	int idx, rc;

	lockdep_assert_held(&vss->cmd_mutex);

	if (vfmt < 0 || vrate < 0 || !period_bytes ||
	    buffer_bytes % period_bytes || buffer_bytes > U32_MAX ||
	    channels < vss->hw.channels_min || channels > vss->hw.channels_max)
		return -EINVAL;

	want = (struct virtsnd_pcm_params) {
		.buffer_bytes = buffer_bytes,
		.period_bytes = period_bytes,
		.features = vss->features &
			    (BIT(VIRTIO_SND_PCM_F_MSG_POLLING) |
			     BIT(VIRTIO_SND_PCM_F_EVT_XRUNS)),
		.channels = channels,
		.format = vfmt,
		.rate = vrate,
	};
	/* hw_params has just sent these, and prepare would send them again */
	if (vss->state == VIRTSND_PCM_S_PARAMS &&
	    virtsnd_pcm_params_equal(&vss->params, &want))
		return 0;

	idx = virtsnd_pcm_cmd_index(vss, VIRTIO_SND_R_PCM_SET_PARAMS);
	if (idx < 0)
		return idx;

	msg = virtsnd_pcm_cmd_alloc(vss, VIRTIO_SND_R_PCM_SET_PARAMS,
				    sizeof(*req), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	req = virtsnd_ctl_msg_request(msg);
	req->buffer_bytes = cpu_to_le32(want.buffer_bytes);
	req->period_bytes = cpu_to_le32(want.period_bytes);
	req->features = cpu_to_le32(want.features);
	req->channels = want.channels;
	req->format = want.format;
	req->rate = want.rate;

	rc = virtsnd_pcm_cmd_send(vss, idx, msg);
	if (!rc)
		vss->params = want;
	else if (rc != -EINVAL && rc != -EOPNOTSUPP && rc != -EIO)
		/* no clear refusal: the device may hold either set */
		vss->params = (struct virtsnd_pcm_params) {};

	return rc;
}

/*
 * START or STOP timed out: the device may still run the stream.  STOP, then
 * RELEASE; BAD_MSG only says the stream was not in the state the command
 * leaves (not started, already released), which is what we want.
 */
static int virtsnd_pcm_recover(struct virtio_pcm_substream *vss)
{
	int rc;

	rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_STOP);
	if (rc && rc != -EINVAL)
		return rc;
	vss->state = VIRTSND_PCM_S_STOPPED;

	rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_RELEASE);
	if (rc && rc != -EINVAL)
		return rc;
	vss->state = VIRTSND_PCM_S_RELEASED;

	return 0;
}

/**
 * virtsnd_pcm_quiesce() - stop I/O and bring the stream to a state where
 *			   SET_PARAMS is legal
 * @vss: the stream
 *
 * STOP if started; RELEASE if prepared with messages in flight, or
 * stopped; STOP and RELEASE if a START or STOP timed out or an
 * asynchronous STOP failed; then wait until the device has returned every
 * I/O message.
 *
 * Context: process context, may sleep; @vss->cmd_mutex held.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_quiesce(struct virtio_pcm_substream *vss)
{
	int rc = 0;

	virtsnd_pcm_ring_enable(vss, false);
	virtsnd_pcm_stop_settle(vss);

	if (vss->state == VIRTSND_PCM_S_UNKNOWN) {
		rc = virtsnd_pcm_recover(vss);
	} else {
		if (vss->state == VIRTSND_PCM_S_STARTED)
			rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_STOP);
		if (!rc && (vss->state == VIRTSND_PCM_S_STOPPED ||
			    (vss->state == VIRTSND_PCM_S_PREPARED &&
			     vss->inflight)))
			rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_RELEASE);
	}

	if (rc)
		return rc;

	return virtsnd_pcm_ring_wait_empty(vss);
}

/**
 * virtsnd_pcm_event() - handle a PCM event from the device
 * @snd: the card
 * @event: the event (already known to be a PCM event)
 *
 * XRUN: ALSA stops the stream with XRUN (only while it runs: a late event
 * for a stopped stream means nothing) and the application recovers as
 * from any xrun, by preparing the stream again.
 *
 * PERIOD_ELAPSED: the spec defines it for the shared memory transport,
 * which we never select.  A device may still send it, e.g. for a stream in
 * MSG_POLLING mode, where it need not notify the tx/rx queue: take it as a
 * hint to collect what the device has returned on the stream's queue.  The
 * ring only reports periods whose messages came back, so a spurious event
 * changes nothing.
 *
 * Context: process context (the card's workqueue).  Takes the stream's queue
 * lock.
 */
void virtsnd_pcm_event(struct virtio_snd *snd, struct virtio_snd_event *event)
{
	u32 code = le32_to_cpu(event->hdr.code);
	u32 sid = le32_to_cpu(event->data);
	struct virtio_pcm_substream *vss;

	if (sid >= snd->nsubstreams) {
		virtsnd_stats_inc(snd, evt_bad_id);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "event 0x%04x: invalid stream id %u\n",
				     code, sid);
		return;
	}
	vss = &snd->substreams[sid];

	switch (code) {
	case VIRTIO_SND_EVT_PCM_XRUN:
		scoped_guard(spinlock_irq, &vss->queue->lock)
			vss->dev_xruns++;
		virtsnd_pcm_ring_xrun(vss);
		break;
	case VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED:
		if (vss->direction == VIRTIO_SND_D_OUTPUT)
			virtsnd_pcm_tx_notify_cb(vss->queue->vqueue);
		else
			virtsnd_pcm_rx_notify_cb(vss->queue->vqueue);
		break;
	}
}

/**
 * virtsnd_pcm_suspend_all() - suspend every running substream
 * @snd: the card
 *
 * Context: process context (freeze).
 */
void virtsnd_pcm_suspend_all(struct virtio_snd *snd)
{
	struct virtio_pcm *vpcm;

	list_for_each_entry(vpcm, &snd->pcm_list, list)
		snd_pcm_suspend_all(vpcm->pcm);
}

/**
 * virtsnd_pcm_device_reset() - forget all stream state after a device reset
 * @snd: the card
 *
 * Every I/O message is back in the driver's hands and every stream starts
 * again from IDLE: the next prepare sends SET_PARAMS.
 *
 * Context: process context; the device has been reset and its virtqueues
 * deleted.  Takes each stream's cmd_mutex and queue lock.
 */
void virtsnd_pcm_device_reset(struct virtio_snd *snd)
{
	u32 i;

	for (i = 0; i < snd->nsubstreams; i++) {
		struct virtio_pcm_substream *vss = &snd->substreams[i];

		guard(mutex)(&vss->cmd_mutex);
		virtsnd_pcm_ring_forget(vss);
		vss->state = VIRTSND_PCM_S_IDLE;
		/* cancelled by the reset: nothing left to wait for */
		if (vss->stop_msg) {
			virtsnd_ctl_msg_unref(vss->stop_msg);
			vss->stop_msg = NULL;
		}
	}
}
