// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Control elements (VIRTIO_SND_F_CTLS): CTL_INFO -> one ALSA mixer control
 * per device element, values through CTL_READ/CTL_WRITE, metadata through
 * CTL_TLV_*, CTL_NOTIFY events -> ALSA control notifications.
 *
 * Everything CTL_INFO and CTL_ENUM_ITEMS return is checked once, when the
 * element is created (and again when the device says its information
 * changed): an element with a bad type, count, range or item list is left
 * out with a warning, the rest of the card is built as usual.  The checked
 * copy (struct virtio_kctl) bounds every later value transfer.
 *
 * Controls are optional: a device whose CTL_INFO fails gives a card
 * without them.
 *
 * An element without ACCESS_READ is never sent CTL_READ (the spec forbids
 * it), but ALSA sees it as readable, with the value the driver last wrote
 * (initially the minimum): alsa-lib's simple mixer, and so amixer sget and
 * the desktop mixers built on it, fail to load a card as soon as one
 * element cannot be read (EPERM).  Drivers of write-only hardware keep
 * such shadow values too.
 */
#include <linux/ctype.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <sound/control.h>

#include "virtio_card.h"

/* Upper bounds for device-given sizes (far above real devices). */
#define VIRTSND_KCTL_ITEMS_MAX		256
#define VIRTSND_KCTL_INDEX_MAX		1023

#define VIRTSND_KCTL_ACCESS(bit)	(1U << VIRTIO_SND_CTL_ACCESS_##bit)
#define VIRTSND_KCTL_EVT(bit)		(1U << VIRTIO_SND_CTL_EVT_MASK_##bit)

/**
 * struct virtio_kctl - a device control element, as checked by the driver
 * @kctl: the ALSA control (NULL: the element was left out)
 * @type: VIRTIO_SND_CTL_TYPE_*
 * @count: number of members of the value (1 for IEC958)
 * @min: smallest member value (INTEGER, INTEGER64; BOOLEAN: 0)
 * @max: largest member value (INTEGER, INTEGER64; BOOLEAN: 1)
 * @step: step between values, 0 = any (INTEGER, INTEGER64)
 * @nitems: number of @items (ENUMERATED)
 * @items: NUL-terminated item names (ENUMERATED)
 * @shadow: the value last written, for an element the device does not let
 *          us read (NULL for a readable one)
 * @written: @shadow was written by user space (and is replayed on restore)
 * @invert: a MUTE element under its role's ALSA name: the device's 1 (muted)
 *          is ALSA's 0 (a Switch is 1 when sound passes)
 * @access: the device's access bits (VIRTIO_SND_CTL_ACCESS_*) as last
 *          queried: no request is sent that they do not allow
 * @info_stale: the device sent an INFO notification; @min, @max, @step and
 *              the INACTIVE bit are queried again on the next access
 *
 * @min, @max, @step, @shadow and @access are protected by virtio_snd::kctl_lock; @info_stale
 * is set by the event work without it (READ_ONCE/WRITE_ONCE); the other fields
 * do not change after the element is created.
 */
struct virtio_kctl {
	struct snd_kcontrol *kctl;
	u32 type;
	u32 count;
	s64 min;
	s64 max;
	u64 step;
	u32 nitems;
	struct virtio_snd_ctl_enum_item *items;
	struct virtio_snd_ctl_value *shadow;
	u32 access;
	bool written;
	bool invert;
	bool info_stale;
};

/* Members a value may have, per type (spec: Control Element Information) */
static const u32 virtsnd_kctl_count_max[] = {
	[VIRTIO_SND_CTL_TYPE_BOOLEAN] = 128,
	[VIRTIO_SND_CTL_TYPE_INTEGER] = 128,
	[VIRTIO_SND_CTL_TYPE_INTEGER64] = 64,
	[VIRTIO_SND_CTL_TYPE_ENUMERATED] = 128,
	[VIRTIO_SND_CTL_TYPE_BYTES] = 512,
	[VIRTIO_SND_CTL_TYPE_IEC958] = 1,
};

static const snd_ctl_elem_type_t virtsnd_kctl_types[] = {
	[VIRTIO_SND_CTL_TYPE_BOOLEAN] = SNDRV_CTL_ELEM_TYPE_BOOLEAN,
	[VIRTIO_SND_CTL_TYPE_INTEGER] = SNDRV_CTL_ELEM_TYPE_INTEGER,
	[VIRTIO_SND_CTL_TYPE_INTEGER64] = SNDRV_CTL_ELEM_TYPE_INTEGER64,
	[VIRTIO_SND_CTL_TYPE_ENUMERATED] = SNDRV_CTL_ELEM_TYPE_ENUMERATED,
	[VIRTIO_SND_CTL_TYPE_BYTES] = SNDRV_CTL_ELEM_TYPE_BYTES,
	[VIRTIO_SND_CTL_TYPE_IEC958] = SNDRV_CTL_ELEM_TYPE_IEC958,
};

static const struct {
	u32 bit;
	unsigned int access;
} virtsnd_kctl_access[] = {
	{ VIRTSND_KCTL_ACCESS(READ), SNDRV_CTL_ELEM_ACCESS_READ },
	{ VIRTSND_KCTL_ACCESS(WRITE), SNDRV_CTL_ELEM_ACCESS_WRITE },
	{ VIRTSND_KCTL_ACCESS(VOLATILE), SNDRV_CTL_ELEM_ACCESS_VOLATILE },
	{ VIRTSND_KCTL_ACCESS(INACTIVE), SNDRV_CTL_ELEM_ACCESS_INACTIVE },
	{ VIRTSND_KCTL_ACCESS(TLV_READ), SNDRV_CTL_ELEM_ACCESS_TLV_READ },
	{ VIRTSND_KCTL_ACCESS(TLV_WRITE), SNDRV_CTL_ELEM_ACCESS_TLV_WRITE },
	{ VIRTSND_KCTL_ACCESS(TLV_COMMAND), SNDRV_CTL_ELEM_ACCESS_TLV_COMMAND },
};

#define VIRTSND_KCTL_TLV_ACCESS	(VIRTSND_KCTL_ACCESS(TLV_READ) |	\
				 VIRTSND_KCTL_ACCESS(TLV_WRITE) |	\
				 VIRTSND_KCTL_ACCESS(TLV_COMMAND))
