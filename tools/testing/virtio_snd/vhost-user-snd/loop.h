/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single-threaded epoll event loop: every file descriptor the back-end
 * waits on (vhost-user socket, kick eventfds, stream timerfds) is one
 * registration with a callback.
 */
#ifndef VUS_LOOP_H
#define VUS_LOOP_H

#include <stdbool.h>

typedef void (*loop_cb_t)(int fd, unsigned int events, void *opaque);

int loop_init(void);
int loop_add(int fd, loop_cb_t cb, void *opaque);
void loop_del(int fd);
int loop_run(void);
void loop_quit(int status);

#endif /* VUS_LOOP_H */
