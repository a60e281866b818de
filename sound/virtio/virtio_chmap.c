// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * Channel maps: CHMAP_INFO -> read-only ALSA chmap controls, one per PCM
 * device and direction.
 */
#include <linux/virtio_config.h>

#include "virtio_card.h"

/* virtio channel position -> ALSA channel position */
static const u8 virtsnd_chmap_positions[] = {
	[VIRTIO_SND_CHMAP_NONE] = SNDRV_CHMAP_UNKNOWN,
	[VIRTIO_SND_CHMAP_NA] = SNDRV_CHMAP_NA,
	[VIRTIO_SND_CHMAP_MONO] = SNDRV_CHMAP_MONO,
	[VIRTIO_SND_CHMAP_FL] = SNDRV_CHMAP_FL,
	[VIRTIO_SND_CHMAP_FR] = SNDRV_CHMAP_FR,
	[VIRTIO_SND_CHMAP_RL] = SNDRV_CHMAP_RL,
	[VIRTIO_SND_CHMAP_RR] = SNDRV_CHMAP_RR,
	[VIRTIO_SND_CHMAP_FC] = SNDRV_CHMAP_FC,
	[VIRTIO_SND_CHMAP_LFE] = SNDRV_CHMAP_LFE,
	[VIRTIO_SND_CHMAP_SL] = SNDRV_CHMAP_SL,
	[VIRTIO_SND_CHMAP_SR] = SNDRV_CHMAP_SR,
	[VIRTIO_SND_CHMAP_RC] = SNDRV_CHMAP_RC,
	[VIRTIO_SND_CHMAP_FLC] = SNDRV_CHMAP_FLC,
	[VIRTIO_SND_CHMAP_FRC] = SNDRV_CHMAP_FRC,
	[VIRTIO_SND_CHMAP_RLC] = SNDRV_CHMAP_RLC,
	[VIRTIO_SND_CHMAP_RRC] = SNDRV_CHMAP_RRC,
	[VIRTIO_SND_CHMAP_FLW] = SNDRV_CHMAP_FLW,
	[VIRTIO_SND_CHMAP_FRW] = SNDRV_CHMAP_FRW,
	[VIRTIO_SND_CHMAP_FLH] = SNDRV_CHMAP_FLH,
	[VIRTIO_SND_CHMAP_FCH] = SNDRV_CHMAP_FCH,
	[VIRTIO_SND_CHMAP_FRH] = SNDRV_CHMAP_FRH,
	[VIRTIO_SND_CHMAP_TC] = SNDRV_CHMAP_TC,
	[VIRTIO_SND_CHMAP_TFL] = SNDRV_CHMAP_TFL,
	[VIRTIO_SND_CHMAP_TFR] = SNDRV_CHMAP_TFR,
	[VIRTIO_SND_CHMAP_TFC] = SNDRV_CHMAP_TFC,
	[VIRTIO_SND_CHMAP_TRL] = SNDRV_CHMAP_TRL,
	[VIRTIO_SND_CHMAP_TRR] = SNDRV_CHMAP_TRR,
	[VIRTIO_SND_CHMAP_TRC] = SNDRV_CHMAP_TRC,
	[VIRTIO_SND_CHMAP_TFLC] = SNDRV_CHMAP_TFLC,
	[VIRTIO_SND_CHMAP_TFRC] = SNDRV_CHMAP_TFRC,
	[VIRTIO_SND_CHMAP_TSL] = SNDRV_CHMAP_TSL,
	[VIRTIO_SND_CHMAP_TSR] = SNDRV_CHMAP_TSR,
	[VIRTIO_SND_CHMAP_LLFE] = SNDRV_CHMAP_LLFE,
	[VIRTIO_SND_CHMAP_RLFE] = SNDRV_CHMAP_RLFE,
	[VIRTIO_SND_CHMAP_BC] = SNDRV_CHMAP_BC,
	[VIRTIO_SND_CHMAP_BLC] = SNDRV_CHMAP_BLC,
	[VIRTIO_SND_CHMAP_BRC] = SNDRV_CHMAP_BRC,
};

/* ALSA's snd_pcm_chmap_elem holds at most this many positions */
#define VIRTSND_CHMAP_ALSA_MAX	\
	ARRAY_SIZE(((struct snd_pcm_chmap_elem *)NULL)->map)

/* Check one map; a bad one is dropped (channels = 0), not fatal. */
static void virtsnd_chmap_check(struct virtio_snd *snd, u32 id,
				struct virtio_snd_chmap_info *info)
{
	struct device *dev = &snd->vdev->dev;
	unsigned int i;

	if (info->direction != VIRTIO_SND_D_OUTPUT &&
	    info->direction != VIRTIO_SND_D_INPUT) {
		dev_warn(dev, "chmap %u: invalid direction %u, ignored\n", id,
			 info->direction);
		goto drop;
	}

	if (!info->channels || info->channels > VIRTIO_SND_CHMAP_MAX_SIZE ||
	    info->channels > VIRTSND_CHMAP_ALSA_MAX) {
		dev_warn(dev, "chmap %u: unsupported channel count %u, ignored\n",
			 id, info->channels);
		goto drop;
	}

