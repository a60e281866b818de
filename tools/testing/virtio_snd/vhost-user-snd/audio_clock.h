/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Audio clock of one stream: when does the device finish playing (or
 * recording) the next message?  Real-time mode paces messages at the
 * stream's frame rate with a timerfd, optionally only on the ticks of a
 * coarser timer (QEMU's timer-period: messages complete in batches);
 * instant mode makes every message due at once (ring-throughput benchmarks).
 */
#ifndef VUS_AUDIO_CLOCK_H
#define VUS_AUDIO_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct audio_clock - Pacing state.
 * @tfd: timerfd (CLOCK_MONOTONIC) that fires when the next message is due.
 * @instant: complete messages as soon as they are available.
 * @rate: frame rate in Hz.
 * @anchor_ns: time of frame 0 of the current run.
 * @frames: frames consumed since @anchor_ns.
 */
struct audio_clock {
	int tfd;
	bool instant;
	uint32_t rate;
	uint64_t anchor_ns;
	uint64_t frames;
};

int aclock_init(struct audio_clock *clk, bool instant);
void aclock_set_tick(uint64_t tick_ns);
uint64_t aclock_now(void);
void aclock_start(struct audio_clock *clk, uint32_t rate);
void aclock_stop(struct audio_clock *clk);
uint64_t aclock_due(const struct audio_clock *clk, uint64_t frames);
void aclock_advance(struct audio_clock *clk, uint64_t frames);
void aclock_arm(struct audio_clock *clk, uint64_t due_ns);
void aclock_ack(struct audio_clock *clk);

#endif /* VUS_AUDIO_CLOCK_H */
