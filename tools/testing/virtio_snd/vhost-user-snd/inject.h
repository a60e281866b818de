/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command FIFO through which tests inject device events (jack plug,
 * xrun, raw events) while the guest runs.
 */
#ifndef VUS_INJECT_H
#define VUS_INJECT_H

struct snd_dev;

int inject_open(struct snd_dev *snd, const char *path);

#endif /* VUS_INJECT_H */
