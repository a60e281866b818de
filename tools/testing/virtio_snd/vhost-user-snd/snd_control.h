/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control elements (VIRTIO_SND_F_CTLS): CTL_INFO, CTL_ENUM_ITEMS,
 * CTL_READ/WRITE and the TLV requests, with values held by the device.
 */
#ifndef VUS_SND_CONTROL_H
#define VUS_SND_CONTROL_H

#include <stdint.h>

#include "snd_dev.h"

int snd_control_init(struct snd_dev *snd);
uint32_t snd_control_ctl(struct snd_dev *snd, struct snd_ctl_req *r);
int snd_control_set(struct snd_dev *snd, uint32_t id, const int64_t *vals,
		    unsigned int n);
void snd_control_fault_noterm(struct snd_dev *snd, struct snd_ctl_req *r);
int snd_control_notify(struct snd_dev *snd, uint32_t id, uint32_t mask);
int snd_control_set_range(struct snd_dev *snd, uint32_t id, int64_t min,
			  int64_t max, int64_t step);

#endif /* VUS_SND_CONTROL_H */
