/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics on stderr, and the spec-violation log: one line for every
 * request by which the driver broke the spec.  Tests assert that the
 * violation log is empty.
 */
#ifndef VUS_VLOG_H
#define VUS_VLOG_H

#include <stdarg.h>

extern int vlog_verbosity;

int vlog_open_violations(const char *path);
unsigned long vlog_violation_count(void);

void vlog_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vlog_violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define vlog_err(...)	vlog_msg(0, __VA_ARGS__)
#define vlog_info(...)	vlog_msg(1, __VA_ARGS__)
#define vlog_dbg(...)	vlog_msg(2, __VA_ARGS__)
#define vlog_io(...)	vlog_msg(3, __VA_ARGS__)

#endif /* VUS_VLOG_H */
