// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Card probe and teardown, virtqueues, device events and the card's
 * workqueue.
 *
 * The virtqueue callbacks run in interrupt context and only collect; the
 * work that needs process context (period reports of a nonatomic PCM,
 * device events that may sleep) runs on a per-card WQ_HIGHPRI workqueue:
 * its workers run at the top of the normal priorities, so a period report
 * does not wait behind user threads, and a remove or freeze can flush
 * everything the card queued.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/virtio_config.h>
#include <sound/initval.h>
#include <uapi/linux/virtio_ids.h>

#include "virtio_card.h"

unsigned int virtsnd_msg_timeout_ms = 1000;
module_param_named(msg_timeout_ms, virtsnd_msg_timeout_ms, uint, 0444);
MODULE_PARM_DESC(msg_timeout_ms, "Control message timeout in milliseconds (1..60000, default 1000)");

#define VIRTSND_MSG_TIMEOUT_MS_MAX	60000
/* The event queue never needs more buffers than this. */
#define VIRTSND_EVENTS_MAX		64

static void virtsnd_event_send(struct virtqueue *vqueue,
			       struct virtio_snd_event *event)
{
	struct scatterlist sg;

	sg_init_one(&sg, event, sizeof(*event));
	/* the driver must only give device-writable buffers to the eventq */
	if (virtqueue_add_inbuf(vqueue, &sg, 1, event, GFP_ATOMIC))
		dev_warn_ratelimited(&vqueue->vdev->dev,
				     "cannot queue an event buffer\n");
}

static void virtsnd_event_fill(struct virtio_snd *snd)
{
	struct virtio_snd_queue *queue = virtsnd_event_queue(snd);
	unsigned int i;

	scoped_guard(spinlock_irqsave, &queue->lock) {
		for (i = 0; i < snd->nevents; i++)
			virtsnd_event_send(queue->vqueue, &snd->event_msgs[i]);
		virtqueue_kick(queue->vqueue);
	}
}

static void virtsnd_event_dispatch(struct virtio_snd *snd,
				   struct virtio_snd_event *event)
{
	u32 code = le32_to_cpu(event->hdr.code);

	virtsnd_stats_event(snd, code);
	switch (code) {
	case VIRTIO_SND_EVT_JACK_CONNECTED:
	case VIRTIO_SND_EVT_JACK_DISCONNECTED:
		virtsnd_jack_event(snd, event);
		break;
	case VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED:
	case VIRTIO_SND_EVT_PCM_XRUN:
		virtsnd_pcm_event(snd, event);
		break;
	case VIRTIO_SND_EVT_CTL_NOTIFY:
		virtsnd_kctl_event(snd, event);
		break;
	default:
		dev_warn_ratelimited(&snd->vdev->dev,
				     "unexpected event 0x%08x\n", code);
		break;
	}
}

/* Handle every event the device has returned, then give the buffer back. */
static void virtsnd_event_work(struct work_struct *work)
{
	struct virtio_snd *snd = container_of(work, struct virtio_snd,
					      event_work);
	struct virtio_snd_queue *queue = virtsnd_event_queue(snd);
	struct virtio_snd_event *event;
	unsigned long flags;
	bool notify = false;
	unsigned int len;

	spin_lock_irqsave(&queue->lock, flags);
	while (!queue->dead &&
	       (event = virtqueue_get_buf(queue->vqueue, &len))) {
		spin_unlock_irqrestore(&queue->lock, flags);

		if (len < sizeof(*event)) {
			virtsnd_stats_inc(snd, evt_short);
			dev_warn_ratelimited(&snd->vdev->dev,
					     "short event (%u bytes)\n", len);
		} else {
			virtsnd_event_dispatch(snd, event);
		}

		spin_lock_irqsave(&queue->lock, flags);
		if (queue->dead)
			break;
		virtsnd_event_send(queue->vqueue, event);
		notify = true;
	}
	if (notify)
		notify = virtqueue_kick_prepare(queue->vqueue);
	spin_unlock_irqrestore(&queue->lock, flags);

	if (notify)
		virtqueue_notify(queue->vqueue);
}

/* Event virtqueue callback (hard IRQ): defer to the workqueue. */
static void virtsnd_event_notify_cb(struct virtqueue *vqueue)
{
	struct virtio_snd *snd = vqueue->vdev->priv;

	queue_work(snd->wq, &snd->event_work);
}

static int virtsnd_find_vqs(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	struct virtqueue_info vqs_info[VIRTIO_SND_VQ_MAX] = {
		[VIRTIO_SND_VQ_CONTROL] = { "virtsnd-ctl", virtsnd_ctl_notify_cb },
		[VIRTIO_SND_VQ_EVENT] = { "virtsnd-event", virtsnd_event_notify_cb },
		[VIRTIO_SND_VQ_TX] = { "virtsnd-tx", virtsnd_pcm_tx_notify_cb },
		[VIRTIO_SND_VQ_RX] = { "virtsnd-rx", virtsnd_pcm_rx_notify_cb },
	};
	struct virtqueue *vqs[VIRTIO_SND_VQ_MAX] = {};
	unsigned int i;
	int rc;

	rc = virtio_find_vqs(vdev, VIRTIO_SND_VQ_MAX, vqs, vqs_info, NULL);
	if (rc) {
		dev_err(&vdev->dev, "cannot find virtqueues: %d\n", rc);
		return rc;
	}

	for (i = 0; i < VIRTIO_SND_VQ_MAX; i++) {
		snd->queues[i].vqueue = vqs[i];
		snd->queues[i].dead = false;
	}

	return 0;
}

