// SPDX-License-Identifier: GPL-2.0
/*
 * Audio clock: frame position to wall-clock time.
 *
 * Due times are computed from the anchor and the total frame count, not
 * added up message by message, so rounding never accumulates into drift.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio_clock.h"
#include "vlog.h"

#define NSEC_PER_SEC 1000000000ULL

/* real-time clocks complete messages only on these ticks (0: exact) */
static uint64_t aclock_tick_ns;

/**
 * aclock_set_tick() - Let every real-time clock complete only on ticks.
 * @tick_ns: tick period, counted from each run's start; 0: no ticks.
 *
 * A device with a periodic audio timer (QEMU's 10 ms) returns all the
 * messages a tick has consumed at once.
 */
void aclock_set_tick(uint64_t tick_ns)
{
	aclock_tick_ns = tick_ns;
}

/**
 * aclock_init() - Create the timer of a clock.
 * @clk: clock.
 * @instant: instant mode.
 *
 * Return: 0 or -errno.
 */
int aclock_init(struct audio_clock *clk, bool instant)
{
	memset(clk, 0, sizeof(*clk));
	clk->instant = instant;
	clk->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return clk->tfd < 0 ? -errno : 0;
}

uint64_t aclock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/**
 * aclock_start() - Start a run: frame 0 is now.
 * @clk: clock.
 * @rate: frame rate in Hz.
 */
void aclock_start(struct audio_clock *clk, uint32_t rate)
{
	clk->rate = rate;
	clk->anchor_ns = aclock_now();
	clk->frames = 0;
}

/**
 * aclock_stop() - Disarm the timer.
 * @clk: clock.
 */
void aclock_stop(struct audio_clock *clk)
{
	aclock_arm(clk, 0);
}

/**
 * aclock_due() - When will @frames more frames have been consumed?
 * @clk: running clock.
 * @frames: frames after the current position.
 *
 * Return: CLOCK_MONOTONIC time in ns (0 in instant mode: due now).
 */
uint64_t aclock_due(const struct audio_clock *clk, uint64_t frames)
{
	uint64_t t;

	if (clk->instant || !clk->rate)
		return 0;
	t = (clk->frames + frames) * NSEC_PER_SEC / clk->rate;
	if (aclock_tick_ns)
		t = (t + aclock_tick_ns - 1) / aclock_tick_ns * aclock_tick_ns;
	return clk->anchor_ns + t;
}

void aclock_advance(struct audio_clock *clk, uint64_t frames)
{
	clk->frames += frames;
}

/**
 * aclock_arm() - Make the timerfd fire at @due_ns.
 * @clk: clock.
 * @due_ns: absolute CLOCK_MONOTONIC time; 0 disarms.
 */
void aclock_arm(struct audio_clock *clk, uint64_t due_ns)
{
	struct itimerspec its = { 0 };

	if (due_ns) {
		its.it_value.tv_sec = due_ns / NSEC_PER_SEC;
		its.it_value.tv_nsec = due_ns % NSEC_PER_SEC;
	}
	if (timerfd_settime(clk->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		vlog_err("timerfd_settime: %s", strerror(errno));
}

/**
 * aclock_ack() - Consume the expiration count of the timerfd.
 * @clk: clock.
 */
void aclock_ack(struct audio_clock *clk)
{
	uint64_t n;

	if (read(clk->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		vlog_err("timerfd read: %s", strerror(errno));
}
