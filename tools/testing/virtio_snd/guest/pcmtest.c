// SPDX-License-Identifier: GPL-2.0
/*
 * pcmtest - drive an ALSA PCM through its state machine in real time and
 * check what really happened: return codes, snd_pcm_state(), positions,
 * timestamps and wall time against frames.
 *
 * One subcommand per scenario; state.sh runs them in the guest.  Output is
 * "# ..." diagnostic lines, then on failure a last line "FAIL: <reason>"
 * (exit 1), or "SKIP: <reason>" (exit 4) when the driver does not offer the
 * configuration at all.  Exit 0 means every check held.
 */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define EXIT_FAIL	1
#define EXIT_SKIP	4

/* Loose real-time bounds: wall time per second of audio (stall/overrun detector). */
#define RT_MIN		0.8
#define RT_MAX		1.5

struct opts {
	const char *dev;
	snd_pcm_stream_t stream;
	bool both;			/* alternate playback and capture */
	bool mmap;
	unsigned int rate;
	unsigned int channels;
	snd_pcm_format_t format;
	unsigned int period_us;
	unsigned int periods;		/* 0: test 2..max (periods), else exact */
	double secs;
	unsigned int partial;		/* drain: extra frames after full periods */
	unsigned int count;		/* iterations */
	unsigned int min_buffer_ms;	/* periods: the smallest buffer offered */
	unsigned int headroom_ms;	/* periods: xruns under it are the host's */
	unsigned int tick_ms;		/* drain: the device's timer period */
	bool timer;			/* sleep a quarter period instead of poll */
	bool no_wakeup;			/* period wakeups off (implies timer) */
};

struct pcm {
	snd_pcm_t *h;
	const struct opts *o;
	snd_pcm_stream_t stream;
	snd_pcm_uframes_t period;
	snd_pcm_uframes_t buffer;
	size_t fbytes;
	char *data;			/* one buffer of samples for RW transfers */
	long long xfer;			/* frames written or read by us */
	long long base;			/* xfer at the last prepare */
	bool can_pause;
};

static struct opts opt = {
	.stream = SND_PCM_STREAM_PLAYBACK,
	.rate = 48000,
	.channels = 2,
	.format = SND_PCM_FORMAT_S16_LE,
	.period_us = 20000,
	.periods = 8,		/* 160 ms: room for a loaded TCG host */
	.secs = 1.0,
	.count = 1,
	.tick_ms = 10,		/* QEMU's audio timer */
};

static char fail_msg[512];

/* run(), play_once(): an xrun in a buffer under -H, not counted against the driver */
#define RUN_HOST_XRUN	2

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

