// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * PCM substream operators.
 *
 * ALSA callback -> device commands (each checked against the stream's state
 * machine before it is sent):
 *   hw_params      -> SET_PARAMS (after STOP/RELEASE if needed)
 *   prepare        -> RELEASE if needed, SET_PARAMS (unless hw_params has
 *                     just sent the same), PREPARE, ring reset
 *   trigger START, PAUSE_RELEASE -> START, waiting for the answer
 *   trigger STOP, PAUSE_PUSH, SUSPEND -> STOP, not waiting (no RESUME: the
 *                  application prepares again after a suspend)
 *   trigger DRAIN  -> send the partial last period
 *   sync_stop      -> RELEASE, wait for every I/O message
 *   hw_free        -> RELEASE if prepared
 */
#include <sound/pcm_params.h>

#include "virtio_card.h"

static struct virtio_pcm_substream *
virtsnd_pcm_substream(struct snd_pcm_substream *substream)
{
	/* set by virtsnd_pcm_open() */
	return substream->private_data;
}

static int virtsnd_pcm_open(struct snd_pcm_substream *substream)
{
	struct virtio_pcm *vpcm = snd_pcm_substream_chip(substream);
	struct virtio_pcm_stream *s = &vpcm->streams[substream->stream];
	struct virtio_pcm_substream *vss;

	if (WARN_ON(substream->number >= s->nsubstreams))
		return -ENODEV;

	/*
	 * ALSA sets private_data to the PCM's on every open: point it to the
	 * stream for the other callbacks.
	 */
	vss = s->substreams[substream->number];
	substream->private_data = vss;
	substream->runtime->hw = vss->hw;

	return virtsnd_pcm_open_constraints(vss, substream->runtime);
}

static int virtsnd_pcm_close(struct snd_pcm_substream *substream)
{
	return 0;
}

static int virtsnd_pcm_hw_params(struct snd_pcm_substream *substream,
				 struct snd_pcm_hw_params *params)
{
	struct virtio_pcm_substream *vss = virtsnd_pcm_substream(substream);
	int rc;

	virtsnd_pcm_ring_disable_sync(vss);

	guard(mutex)(&vss->cmd_mutex);
	rc = virtsnd_pcm_quiesce(vss);
	if (!rc)
		rc = virtsnd_pcm_set_params(vss, params_format(params),
					    params_rate(params),
					    params_channels(params),
					    params_buffer_bytes(params),
					    params_period_bytes(params));

	return rc;
}

static int virtsnd_pcm_hw_free(struct snd_pcm_substream *substream)
{
	struct virtio_pcm_substream *vss = virtsnd_pcm_substream(substream);
	int rc;

	virtsnd_pcm_ring_disable_sync(vss);

	guard(mutex)(&vss->cmd_mutex);
	rc = virtsnd_pcm_quiesce(vss);
	if (!rc && vss->state == VIRTSND_PCM_S_PREPARED)
		rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_RELEASE);
	/* the buffer goes away now: the ring must not point into it */
	virtsnd_pcm_ring_free(vss);

	/* hw_free cannot fail usefully: the device errors are logged */
	return 0;
}

static int virtsnd_pcm_prepare(struct snd_pcm_substream *substream)
{
	struct virtio_pcm_substream *vss = virtsnd_pcm_substream(substream);
	struct snd_pcm_runtime *runtime = substream->runtime;
	int rc;

	virtsnd_pcm_ring_disable_sync(vss);

	guard(mutex)(&vss->cmd_mutex);
	rc = virtsnd_pcm_quiesce(vss);
	if (rc)
		return rc;

	rc = virtsnd_pcm_set_params(vss, runtime->format, runtime->rate,
				    runtime->channels,
				    frames_to_bytes(runtime,
						    runtime->buffer_size),
				    frames_to_bytes(runtime,
						    runtime->period_size));
	if (rc)
		return rc;

	rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_PREPARE);
	if (rc)
		return rc;

	/*
	 * The ring stays disabled until START: ALSA may free or reallocate
	 * the buffer of a PREPARED stream (hw_params) without a sync_stop,
	 * so the device must own none of it before the stream runs.
	 */
	return virtsnd_pcm_ring_prepare(vss);
}

static int virtsnd_pcm_trigger(struct snd_pcm_substream *substream, int cmd)
{
	struct virtio_pcm_substream *vss = virtsnd_pcm_substream(substream);
	int rc = 0;

	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		/*
		 * Capture: every period goes to the device before START;
		 * playback: the periods written so far (pre-buffering).
		 */
		virtsnd_pcm_ring_enable(vss, true);
		scoped_guard(mutex, &vss->cmd_mutex)
			rc = virtsnd_pcm_cmd(vss, VIRTIO_SND_R_PCM_START);
		if (rc)
			break;
		virtsnd_pcm_ring_set_running(vss, true);
		/* drain may have started us: see virtsnd_pcm_drain_work() */
		if (vss->direction == VIRTIO_SND_D_OUTPUT)
			queue_work(vss->snd->wq, &vss->drain_work);
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
		/* no more reports: the stream is stopping for good */
		virtsnd_pcm_ring_enable(vss, false);
		fallthrough;
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		/* the position stays where it is until START */
		virtsnd_pcm_ring_set_running(vss, false);
		/*
		 * Not waiting: STOP may come from the elapsed work (xrun),
		 * and nothing after it depends on the answer; sync_stop
		 * waits for the I/O.
		 */
		scoped_guard(mutex, &vss->cmd_mutex) {
			if (vss->state == VIRTSND_PCM_S_STARTED)
				rc = virtsnd_pcm_cmd_async(vss,
							   VIRTIO_SND_R_PCM_STOP);
		}
		/* a stop that cannot reach a removed device is still a stop */
		if (rc == -ENODEV)
			rc = 0;
		break;
	case SNDRV_PCM_TRIGGER_DRAIN:
		virtsnd_pcm_ring_flush(vss);
		break;
	default:
		rc = -EINVAL;
		break;
	}

	return rc;
}

static int virtsnd_pcm_sync_stop(struct snd_pcm_substream *substream)
{
	struct virtio_pcm_substream *vss = virtsnd_pcm_substream(substream);

	virtsnd_pcm_ring_disable_sync(vss);

	guard(mutex)(&vss->cmd_mutex);
	return virtsnd_pcm_quiesce(vss);
}

static snd_pcm_uframes_t virtsnd_pcm_pointer(struct snd_pcm_substream *substream)
{
	return virtsnd_pcm_ring_pointer(virtsnd_pcm_substream(substream));
}

static int virtsnd_pcm_ack(struct snd_pcm_substream *substream)
{
	return virtsnd_pcm_ring_ack(virtsnd_pcm_substream(substream));
}

/* PCM substream operators */
const struct snd_pcm_ops virtsnd_pcm_ops = {
	.open = virtsnd_pcm_open,
	.close = virtsnd_pcm_close,
	.hw_params = virtsnd_pcm_hw_params,
	.hw_free = virtsnd_pcm_hw_free,
	.prepare = virtsnd_pcm_prepare,
	.trigger = virtsnd_pcm_trigger,
	.sync_stop = virtsnd_pcm_sync_stop,
	.pointer = virtsnd_pcm_pointer,
	.ack = virtsnd_pcm_ack,
};
