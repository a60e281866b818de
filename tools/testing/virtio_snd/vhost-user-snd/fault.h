/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection: make the device misbehave on purpose, per control
 * request code or per stream's I/O messages, from the config file
 * ([fault] section) or the command FIFO ("fault ..." lines).
 */
#ifndef VUS_FAULT_H
#define VUS_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "virtq.h"

#define FAULT_ANY	UINT32_MAX
#define FAULT_MAX	32

enum fault_kind {
	FAULT_CTL,	/* match: request code */
	FAULT_IO,	/* match: stream id */
};

enum fault_action {
	FAULT_STATUS,	/* answer with status ARG (ctl: request not acted on) */
	FAULT_DELAY,	/* complete ARG ms late */
	FAULT_DROP,	/* never complete (ctl: request not acted on) */
	FAULT_SHORT,	/* used length ARG bytes shorter than written */
	FAULT_LONG,	/* used length ARG bytes longer than written */
	FAULT_FILL,	/* ctl: overwrite the reply payload with byte ARG */
	FAULT_LATENCY,	/* io: latency_bytes = ARG */
	FAULT_NOTERM,	/* ctl: CTL_INFO names / ENUM_ITEMS items without NUL */
	FAULT_LATE,	/* io: complete ARG ms late, writing the rx payload again */
	FAULT_MUTATE,	/* ctl: ARG random bytes or 32-bit fields of the payload */
	FAULT_DUP,	/* complete, then put the same id in the used ring again */
};

#define FAULT_LATE_BYTE	0xa5	/* what FAULT_LATE writes */

/**
 * struct fault - One armed fault.
 * @kind: control request or I/O message.
 * @match: request code or stream id, or FAULT_ANY.
 * @action: what to do.
 * @arg: action argument.
 * @count: how many matching messages it hits (0: all).
 * @skip: matching messages to let through before the first hit.
 */
struct fault {
	enum fault_kind kind;
	uint32_t match;
	enum fault_action action;
	uint32_t arg;
	uint32_t count;
	uint32_t skip;
};

/* a used length @by bytes longer, UINT32_MAX at most (no wrap to shorter) */
static inline uint32_t fault_longer(uint32_t used, uint32_t by)
{
	return by > UINT32_MAX - used ? UINT32_MAX : used + by;
}

int fault_parse(char **argv, int argc, struct fault *f);
int fault_add(const struct fault *f);
void fault_clear(void);
bool fault_take(enum fault_kind kind, uint32_t match, struct fault *hit);
void fault_hold(struct virtq *vq, struct vq_elem *e, uint32_t len,
		uint32_t delay_ms, size_t rewrite);
void fault_drop_held(struct virtq *vq);

#endif /* VUS_FAULT_H */
