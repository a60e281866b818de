// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user back-end protocol (docs/interop/vhost-user.rst).
 *
 * The back-end listens on a unix socket; QEMU connects as the front-end
 * and drives the device through request messages.  Only the messages a
 * virtio-snd front-end needs are implemented; anything else is refused.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "loop.h"
#include "vhost_user.h"
#include "vlog.h"

enum vu_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_RESET_DEVICE = 34,
};

#define VHOST_USER_VERSION		0x1
#define VHOST_USER_FLAG_REPLY		(1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY	(1u << 3)

#define VHOST_USER_F_PROTOCOL_FEATURES	30

#define VHOST_USER_PROTOCOL_F_MQ		0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK		3
#define VHOST_USER_PROTOCOL_F_CONFIG		9
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE	13

#define VU_PROTOCOL_FEATURES ((1ULL << VHOST_USER_PROTOCOL_F_MQ) | \
			      (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
			      (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) | \
			      (1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE))

#define VU_VRING_IDX_MASK	0xff
#define VU_VRING_NOFD		(1u << 8)

#define VU_MAX_FDS		8
#define VU_MAX_PAYLOAD		4096
#define VU_CONFIG_MAX		256

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region regions[GUEST_MEM_MAX_REGIONS];
};

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VU_CONFIG_MAX];
};

struct vu_msg {
	struct vu_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_mem_table mem;
		struct vu_config config;
		uint8_t raw[VU_MAX_PAYLOAD];
	};
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

static void vu_conn_cb(int fd, unsigned int events, void *opaque);

bool vu_has_feature(const struct vu_dev *dev, unsigned int bit)
{
	return dev->features & (1ULL << bit);
}

static uint64_t vu_offered_features(struct vu_dev *dev)
{
	return (1ULL << VIRTIO_F_VERSION_1) |
	       (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
	       (1ULL << VIRTIO_RING_F_EVENT_IDX) |
	       (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
	       dev->ops->features(dev->opaque);
}

static void vu_close_fds(struct vu_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->nfds; i++)
		if (msg->fds[i] >= 0)
			close(msg->fds[i]);
	msg->nfds = 0;
}

/* Read one message; return 1 on success, 0 on EOF, -errno on error. */
static int vu_read_msg(int fd, struct vu_msg *msg)
{
	char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { &msg->hdr, sizeof(msg->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	msg->nfds = 0;
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n ? -errno : 0;

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			size_t len = cmsg->cmsg_len - CMSG_LEN(0);

			msg->nfds = len / sizeof(int);
			memcpy(msg->fds, CMSG_DATA(cmsg), msg->nfds * sizeof(int));
		}
	}
	if (n != sizeof(msg->hdr) || msg->hdr.size > VU_MAX_PAYLOAD) {
		vlog_err("vhost-user: bad message header (%zd bytes, size %u)",
			 n, msg->hdr.size);
		vu_close_fds(msg);
		return -EPROTO;
	}
	if (msg->hdr.size) {
		size_t got = 0;

		while (got < msg->hdr.size) {
			n = read(fd, msg->raw + got, msg->hdr.size - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				vu_close_fds(msg);
				return -EPROTO;
			}
			got += n;
		}
	}
	return 1;
}

static int vu_send_reply(struct vu_dev *dev, struct vu_msg *msg, uint32_t size)
{
	struct iovec iov[2] = {
		{ &msg->hdr, sizeof(msg->hdr) },
		{ msg->raw, size },
	};
	ssize_t n;

	msg->hdr.flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY;
	msg->hdr.size = size;
	n = writev(dev->conn_fd, iov, 2);
	if (n != (ssize_t)(sizeof(msg->hdr) + size)) {
		vlog_err("vhost-user: reply to %u: %s", msg->hdr.request,
			 n < 0 ? strerror(errno) : "short write");
		return -EIO;
	}
	return 0;
}

static int vu_reply_u64(struct vu_dev *dev, struct vu_msg *msg, uint64_t val)
{
	msg->u64 = val;
	return vu_send_reply(dev, msg, sizeof(msg->u64));
}

static struct virtq *vu_msg_vq(struct vu_dev *dev, uint32_t index)
{
	index &= VU_VRING_IDX_MASK;
	if (index >= dev->nvqs) {
		vlog_err("vhost-user: vring index %u out of range", index);
		return NULL;
	}
	return &dev->vq[index];
}

static void vu_kick_cb(int fd, unsigned int events, void *opaque)
{
	struct virtq *vq = opaque;
	struct vu_dev *dev = vq->owner;
	eventfd_t cnt;

	(void)events;
	if (eventfd_read(fd, &cnt) && errno != EAGAIN)
		vlog_err("virtqueue %u: kick eventfd: %s", vq->idx,
			 strerror(errno));
	dev->ops->queue_kick(dev->opaque, vq->idx);
}

static void vu_vq_stop(struct vu_dev *dev, struct virtq *vq)
{
	if (vq->kick_fd >= 0) {
		loop_del(vq->kick_fd);
		close(vq->kick_fd);
		vq->kick_fd = -1;
	}
	if (vq->started)
		dev->ops->queue_stop(dev->opaque, vq->idx);
	vq->started = false;
}

static void vu_vq_release(struct vu_dev *dev, struct virtq *vq)
{
	vu_vq_stop(dev, vq);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	virtq_init(vq, vq->idx, &dev->mem);
	vq->owner = dev;
}

/* Forget all device state: used on RESET_DEVICE, RESET_OWNER, disconnect. */
static void vu_reset(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++)
		vu_vq_release(dev, &dev->vq[i]);
	dev->ops->reset(dev->opaque);
	dev->features = 0;
}