	for (i = 0; i < info->channels; i++) {
		if (info->positions[i] >= ARRAY_SIZE(virtsnd_chmap_positions)) {
			dev_warn(dev, "chmap %u: invalid position %u, ignored\n",
				 id, info->positions[i]);
			goto drop;
		}
	}
	return;

drop:
	info->channels = 0;
}

/**
 * virtsnd_chmap_parse_cfg() - query the channel maps
 * @snd: the card
 *
 * Channel maps are optional: a device that fails CHMAP_INFO (QEMU answers
 * NOT_SUPP) gives a card without them.
 *
 * Context: process context (probe), may sleep.
 * Return: 0 or a negative error code (only for a bad configuration space
 * value or no memory).
 */
int virtsnd_chmap_parse_cfg(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	u32 count, i;
	int rc;

	virtio_cread_le(vdev, struct virtio_snd_config, chmaps, &count);
	if (!count)
		return 0;
	if (count > VIRTIO_SND_CHMAPS_MAX) {
		dev_err(&vdev->dev, "invalid number of channel maps %u (max %u)\n",
			count, VIRTIO_SND_CHMAPS_MAX);
		return -EINVAL;
	}

	snd->chmaps = devm_kcalloc(&vdev->dev, count, sizeof(*snd->chmaps),
				   GFP_KERNEL);
	if (!snd->chmaps)
		return -ENOMEM;

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_CHMAP_INFO, 0, count,
				    sizeof(*snd->chmaps), snd->chmaps);
	if (rc) {
		dev_info(&vdev->dev,
			 "CHMAP_INFO failed (%d): continuing without channel maps\n",
			 rc);
		return 0;
	}

	for (i = 0; i < count; i++)
		virtsnd_chmap_check(snd, i, &snd->chmaps[i]);
	snd->nchmaps = count;

	return 0;
}

static int virtsnd_chmap_stream_dir(u8 direction)
{
	return direction == VIRTIO_SND_D_OUTPUT ? SNDRV_PCM_STREAM_PLAYBACK :
						  SNDRV_PCM_STREAM_CAPTURE;
}

/* Build the zero-terminated ALSA map list of one PCM device direction. */
static int virtsnd_chmap_build_stream(struct virtio_snd *snd,
				      struct virtio_pcm *vpcm, int dir)
{
	struct virtio_pcm_stream *s = &vpcm->streams[dir];
	unsigned int max_channels = 0;
	u32 i, n = 0;

	for (i = 0; i < snd->nchmaps; i++) {
		struct virtio_snd_chmap_info *info = &snd->chmaps[i];

		if (info->channels &&
		    le32_to_cpu(info->hdr.hda_fn_nid) == vpcm->nid &&
		    virtsnd_chmap_stream_dir(info->direction) == dir)
			s->nchmaps++;
	}
	if (!s->nchmaps || !s->nsubstreams)
		return 0;

	s->chmaps = devm_kcalloc(&snd->vdev->dev, s->nchmaps + 1,
				 sizeof(*s->chmaps), GFP_KERNEL);
	if (!s->chmaps)
		return -ENOMEM;

	for (i = 0; i < snd->nchmaps; i++) {
		struct virtio_snd_chmap_info *info = &snd->chmaps[i];
		struct snd_pcm_chmap_elem *elem = &s->chmaps[n];
		unsigned int c;

		if (!info->channels ||
		    le32_to_cpu(info->hdr.hda_fn_nid) != vpcm->nid ||
		    virtsnd_chmap_stream_dir(info->direction) != dir)
			continue;

		elem->channels = info->channels;
		for (c = 0; c < info->channels; c++)
			elem->map[c] =
				virtsnd_chmap_positions[info->positions[c]];
		max_channels = max_t(unsigned int, max_channels,
				     info->channels);
		n++;
	}

	/*
	 * Only the maps bound the control size: ALSA's chmap get writes
	 * max_channels values into a fixed array, so a channel count from
	 * the stream information must not reach it.
	 */
	return snd_pcm_add_chmap_ctls(vpcm->pcm, dir, s->chmaps, max_channels,
				      0, NULL);
}

/**
 * virtsnd_chmap_build_devs() - add the chmap controls to the PCM devices
 * @snd: the card
 *
 * Context: process context (probe), after virtsnd_pcm_build_devs().
 * Return: 0 or a negative error code.
 */
int virtsnd_chmap_build_devs(struct virtio_snd *snd)
{
	struct virtio_pcm *vpcm;
	u32 i;
	int dir, rc;

	for (i = 0; i < snd->nchmaps; i++)
		if (snd->chmaps[i].channels &&
		    !virtsnd_pcm_find(snd,
				      le32_to_cpu(snd->chmaps[i].hdr.hda_fn_nid)))
			dev_warn(&snd->vdev->dev,
				 "chmap %u: no PCM device for function group %u\n",
				 i, le32_to_cpu(snd->chmaps[i].hdr.hda_fn_nid));

	list_for_each_entry(vpcm, &snd->pcm_list, list) {
		for (dir = 0; dir <= SNDRV_PCM_STREAM_LAST; dir++) {
			rc = virtsnd_chmap_build_stream(snd, vpcm, dir);
			if (rc)
				return rc;
		}
	}

	return 0;
}
