// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing: a malicious device, reproducible from a seed.
 *
 * While on, each control request and each completed I/O message is hit
 * by a random fault (fault.h: status, short/long used length, delay,
 * drop, duplicated completion; control replies: random bytes and
 * boundary values in the payload, fill, strings without NUL; I/O:
 * latency_bytes, late rx writes) with probability 1/RATE, and the device
 * sends random events and notifications with nothing used.  The control
 * queue, the I/O queues and the events draw from three generators seeded
 * from the seed, so the control requests of a probe (always in the same
 * order) get the same faults whatever the I/O timing, unless a delayed
 * reply lands so close to the driver's timeout that timing decides.
 * fault_take() logs every hit; "fuzz off" logs the counts of the seed,
 * the exit report the totals.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_snd.h>

#include "fuzz.h"
#include "snd_dev.h"
#include "virtq.h"
#include "vlog.h"

/**
 * struct fuzz_counts - What the fuzzer did.
 * @seeds: seeds started.
 * @seen: messages it could have hit.
 * @ctl: control replies hit.
 * @io: I/O completions hit.
 * @events: random events sent.
 * @signals: notifications with nothing used.
 */
struct fuzz_counts {
	unsigned long seeds, seen, ctl, io, events, signals;
};

static struct {
	struct snd_dev *snd;
	bool on;
	uint64_t seed;
	uint32_t rate;
	uint64_t ctl_rng, io_rng, side_rng;
	struct fuzz_counts now, total;
} fz = { .ctl_rng = 1 };	/* (for "mutate" faults armed by hand) */

struct fuzz_pick {
	enum fault_action action;
	unsigned int weight;
};

/*
 * A duplicated completion breaks the queue for good (the driver's virtio
 * core stops using it until a reset), a dropped one costs a timeout:
 * both rare, so that a seed still reaches the faults after them.
 */
static const struct fuzz_pick ctl_picks[] = {
	{ FAULT_MUTATE, 16 }, { FAULT_FILL, 2 }, { FAULT_NOTERM, 2 },
	{ FAULT_STATUS, 8 }, { FAULT_SHORT, 4 }, { FAULT_LONG, 4 },
	{ FAULT_DELAY, 3 }, { FAULT_DROP, 1 }, { FAULT_DUP, 1 },
};

static const struct fuzz_pick io_picks[] = {
	{ FAULT_STATUS, 6 }, { FAULT_SHORT, 6 }, { FAULT_LONG, 6 },
	{ FAULT_LATENCY, 6 }, { FAULT_DELAY, 6 }, { FAULT_LATE, 4 },
	{ FAULT_DROP, 1 }, { FAULT_DUP, 1 },
};

