// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Jacks: JACK_INFO -> one snd_jack per device jack, named from its HDA pin
 * default configuration the way the HDA driver names its pins ("Line Out
 * Jack", "Front Mic Jack", ...), plug state from JACK_INFO and from the
 * JACK_CONNECTED/DISCONNECTED events.
 *
 * JACK_REMAP: a jack that offers VIRTIO_SND_JACK_F_REMAP also gets a card
 * control "<name> Jack Remap" with two integers, the HDA association and
 * sequence (0..15 each, initially the values of the pin default
 * configuration).  Writing it sends JACK_REMAP.  A control rather than a
 * sysfs file: amixer, alsactl (which saves and restores it) and every
 * alsa-lib program reach it, and it needs no new ABI.
 */
#include <linux/string.h>
#include <linux/virtio_config.h>
#include <sound/control.h>
#include <sound/jack.h>

#include "virtio_card.h"

/* HDA pin default configuration (HDA spec 7.3.3.31) */
#define VIRTSND_DEFCONF_CONN(defconf)		(((defconf) >> 30) & 0x3)
#define VIRTSND_DEFCONF_GROSS(defconf)		(((defconf) >> 28) & 0x3)
#define VIRTSND_DEFCONF_GEO(defconf)		(((defconf) >> 24) & 0xf)
#define VIRTSND_DEFCONF_DEVICE(defconf)		(((defconf) >> 20) & 0xf)
#define VIRTSND_DEFCONF_ASSOC(defconf)		(((defconf) >> 4) & 0xf)
#define VIRTSND_DEFCONF_SEQ(defconf)		((defconf) & 0xf)
/* port connectivity: built in (no jack) */
#define VIRTSND_DEFCONF_CONN_FIXED		0x2
/* gross location: internal; separate chassis (a dock) */
#define VIRTSND_DEFCONF_GROSS_INTERNAL		0x1
#define VIRTSND_DEFCONF_GROSS_SEPARATE		0x2
/* geometric location: front */
#define VIRTSND_DEFCONF_GEO_FRONT		0x2
/* default device: speaker */
#define VIRTSND_DEFCONF_DEV_SPEAKER		0x1
/* largest association / sequence number */
#define VIRTSND_DEFCONF_ASSOC_SEQ_MAX		0xf

/**
 * struct virtio_jack - a device jack
 * @snd: the card
 * @jack: the ALSA jack
 * @id: jack id
 * @nid: function group node id
 * @features: VIRTIO_SND_JACK_F_* bits the device offers
 * @type: SND_JACK_* type reported when connected
 * @connected: connection status from JACK_INFO
 * @defconf: HDA pin default configuration
 * @remap_lock: serialises JACK_REMAP requests and @association/@sequence
 * @association: current HDA association (under @remap_lock)
 * @sequence: current HDA sequence (under @remap_lock)
 */
struct virtio_jack {
	struct virtio_snd *snd;
	struct snd_jack *jack;
	u32 id;
	u32 nid;
	u32 features;
	int type;
	bool connected;
	u32 defconf;
	/* JACK_REMAP requests, @association, @sequence */
	struct mutex remap_lock;
	u32 association;
	u32 sequence;
};

/* HDA default device -> ALSA jack name (as the HDA driver has it) and type */
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
	[0x7] = { "Modem Hand", SND_JACK_LINEOUT },
	[0x8] = { "Line", SND_JACK_LINEIN },
	[0x9] = { "Aux", SND_JACK_LINEIN },
	[0xa] = { "Mic", SND_JACK_MICROPHONE },
	[0xb] = { "Telephony", SND_JACK_LINEIN },
	[0xc] = { "SPDIF In", SND_JACK_LINEIN },
	[0xd] = { "Digital In", SND_JACK_LINEIN },
	[0xe] = { "Other", SND_JACK_LINEOUT },
	[0xf] = { "Other", SND_JACK_LINEOUT },
};

