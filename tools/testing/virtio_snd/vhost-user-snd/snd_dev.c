// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio sound device: configuration space, control queue dispatch,
 * item information requests (jacks, channel maps), the event queue, and
 * the vhost-user callbacks.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_snd.h>

#include "fault.h"
#include "fuzz.h"
#include "snd_control.h"
#include "snd_dev.h"
#include "snd_pcm.h"
#include "vlog.h"

#define SND_CTL_REQ_MAX	(64 * 1024 + 256)
#define SND_INFO_MAX	(16 * 1024 * 1024)

struct virtq *snd_vq(struct snd_dev *snd, unsigned int qidx)
{
	return &snd->vu.vq[qidx];
}

const char *snd_code_name(uint32_t code)
{
	switch (code) {
	case VIRTIO_SND_R_JACK_INFO: return "JACK_INFO";
	case VIRTIO_SND_R_JACK_REMAP: return "JACK_REMAP";
	case VIRTIO_SND_R_PCM_INFO: return "PCM_INFO";
	case VIRTIO_SND_R_PCM_SET_PARAMS: return "PCM_SET_PARAMS";
	case VIRTIO_SND_R_PCM_PREPARE: return "PCM_PREPARE";
	case VIRTIO_SND_R_PCM_RELEASE: return "PCM_RELEASE";
	case VIRTIO_SND_R_PCM_START: return "PCM_START";
	case VIRTIO_SND_R_PCM_STOP: return "PCM_STOP";
	case VIRTIO_SND_R_CHMAP_INFO: return "CHMAP_INFO";
	case VIRTIO_SND_R_CTL_INFO: return "CTL_INFO";
	case VIRTIO_SND_R_CTL_ENUM_ITEMS: return "CTL_ENUM_ITEMS";
	case VIRTIO_SND_R_CTL_READ: return "CTL_READ";
	case VIRTIO_SND_R_CTL_WRITE: return "CTL_WRITE";
	case VIRTIO_SND_R_CTL_TLV_READ: return "CTL_TLV_READ";
	case VIRTIO_SND_R_CTL_TLV_WRITE: return "CTL_TLV_WRITE";
	case VIRTIO_SND_R_CTL_TLV_COMMAND: return "CTL_TLV_COMMAND";
	default: return "unknown request";
	}
}

/**
 * snd_ctl_check_len() - Check the sizes of a control request.
 * @r: request.
 * @req_size: bytes the request part must have.
 * @resp_size: bytes the response needs after the status header.
 *
 * Return: 0, or -1 after logging a violation.
 */
int snd_ctl_check_len(struct snd_ctl_req *r, size_t req_size, size_t resp_size)
{
	size_t need = sizeof(struct virtio_snd_hdr) + resp_size;

	if (r->req_len < req_size) {
		vlog_violation("%s: request of %zu bytes, expected %zu",
			       snd_code_name(r->code), r->req_len, req_size);
		return -1;
	}
	if (r->elem->in_len < need) {
		vlog_violation("%s: response buffer of %zu bytes, need %zu",
			       snd_code_name(r->code), r->elem->in_len, need);
		return -1;
	}
	return 0;
}

/**
 * snd_ctl_write() - Write into the response of a control request.
 * @r: request.
 * @off: offset in the response (0 is the status header).
 * @buf: data.
 * @len: bytes.
 */
void snd_ctl_write(struct snd_ctl_req *r, size_t off, const void *buf,
		   size_t len)
{
	size_t n = iov_write(r->elem->in, r->elem->n_in, off, buf, len);

	if (off + n > r->resp_len)
		r->resp_len = off + n;
}

/**
 * snd_ctl_query_info() - Answer a VIRTIO_SND_R_*_INFO request.
 * @snd: device.
 * @r: request.
 * @total: number of items of this kind in the config space.
 * @item_size: size of our info structure.
 * @fill: writes item @id into a zeroed @item_size buffer.
 *
 * A driver item size larger than ours is zero-padded.  Items advertised
 * beyond the description (config-space fault) are all zero.
 *
 * Return: status code.
 */