/*
 * Quiesce the device: refuse new control messages, reset the device (after
 * which it touches no buffer and raises no callback), close the queues to
 * new buffers, fail what the device still held, detach its buffers, take
 * every I/O message back and delete the virtqueues.  The reset comes before
 * cancelling so that no cancelled message can still be written by the
 * device.
 */
static void virtsnd_quiesce(struct virtio_snd *snd)
{
	unsigned int i;

	virtsnd_ctl_msg_set_dead(snd, true);
	virtio_reset_device(snd->vdev);
	/*
	 * A stream being prepared or acked right now, or a late event
	 * callback, must not add buffers to a virtqueue about to be deleted.
	 */
	for (i = 0; i < VIRTIO_SND_VQ_MAX; i++)
		scoped_guard(spinlock_irqsave, &snd->queues[i].lock)
			snd->queues[i].dead = true;
	cancel_work_sync(&snd->event_work);
	virtsnd_ctl_msg_cancel_all(snd);
	/*
	 * Buffers the device never returned (a control request that timed
	 * out, the event buffers, I/O messages) still hold their indirect
	 * descriptor tables and DMA mappings: only detaching them frees those.
	 * Before the I/O messages are forgotten: unmapping may copy a bounce
	 * buffer back into pages that forgetting lets go.  The tokens are
	 * not touched; their owners take them back next.
	 */
	for (i = 0; i < VIRTIO_SND_VQ_MAX; i++)
		while (virtqueue_detach_unused_buf(snd->queues[i].vqueue))
			;
	/* waits for a prepare still slicing its ring on the live queues */
	virtsnd_pcm_device_reset(snd);
	snd->vdev->config->del_vqs(snd->vdev);
}

static int virtsnd_validate(struct virtio_device *vdev)
{
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "configuration space is not accessible\n");
		return -EINVAL;
	}

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device does not comply with virtio 1.0+\n");
		return -EINVAL;
	}

	if (!virtsnd_msg_timeout_ms ||
	    virtsnd_msg_timeout_ms > VIRTSND_MSG_TIMEOUT_MS_MAX) {
		dev_err(&vdev->dev, "invalid msg_timeout_ms %u (1..%u)\n",
			virtsnd_msg_timeout_ms, VIRTSND_MSG_TIMEOUT_MS_MAX);
		return -EINVAL;
	}

	return virtsnd_pcm_validate(vdev);
}

static int virtsnd_setup_events(struct virtio_snd *snd)
{
	struct virtqueue *vqueue = virtsnd_event_queue(snd)->vqueue;

	snd->nevents = min_t(unsigned int, virtqueue_get_vring_size(vqueue),
			     VIRTSND_EVENTS_MAX);
	snd->event_msgs = devm_kcalloc(&snd->vdev->dev, snd->nevents,
				       sizeof(*snd->event_msgs), GFP_KERNEL);
	return snd->event_msgs ? 0 : -ENOMEM;
}

/*
 * Jacks, channel maps and controls are optional: when one of them cannot be
 * set up, the card comes up with the rest.
 */
static void virtsnd_optional(struct virtio_snd *snd, const char *what, int rc)
{
	if (rc)
		dev_warn(&snd->vdev->dev, "%s failed (%d): continuing without\n",
			 what, rc);
}

static int virtsnd_build_card(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	struct snd_card *card = snd->card;
	int rc;

	virtsnd_optional(snd, "jacks", virtsnd_jack_parse_cfg(snd));
	rc = virtsnd_pcm_parse_cfg(snd);
	if (rc)
		return rc;
	virtsnd_optional(snd, "channel maps", virtsnd_chmap_parse_cfg(snd));

	virtsnd_optional(snd, "jacks", virtsnd_jack_build_devs(snd));
	rc = virtsnd_pcm_build_devs(snd);
	if (rc)
		return rc;
	virtsnd_optional(snd, "channel maps", virtsnd_chmap_build_devs(snd));
	/* last: the names of the other controls are taken by then */
	virtsnd_optional(snd, "controls", virtsnd_kctl_build_devs(snd));
	virtsnd_optional(snd, "state dump", virtsnd_proc_init(snd));

	/* only now: events may refer to the jacks and streams built above */
	rc = virtsnd_setup_events(snd);
	if (rc)
		return rc;
	virtsnd_event_fill(snd);

	strscpy(card->driver, VIRTIO_SND_CARD_DRIVER, sizeof(card->driver));
	strscpy(card->shortname, VIRTIO_SND_CARD_NAME, sizeof(card->shortname));
	if (vdev->dev.parent)
		snprintf(card->longname, sizeof(card->longname),
			 "%s at %s (%s)", VIRTIO_SND_CARD_NAME,
			 dev_name(&vdev->dev), dev_name(vdev->dev.parent));
	else
		snprintf(card->longname, sizeof(card->longname), "%s at %s",
			 VIRTIO_SND_CARD_NAME, dev_name(&vdev->dev));

	return snd_card_register(card);
}

