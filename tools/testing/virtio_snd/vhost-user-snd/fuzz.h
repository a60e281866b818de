/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzzing: from a seed, the device answers with random faults (fault.h)
 * and sends random events and notifications.  The FIFO's "fuzz SEED
 * RATE" starts it, "fuzz off" stops it.
 */
#ifndef VUS_FUZZ_H
#define VUS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "fault.h"

struct snd_dev;

#define FUZZ_RATE_MAX	(1u << 20)	/* fz.rate * 8 must not wrap */

void fuzz_start(struct snd_dev *snd, uint64_t seed, uint32_t rate);
void fuzz_stop(void);
bool fuzz_take(enum fault_kind kind, uint32_t match, struct fault *hit);
void fuzz_mutate(const struct iovec *iov, unsigned int n, size_t from,
		 size_t to, uint32_t count);
void fuzz_report(void);

#endif /* VUS_FUZZ_H */