uint32_t snd_ctl_query_info(struct snd_dev *snd, struct snd_ctl_req *r,
			    uint32_t total, size_t item_size,
			    snd_info_fill_t fill)
{
	struct virtio_snd_query_info q;
	uint32_t i, start, count, size;
	uint8_t *item;

	if (snd_ctl_check_len(r, sizeof(q), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&q, r->req, sizeof(q));
	start = le32toh(q.start_id);
	count = le32toh(q.count);
	size = le32toh(q.size);
	if ((uint64_t)start + count > total) {
		vlog_violation("%s: start_id %u + count %u > %u items",
			       snd_code_name(r->code), start, count, total);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (size < item_size) {
		vlog_violation("%s: item size %u < %zu",
			       snd_code_name(r->code), size, item_size);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (snd_ctl_check_len(r, sizeof(q), (uint64_t)count * size))
		return VIRTIO_SND_S_BAD_MSG;

	if ((uint64_t)count * size > SND_INFO_MAX) {
		vlog_err("%s: %u items of %u bytes: refusing to write that much",
			 snd_code_name(r->code), count, size);
		return VIRTIO_SND_S_IO_ERR;
	}
	item = calloc(1, size);
	if (!item)
		return VIRTIO_SND_S_IO_ERR;
	for (i = 0; i < count; i++) {
		memset(item, 0, size);
		fill(snd, start + i, item);
		snd_ctl_write(r, sizeof(struct virtio_snd_hdr) + (size_t)i * size,
			      item, size);
	}
	free(item);
	return VIRTIO_SND_S_OK;
}

static void snd_jack_info_fill(struct snd_dev *snd, uint32_t id, void *item)
{
	const struct devcfg_jack *c = &snd->cfg->jacks[id];
	struct virtio_snd_jack_info *info = item;

	if (id >= snd->cfg->njacks)
		return;		/* advertised only (fault): all zero */
	info->hdr.hda_fn_nid = htole32(c->nid);
	info->features = htole32(c->features);
	info->hda_reg_defconf = htole32(c->defconf);
	info->hda_reg_caps = htole32(c->caps);
	info->connected = snd->jack_connected[id];
}

static void snd_chmap_info_fill(struct snd_dev *snd, uint32_t id, void *item)
{
	const struct devcfg_chmap *c = &snd->cfg->chmaps[id];
	struct virtio_snd_chmap_info *info = item;

	if (id >= snd->cfg->nchmaps)
		return;		/* advertised only (fault): all zero */
	info->hdr.hda_fn_nid = htole32(c->nid);
	info->direction = c->direction;
	info->channels = c->channels;
	memcpy(info->positions, c->positions, c->channels);
}

static uint32_t snd_jack_remap(struct snd_dev *snd, struct snd_ctl_req *r)
{
	struct virtio_snd_jack_remap rm;
	uint32_t id;

	if (snd_ctl_check_len(r, sizeof(rm), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&rm, r->req, sizeof(rm));
	id = le32toh(rm.hdr.jack_id);
	if (id >= snd->cfg->adv_jacks) {
		vlog_violation("JACK_REMAP: jack id %u >= jacks %u", id,
			       snd->cfg->adv_jacks);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (id >= snd->cfg->njacks)
		return VIRTIO_SND_S_BAD_MSG;	/* advertised only (fault) */
	if (!(snd->cfg->jacks[id].features & (1u << VIRTIO_SND_JACK_F_REMAP))) {
		vlog_violation("JACK_REMAP: jack %u does not offer VIRTIO_SND_JACK_F_REMAP",
			       id);
		return VIRTIO_SND_S_BAD_MSG;
	}
	vlog_info("jack %u: remapped to association %u sequence %u", id,
		  le32toh(rm.association), le32toh(rm.sequence));
	return VIRTIO_SND_S_OK;
}

static uint32_t snd_ctl_dispatch(struct snd_dev *snd, struct snd_ctl_req *r)
{
	switch (r->code) {
	case VIRTIO_SND_R_JACK_INFO:
		return snd_ctl_query_info(snd, r, snd->cfg->adv_jacks,
					  sizeof(struct virtio_snd_jack_info),
					  snd_jack_info_fill);
	case VIRTIO_SND_R_JACK_REMAP:
		return snd_jack_remap(snd, r);
	case VIRTIO_SND_R_PCM_INFO:
	case VIRTIO_SND_R_PCM_SET_PARAMS:
	case VIRTIO_SND_R_PCM_PREPARE:
	case VIRTIO_SND_R_PCM_RELEASE:
	case VIRTIO_SND_R_PCM_START:
	case VIRTIO_SND_R_PCM_STOP:
		return snd_pcm_ctl(snd, r);
	case VIRTIO_SND_R_CHMAP_INFO:
		return snd_ctl_query_info(snd, r, snd->cfg->adv_chmaps,
					  sizeof(struct virtio_snd_chmap_info),
					  snd_chmap_info_fill);
	case VIRTIO_SND_R_CTL_INFO:
	case VIRTIO_SND_R_CTL_ENUM_ITEMS:
	case VIRTIO_SND_R_CTL_READ:
	case VIRTIO_SND_R_CTL_WRITE:
	case VIRTIO_SND_R_CTL_TLV_READ:
	case VIRTIO_SND_R_CTL_TLV_WRITE:
	case VIRTIO_SND_R_CTL_TLV_COMMAND:
		return snd_control_ctl(snd, r);
	default:
		vlog_violation("control request with unknown code 0x%x", r->code);
		return VIRTIO_SND_S_NOT_SUPP;
	}
}

/* Apply a fault that hit a completed control request; return true if held. */
static bool snd_ctl_fault(struct snd_dev *snd, struct snd_ctl_req *r,
			  const struct fault *f, uint32_t *used)
{
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_CONTROL);
	uint8_t fill[256];
	size_t off;

	switch (f->action) {
	case FAULT_SHORT:
		*used = *used > f->arg ? *used - f->arg : 0;
		break;
	case FAULT_LONG:
		*used = fault_longer(*used, f->arg);
		break;
	case FAULT_FILL:
		memset(fill, f->arg, sizeof(fill));
		for (off = sizeof(struct virtio_snd_hdr); off < r->resp_len;
		     off += sizeof(fill))
			iov_write(r->elem->in, r->elem->n_in, off, fill,
				  r->resp_len - off < sizeof(fill) ?
				  r->resp_len - off : sizeof(fill));
		break;
	case FAULT_NOTERM:
		snd_control_fault_noterm(snd, r);
		break;
	case FAULT_MUTATE:
		fuzz_mutate(r->elem->in, r->elem->n_in, sizeof(struct virtio_snd_hdr),
			    r->resp_len, f->arg);
		break;
	case FAULT_DELAY:
		fault_hold(vq, r->elem, *used, f->arg, 0);
		return true;
	default:
		break;
	}
	return false;
}

/* Handle one control request and complete it. */
static void snd_ctl_handle(struct snd_dev *snd, struct vq_elem *e)
{
	static uint8_t buf[SND_CTL_REQ_MAX];
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_CONTROL);
	struct snd_ctl_req r = { .elem = e, .req = buf };
	struct virtio_snd_hdr hdr;
	bool faulted = false;
	struct fault f;
	uint32_t status, used;
	uint16_t head;

	r.req_len = iov_read(e->out, e->n_out, 0, buf, sizeof(buf));
	if (e->out_len > sizeof(buf) || r.req_len < sizeof(hdr)) {
		vlog_violation("control request of %zu bytes", e->out_len);
		status = VIRTIO_SND_S_BAD_MSG;
	} else {
		memcpy(&hdr, buf, sizeof(hdr));
		r.code = le32toh(hdr.code);
		vlog_dbg("control: %s (0x%x) %zu/%zu bytes",
			 snd_code_name(r.code), r.code, e->out_len, e->in_len);
		faulted = fault_take(FAULT_CTL, r.code, &f);
		if (faulted && f.action == FAULT_DROP) {
			fault_hold(vq, e, 0, 0, 0);
			return;
		}
		if (faulted && f.action == FAULT_STATUS)
			status = f.arg;		/* not acted on */
		else
			status = snd_ctl_dispatch(snd, &r);
	}
	if (status != VIRTIO_SND_S_OK)
		r.resp_len = 0;		/* an error reply is the header alone */
	if (e->in_len < sizeof(hdr)) {
		if (status != VIRTIO_SND_S_BAD_MSG)
			vlog_violation("%s: no room for the response header",
				       snd_code_name(r.code));
		virtq_push(vq, e, 0);
		return;
	}
	hdr.code = htole32(status);
	snd_ctl_write(&r, 0, &hdr, sizeof(hdr));
	used = r.resp_len;
	if (faulted && snd_ctl_fault(snd, &r, &f, &used))
		return;
	head = e->head;
	virtq_push(vq, e, used);
	if (faulted && f.action == FAULT_DUP)
		virtq_push_id(vq, head, used);
}

static void snd_ctl_kick(struct snd_dev *snd)
{
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_CONTROL);
	struct vq_elem *e;
	unsigned int n = 0;

	while (virtq_pop(vq, &e) > 0) {
		snd_ctl_handle(snd, e);
		n++;
	}
	if (n)
		virtq_notify(vq);
}

/* Put pending events into available buffers. */
static void snd_event_flush(struct snd_dev *snd)
{
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_EVENT);
	unsigned int n = 0;

	while (n < snd->npending && snd->events) {
		struct vq_elem *e = snd->events;

		snd->events = e->next;
		if (!snd->events)
			snd->events_tail = &snd->events;
		iov_write(e->in, e->n_in, 0, &snd->pending[n], sizeof(snd->pending[n]));
		virtq_push(vq, e, sizeof(snd->pending[n]));
		n++;
	}
	if (!n)
		return;
	snd->npending -= n;
	memmove(snd->pending, snd->pending + n,
		snd->npending * sizeof(snd->pending[0]));
	virtq_notify(vq);
}

static void snd_event_kick(struct snd_dev *snd)
{
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_EVENT);
	struct vq_elem *e;

	while (virtq_pop(vq, &e) > 0) {
		if (e->out_len || e->in_len < sizeof(struct virtio_snd_event)) {
			vlog_violation("event queue: buffer with %zu readable / %zu writable bytes",
				       e->out_len, e->in_len);
			virtq_push(vq, e, 0);
			virtq_notify(vq);
			continue;
		}
		e->next = NULL;
		*snd->events_tail = e;
		snd->events_tail = &e->next;
	}
	snd_event_flush(snd);
}