/*
 * The location prefix of a pin, as the HDA driver chooses it: built-in
 * pins are "Internal" (but a speaker is just "Speaker"), pins on a
 * separate chassis "Dock", front panel jacks "Front"; the rest (rear
 * panel, sides) get none.
 */
static const char *virtsnd_jack_location(u32 defconf)
{
	if (VIRTSND_DEFCONF_DEVICE(defconf) == VIRTSND_DEFCONF_DEV_SPEAKER)
		return "";
	if (VIRTSND_DEFCONF_CONN(defconf) == VIRTSND_DEFCONF_CONN_FIXED ||
	    VIRTSND_DEFCONF_GROSS(defconf) == VIRTSND_DEFCONF_GROSS_INTERNAL)
		return "Internal ";
	if (VIRTSND_DEFCONF_GROSS(defconf) == VIRTSND_DEFCONF_GROSS_SEPARATE)
		return "Dock ";
	if (VIRTSND_DEFCONF_GEO(defconf) == VIRTSND_DEFCONF_GEO_FRONT)
		return "Front ";
	return "";
}

/* One jack from its JACK_INFO reply; unknown bits and states are reported. */
static void virtsnd_jack_init(struct virtio_snd *snd, struct virtio_jack *vjack,
			      u32 id, const struct virtio_snd_jack_info *info)
{
	struct virtio_device *vdev = snd->vdev;
	u32 defconf = le32_to_cpu(info->hda_reg_defconf);
	u32 features = le32_to_cpu(info->features);

	vjack->snd = snd;
	vjack->id = id;
	vjack->nid = le32_to_cpu(info->hdr.hda_fn_nid);
	vjack->defconf = defconf;
	vjack->type = virtsnd_jack_devices[VIRTSND_DEFCONF_DEVICE(defconf)].type;
	vjack->association = VIRTSND_DEFCONF_ASSOC(defconf);
	vjack->sequence = VIRTSND_DEFCONF_SEQ(defconf);
	mutex_init(&vjack->remap_lock);

	if (features & ~BIT(VIRTIO_SND_JACK_F_REMAP))
		dev_warn(&vdev->dev, "jack %u: ignoring unknown features 0x%x\n",
			 id, features);
	vjack->features = features & BIT(VIRTIO_SND_JACK_F_REMAP);

	if (info->connected > 1)
		dev_warn(&vdev->dev,
			 "jack %u: invalid status %u, taken as disconnected\n",
			 id, info->connected);
	vjack->connected = info->connected == 1;
}

