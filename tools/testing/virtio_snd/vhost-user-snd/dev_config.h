/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device description: what streams, jacks and channel maps the
 * device offers.  Parsed from a small INI-like text file (README.md).
 */
#ifndef VUS_DEV_CONFIG_H
#define VUS_DEV_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fault.h"

#define DEVCFG_MAX_STREAMS	64
#define DEVCFG_MAX_JACKS	64
#define DEVCFG_MAX_CHMAPS	64
#define DEVCFG_MAX_POSITIONS	18	/* VIRTIO_SND_CHMAP_MAX_SIZE */
#define DEVCFG_MAX_CONTROLS	64
#define DEVCFG_MAX_ENUM_ITEMS	32
#define DEVCFG_MAX_TLV_WORDS	64
#define DEVCFG_MAX_VALUES	512	/* BYTES elements hold 512 members */

struct devcfg_stream {
	uint32_t nid;
	uint8_t direction;
	uint64_t formats;	/* 1 << VIRTIO_SND_PCM_FMT_* */
	uint64_t rates;		/* 1 << VIRTIO_SND_PCM_RATE_* */
	uint32_t features;	/* 1 << VIRTIO_SND_PCM_F_* */
	uint8_t channels_min;
	uint8_t channels_max;
};

struct devcfg_jack {
	uint32_t nid;
	uint32_t features;
	uint32_t defconf;
	uint32_t caps;
	bool connected;
};

struct devcfg_chmap {
	uint32_t nid;
	uint8_t direction;
	uint8_t channels;
	uint8_t positions[DEVCFG_MAX_POSITIONS];
};

/**
 * struct devcfg_control - One control element (VIRTIO_SND_F_CTLS).
 * @nid: hda_fn_nid.
 * @role: encoded role: (VIRTIO_SND_CTL_ROLE_* << 1) | direction, or 0.
 * @type: VIRTIO_SND_CTL_TYPE_*.
 * @access: 1 << VIRTIO_SND_CTL_ACCESS_* bits.
 * @count: number of members.
 * @index: index for equal names.
 * @name: element name.
 * @min: INTEGER/INTEGER64 minimum.
 * @max: INTEGER/INTEGER64 maximum.
 * @step: INTEGER/INTEGER64 step (0: variable).
 * @nitems: ENUMERATED item count.
 * @items: ENUMERATED item names.
 * @ninit: number of @init values given.
 * @init: initial member values (BYTES, IEC958: byte values).
 * @ntlv: number of @tlv words.
 * @tlv: initial metadata, as le32 words: type, length, values.
 */
struct devcfg_control {
	uint32_t nid;
	uint32_t role;
	uint32_t type;
	uint32_t access;
	uint32_t count;
	uint32_t index;
	char name[44];
	int64_t min, max, step;
	unsigned int nitems;
	char items[DEVCFG_MAX_ENUM_ITEMS][64];
	unsigned int ninit;
	int64_t init[DEVCFG_MAX_VALUES];
	unsigned int ntlv;
	uint32_t tlv[DEVCFG_MAX_TLV_WORDS];
};

/**
 * struct devcfg - Device description.
 * @queue_size: largest virtqueue size accepted from the front-end.
 * @nstreams: number of @streams.
 * @njacks: number of @jacks.
 * @nchmaps: number of @chmaps.
 * @streams: PCM streams, in stream id order.
 * @jacks: jacks, in jack id order.
 * @chmaps: channel maps, in chmap id order.
 * @ncontrols: number of @controls; VIRTIO_SND_F_CTLS is offered if not 0.
 * @controls: control elements, in control id order.
 * @adv_streams: streams count in the config space (fault: may exceed @nstreams).
 * @adv_jacks: jacks count in the config space.
 * @adv_chmaps: chmaps count in the config space.
 * @adv_controls: controls count in the config space.
 * @adv_set: which adv_* the file set.
 * @nfaults: number of @faults.
 * @faults: faults armed at start-up.
 *
 */
struct devcfg {
	unsigned int queue_size;
	unsigned int nstreams, njacks, nchmaps;
	uint32_t adv_streams, adv_jacks, adv_chmaps, adv_controls;
	bool adv_set[4];
	unsigned int nfaults;
	struct fault faults[FAULT_MAX];
	struct devcfg_stream streams[DEVCFG_MAX_STREAMS];
	struct devcfg_jack jacks[DEVCFG_MAX_JACKS];
	struct devcfg_chmap chmaps[DEVCFG_MAX_CHMAPS];
	unsigned int ncontrols;
	struct devcfg_control controls[DEVCFG_MAX_CONTROLS];
};

void devcfg_default(struct devcfg *cfg);
int devcfg_load(struct devcfg *cfg, const char *path);
void devcfg_dump(const struct devcfg *cfg);

#endif /* VUS_DEV_CONFIG_H */
