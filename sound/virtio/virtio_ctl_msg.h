/* SPDX-License-Identifier: GPL-2.0+ */
/*
 * virtio-snd: Virtio sound device
 *
 * Control messages.
 */
#ifndef VIRTIO_SND_CTL_MSG_H
#define VIRTIO_SND_CTL_MSG_H

#include <linux/types.h>
#include <uapi/linux/virtio_snd.h>

struct virtio_snd;
struct virtio_snd_msg;

struct virtio_snd_msg *virtsnd_ctl_msg_alloc(size_t request_size,
					     size_t response_size, gfp_t gfp);
void virtsnd_ctl_msg_unref(struct virtio_snd_msg *msg);
void *virtsnd_ctl_msg_request(struct virtio_snd_msg *msg);
void *virtsnd_ctl_msg_response(struct virtio_snd_msg *msg);

int virtsnd_ctl_msg_send(struct virtio_snd *snd, struct virtio_snd_msg *msg);
int virtsnd_ctl_msg_send_async(struct virtio_snd *snd,
			       struct virtio_snd_msg *msg);
int virtsnd_ctl_msg_wait(struct virtio_snd *snd, struct virtio_snd_msg *msg);
int virtsnd_ctl_status_to_errno(struct virtio_snd *snd, u32 request,
				u32 status);
void virtsnd_ctl_msg_cancel_all(struct virtio_snd *snd);
void virtsnd_ctl_msg_set_dead(struct virtio_snd *snd, bool dead);

int virtsnd_ctl_query_info(struct virtio_snd *snd, u32 command, u32 start,
			   u32 count, size_t size, void *info);

void virtsnd_ctl_notify_cb(struct virtqueue *vqueue);

#endif /* VIRTIO_SND_CTL_MSG_H */
