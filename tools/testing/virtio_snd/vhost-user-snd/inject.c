// SPDX-License-Identifier: GPL-2.0
/*
 * Command FIFO.  One command per line:
 *
 *   jack ID connect|disconnect   plug/unplug, JACK_(DIS)CONNECTED event
 *   xrun STREAM                  VIRTIO_SND_EVT_PCM_XRUN
 *   period STREAM                VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED
 *   event CODE DATA [COUNT]      any event, COUNT times (default 1)
 *   ctl ID value V...            set a control's members, CTL_NOTIFY(VALUE)
 *   ctl ID notify MASK           CTL_NOTIFY with any mask (id not checked)
 *   ctl ID range MIN MAX STEP    an integer control's new range, CTL_NOTIFY(INFO)
 *   fault ctl|io ...             arm a fault (syntax in fault.c)
 *   fault clear                  disarm every fault
 *   fuzz SEED [RATE]             fuzz from SEED, one message in RATE (8)
 *   fuzz off                     stop fuzzing
 *   disconnect                   close the vhost-user connection (device gone)
 *
 * Numbers are decimal or 0x-hex.  The outcome of each command is logged on
 * stderr ("inject: ...").  The FIFO is opened read-write, so writers may
 * come and go without the loop seeing end-of-file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_snd.h>

#include "fault.h"
#include "fuzz.h"
#include "inject.h"
#include "loop.h"
#include "snd_control.h"
#include "snd_dev.h"
#include "vlog.h"

#define INJECT_LINE_MAX 256
#define INJECT_MAX_ARGS 8

struct inject {
	struct snd_dev *snd;
	char buf[INJECT_LINE_MAX];
	size_t len;
};

static int inject_num(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!s)
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

static int inject_stream_event(struct snd_dev *snd, const char *arg,
			       uint32_t code)
{
	uint32_t id;

	if (inject_num(arg, &id))
		return -EINVAL;
	return snd_event_send(snd, code, id);
}

static int inject_raw(struct snd_dev *snd, char **argv, int argc)
{
	uint32_t code, data, count = 1, i;
	int rc = 0;

	if (argc < 3 || inject_num(argv[1], &code) ||
	    inject_num(argv[2], &data) ||
	    (argc > 3 && inject_num(argv[3], &count)))
		return -EINVAL;
	for (i = 0; i < count && !rc; i++)
		rc = snd_event_send(snd, code, data);
	return rc;
}

static int inject_ctl(struct snd_dev *snd, char **argv, int argc)
{
	int64_t vals[INJECT_MAX_ARGS];
	uint32_t id, mask;
	int i;

	if (inject_num(argv[1], &id))
		return -EINVAL;
	if (!strcmp(argv[2], "notify")) {
		if (argc != 4 || inject_num(argv[3], &mask))
			return -EINVAL;
		return snd_control_notify(snd, id, mask);
	}
	if (strcmp(argv[2], "value") && strcmp(argv[2], "range"))
		return -EINVAL;
	for (i = 3; i < argc; i++) {
		char *end;

		vals[i - 3] = strtoll(argv[i], &end, 0);
		if (*end)
			return -EINVAL;
	}
	if (!strcmp(argv[2], "range"))
		return argc == 6 ? snd_control_set_range(snd, id, vals[0], vals[1],
							 vals[2]) : -EINVAL;
	return snd_control_set(snd, id, vals, argc - 3);
}

/* fuzz SEED [RATE] | fuzz off */
static int inject_fuzz(struct snd_dev *snd, char **argv, int argc)
{
	unsigned long long seed;
	uint32_t rate = 8;
	char *end;

	if (argc == 2 && !strcmp(argv[1], "off")) {
		fuzz_stop();
		return 0;
	}
	if (argc < 2 || argc > 3 || (argc == 3 && inject_num(argv[2], &rate)) ||
	    !rate || rate > FUZZ_RATE_MAX)
		return -EINVAL;
	errno = 0;
	seed = strtoull(argv[1], &end, 0);
	if (errno || end == argv[1] || *end)
		return -EINVAL;
	fuzz_start(snd, seed, rate);
	return 0;
}