/* Record the first failure reason; later ones only go to the log. */
static int fail(const char *fmt, ...)
{
	char msg[sizeof(fail_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!fail_msg[0])
		snprintf(fail_msg, sizeof(fail_msg), "%s", msg);
	note("error: %s", msg);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const char *sname(snd_pcm_stream_t s)
{
	return s == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture";
}

static const char *state_name(snd_pcm_state_t s)
{
	return snd_pcm_state_name(s) ? snd_pcm_state_name(s) : "?";
}

static int expect_state(struct pcm *p, snd_pcm_state_t want, const char *when)
{
	snd_pcm_state_t s = snd_pcm_state(p->h);

	if (s == want)
		return 0;
	return fail("%s: state %s after %s, expected %s", sname(p->stream),
		    state_name(s), when, state_name(want));
}

/*
 * Open and configure a PCM.  Returns 0, -1 on failure (recorded), or 1 when
 * the driver does not advertise the requested configuration (a clean skip).
 * With @quiet, failures are not recorded (used where refusal is expected).
 */
static int pcm_open(struct pcm *p, const struct opts *o, snd_pcm_stream_t stream,
		    int mode)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period;
	unsigned int rate = o->rate;
	int rc;

	memset(p, 0, sizeof(*p));
	p->o = o;
	p->stream = stream;
	rc = snd_pcm_open(&p->h, o->dev, stream, mode);
	if (rc < 0) {
		p->h = NULL;
		return fail("open %s %s: %s", o->dev, sname(stream), snd_strerror(rc));
	}
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_hw_params_any(p->h, hw);
	/* Exactly what the driver offers: no alsa-lib resampling. */
	snd_pcm_hw_params_set_rate_resample(p->h, hw, 0);

	rc = snd_pcm_hw_params_set_access(p->h, hw, o->mmap ?
					  SND_PCM_ACCESS_MMAP_INTERLEAVED :
					  SND_PCM_ACCESS_RW_INTERLEAVED);
	if (rc < 0)
		return fail("access %s not offered: %s", o->mmap ? "MMAP" : "RW",
			    snd_strerror(rc));
	rc = snd_pcm_hw_params_set_format(p->h, hw, o->format);
	if (rc < 0)
		return fail("format %s not offered", snd_pcm_format_name(o->format));
	rc = snd_pcm_hw_params_set_channels(p->h, hw, o->channels);
	if (rc < 0)
		return fail("%u channels not offered", o->channels);
	rc = snd_pcm_hw_params_set_rate(p->h, hw, rate, 0);
	if (rc < 0) {
		unsigned int lo = 0, hi = 0;
		int dir = 0;

		snd_pcm_hw_params_get_rate_min(hw, &lo, &dir);
		snd_pcm_hw_params_get_rate_max(hw, &hi, &dir);
		return fail("rate %u not offered (driver offers %u..%u)", rate, lo, hi);
	}
	period = (snd_pcm_uframes_t)((unsigned long long)rate * o->period_us / 1000000);
	if (snd_pcm_hw_params_test_period_size(p->h, hw, period, 0) < 0) {
		snd_pcm_uframes_t lo = 0, hi = 0;
		int dir = 0;

		snd_pcm_hw_params_get_period_size_min(hw, &lo, &dir);
		snd_pcm_hw_params_get_period_size_max(hw, &hi, &dir);
		note("period %lu frames (%u us) not advertised (driver offers %lu..%lu frames)",
		     period, o->period_us, lo, hi);
		return 1;
	}
	snd_pcm_hw_params_set_period_size(p->h, hw, period, 0);
	if (o->periods) {
		if (snd_pcm_hw_params_test_periods(p->h, hw, o->periods, 0) < 0) {
			unsigned int lo = 0, hi = 0;
			int dir = 0;

			snd_pcm_hw_params_get_periods_min(hw, &lo, &dir);
			snd_pcm_hw_params_get_periods_max(hw, &hi, &dir);
			note("%u periods of %lu frames not advertised (driver offers %u..%u)",
			     o->periods, period, lo, hi);
			return 1;
		}
		snd_pcm_hw_params_set_periods(p->h, hw, o->periods, 0);
	}
	if (o->no_wakeup) {
		if (!snd_pcm_hw_params_can_disable_period_wakeup(hw))
			return fail("the driver cannot disable period wakeups");
		rc = snd_pcm_hw_params_set_period_wakeup(p->h, hw, 0);
		if (rc < 0)
			return fail("disabling period wakeups: %s", snd_strerror(rc));
	}
	/* The driver advertised this configuration: it must now accept it. */
	rc = snd_pcm_hw_params(p->h, hw);
	if (rc < 0)
		return fail("hw_params refused an advertised configuration: %s",
			    snd_strerror(rc));
	snd_pcm_hw_params_get_period_size(hw, &p->period, NULL);
	snd_pcm_hw_params_get_buffer_size(hw, &p->buffer);
	p->can_pause = snd_pcm_hw_params_can_pause(hw);
	if (p->period != period)
		return fail("hw_params set period %lu, asked for %lu", p->period, period);

	snd_pcm_sw_params_current(p->h, sw);
	/* We start explicitly; stop only on a real xrun. */
	snd_pcm_sw_params_set_start_threshold(p->h, sw, p->buffer * 2);
	snd_pcm_sw_params_set_stop_threshold(p->h, sw, p->buffer);
	snd_pcm_sw_params_set_avail_min(p->h, sw, p->period);
	snd_pcm_sw_params_set_tstamp_mode(p->h, sw, SND_PCM_TSTAMP_ENABLE);
	snd_pcm_sw_params_set_tstamp_type(p->h, sw, SND_PCM_TSTAMP_TYPE_MONOTONIC);
	rc = snd_pcm_sw_params(p->h, sw);
	if (rc < 0)
		return fail("sw_params: %s", snd_strerror(rc));

	p->fbytes = snd_pcm_frames_to_bytes(p->h, 1);
	p->data = malloc(p->buffer * p->fbytes);
	if (!p->data)
		return fail("out of memory");
	/* Any non-silent content will do: bit-exactness is tested elsewhere. */
	snd_pcm_format_set_silence(o->format, p->data, p->buffer * o->channels);
	if (o->format == SND_PCM_FORMAT_S16_LE) {
		short *s = (short *)p->data;
		snd_pcm_uframes_t i;

		for (i = 0; i < p->buffer * o->channels; i++)
			s[i] = (short)((i * 37) % 2000 - 1000);
	}
	return 0;
}

static void pcm_close(struct pcm *p)
{
	if (p->h)
		snd_pcm_close(p->h);
	p->h = NULL;
	free(p->data);
	p->data = NULL;
}

static void describe(struct pcm *p)
{
	note("%s %s %s %u Hz %u ch %s, period %lu frames (%.1f ms) x %lu, %s",
	     p->o->dev, sname(p->stream), snd_pcm_format_name(p->o->format),
	     p->o->rate, p->o->channels, p->o->mmap ? "MMAP" : "RW", p->period,
	     p->period * 1000.0 / p->o->rate, p->buffer / p->period,
	     snd_pcm_type_name(snd_pcm_type(p->h)));
}

/* Move up to @frames frames; returns frames moved or a negative errno. */
static snd_pcm_sframes_t transfer(struct pcm *p, snd_pcm_uframes_t frames)
{
	snd_pcm_sframes_t rc;

	if (frames > p->buffer)
		frames = p->buffer;
	if (!p->o->mmap) {
		if (p->stream == SND_PCM_STREAM_PLAYBACK)
			rc = snd_pcm_writei(p->h, p->data, frames);
		else
			rc = snd_pcm_readi(p->h, p->data, frames);
	} else {
		const snd_pcm_channel_area_t *areas;
		snd_pcm_uframes_t off, n = frames;

		rc = snd_pcm_avail_update(p->h);
		if (rc < 0)
			return rc;
		if ((snd_pcm_uframes_t)rc < n)
			n = rc;
		if (!n)
			return -EAGAIN;
		rc = snd_pcm_mmap_begin(p->h, &areas, &off, &n);
		if (rc < 0)
			return rc;
		if (p->stream == SND_PCM_STREAM_PLAYBACK)
			memcpy((char *)areas[0].addr + off * p->fbytes, p->data,
			       n * p->fbytes);
		else
			memcpy(p->data, (char *)areas[0].addr + off * p->fbytes,
			       n * p->fbytes);
		rc = snd_pcm_mmap_commit(p->h, off, n);
	}
	if (rc > 0)
		p->xfer += rc;
	return rc;
}

/*
 * Wait for room (or data): poll the PCM, or sleep a quarter period as a
 * timer-driven sound server does (with period wakeups off, poll has
 * nothing to wake it).  Returns as snd_pcm_wait().
 */
static int wait_room(struct pcm *p, int timeout_ms)
{
	unsigned int ms = p->period * 250 / p->o->rate;

	if (!p->o->timer)
		return snd_pcm_wait(p->h, timeout_ms);
	sleep_ms(ms ? ms : 1);
	return 1;
}

/* Write a full buffer before start (playback only). */
static int prefill(struct pcm *p)
{
	snd_pcm_uframes_t left = p->buffer;
	snd_pcm_sframes_t rc;

	if (p->stream != SND_PCM_STREAM_PLAYBACK)
		return 0;
	while (left) {
		rc = transfer(p, left);
		if (rc < 0)
			return fail("prefill: %s", snd_strerror(rc));
		if (!rc)
			return fail("prefill: no space in a prepared buffer");
		left -= rc;
	}
	return 0;
}

/*
 * Device position in frames since the last prepare, derived from avail: for
 * playback what the device has consumed, for capture what it has produced.
 */
static int position_delay(struct pcm *p, long long *pos, snd_pcm_state_t *state,
			  snd_htimestamp_t *ts, long long *delay)
{
	snd_pcm_status_t *st;
	long long avail;
	int rc;

	snd_pcm_status_alloca(&st);
	rc = snd_pcm_status(p->h, st);
	if (rc < 0)
		return rc;
	avail = snd_pcm_status_get_avail(st);
	if (state)
		*state = snd_pcm_status_get_state(st);
	if (ts)
		snd_pcm_status_get_htstamp(st, ts);
	if (delay)
		*delay = snd_pcm_status_get_delay(st);
	if (p->stream == SND_PCM_STREAM_PLAYBACK)
		*pos = p->xfer - p->base - ((long long)p->buffer - avail);
	else
		*pos = p->xfer - p->base + avail;
	return 0;
}

static int position(struct pcm *p, long long *pos, snd_pcm_state_t *state,
		    snd_htimestamp_t *ts)
{
	return position_delay(p, pos, state, ts, NULL);
}

static int start(struct pcm *p)
{
	int rc;

	if (prefill(p))
		return -1;
	rc = snd_pcm_start(p->h);
	if (rc < 0)
		return fail("%s start: %s", sname(p->stream), snd_strerror(rc));
	return expect_state(p, SND_PCM_STATE_RUNNING, "start");
}

static int prepare(struct pcm *p)
{
	long long pos;
	int rc;

	rc = snd_pcm_prepare(p->h);
	if (rc < 0)
		return fail("%s prepare: %s", sname(p->stream), snd_strerror(rc));
	p->base = p->xfer;
	if (expect_state(p, SND_PCM_STATE_PREPARED, "prepare"))
		return -1;
	rc = position(p, &pos, NULL, NULL);
	if (rc < 0)
		return fail("status: %s", snd_strerror(rc));
	if (pos)
		return fail("%s position %lld after prepare, expected 0", sname(p->stream), pos);
	return 0;
}

static double ts_sec(const snd_htimestamp_t *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

/*
 * A guest without real time (TCG on a shared host) can lose its vCPUs, and
 * QEMU its main loop, for tens of ms.  QEMU's audio then catches up and
 * returns a whole small buffer in one go, which an honest driver must
 * report as the xrun it is.  Under -H ms of buffer that is the host's
 * doing, not the driver's; at or above it every xrun fails.
 */
static bool host_xrun(const struct pcm *p)
{
	return 1000.0 * p->buffer / p->o->rate < p->o->headroom_ms;
}

/*
 * Keep a running stream fed (or drained) for @secs of audio and check it:
 * no xrun (RUN_HOST_XRUN if host_xrun()), position monotonic and within the
 * buffer, timestamps monotonic, no stall longer than max(1 s, 3 periods),
 * wall time per audio second within [RT_MIN, RT_MAX] (when @check_rate)
 * measured between the first and last position change, delay consistent
 * with the buffer fill.
 */
static int run(struct pcm *p, double secs, bool check_rate)
{
	unsigned int rate = p->o->rate;
	long long target, pos, pos0, last = -1, first_pos = -1, delay, held;
	double t0 = now(), t, t_first = 0, t_last = 0, t_move = t0, t_xfer = t0;
	double stall = 3.0 * p->period / rate;
	double prev_ts = 0;
	snd_htimestamp_t ts;
	snd_pcm_state_t state;
	int rc, moves = 0, timeouts = 0, empty = 0;
	long long max_jump = 0;
	double max_gap = 0;

	if (stall < 1.0)
		stall = 1.0;
	rc = position(p, &pos0, NULL, NULL);
	if (rc < 0)
		return fail("status: %s", snd_strerror(rc));
	target = pos0 + (long long)(secs * rate);
	if (target - pos0 < (long long)p->period * 3)
		target = pos0 + p->period * 3;

	for (;;) {
		rc = position_delay(p, &pos, &state, &ts, &delay);
		t = now();
		if (rc < 0)
			return fail("status: %s", snd_strerror(rc));
		/*
		 * delay: playback = queued frames, less what the device played
		 * of them since the pointer last moved, + device latency;
		 * capture = captured-but-unread frames, + what the device
		 * recorded since, + latency.  Never negative, and a device
		 * cannot hold more than a buffer on top.
		 */
		held = p->stream == SND_PCM_STREAM_PLAYBACK ?
		       p->xfer - p->base - pos : pos - (p->xfer - p->base);
		if (state == SND_PCM_STATE_RUNNING &&
		    (delay < (p->stream == SND_PCM_STREAM_PLAYBACK ? 0 : held) ||
		     delay > held + (long long)p->buffer))
			return fail("%s: delay %lld frames with %lld frames in the buffer",
				    sname(p->stream), delay, held);
		/*
		 * The app side is on time if it transferred within the last
		 * buffer time; wakeup timeouts while running hint at missed
		 * period-elapsed notifications.
		 */
		if (state == SND_PCM_STATE_XRUN && host_xrun(p)) {
			snprintf(fail_msg, sizeof(fail_msg),
				 "%s: xrun at %.3f s of audio, %.0f ms after the last transfer and %.0f ms after the last position change (buffer %.0f ms)",
				 sname(p->stream), (double)pos / rate,
				 (t - t_xfer) * 1000, (t - t_move) * 1000,
				 1000.0 * p->buffer / rate);
			return RUN_HOST_XRUN;
		}
		if (state == SND_PCM_STATE_XRUN)
			return fail("%s: unexpected xrun at %.3f s of audio (%.3f s wall; last transfer %.0f ms before, %d empty transfers, %d poll timeouts)",
				    sname(p->stream), (double)pos / rate, t - t0,
				    (t - t_xfer) * 1000, empty, timeouts);
		if (state != SND_PCM_STATE_RUNNING)
			return fail("%s: state %s while streaming", sname(p->stream),
				    state_name(state));
		if (pos < last)
			return fail("position went back from %lld to %lld", last, pos);
		if (pos - (p->xfer - p->base) > (long long)p->buffer ||
		    (p->xfer - p->base) - pos > (long long)p->buffer)
			return fail("position %lld out of the buffer (moved %lld, buffer %lu)",
				    pos, p->xfer - p->base, p->buffer);
		if (ts_sec(&ts) && ts_sec(&ts) < prev_ts)
			return fail("htimestamp went back by %.6f s", prev_ts - ts_sec(&ts));
		if (ts_sec(&ts))
			prev_ts = ts_sec(&ts);
		if (pos != last) {
			if (last >= 0) {
				if (first_pos < 0) {
					first_pos = pos;
					t_first = t;
				}
				t_last = t;
				moves++;
				if (t - t_move > max_gap)
					max_gap = t - t_move;
				if (pos - last > max_jump)
					max_jump = pos - last;
			}
			last = pos;
			t_move = t;
		}
		if (pos >= target)
			break;
		if (t - t_move > stall)
			return fail("%s stalled: no progress for %.2f s at %.3f s of audio",
				    sname(p->stream), t - t_move, (double)(pos - pos0) / rate);

		rc = transfer(p, p->buffer);
		if (rc == -EAGAIN || rc == 0) {
			empty++;
			rc = wait_room(p, 100);
			if (rc == -EPIPE || rc == -ESTRPIPE)
				continue;	/* reported through the state above */
			if (rc < 0)
				return fail("wait: %s", snd_strerror(rc));
			timeouts += !rc;
			continue;
		}
		if (rc > 0)
			t_xfer = now();
		if (rc == -EPIPE)
			continue;
		if (rc < 0)
			return fail("%s transfer: %s", sname(p->stream), snd_strerror(rc));
	}
	t = now();
	note("%s: %.3f s of audio in %.3f s wall (%d position updates, longest gap %.0f ms, largest step %.0f ms, %d poll timeouts)",
	     sname(p->stream), (double)(pos - pos0) / rate, t - t0, moves,
	     max_gap * 1000, 1000.0 * max_jump / rate, timeouts);
	if (moves >= 2 && last > first_pos) {
		double audio = (double)(last - first_pos) / rate;
		double ratio = (t_last - t_first) / audio;

		note("%s: real-time ratio %.3f (%.3f s wall for %.3f s audio between updates)",
		     sname(p->stream), ratio, t_last - t_first, audio);
		if (check_rate && audio >= 0.3 && (ratio < RT_MIN || ratio > RT_MAX))
			return fail("%s: %.3f s wall per second of audio, outside %.1f..%.1f",
				    sname(p->stream), ratio, RT_MIN, RT_MAX);
	}
	return 0;
}

/* open + start + run + drop: the building block of most tests */
static int play_once(const struct opts *o, snd_pcm_stream_t stream, double secs)
{
	struct pcm p;
	int rc;

	rc = pcm_open(&p, o, stream, SND_PCM_NONBLOCK);
	if (!rc) {
		describe(&p);
		rc = start(&p);
	}
	if (!rc)
		rc = run(&p, secs, true);
	if (!rc && snd_pcm_drop(p.h) < 0)
		rc = fail("drop failed");
	if (!rc)
		rc = expect_state(&p, SND_PCM_STATE_SETUP, "drop");
	pcm_close(&p);
	return rc;
}

/* The card still streams both ways (after abuse). */
static int still_works(const struct opts *o)
{
	struct opts def = *o;

	def.mmap = false;
	def.period_us = 20000;
	def.periods = 8;
	note("checking that the card still plays and records");
	if (play_once(&def, SND_PCM_STREAM_PLAYBACK, 0.5))
		return -1;
	return play_once(&def, SND_PCM_STREAM_CAPTURE, 0.5);
}

static int t_stream(void)
{
	return play_once(&opt, opt.stream, opt.secs);
}

static int t_pause(void)
{
	struct pcm p;
	long long at_push, pos0, pos1;
	snd_pcm_state_t st;
	int i, rc;

	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	if (!p.can_pause) {
		rc = fail("the driver does not advertise pause");
		goto out;
	}
	rc = start(&p) ?: run(&p, 0.4, true);
	for (i = 0; !rc && i < 3; i++) {
		snd_pcm_sframes_t n;

		/* Keep the playback buffer full so release cannot underrun. */
		while (p.stream == SND_PCM_STREAM_PLAYBACK && (n = transfer(&p, p.buffer)) > 0)
			;
		position(&p, &at_push, NULL, NULL);
		rc = snd_pcm_pause(p.h, 1);
		if (rc < 0) {
			rc = fail("pause push: %s", snd_strerror(rc));
			break;
		}
		rc = expect_state(&p, SND_PCM_STATE_PAUSED, "pause push");
		if (rc)
			break;
		/* A period already in flight may still complete; then nothing. */
		sleep_ms(100);
		position(&p, &pos0, &st, NULL);
		sleep_ms(400);
		position(&p, &pos1, &st, NULL);
		note("paused: position %lld at push, %lld after 100 ms, %lld after 500 ms",
		     at_push, pos0, pos1);
		if (st != SND_PCM_STATE_PAUSED) {
			rc = fail("state %s while paused", state_name(st));
			break;
		}
		if (pos0 - at_push > (long long)p.period) {
			rc = fail("position moved %lld frames (> 1 period) after pause push",
				  pos0 - at_push);
			break;
		}
		if (pos1 != pos0) {
			rc = fail("position moved from %lld to %lld while paused", pos0, pos1);
			break;
		}
		rc = snd_pcm_pause(p.h, 0);
		if (rc < 0) {
			rc = fail("pause release: %s", snd_strerror(rc));
			break;
		}
		rc = expect_state(&p, SND_PCM_STATE_RUNNING, "pause release") ?:
		     run(&p, 0.4, true);
	}
	if (!rc) {
		rc = snd_pcm_drop(p.h) < 0 ? fail("drop failed") : 0;
		rc = rc ?: expect_state(&p, SND_PCM_STATE_SETUP, "drop");
	}
out:
	pcm_close(&p);
	return rc;
}

static int t_drain(void)
{
	struct pcm p;
	long long pos, queued;
	double t0, dt, audio, slack;
	int rc;

	if (opt.stream != SND_PCM_STREAM_PLAYBACK)
		return fail("drain is a playback test");
	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	/* -t 0: drain a stream that was never started (drain must start it) */
	if (opt.secs > 0)
		rc = start(&p) ?: run(&p, opt.secs, true);
	if (rc)
		goto out;
	/* Top up to a whole number of periods, then add the partial tail. */
	for (; opt.secs > 0;) {
		snd_pcm_sframes_t n = snd_pcm_avail_update(p.h);

		if (n < 0) {
			rc = fail("avail before drain: %s", snd_strerror(n));
			goto out;
		}
		n -= (p.xfer - p.base + n) % p.period;
		if (n <= 0 || transfer(&p, n) <= 0)
			break;
	}
	if (opt.partial) {
		snd_pcm_sframes_t n;

		/* snd_pcm_avail(): without period wakeups only a sync moves */
		while ((n = snd_pcm_avail(p.h)) >= 0 &&
		       (snd_pcm_uframes_t)n < opt.partial)
			wait_room(&p, 100);
		n = transfer(&p, opt.partial);
		if (n != (snd_pcm_sframes_t)opt.partial) {
			rc = fail("writing the partial period: %s",
				  n < 0 ? snd_strerror(n) : "short write");
			goto out;
		}
	}
	position(&p, &pos, NULL, NULL);
	queued = p.xfer - p.base - pos;
	audio = (double)queued / opt.rate;
	note("draining %lld queued frames (%.3f s, %u-frame partial tail)", queued, audio,
	     opt.partial);
	snd_pcm_nonblock(p.h, 0);
	t0 = now();
	rc = snd_pcm_drain(p.h);
	dt = now() - t0;
	note("drain returned %d (%s) after %.3f s", rc, rc < 0 ? snd_strerror(rc) : "ok", dt);
	if (rc < 0) {
		rc = fail("drain: %s after %.3f s", snd_strerror(rc), dt);
		goto out;
	}
	rc = expect_state(&p, SND_PCM_STATE_SETUP, "drain");
	/*
	 * The device may be a period ahead of the position (whole periods)
	 * or behind it by its tick; a report may come a period late.
	 */
	slack = (double)p.period / opt.rate + opt.tick_ms / 1000.0;
	if (!rc && dt > audio + slack + (double)p.period / opt.rate)
		rc = fail("drain took %.3f s for %.3f s of queued audio (limit: + 2 periods + a %u ms tick)",
			  dt, audio, opt.tick_ms);
	if (!rc && dt < audio - slack)
		rc = fail("drain returned after %.3f s but %.3f s of audio were queued",
			  dt, audio);
	/* a drained stream must start again */
	if (!rc) {
		snd_pcm_nonblock(p.h, 1);
		rc = prepare(&p) ?: start(&p) ?: run(&p, 0.3, true);
		if (!rc && snd_pcm_drop(p.h) < 0)
			rc = fail("drop after restart failed");
	}
out:
	pcm_close(&p);
	return rc;
}

/* A drain in non-blocking mode leaves DRAINING; drop must end it. */
static int t_drain_drop(void)
{
	struct pcm p;
	int rc;

	if (opt.stream != SND_PCM_STREAM_PLAYBACK)
		return fail("drain is a playback test");
	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	rc = start(&p) ?: run(&p, 0.3, true);
	if (rc)
		goto out;
	while (transfer(&p, p.buffer) > 0)
		;
	rc = snd_pcm_drain(p.h);
	if (rc != -EAGAIN) {
		rc = fail("non-blocking drain returned %d (%s), expected -EAGAIN", rc,
			  rc < 0 ? snd_strerror(rc) : "ok");
		goto out;
	}
	rc = expect_state(&p, SND_PCM_STATE_DRAINING, "non-blocking drain");
	if (rc)
		goto out;
	sleep_ms(p.period * 1000 / opt.rate / 2 + 5);
	rc = snd_pcm_drop(p.h);
	if (rc < 0) {
		rc = fail("drop while draining: %s", snd_strerror(rc));
		goto out;
	}
	rc = expect_state(&p, SND_PCM_STATE_SETUP, "drop while draining") ?:
	     prepare(&p) ?: start(&p) ?: run(&p, 0.5, true);
	if (!rc && snd_pcm_drop(p.h) < 0)
		rc = fail("drop failed");
out:
	pcm_close(&p);
	return rc;
}

static int t_restart(void)
{
	struct pcm p;
	unsigned int i;
	int rc;

	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	for (i = 0; !rc && i < opt.count; i++) {
		rc = (i ? prepare(&p) : 0) ?: start(&p) ?: run(&p, opt.secs, true);
		if (rc)
			break;
		/* every other round: drop a paused stream */
		if (i % 2 && p.can_pause) {
			rc = snd_pcm_pause(p.h, 1);
			if (rc < 0) {
				rc = fail("pause push #%u: %s", i, snd_strerror(rc));
				break;
			}
			rc = expect_state(&p, SND_PCM_STATE_PAUSED, "pause push");
			if (rc)
				break;
			sleep_ms(30);
		}
		rc = snd_pcm_drop(p.h);
		if (rc < 0)
			rc = fail("drop #%u: %s", i, snd_strerror(rc));
		else
			rc = expect_state(&p, SND_PCM_STATE_SETUP, "drop");
	}
	note("%u start/drop/prepare rounds (every other one dropped while paused)", i);
out:
	pcm_close(&p);
	return rc;
}

/* Stop transferring until the stream reports an xrun, then recover. */
static int t_xrun(void)
{
	double limit, t0;
	snd_pcm_sframes_t n;
	struct pcm p;
	int i, rc;

	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	limit = (double)p.buffer / opt.rate + 1.5;
	rc = start(&p) ?: run(&p, 0.3, true);
	for (i = 0; !rc && i < 2; i++) {
		t0 = now();
		while ((n = snd_pcm_avail(p.h)) >= 0 && now() - t0 < limit)
			sleep_ms(5);
		note("avail returned %s after %.3f s without I/O (buffer %.3f s)",
		     n < 0 ? snd_strerror(n) : "no error", now() - t0,
		     (double)p.buffer / opt.rate);
		if (n != -EPIPE) {
			rc = fail("%s: no xrun after %.3f s without I/O (avail %ld)",
				  sname(p.stream), limit, (long)n);
			break;
		}
		rc = expect_state(&p, SND_PCM_STATE_XRUN, "starving the stream");
		if (rc)
			break;
		n = transfer(&p, p.period);
		if (n != -EPIPE) {
			rc = fail("%s transfer in XRUN state returned %ld, expected -EPIPE",
				  sname(p.stream), (long)n);
			break;
		}
		rc = prepare(&p) ?: start(&p) ?: run(&p, 0.5, true);
	}
	if (!rc && snd_pcm_drop(p.h) < 0)
		rc = fail("drop failed");
out:
	pcm_close(&p);
	return rc;
}

/*
 * Right after a period report, top the buffer up (playback) or empty it
 * (capture), then do no I/O for the buffer's length plus 20 ms.  By then
 * the device has run dry (or full) and has returned the last message (on
 * its clock, or on the first tick after it when the buffer is a whole
 * number of ticks), so ALSA must be in XRUN.  A driver that sat on that
 * report would still be RUNNING here, and the application would go on
 * feeding a device that has already glitched.
 */
static int stall_once(struct pcm *p, int i)
{
	unsigned int idle = 1000 * p->buffer / p->o->rate + 20;
	snd_pcm_state_t state = SND_PCM_STATE_OPEN;
	long long pos;
	int rc;

	rc = snd_pcm_wait(p->h, 1000);
	if (rc < 0 && rc != -EPIPE)
		return fail("wait: %s", snd_strerror(rc));
	while ((rc = transfer(p, p->buffer)) > 0)
		;
	if (rc < 0 && rc != -EAGAIN)
		return fail("%s transfer: %s", sname(p->stream), snd_strerror(rc));
	sleep_ms(idle);
	rc = position(p, &pos, &state, NULL);
	if (rc < 0 && rc != -EPIPE)
		return fail("status: %s", snd_strerror(rc));
	note("stall %d: %s after %u ms without I/O", i, state_name(state), idle);
	if (state != SND_PCM_STATE_XRUN)
		return fail("stall %d: %s after %u ms without I/O (a %.0f ms buffer), expected XRUN",
			    i, state_name(state), idle, 1000.0 * p->buffer / p->o->rate);
	return 0;
}

/* stall_once() @opt.count times, streaming 0.3 s before each. */
static int t_stall(void)
{
	struct pcm p;
	int i, rc;

	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	rc = start(&p);
	for (i = 0; !rc && i < (int)opt.count; i++) {
		rc = run(&p, 0.3, false);
		if (rc == RUN_HOST_XRUN) {
			note("before stall %d: %s", i, fail_msg);
			fail_msg[0] = '\0';
			rc = prepare(&p) ?: start(&p) ?: run(&p, 0.3, false);
		}
		rc = rc ?: stall_once(&p, i) ?: prepare(&p) ?: start(&p);
	}
	if (!rc && snd_pcm_drop(p.h) < 0)
		rc = fail("drop failed");
out:
	pcm_close(&p);
	return rc;
}

/*
 * Busy-loop on @cpu at SCHED_FIFO priority 1 until killed (2 s at most):
 * above every kworker, below interrupt threads (PREEMPT_RT runs them at
 * 50) and below us (2).
 */
static pid_t hog_start(int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;
	pid_t pid;

	pid = fork();
	if (pid)
		return pid;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp))
		_exit(1);
	alarm(2);
	for (;;)
		;
}

