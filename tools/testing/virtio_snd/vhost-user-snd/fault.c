// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection.
 *
 * Syntax (config "[fault]" lines "fault = ..." and FIFO "fault ..."):
 *
 *   ctl CODE ACTION [ARG] [count=N] [skip=N]
 *   io  STREAM ACTION [ARG] [count=N] [skip=N]
 *
 * CODE is a request name (PCM_START, JACK_INFO, ...), a number, or "any";
 * STREAM a stream id or "any".  ACTION is status (ARG: OK, BAD_MSG,
 * NOT_SUPP, IO_ERR or a number), delay (ARG ms), drop, short (ARG bytes),
 * long (ARG bytes), fill (ARG byte value, ctl only), noterm (ctl only:
 * strings of CTL_INFO/CTL_ENUM_ITEMS replies fill their field, no NUL),
 * latency (ARG bytes, io only), late (ARG ms, io only), mutate (ARG random
 * places of the reply payload, ctl only) or dup (the completion twice).
 * count defaults to 1 (0: every match); skip to 0.
 *
 * Held messages (delay, drop) are completed by a timer or never; a queue
 * stop (device reset) drops them without completion.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <linux/virtio_snd.h>

#include "audio_clock.h"
#include "fault.h"
#include "fuzz.h"
#include "loop.h"
#include "snd_dev.h"
#include "vlog.h"

static struct fault faults[FAULT_MAX];
static unsigned int nfaults;

struct fault_held {
	struct fault_held *next;
	struct virtq *vq;
	struct vq_elem *elem;
	uint32_t len;
	size_t rewrite;
	struct audio_clock timer;	/* only its timerfd is used */
	bool timed;
};

static struct fault_held *held;

static const uint32_t fault_codes[] = {
	VIRTIO_SND_R_JACK_INFO, VIRTIO_SND_R_JACK_REMAP,
	VIRTIO_SND_R_PCM_INFO, VIRTIO_SND_R_PCM_SET_PARAMS,
	VIRTIO_SND_R_PCM_PREPARE, VIRTIO_SND_R_PCM_RELEASE,
	VIRTIO_SND_R_PCM_START, VIRTIO_SND_R_PCM_STOP,
	VIRTIO_SND_R_CHMAP_INFO, VIRTIO_SND_R_CTL_INFO,
	VIRTIO_SND_R_CTL_ENUM_ITEMS, VIRTIO_SND_R_CTL_READ,
	VIRTIO_SND_R_CTL_WRITE, VIRTIO_SND_R_CTL_TLV_READ,
	VIRTIO_SND_R_CTL_TLV_WRITE, VIRTIO_SND_R_CTL_TLV_COMMAND,
};

static const struct {
	const char *name;
	enum fault_action action;
	bool has_arg;
} fault_actions[] = {
	{ "status", FAULT_STATUS, true },
	{ "delay", FAULT_DELAY, true },
	{ "drop", FAULT_DROP, false },
	{ "short", FAULT_SHORT, true },
	{ "long", FAULT_LONG, true },
	{ "fill", FAULT_FILL, true },
	{ "latency", FAULT_LATENCY, true },
	{ "noterm", FAULT_NOTERM, false },
	{ "late", FAULT_LATE, true },
	{ "mutate", FAULT_MUTATE, true },
	{ "dup", FAULT_DUP, false },
};

static const char *fault_action_name(enum fault_action a)
{
	unsigned int i;

	for (i = 0; i < sizeof(fault_actions) / sizeof(fault_actions[0]); i++)
		if (fault_actions[i].action == a)
			return fault_actions[i].name;
	return "?";
}

static int fault_num(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

static int fault_code(const char *s, uint32_t *v)
{
	unsigned int i;

	if (!strcasecmp(s, "any")) {
		*v = FAULT_ANY;
		return 0;
	}
	for (i = 0; i < sizeof(fault_codes) / sizeof(fault_codes[0]); i++) {
		const char *name = snd_code_name(fault_codes[i]);

		if (!strcasecmp(s, name) ||
		    (!strncmp(name, "PCM_", 4) && !strcasecmp(s, name + 4))) {
			*v = fault_codes[i];
			return 0;
		}
	}
	return fault_num(s, v);
}

static int fault_status(const char *s, uint32_t *v)
{
	static const char *const names[] = { "OK", "BAD_MSG", "NOT_SUPP", "IO_ERR" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i])) {
			*v = VIRTIO_SND_S_OK + i;
			return 0;
		}
	return fault_num(s, v);
}

/**
 * fault_parse() - Parse a fault from words.
 * @argv: words, starting with "ctl" or "io".
 * @argc: number of words.
 * @f: result.
 *
 * Return: 0 or -EINVAL.
 */