/* values at the edges of the fields' types */
static const uint32_t fuzz_edges[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

#define FUZZ_NEDGES	(sizeof(fuzz_edges) / sizeof(fuzz_edges[0]))
#define FUZZ_MUTATE_MAX	64

/* splitmix64: small, and every seed (0 too) gives a full-period stream */
static uint64_t fuzz_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t fuzz_below(uint64_t *s, uint32_t n)
{
	return n ? fuzz_next(s) % n : 0;
}

/* a boundary value half the time, any 32-bit value otherwise */
static uint32_t fuzz_value(uint64_t *s)
{
	if (fuzz_below(s, 2))
		return fuzz_edges[fuzz_below(s, FUZZ_NEDGES)];
	return fuzz_next(s);
}

/* control requests whose reply carries a payload after the header */
static bool fuzz_has_payload(uint32_t code)
{
	switch (code) {
	case VIRTIO_SND_R_JACK_INFO:
	case VIRTIO_SND_R_PCM_INFO:
	case VIRTIO_SND_R_CHMAP_INFO:
	case VIRTIO_SND_R_CTL_INFO:
	case VIRTIO_SND_R_CTL_ENUM_ITEMS:
	case VIRTIO_SND_R_CTL_READ:
	case VIRTIO_SND_R_CTL_TLV_READ:
		return true;
	default:
		return false;
	}
}

static bool fuzz_applies(enum fault_kind kind, uint32_t code,
			 enum fault_action a)
{
	if (kind == FAULT_IO)
		return true;
	if (a == FAULT_NOTERM)
		return code == VIRTIO_SND_R_CTL_INFO ||
		       code == VIRTIO_SND_R_CTL_ENUM_ITEMS;
	if (a == FAULT_MUTATE || a == FAULT_FILL)
		return fuzz_has_payload(code);
	return true;
}

static enum fault_action fuzz_action(enum fault_kind kind, uint32_t code,
				     uint64_t *rng)
{
	const struct fuzz_pick *p = kind == FAULT_CTL ? ctl_picks : io_picks;
	size_t i, n = kind == FAULT_CTL ? sizeof(ctl_picks) / sizeof(p[0]) :
					  sizeof(io_picks) / sizeof(p[0]);
	uint32_t sum = 0, r;

	for (i = 0; i < n; i++)
		if (fuzz_applies(kind, code, p[i].action))
			sum += p[i].weight;
	r = fuzz_below(rng, sum);
	for (i = 0; i < n; i++) {
		if (!fuzz_applies(kind, code, p[i].action))
			continue;
		if (r < p[i].weight)
			break;
		r -= p[i].weight;
	}
	return p[i].action;
}

static uint32_t fuzz_arg(enum fault_kind kind, enum fault_action a,
			 uint64_t *rng)
{
	switch (a) {
	case FAULT_STATUS:
		/* OK too: a request not acted on and answered as if it had */
		return fuzz_below(rng, 5) ? VIRTIO_SND_S_OK + fuzz_below(rng, 4) :
					    fuzz_next(rng);
	case FAULT_SHORT:
	case FAULT_LONG:
		return fuzz_below(rng, 2) ? 1 + fuzz_below(rng, 8) : fuzz_value(rng);
	case FAULT_DELAY:
		/*
		 * control: around the driver's 1 s timeout; I/O: reordered.
		 * Never 0, which holds the message for good (fault_hold()).
		 */
		return 1 + (kind == FAULT_CTL ? fuzz_below(rng, 2500) : fuzz_below(rng, 100));
	case FAULT_LATE:
		return 50 + fuzz_below(rng, 400);
	case FAULT_LATENCY:
		return fuzz_value(rng);
	case FAULT_MUTATE:
		return 1 + fuzz_below(rng, 4);
	case FAULT_FILL:
		return fuzz_value(rng) & 0xff;
	default:
		return 0;
	}
}

/* Now and then an event of any kind, or a notification with nothing used. */
static void fuzz_side(void)
{
	static const uint32_t codes[] = {
		VIRTIO_SND_EVT_JACK_CONNECTED, VIRTIO_SND_EVT_JACK_DISCONNECTED,
		VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED, VIRTIO_SND_EVT_PCM_XRUN,
		VIRTIO_SND_EVT_CTL_NOTIFY,
	};
	uint64_t *rng = &fz.side_rng;
	uint32_t code, data;

	if (!fuzz_below(rng, fz.rate * 4)) {
		code = fuzz_below(rng, 6);
		code = code < 5 ? codes[code] : fuzz_next(rng);
		/* mostly ids that exist (control events: and a random mask) */
		if (fuzz_below(rng, 4)) {
			data = fuzz_below(rng, 4);
			if (code == VIRTIO_SND_EVT_CTL_NOTIFY)
				data |= (uint32_t)fuzz_next(rng) << 16;
		} else {
			data = fuzz_value(rng);
		}
		if (!snd_event_send(fz.snd, code, data))
			fz.now.events++;
	}
	if (!fuzz_below(rng, fz.rate * 8)) {
		virtq_signal(snd_vq(fz.snd, fuzz_below(rng, 4)));
		fz.now.signals++;
	}
}

/**
 * fuzz_take() - Does the fuzzer hit this message?
 * @kind: control request or I/O message.
 * @match: its request code or stream id.
 * @hit: the fault to apply, if any.
 *
 * Called by fault_take() for each message no armed fault hit.
 *
 * Return: true if @hit was filled.
 */
bool fuzz_take(enum fault_kind kind, uint32_t match, struct fault *hit)
{
	uint64_t *rng = kind == FAULT_CTL ? &fz.ctl_rng : &fz.io_rng;

	if (!fz.on)
		return false;
	fz.now.seen++;
	fuzz_side();
	if (fuzz_below(rng, fz.rate))
		return false;
	memset(hit, 0, sizeof(*hit));
	hit->kind = kind;
	hit->match = match;
	hit->action = fuzz_action(kind, match, rng);
	hit->arg = fuzz_arg(kind, hit->action, rng);
	if (kind == FAULT_CTL)
		fz.now.ctl++;
	else
		fz.now.io++;
	return true;
}

/**
 * fuzz_mutate() - Overwrite random places of a reply payload.
 * @iov: the device-writable segments.
 * @n: number of segments.
 * @from: first byte that may change.
 * @to: end of the bytes that may change.
 * @count: how many places (at most FUZZ_MUTATE_MAX): a random byte, or
 *	   a 32-bit value (a boundary value half the time) in an aligned
 *	   field.
 */
void fuzz_mutate(const struct iovec *iov, unsigned int n, size_t from,
		 size_t to, uint32_t count)
{
	uint64_t *rng = &fz.ctl_rng;
	uint32_t i, v;
	size_t off;

	for (i = 0; i < count && i < FUZZ_MUTATE_MAX && to > from; i++) {
		off = from + fuzz_below(rng, to - from);
		if (fuzz_below(rng, 2) && (off & ~(size_t)3) >= from &&
		    (off & ~(size_t)3) + 4 <= to) {
			v = htole32(fuzz_value(rng));
			iov_write(iov, n, off & ~(size_t)3, &v, sizeof(v));
		} else {
			uint8_t b = fuzz_next(rng);

			iov_write(iov, n, off, &b, 1);
		}
	}
}

static void fuzz_log(const char *what, const struct fuzz_counts *c)
{
	vlog_info("fuzz: %s: %lu messages, %lu hit (control %lu, I/O %lu), %lu events, %lu empty notifications",
		  what, c->seen, c->ctl + c->io, c->ctl, c->io, c->events,
		  c->signals);
}

/**
 * fuzz_start() - Start fuzzing (again) from a seed.
 * @snd: the device.
 * @seed: the seed.
 * @rate: hit one message in @rate (1: every one).
 */
void fuzz_start(struct snd_dev *snd, uint64_t seed, uint32_t rate)
{
	uint64_t s = seed;

	fuzz_stop();
	fz.snd = snd;
	fz.seed = seed;
	fz.rate = rate ? rate : 1;
	fz.ctl_rng = fuzz_next(&s);
	fz.io_rng = fuzz_next(&s);
	fz.side_rng = fuzz_next(&s);
	memset(&fz.now, 0, sizeof(fz.now));
	fz.now.seeds = 1;
	fz.on = true;
}

/**
 * fuzz_stop() - Stop fuzzing; log what the seed did.
 */
void fuzz_stop(void)
{
	char what[48];

	if (!fz.on)
		return;
	fz.on = false;
	snprintf(what, sizeof(what), "seed %llu", (unsigned long long)fz.seed);
	fuzz_log(what, &fz.now);
	fz.total.seeds += fz.now.seeds;
	fz.total.seen += fz.now.seen;
	fz.total.ctl += fz.now.ctl;
	fz.total.io += fz.now.io;
	fz.total.events += fz.now.events;
	fz.total.signals += fz.now.signals;
}

/**
 * fuzz_report() - Log the totals (exit report), if the fuzzer ever ran.
 */
void fuzz_report(void)
{
	char what[48];

	fuzz_stop();
	if (!fz.total.seeds)
		return;
	snprintf(what, sizeof(what), "total of %lu seeds", fz.total.seeds);
	fuzz_log(what, &fz.total);
}