static void hogs_stop(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
}

/*
 * The driver's report comes late: once ALSA has seen a period, busy loops
 * on every CPU keep the kernel's workers off them while the device runs
 * dry (full); then the application, above the loops, writes (reads) that
 * one reported period.  The device had already run out: the stream must
 * not go on as if nothing happened (the device must not be fed before a
 * STOP, which the host counts), ALSA must report the xrun once the
 * workers run again.
 */
static int t_late(void)
{
	struct sched_param sp = { .sched_priority = 2 };
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, rc;
	unsigned int idle;
	pid_t pids[64] = { 0 };
	snd_pcm_sframes_t got;
	double t0;
	struct pcm p;

	if (ncpu < 1 || ncpu > (int)ARRAY_SIZE(pids))
		return fail("cannot run: %d CPUs", ncpu);
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		return fail("cannot run: SCHED_FIFO: %s", strerror(errno));
	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	idle = 1000 * p.buffer / p.o->rate + 2 * p.o->tick_ms + 20;
	rc = start(&p);
	if (rc)
		goto out;
	rc = snd_pcm_wait(p.h, 1000);
	if (rc != 1) {
		rc = fail("no period reported within 1 s (%d)", rc);
		goto out;
	}
	for (i = 0; i < ncpu; i++)
		pids[i] = hog_start(i);
	sleep_ms(idle);
	got = transfer(&p, p.period);
	hogs_stop(pids, ncpu);
	note("%s one period %u ms after the first report, the workers held off: %s",
	     sname(p.stream), idle, got < 0 ? snd_strerror(got) : "done");
	if (got < 0 && got != -EPIPE) {
		rc = fail("%s transfer: %s", sname(p.stream), snd_strerror(got));
		goto out;
	}
	/* carry on as an application would, until ALSA says xrun */
	for (t0 = now(); got != -EPIPE && now() - t0 < 0.5;) {
		got = snd_pcm_wait(p.h, 100);
		if (got >= 0)
			got = transfer(&p, p.period);
		if (got == -EAGAIN)
			got = 0;
		if (got < 0 && got != -EPIPE) {
			rc = fail("%s transfer: %s", sname(p.stream), snd_strerror(got));
			goto out;
		}
	}
	if (got != -EPIPE) {
		rc = fail("the device ran out while the report was late, and ALSA saw no xrun in %.1f s",
			  now() - t0);
		goto out;
	}
	note("xrun %.0f ms after the workers ran again", 1000 * (now() - t0));
	rc = 0;
out:
	pcm_close(&p);
	return rc;
}