static int inject_command(struct snd_dev *snd, char **argv, int argc)
{
	uint32_t id;

	if (!strcmp(argv[0], "jack")) {
		if (argc != 3 || inject_num(argv[1], &id))
			return -EINVAL;
		if (!strcmp(argv[2], "connect"))
			return snd_jack_set(snd, id, true);
		if (!strcmp(argv[2], "disconnect"))
			return snd_jack_set(snd, id, false);
		return -EINVAL;
	}
	if (!strcmp(argv[0], "xrun") && argc == 2)
		return inject_stream_event(snd, argv[1], VIRTIO_SND_EVT_PCM_XRUN);
	if (!strcmp(argv[0], "period") && argc == 2)
		return inject_stream_event(snd, argv[1],
					   VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED);
	if (!strcmp(argv[0], "event"))
		return inject_raw(snd, argv, argc);
	if (!strcmp(argv[0], "disconnect") && argc == 1) {
		vu_disconnect(&snd->vu);
		return 0;
	}
	if (!strcmp(argv[0], "ctl") && argc >= 3)
		return inject_ctl(snd, argv, argc);
	if (!strcmp(argv[0], "fuzz"))
		return inject_fuzz(snd, argv, argc);
	if (!strcmp(argv[0], "fault")) {
		struct fault f;

		if (argc == 2 && !strcmp(argv[1], "clear")) {
			fault_clear();
			return 0;
		}
		if (fault_parse(argv + 1, argc - 1, &f))
			return -EINVAL;
		return fault_add(&f);
	}
	return -EINVAL;
}

static void inject_line(struct snd_dev *snd, char *line)
{
	char *argv[INJECT_MAX_ARGS], *save, *copy = strdup(line);
	int argc = 0, rc;

	if (!copy)
		return;
	for (argv[0] = strtok_r(copy, " \t\r", &save);
	     argv[argc] && argc < INJECT_MAX_ARGS - 1;
	     argv[argc] = strtok_r(NULL, " \t\r", &save))
		argc++;
	if (argc && argv[0][0] != '#') {
		rc = inject_command(snd, argv, argc);
		if (rc)
			vlog_err("inject: '%s': %s", line,
				 rc == -EINVAL ? "bad command" : strerror(-rc));
		else
			vlog_info("inject: '%s': done", line);
	}
	free(copy);
}

static void inject_cb(int fd, unsigned int events, void *opaque)
{
	struct inject *inj = opaque;
	ssize_t n;
	char *nl;

	n = read(fd, inj->buf + inj->len, sizeof(inj->buf) - 1 - inj->len);
	if (n <= 0)
		return;
	inj->len += n;
	inj->buf[inj->len] = '\0';
	while ((nl = strchr(inj->buf, '\n'))) {
		*nl = '\0';
		inject_line(inj->snd, inj->buf);
		inj->len -= nl + 1 - inj->buf;
		memmove(inj->buf, nl + 1, inj->len + 1);
	}
	if (inj->len == sizeof(inj->buf) - 1) {
		vlog_err("inject: line too long, dropped");
		inj->len = 0;
	}
}

/**
 * inject_open() - Create the command FIFO and watch it.
 * @snd: device the commands act on.
 * @path: FIFO path (created if missing).
 *
 * Return: 0 or -errno.
 */
int inject_open(struct snd_dev *snd, const char *path)
{
	struct inject *inj;
	int fd;

	if (mkfifo(path, 0600) && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	inj = calloc(1, sizeof(*inj));
	if (!inj) {
		close(fd);
		return -ENOMEM;
	}
	inj->snd = snd;
	return loop_add(fd, inject_cb, inj);
}