static int vu_set_features(struct vu_dev *dev, struct vu_msg *msg)
{
	unsigned int i;
	uint64_t unknown = msg->u64 & ~vu_offered_features(dev);

	if (unknown)
		vlog_err("vhost-user: front-end acked unoffered features 0x%llx",
			 (unsigned long long)unknown);
	dev->features = msg->u64;
	for (i = 0; i < dev->nvqs; i++) {
		struct virtq *vq = &dev->vq[i];

		vq->event_idx = vu_has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
		/* Without protocol features, rings start enabled. */
		if (!vu_has_feature(dev, VHOST_USER_F_PROTOCOL_FEATURES))
			vq->enabled = true;
	}
	vlog_dbg("vhost-user: features 0x%llx", (unsigned long long)msg->u64);
	return 0;
}

static int vu_set_mem_table(struct vu_dev *dev, struct vu_msg *msg)
{
	struct vu_mem_table *t = &msg->mem;
	unsigned int i;
	int rc = 0;

	if (t->nregions > GUEST_MEM_MAX_REGIONS || t->nregions != msg->nfds) {
		vlog_err("vhost-user: mem table with %u regions and %u fds",
			 t->nregions, msg->nfds);
		return -EINVAL;
	}
	guest_mem_clear(&dev->mem);
	for (i = 0; i < t->nregions && !rc; i++) {
		struct vu_mem_region *r = &t->regions[i];

		rc = guest_mem_add(&dev->mem, msg->fds[i], r->gpa, r->size,
				   r->uva, r->mmap_offset);
		if (rc)
			vlog_err("vhost-user: mmap region %u: %s", i,
				 strerror(-rc));
	}
	/* Rings already set up must be translated again. */
	for (i = 0; i < dev->nvqs && !rc; i++)
		if (dev->vq[i].desc)
			rc = virtq_map(&dev->vq[i]);
	return rc;
}

static int vu_set_vring_num(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->state.index);
	uint32_t num = msg->state.num;

	if (!vq)
		return -EINVAL;
	if (!num || num > dev->max_queue_size || (num & (num - 1))) {
		vlog_err("vhost-user: vring %u: size %u refused (max %u)",
			 vq->idx, num, dev->max_queue_size);
		return -EINVAL;
	}
	vq->num = num;
	return 0;
}

static int vu_set_vring_addr(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->addr.index);
	int rc;

	if (!vq)
		return -EINVAL;
	vq->desc_uva = msg->addr.desc;
	vq->avail_uva = msg->addr.avail;
	vq->used_uva = msg->addr.used;
	rc = virtq_map(vq);
	if (rc) {
		vlog_err("vhost-user: vring %u: rings outside shared memory",
			 vq->idx);
		return rc;
	}
	/* Continue from the used index the driver sees. */
	vq->used_idx = le16toh(vq->used->idx);
	return 0;
}

static int vu_set_vring_base(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->state.index);

	if (!vq)
		return -EINVAL;
	vq->last_avail = msg->state.num;
	vq->used_idx = msg->state.num;
	vq->signalled_used_valid = false;
	return 0;
}

static bool vu_all_stopped(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vq[i].started)
			return false;
	return true;
}