/*
 * t_reset() frames (S32_LE, 2 ch): left 0x5A, the generation (0 before the
 * reset, 1 after) and a serial number; right the buffer offset the frame
 * was written at.  sig.py reset checks what the device played.
 */
#define RESET_MAGIC	0x5a000000u

/* Write up to a period (one commit, one .ack) through mmap; -EAGAIN if full. */
static int reset_fill(struct pcm *p, unsigned int gen, unsigned int *serial)
{
	const snd_pcm_channel_area_t *areas;
	snd_pcm_uframes_t off, n, i;
	snd_pcm_sframes_t avail;
	int rc;

	avail = snd_pcm_avail_update(p->h);
	if (avail < 0)
		return avail;
	if (!avail)
		return -EAGAIN;
	n = (snd_pcm_uframes_t)avail < p->period ? (snd_pcm_uframes_t)avail : p->period;
	rc = snd_pcm_mmap_begin(p->h, &areas, &off, &n);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		uint32_t *f = (uint32_t *)((char *)areas[0].addr + (off + i) * 8);

		f[0] = RESET_MAGIC | gen << 20 | ((*serial)++ & 0xfffff);
		f[1] = off + i;
	}
	avail = snd_pcm_mmap_commit(p->h, off, n);
	return avail < 0 ? avail : 0;
}