/* Access bits the driver knows; of them, those that are rights */
#define VIRTSND_KCTL_ACCESS_KNOWN	GENMASK(VIRTIO_SND_CTL_ACCESS_TLV_COMMAND, 0)
#define VIRTSND_KCTL_RIGHTS	(VIRTSND_KCTL_ACCESS(READ) |		\
				 VIRTSND_KCTL_ACCESS(WRITE) |		\
				 VIRTSND_KCTL_TLV_ACCESS)

/*
 * Standard ALSA names (Documentation/sound/designs/control-names.rst) for
 * the spec's roles, by role and direction, used when the device's own name
 * is empty or unusable.  Volume and gain need an integer value, mute a
 * boolean one ("Switch": 1 = sound passes, as ALSA defines it, so the
 * value is inverted).
 */
static const char *const virtsnd_kctl_role_names[][2] = {
	[VIRTIO_SND_CTL_ROLE_VOLUME] = { "Master Playback Volume",
					 "Capture Volume" },
	[VIRTIO_SND_CTL_ROLE_MUTE] = { "Master Playback Switch",
				       "Capture Switch" },
	[VIRTIO_SND_CTL_ROLE_GAIN] = { "PCM Playback Volume",
				       "Mic Capture Volume" },
};

static struct virtio_kctl *virtsnd_kctl_of(struct snd_kcontrol *kctl)
{
	struct virtio_snd *snd = snd_kcontrol_chip(kctl);

	return &snd->kctls[kctl->private_value];
}

static unsigned int virtsnd_kctl_alsa_access(u32 access)
{
	unsigned int i, alsa = 0;

	for (i = 0; i < ARRAY_SIZE(virtsnd_kctl_access); i++)
		if (access & virtsnd_kctl_access[i].bit)
			alsa |= virtsnd_kctl_access[i].access;
	if (access & VIRTSND_KCTL_TLV_ACCESS)
		alsa |= SNDRV_CTL_ELEM_ACCESS_TLV_CALLBACK;

	return alsa;
}

/*
 * A bad element information: at probe the element is left out; on a later
 * query (@again) the last good one is kept, and the device may repeat it
 * at every access, so the warning is rate limited.
 */
static __printf(3, 4) void virtsnd_kctl_bad_info(struct virtio_snd *snd,
						  bool again,
						  const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (again)
		dev_warn_ratelimited(&snd->vdev->dev, "%pV, ignored\n", &vaf);
	else
		dev_warn(&snd->vdev->dev, "%pV, left out\n", &vaf);
	va_end(args);
}

/* The type of an element, and its count (bounded per type), into @vk. */
static int virtsnd_kctl_check_type(struct virtio_snd *snd, u32 id,
				   const struct virtio_snd_ctl_info *info,
				   struct virtio_kctl *vk, bool again)
{
	u32 type = le32_to_cpu(info->type);
	u32 count = le32_to_cpu(info->count);

	if (type >= ARRAY_SIZE(virtsnd_kctl_types)) {
		virtsnd_kctl_bad_info(snd, again, "control %u: unknown type %u",
				      id, type);
		return -EINVAL;
	}
	/* the spec: count is ignored for IEC958 */
	if (type == VIRTIO_SND_CTL_TYPE_IEC958)
		count = 1;
	if (!count || count > virtsnd_kctl_count_max[type]) {
		virtsnd_kctl_bad_info(snd, again,
				      "control %u: invalid count %u (1..%u)",
				      id, count, virtsnd_kctl_count_max[type]);
		return -EINVAL;
	}

	vk->type = type;
	vk->count = count;

	return 0;
}

/* The range of an INTEGER or INTEGER64 element, as read into @vk. */
static int virtsnd_kctl_check_range(struct virtio_snd *snd, u32 id,
				    struct virtio_kctl *vk, bool again)
{
	u64 range = (u64)vk->max - (u64)vk->min;

	/* a fixed value has no step (and a huge one would not fit a long) */
	if (vk->min == vk->max)
		vk->step = 0;
	if (vk->min > vk->max || vk->step > S64_MAX ||
	    (vk->min < vk->max && vk->step > range)) {
		virtsnd_kctl_bad_info(snd, again,
				      "control %u: invalid range min %lld max %lld step %llu",
				      id, vk->min, vk->max, vk->step);
		return -EINVAL;
	}

	return 0;
}

/*
 * Check the type, count and range of an element into @vk.  Return 0 or
 * -EINVAL (the element is unusable); a warning says why.  @again: this is
 * a query after an INFO notification.
 */
static int virtsnd_kctl_check_info(struct virtio_snd *snd, u32 id,
				   const struct virtio_snd_ctl_info *info,
				   struct virtio_kctl *vk, bool again)
{
	int rc;

	rc = virtsnd_kctl_check_type(snd, id, info, vk, again);
	if (rc)
		return rc;

	vk->min = 0;
	vk->max = 0;
	vk->step = 0;

	switch (vk->type) {
	case VIRTIO_SND_CTL_TYPE_BOOLEAN:
		vk->max = 1;
		return 0;
	case VIRTIO_SND_CTL_TYPE_INTEGER:
		/* signed on the wire, like ALSA's integer elements */
		vk->min = (s32)le32_to_cpu(info->value.integer.min);
		vk->max = (s32)le32_to_cpu(info->value.integer.max);
		vk->step = le32_to_cpu(info->value.integer.step);
		break;
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		vk->min = (s64)le64_to_cpu(info->value.integer64.min);
		vk->max = (s64)le64_to_cpu(info->value.integer64.max);
		vk->step = le64_to_cpu(info->value.integer64.step);
		break;
	case VIRTIO_SND_CTL_TYPE_ENUMERATED:
		vk->nitems = le32_to_cpu(info->value.enumerated.items);
		if (!vk->nitems || vk->nitems > VIRTSND_KCTL_ITEMS_MAX) {
			virtsnd_kctl_bad_info(snd, again,
					      "control %u: invalid number of items %u (1..%u)",
					      id, vk->nitems,
					      VIRTSND_KCTL_ITEMS_MAX);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}

	return virtsnd_kctl_check_range(snd, id, vk, again);
}

/* A name ALSA users can work with: printable ASCII, not empty. */
static bool virtsnd_kctl_name_usable(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isascii(*name) || !isprint(*name))
			return false;
	return true;
}