int fault_parse(char **argv, int argc, struct fault *f)
{
	unsigned int i;
	int a = 3;

	memset(f, 0, sizeof(*f));
	f->count = 1;
	if (argc < 3)
		return -EINVAL;
	if (!strcmp(argv[0], "ctl")) {
		f->kind = FAULT_CTL;
		if (fault_code(argv[1], &f->match))
			return -EINVAL;
	} else if (!strcmp(argv[0], "io")) {
		f->kind = FAULT_IO;
		f->match = FAULT_ANY;
		if (strcasecmp(argv[1], "any") && fault_num(argv[1], &f->match))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	for (i = 0; i < sizeof(fault_actions) / sizeof(fault_actions[0]); i++)
		if (!strcmp(argv[2], fault_actions[i].name))
			break;
	if (i == sizeof(fault_actions) / sizeof(fault_actions[0]))
		return -EINVAL;
	f->action = fault_actions[i].action;
	if (fault_actions[i].has_arg) {
		if (argc < 4)
			return -EINVAL;
		if (f->action == FAULT_STATUS ? fault_status(argv[3], &f->arg) :
		    fault_num(argv[3], &f->arg))
			return -EINVAL;
		a = 4;
	}
	for (; a < argc; a++) {
		if (!strncmp(argv[a], "count=", 6)) {
			if (fault_num(argv[a] + 6, &f->count))
				return -EINVAL;
		} else if (!strncmp(argv[a], "skip=", 5)) {
			if (fault_num(argv[a] + 5, &f->skip))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * fault_add() - Arm a fault.
 * @f: fault.
 *
 * Return: 0, or -ENOSPC if FAULT_MAX faults are armed.
 */
int fault_add(const struct fault *f)
{
	unsigned int i;

	for (i = 0; i < nfaults; i++)
		if (faults[i].count == UINT32_MAX)	/* spent slot */
			break;
	if (i == nfaults) {
		if (nfaults == FAULT_MAX)
			return -ENOSPC;
		nfaults++;
	}
	faults[i] = *f;
	if (!faults[i].count)
		faults[i].count = UINT32_MAX - 1;	/* practically forever */
	return 0;
}

/**
 * fault_clear() - Disarm every fault.
 */
void fault_clear(void)
{
	nfaults = 0;
}

/**
 * fault_take() - Does an armed fault hit this message?
 * @kind: control request or I/O message.
 * @match: its request code or stream id.
 * @hit: the fault that hit, if any.
 *
 * Each call is one matching message: it consumes a skip or a count.
 * With no armed fault for it, the fuzzer (fuzz.h) may hit it.
 *
 * Return: true if @hit was filled.
 */
bool fault_take(enum fault_kind kind, uint32_t match, struct fault *hit)
{
	unsigned int i;

	for (i = 0; i < nfaults; i++) {
		struct fault *f = &faults[i];

		if (f->count == UINT32_MAX || f->kind != kind ||
		    (f->match != FAULT_ANY && f->match != match))
			continue;
		if (f->skip) {
			f->skip--;
			continue;
		}
		*hit = *f;
		if (--f->count == 0)
			f->count = UINT32_MAX;
		break;
	}
	if (i == nfaults && !fuzz_take(kind, match, hit))
		return false;
	vlog_info("%s: %s %u: %s %u", i == nfaults ? "fuzz" : "fault",
		  kind == FAULT_CTL ? "ctl" : "io", match,
		  fault_action_name(hit->action), hit->arg);
	return true;
}

static void fault_unlink(struct fault_held *h)
{
	struct fault_held **pp;

	for (pp = &held; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	if (h->timed) {
		loop_del(h->timer.tfd);
		close(h->timer.tfd);
	}
	free(h);
}

static void fault_held_cb(int fd, unsigned int events, void *opaque)
{
	struct fault_held *h = opaque;
	struct virtq *vq = h->vq;

	/* a late DMA: the device writes into the buffer only now */
	if (h->rewrite) {
		uint8_t *buf = malloc(h->rewrite);

		if (buf) {
			memset(buf, FAULT_LATE_BYTE, h->rewrite);
			iov_write(h->elem->in, h->elem->n_in, 0, buf,
				  h->rewrite);
			free(buf);
			vlog_info("fault: late write of %zu bytes", h->rewrite);
		} else {
			vlog_err("fault: late write of %zu bytes: no memory",
				 h->rewrite);
		}
	}
	virtq_push(vq, h->elem, h->len);
	virtq_notify(vq);
	fault_unlink(h);
}

/**
 * fault_hold() - Complete a message later, or never.
 * @vq: its queue.
 * @e: the message.
 * @len: used length to report when it completes.
 * @delay_ms: delay; 0 holds it until the queue stops.
 * @rewrite: device-writable bytes (from the start) to write again, with
 *	     FAULT_LATE_BYTE, when it completes; 0 for none.
 */
void fault_hold(struct virtq *vq, struct vq_elem *e, uint32_t len,
		uint32_t delay_ms, size_t rewrite)
{
	struct fault_held *h = calloc(1, sizeof(*h));

	if (!h) {
		virtq_push(vq, e, len);
		return;
	}
	h->vq = vq;
	h->elem = e;
	h->len = len;
	h->rewrite = rewrite;
	if (delay_ms && !aclock_init(&h->timer, false)) {
		h->timed = true;
		aclock_arm(&h->timer, aclock_now() + delay_ms * 1000000ULL);
		loop_add(h->timer.tfd, fault_held_cb, h);
	}
	h->next = held;
	held = h;
}

/**
 * fault_drop_held() - The queue stopped: forget its held messages.
 * @vq: queue.
 */
void fault_drop_held(struct virtq *vq)
{
	struct fault_held *h = held, *next;

	for (; h; h = next) {
		next = h->next;
		if (h->vq == vq) {
			virtq_discard(vq, h->elem);
			fault_unlink(h);
		}
	}
}
