// SPDX-License-Identifier: GPL-2.0+
/*
 * virtio-snd: Virtio sound device
 *
 * PCM stream information, hardware descriptors and the ALSA PCM devices
 * built from them (the stream commands are in virtio_pcm_cmd.c).
 */
#include <linux/moduleparam.h>
#include <linux/virtio_config.h>
#include <sound/pcm_params.h>

#include "virtio_card.h"

static unsigned int pcm_period_ms_min = 1;
module_param(pcm_period_ms_min, uint, 0444);
MODULE_PARM_DESC(pcm_period_ms_min, "Minimum period time in milliseconds (default 1)");

static unsigned int pcm_period_ms_max = 500;
module_param(pcm_period_ms_max, uint, 0444);
MODULE_PARM_DESC(pcm_period_ms_max, "Maximum period time in milliseconds (default 500)");

static unsigned int pcm_periods_min = 2;
module_param(pcm_periods_min, uint, 0444);
MODULE_PARM_DESC(pcm_periods_min, "Minimum number of periods (default 2)");

static unsigned int pcm_periods_max = 64;
module_param(pcm_periods_max, uint, 0444);
MODULE_PARM_DESC(pcm_periods_max, "Maximum number of periods (default 64)");

/*
 * A device may take data only in bursts (QEMU's audio timer ticks every
 * 10 ms).  With a buffer of two such bursts, an application that misses a
 * single tick (a guest that does not get the CPU for 10 ms) underruns
 * whatever the driver does; three leave it one tick of slack.  Small
 * periods stay usable, with enough of them.
 */
static unsigned int pcm_buffer_ms_min = 30;
module_param(pcm_buffer_ms_min, uint, 0444);
MODULE_PARM_DESC(pcm_buffer_ms_min, "Minimum buffer time in milliseconds (0 = none, default 30)");

/* Bounds for the module parameters above. */
#define VIRTSND_PERIOD_MS_LIMIT		2000
#define VIRTSND_PERIODS_LIMIT		1024
/* More channels than any sound hardware has: a device lying about it. */
#define VIRTSND_CHANNELS_MAX		64
/* No buffer larger than this, whatever the stream advertises. */
#define VIRTSND_BUFFER_BYTES_LIMIT	(64U << 20)

/*
 * One table for the sample formats, used in both directions: virtio format
 * (the index) to ALSA format, and ALSA format to virtio format by search.
 * All 25 virtio formats have an ALSA equivalent (virtio data is little
 * endian).
 */
static const snd_pcm_format_t virtsnd_formats[] = {
	[VIRTIO_SND_PCM_FMT_IMA_ADPCM] = SNDRV_PCM_FORMAT_IMA_ADPCM,
	[VIRTIO_SND_PCM_FMT_MU_LAW] = SNDRV_PCM_FORMAT_MU_LAW,
	[VIRTIO_SND_PCM_FMT_A_LAW] = SNDRV_PCM_FORMAT_A_LAW,
	[VIRTIO_SND_PCM_FMT_S8] = SNDRV_PCM_FORMAT_S8,
	[VIRTIO_SND_PCM_FMT_U8] = SNDRV_PCM_FORMAT_U8,
	[VIRTIO_SND_PCM_FMT_S16] = SNDRV_PCM_FORMAT_S16_LE,
	[VIRTIO_SND_PCM_FMT_U16] = SNDRV_PCM_FORMAT_U16_LE,
	[VIRTIO_SND_PCM_FMT_S18_3] = SNDRV_PCM_FORMAT_S18_3LE,
	[VIRTIO_SND_PCM_FMT_U18_3] = SNDRV_PCM_FORMAT_U18_3LE,
	[VIRTIO_SND_PCM_FMT_S20_3] = SNDRV_PCM_FORMAT_S20_3LE,
	[VIRTIO_SND_PCM_FMT_U20_3] = SNDRV_PCM_FORMAT_U20_3LE,
	[VIRTIO_SND_PCM_FMT_S24_3] = SNDRV_PCM_FORMAT_S24_3LE,
	[VIRTIO_SND_PCM_FMT_U24_3] = SNDRV_PCM_FORMAT_U24_3LE,
	[VIRTIO_SND_PCM_FMT_S20] = SNDRV_PCM_FORMAT_S20_LE,
	[VIRTIO_SND_PCM_FMT_U20] = SNDRV_PCM_FORMAT_U20_LE,
	[VIRTIO_SND_PCM_FMT_S24] = SNDRV_PCM_FORMAT_S24_LE,
	[VIRTIO_SND_PCM_FMT_U24] = SNDRV_PCM_FORMAT_U24_LE,
	[VIRTIO_SND_PCM_FMT_S32] = SNDRV_PCM_FORMAT_S32_LE,
	[VIRTIO_SND_PCM_FMT_U32] = SNDRV_PCM_FORMAT_U32_LE,
	[VIRTIO_SND_PCM_FMT_FLOAT] = SNDRV_PCM_FORMAT_FLOAT_LE,
	[VIRTIO_SND_PCM_FMT_FLOAT64] = SNDRV_PCM_FORMAT_FLOAT64_LE,
	[VIRTIO_SND_PCM_FMT_DSD_U8] = SNDRV_PCM_FORMAT_DSD_U8,
	[VIRTIO_SND_PCM_FMT_DSD_U16] = SNDRV_PCM_FORMAT_DSD_U16_LE,
	[VIRTIO_SND_PCM_FMT_DSD_U32] = SNDRV_PCM_FORMAT_DSD_U32_LE,
	[VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME] = SNDRV_PCM_FORMAT_IEC958_SUBFRAME_LE,
};

