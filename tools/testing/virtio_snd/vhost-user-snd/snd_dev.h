/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio sound device model: configuration space, control queue,
 * event queue, and the glue between vhost-user and the PCM streams.
 */
#ifndef VUS_SND_DEV_H
#define VUS_SND_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev_config.h"
#include "vhost_user.h"

#include <linux/virtio_snd.h>

/* Events held while the driver has no buffer in the event queue. */
#define SND_MAX_PENDING_EVENTS 256

struct snd_pcm_stream;
struct snd_control;

/**
 * struct snd_ctl_req - A control request being handled.
 * @elem: the descriptor chain.
 * @req: copy of the device-readable part.
 * @req_len: bytes in @req.
 * @code: request code (VIRTIO_SND_R_*).
 * @resp_len: bytes written into the device-writable part so far.
 */
struct snd_ctl_req {
	struct vq_elem *elem;
	uint8_t *req;
	size_t req_len;
	uint32_t code;
	size_t resp_len;
};

/**
 * struct snd_dev - The sound device.
 * @cfg: device description.
 * @vu: vhost-user back-end.
 * @streams: PCM streams, @cfg->nstreams of them.
 * @controls: control elements, @cfg->ncontrols of them.
 * @events: event queue buffers waiting for an event, FIFO.
 * @events_tail: link to append to @events.
 * @pending: events waiting for an event queue buffer, oldest first.
 * @npending: number of @pending events.
 * @jack_connected: current connection state of each jack.
 * @outdir: directory for the per-stream data files.
 * @instant: audio clocks in instant mode.
 */
struct snd_dev {
	const struct devcfg *cfg;
	struct vu_dev vu;
	struct snd_pcm_stream *streams;
	struct snd_control *controls;
	struct vq_elem *events, **events_tail;
	struct virtio_snd_event pending[SND_MAX_PENDING_EVENTS];
	unsigned int npending;
	bool jack_connected[DEVCFG_MAX_JACKS];
	const char *outdir;
	bool instant;
};

int snd_dev_init(struct snd_dev *snd, const struct devcfg *cfg,
		 const char *sock_path, const char *outdir, bool instant);

struct virtq *snd_vq(struct snd_dev *snd, unsigned int qidx);
int snd_ctl_check_len(struct snd_ctl_req *r, size_t req_size, size_t resp_size);
typedef void (*snd_info_fill_t)(struct snd_dev *snd, uint32_t id, void *item);
uint32_t snd_ctl_query_info(struct snd_dev *snd, struct snd_ctl_req *r,
			    uint32_t total, size_t item_size,
			    snd_info_fill_t fill);
void snd_ctl_write(struct snd_ctl_req *r, size_t off, const void *buf,
		   size_t len);
int snd_event_send(struct snd_dev *snd, uint32_t code, uint32_t data);
int snd_jack_set(struct snd_dev *snd, uint32_t id, bool connected);
const char *snd_code_name(uint32_t code);

#endif /* VUS_SND_DEV_H */
