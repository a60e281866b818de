// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics and the spec-violation log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vlog.h"

int vlog_verbosity = 1;
static int violation_fd = -1;
static unsigned long violations;

/**
 * vlog_open_violations() - Create (truncate) the violation log.
 * @path: file name.
 *
 * The file exists and is empty from start-up on, so a test can tell "no
 * violation" from "device never ran".
 *
 * Return: 0 or -errno.
 */
int vlog_open_violations(const char *path)
{
	violation_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
			    O_CLOEXEC, 0644);
	return violation_fd < 0 ? -errno : 0;
}

unsigned long vlog_violation_count(void)
{
	return violations;
}

static double vlog_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void vlog_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > vlog_verbosity)
		return;
	fprintf(stderr, "vhost-user-snd: %.6f: ", vlog_now());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * vlog_violation() - Record a spec violation by the driver.
 * @fmt: printf format of a one-line description.
 *
 * The line goes to the violation log (if open) and to stderr.
 */
void vlog_violation(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%.6f: ", vlog_now());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");

	violations++;
	fprintf(stderr, "vhost-user-snd: VIOLATION: %s", line);
	if (violation_fd >= 0 && write(violation_fd, line, strlen(line)) < 0)
		fprintf(stderr, "vhost-user-snd: violation log: %s\n",
			strerror(errno));
}