/**
 * virtsnd_jack_parse_cfg() - query the jacks
 * @snd: the card
 *
 * Jacks are optional: a device that fails JACK_INFO in any way (an error
 * status such as QEMU's NOT_SUPP, a timeout, a short reply) gives a card
 * without jacks.  Values in a reply are checked one by one.
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

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_JACK_INFO, 0, count,
				    sizeof(*info), info);
	if (rc) {
		dev_warn(&vdev->dev,
			 "JACK_INFO failed (%d): continuing without jacks\n",
			 rc);
		kfree(info);
		return 0;
	}

	for (i = 0; i < count; i++)
		virtsnd_jack_init(snd, &snd->jacks[i], i, &info[i]);
	snd->njacks = count;

	kfree(info);
	return 0;
}

static int virtsnd_jack_remap_info(struct snd_kcontrol *kctl,
				   struct snd_ctl_elem_info *uinfo)
{
	uinfo->type = SNDRV_CTL_ELEM_TYPE_INTEGER;
	uinfo->count = 2;
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = VIRTSND_DEFCONF_ASSOC_SEQ_MAX;
	return 0;
}

static int virtsnd_jack_remap_get(struct snd_kcontrol *kctl,
				  struct snd_ctl_elem_value *uvalue)
{
	struct virtio_jack *vjack = snd_kcontrol_chip(kctl);

	guard(mutex)(&vjack->remap_lock);
	uvalue->value.integer.value[0] = vjack->association;
	uvalue->value.integer.value[1] = vjack->sequence;
	return 0;
}

static int virtsnd_jack_remap_send(struct virtio_jack *vjack, u32 association,
				   u32 sequence)
{
	struct virtio_snd_jack_remap *req;
	struct virtio_snd_msg *msg;
	int rc;

	msg = virtsnd_ctl_msg_alloc(sizeof(*req), sizeof(struct virtio_snd_hdr),
				    GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	req = virtsnd_ctl_msg_request(msg);
	req->hdr.hdr.code = cpu_to_le32(VIRTIO_SND_R_JACK_REMAP);
	req->hdr.jack_id = cpu_to_le32(vjack->id);
	req->association = cpu_to_le32(association);
	req->sequence = cpu_to_le32(sequence);

	rc = virtsnd_ctl_msg_send(vjack->snd, msg);
	virtsnd_ctl_msg_unref(msg);
	return rc;
}

static int virtsnd_jack_remap_put(struct snd_kcontrol *kctl,
				  struct snd_ctl_elem_value *uvalue)
{
	struct virtio_jack *vjack = snd_kcontrol_chip(kctl);
	long association = uvalue->value.integer.value[0];
	long sequence = uvalue->value.integer.value[1];
	int rc;

	if (association < 0 || association > VIRTSND_DEFCONF_ASSOC_SEQ_MAX ||
	    sequence < 0 || sequence > VIRTSND_DEFCONF_ASSOC_SEQ_MAX)
		return -EINVAL;

	guard(mutex)(&vjack->remap_lock);
	if (association == vjack->association && sequence == vjack->sequence)
		return 0;
	rc = virtsnd_jack_remap_send(vjack, association, sequence);
	if (rc) {
		dev_warn_ratelimited(&vjack->snd->vdev->dev,
				     "jack %u: JACK_REMAP failed: %d\n",
				     vjack->id, rc);
		return rc;
	}
	vjack->association = association;
	vjack->sequence = sequence;
	return 1;
}

/* The remap control of a jack that offers VIRTIO_SND_JACK_F_REMAP. */
static int virtsnd_jack_add_remap(struct virtio_jack *vjack, const char *name)
{
	struct snd_kcontrol_new tmpl = {
		.iface = SNDRV_CTL_ELEM_IFACE_CARD,
		.name = name,
		.access = SNDRV_CTL_ELEM_ACCESS_READWRITE,
		.info = virtsnd_jack_remap_info,
		.get = virtsnd_jack_remap_get,
		.put = virtsnd_jack_remap_put,
	};
	struct snd_kcontrol *kctl;

	kctl = snd_ctl_new1(&tmpl, vjack);
	if (!kctl)
		return -ENOMEM;
	return snd_ctl_add(vjack->snd->card, kctl);
}

/*
 * "<location><device>[ N]": the HDA name of the pin, numbered from 2 when
 * an earlier jack has the same one (control names must be unique).
 */
static void virtsnd_jack_name(struct virtio_snd *snd, u32 id, char *name,
			      size_t size)
{
	u32 defconf = snd->jacks[id].defconf;
	const char *loc = virtsnd_jack_location(defconf);
	const char *dev =
		virtsnd_jack_devices[VIRTSND_DEFCONF_DEVICE(defconf)].name;
	unsigned int same = 1;
	u32 i;

	for (i = 0; i < id; i++) {
		u32 other = snd->jacks[i].defconf;

		/* by name: several device codes share one (e.g. "Other") */
		if (!strcmp(virtsnd_jack_devices[VIRTSND_DEFCONF_DEVICE(other)].name,
			    dev) &&
		    !strcmp(virtsnd_jack_location(other), loc))
			same++;
	}

	if (same > 1)
		snprintf(name, size, "%s%s %u", loc, dev, same);
	else
		snprintf(name, size, "%s%s", loc, dev);
}

/**
 * virtsnd_jack_build_devs() - create the ALSA jacks
 * @snd: the card
 *
 * A jack that cannot be created is left out; the others still come.
 *
 * Context: process context (probe).
 * Return: 0 or a negative error code.
 */
