/* SPDX-License-Identifier: GPL-2.0+ */
/*
 * virtio-snd: Virtio sound device
 *
 * Card-wide state shared by all parts of the driver.
 */
#ifndef VIRTIO_SND_CARD_H
#define VIRTIO_SND_CARD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/workqueue.h>
#include <sound/core.h>
#include <uapi/linux/virtio_snd.h>

#include "virtio_ctl_msg.h"
#include "virtio_pcm.h"
#include "virtio_proc.h"

#define VIRTIO_SND_CARD_DRIVER	"virtio-snd"
#define VIRTIO_SND_CARD_NAME	"VirtIO SoundCard"
#define VIRTIO_SND_PCM_NAME	"VirtIO PCM"

/*
 * Upper bounds for the item counts that the device advertises in its
 * configuration space.  They are far above anything a real device offers and
 * keep a hostile device from making us allocate unbounded memory.
 */
#define VIRTIO_SND_JACKS_MAX	256
#define VIRTIO_SND_STREAMS_MAX	256
#define VIRTIO_SND_CHMAPS_MAX	256
#define VIRTIO_SND_CTLS_MAX	1024

struct virtio_jack;
struct virtio_kctl;

/**
 * struct virtio_snd_queue - a virtqueue and the lock that serialises it
 * @lock: protects the virtqueue and, for tx/rx, the I/O ring state of every
 *        substream that uses it and the list of substreams waiting for room
 * @vqueue: the virtqueue
 * @waiters: substreams whose I/O was deferred because the queue was full
 * @dead: the device was reset and the virtqueue is going away: nothing may
 *        be added to it any more (under @lock)
 */
struct virtio_snd_queue {
	/* virtqueue, I/O ring state of its substreams, @waiters, @dead */
	spinlock_t lock;
	struct virtqueue *vqueue;
	struct list_head waiters;
	bool dead;
};

/**
 * struct virtio_snd - virtio sound card
 * @vdev: underlying virtio device
 * @queues: control, event, tx and rx queues
 * @card: ALSA sound card
 * @ctl_msgs: control messages owned by the device, under the control queue
 *            lock
 * @ctl_dead: the control queue refuses new messages (remove/freeze), under the
 *            control queue lock
 * @event_msgs: device-writable event buffers
 * @nevents: number of @event_msgs
 * @wq: high-priority workqueue for elapsed periods and device events
 * @event_work: drains the event queue on @wq
 * @pcm_list: ALSA PCM devices (struct virtio_pcm), one per function group
 * @substreams: one per device PCM stream
 * @nsubstreams: number of @substreams
 * @jacks: one per device jack
 * @njacks: number of @jacks
 * @chmaps: channel maps from the device
 * @nchmaps: number of @chmaps
 * @kctls: one per device control element (VIRTIO_SND_F_CTLS)
 * @nkctls: number of @kctls
 * @kctl_lock: guards the control elements' range, access and shadow
 *             values (and the INACTIVE bit of their ALSA controls), and
 *             serialises the CTL_INFO queries that update them; taken
 *             inside card->controls_rwsem (control callbacks), never the
 *             other way round
 * @stats: error and event counters for the state dump
 */
struct virtio_snd {
	struct virtio_device *vdev;
	struct virtio_snd_queue queues[VIRTIO_SND_VQ_MAX];
	struct snd_card *card;
	struct list_head ctl_msgs;
	bool ctl_dead;
	struct virtio_snd_event *event_msgs;
	unsigned int nevents;
	struct workqueue_struct *wq;
	struct work_struct event_work;
	struct list_head pcm_list;
	struct virtio_pcm_substream *substreams;
	u32 nsubstreams;
	struct virtio_jack *jacks;
	u32 njacks;
	struct virtio_snd_chmap_info *chmaps;
	u32 nchmaps;
	struct virtio_kctl *kctls;
	u32 nkctls;
	/* ranges, access, shadows of @kctls; taken inside controls_rwsem */
	struct mutex kctl_lock;
	struct virtio_snd_stats stats;
};

extern unsigned int virtsnd_msg_timeout_ms;

static inline struct virtio_snd_queue *
virtsnd_control_queue(struct virtio_snd *snd)
{
	return &snd->queues[VIRTIO_SND_VQ_CONTROL];
}

static inline struct virtio_snd_queue *
virtsnd_event_queue(struct virtio_snd *snd)
{
	return &snd->queues[VIRTIO_SND_VQ_EVENT];
}

static inline struct virtio_snd_queue *
virtsnd_tx_queue(struct virtio_snd *snd)
{
	return &snd->queues[VIRTIO_SND_VQ_TX];
}

static inline struct virtio_snd_queue *
virtsnd_rx_queue(struct virtio_snd *snd)
{
	return &snd->queues[VIRTIO_SND_VQ_RX];
}

int virtsnd_jack_parse_cfg(struct virtio_snd *snd);
int virtsnd_jack_build_devs(struct virtio_snd *snd);
void virtsnd_jack_event(struct virtio_snd *snd, struct virtio_snd_event *event);
void virtsnd_jack_restore(struct virtio_snd *snd);

int virtsnd_chmap_parse_cfg(struct virtio_snd *snd);
int virtsnd_chmap_build_devs(struct virtio_snd *snd);

int virtsnd_kctl_build_devs(struct virtio_snd *snd);
void virtsnd_kctl_event(struct virtio_snd *snd, struct virtio_snd_event *event);
void virtsnd_kctl_restore(struct virtio_snd *snd);

#endif /* VIRTIO_SND_CARD_H */