/*
 * The ALSA name of an element: the device's name (NUL-terminated here if the
 * device did not), or, if that is unusable, the standard name of its role,
 * or a generic one.
 */
static void virtsnd_kctl_name(struct virtio_snd *snd, u32 id,
			      const struct virtio_snd_ctl_info *info,
			      struct virtio_kctl *vk, char *name)
{
	struct device *dev = &snd->vdev->dev;
	u32 role = le32_to_cpu(info->role);
	u32 function = role >> 1;
	u32 dir = role & 1;
	bool integer = vk->type == VIRTIO_SND_CTL_TYPE_INTEGER ||
		       vk->type == VIRTIO_SND_CTL_TYPE_INTEGER64;
	bool fits;

	BUILD_BUG_ON(sizeof(info->name) > SNDRV_CTL_ELEM_ID_NAME_MAXLEN);
	memcpy(name, info->name, sizeof(info->name));
	if (strnlen(name, sizeof(info->name)) == sizeof(info->name)) {
		dev_warn(dev, "control %u: name is not NUL-terminated, truncated\n",
			 id);
		name[sizeof(info->name) - 1] = '\0';
	}
	if (virtsnd_kctl_name_usable(name))
		return;

	if (role != VIRTIO_SND_CTL_ROLE_UNDEFINED &&
	    (function >= ARRAY_SIZE(virtsnd_kctl_role_names) ||
	     !virtsnd_kctl_role_names[function][0])) {
		dev_warn(dev, "control %u: unknown role 0x%x\n", id, role);
		role = VIRTIO_SND_CTL_ROLE_UNDEFINED;
	}

	fits = function == VIRTIO_SND_CTL_ROLE_MUTE ?
	       vk->type == VIRTIO_SND_CTL_TYPE_BOOLEAN : integer;
	if (role != VIRTIO_SND_CTL_ROLE_UNDEFINED && fits) {
		strscpy(name, virtsnd_kctl_role_names[function][dir],
			SNDRV_CTL_ELEM_ID_NAME_MAXLEN);
		vk->invert = function == VIRTIO_SND_CTL_ROLE_MUTE;
	} else {
		snprintf(name, SNDRV_CTL_ELEM_ID_NAME_MAXLEN, "Control %u", id);
	}
	dev_info(dev, "control %u: no usable name, named '%s'\n", id, name);
}

/*
 * An index for mixer control @name: @index if it is free on the card, else
 * the one after the highest index in use with that name (one pass, so a
 * device giving every element the same name costs no more than a list
 * walk per element).  Return -EBUSY if that is above the bound.
 */
static int virtsnd_kctl_free_index(struct snd_card *card, const char *name,
				   unsigned int index)
{
	struct snd_kcontrol *kctl;
	unsigned int next = 0;
	bool used = false;

	down_read(&card->controls_rwsem);
	list_for_each_entry(kctl, &card->controls, list) {
		if (kctl->id.iface != SNDRV_CTL_ELEM_IFACE_MIXER ||
		    strcmp(kctl->id.name, name))
			continue;
		if (index >= kctl->id.index &&
		    index - kctl->id.index < kctl->count)
			used = true;
		next = max(next, kctl->id.index + kctl->count);
	}
	up_read(&card->controls_rwsem);

	if (!used)
		return index;
	return next <= VIRTSND_KCTL_INDEX_MAX ? next : -EBUSY;
}

/* Send a request whose response is a status and @resp_size payload bytes. */
static struct virtio_snd_msg *virtsnd_kctl_msg(u32 code, u32 id,
					       size_t req_extra,
					       size_t resp_size)
{
	struct virtio_snd_ctl_hdr *hdr;
	struct virtio_snd_msg *msg;

	msg = virtsnd_ctl_msg_alloc(sizeof(*hdr) + req_extra,
				    sizeof(struct virtio_snd_hdr) + resp_size,
				    GFP_KERNEL);
	if (!msg)
		return NULL;

	hdr = virtsnd_ctl_msg_request(msg);
	hdr->hdr.code = cpu_to_le32(code);
	hdr->control_id = cpu_to_le32(id);

	return msg;
}

static void *virtsnd_kctl_msg_payload(struct virtio_snd_msg *msg)
{
	return virtsnd_ctl_msg_response(msg) + sizeof(struct virtio_snd_hdr);
}

/* Query the enumerated items of an element and check them. */
static int virtsnd_kctl_query_items(struct virtio_snd *snd, u32 id,
				    struct virtio_kctl *vk)
{
	struct device *dev = &snd->vdev->dev;
	size_t size = vk->nitems * sizeof(*vk->items);
	struct virtio_snd_msg *msg;
	u32 i;
	int rc;

	msg = virtsnd_kctl_msg(VIRTIO_SND_R_CTL_ENUM_ITEMS, id, 0, size);
	if (!msg)
		return -ENOMEM;

	rc = virtsnd_ctl_msg_send(snd, msg);
	if (rc) {
		dev_warn(dev, "control %u: CTL_ENUM_ITEMS failed (%d), left out\n",
			 id, rc);
		goto out;
	}

	vk->items = devm_kmemdup(dev, virtsnd_kctl_msg_payload(msg), size,
				 GFP_KERNEL);
	if (!vk->items) {
		rc = -ENOMEM;
		goto out;
	}

	for (i = 0; i < vk->nitems; i++) {
		char *item = vk->items[i].item;

		if (strnlen(item, sizeof(vk->items[i].item)) ==
		    sizeof(vk->items[i].item)) {
			dev_warn(dev, "control %u: item %u is not NUL-terminated, truncated\n",
				 id, i);
			item[sizeof(vk->items[i].item) - 1] = '\0';
		}
		if (!virtsnd_kctl_name_usable(item)) {
			dev_warn(dev, "control %u: item %u has no usable name (printable ASCII), left out\n",
				 id, i);
			rc = -EINVAL;
			goto out;
		}
	}

out:
	virtsnd_ctl_msg_unref(msg);
	return rc;
}

/*
 * A write-only element whose range changed: its shadow must stay a value
 * the element can have, or every read would fail.
 */
