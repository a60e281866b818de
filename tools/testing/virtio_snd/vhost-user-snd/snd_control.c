// SPDX-License-Identifier: GPL-2.0
/*
 * Control elements.
 *
 * Each element keeps its current value in wire format
 * (struct virtio_snd_ctl_value) and its metadata as a TLV blob.  Requests
 * that break a driver MUST (READ without ACCESS_READ, TLV value above
 * 64 KiB, ...) get BAD_MSG and a violation line.  Writes with values
 * outside the element's range get BAD_MSG without a violation: the spec
 * does not forbid the driver to forward them.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_snd.h>

#include "snd_control.h"
#include "vlog.h"

/**
 * struct snd_control - Runtime state of one element.
 * @cfg: its description.
 * @value: current value, wire format.
 * @tlv: current metadata: type, length, values (le32 words).
 * @tlv_bytes: bytes in @tlv (0: none).
 */
struct snd_control {
	const struct devcfg_control *cfg;
	int64_t min, max, step;
	struct virtio_snd_ctl_value value;
	uint32_t tlv[DEVCFG_MAX_TLV_WORDS];
	size_t tlv_bytes;
};

#define CTL_ACCESS(bit)	(1u << VIRTIO_SND_CTL_ACCESS_##bit)

static void ctl_store(struct snd_control *c, unsigned int i, int64_t v)
{
	switch (c->cfg->type) {
	case VIRTIO_SND_CTL_TYPE_BOOLEAN:
	case VIRTIO_SND_CTL_TYPE_INTEGER:
		c->value.value.integer[i] = htole32((uint32_t)v);
		break;
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		c->value.value.integer64[i] = htole64((uint64_t)v);
		break;
	case VIRTIO_SND_CTL_TYPE_ENUMERATED:
		c->value.value.enumerated[i] = htole32((uint32_t)v);
		break;
	default:	/* BYTES, IEC958: byte i of the union */
		c->value.value.bytes[i] = (uint8_t)v;
		break;
	}
}

static unsigned int ctl_members(const struct snd_control *c)
{
	if (c->cfg->type == VIRTIO_SND_CTL_TYPE_IEC958)
		return sizeof(struct virtio_snd_ctl_iec958);
	return c->cfg->count;
}

/**
 * snd_control_init() - Build the elements of the description.
 * @snd: device.
 *
 * Return: 0 or -ENOMEM.
 */
int snd_control_init(struct snd_dev *snd)
{
	unsigned int i, j;

	if (!snd->cfg->ncontrols)
		return 0;
	snd->controls = calloc(snd->cfg->ncontrols, sizeof(*snd->controls));
	if (!snd->controls)
		return -ENOMEM;
	for (i = 0; i < snd->cfg->ncontrols; i++) {
		struct snd_control *c = &snd->controls[i];

		c->cfg = &snd->cfg->controls[i];
		c->min = c->cfg->min;
		c->max = c->cfg->max;
		c->step = c->cfg->step;
		for (j = 0; j < c->cfg->ninit && j < ctl_members(c); j++)
			ctl_store(c, j, c->cfg->init[j]);
		for (j = 0; j < c->cfg->ntlv; j++)
			c->tlv[j] = htole32(c->cfg->tlv[j]);
		c->tlv_bytes = c->cfg->ntlv * 4;
	}
	return 0;
}

static void ctl_info_fill(struct snd_dev *snd, uint32_t id, void *item)
{
	const struct devcfg_control *c = &snd->cfg->controls[id];
	struct virtio_snd_ctl_info *info = item;
	const struct snd_control *range;

	if (id >= snd->cfg->ncontrols)
		return;		/* advertised only (fault): all zero */
	range = &snd->controls[id];
	info->hdr.hda_fn_nid = htole32(c->nid);
	info->role = htole32(c->role);
	info->type = htole32(c->type);
	info->access = htole32(c->access);
	info->count = htole32(c->count);
	info->index = htole32(c->index);
	memcpy(info->name, c->name, strlen(c->name));
	switch (c->type) {
	case VIRTIO_SND_CTL_TYPE_INTEGER:
		info->value.integer.min = htole32((uint32_t)range->min);
		info->value.integer.max = htole32((uint32_t)range->max);
		info->value.integer.step = htole32((uint32_t)range->step);
		break;
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		info->value.integer64.min = htole64((uint64_t)range->min);
		info->value.integer64.max = htole64((uint64_t)range->max);
		info->value.integer64.step = htole64((uint64_t)range->step);
		break;
	case VIRTIO_SND_CTL_TYPE_ENUMERATED:
		info->value.enumerated.items = htole32(c->nitems);
		break;
	}
}