/**
 * snd_event_send() - Deliver an event through the event queue.
 * @snd: device.
 * @code: VIRTIO_SND_EVT_* (or any value, for fault injection).
 * @data: event data (jack, stream or control id).
 *
 * The event waits (up to SND_MAX_PENDING_EVENTS) if the driver has no
 * buffer in the event queue now.
 *
 * Return: 0, or -ENOBUFS if the event had to be dropped.
 */
int snd_event_send(struct snd_dev *snd, uint32_t code, uint32_t data)
{
	struct virtio_snd_event *ev;

	if (snd->npending == SND_MAX_PENDING_EVENTS) {
		vlog_err("event 0x%x dropped: %u events pending", code,
			 snd->npending);
		return -ENOBUFS;
	}
	ev = &snd->pending[snd->npending++];
	ev->hdr.code = htole32(code);
	ev->data = htole32(data);
	vlog_dbg("event 0x%x data %u queued", code, data);
	snd_event_kick(snd);
	return 0;
}

/**
 * snd_jack_set() - Plug or unplug a jack and tell the driver.
 * @snd: device.
 * @id: jack id.
 * @connected: new state.
 *
 * Return: 0, -EINVAL for a bad id, or -ENOBUFS.
 */
int snd_jack_set(struct snd_dev *snd, uint32_t id, bool connected)
{
	if (id >= snd->cfg->njacks)
		return -EINVAL;
	snd->jack_connected[id] = connected;
	return snd_event_send(snd, connected ? VIRTIO_SND_EVT_JACK_CONNECTED :
					       VIRTIO_SND_EVT_JACK_DISCONNECTED,
			      id);
}