static void virtsnd_kctl_clamp_shadow(struct virtio_kctl *vk)
{
	struct virtio_snd_ctl_value *shadow = vk->shadow;
	u32 i;

	s64 x;

	for (i = 0; i < vk->count; i++) {
		if (vk->type == VIRTIO_SND_CTL_TYPE_INTEGER) {
			x = (s32)le32_to_cpu(shadow->value.integer[i]);
			x = clamp(x, vk->min, vk->max);
			shadow->value.integer[i] = cpu_to_le32((u32)x);
		} else if (vk->type == VIRTIO_SND_CTL_TYPE_INTEGER64) {
			x = (s64)le64_to_cpu(shadow->value.integer64[i]);
			x = clamp(x, vk->min, vk->max);
			shadow->value.integer64[i] = cpu_to_le64(x);
		}
	}
}

/* The device's new access bits. */
static void virtsnd_kctl_update_access(struct virtio_snd *snd,
				       struct virtio_kctl *vk, u32 id,
				       u32 access)
{
	unsigned int *alsa = &vk->kctl->vd[0].access;

	lockdep_assert_held(&snd->kctl_lock);
	/* the ALSA control keeps its rights; requests follow the device's */
	if ((access ^ vk->access) & VIRTSND_KCTL_RIGHTS)
		dev_warn_ratelimited(&snd->vdev->dev,
				     "control %u: access changed from 0x%x to 0x%x\n",
				     id, vk->access, access);
	vk->access = access;
	/*
	 * Only the INACTIVE bit changes; readers of the other bits hold the
	 * read side of controls_rwsem only (as we do).
	 */
	if (access & VIRTSND_KCTL_ACCESS(INACTIVE))
		WRITE_ONCE(*alsa, *alsa | SNDRV_CTL_ELEM_ACCESS_INACTIVE);
	else
		WRITE_ONCE(*alsa, *alsa & ~SNDRV_CTL_ELEM_ACCESS_INACTIVE);
}

/*
 * The device said the element's information changed: query it again.  The
 * type, count and items are fixed by the ALSA control already created; a
 * change there is refused.  Called with virtio_snd::kctl_lock held.
 */
static int virtsnd_kctl_refresh(struct virtio_snd *snd, struct virtio_kctl *vk)
{
	u32 id = vk->kctl->private_value;
	struct virtio_snd_ctl_info info;
	struct virtio_kctl fresh = {};
	u32 access;
	int rc;

	lockdep_assert_held(&snd->kctl_lock);
	if (!READ_ONCE(vk->info_stale))
		return 0;
	/* cleared first: an event after this is answered by a later query */
	WRITE_ONCE(vk->info_stale, false);

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_CTL_INFO, id, 1,
				    sizeof(info), &info);
	if (rc)
		goto out;

	rc = virtsnd_kctl_check_info(snd, id, &info, &fresh, true);
	if (rc)
		goto out;
	if (fresh.type != vk->type || fresh.count != vk->count ||
	    fresh.nitems != vk->nitems) {
		dev_warn_ratelimited(&snd->vdev->dev,
				     "control %u: type, count or items changed, ignored\n",
				     id);
		rc = -EPROTO;
		goto out;
	}

	vk->min = fresh.min;
	vk->max = fresh.max;
	vk->step = fresh.step;
	if (vk->shadow)
		virtsnd_kctl_clamp_shadow(vk);
	access = le32_to_cpu(info.access) & VIRTSND_KCTL_ACCESS_KNOWN;
	virtsnd_kctl_update_access(snd, vk, id, access);

out:
	/*
	 * Asked again on the next access only if the query itself failed: a
	 * device that answers with bad information would otherwise cost a
	 * request (and a warning) at every access.
	 */
	if (rc == -ETIMEDOUT || rc == -EIO || rc == -ENODEV)
		WRITE_ONCE(vk->info_stale, true);
	return rc;
}

static int virtsnd_kctl_info(struct snd_kcontrol *kctl,
			     struct snd_ctl_elem_info *uinfo)
{
	struct virtio_snd *snd = snd_kcontrol_chip(kctl);
	struct virtio_kctl *vk = virtsnd_kctl_of(kctl);
	unsigned int item;

	uinfo->type = virtsnd_kctl_types[vk->type];
	uinfo->count = vk->count;

	guard(mutex)(&snd->kctl_lock);
	/* on failure the last good information is still right enough */
	virtsnd_kctl_refresh(snd, vk);
	switch (vk->type) {
	case VIRTIO_SND_CTL_TYPE_BOOLEAN:
	case VIRTIO_SND_CTL_TYPE_INTEGER:
		uinfo->value.integer.min = vk->min;
		uinfo->value.integer.max = vk->max;
		/* (only an INTEGER range beyond LONG_MAX on 32 bits cuts it) */
		uinfo->value.integer.step = min_t(u64, vk->step, LONG_MAX);
		break;
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		uinfo->value.integer64.min = vk->min;
		uinfo->value.integer64.max = vk->max;
		uinfo->value.integer64.step = vk->step;
		break;
	case VIRTIO_SND_CTL_TYPE_ENUMERATED:
		uinfo->value.enumerated.items = vk->nitems;
		item = min(uinfo->value.enumerated.item, vk->nitems - 1);
		uinfo->value.enumerated.item = item;
		strscpy(uinfo->value.enumerated.name, vk->items[item].item,
			sizeof(uinfo->value.enumerated.name));
		break;
	}

	return 0;
}

/* Is @x a value of the element's range?  Called with kctl_lock held. */
static bool virtsnd_kctl_in_range(const struct virtio_kctl *vk, s64 x)
{
	if (x < vk->min || x > vk->max)
		return false;
	return !vk->step || ((u64)x - (u64)vk->min) % vk->step == 0;
}

/* Device value -> ALSA value, checking every member. */
static int virtsnd_kctl_from_dev(struct virtio_snd *snd, struct virtio_kctl *vk,
				 const struct virtio_snd_ctl_value *value,
				 struct snd_ctl_elem_value *uvalue)
{
	u32 i;
	s64 x;

