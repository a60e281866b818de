// SPDX-License-Identifier: GPL-2.0
/*
 * PCM control requests and the strict stream state machine.
 *
 * Every transition the spec lifecycle does not allow, and every request
 * that breaks a driver MUST, is answered with VIRTIO_SND_S_BAD_MSG and
 * written to the violation log.  A refused request leaves the stream as
 * it was.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_snd.h>

#include "snd_pcm.h"
#include "snd_tables.h"
#include "vlog.h"

#define PCM_CMD_BIT(code)	(1u << ((code) - VIRTIO_SND_R_PCM_SET_PARAMS))

/* Which commands each state accepts (spec "PCM Command Lifecycle"). */
static const unsigned int pcm_allowed[PCM_STATE_COUNT] = {
	[PCM_STATE_IDLE] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_SET_PARAMS),
	[PCM_STATE_SET_PARAMS] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_SET_PARAMS) |
				 PCM_CMD_BIT(VIRTIO_SND_R_PCM_PREPARE),
	[PCM_STATE_PREPARE] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_SET_PARAMS) |
			      PCM_CMD_BIT(VIRTIO_SND_R_PCM_PREPARE) |
			      PCM_CMD_BIT(VIRTIO_SND_R_PCM_START) |
			      PCM_CMD_BIT(VIRTIO_SND_R_PCM_RELEASE),
	[PCM_STATE_START] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_STOP),
	[PCM_STATE_STOP] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_START) |
			   PCM_CMD_BIT(VIRTIO_SND_R_PCM_RELEASE),
	[PCM_STATE_RELEASE] = PCM_CMD_BIT(VIRTIO_SND_R_PCM_SET_PARAMS) |
			      PCM_CMD_BIT(VIRTIO_SND_R_PCM_PREPARE),
};

static const char *const pcm_state_names[PCM_STATE_COUNT] = {
	[PCM_STATE_IDLE] = "IDLE",
	[PCM_STATE_SET_PARAMS] = "SET_PARAMS",
	[PCM_STATE_PREPARE] = "PREPARE",
	[PCM_STATE_START] = "START",
	[PCM_STATE_STOP] = "STOP",
	[PCM_STATE_RELEASE] = "RELEASE",
};

static const enum pcm_state pcm_next_state[] = {
	[VIRTIO_SND_R_PCM_SET_PARAMS - VIRTIO_SND_R_PCM_SET_PARAMS] = PCM_STATE_SET_PARAMS,
	[VIRTIO_SND_R_PCM_PREPARE - VIRTIO_SND_R_PCM_SET_PARAMS] = PCM_STATE_PREPARE,
	[VIRTIO_SND_R_PCM_RELEASE - VIRTIO_SND_R_PCM_SET_PARAMS] = PCM_STATE_RELEASE,
	[VIRTIO_SND_R_PCM_START - VIRTIO_SND_R_PCM_SET_PARAMS] = PCM_STATE_START,
	[VIRTIO_SND_R_PCM_STOP - VIRTIO_SND_R_PCM_SET_PARAMS] = PCM_STATE_STOP,
};

/**
 * snd_pcm_init() - Create the streams of the description.
 * @snd: device with @cfg set.
 *
 * Return: 0 or -errno.
 */
