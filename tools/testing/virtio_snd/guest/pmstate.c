// SPDX-License-Identifier: GPL-2.0
/*
 * pmstate - hold a PCM in one state across a system suspend and check that
 * it recovers the way ALSA documents it.
 *
 *   pmstate DEVICE play|cap prepared|running|paused READYFILE
 *
 * Sets the stream up (S16_LE, 2 channels, 48 kHz, 10 periods of 100 ms), brings
 * it to the state, creates READYFILE and waits (60 s at most) for the
 * suspend to put it in SUSPENDED, keeping a running stream fed.  A second
 * of buffer, as a sound server keeps: a running stream must outlast both
 * this process's scheduling on a slow guest (a debug kernel under TCG,
 * four of us starting at once: with 80 ms the running capture stream
 * overran before the suspend, twice) and the freezing of user space, which
 * comes before ALSA suspends the stream.  Then it
 * recovers as an application must: snd_pcm_resume() (our driver offers no
 * RESUME: -ENOSYS) and else snd_pcm_prepare(), starts the stream and checks
 * that it moves for one second.  "# ..." lines explain, the last line is
 * "ok" (exit 0) or "FAIL: reason" (exit 1).
 */
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define RATE		48000
#define CHANNELS	2
#define PERIOD		4800	/* 100 ms */
#define PERIODS		10

static short buf[PERIOD * CHANNELS];

static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup(snd_pcm_t *h)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period = PERIOD, buffer = PERIOD * PERIODS;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	err = snd_pcm_hw_params_any(h, hw);
	if (!err)
		err = snd_pcm_hw_params_set_access(h, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
	if (!err)
		err = snd_pcm_hw_params_set_format(h, hw, SND_PCM_FORMAT_S16_LE);
	if (!err)
		err = snd_pcm_hw_params_set_channels(h, hw, CHANNELS);
	if (!err)
		err = snd_pcm_hw_params_set_rate(h, hw, RATE, 0);
	if (!err)
		err = snd_pcm_hw_params_set_period_size(h, hw, period, 0);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size_near(h, hw, &buffer);
	if (!err)
		err = snd_pcm_hw_params(h, hw);
	if (err)
		return err;
	/* we start the stream ourselves */
	err = snd_pcm_sw_params_current(h, sw);
	if (!err)
		err = snd_pcm_sw_params_set_start_threshold(h, sw, buffer * 2);
	if (!err)
		err = snd_pcm_sw_params(h, sw);
	return err;
}

/* Start: playback with a full buffer, capture empty. */
static int start(snd_pcm_t *h, bool play)
{
	int i, err;

	for (i = 0; play && i < PERIODS; i++) {
		err = snd_pcm_writei(h, buf, PERIOD);
		if (err < 0)
			return err;
	}
	return snd_pcm_start(h);
}

/* One period of I/O if there is room/data: keeps a running stream going. */
static int pump(snd_pcm_t *h, bool play)
{
	snd_pcm_sframes_t avail = snd_pcm_avail_update(h);

	if (avail < 0)
		return avail;
	if (avail < PERIOD)
		return 0;
	return play ? snd_pcm_writei(h, buf, PERIOD) : snd_pcm_readi(h, buf, PERIOD);
}

int main(int argc, char **argv)
{
	snd_pcm_t *h;
	snd_pcm_status_t *st;
	snd_pcm_state_t s;
	long long moved = 0;
	bool play;
	double t;
	FILE *f;
	int err;

	if (argc != 5) {
		fprintf(stderr, "usage: pmstate DEVICE play|cap prepared|running|paused READYFILE\n");
		return 2;
	}
	play = !strcmp(argv[2], "play");
	err = snd_pcm_open(&h, argv[1], play ? SND_PCM_STREAM_PLAYBACK :
			   SND_PCM_STREAM_CAPTURE, 0);
	if (err)
		return fail("open %s: %s", argv[1], snd_strerror(err));
	err = setup(h);
	if (!err)
		err = snd_pcm_prepare(h);
	if (err)
		return fail("setup: %s", snd_strerror(err));
	if (strcmp(argv[3], "prepared")) {
		err = start(h, play);
		if (err)
			return fail("start: %s", snd_strerror(err));
	}
	if (!strcmp(argv[3], "paused")) {
		err = snd_pcm_pause(h, 1);
		if (err)
			return fail("pause: %s", snd_strerror(err));
	}
	printf("# %s %s: %s\n", argv[1], argv[2],
	       snd_pcm_state_name(snd_pcm_state(h)));
	f = fopen(argv[4], "w");
	if (f)
		fclose(f);

	for (t = now(); (s = snd_pcm_state(h)) != SND_PCM_STATE_SUSPENDED;) {
		if (now() - t > 60)
			return fail("not suspended within 60 s (state %s)",
				    snd_pcm_state_name(s));
		if (s == SND_PCM_STATE_RUNNING) {
			err = pump(h, play);
			if (err < 0 && err != -ESTRPIPE)
				return fail("I/O before the suspend: %s",
					    snd_strerror(err));
		}
		usleep(5000);
	}
	printf("# suspended\n");

	err = snd_pcm_resume(h);
	printf("# resume: %s\n", err ? snd_strerror(err) : "ok");
	if (err) {
		err = snd_pcm_prepare(h);
		if (err)
			return fail("prepare after resume: %s", snd_strerror(err));
		err = start(h, play);
		if (err)
			return fail("start after resume: %s", snd_strerror(err));
	}

	snd_pcm_status_alloca(&st);
	for (t = now(); now() - t < 1;) {
		err = pump(h, play);
		if (err < 0)
			return fail("I/O after resume: %s", snd_strerror(err));
		moved += err;
		usleep(5000);
	}
	snd_pcm_status(h, st);
	printf("# after resume: %s, %lld frames moved in 1 s\n",
	       snd_pcm_state_name(snd_pcm_status_get_state(st)), moved);
	if (moved < RATE / 2)
		return fail("only %lld frames moved in 1 s after resume", moved);
	snd_pcm_drop(h);
	snd_pcm_close(h);
	printf("ok\n");
	return 0;
}