	switch (vk->type) {
	case VIRTIO_SND_CTL_TYPE_BYTES:
		memcpy(uvalue->value.bytes.data, value->value.bytes, vk->count);
		return 0;
	case VIRTIO_SND_CTL_TYPE_IEC958:
		BUILD_BUG_ON(sizeof(value->value.iec958) !=
			     sizeof(uvalue->value.iec958));
		memcpy(&uvalue->value.iec958, &value->value.iec958,
		       sizeof(uvalue->value.iec958));
		return 0;
	}

	for (i = 0; i < vk->count; i++) {
		switch (vk->type) {
		case VIRTIO_SND_CTL_TYPE_ENUMERATED:
			x = le32_to_cpu(value->value.enumerated[i]);
			if (x >= vk->nitems)
				goto bad;
			uvalue->value.enumerated.item[i] = x;
			continue;
		case VIRTIO_SND_CTL_TYPE_INTEGER64:
			x = (s64)le64_to_cpu(value->value.integer64[i]);
			uvalue->value.integer64.value[i] = x;
			break;
		case VIRTIO_SND_CTL_TYPE_INTEGER:
			x = (s32)le32_to_cpu(value->value.integer[i]);
			uvalue->value.integer.value[i] = x;
			break;
		default: /* BOOLEAN */
			x = le32_to_cpu(value->value.integer[i]);
			uvalue->value.integer.value[i] = vk->invert ? !x : x;
			break;
		}
		/* the step is not checked: a device may round differently */
		if (x < vk->min || x > vk->max)
			goto bad;
	}
	return 0;

bad:
	dev_warn_ratelimited(&snd->vdev->dev,
			     "control %lu: member %u value %lld out of range\n",
			     vk->kctl->private_value, i, x);
	return -EPROTO;
}

/* ALSA value -> device value; -EINVAL if a member is out of range. */
static int virtsnd_kctl_to_dev(struct virtio_kctl *vk,
			       const struct snd_ctl_elem_value *uvalue,
			       struct virtio_snd_ctl_value *value)
{
	u32 i;
	s64 x;

	switch (vk->type) {
	case VIRTIO_SND_CTL_TYPE_BYTES:
		memcpy(value->value.bytes, uvalue->value.bytes.data, vk->count);
		return 0;
	case VIRTIO_SND_CTL_TYPE_IEC958:
		memcpy(&value->value.iec958, &uvalue->value.iec958,
		       sizeof(value->value.iec958));
		return 0;
	}

	for (i = 0; i < vk->count; i++) {
		switch (vk->type) {
		case VIRTIO_SND_CTL_TYPE_ENUMERATED:
			if (uvalue->value.enumerated.item[i] >= vk->nitems)
				return -EINVAL;
			value->value.enumerated[i] =
				cpu_to_le32(uvalue->value.enumerated.item[i]);
			continue;
		case VIRTIO_SND_CTL_TYPE_INTEGER64:
			x = uvalue->value.integer64.value[i];
			value->value.integer64[i] = cpu_to_le64(x);
			break;
		default: /* BOOLEAN, INTEGER: the range fits in s32 */
			x = uvalue->value.integer.value[i];
			value->value.integer[i] = cpu_to_le32(vk->invert ? !x :
							      (u32)x);
			break;
		}
		if (!virtsnd_kctl_in_range(vk, x))
			return -EINVAL;
	}

	return 0;
}

/* Bytes of struct virtio_snd_ctl_value the element's members occupy */
static size_t virtsnd_kctl_value_bytes(const struct virtio_kctl *vk)
{
	switch (vk->type) {
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		return vk->count * sizeof(__le64);
	case VIRTIO_SND_CTL_TYPE_BYTES:
		return vk->count;
	case VIRTIO_SND_CTL_TYPE_IEC958:
		return sizeof(struct virtio_snd_ctl_iec958);
	default:
		return vk->count * sizeof(__le32);
	}
}

/* CTL_READ into @value. */
static int virtsnd_kctl_read(struct virtio_snd *snd, u32 id,
			     struct virtio_snd_ctl_value *value)
{
	struct virtio_snd_msg *msg;
	int rc;

	msg = virtsnd_kctl_msg(VIRTIO_SND_R_CTL_READ, id, 0, sizeof(*value));
	if (!msg)
		return -ENOMEM;

	rc = virtsnd_ctl_msg_send(snd, msg);
	if (!rc)
		memcpy(value, virtsnd_kctl_msg_payload(msg), sizeof(*value));
	virtsnd_ctl_msg_unref(msg);

	return rc;
}

static int virtsnd_kctl_get(struct snd_kcontrol *kctl,
			    struct snd_ctl_elem_value *uvalue)
{
	struct virtio_snd *snd = snd_kcontrol_chip(kctl);
	struct virtio_kctl *vk = virtsnd_kctl_of(kctl);
	struct virtio_snd_ctl_value *value;
	bool readable;
	int rc = 0;

	value = kzalloc_obj(*value);
	if (!value)
		return -ENOMEM;

	scoped_guard(mutex, &snd->kctl_lock) {
		virtsnd_kctl_refresh(snd, vk);
		readable = vk->access & VIRTSND_KCTL_ACCESS(READ);
		if (vk->shadow)
			memcpy(value, vk->shadow, sizeof(*value));
	}
	if (!vk->shadow)
		rc = readable ? virtsnd_kctl_read(snd, kctl->private_value,
						  value) : -EPERM;
	if (!rc) {
		guard(mutex)(&snd->kctl_lock);
		rc = virtsnd_kctl_from_dev(snd, vk, value, uvalue);
	}

	kfree(value);
	return rc;
}

/*
 * Write a value.  ALSA wants to know whether it changed (1) or not (0): a
 * readable element is read first and an unchanged value is not sent; for
 * the others the value is always sent and compared with the shadow.
 */
static int virtsnd_kctl_put(struct snd_kcontrol *kctl,
			    struct snd_ctl_elem_value *uvalue)
{
	struct virtio_snd *snd = snd_kcontrol_chip(kctl);
	struct virtio_kctl *vk = virtsnd_kctl_of(kctl);
	u32 id = kctl->private_value;
	struct virtio_snd_ctl_value *value, *old;
	struct virtio_snd_msg *msg;
	u32 access;
	int rc;

