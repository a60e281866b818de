// SPDX-License-Identifier: GPL-2.0
/*
 * Tables indexed by the virtio sound enum values (see the uapi header).
 */
#include <stddef.h>
#include <strings.h>

#include <linux/virtio_snd.h>

#include "snd_tables.h"

static const struct {
	const char *name;
	unsigned int phys_bits;
} snd_formats[SND_NUM_FORMATS] = {
	[VIRTIO_SND_PCM_FMT_IMA_ADPCM] = { "IMA_ADPCM", 4 },
	[VIRTIO_SND_PCM_FMT_MU_LAW] = { "MU_LAW", 8 },
	[VIRTIO_SND_PCM_FMT_A_LAW] = { "A_LAW", 8 },
	[VIRTIO_SND_PCM_FMT_S8] = { "S8", 8 },
	[VIRTIO_SND_PCM_FMT_U8] = { "U8", 8 },
	[VIRTIO_SND_PCM_FMT_S16] = { "S16", 16 },
	[VIRTIO_SND_PCM_FMT_U16] = { "U16", 16 },
	[VIRTIO_SND_PCM_FMT_S18_3] = { "S18_3", 24 },
	[VIRTIO_SND_PCM_FMT_U18_3] = { "U18_3", 24 },
	[VIRTIO_SND_PCM_FMT_S20_3] = { "S20_3", 24 },
	[VIRTIO_SND_PCM_FMT_U20_3] = { "U20_3", 24 },
	[VIRTIO_SND_PCM_FMT_S24_3] = { "S24_3", 24 },
	[VIRTIO_SND_PCM_FMT_U24_3] = { "U24_3", 24 },
	[VIRTIO_SND_PCM_FMT_S20] = { "S20", 32 },
	[VIRTIO_SND_PCM_FMT_U20] = { "U20", 32 },
	[VIRTIO_SND_PCM_FMT_S24] = { "S24", 32 },
	[VIRTIO_SND_PCM_FMT_U24] = { "U24", 32 },
	[VIRTIO_SND_PCM_FMT_S32] = { "S32", 32 },
	[VIRTIO_SND_PCM_FMT_U32] = { "U32", 32 },
	[VIRTIO_SND_PCM_FMT_FLOAT] = { "FLOAT", 32 },
	[VIRTIO_SND_PCM_FMT_FLOAT64] = { "FLOAT64", 64 },
	[VIRTIO_SND_PCM_FMT_DSD_U8] = { "DSD_U8", 8 },
	[VIRTIO_SND_PCM_FMT_DSD_U16] = { "DSD_U16", 16 },
	[VIRTIO_SND_PCM_FMT_DSD_U32] = { "DSD_U32", 32 },
	[VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME] = { "IEC958_SUBFRAME", 32 },
};

static const unsigned int snd_rates[SND_NUM_RATES] = {
	[VIRTIO_SND_PCM_RATE_5512] = 5512,
	[VIRTIO_SND_PCM_RATE_8000] = 8000,
	[VIRTIO_SND_PCM_RATE_11025] = 11025,
	[VIRTIO_SND_PCM_RATE_16000] = 16000,
	[VIRTIO_SND_PCM_RATE_22050] = 22050,
	[VIRTIO_SND_PCM_RATE_32000] = 32000,
	[VIRTIO_SND_PCM_RATE_44100] = 44100,
	[VIRTIO_SND_PCM_RATE_48000] = 48000,
	[VIRTIO_SND_PCM_RATE_64000] = 64000,
	[VIRTIO_SND_PCM_RATE_88200] = 88200,
	[VIRTIO_SND_PCM_RATE_96000] = 96000,
	[VIRTIO_SND_PCM_RATE_176400] = 176400,
	[VIRTIO_SND_PCM_RATE_192000] = 192000,
	[VIRTIO_SND_PCM_RATE_384000] = 384000,
	[VIRTIO_SND_PCM_RATE_12000] = 12000,
	[VIRTIO_SND_PCM_RATE_24000] = 24000,
};

static const char *const snd_pcm_features[SND_NUM_PCM_FEATURES] = {
	[VIRTIO_SND_PCM_F_SHMEM_HOST] = "shmem_host",
	[VIRTIO_SND_PCM_F_SHMEM_GUEST] = "shmem_guest",
	[VIRTIO_SND_PCM_F_MSG_POLLING] = "msg_polling",
	[VIRTIO_SND_PCM_F_EVT_SHMEM_PERIODS] = "evt_shmem_periods",
	[VIRTIO_SND_PCM_F_EVT_XRUNS] = "evt_xruns",
};

static const char *const snd_positions[SND_NUM_POSITIONS] = {
	"NONE", "NA", "MONO", "FL", "FR", "RL", "RR", "FC", "LFE", "SL", "SR",
	"RC", "FLC", "FRC", "RLC", "RRC", "FLW", "FRW", "FLH", "FCH", "FRH",
	"TC", "TFL", "TFR", "TFC", "TRL", "TRR", "TRC", "TFLC", "TFRC", "TSL",
	"TSR", "LLFE", "RLFE", "BC", "BLC", "BRC",
};

int snd_format_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < SND_NUM_FORMATS; i++)
		if (!strcasecmp(name, snd_formats[i].name))
			return i;
	return -1;
}

const char *snd_format_name(unsigned int fmt)
{
	return fmt < SND_NUM_FORMATS ? snd_formats[fmt].name : "?";
}

/**
 * snd_format_phys_bits() - Bits one sample of @fmt occupies in memory.
 * @fmt: VIRTIO_SND_PCM_FMT_* value.
 *
 * Return: physical width in bits, or 0 for an undefined format.
 */
unsigned int snd_format_phys_bits(unsigned int fmt)
{
	return fmt < SND_NUM_FORMATS ? snd_formats[fmt].phys_bits : 0;
}

int snd_rate_by_hz(unsigned long hz)
{
	unsigned int i;

	for (i = 0; i < SND_NUM_RATES; i++)
		if (snd_rates[i] == hz)
			return i;
	return -1;
}

unsigned int snd_rate_hz(unsigned int rate)
{
	return rate < SND_NUM_RATES ? snd_rates[rate] : 0;
}

int snd_pcm_feature_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < SND_NUM_PCM_FEATURES; i++)
		if (!strcasecmp(name, snd_pcm_features[i]))
			return i;
	return -1;
}

int snd_position_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < SND_NUM_POSITIONS; i++)
		if (!strcasecmp(name, snd_positions[i]))
			return i;
	return -1;
}