static void virtsnd_free_rings(struct virtio_snd *snd)
{
	u32 i;

	for (i = 0; i < snd->nsubstreams; i++)
		virtsnd_pcm_ring_free(&snd->substreams[i]);
}

static int virtsnd_probe(struct virtio_device *vdev)
{
	struct virtio_snd *snd;
	unsigned int i;
	int rc;

	/* devm: outlives snd_card_free(), which may run PCM ops */
	snd = devm_kzalloc(&vdev->dev, sizeof(*snd), GFP_KERNEL);
	if (!snd)
		return -ENOMEM;

	snd->vdev = vdev;
	INIT_LIST_HEAD(&snd->ctl_msgs);
	INIT_LIST_HEAD(&snd->pcm_list);
	mutex_init(&snd->kctl_lock);
	for (i = 0; i < VIRTIO_SND_VQ_MAX; i++) {
		spin_lock_init(&snd->queues[i].lock);
		INIT_LIST_HEAD(&snd->queues[i].waiters);
	}
	INIT_WORK(&snd->event_work, virtsnd_event_work);
	vdev->priv = snd;

	rc = snd_card_new(&vdev->dev, SNDRV_DEFAULT_IDX1, SNDRV_DEFAULT_STR1,
			  THIS_MODULE, 0, &snd->card);
	if (rc < 0)
		return rc;
	snd->card->private_data = snd;

	/*
	 * Period reports are queued from the virtqueue interrupt; a per-CPU
	 * queue runs them on the CPU that took it, with no migration.
	 */
	snd->wq = alloc_workqueue("virtio-snd/%s", WQ_HIGHPRI | WQ_PERCPU, 0,
				  dev_name(&vdev->dev));
	if (!snd->wq) {
		rc = -ENOMEM;
		goto err_card;
	}

	rc = virtsnd_find_vqs(snd);
	if (rc)
		goto err_wq;

	/* every request below needs a live device */
	virtio_device_ready(vdev);

	rc = virtsnd_build_card(snd);
	if (rc)
		goto err_quiesce;

	return 0;

err_quiesce:
	virtsnd_quiesce(snd);
err_wq:
	destroy_workqueue(snd->wq);
	snd->wq = NULL;
err_card:
	snd_card_free(snd->card);
	virtsnd_free_rings(snd);
	return rc;
}

static void virtsnd_remove(struct virtio_device *vdev)
{
	struct virtio_snd *snd = vdev->priv;

	/* user space gets -ENODEV from now on and every waiter is woken */
	snd_card_disconnect(snd->card);
	virtsnd_quiesce(snd);
	/* waits until user space has closed the card; ops still work */
	snd_card_free(snd->card);
	destroy_workqueue(snd->wq);
	virtsnd_free_rings(snd);
}

#ifdef CONFIG_PM_SLEEP
static int virtsnd_freeze(struct virtio_device *vdev)
{
	struct virtio_snd *snd = vdev->priv;

	/* running streams get SUSPEND; the next prepare sets them up again */
	virtsnd_pcm_suspend_all(snd);
	snd_power_change_state(snd->card, SNDRV_CTL_POWER_D3hot);
	virtsnd_quiesce(snd);
	flush_workqueue(snd->wq);

	return 0;
}

static int virtsnd_restore(struct virtio_device *vdev)
{
	struct virtio_snd *snd = vdev->priv;
	int rc;

	rc = virtsnd_find_vqs(snd);
	if (rc)
		return rc;

	virtio_device_ready(vdev);
	virtsnd_ctl_msg_set_dead(snd, false);
	virtsnd_event_fill(snd);
	virtsnd_kctl_restore(snd);
	virtsnd_jack_restore(snd);
	snd_power_change_state(snd->card, SNDRV_CTL_POWER_D0);

	return 0;
}
#endif

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_SOUND, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static const unsigned int virtsnd_features[] = {
	VIRTIO_SND_F_CTLS,
};

static struct virtio_driver virtsnd_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = id_table,
	.feature_table = virtsnd_features,
	.feature_table_size = ARRAY_SIZE(virtsnd_features),
	.validate = virtsnd_validate,
	.probe = virtsnd_probe,
	.remove = virtsnd_remove,
#ifdef CONFIG_PM_SLEEP
	.freeze = virtsnd_freeze,
	.restore = virtsnd_restore,
#endif
};

module_virtio_driver(virtsnd_driver);

MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio sound card driver");
MODULE_LICENSE("GPL");