	msg = virtsnd_kctl_msg(VIRTIO_SND_R_CTL_WRITE, id, sizeof(*value), 0);
	old = kzalloc_obj(*old);
	if (!msg || !old) {
		rc = -ENOMEM;
		goto out;
	}
	value = virtsnd_ctl_msg_request(msg) +
		sizeof(struct virtio_snd_ctl_hdr);

	mutex_lock(&snd->kctl_lock);
	virtsnd_kctl_refresh(snd, vk);
	access = vk->access;
	rc = virtsnd_kctl_to_dev(vk, uvalue, value);
	mutex_unlock(&snd->kctl_lock);
	if (!rc && !(access & VIRTSND_KCTL_ACCESS(WRITE)))
		rc = -EPERM;
	if (rc)
		goto out;

	if (vk->shadow) {
		rc = virtsnd_ctl_msg_send(snd, msg);
		if (rc)
			goto out;
		mutex_lock(&snd->kctl_lock);
		rc = !!memcmp(vk->shadow, value, virtsnd_kctl_value_bytes(vk));
		memcpy(vk->shadow, value, sizeof(*value));
		vk->written = true;
		mutex_unlock(&snd->kctl_lock);
		goto out;
	}

	/* (no longer readable: always sent, always a change) */
	if (access & VIRTSND_KCTL_ACCESS(READ)) {
		rc = virtsnd_kctl_read(snd, id, old);
		if (rc)
			goto out;
		if (!memcmp(old, value, virtsnd_kctl_value_bytes(vk)))
			goto out;
	}

	rc = virtsnd_ctl_msg_send(snd, msg);
	if (!rc)
		rc = 1;

out:
	kfree(old);
	if (msg)
		virtsnd_ctl_msg_unref(msg);
	return rc;
}

/*
 * CTL_TLV_READ.  The device writes as much of the TLV as fits and the
 * control queue wants complete responses, so the header (type and length)
 * is read first, then the whole TLV with a response of exactly its size
 * (again if its length changed in between).
 */
static int virtsnd_kctl_tlv_read(struct virtio_snd *snd, u32 id,
				 unsigned int size, unsigned int __user *utlv)
{
	size_t bytes = sizeof(struct virtio_snd_ctl_tlv);
	struct virtio_snd_ctl_tlv *tlv;
	struct virtio_snd_msg *msg;
	unsigned int tries;
	u32 length, i;
	int rc;

	for (tries = 0; tries < 3; tries++) {
		msg = virtsnd_kctl_msg(VIRTIO_SND_R_CTL_TLV_READ, id, 0, bytes);
		if (!msg)
			return -ENOMEM;
		rc = virtsnd_ctl_msg_send(snd, msg);
		if (rc)
			goto out;

		tlv = virtsnd_kctl_msg_payload(msg);
		length = le32_to_cpu(tlv->length);
		if (length > VIRTIO_SND_CTL_TLV_VALUE_MAX || length % 4) {
			dev_warn_ratelimited(&snd->vdev->dev,
					     "control %u: invalid TLV length %u\n",
					     id, length);
			rc = -EPROTO;
			goto out;
		}
		if (sizeof(*tlv) + length > size) {
			rc = -ENOMEM;
			goto out;
		}
		if (bytes == sizeof(*tlv) + length)
			goto copy;

		bytes = sizeof(*tlv) + length;
		virtsnd_ctl_msg_unref(msg);
	}
	return -EAGAIN;

copy:
	/* ALSA's TLV is an array of 32-bit words in CPU order */
	for (i = 0; i < bytes / sizeof(u32); i++) {
		if (put_user(le32_to_cpu(((__le32 *)tlv)[i]), utlv + i)) {
			rc = -EFAULT;
			break;
		}
	}

out:
	virtsnd_ctl_msg_unref(msg);
	return rc;
}

/* CTL_TLV_WRITE or CTL_TLV_COMMAND with the TLV user space gives. */
static int virtsnd_kctl_tlv_write(struct virtio_snd *snd, u32 code, u32 id,
				  unsigned int size,
				  const unsigned int __user *utlv)
{
	struct virtio_snd_msg *msg;
	unsigned int length, i, word;
	__le32 *words;
	int rc;

	if (size < sizeof(struct virtio_snd_ctl_tlv))
		return -EINVAL;
	if (get_user(length, utlv + 1))
		return -EFAULT;
	if (length > VIRTIO_SND_CTL_TLV_VALUE_MAX || length % 4 ||
	    length > size - sizeof(struct virtio_snd_ctl_tlv))
		return -EINVAL;

	msg = virtsnd_kctl_msg(code, id,
			       sizeof(struct virtio_snd_ctl_tlv) + length, 0);
	if (!msg)
		return -ENOMEM;

	words = virtsnd_ctl_msg_request(msg) + sizeof(struct virtio_snd_ctl_hdr);
	for (i = 0; i < 2 + length / sizeof(u32); i++) {
		if (get_user(word, utlv + i)) {
			rc = -EFAULT;
			goto out;
		}
		words[i] = cpu_to_le32(word);
	}
	/* the length read above is what the request size was made from */
	words[1] = cpu_to_le32(length);

	rc = virtsnd_ctl_msg_send(snd, msg);

out:
	virtsnd_ctl_msg_unref(msg);
	return rc;
}

static int virtsnd_kctl_tlv(struct snd_kcontrol *kctl, int op_flag,
			    unsigned int size, unsigned int __user *utlv)
{
	struct virtio_snd *snd = snd_kcontrol_chip(kctl);
	struct virtio_kctl *vk = virtsnd_kctl_of(kctl);
	u32 id = kctl->private_value;
	u32 access;
	int rc;

	scoped_guard(mutex, &snd->kctl_lock) {
		virtsnd_kctl_refresh(snd, vk);
		access = vk->access;
	}

	switch (op_flag) {
	case SNDRV_CTL_TLV_OP_READ:
		if (!(access & VIRTSND_KCTL_ACCESS(TLV_READ)))
			return -EPERM;
		return virtsnd_kctl_tlv_read(snd, id, size, utlv);
	case SNDRV_CTL_TLV_OP_WRITE:
		if (!(access & VIRTSND_KCTL_ACCESS(TLV_WRITE)))
			return -EPERM;
		rc = virtsnd_kctl_tlv_write(snd, VIRTIO_SND_R_CTL_TLV_WRITE, id,
					    size, utlv);
		/* the core leaves TLV change events to the driver */
		if (!rc)
			snd_ctl_notify(snd->card, SNDRV_CTL_EVENT_MASK_TLV,
				       &kctl->id);
		return rc;
	case SNDRV_CTL_TLV_OP_CMD:
		if (!(access & VIRTSND_KCTL_ACCESS(TLV_COMMAND)))
			return -EPERM;
		return virtsnd_kctl_tlv_write(snd, VIRTIO_SND_R_CTL_TLV_COMMAND,
					      id, size, utlv);
	default:
		return -EINVAL;
	}
}

