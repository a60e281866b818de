// SPDX-License-Identifier: GPL-2.0
/*
 * Single-threaded epoll event loop.
 *
 * Callbacks may add and remove registrations (their own included) while
 * the loop dispatches: a removed registration is only marked dead and
 * freed after the current batch of events has been handled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "vlog.h"

#define LOOP_MAX_EVENTS 32

struct loop_entry {
	int fd;
	bool dead;
	loop_cb_t cb;
	void *opaque;
	struct loop_entry *next;
};

static int epfd = -1;
static bool quit;
static int quit_status;
static struct loop_entry *entries;

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	return 0;
}

/**
 * loop_add() - Watch @fd for input and call @cb when it is readable.
 * @fd: file descriptor.
 * @cb: callback.
 * @opaque: passed to @cb.
 *
 * Return: 0 or -errno.
 */
int loop_add(int fd, loop_cb_t cb, void *opaque)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct loop_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->cb = cb;
	e->opaque = opaque;
	ev.data.ptr = e;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int rc = -errno;

		free(e);
		return rc;
	}
	e->next = entries;
	entries = e;
	return 0;
}

/**
 * loop_del() - Stop watching @fd. Does not close it.
 * @fd: file descriptor given to loop_add().
 */
void loop_del(int fd)
{
	struct loop_entry *e;

	for (e = entries; e; e = e->next) {
		if (e->fd == fd && !e->dead) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
			e->dead = true;
			return;
		}
	}
}

static void loop_reap(void)
{
	struct loop_entry **pp = &entries;

	while (*pp) {
		struct loop_entry *e = *pp;

		if (e->dead) {
			*pp = e->next;
			free(e);
		} else {
			pp = &e->next;
		}
	}
}

void loop_quit(int status)
{
	quit = true;
	quit_status = status;
}

/**
 * loop_run() - Dispatch events until loop_quit() is called.
 *
 * Return: the status given to loop_quit(), or 1 if epoll fails.
 */
int loop_run(void)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	while (!quit) {
		int i, n = epoll_wait(epfd, evs, LOOP_MAX_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			vlog_err("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n && !quit; i++) {
			struct loop_entry *e = evs[i].data.ptr;

			if (!e->dead)
				e->cb(e->fd, evs[i].events, e->opaque);
		}
		loop_reap();
	}
	return quit_status;
}