static int vu_get_vring_base(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->state.index);
	bool was_started;

	if (!vq)
		return -EINVAL;
	was_started = vq->started;
	vu_vq_stop(dev, vq);
	if (vq->call_fd >= 0) {
		close(vq->call_fd);
		vq->call_fd = -1;
	}
	/* The device is being stopped (guest reset, shutdown): reset it. */
	if (was_started && vu_all_stopped(dev))
		dev->ops->reset(dev->opaque);
	msg->state.num = vq->last_avail;
	return vu_send_reply(dev, msg, sizeof(msg->state));
}

static int vu_take_fd(struct vu_msg *msg, int *fdp)
{
	if (msg->u64 & VU_VRING_NOFD) {
		*fdp = -1;
		return 0;
	}
	if (msg->nfds != 1)
		return -EINVAL;
	*fdp = msg->fds[0];
	msg->fds[0] = -1;
	return 0;
}

static int vu_set_vring_kick(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->u64);
	int fd, rc;

	if (!vq || vu_take_fd(msg, &fd))
		return -EINVAL;
	vu_vq_stop(dev, vq);
	vq->kick_fd = fd;
	if (fd >= 0) {
		rc = loop_add(fd, vu_kick_cb, vq);
		if (rc)
			return rc;
	} else {
		vlog_err("vhost-user: vring %u: polling mode not supported",
			 vq->idx);
	}
	vq->started = true;
	dev->ops->queue_kick(dev->opaque, vq->idx);
	return 0;
}

static int vu_set_vring_call(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->u64);
	int fd;

	if (!vq || vu_take_fd(msg, &fd))
		return -EINVAL;
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->call_fd = fd;
	vq->signalled_used_valid = false;
	return 0;
}

static int vu_set_vring_enable(struct vu_dev *dev, struct vu_msg *msg)
{
	struct virtq *vq = vu_msg_vq(dev, msg->state.index);

	if (!vq)
		return -EINVAL;
	vq->enabled = msg->state.num;
	if (vq->enabled)
		dev->ops->queue_kick(dev->opaque, vq->idx);
	return 0;
}

static int vu_get_config(struct vu_dev *dev, struct vu_msg *msg)
{
	struct vu_config *c = &msg->config;
	uint32_t hdr = offsetof(struct vu_config, data);

	if (msg->hdr.size < hdr || c->size > VU_CONFIG_MAX ||
	    dev->ops->get_config(dev->opaque, c->data, c->offset, c->size)) {
		/* A zero-sized reply tells the front-end we failed. */
		return vu_send_reply(dev, msg, 0);
	}
	return vu_send_reply(dev, msg, hdr + c->size);
}

