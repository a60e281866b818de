// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * State dump: /proc/asound/cardN/virtio shows every stream's state, its
 * I/O ring and what went wrong, plus the card's control queue and event
 * counters, so that a failing test can say why.  /proc/asound rather than
 * debugfs: test guests and many distributions do not mount debugfs.
 */
#include <sound/info.h>

#include "virtio_card.h"

static const char *const virtsnd_proc_states[VIRTSND_PCM_S_COUNT] = {
	[VIRTSND_PCM_S_IDLE] = "IDLE",
	[VIRTSND_PCM_S_PARAMS] = "PARAMS",
	[VIRTSND_PCM_S_PREPARED] = "PREPARED",
	[VIRTSND_PCM_S_STARTED] = "STARTED",
	[VIRTSND_PCM_S_STOPPED] = "STOPPED",
	[VIRTSND_PCM_S_RELEASED] = "RELEASED",
	[VIRTSND_PCM_S_UNKNOWN] = "UNKNOWN",
};

static const char *const virtsnd_proc_events[VIRTSND_EVT_COUNT] = {
	[VIRTSND_EVT_JACK_CONNECTED] = "jack_connected",
	[VIRTSND_EVT_JACK_DISCONNECTED] = "jack_disconnected",
	[VIRTSND_EVT_PCM_PERIOD_ELAPSED] = "pcm_period_elapsed",
	[VIRTSND_EVT_PCM_XRUN] = "pcm_xrun",
	[VIRTSND_EVT_CTL_NOTIFY] = "ctl_notify",
};

/**
 * virtsnd_stats_event() - count a device event by its code
 * @snd: the card
 * @code: VIRTIO_SND_EVT_* value from the device (untrusted)
 *
 * Context: any context.
 */
void virtsnd_stats_event(struct virtio_snd *snd, u32 code)
{
	switch (code) {
	case VIRTIO_SND_EVT_JACK_CONNECTED:
		virtsnd_stats_inc(snd, events[VIRTSND_EVT_JACK_CONNECTED]);
		break;
	case VIRTIO_SND_EVT_JACK_DISCONNECTED:
		virtsnd_stats_inc(snd, events[VIRTSND_EVT_JACK_DISCONNECTED]);
		break;
	case VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED:
		virtsnd_stats_inc(snd, events[VIRTSND_EVT_PCM_PERIOD_ELAPSED]);
		break;
	case VIRTIO_SND_EVT_PCM_XRUN:
		virtsnd_stats_inc(snd, events[VIRTSND_EVT_PCM_XRUN]);
		break;
	case VIRTIO_SND_EVT_CTL_NOTIFY:
		virtsnd_stats_inc(snd, events[VIRTSND_EVT_CTL_NOTIFY]);
		break;
	default:
		virtsnd_stats_inc(snd, evt_unknown);
		break;
	}
}

/* What the dump shows of a stream's I/O ring, copied under the queue lock. */
struct virtsnd_proc_ring {
	u64 queued;
	u64 completed;
	u64 returned;
	u64 reported;
	unsigned int nmsgs;
	unsigned int inflight;
	bool enabled;
	bool running;
	unsigned int io_bad_status;
	unsigned int io_bad_length;
	unsigned int dev_xruns;
};

static void virtsnd_proc_stream(struct snd_info_buffer *buffer,
				struct virtio_pcm_substream *vss)
{
	enum virtsnd_pcm_state state = READ_ONCE(vss->state);
	struct virtsnd_proc_ring r;

	scoped_guard(spinlock_irqsave, &vss->queue->lock) {
		r.queued = vss->queued;
		r.completed = vss->completed;
		r.returned = vss->returned;
		r.reported = vss->reported;
		r.nmsgs = vss->nmsgs;
		r.inflight = vss->inflight;
		r.enabled = vss->xfer_enabled;
		r.running = vss->running;
		r.io_bad_status = vss->io_bad_status;
		r.io_bad_length = vss->io_bad_length;
		r.dev_xruns = vss->dev_xruns;
	}

	snd_iprintf(buffer, "stream %u: %s nid %u features 0x%x state %s\n",
		    vss->sid,
		    vss->direction == VIRTIO_SND_D_OUTPUT ? "output" : "input",
		    vss->nid, vss->features,
		    state < VIRTSND_PCM_S_COUNT ? virtsnd_proc_states[state] :
						  "?");
	/* the parameters of the last SET_PARAMS the device accepted */
	if (state != VIRTSND_PCM_S_IDLE)
		snd_iprintf(buffer,
			    "  params: format %u rate %u channels %u features 0x%x buffer %u period %u\n",
			    vss->params.format, vss->params.rate,
			    vss->params.channels, vss->params.features,
			    vss->params.buffer_bytes, vss->params.period_bytes);
	snd_iprintf(buffer,
		    "  ring: msgs %u inflight %u enabled %d running %d queued %llu completed %llu returned %llu shown %llu\n",
		    r.nmsgs, r.inflight, r.enabled, r.running, r.queued,
		    r.completed, r.returned, r.reported);
	snd_iprintf(buffer,
		    "  errors: io_bad_status %u io_bad_length %u cmd_timeouts %u device_xruns %u\n",
		    r.io_bad_status, r.io_bad_length,
		    READ_ONCE(vss->cmd_timeouts), r.dev_xruns);
}

static void virtsnd_proc_read(struct snd_info_entry *entry,
			      struct snd_info_buffer *buffer)
{
	struct virtio_snd *snd = entry->private_data;
	struct virtio_snd_stats *st = &snd->stats;
	unsigned int i;

	snd_iprintf(buffer, "streams %u jacks %u chmaps %u controls %u\n",
		    snd->nsubstreams, snd->njacks, snd->nchmaps, snd->nkctls);
	for (i = 0; i < snd->nsubstreams; i++)
		virtsnd_proc_stream(buffer, &snd->substreams[i]);

	snd_iprintf(buffer,
		    "control: timeouts %d bad_status %d bad_length %d\n",
		    atomic_read(&st->ctl_timeouts),
		    atomic_read(&st->ctl_bad_status),
		    atomic_read(&st->ctl_bad_length));
	snd_iprintf(buffer, "events:");
	for (i = 0; i < VIRTSND_EVT_COUNT; i++)
		snd_iprintf(buffer, " %s %d", virtsnd_proc_events[i],
			    atomic_read(&st->events[i]));
	snd_iprintf(buffer, " unknown %d short %d bad_id %d\n",
		    atomic_read(&st->evt_unknown),
		    atomic_read(&st->evt_short),
		    atomic_read(&st->evt_bad_id));
}

/**
 * virtsnd_proc_init() - create the card's state dump file
 * @snd: the card
 *
 * The file appears with snd_card_register() and goes away with the card.
 * Without CONFIG_SND_PROC_FS there is no file and no error.
 *
 * Context: process context (probe), before snd_card_register().
 * Return: 0 or a negative error code.
 */
int virtsnd_proc_init(struct virtio_snd *snd)
{
	return snd_card_ro_proc_new(snd->card, "virtio", snd,
				    virtsnd_proc_read);
}