/* Check the access right a request needs; log a violation if missing. */
static int ctl_check_access(struct snd_ctl_req *r, struct snd_control *c,
			    uint32_t id, uint32_t bit)
{
	if (c->cfg->access & bit)
		return 0;
	vlog_violation("%s: control %u ('%s') lacks the access right (access 0x%x)",
		       snd_code_name(r->code), id, c->cfg->name, c->cfg->access);
	return -1;
}

static uint32_t ctl_enum_items(struct snd_ctl_req *r, struct snd_control *c,
			       uint32_t id)
{
	struct virtio_snd_ctl_enum_item item;
	unsigned int i;

	if (c->cfg->type != VIRTIO_SND_CTL_TYPE_ENUMERATED) {
		vlog_violation("CTL_ENUM_ITEMS: control %u is not ENUMERATED", id);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (snd_ctl_check_len(r, sizeof(struct virtio_snd_ctl_hdr),
			      c->cfg->nitems * sizeof(item)))
		return VIRTIO_SND_S_BAD_MSG;
	for (i = 0; i < c->cfg->nitems; i++) {
		memset(&item, 0, sizeof(item));
		memcpy(item.item, c->cfg->items[i], strlen(c->cfg->items[i]));
		snd_ctl_write(r, sizeof(struct virtio_snd_hdr) + i * sizeof(item),
			      &item, sizeof(item));
	}
	return VIRTIO_SND_S_OK;
}

/* Is member @i of @v a legal value for @c? */
static bool ctl_value_ok(const struct snd_control *c,
			 const struct virtio_snd_ctl_value *v, unsigned int i)
{
	const struct devcfg_control *cfg = c->cfg;
	int64_t x;

	switch (cfg->type) {
	case VIRTIO_SND_CTL_TYPE_BOOLEAN:
		return le32toh(v->value.integer[i]) <= 1;
	case VIRTIO_SND_CTL_TYPE_INTEGER:
		x = (int32_t)le32toh(v->value.integer[i]);
		break;
	case VIRTIO_SND_CTL_TYPE_INTEGER64:
		x = (int64_t)le64toh(v->value.integer64[i]);
		break;
	case VIRTIO_SND_CTL_TYPE_ENUMERATED:
		return le32toh(v->value.enumerated[i]) < cfg->nitems;
	default:
		return true;
	}
	if (x < c->min || x > c->max)
		return false;
	return !c->step || (x - c->min) % c->step == 0;
}

static uint32_t ctl_write(struct snd_ctl_req *r, struct snd_control *c,
			  uint32_t id)
{
	struct virtio_snd_ctl_value v;
	unsigned int i;

	if (snd_ctl_check_len(r, sizeof(struct virtio_snd_ctl_hdr) + sizeof(v), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&v, r->req + sizeof(struct virtio_snd_ctl_hdr), sizeof(v));
	for (i = 0; i < c->cfg->count; i++) {
		if (c->cfg->type != VIRTIO_SND_CTL_TYPE_IEC958 &&
		    !ctl_value_ok(c, &v, i)) {
			vlog_info("CTL_WRITE: control %u member %u out of range", id, i);
			return VIRTIO_SND_S_BAD_MSG;
		}
	}
	c->value = v;
	vlog_info("control %u ('%s') written", id, c->cfg->name);
	return VIRTIO_SND_S_OK;
}

static uint32_t ctl_tlv_read(struct snd_ctl_req *r, struct snd_control *c)
{
	size_t room;

	if (snd_ctl_check_len(r, sizeof(struct virtio_snd_ctl_hdr), 0))
		return VIRTIO_SND_S_BAD_MSG;
	/* Write as much as fits (device SHOULD). */
	room = r->elem->in_len - sizeof(struct virtio_snd_hdr);
	snd_ctl_write(r, sizeof(struct virtio_snd_hdr), c->tlv,
		      c->tlv_bytes < room ? c->tlv_bytes : room);
	return VIRTIO_SND_S_OK;
}

static uint32_t ctl_tlv_write(struct snd_ctl_req *r, struct snd_control *c,
			      uint32_t id)
{
	size_t hdr = sizeof(struct virtio_snd_ctl_hdr);
	struct virtio_snd_ctl_tlv tlv;
	uint32_t len;

	if (snd_ctl_check_len(r, hdr + sizeof(tlv), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&tlv, r->req + hdr, sizeof(tlv));
	len = le32toh(tlv.length);
	if (len > VIRTIO_SND_CTL_TLV_VALUE_MAX) {
		vlog_violation("%s: control %u: TLV value of %u bytes > %u",
			       snd_code_name(r->code), id, len,
			       VIRTIO_SND_CTL_TLV_VALUE_MAX);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (r->req_len < hdr + sizeof(tlv) + len) {
		vlog_violation("%s: control %u: TLV says %u value bytes, request has %zu",
			       snd_code_name(r->code), id, len,
			       r->req_len - hdr - sizeof(tlv));
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (r->code == VIRTIO_SND_R_CTL_TLV_COMMAND) {
		vlog_info("control %u: TLV command type %u, %u bytes", id,
			  le32toh(tlv.type), len);
		return VIRTIO_SND_S_OK;
	}
	if (sizeof(tlv) + len > sizeof(c->tlv))
		return VIRTIO_SND_S_IO_ERR;	/* our storage is small */
	memcpy(c->tlv, r->req + hdr, sizeof(tlv) + len);
	c->tlv_bytes = sizeof(tlv) + len;
	return VIRTIO_SND_S_OK;
}

/**
 * snd_control_ctl() - Handle a CTL_* request.
 * @snd: device.
 * @r: request.
 *
 * Return: status code.
 */
uint32_t snd_control_ctl(struct snd_dev *snd, struct snd_ctl_req *r)
{
	struct virtio_snd_ctl_hdr hdr;
	struct snd_control *c;
	uint32_t id;

	if (!vu_has_feature(&snd->vu, VIRTIO_SND_F_CTLS)) {
		vlog_violation("%s: VIRTIO_SND_F_CTLS not negotiated",
			       snd_code_name(r->code));
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (r->code == VIRTIO_SND_R_CTL_INFO)
		return snd_ctl_query_info(snd, r, snd->cfg->adv_controls,
					  sizeof(struct virtio_snd_ctl_info),
					  ctl_info_fill);
	if (snd_ctl_check_len(r, sizeof(hdr), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&hdr, r->req, sizeof(hdr));
	id = le32toh(hdr.control_id);
	if (id >= snd->cfg->adv_controls) {
		vlog_violation("%s: control id %u >= controls %u",
			       snd_code_name(r->code), id, snd->cfg->adv_controls);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (id >= snd->cfg->ncontrols)
		return VIRTIO_SND_S_BAD_MSG;	/* advertised only (fault) */
	c = &snd->controls[id];

	switch (r->code) {
	case VIRTIO_SND_R_CTL_ENUM_ITEMS:
		return ctl_enum_items(r, c, id);
	case VIRTIO_SND_R_CTL_READ:
		if (ctl_check_access(r, c, id, CTL_ACCESS(READ)) ||
		    snd_ctl_check_len(r, sizeof(hdr), sizeof(c->value)))
			return VIRTIO_SND_S_BAD_MSG;
		snd_ctl_write(r, sizeof(struct virtio_snd_hdr), &c->value,
			      sizeof(c->value));
		return VIRTIO_SND_S_OK;
	case VIRTIO_SND_R_CTL_WRITE:
		if (ctl_check_access(r, c, id, CTL_ACCESS(WRITE)))
			return VIRTIO_SND_S_BAD_MSG;
		return ctl_write(r, c, id);
	case VIRTIO_SND_R_CTL_TLV_READ:
		if (ctl_check_access(r, c, id, CTL_ACCESS(TLV_READ)))
			return VIRTIO_SND_S_BAD_MSG;
		return ctl_tlv_read(r, c);
	case VIRTIO_SND_R_CTL_TLV_WRITE:
		if (ctl_check_access(r, c, id, CTL_ACCESS(TLV_WRITE)))
			return VIRTIO_SND_S_BAD_MSG;
		return ctl_tlv_write(r, c, id);
	case VIRTIO_SND_R_CTL_TLV_COMMAND:
		if (ctl_check_access(r, c, id, CTL_ACCESS(TLV_COMMAND)))
			return VIRTIO_SND_S_BAD_MSG;
		return ctl_tlv_write(r, c, id);
	}
	return VIRTIO_SND_S_NOT_SUPP;
}

/**
 * snd_control_fault_noterm() - Fault: strings that fill their field.
 * @snd: device.
 * @r: a completed CTL_INFO or CTL_ENUM_ITEMS request.
 *
 * Overwrites every name (CTL_INFO) or item (CTL_ENUM_ITEMS) of the reply
 * with 'X' characters up to the end of its field, leaving no NUL.
 */
void snd_control_fault_noterm(struct snd_dev *snd, struct snd_ctl_req *r)
{
	size_t hdr = sizeof(struct virtio_snd_hdr), field, stride, off;
	struct virtio_snd_query_info q;
	uint8_t x[64];

	memset(x, 'X', sizeof(x));
	if (r->code == VIRTIO_SND_R_CTL_INFO && r->req_len >= sizeof(q)) {
		memcpy(&q, r->req, sizeof(q));
		stride = le32toh(q.size);
		off = hdr + offsetof(struct virtio_snd_ctl_info, name);
		field = sizeof(((struct virtio_snd_ctl_info *)0)->name);
	} else if (r->code == VIRTIO_SND_R_CTL_ENUM_ITEMS) {
		stride = sizeof(struct virtio_snd_ctl_enum_item);
		off = hdr;
		field = stride;
	} else {
		return;
	}
	for (; stride && off + field <= r->resp_len; off += stride)
		snd_ctl_write(r, off, x, field);
}

/**
 * snd_control_notify() - Send VIRTIO_SND_EVT_CTL_NOTIFY.
 * @snd: device.
 * @id: control id (not checked: fault injection may want a bad one).
 * @mask: 1 << VIRTIO_SND_CTL_EVT_MASK_* bits.
 *
 * Return: 0 or -ENOBUFS.
 */
int snd_control_notify(struct snd_dev *snd, uint32_t id, uint32_t mask)
{
	/* struct virtio_snd_ctl_event: le16 control_id, le16 mask */
	return snd_event_send(snd, VIRTIO_SND_EVT_CTL_NOTIFY,
			      (id & 0xffff) | (mask & 0xffff) << 16);
}

/**
 * snd_control_set() - Change a value on the device side and notify
 *                     (if VIRTIO_SND_F_CTLS was negotiated).
 * @snd: device.
 * @id: control id.
 * @vals: member values.
 * @n: number of @vals.
 *
 * Return: 0, -EINVAL, or -ENOBUFS.
 */
int snd_control_set(struct snd_dev *snd, uint32_t id, const int64_t *vals,
		    unsigned int n)
{
	struct snd_control *c;
	unsigned int i;

	if (id >= snd->cfg->ncontrols)
		return -EINVAL;
	c = &snd->controls[id];
	for (i = 0; i < n && i < ctl_members(c); i++)
		ctl_store(c, i, vals[i]);
	if (!vu_has_feature(&snd->vu, VIRTIO_SND_F_CTLS))
		return 0;	/* the driver does not know controls: no event */
	return snd_control_notify(snd, id, 1u << VIRTIO_SND_CTL_EVT_MASK_VALUE);
}

/**
 * snd_control_set_range() - Change an integer control's range on the
 *                           device side and notify (CTL_NOTIFY(INFO)).
 * @snd: device.
 * @id: control id.
 * @min: new minimum.
 * @max: new maximum.
 * @step: new step.
 *
 * Only this control's CTL_INFO reply changes: a driver that refreshes the
 * wrong element after the event keeps the old range.
 *
 * Return: 0, -EINVAL (no such integer control, or empty range) or -ENOBUFS.
 */
int snd_control_set_range(struct snd_dev *snd, uint32_t id, int64_t min,
			  int64_t max, int64_t step)
{
	struct snd_control *c;

	if (id >= snd->cfg->ncontrols || min > max || step < 0)
		return -EINVAL;
	c = &snd->controls[id];
	if (c->cfg->type != VIRTIO_SND_CTL_TYPE_INTEGER &&
	    c->cfg->type != VIRTIO_SND_CTL_TYPE_INTEGER64)
		return -EINVAL;
	c->min = min;
	c->max = max;
	c->step = step;
	if (!vu_has_feature(&snd->vu, VIRTIO_SND_F_CTLS))
		return 0;
	return snd_control_notify(snd, id, 1u << VIRTIO_SND_CTL_EVT_MASK_INFO);
}