static void snd_events_discard(struct snd_dev *snd)
{
	struct virtq *vq = snd_vq(snd, VIRTIO_SND_VQ_EVENT);

	while (snd->events) {
		struct vq_elem *e = snd->events;

		snd->events = e->next;
		virtq_discard(vq, e);
	}
	snd->events_tail = &snd->events;
}

/* vhost-user callbacks */

static uint64_t snd_vu_features(void *opaque)
{
	struct snd_dev *snd = opaque;

	return snd->cfg->adv_controls ? 1ULL << VIRTIO_SND_F_CTLS : 0;
}

static int snd_vu_get_config(void *opaque, uint8_t *buf, uint32_t off,
			     uint32_t len)
{
	struct snd_dev *snd = opaque;
	struct virtio_snd_config cfg = {
		.jacks = htole32(snd->cfg->adv_jacks),
		.streams = htole32(snd->cfg->adv_streams),
		.chmaps = htole32(snd->cfg->adv_chmaps),
		.controls = htole32(snd->cfg->adv_controls),
	};

	memset(buf, 0, len);
	if (off > sizeof(cfg))
		return -EINVAL;
	memcpy(buf, (uint8_t *)&cfg + off,
	       len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
	return 0;
}

static void snd_vu_queue_kick(void *opaque, unsigned int qidx)
{
	struct snd_dev *snd = opaque;

	switch (qidx) {
	case VIRTIO_SND_VQ_CONTROL:
		snd_ctl_kick(snd);
		break;
	case VIRTIO_SND_VQ_EVENT:
		snd_event_kick(snd);
		break;
	case VIRTIO_SND_VQ_TX:
	case VIRTIO_SND_VQ_RX:
		pcm_io_kick(snd, qidx);
		break;
	}
}

static void snd_vu_queue_stop(void *opaque, unsigned int qidx)
{
	struct snd_dev *snd = opaque;

	fault_drop_held(snd_vq(snd, qidx));
	if (qidx == VIRTIO_SND_VQ_EVENT)
		snd_events_discard(snd);
	else if (qidx == VIRTIO_SND_VQ_TX || qidx == VIRTIO_SND_VQ_RX)
		pcm_io_queue_stop(snd, qidx);
}

static void snd_vu_reset(void *opaque)
{
	struct snd_dev *snd = opaque;

	vlog_info("device reset");
	snd_events_discard(snd);
	snd->npending = 0;
	snd_pcm_reset(snd);
}

static const struct vu_dev_ops snd_vu_ops = {
	.features = snd_vu_features,
	.get_config = snd_vu_get_config,
	.queue_kick = snd_vu_queue_kick,
	.queue_stop = snd_vu_queue_stop,
	.reset = snd_vu_reset,
};

/**
 * snd_dev_init() - Create the device and listen for the front-end.
 * @snd: device.
 * @cfg: description.
 * @sock_path: vhost-user socket path.
 * @outdir: directory for the per-stream data files.
 * @instant: audio clocks in instant mode.
 *
 * Return: 0 or -errno.
 */
int snd_dev_init(struct snd_dev *snd, const struct devcfg *cfg,
		 const char *sock_path, const char *outdir, bool instant)
{
	unsigned int i;
	int rc;

	memset(snd, 0, sizeof(*snd));
	snd->cfg = cfg;
	snd->outdir = outdir;
	snd->instant = instant;
	snd->events_tail = &snd->events;
	for (i = 0; i < cfg->njacks; i++)
		snd->jack_connected[i] = cfg->jacks[i].connected;
	rc = snd_pcm_init(snd);
	if (!rc)
		rc = snd_control_init(snd);
	if (rc)
		return rc;
	return vu_init(&snd->vu, sock_path, VIRTIO_SND_VQ_MAX, cfg->queue_size,
		       &snd_vu_ops, snd);
}