int virtsnd_jack_build_devs(struct virtio_snd *snd)
{
	char base[SNDRV_CTL_ELEM_ID_NAME_MAXLEN - sizeof(" Jack Remap")];
	char name[SNDRV_CTL_ELEM_ID_NAME_MAXLEN];
	u32 i;
	int rc;

	for (i = 0; i < snd->njacks; i++) {
		struct virtio_jack *vjack = &snd->jacks[i];

		virtsnd_jack_name(snd, i, base, sizeof(base));
		snprintf(name, sizeof(name), "%s Jack", base);
		rc = snd_jack_new(snd->card, name, vjack->type, &vjack->jack,
				  true, false);
		if (rc) {
			dev_warn(&snd->vdev->dev, "jack %u: cannot create '%s': %d\n",
				 i, name, rc);
			vjack->jack = NULL;
			continue;
		}
		snd_jack_report(vjack->jack,
				vjack->connected ? vjack->type : 0);

		if (!(vjack->features & BIT(VIRTIO_SND_JACK_F_REMAP)))
			continue;
		snprintf(name, sizeof(name), "%s Jack Remap", base);
		rc = virtsnd_jack_add_remap(vjack, name);
		if (rc)
			dev_warn(&snd->vdev->dev, "jack %u: cannot add '%s': %d\n",
				 i, name, rc);
	}

	return 0;
}

/**
 * virtsnd_jack_event() - handle a jack event
 * @snd: the card
 * @event: VIRTIO_SND_EVT_JACK_CONNECTED or _DISCONNECTED
 *
 * Context: process context (the card's workqueue).
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
	vjack->connected = code == VIRTIO_SND_EVT_JACK_CONNECTED;
	snd_jack_report(vjack->jack, vjack->connected ? vjack->type : 0);
}

/* After a device reset: the device's mapping is its default again. */
static void virtsnd_jack_restore_remap(struct virtio_jack *vjack)
{
	u32 association = VIRTSND_DEFCONF_ASSOC(vjack->defconf);
	u32 sequence = VIRTSND_DEFCONF_SEQ(vjack->defconf);
	int rc;

	guard(mutex)(&vjack->remap_lock);
	if (vjack->association != association || vjack->sequence != sequence) {
		rc = virtsnd_jack_remap_send(vjack, vjack->association,
					     vjack->sequence);
		if (rc) {
			dev_warn(&vjack->snd->vdev->dev,
				 "jack %u: cannot restore the remapping: %d\n",
				 vjack->id, rc);
			vjack->association = association;
			vjack->sequence = sequence;
		}
	}
}

/**
 * virtsnd_jack_restore() - bring the jacks up to date after a device reset
 * @snd: the card
 *
 * A jack may have been plugged or unplugged while the device was reset
 * (suspend): JACK_INFO again, and report what changed.  Remappings the
 * user made are sent again.  Failures keep the old state, with a warning.
 *
 * Context: process context (restore), may sleep; the control queue works.
 */
void virtsnd_jack_restore(struct virtio_snd *snd)
{
	struct virtio_snd_jack_info *info;
	u32 i;
	int rc;

	if (!snd->njacks)
		return;

	info = kcalloc(snd->njacks, sizeof(*info), GFP_KERNEL);
	if (!info)
		return;

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_JACK_INFO, 0, snd->njacks,
				    sizeof(*info), info);
	if (rc)
		dev_warn(&snd->vdev->dev,
			 "JACK_INFO failed after restore (%d): jack states may be stale\n",
			 rc);

	for (i = 0; i < snd->njacks; i++) {
		struct virtio_jack *vjack = &snd->jacks[i];

		if (!vjack->jack)
			continue;
		if (!rc) {
			vjack->connected = info[i].connected == 1;
			snd_jack_report(vjack->jack,
					vjack->connected ? vjack->type : 0);
		}
		if (vjack->features & BIT(VIRTIO_SND_JACK_F_REMAP))
			virtsnd_jack_restore_remap(vjack);
	}

	kfree(info);
}