/* The same for the frame rates: virtio rate (the index) to Hz. */
static const unsigned int virtsnd_rates[] = {
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

/**
 * virtsnd_pcm_format_to_alsa() - map a virtio sample format to ALSA
 * @vfmt: VIRTIO_SND_PCM_FMT_* value
 * @format: the ALSA format on success
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a value the specification does not define.
 */
int virtsnd_pcm_format_to_alsa(unsigned int vfmt, snd_pcm_format_t *format)
{
	if (vfmt >= ARRAY_SIZE(virtsnd_formats))
		return -EINVAL;
	*format = virtsnd_formats[vfmt];
	return 0;
}

/**
 * virtsnd_pcm_format_from_alsa() - map an ALSA sample format to virtio
 * @format: ALSA format
 *
 * Context: any context.
 * Return: the VIRTIO_SND_PCM_FMT_* value, or -EINVAL.
 */
int virtsnd_pcm_format_from_alsa(snd_pcm_format_t format)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(virtsnd_formats); i++)
		if (virtsnd_formats[i] == format)
			return i;
	return -EINVAL;
}

/**
 * virtsnd_pcm_rate_from_hz() - map a frame rate in Hz to virtio
 * @hz: rate
 *
 * Context: any context.
 * Return: the VIRTIO_SND_PCM_RATE_* value, or -EINVAL.
 */
int virtsnd_pcm_rate_from_hz(unsigned int hz)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(virtsnd_rates); i++)
		if (virtsnd_rates[i] == hz)
			return i;
	return -EINVAL;
}

/**
 * virtsnd_pcm_validate() - check the PCM module parameters
 * @vdev: the device being probed
 *
 * Context: process context.
 * Return: 0, or -EINVAL with a message naming the bad parameter.
 */
int virtsnd_pcm_validate(struct virtio_device *vdev)
{
	if (!pcm_period_ms_min || pcm_period_ms_min > pcm_period_ms_max ||
	    pcm_period_ms_max > VIRTSND_PERIOD_MS_LIMIT) {
		dev_err(&vdev->dev,
			"invalid pcm_period_ms_min/max %u/%u (1 <= min <= max <= %u)\n",
			pcm_period_ms_min, pcm_period_ms_max,
			VIRTSND_PERIOD_MS_LIMIT);
		return -EINVAL;
	}

	/*
	 * In a single-period buffer the position could never move: every
	 * report would bring it back to where it was.
	 */
	if (pcm_periods_min < 2 || pcm_periods_min > pcm_periods_max ||
	    pcm_periods_max > VIRTSND_PERIODS_LIMIT) {
		dev_err(&vdev->dev,
			"invalid pcm_periods_min/max %u/%u (2 <= min <= max <= %u)\n",
			pcm_periods_min, pcm_periods_max,
			VIRTSND_PERIODS_LIMIT);
		return -EINVAL;
	}

	if ((u64)pcm_buffer_ms_min > (u64)pcm_period_ms_max * pcm_periods_max) {
		dev_err(&vdev->dev,
			"invalid pcm_buffer_ms_min %u (at most pcm_period_ms_max * pcm_periods_max)\n",
			pcm_buffer_ms_min);
		return -EINVAL;
	}

	return 0;
}