int snd_pcm_init(struct snd_dev *snd)
{
	unsigned int i;
	int rc;

	snd->streams = calloc(snd->cfg->nstreams, sizeof(*snd->streams));
	if (!snd->streams)
		return -1;
	for (i = 0; i < snd->cfg->nstreams; i++) {
		struct snd_pcm_stream *s = &snd->streams[i];

		s->id = i;
		s->snd = snd;
		s->cfg = &snd->cfg->streams[i];
		s->queue_tail = &s->queue;
		rc = pcm_io_init(s);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * snd_pcm_reset() - Device reset: every stream back to IDLE.
 * @snd: device.
 */
void snd_pcm_reset(struct snd_dev *snd)
{
	unsigned int i;

	for (i = 0; i < snd->cfg->nstreams; i++) {
		struct snd_pcm_stream *s = &snd->streams[i];

		pcm_io_stop(s);
		pcm_io_discard(s);
		s->state = PCM_STATE_IDLE;
	}
}

static void pcm_info_fill(struct snd_dev *snd, uint32_t id, void *item)
{
	const struct devcfg_stream *c = &snd->cfg->streams[id];
	struct virtio_snd_pcm_info *info = item;

	if (id >= snd->cfg->nstreams)
		return;		/* advertised only (fault): all zero */
	info->hdr.hda_fn_nid = htole32(c->nid);
	info->features = htole32(c->features);
	info->formats = htole64(c->formats);
	info->rates = htole64(c->rates);
	info->direction = c->direction;
	info->channels_min = c->channels_min;
	info->channels_max = c->channels_max;
}

/* Check SET_PARAMS against the stream description and the driver MUSTs. */
static int pcm_check_params(struct snd_pcm_stream *s,
			    const struct virtio_snd_pcm_set_params *sp,
			    struct pcm_params *p)
{
	const struct devcfg_stream *c = s->cfg;
	unsigned int bits, id = s->id;

	p->buffer_bytes = le32toh(sp->buffer_bytes);
	p->period_bytes = le32toh(sp->period_bytes);
	p->features = le32toh(sp->features);
	p->channels = sp->channels;
	p->format = sp->format;
	p->rate = sp->rate;

	if (p->format >= 64 || !(c->formats & (1ULL << p->format))) {
		vlog_violation("SET_PARAMS stream %u: format %u not advertised",
			       id, p->format);
		return -1;
	}
	if (p->rate >= 64 || !(c->rates & (1ULL << p->rate))) {
		vlog_violation("SET_PARAMS stream %u: rate %u not advertised",
			       id, p->rate);
		return -1;
	}
	if (p->features & ~c->features) {
		vlog_violation("SET_PARAMS stream %u: features 0x%x not advertised (0x%x)",
			       id, p->features, c->features);
		return -1;
	}
	if (p->channels < c->channels_min || p->channels > c->channels_max) {
		vlog_violation("SET_PARAMS stream %u: channels %u outside %u..%u",
			       id, p->channels, c->channels_min, c->channels_max);
		return -1;
	}
	if (sp->padding) {
		vlog_violation("SET_PARAMS stream %u: padding byte 0x%x not zero",
			       id, sp->padding);
		return -1;
	}
	if (!p->buffer_bytes || !p->period_bytes ||
	    p->buffer_bytes % p->period_bytes) {
		vlog_violation("SET_PARAMS stream %u: period_bytes %u does not divide buffer_bytes %u",
			       id, p->period_bytes, p->buffer_bytes);
		return -1;
	}
	bits = snd_format_phys_bits(p->format) * p->channels;
	if (bits % 8 == 0 && p->period_bytes % (bits / 8)) {
		vlog_violation("SET_PARAMS stream %u: period_bytes %u not a whole number of %u-byte frames",
			       id, p->period_bytes, bits / 8);
		return -1;
	}
	return 0;
}

static uint32_t pcm_set_params(struct snd_pcm_stream *s,
			       struct snd_ctl_req *r)
{
	struct virtio_snd_pcm_set_params sp;
	struct pcm_params p;
	unsigned int sbits;

	memcpy(&sp, r->req, sizeof(sp));
	if (pcm_check_params(s, &sp, &p))
		return VIRTIO_SND_S_BAD_MSG;
	s->params = p;
	sbits = snd_format_phys_bits(p.format);
	s->sample_bytes = sbits >= 8 ? sbits / 8 : 1;
	s->frame_bytes = (sbits * p.channels + 7) / 8;
	s->sample_counter = 0;
	vlog_info("stream %u: %s %u ch %u Hz, buffer %u period %u features 0x%x",
		  s->id, snd_format_name(p.format), p.channels,
		  snd_rate_hz(p.rate), p.buffer_bytes, p.period_bytes,
		  p.features);
	return VIRTIO_SND_S_OK;
}

static size_t pcm_req_size(uint32_t code)
{
	return code == VIRTIO_SND_R_PCM_SET_PARAMS ?
	       sizeof(struct virtio_snd_pcm_set_params) :
	       sizeof(struct virtio_snd_pcm_hdr);
}

/**
 * snd_pcm_ctl() - Handle a PCM control request.
 * @snd: device.
 * @r: request with code VIRTIO_SND_R_PCM_*.
 *
 * Return: status code for the response.
 */
uint32_t snd_pcm_ctl(struct snd_dev *snd, struct snd_ctl_req *r)
{
	struct virtio_snd_pcm_hdr hdr;
	struct snd_pcm_stream *s;
	uint32_t id, status;

	if (r->code == VIRTIO_SND_R_PCM_INFO)
		return snd_ctl_query_info(snd, r, snd->cfg->adv_streams,
					  sizeof(struct virtio_snd_pcm_info),
					  pcm_info_fill);

	if (snd_ctl_check_len(r, pcm_req_size(r->code), 0))
		return VIRTIO_SND_S_BAD_MSG;
	memcpy(&hdr, r->req, sizeof(hdr));
	id = le32toh(hdr.stream_id);
	if (id >= snd->cfg->adv_streams) {
		vlog_violation("%s: stream id %u >= streams %u",
			       snd_code_name(r->code), id, snd->cfg->adv_streams);
		return VIRTIO_SND_S_BAD_MSG;
	}
	if (id >= snd->cfg->nstreams)
		return VIRTIO_SND_S_BAD_MSG;	/* advertised only (fault) */
	s = &snd->streams[id];
	if (!(pcm_allowed[s->state] & PCM_CMD_BIT(r->code))) {
		vlog_violation("%s: stream %u: not allowed in state %s",
			       snd_code_name(r->code), id,
			       pcm_state_names[s->state]);
		return VIRTIO_SND_S_BAD_MSG;
	}

	switch (r->code) {
	case VIRTIO_SND_R_PCM_SET_PARAMS:
		status = pcm_set_params(s, r);
		break;
	case VIRTIO_SND_R_PCM_PREPARE:
		status = VIRTIO_SND_S_OK;
		break;
	case VIRTIO_SND_R_PCM_START:
		status = VIRTIO_SND_S_OK;
		break;
	case VIRTIO_SND_R_PCM_STOP:
		pcm_io_stop(s);
		status = VIRTIO_SND_S_OK;
		break;
	case VIRTIO_SND_R_PCM_RELEASE:
		/* Every pending I/O message completes before the reply. */
		pcm_io_release(s);
		status = VIRTIO_SND_S_OK;
		break;
	default:
		return VIRTIO_SND_S_NOT_SUPP;
	}
	if (status == VIRTIO_SND_S_OK) {
		vlog_dbg("stream %u: %s -> %s", id, pcm_state_names[s->state],
			 pcm_state_names[pcm_next_state[r->code - VIRTIO_SND_R_PCM_SET_PARAMS]]);
		s->state = pcm_next_state[r->code - VIRTIO_SND_R_PCM_SET_PARAMS];
		if (s->state == PCM_STATE_START)
			pcm_io_start(s);
	}
	return status;
}