/* The value of an element that cannot be read starts at its minimum. */
static int virtsnd_kctl_init_shadow(struct virtio_snd *snd,
				    struct virtio_kctl *vk)
{
	u32 i;

	vk->shadow = devm_kzalloc(&snd->vdev->dev, sizeof(*vk->shadow),
				  GFP_KERNEL);
	if (!vk->shadow)
		return -ENOMEM;

	for (i = 0; i < vk->count; i++) {
		if (vk->type == VIRTIO_SND_CTL_TYPE_INTEGER)
			vk->shadow->value.integer[i] = cpu_to_le32((u32)vk->min);
		else if (vk->type == VIRTIO_SND_CTL_TYPE_INTEGER64)
			vk->shadow->value.integer64[i] = cpu_to_le64(vk->min);
	}

	return 0;
}

/*
 * The device's access bits for a new element; one we may not read gets a
 * shadow value.
 */
static int virtsnd_kctl_init_access(struct virtio_snd *snd, u32 id,
				    struct virtio_kctl *vk, u32 access)
{
	if (access & ~VIRTSND_KCTL_ACCESS_KNOWN) {
		dev_warn(&snd->vdev->dev,
			 "control %u: unknown access bits 0x%x ignored\n",
			 id, access);
		access &= VIRTSND_KCTL_ACCESS_KNOWN;
	}
	vk->access = access;
	if (!(access & VIRTSND_KCTL_ACCESS(READ)))
		return virtsnd_kctl_init_shadow(snd, vk);

	return 0;
}

/*
 * The callbacks and ALSA access of a new control, from the device's access
 * bits.  ALSA may always read it: see the top of this file.
 */
static void virtsnd_kctl_init_ops(struct snd_kcontrol_new *knew, u32 access)
{
	knew->get = virtsnd_kctl_get;
	if (access & VIRTSND_KCTL_ACCESS(WRITE))
		knew->put = virtsnd_kctl_put;
	if (access & VIRTSND_KCTL_TLV_ACCESS)
		knew->tlv.c = virtsnd_kctl_tlv;
	knew->access = virtsnd_kctl_alsa_access(access) |
		       SNDRV_CTL_ELEM_ACCESS_READ;
}

/*
 * The index of a new control @name: the device's @index if it is free.
 * Return the index, or -EBUSY (the element is left out).
 */
static int virtsnd_kctl_pick_index(struct virtio_snd *snd, u32 id,
				   const char *name, u32 index)
{
	struct device *dev = &snd->vdev->dev;
	int rc;

	if (index > VIRTSND_KCTL_INDEX_MAX) {
		dev_warn(dev, "control %u: index %u too large, using 0\n", id,
			 index);
		index = 0;
	}
	/*
	 * (name, index) must be unique among the card's mixer controls: ALSA
	 * refuses a duplicate, so give it a free index.
	 */
	rc = virtsnd_kctl_free_index(snd->card, name, index);
	if (rc < 0) {
		dev_warn(dev, "control %u: '%s' has no free index, left out\n",
			 id, name);
		return rc;
	}
	if (rc != index)
		dev_warn(dev, "control %u: '%s' index %u taken, using index %d\n",
			 id, name, index, rc);

	return rc;
}

/* Create the ALSA control of element @id; an unusable element is skipped. */
static int virtsnd_kctl_add(struct virtio_snd *snd, u32 id,
			    const struct virtio_snd_ctl_info *info)
{
	struct device *dev = &snd->vdev->dev;
	struct virtio_kctl *vk = &snd->kctls[id];
	char name[SNDRV_CTL_ELEM_ID_NAME_MAXLEN];
	struct snd_kcontrol_new knew = {
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = name,
		.info = virtsnd_kctl_info,
		.private_value = id,
	};
	struct snd_kcontrol *kctl;
	int rc;

	rc = virtsnd_kctl_check_info(snd, id, info, vk, false);
	if (rc)
		return rc;
	if (vk->type == VIRTIO_SND_CTL_TYPE_ENUMERATED) {
		rc = virtsnd_kctl_query_items(snd, id, vk);
		if (rc)
			return rc;
	}

	rc = virtsnd_kctl_init_access(snd, id, vk, le32_to_cpu(info->access));
	if (rc)
		return rc;
	virtsnd_kctl_init_ops(&knew, vk->access);

	virtsnd_kctl_name(snd, id, info, vk, name);
	rc = virtsnd_kctl_pick_index(snd, id, name, le32_to_cpu(info->index));
	if (rc < 0)
		return rc;
	knew.index = rc;

	kctl = snd_ctl_new1(&knew, snd);
	if (!kctl)
		return -ENOMEM;

	rc = snd_ctl_add(snd->card, kctl);
	if (rc) {
		dev_warn(dev, "control %u: cannot add '%s': %d\n", id, name, rc);
		return rc;
	}
	vk->kctl = kctl;

	return 0;
}

/**
 * virtsnd_kctl_build_devs() - query the control elements, create ALSA controls
 * @snd: the card
 *
 * Only when VIRTIO_SND_F_CTLS was negotiated.  Never fails the card: an
 * element that cannot be used is left out, a failed CTL_INFO leaves out all
 * of them, and a device that stops answering makes the rest be left out.
 *
 * Context: process context (probe), after the PCM, jack and chmap controls
 * were created; may sleep.
 * Return: 0, or -ENOMEM.
 */