/*
 * The formats ALSA knows of @formats (the device's bits) into the hardware
 * descriptor; their smallest and largest sample width.  Returns false if
 * none is usable.
 */
static bool virtsnd_pcm_hw_formats(struct virtio_pcm_substream *vss,
				   u64 formats, unsigned int *bits_min,
				   unsigned int *bits_max)
{
	unsigned int i;

	*bits_min = UINT_MAX;
	*bits_max = 0;
	for (i = 0; i < ARRAY_SIZE(virtsnd_formats); i++) {
		int bits;

		if (!(formats & BIT_ULL(i)))
			continue;
		bits = snd_pcm_format_physical_width(virtsnd_formats[i]);
		if (bits <= 0)
			continue;
		vss->hw.formats |= pcm_format_to_bits(virtsnd_formats[i]);
		*bits_min = min_t(unsigned int, *bits_min, bits);
		*bits_max = max_t(unsigned int, *bits_max, bits);
	}

	return vss->hw.formats;
}

/*
 * The rates of @rates (the device's bits) into the hardware descriptor and
 * the stream's rate list.  Returns false if there is none.
 */
static bool virtsnd_pcm_hw_rates(struct virtio_pcm_substream *vss, u64 rates)
{
	unsigned int i;

	vss->hw.rate_min = UINT_MAX;
	vss->hw.rate_max = 0;
	for (i = 0; i < ARRAY_SIZE(virtsnd_rates); i++) {
		if (!(rates & BIT_ULL(i)))
			continue;
		/* KNOT for rates ALSA has no bit for (12000/24000 on old kernels) */
		vss->hw.rates |= snd_pcm_rate_to_rate_bit(virtsnd_rates[i]);
		vss->rates[vss->nrates++] = virtsnd_rates[i];
		vss->hw.rate_min = min(vss->hw.rate_min, virtsnd_rates[i]);
		vss->hw.rate_max = max(vss->hw.rate_max, virtsnd_rates[i]);
	}
	vss->rate_list.count = vss->nrates;
	vss->rate_list.list = vss->rates;

	return vss->nrates;
}

/*
 * Period and buffer byte limits from the stream's own extremes (64-bit
 * math): the smallest period is pcm_period_ms_min at the smallest rate,
 * sample width and channel count; the largest is pcm_period_ms_max at the
 * largest ones.  The PERIOD_TIME constraint added at open time then
 * applies the time limits at the rate actually chosen.
 *
 * A period is one descriptor chain (header, one descriptor per page of
 * the vmalloc'ed buffer, status), and a chain may not be longer than the
 * queue, indirect descriptors or not (virtio 1.3, 2.7.5.3.1).  A period
 * that does not start on a page touches one page more than its length
 * needs.
 */
static void virtsnd_pcm_hw_bytes(struct virtio_pcm_substream *vss,
				 unsigned int bits_min, unsigned int bits_max)
{
	unsigned int descs = virtqueue_get_vring_size(vss->queue->vqueue);
	struct snd_pcm_hardware *hw = &vss->hw;
	u64 period_min, period_max, buffer_max;

	hw->periods_min = pcm_periods_min;
	hw->periods_max = pcm_periods_max;

	period_min = div_u64((u64)hw->rate_min * bits_min * hw->channels_min *
			     pcm_period_ms_min, 8 * MSEC_PER_SEC);
	period_max = DIV_ROUND_UP_ULL((u64)hw->rate_max * bits_max *
				      hw->channels_max * pcm_period_ms_max,
				      8 * MSEC_PER_SEC);
	if (descs > 3)
		period_max = min_t(u64, period_max, (u64)(descs - 3) * PAGE_SIZE);
	buffer_max = min_t(u64, period_max * pcm_periods_max,
			   VIRTSND_BUFFER_BYTES_LIMIT);
	period_max = min_t(u64, period_max, buffer_max / pcm_periods_min);

	hw->period_bytes_min = max_t(u64, period_min, 1);
	hw->period_bytes_max = period_max;
	hw->buffer_bytes_max = buffer_max;
}

