/* SPDX-License-Identifier: GPL-2.0+ */
/*
 * virtio-snd: Virtio sound device
 *
 * Card-wide error and event counters and the state dump that shows them.
 */
#ifndef VIRTIO_SND_PROC_H
#define VIRTIO_SND_PROC_H

#include <linux/atomic.h>
#include <linux/types.h>

struct virtio_snd;

/* Device event codes we count one by one (the spec defines these). */
enum virtsnd_evt_index {
	VIRTSND_EVT_JACK_CONNECTED,
	VIRTSND_EVT_JACK_DISCONNECTED,
	VIRTSND_EVT_PCM_PERIOD_ELAPSED,
	VIRTSND_EVT_PCM_XRUN,
	VIRTSND_EVT_CTL_NOTIFY,
	VIRTSND_EVT_COUNT
};

/**
 * struct virtio_snd_stats - what the device did wrong and what it sent
 * @ctl_timeouts: control requests without an answer in msg_timeout_ms
 * @ctl_bad_status: control answers with a status the spec does not define
 * @ctl_bad_length: control answers shorter than the header or the payload
 * @events: device events per code (enum virtsnd_evt_index)
 * @evt_unknown: events with a code the spec does not define
 * @evt_short: events shorter than struct virtio_snd_event
 * @evt_bad_id: events naming a jack, stream or control that does not exist
 *
 * Atomic: they are bumped from IRQ, the worker and process context and
 * read without a lock.
 */
struct virtio_snd_stats {
	atomic_t ctl_timeouts;
	atomic_t ctl_bad_status;
	atomic_t ctl_bad_length;
	atomic_t events[VIRTSND_EVT_COUNT];
	atomic_t evt_unknown;
	atomic_t evt_short;
	atomic_t evt_bad_id;
};

#define virtsnd_stats_inc(snd, counter)	atomic_inc(&(snd)->stats.counter)

void virtsnd_stats_event(struct virtio_snd *snd, u32 code);
int virtsnd_proc_init(struct virtio_snd *snd);

#endif /* VIRTIO_SND_PROC_H */