/* Keep the buffer full for @secs. */
static int reset_feed(struct pcm *p, unsigned int gen, unsigned int *serial,
		      double secs)
{
	double t0 = now();
	int rc;

	while (now() - t0 < secs) {
		rc = reset_fill(p, gen, serial);
		if (rc == -EAGAIN)
			rc = snd_pcm_wait(p->h, 100) < 0 ? -EPIPE : 0;
		if (rc < 0)
			return fail("feeding generation %u: %s", gen, snd_strerror(rc));
	}
	return 0;
}

/*
 * SNDRV_PCM_IOCTL_RESET on running playback: ALSA drops what was queued
 * and puts appl_ptr at hw_ptr.  The periods the device already holds are
 * played as they were; from the first one it did not hold, it must play
 * what the application wrote after the reset, in ring order, never a
 * period left over from before.  No stop threshold: the application
 * writes again at once, and the check is of the audio, not of xruns.
 */
static int t_reset(void)
{
	struct opts o = opt;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t boundary;
	unsigned int serial = 0;
	struct pcm p;
	int rc;

	o.mmap = true;
	o.format = SND_PCM_FORMAT_S32_LE;
	o.channels = 2;
	rc = pcm_open(&p, &o, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (rc)
		goto out;
	describe(&p);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(p.h, sw);
	snd_pcm_sw_params_get_boundary(sw, &boundary);
	snd_pcm_sw_params_set_stop_threshold(p.h, sw, boundary);
	if (snd_pcm_sw_params(p.h, sw) < 0) {
		rc = fail("sw_params: no stop threshold");
		goto out;
	}
	while ((rc = reset_fill(&p, 0, &serial)) == 0)
		;
	if (rc != -EAGAIN) {
		rc = fail("prefill: %s", snd_strerror(rc));
		goto out;
	}
	rc = snd_pcm_start(p.h);
	if (rc < 0) {
		rc = fail("start: %s", snd_strerror(rc));
		goto out;
	}
	rc = reset_feed(&p, 0, &serial, 0.3);
	if (rc)
		goto out;
	rc = snd_pcm_reset(p.h);
	if (rc < 0) {
		rc = fail("reset: %s", snd_strerror(rc));
		goto out;
	}
	note("reset after %u frames", serial);
	serial = 0;
	rc = reset_feed(&p, 1, &serial, 0.3) ?: expect_state(&p, SND_PCM_STATE_RUNNING, "reset");
	if (rc)
		goto out;
	snd_pcm_nonblock(p.h, 0);
	rc = snd_pcm_drain(p.h);
	if (rc < 0)
		rc = fail("drain: %s", snd_strerror(rc));
out:
	pcm_close(&p);
	return rc;
}

/*
 * Period size @opt.period_us with 2..max periods (or just @opt.periods).
 * Exit SKIP only if the driver does not advertise the period size at all.
 */
static int t_periods(void)
{
	unsigned int lo = 0, hi = 0, n, tried = 0, list[8], i, k = 0;
	char ok_list[64] = "", bad_list[64] = "", host_list[64] = "";
	char first_bad[256] = "";
	size_t len;
	snd_pcm_hw_params_t *hw;
	snd_pcm_uframes_t period;
	struct opts o = opt;
	snd_pcm_t *h;
	int rc, dir = 0;

	period = (snd_pcm_uframes_t)((unsigned long long)opt.rate * opt.period_us / 1000000);
	rc = snd_pcm_open(&h, opt.dev, opt.stream, 0);
	if (rc < 0)
		return fail("open %s: %s", opt.dev, snd_strerror(rc));
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(h, hw);
	snd_pcm_hw_params_set_rate_resample(h, hw, 0);
	snd_pcm_hw_params_set_access(h, hw, opt.mmap ? SND_PCM_ACCESS_MMAP_INTERLEAVED :
				     SND_PCM_ACCESS_RW_INTERLEAVED);
	snd_pcm_hw_params_set_format(h, hw, opt.format);
	snd_pcm_hw_params_set_channels(h, hw, opt.channels);
	snd_pcm_hw_params_set_rate(h, hw, opt.rate, 0);
	if (snd_pcm_hw_params_set_period_size(h, hw, period, 0) < 0) {
		snd_pcm_uframes_t a = 0, b = 0;

		snd_pcm_hw_params_get_period_size_min(hw, &a, &dir);
		snd_pcm_hw_params_get_period_size_max(hw, &b, &dir);
		snd_pcm_close(h);
		note("period %lu frames (%.1f ms) not advertised; driver offers %lu..%lu",
		     period, opt.period_us / 1000.0, a, b);
		snprintf(fail_msg, sizeof(fail_msg),
			 "period %.1f ms not advertised (driver offers %lu..%lu frames)",
			 opt.period_us / 1000.0, a, b);
		return 1;
	}
	snd_pcm_hw_params_get_periods_min(hw, &lo, &dir);
	snd_pcm_hw_params_get_periods_max(hw, &hi, &dir);
	snd_pcm_close(h);
	note("period %lu frames (%.1f ms): driver offers %u..%u periods", period,
	     opt.period_us / 1000.0, lo, hi);
	/* the smallest buffer offered is a promise: it must not shrink */
	if (opt.min_buffer_ms) {
		unsigned int want_lo = (opt.min_buffer_ms * 1000 + opt.period_us - 1) /
				       opt.period_us;

		if (want_lo < 2)
			want_lo = 2;
		if (lo != want_lo)
			return fail("%.1f ms periods: the driver offers %u..%u periods, expected at least %u (a %u ms buffer)",
				    opt.period_us / 1000.0, lo, hi, want_lo,
				    opt.min_buffer_ms);
	}

	if (opt.periods) {
		list[k++] = opt.periods;
	} else {
		/* the minimum, 2, 3, 4, 8 and the maximum, where offered */
		unsigned int want[] = { lo, 2, 3, 4, 8, hi };

		for (i = 0; i < ARRAY_SIZE(want); i++)
			if (want[i] >= lo && want[i] <= hi && (!k || want[i] > list[k - 1]))
				list[k++] = want[i];
	}
	/* Run every count, so the log tells which ones the driver cannot do. */
	for (i = 0; i < k; i++) {
		n = list[i];
		o.periods = n;
		/* at least 3 periods and 0.5 s, at most 2 s per configuration */
		o.secs = 3.0 * period / opt.rate;
		if (o.secs < 0.5)
			o.secs = 0.5;
		if (o.secs > 2.0)
			o.secs = 2.0;
		fail_msg[0] = '\0';
		rc = play_once(&o, opt.stream, o.secs);
		if (rc == 1) {
			note("%u periods not offered at this period size", n);
			continue;
		}
		tried++;
		if (rc == RUN_HOST_XRUN) {
			note("%u periods: %s, under the %u ms of headroom",
			     n, fail_msg, opt.headroom_ms);
			len = strlen(host_list);
			snprintf(host_list + len, sizeof(host_list) - len, " %u", n);
			continue;
		}
		if (!rc) {
			len = strlen(ok_list);
			snprintf(ok_list + len, sizeof(ok_list) - len, " %u", n);
			continue;
		}
		len = strlen(bad_list);
		snprintf(bad_list + len, sizeof(bad_list) - len, " %u", n);
		if (!first_bad[0])
			snprintf(first_bad, sizeof(first_bad), "%s", fail_msg);
	}
	fail_msg[0] = '\0';
	note("%.1f ms periods: ok with [%s ], failed with [%s ], xrun under the headroom with [%s ]",
	     opt.period_us / 1000.0, ok_list, bad_list, host_list);
	if (bad_list[0])
		return fail("%.1f ms periods fail with [%s ] of %u..%u periods (ok: [%s ]); %u: %s",
			    opt.period_us / 1000.0, bad_list, lo, hi, ok_list,
			    atoi(bad_list), first_bad);
	if (!tried)
		return fail("no period count in %u..%u could be set", lo, hi);
	/*
	 * Every count ran into the host.  Where the driver offers a buffer
	 * of the headroom, that buffer failed above; where it offers none
	 * (1 ms periods x 64 at most), nothing here can judge the driver:
	 * a skip, with the reason.
	 */
	if (!ok_list[0]) {
		snprintf(fail_msg, sizeof(fail_msg),
			 "%.1f ms periods: every buffer offered is under %u ms and each had an xrun on this host: [%s ]",
			 opt.period_us / 1000.0, opt.headroom_ms, host_list);
		return 1;
	}
	return 0;
}

/* snd_pcm_close() of a running stream, then the same by process exit. */
static int t_close(void)
{
	struct pcm p;
	double t0;
	pid_t pid;
	int rc, status;

	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (rc) {
		pcm_close(&p);
		return rc;
	}
	describe(&p);
	rc = start(&p) ?: run(&p, 0.3, true);
	if (rc) {
		pcm_close(&p);
		return rc;
	}
	t0 = now();
	rc = snd_pcm_close(p.h);
	p.h = NULL;
	pcm_close(&p);
	note("close while running returned %d after %.3f s", rc, now() - t0);
	if (rc < 0)
		return fail("close while running: %s", snd_strerror(rc));
	if (now() - t0 > 2.0)
		return fail("close while running took %.3f s", now() - t0);

	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (!pid) {
		if (pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK) ||
		    start(&p) || run(&p, 0.3, true))
			_exit(1);
		_exit(0);	/* exit with the stream running */
	}
	t0 = now();
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() - t0 > 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return fail("child streaming process did not exit");
		}
		sleep_ms(10);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail("child streaming process failed before exiting");
	note("process exit with a running stream: ok");

	/* and close a paused stream */
	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (!rc && p.can_pause) {
		rc = start(&p) ?: run(&p, 0.3, true);
		if (!rc && snd_pcm_pause(p.h, 1) < 0)
			rc = fail("pause push failed");
		if (!rc) {
			sleep_ms(50);
			t0 = now();
			rc = snd_pcm_close(p.h);
			p.h = NULL;
			note("close while paused returned %d after %.3f s", rc, now() - t0);
			if (rc < 0)
				rc = fail("close while paused: %s", snd_strerror(rc));
		}
	}
	pcm_close(&p);
	if (rc)
		return rc;
	return play_once(&opt, opt.stream, 0.5);
}