/* Fill the hardware descriptor of a stream from what the device advertises. */
static int virtsnd_pcm_build_hw(struct virtio_pcm_substream *vss,
				const struct virtio_snd_pcm_info *info)
{
	struct device *dev = &vss->snd->vdev->dev;
	u64 formats = le64_to_cpu(info->formats);
	u64 rates = le64_to_cpu(info->rates);
	unsigned int bits_min, bits_max;

	if (formats & ~GENMASK_ULL(ARRAY_SIZE(virtsnd_formats) - 1, 0))
		dev_warn(dev, "stream %u: ignoring unknown formats 0x%llx\n",
			 vss->sid, formats);
	if (rates & ~GENMASK_ULL(ARRAY_SIZE(virtsnd_rates) - 1, 0))
		dev_warn(dev, "stream %u: ignoring unknown rates 0x%llx\n",
			 vss->sid, rates);

	vss->hw.info = SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID |
		       SNDRV_PCM_INFO_INTERLEAVED |
		       SNDRV_PCM_INFO_BLOCK_TRANSFER |
		       /* the position moves by whole periods */
		       SNDRV_PCM_INFO_BATCH |
		       SNDRV_PCM_INFO_PAUSE |
		       /* a queued period cannot be taken back */
		       SNDRV_PCM_INFO_NO_REWINDS |
		       /* .ack must see every appl_ptr move */
		       SNDRV_PCM_INFO_SYNC_APPLPTR |
		       /* trigger(DRAIN) sends the partial last period */
		       SNDRV_PCM_INFO_DRAIN_TRIGGER;

	if (!virtsnd_pcm_hw_formats(vss, formats, &bits_min, &bits_max) ||
	    !virtsnd_pcm_hw_rates(vss, rates)) {
		dev_err(dev, "stream %u: no supported format (0x%llx) or rate (0x%llx)\n",
			vss->sid, formats, rates);
		return -EINVAL;
	}

	if (!info->channels_min || info->channels_min > info->channels_max ||
	    info->channels_min > VIRTSND_CHANNELS_MAX) {
		dev_err(dev, "stream %u: invalid channel range %u..%u\n",
			vss->sid, info->channels_min, info->channels_max);
		return -EINVAL;
	}
	vss->hw.channels_min = info->channels_min;
	vss->hw.channels_max = min_t(unsigned int, info->channels_max,
				     VIRTSND_CHANNELS_MAX);
	if (info->channels_max > VIRTSND_CHANNELS_MAX)
		dev_warn(dev, "stream %u: %u channels, limited to %u\n",
			 vss->sid, info->channels_max, VIRTSND_CHANNELS_MAX);

	virtsnd_pcm_hw_bytes(vss, bits_min, bits_max);

	return 0;
}

/**
 * virtsnd_pcm_open_constraints() - add the runtime constraints of a stream
 * @vss: the stream
 * @runtime: runtime of the substream being opened
 *
 * Integer number of periods (so the period divides the buffer, as the
 * specification requires), period and buffer time limits, and the exact
 * rate list.
 *
 * Context: process context (PCM open).
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_open_constraints(struct virtio_pcm_substream *vss,
				 struct snd_pcm_runtime *runtime)
{
	int rc;

	rc = snd_pcm_hw_constraint_integer(runtime, SNDRV_PCM_HW_PARAM_PERIODS);
	if (rc < 0)
		return rc;

	rc = snd_pcm_hw_constraint_minmax(runtime,
					  SNDRV_PCM_HW_PARAM_PERIOD_TIME,
					  pcm_period_ms_min * USEC_PER_MSEC,
					  pcm_period_ms_max * USEC_PER_MSEC);
	if (rc < 0)
		return rc;

	rc = snd_pcm_hw_constraint_minmax(runtime,
					  SNDRV_PCM_HW_PARAM_BUFFER_TIME,
					  pcm_buffer_ms_min * USEC_PER_MSEC,
					  UINT_MAX);
	if (rc < 0)
		return rc;

	/* ALSA keeps the pointer: the list lives as long as the stream */
	return snd_pcm_hw_constraint_list(runtime, 0, SNDRV_PCM_HW_PARAM_RATE,
					  &vss->rate_list);
}

static int virtsnd_pcm_check_info(struct virtio_snd *snd, u32 sid,
				  const struct virtio_snd_pcm_info *info)
{
	if (info->direction != VIRTIO_SND_D_OUTPUT &&
	    info->direction != VIRTIO_SND_D_INPUT) {
		dev_err(&snd->vdev->dev, "stream %u: invalid direction %u\n",
			sid, info->direction);
		return -EINVAL;
	}
	return 0;
}

