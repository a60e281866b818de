// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-snd: a virtio sound device back-end for testing drivers.
 *
 * Start it before QEMU, point QEMU's "-chardev socket,path=SOCK" with
 * "-device vhost-user-snd-pci" at the same socket.  See README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "audio_clock.h"
#include "dev_config.h"
#include "fault.h"
#include "fuzz.h"
#include "inject.h"
#include "loop.h"
#include "snd_dev.h"
#include "snd_pcm.h"
#include "vlog.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-user-snd -s SOCKET [options]\n"
		"  -s, --socket PATH      vhost-user unix socket to create\n"
		"  -c, --config FILE      device description (default: 1 output + 1 input\n"
		"                         stream, S16, 48 kHz, 1..2 channels)\n"
		"  -o, --outdir DIR       where streamN.raw files go (default .)\n"
		"  -l, --violations FILE  spec-violation log (default OUTDIR/violations.log)\n"
		"  -e, --events FIFO      command FIFO for injecting events (README.md)\n"
		"  -i, --instant          complete I/O at once instead of in real time\n"
		"  -t, --tick MS          complete I/O only every MS ms, in batches (QEMU's\n"
		"                         timer-period)\n"
		"  -p, --persist          keep serving after the front-end disconnects\n"
		"  -v, --verbose          more log output (repeat for debug)\n"
		"  -q, --quiet            errors and violations only\n");
}

static void signal_cb(int fd, unsigned int events, void *opaque)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		vlog_info("signal %u: exiting", si.ssi_signo);
	loop_quit(0);
}

/* SIGTERM/SIGINT end the loop normally: socket removed, report printed. */
static int watch_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	return loop_add(fd, signal_cb, NULL);
}

static void report(struct snd_dev *snd)
{
	unsigned int i;

	for (i = 0; i < snd->cfg->nstreams; i++) {
		struct snd_pcm_stream *s = &snd->streams[i];

		vlog_info("stream %u: %llu bytes %s, %llu xruns", i,
			  (unsigned long long)s->bytes_done,
			  s->cfg->direction ? "recorded" : "played",
			  (unsigned long long)s->xruns);
	}
	fuzz_report();
	vlog_info("%lu spec violations", vlog_violation_count());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "violations", required_argument, NULL, 'l' },
		{ "events", required_argument, NULL, 'e' },
		{ "instant", no_argument, NULL, 'i' },
		{ "tick", required_argument, NULL, 't' },
		{ "persist", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *sock = NULL, *config = NULL, *outdir = ".", *vpath = NULL;
	const char *fifo = NULL;
	static struct devcfg cfg;
	static struct snd_dev snd;
	char vbuf[PATH_MAX];
	bool instant = false, persist = false;
	unsigned long tick_ms = 0;
	unsigned int i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "s:c:o:l:e:it:pvqh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'l':
			vpath = optarg;
			break;
		case 'e':
			fifo = optarg;
			break;
		case 'i':
			instant = true;
			break;
		case 't':
			tick_ms = strtoul(optarg, NULL, 0);
			aclock_set_tick(tick_ms * 1000000ULL);
			break;
		case 'p':
			persist = true;
			break;
		case 'v':
			vlog_verbosity++;
			break;
		case 'q':
			vlog_verbosity = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!sock || optind != argc) {
		usage(stderr);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	if (config) {
		if (devcfg_load(&cfg, config))
			return 1;
	} else {
		devcfg_default(&cfg);
	}
	devcfg_dump(&cfg);

	if (!vpath) {
		snprintf(vbuf, sizeof(vbuf), "%s/violations.log", outdir);
		vpath = vbuf;
	}
	rc = vlog_open_violations(vpath);
	if (rc) {
		vlog_err("%s: %s", vpath, strerror(-rc));
		return 1;
	}
	rc = loop_init();
	if (!rc)
		rc = watch_signals();
	if (!rc)
		rc = snd_dev_init(&snd, &cfg, sock, outdir, instant);
	if (!rc && fifo)
		rc = inject_open(&snd, fifo);
	for (i = 0; !rc && i < cfg.nfaults; i++)
		rc = fault_add(&cfg.faults[i]);
	if (rc) {
		vlog_err("init: %s", strerror(-rc));
		return 1;
	}
	snd.vu.persist = persist;
	vlog_info("listening on %s (%s clock, tick %lu ms)", sock,
		  instant ? "instant" : "real-time", tick_ms);
	rc = loop_run();
	unlink(sock);
	report(&snd);
	return rc;
}