static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

/*
 * Child of t_sigint: start and stop as fast as possible until SIGINT.  With
 * a handler installed, ALSA calls see EINTR; afterwards the stream must be
 * in a sane state and drop/close must work.  Exit 0 ok, 3 on a bad result.
 */
static void sigint_child(bool handler, int ready_fd)
{
	const struct opts *o = &opt;
	struct sigaction sa;
	struct pcm p;
	snd_pcm_state_t s;
	int rc, round = 0, eintr = 0;
	const char *op = "open";

	/* A background job of a script starts with SIGINT ignored: reset it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler ? on_sigint : SIG_DFL;	/* no SA_RESTART: see EINTR */
	sigaction(SIGINT, &sa, NULL);
	if (pcm_open(&p, o, o->stream, SND_PCM_NONBLOCK))
		_exit(3);
	if (write(ready_fd, "r", 1) != 1)
		_exit(3);
	close(ready_fd);
	while (!got_sigint) {
		op = "prepare";
		rc = snd_pcm_prepare(p.h);
		eintr += rc == -EINTR;
		if (rc < 0 && rc != -EINTR && !got_sigint) {
			note("child: prepare: %s", snd_strerror(rc));
			_exit(3);
		}
		p.base = p.xfer;
		if (p.stream == SND_PCM_STREAM_PLAYBACK)
			transfer(&p, p.buffer);
		op = "start";
		rc = snd_pcm_start(p.h);
		eintr += rc == -EINTR;
		if (rc < 0 && rc != -EINTR && !got_sigint) {
			note("child: start: %s", snd_strerror(rc));
			_exit(3);
		}
		if (round++ % 2)
			sleep_ms(round % 7);
		op = "drop";
		rc = snd_pcm_drop(p.h);
		eintr += rc == -EINTR;
		if (rc < 0 && rc != -EINTR && !got_sigint) {
			note("child: drop: %s", snd_strerror(rc));
			_exit(3);
		}
	}
	s = snd_pcm_state(p.h);
	if (eintr)
		note("child: SIGINT after %d rounds, in %s, state %s, %d EINTR", round, op,
		     state_name(s), eintr);
	if (s != SND_PCM_STATE_SETUP && s != SND_PCM_STATE_PREPARED &&
	    s != SND_PCM_STATE_RUNNING && s != SND_PCM_STATE_XRUN) {
		note("child: state %s after SIGINT", state_name(s));
		_exit(3);
	}
	rc = snd_pcm_drop(p.h);
	if (rc < 0) {
		note("child: drop after SIGINT: %s", snd_strerror(rc));
		_exit(3);
	}
	rc = snd_pcm_close(p.h);
	if (rc < 0) {
		note("child: close after SIGINT: %s", snd_strerror(rc));
		_exit(3);
	}
	_exit(0);
}