/* Everything of a stream that must hold before its info is known. */
static void virtsnd_pcm_init_substream(struct virtio_snd *snd, u32 sid)
{
	struct virtio_pcm_substream *vss = &snd->substreams[sid];

	vss->snd = snd;
	vss->sid = sid;
	vss->state = VIRTSND_PCM_S_IDLE;
	/* until the direction is known; rings are empty anyway */
	vss->queue = virtsnd_tx_queue(snd);
	mutex_init(&vss->cmd_mutex);
	init_waitqueue_head(&vss->msg_empty);
	INIT_LIST_HEAD(&vss->wait_node);
	INIT_WORK(&vss->elapsed_work, virtsnd_pcm_elapsed_work);
	INIT_WORK(&vss->drain_work, virtsnd_pcm_drain_work);
}

/* PCM_INFO of every stream, checked, into its hardware descriptor. */
static int virtsnd_pcm_read_info(struct virtio_snd *snd)
{
	struct device *dev = &snd->vdev->dev;
	struct virtio_snd_pcm_info *info;
	u32 i;
	int rc;

	info = kcalloc(snd->nsubstreams, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	rc = virtsnd_ctl_query_info(snd, VIRTIO_SND_R_PCM_INFO, 0,
				    snd->nsubstreams, sizeof(*info), info);
	if (rc) {
		dev_err(dev, "PCM_INFO request failed: %d\n", rc);
		goto out;
	}

	for (i = 0; i < snd->nsubstreams; i++) {
		struct virtio_pcm_substream *vss = &snd->substreams[i];

		vss->nid = le32_to_cpu(info[i].hdr.hda_fn_nid);
		vss->features = le32_to_cpu(info[i].features);
		vss->direction = info[i].direction;

		rc = virtsnd_pcm_check_info(snd, i, &info[i]);
		if (rc)
			goto out;
		vss->queue = vss->direction == VIRTIO_SND_D_OUTPUT ?
			     virtsnd_tx_queue(snd) : virtsnd_rx_queue(snd);
		rc = virtsnd_pcm_build_hw(vss, &info[i]);
		if (rc)
			goto out;
	}
out:
	kfree(info);
	return rc;
}

/**
 * virtsnd_pcm_parse_cfg() - query and validate the PCM stream information
 * @snd: the card
 *
 * Context: process context (probe), may sleep.
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_parse_cfg(struct virtio_snd *snd)
{
	struct virtio_device *vdev = snd->vdev;
	u32 count, i;

	virtio_cread_le(vdev, struct virtio_snd_config, streams, &count);
	if (!count)
		return 0;
	if (count > VIRTIO_SND_STREAMS_MAX) {
		dev_err(&vdev->dev, "invalid number of streams %u (max %u)\n",
			count, VIRTIO_SND_STREAMS_MAX);
		return -EINVAL;
	}

	snd->substreams = devm_kcalloc(&vdev->dev, count,
				       sizeof(*snd->substreams), GFP_KERNEL);
	if (!snd->substreams)
		return -ENOMEM;

	/* initialised before anything can fail: teardown walks them all */
	for (i = 0; i < count; i++)
		virtsnd_pcm_init_substream(snd, i);
	snd->nsubstreams = count;

	return virtsnd_pcm_read_info(snd);
}

/**
 * virtsnd_pcm_find() - find the PCM device of a function group
 * @snd: the card
 * @nid: function group node id
 *
 * Context: any context (the list only changes during probe).
 * Return: the PCM device, or NULL.
 */
struct virtio_pcm *virtsnd_pcm_find(struct virtio_snd *snd, u32 nid)
{
	struct virtio_pcm *vpcm;

	list_for_each_entry(vpcm, &snd->pcm_list, list)
		if (vpcm->nid == nid)
			return vpcm;
	return NULL;
}

static int virtsnd_pcm_stream_dir(u8 direction)
{
	return direction == VIRTIO_SND_D_OUTPUT ? SNDRV_PCM_STREAM_PLAYBACK :
						  SNDRV_PCM_STREAM_CAPTURE;
}

