// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Jacks: JACK_INFO -> one snd_jack per device jack, plug events.
 * VIRTIO_SND_R_JACK_REMAP is not used.
 */
#include <linux/virtio_config.h>
#include <sound/jack.h>

#include "virtio_card.h"

/* HDA pin default configuration: default device field (bits 23:20) */
#define VIRTSND_HDA_DEFCONF_DEVICE(defconf)	(((defconf) >> 20) & 0xf)

/**
 * struct virtio_jack - a device jack
 * @jack: the ALSA jack
 * @nid: function group node id
 * @type: SND_JACK_* type reported when connected
 * @connected: initial connection status
 * @defconf: HDA pin default configuration
 */
struct virtio_jack {
	struct snd_jack *jack;
	u32 nid;
	int type;
	bool connected;
	u32 defconf;
};

/* HDA default device -> ALSA jack name and type */
static const struct {
	const char *name;
	int type;
} virtsnd_jack_devices[16] = {
	[0x0] = { "Line Out", SND_JACK_LINEOUT },
	[0x1] = { "Speaker", SND_JACK_LINEOUT },
	[0x2] = { "Headphone", SND_JACK_HEADPHONE },
	[0x3] = { "CD", SND_JACK_LINEIN },
	[0x4] = { "SPDIF Out", SND_JACK_LINEOUT },
	[0x5] = { "Digital Out", SND_JACK_LINEOUT },
	[0x6] = { "Modem Line", SND_JACK_LINEOUT },
	[0x7] = { "Modem Handset", SND_JACK_LINEOUT },
	[0x8] = { "Line In", SND_JACK_LINEIN },
	[0x9] = { "Aux", SND_JACK_LINEIN },
	[0xa] = { "Mic", SND_JACK_MICROPHONE },
	[0xb] = { "Telephony", SND_JACK_LINEIN },
	[0xc] = { "SPDIF In", SND_JACK_LINEIN },
	[0xd] = { "Digital In", SND_JACK_LINEIN },
	[0xe] = { "Other", SND_JACK_LINEOUT },
	[0xf] = { "Other", SND_JACK_LINEOUT },
};

/**
 * virtsnd_jack_parse_cfg() - query the jacks
 * @snd: the card
 *
 * Jacks are optional: a device that fails JACK_INFO (QEMU answers NOT_SUPP)
 * gives a card without jacks.
 *
 * Context: process context (probe), may sleep.
 * Return: 0 or a negative error code (only for a bad configuration space
 * value or no memory).
 */
int virtsnd_jack_parse_cfg(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	struct virtio_snd_jack_info *info;
	u32 count, i;
	int rc;

	virtio_cread_le(vdev, struct virtio_snd_config, jacks, &count);
	if (!count)
		return 0;
	if (count > VIRTIO_SND_JACKS_MAX) {
		dev_err(&vdev->dev, "invalid number of jacks %u (max %u)\n",
			count, VIRTIO_SND_JACKS_MAX);
		return -EINVAL;
	}

	info = kcalloc(count, sizeof(*info), GFP_KERNEL);
	snd->jacks = devm_kcalloc(&vdev->dev, count, sizeof(*snd->jacks),
				  GFP_KERNEL);
	if (!info || !snd->jacks) {
		kfree(info);
		return -ENOMEM;
	}

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_JACK_INFO, count,
				    sizeof(*info), info);
	if (rc) {
		dev_info(&vdev->dev,
			 "JACK_INFO failed (%d): continuing without jacks\n",
			 rc);
		kfree(info);
		return 0;
	}

	for (i = 0; i < count; i++) {
		struct virtio_jack *vjack = &snd->jacks[i];
		u32 defconf = le32_to_cpu(info[i].hda_reg_defconf);

		vjack->nid = le32_to_cpu(info[i].hdr.hda_fn_nid);
		vjack->defconf = defconf;
		vjack->type =
			virtsnd_jack_devices[VIRTSND_HDA_DEFCONF_DEVICE(defconf)].type;
		vjack->connected = info[i].connected;
		if (info[i].connected > 1)
			dev_warn(&vdev->dev, "jack %u: invalid status %u\n", i,
				 info[i].connected);
	}
	snd->njacks = count;

	kfree(info);
	return 0;
}

/**
 * virtsnd_jack_build_devs() - create the ALSA jacks
 * @snd: the card
 *
 * Context: process context (probe).
 * Return: 0 or a negative error code.
 */
int virtsnd_jack_build_devs(struct virtio_snd *snd)
{
	unsigned int seen[ARRAY_SIZE(virtsnd_jack_devices)] = {};
	u32 i;
	int rc;

	for (i = 0; i < snd->njacks; i++) {
		struct virtio_jack *vjack = &snd->jacks[i];
		unsigned int dev = VIRTSND_HDA_DEFCONF_DEVICE(vjack->defconf);
		char name[SNDRV_CTL_ELEM_ID_NAME_MAXLEN];

		/* control names must be unique: number the repeated ones */
		if (seen[dev]++)
			snprintf(name, sizeof(name), "%s %u Jack",
				 virtsnd_jack_devices[dev].name, seen[dev]);
		else
			snprintf(name, sizeof(name), "%s Jack",
				 virtsnd_jack_devices[dev].name);

		rc = snd_jack_new(snd->card, name, vjack->type, &vjack->jack,
				  true, false);
		if (rc) {
			dev_err(&snd->vdev->dev, "jack %u: cannot create: %d\n",
				i, rc);
			return rc;
		}

		snd_jack_report(vjack->jack,
				vjack->connected ? vjack->type : 0);
	}

	return 0;
}

/**
 * virtsnd_jack_event() - handle a jack event
 * @snd: the card
 * @event: VIRTIO_SND_EVT_JACK_CONNECTED or _DISCONNECTED
 *
 * Context: process context (the card's worker).
 */
void virtsnd_jack_event(struct virtio_snd *snd, struct virtio_snd_event *event)
{
	u32 code = le32_to_cpu(event->hdr.code);
	u32 jack_id = le32_to_cpu(event->data);
	struct virtio_jack *vjack;

	if (jack_id >= snd->njacks || !snd->jacks[jack_id].jack) {
		virtsnd_stats_inc(snd, evt_bad_id);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "event 0x%04x: invalid jack id %u\n",
				     code, jack_id);
		return;
	}

	vjack = &snd->jacks[jack_id];
	snd_jack_report(vjack->jack,
			code == VIRTIO_SND_EVT_JACK_CONNECTED ? vjack->type : 0);
}