int virtsnd_kctl_build_devs(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	struct virtio_snd_ctl_info *info;
	unsigned int added = 0;
	u32 count, i;
	int rc;

	if (!virtio_has_feature(vdev, VIRTIO_SND_F_CTLS))
		return 0;

	virtio_cread_le(vdev, struct virtio_snd_config, controls, &count);
	if (!count)
		return 0;
	if (count > VIRTIO_SND_CTLS_MAX) {
		dev_warn(&vdev->dev,
			 "invalid number of controls %u (max %u): continuing without controls\n",
			 count, VIRTIO_SND_CTLS_MAX);
		return 0;
	}

	info = kcalloc(count, sizeof(*info), GFP_KERNEL);
	snd->kctls = devm_kcalloc(&vdev->dev, count, sizeof(*snd->kctls),
				  GFP_KERNEL);
	if (!info || !snd->kctls) {
		kfree(info);
		return -ENOMEM;
	}

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_CTL_INFO, 0, count,
				    sizeof(*info), info);
	if (rc) {
		dev_warn(&vdev->dev,
			 "CTL_INFO failed (%d): continuing without controls\n",
			 rc);
		goto out;
	}
	snd->nkctls = count;

	for (i = 0; i < count; i++) {
		rc = virtsnd_kctl_add(snd, i, &info[i]);
		if (!rc)
			added++;
		/* a device that stopped answering would make probe crawl */
		if (rc == -ETIMEDOUT || rc == -ENODEV || rc == -ENOMEM) {
			dev_warn(&vdev->dev,
				 "controls %u..%u left out (%d)\n", i,
				 count - 1, rc);
			break;
		}
	}
	if (added < count)
		dev_warn(&vdev->dev, "%u of %u controls available\n", added,
			 count);
	rc = rc == -ENOMEM ? rc : 0;

out:
	kfree(info);
	return rc;
}

/**
 * virtsnd_kctl_restore() - bring the controls back after a device reset
 * @snd: the card
 *
 * The reset of freeze/restore put the device's elements back to their
 * defaults: every element's information is queried again on its next
 * access, the value user space wrote to a write-only element (the driver's
 * shadow) is written again, and user space is told that every element may
 * have changed.
 *
 * Context: process context (restore), once the control queue takes
 * requests again and before the card is back in D0 (control ioctls wait
 * for D0); may sleep.  Takes virtio_snd::kctl_lock.
 */
void virtsnd_kctl_restore(struct virtio_snd *snd)
{
	struct virtio_snd_msg *msg;
	struct virtio_kctl *vk;
	u32 i;
	int rc;

	for (i = 0; i < snd->nkctls; i++)
		WRITE_ONCE(snd->kctls[i].info_stale, true);

	for (i = 0; i < snd->nkctls; i++) {
		vk = &snd->kctls[i];
		if (!vk->kctl || !vk->shadow || !vk->written)
			continue;
		msg = virtsnd_kctl_msg(VIRTIO_SND_R_CTL_WRITE, i,
				       sizeof(*vk->shadow), 0);
		if (!msg)
			break;
		scoped_guard(mutex, &snd->kctl_lock) {
			rc = virtsnd_kctl_refresh(snd, vk);
			if (!rc && !(vk->access & VIRTSND_KCTL_ACCESS(WRITE)))
				rc = -EPERM;
			if (!rc) {
				memcpy(virtsnd_ctl_msg_request(msg) +
				       sizeof(struct virtio_snd_ctl_hdr),
				       vk->shadow, sizeof(*vk->shadow));
				rc = virtsnd_ctl_msg_send(snd, msg);
			}
		}
		virtsnd_ctl_msg_unref(msg);
		if (rc)
			dev_warn(&snd->vdev->dev,
				 "control %u: value not restored (%d)\n", i, rc);
		/* a device that stopped answering would make resume crawl */
		if (rc == -ETIMEDOUT || rc == -ENODEV)
			break;
	}

	for (i = 0; i < snd->nkctls; i++)
		if (snd->kctls[i].kctl)
			snd_ctl_notify(snd->card, SNDRV_CTL_EVENT_MASK_VALUE |
				       SNDRV_CTL_EVENT_MASK_INFO,
				       &snd->kctls[i].kctl->id);
}

/**
 * virtsnd_kctl_event() - handle a VIRTIO_SND_EVT_CTL_NOTIFY event
 * @snd: the card
 * @event: the event
 *
 * Only marks the element's information stale (the next access, which holds
 * the controls_rwsem and virtio_snd::kctl_lock, queries it) and notifies
 * user space: the event work must not wait for the device.
 *
 * Context: process context (the card's workqueue).  Takes no lock of its
 * own; snd_ctl_notify() takes the card's ctl_files_rwlock.
 */
void virtsnd_kctl_event(struct virtio_snd *snd, struct virtio_snd_event *event)
{
	struct virtio_snd_ctl_event *cev = (struct virtio_snd_ctl_event *)event;
	u16 id = le16_to_cpu(cev->control_id);
	u16 mask = le16_to_cpu(cev->mask);
	unsigned int alsa_mask = 0;
	struct virtio_kctl *vk;

	BUILD_BUG_ON(sizeof(*cev) != sizeof(*event));

	if (id >= snd->nkctls || !snd->kctls[id].kctl) {
		virtsnd_stats_inc(snd, evt_bad_id);
		dev_warn_ratelimited(&snd->vdev->dev,
				     "control event: invalid control id %u\n",
				     id);
		return;
	}
	vk = &snd->kctls[id];

	if (mask & ~(VIRTSND_KCTL_EVT(VALUE) | VIRTSND_KCTL_EVT(INFO) |
		     VIRTSND_KCTL_EVT(TLV)))
		dev_warn_ratelimited(&snd->vdev->dev,
				     "control %u event: unknown mask bits 0x%x\n",
				     id, mask);
	if (mask & VIRTSND_KCTL_EVT(VALUE))
		alsa_mask |= SNDRV_CTL_EVENT_MASK_VALUE;
	if (mask & VIRTSND_KCTL_EVT(INFO)) {
		/* queried on the next access: the event work must not wait */
		WRITE_ONCE(vk->info_stale, true);
		alsa_mask |= SNDRV_CTL_EVENT_MASK_INFO;
	}
	if (mask & VIRTSND_KCTL_EVT(TLV))
		alsa_mask |= SNDRV_CTL_EVENT_MASK_TLV;

	if (alsa_mask)
		snd_ctl_notify(snd->card, alsa_mask, &vk->kctl->id);
}