static int t_sigint(void)
{
	unsigned int i, handled = 0, killed = 0;
	int status, fds[2];
	char c;
	double t0;
	pid_t pid;

	srand(time(NULL) ^ getpid());
	for (i = 0; i < opt.count; i++) {
		bool handler = i % 2;

		if (pipe(fds))
			return fail("pipe: %s", strerror(errno));
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return fail("fork: %s", strerror(errno));
		if (!pid) {
			close(fds[0]);
			sigint_child(handler, fds[1]);
		}
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1) {
			close(fds[0]);
			waitpid(pid, &status, 0);
			return fail("round %u: child could not open the PCM", i);
		}
		close(fds[0]);
		/* land anywhere in the first start/stop rounds */
		sleep_ms(rand() % 40);
		kill(pid, SIGINT);
		t0 = now();
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (now() - t0 > 5) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return fail("round %u: process still alive 5 s after SIGINT", i);
			}
			sleep_ms(2);
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			handled++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
			killed++;
		else
			return fail("round %u: child %s %d", i,
				    WIFEXITED(status) ? "exited with" : "killed by signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	note("%u SIGINTs: %u handled (EINTR path), %u killed the process", opt.count,
	     handled, killed);
	return still_works(&opt);
}

static int t_duplex(void)
{
	pid_t pid[2];
	int i, status, rc = 0;
	double t0;

	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return fail("fork: %s", strerror(errno));
		if (!pid[i])
			_exit(play_once(&opt, i ? SND_PCM_STREAM_CAPTURE :
					SND_PCM_STREAM_PLAYBACK, opt.secs) ? 1 : 0);
	}
	t0 = now();
	for (i = 0; i < 2; i++) {
		while (waitpid(pid[i], &status, WNOHANG) == 0) {
			if (now() - t0 > opt.secs + 10) {
				kill(pid[i], SIGKILL);
				waitpid(pid[i], &status, 0);
				status = -1;
				break;
			}
			sleep_ms(10);
		}
		if (status)
			rc = fail("%s process failed while the other direction ran",
				  i ? "capture" : "playback");
	}
	return rc;
}

/* open, hw_params, prepare, start, a little I/O, close - many times */
static int t_cycles(void)
{
	snd_pcm_stream_t s = opt.stream;
	double t0 = now(), t;
	unsigned int i;
	struct pcm p;
	int rc = 0;

	for (i = 0; i < opt.count && !rc; i++) {
		if (opt.both)
			s = i % 2 ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK;
		rc = pcm_open(&p, &opt, s, SND_PCM_NONBLOCK);
		if (!rc)
			rc = prepare(&p) ?: start(&p);
		if (!rc) {
			long long pos = 0, pos0;
			snd_pcm_sframes_t n;

			position(&p, &pos0, NULL, NULL);
			t = now();
			/* wait for one period to move */
			while (!rc && pos - pos0 < (long long)p.period) {
				if (now() - t > 1.0)
					rc = fail("cycle %u: %s did not move in 1 s", i, sname(s));
				else if (snd_pcm_wait(p.h, 100) < 0)
					rc = fail("cycle %u: %s xrun", i, sname(s));
				else if (position(&p, &pos, NULL, NULL) < 0)
					rc = fail("cycle %u: status failed", i);
			}
			n = transfer(&p, p.period);
			if (!rc && n < 0 && n != -EAGAIN)
				rc = fail("cycle %u: transfer: %s", i, snd_strerror(n));
		}
		if (p.h) {
			int c = snd_pcm_close(p.h);

			p.h = NULL;
			if (!rc && c < 0)
				rc = fail("cycle %u: close: %s", i, snd_strerror(c));
		}
		pcm_close(&p);
	}
	t = now() - t0;
	note("%u open/hw_params/prepare/start/io/close cycles in %.2f s (%.1f ms each)",
	     i, t, i ? t * 1000 / i : 0);
	if (rc)
		return rc;
	return still_works(&opt);
}

/* One status sample of t_delay(). */
struct delay_sample {
	double t;		/* CLOCK_MONOTONIC, s */
	long long pos;		/* the pointer, frames since prepare */
	long long dev;		/* the device's position by the delay */
};

/* Absolute distances of @y from its least-squares line over @t, sorted. */
static void line_residuals(const struct delay_sample *s, size_t n, bool dev,
			   double *res)
{
	double st = 0, sy = 0, stt = 0, sty = 0, a, b;
	size_t i;

	for (i = 0; i < n; i++) {
		double t = s[i].t - s[0].t;
		double y = dev ? s[i].dev : s[i].pos;

		st += t;
		sy += y;
		stt += t * t;
		sty += t * y;
	}
	b = (n * sty - st * sy) / (n * stt - st * st);
	a = (sy - b * st) / n;
	for (i = 0; i < n; i++) {
		double y = dev ? s[i].dev : s[i].pos;

		res[i] = fabs(y - (a + b * (s[i].t - s[0].t)));
	}
	qsort(res, n, sizeof(*res), cmp_double);
}

/* Note how far a position strays from a straight line, in ms. */
static void note_residuals(const struct delay_sample *s, size_t n, bool dev,
			   const char *what, unsigned int rate)
{
	double *res = calloc(n, sizeof(*res));

	if (!res)
		return;
	line_residuals(s, n, dev, res);
	note("%s: off a straight line by p50 %.2f ms, p99 %.2f ms, max %.2f ms",
	     what, 1000.0 * res[n / 2] / rate, 1000.0 * res[n * 99 / 100] / rate,
	     1000.0 * res[n - 1] / rate);
	free(res);
}

/*
 * snd_pcm_delay() between completions: for -t secs, keep the buffer full
 * (playback) or empty (capture) and sample snd_pcm_status() every
 * millisecond or so.  The device's position it gives, frames transferred
 * minus the delay for playback (plus for capture), must never go back, and
 * it must move while the pointer stands still: in most stretches between
 * two pointer moves sampled at least 2 ms apart, the delay changes.  With
 * -k 2, the stream pauses for 30 ms half way (when it can): the position
 * must not go back across the pause either.  Notes how far that position, and the
 * pointer alone, stray from a straight line (the device's clock) before
 * the pause.  Plays silence.
 */