/* Group the streams by function group, counting substreams per direction. */
static int virtsnd_pcm_group(struct virtio_snd *snd)
{
	struct device *dev = &snd->vdev->dev;
	struct virtio_pcm *vpcm;
	unsigned int npcms = 0;
	u32 i;

	for (i = 0; i < snd->nsubstreams; i++) {
		struct virtio_pcm_substream *vss = &snd->substreams[i];

		vpcm = virtsnd_pcm_find(snd, vss->nid);
		if (!vpcm) {
			if (npcms == SNDRV_PCM_DEVICES) {
				dev_err(dev, "too many function groups (max %u)\n",
					SNDRV_PCM_DEVICES);
				return -EINVAL;
			}
			vpcm = devm_kzalloc(dev, sizeof(*vpcm), GFP_KERNEL);
			if (!vpcm)
				return -ENOMEM;
			vpcm->nid = vss->nid;
			list_add_tail(&vpcm->list, &snd->pcm_list);
			npcms++;
		}
		vss->pcm = vpcm;
		vpcm->streams[virtsnd_pcm_stream_dir(vss->direction)].nsubstreams++;
	}

	list_for_each_entry(vpcm, &snd->pcm_list, list) {
		for (i = 0; i <= SNDRV_PCM_STREAM_LAST; i++) {
			struct virtio_pcm_stream *s = &vpcm->streams[i];

			if (!s->nsubstreams)
				continue;
			s->substreams = devm_kcalloc(dev, s->nsubstreams,
						     sizeof(*s->substreams),
						     GFP_KERNEL);
			if (!s->substreams)
				return -ENOMEM;
			s->nsubstreams = 0;
		}
	}

	for (i = 0; i < snd->nsubstreams; i++) {
		struct virtio_pcm_substream *vss = &snd->substreams[i];
		struct virtio_pcm_stream *s =
			&vss->pcm->streams[virtsnd_pcm_stream_dir(vss->direction)];

		s->substreams[s->nsubstreams++] = vss;
	}

	return 0;
}

/*
 * The ALSA PCM device of one function group: its substreams in stream id
 * order, our ops, a managed buffer as large as its largest stream needs.
 */
static int virtsnd_pcm_new(struct virtio_snd *snd, struct virtio_pcm *vpcm,
			   unsigned int device)
{
	size_t buffer_max = 0;
	unsigned int dir;
	u32 i;
	int rc;

	rc = snd_pcm_new(snd->card, VIRTIO_SND_CARD_DRIVER, device,
			 vpcm->streams[SNDRV_PCM_STREAM_PLAYBACK].nsubstreams,
			 vpcm->streams[SNDRV_PCM_STREAM_CAPTURE].nsubstreams,
			 &vpcm->pcm);
	if (rc) {
		dev_err(&snd->vdev->dev, "cannot create PCM device %u: %d\n",
			device, rc);
		return rc;
	}

	vpcm->pcm->info_flags = 0;
	vpcm->pcm->private_data = vpcm;
	/* trigger sleeps: it waits for the device's answer to START */
	vpcm->pcm->nonatomic = true;
	snprintf(vpcm->pcm->name, sizeof(vpcm->pcm->name), "%s %u",
		 VIRTIO_SND_PCM_NAME, device);

	for (dir = 0; dir <= SNDRV_PCM_STREAM_LAST; dir++) {
		struct virtio_pcm_stream *s = &vpcm->streams[dir];
		struct snd_pcm_substream *ss;

		if (!s->nsubstreams)
			continue;

		snd_pcm_set_ops(vpcm->pcm, dir, &virtsnd_pcm_ops);
		ss = vpcm->pcm->streams[dir].substream;
		for (i = 0; i < s->nsubstreams && ss; i++, ss = ss->next) {
			struct virtio_pcm_substream *vss = s->substreams[i];

			vss->substream = ss;
			snprintf(ss->name, sizeof(ss->name), "%s stream %u",
				 VIRTIO_SND_PCM_NAME, vss->sid);
			buffer_max = max(buffer_max, vss->hw.buffer_bytes_max);
		}
	}

	snd_pcm_set_managed_buffer_all(vpcm->pcm, SNDRV_DMA_TYPE_VMALLOC,
				       NULL, 0, buffer_max);
	return 0;
}

/**
 * virtsnd_pcm_build_devs() - create one ALSA PCM device per function group
 * @snd: the card
 *
 * Context: process context (probe).
 * Return: 0 or a negative error code.
 */
int virtsnd_pcm_build_devs(struct virtio_snd *snd)
{
	struct virtio_pcm *vpcm;
	unsigned int device = 0;
	int rc;

	rc = virtsnd_pcm_group(snd);
	if (rc)
		return rc;

	list_for_each_entry(vpcm, &snd->pcm_list, list) {
		rc = virtsnd_pcm_new(snd, vpcm, device++);
		if (rc)
			return rc;
	}

	return 0;
}
