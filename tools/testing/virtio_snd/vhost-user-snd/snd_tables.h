/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names and sizes of the virtio sound enums: formats, rates, stream
 * features, channel positions.  Shared by the config parser and the
 * device model.
 */
#ifndef VUS_SND_TABLES_H
#define VUS_SND_TABLES_H

#include <stdint.h>

#define SND_NUM_FORMATS		25
#define SND_NUM_RATES		16
#define SND_NUM_PCM_FEATURES	5
#define SND_NUM_POSITIONS	37

int snd_format_by_name(const char *name);
const char *snd_format_name(unsigned int fmt);
unsigned int snd_format_phys_bits(unsigned int fmt);
int snd_rate_by_hz(unsigned long hz);
unsigned int snd_rate_hz(unsigned int rate);
int snd_pcm_feature_by_name(const char *name);
int snd_position_by_name(const char *name);

#endif /* VUS_SND_TABLES_H */