static int t_delay(void)
{
	size_t max = (size_t)(opt.secs * 2000) + 16, n = 0, i, first, fit = 0;
	unsigned int stretches = 0, moved = 0;
	struct delay_sample *smp;
	snd_pcm_state_t state;
	long long pos, delay;
	bool paused = false;
	struct pcm p;
	double t0;
	int rc;

	smp = calloc(max, sizeof(*smp));
	if (!smp)
		return fail("out of memory");
	rc = pcm_open(&p, &opt, opt.stream, SND_PCM_NONBLOCK);
	if (!rc) {
		/* silence: a device that keeps what it played may be checked */
		snd_pcm_format_set_silence(opt.format, p.data,
					   p.buffer * opt.channels);
		describe(&p);
		rc = start(&p);
	}
	t0 = now();
	while (!rc && n < max && now() - t0 < opt.secs) {
		rc = position_delay(&p, &pos, &state, NULL, &delay);
		if (rc < 0) {
			rc = fail("status: %s", snd_strerror(rc));
			break;
		}
		if (state != SND_PCM_STATE_RUNNING) {
			rc = fail("%s: state %s at %.3f s of audio", sname(p.stream),
				  state_name(state), (double)pos / p.o->rate);
			break;
		}
		smp[n].t = now();
		smp[n].pos = pos;
		smp[n].dev = p.stream == SND_PCM_STREAM_PLAYBACK ?
			     p.xfer - p.base - delay : p.xfer - p.base + delay;
		if (n && smp[n].dev < smp[n - 1].dev) {
			rc = fail("%s: the device's position by the delay went back by %lld frames (pointer %lld -> %lld, %.1f ms later%s)",
				  sname(p.stream), smp[n - 1].dev - smp[n].dev,
				  smp[n - 1].pos, smp[n].pos,
				  1000 * (smp[n].t - smp[n - 1].t),
				  paused && fit == n ? ", across the pause" : "");
			break;
		}
		n++;
		if (!paused && opt.count > 1 && p.can_pause &&
		    now() - t0 >= opt.secs / 2) {
			paused = true;
			fit = n;
			rc = snd_pcm_pause(p.h, 1);
			if (!rc) {
				sleep_ms(30);
				rc = snd_pcm_pause(p.h, 0);
			}
			if (rc) {
				rc = fail("pause: %s", snd_strerror(rc));
				break;
			}
		}
		rc = transfer(&p, p.buffer);
		if (rc == -EAGAIN || rc >= 0)
			rc = 0;
		else
			rc = fail("%s transfer: %s", sname(p.stream), snd_strerror(rc));
		sleep_ms(1);
	}
	pcm_close(&p);
	if (!rc && (n < 100 || (paused && fit < 50)))
		rc = fail("only %zu samples in %.1f s", n, opt.secs);
	if (rc) {
		free(smp);
		return rc;
	}

	for (first = 0, i = 1; i <= n; i++) {
		if (i < n && smp[i].pos == smp[first].pos)
			continue;
		if (smp[i - 1].t - smp[first].t >= 0.002) {
			stretches++;
			moved += smp[i - 1].dev != smp[first].dev;
		}
		first = i;
	}
	note("%s: %zu samples, the delay moved in %u of %u stretches between pointer moves",
	     sname(opt.stream), n, moved, stretches);
	fit = paused ? fit : n;
	note_residuals(smp, fit, true, "device position by the delay", opt.rate);
	note_residuals(smp, fit, false, "pointer", opt.rate);
	free(smp);
	if (stretches < 10)
		return fail("only %u stretches between pointer moves", stretches);
	if (2 * moved < stretches)
		return fail("the delay moved in only %u of %u stretches between pointer moves",
			    moved, stretches);
	return 0;
}

struct subcmd {
	const char *name;
	int (*fn)(void);
	const char *help;
};

static const struct subcmd cmds[] = {
	{ "stream", t_stream, "start, stream -t secs in real time, drop" },
	{ "pause", t_pause, "pause push/release three times, position frozen while paused" },
	{ "drain", t_drain, "drain after -t secs (+ -P frames); -t 0: never started" },
	{ "drain_drop", t_drain_drop, "drop while a non-blocking drain runs, then restart" },
	{ "restart", t_restart, "-n rounds of prepare, start, stream, drop" },
	{ "xrun", t_xrun, "starve the stream into XRUN, prepare, stream again (twice)" },
	{ "reset", t_reset, "RESET while playing (S32_LE 2 ch, MMAP): the device's audio for sig.py reset" },
	{ "stall", t_stall, "no I/O for a buffer + 20 ms must be an xrun at once (-k times)" },
	{ "late", t_late, "the device runs out while the driver's report is held up: still an xrun" },
	{ "periods", t_periods, "period size -p us with 2..max periods (or -n exactly)" },
	{ "close", t_close, "close and process exit while running" },
	{ "sigint", t_sigint, "-k rounds of SIGINT into a start/stop loop" },
	{ "duplex", t_duplex, "playback and capture at once (two processes)" },
	{ "cycles", t_cycles, "-k open/hw_params/prepare/start/io/close cycles" },
	{ "delay", t_delay, "-t secs: the delay moves between pointer moves, never back (-k 2: across a pause)" },
};

static void usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: pcmtest <test> [-D dev] [-s play|cap|both] [-M] [-r rate] [-c ch]\n"
		"               [-f format] [-p period_us] [-n periods (0=2..max)]\n"
		"               [-t secs] [-P partial_frames] [-k count]\n"
		"               [-m min_buffer_ms (periods: the smallest buffer offered)]\n"
		"               [-H headroom_ms (periods: an xrun in a smaller buffer is\n"
		"                  the host's, noted but not failed)]\n"
		"               [-K tick_ms (drain: the device's timer, default 10)]\n"
		"               [-T (sleep a quarter period instead of poll)]\n"
		"               [-w (-T, and period wakeups off)]\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(stderr, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct subcmd *cmd = NULL;
	size_t i;
	int c, rc;

	if (argc < 2)
		usage();
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd)
		usage();
	optind = 2;
	opt.dev = getenv("VSND_PCM") ?: "hw:0,0";
	while ((c = getopt(argc, argv, "D:s:Mr:c:f:p:n:t:P:k:m:H:K:Tw")) != -1) {
		switch (c) {
		case 'D':
			opt.dev = optarg;
			break;
		case 's':
			opt.both = !strcmp(optarg, "both");
			opt.stream = optarg[0] == 'c' ? SND_PCM_STREAM_CAPTURE :
				     SND_PCM_STREAM_PLAYBACK;
			break;
		case 'M':
			opt.mmap = true;
			break;
		case 'r':
			opt.rate = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			opt.channels = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			opt.format = snd_pcm_format_value(optarg);
			if (opt.format == SND_PCM_FORMAT_UNKNOWN)
				usage();
			break;
		case 'p':
			opt.period_us = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			opt.periods = strtoul(optarg, NULL, 0);
			break;
		case 't':
			opt.secs = strtod(optarg, NULL);
			break;
		case 'P':
			opt.partial = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			opt.count = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			opt.min_buffer_ms = strtoul(optarg, NULL, 0);
			break;
		case 'H':
			opt.headroom_ms = strtoul(optarg, NULL, 0);
			break;
		case 'K':
			opt.tick_ms = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			opt.timer = true;
			break;
		case 'w':
			opt.no_wakeup = opt.timer = true;
			break;
		default:
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = cmd->fn();
	if (rc == RUN_HOST_XRUN)	/* only periods accepts it */
		rc = -1;
	if (rc > 0) {
		printf("SKIP: %s\n", fail_msg[0] ? fail_msg : "not offered by the driver");
		return EXIT_SKIP;
	}
	if (rc < 0) {
		printf("FAIL: %s\n", fail_msg[0] ? fail_msg : "unknown");
		return EXIT_FAIL;
	}
	return 0;
}