static const char *vu_request_name(uint32_t req)
{
	static const char *const names[] = {
		[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
		[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
		[VHOST_USER_SET_OWNER] = "SET_OWNER",
		[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
		[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
		[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
		[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
		[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
		[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
		[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
		[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
		[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
		[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
		[VHOST_USER_SET_CONFIG] = "SET_CONFIG",
		[VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
	};

	if (req < sizeof(names) / sizeof(names[0]) && names[req])
		return names[req];
	return "?";
}

/*
 * Handle one request.  Returns 1 if a reply was already sent, 0 on
 * success without reply, -errno on failure.
 */
static int vu_dispatch(struct vu_dev *dev, struct vu_msg *msg)
{
	switch (msg->hdr.request) {
	case VHOST_USER_GET_FEATURES:
		return vu_reply_u64(dev, msg, vu_offered_features(dev)) ?: 1;
	case VHOST_USER_SET_FEATURES:
		return vu_set_features(dev, msg);
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		return vu_reply_u64(dev, msg, VU_PROTOCOL_FEATURES) ?: 1;
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		dev->protocol_features = msg->u64 & VU_PROTOCOL_FEATURES;
		return 0;
	case VHOST_USER_SET_OWNER:
		return 0;
	case VHOST_USER_RESET_OWNER:
	case VHOST_USER_RESET_DEVICE:
		vu_reset(dev);
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return vu_set_mem_table(dev, msg);
	case VHOST_USER_SET_VRING_NUM:
		return vu_set_vring_num(dev, msg);
	case VHOST_USER_SET_VRING_ADDR:
		return vu_set_vring_addr(dev, msg);
	case VHOST_USER_SET_VRING_BASE:
		return vu_set_vring_base(dev, msg);
	case VHOST_USER_GET_VRING_BASE:
		return vu_get_vring_base(dev, msg) ?: 1;
	case VHOST_USER_SET_VRING_KICK:
		return vu_set_vring_kick(dev, msg);
	case VHOST_USER_SET_VRING_CALL:
		return vu_set_vring_call(dev, msg);
	case VHOST_USER_SET_VRING_ERR:
		return 0;	/* fd closed by the caller; we never report errors */
	case VHOST_USER_GET_QUEUE_NUM:
		return vu_reply_u64(dev, msg, dev->nvqs) ?: 1;
	case VHOST_USER_SET_VRING_ENABLE:
		return vu_set_vring_enable(dev, msg);
	case VHOST_USER_GET_CONFIG:
		return vu_get_config(dev, msg) ?: 1;
	case VHOST_USER_SET_CONFIG:
		return 0;	/* the sound config space is read-only */
	default:
		vlog_err("vhost-user: unsupported request %u", msg->hdr.request);
		return -EOPNOTSUPP;
	}
}

/**
 * vu_disconnect() - Close the front-end connection and reset the device.
 * @dev: back-end.
 *
 * Without @persist, the back-end then exits.
 */
void vu_disconnect(struct vu_dev *dev)
{
	if (dev->conn_fd < 0)
		return;
	vlog_info("vhost-user: front-end disconnected");
	loop_del(dev->conn_fd);
	close(dev->conn_fd);
	dev->conn_fd = -1;
	vu_reset(dev);
	guest_mem_clear(&dev->mem);
	if (!dev->persist)
		loop_quit(0);
}

static void vu_conn_cb(int fd, unsigned int events, void *opaque)
{
	struct vu_dev *dev = opaque;
	static struct vu_msg msg;
	bool need_reply;
	int rc;

	(void)events;
	rc = vu_read_msg(fd, &msg);
	if (rc <= 0) {
		if (rc)
			vlog_err("vhost-user: read: %s", strerror(-rc));
		vu_disconnect(dev);
		return;
	}
	vlog_dbg("vhost-user: %s (%u) size %u fds %u",
		 vu_request_name(msg.hdr.request), msg.hdr.request,
		 msg.hdr.size, msg.nfds);
	need_reply = (msg.hdr.flags & VHOST_USER_FLAG_NEED_REPLY) &&
		     (dev->protocol_features &
		      (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	rc = vu_dispatch(dev, &msg);
	vu_close_fds(&msg);
	if (rc < 0)
		vlog_err("vhost-user: %s failed: %s",
			 vu_request_name(msg.hdr.request), strerror(-rc));
	if (need_reply && rc != 1)
		vu_reply_u64(dev, &msg, rc < 0);
}

static void vu_accept_cb(int fd, unsigned int events, void *opaque)
{
	struct vu_dev *dev = opaque;
	int conn;

	(void)events;
	conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		vlog_err("vhost-user: accept: %s", strerror(errno));
		return;
	}
	if (dev->conn_fd >= 0) {
		vlog_err("vhost-user: second front-end refused");
		close(conn);
		return;
	}
	dev->conn_fd = conn;
	if (loop_add(conn, vu_conn_cb, dev)) {
		close(conn);
		dev->conn_fd = -1;
		return;
	}
	vlog_info("vhost-user: front-end connected");
}

/**
 * vu_init() - Listen on a unix socket for the front-end.
 * @dev: back-end to initialize.
 * @path: socket path; created atomically (bound under a temporary name,
 *	listening, then renamed) so a front-end that sees the path can
 *	connect at once.
 * @nvqs: number of virtqueues.
 * @max_queue_size: largest vring size accepted.
 * @ops: device model.
 * @opaque: passed to @ops.
 *
 * Return: 0 or -errno.
 */
int vu_init(struct vu_dev *dev, const char *path, unsigned int nvqs,
	    unsigned int max_queue_size, const struct vu_dev_ops *ops,
	    void *opaque)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned int i;
	int rc;

	memset(dev, 0, sizeof(*dev));
	dev->conn_fd = -1;
	dev->nvqs = nvqs;
	dev->max_queue_size = max_queue_size;
	dev->ops = ops;
	dev->opaque = opaque;
	for (i = 0; i < nvqs; i++) {
		virtq_init(&dev->vq[i], i, &dev->mem);
		dev->vq[i].owner = dev;
	}

	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.tmp", path) >=
	    (int)sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	dev->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dev->listen_fd < 0)
		return -errno;
	unlink(sun.sun_path);
	if (bind(dev->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(dev->listen_fd, 1) || rename(sun.sun_path, path)) {
		rc = -errno;
		close(dev->listen_fd);
		return rc;
	}
	return loop_add(dev->listen_fd, vu_accept_cb, dev);
}
