/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCM streams: the strict command state machine (snd_pcm.c) and the I/O
 * message queues paced by the audio clock (snd_pcm_io.c).
 */
#ifndef VUS_SND_PCM_H
#define VUS_SND_PCM_H

#include <stdint.h>

#include "audio_clock.h"
#include "snd_dev.h"

/* Stream states; IDLE is "never configured" (only SET_PARAMS allowed). */
enum pcm_state {
	PCM_STATE_IDLE,
	PCM_STATE_SET_PARAMS,
	PCM_STATE_PREPARE,
	PCM_STATE_START,
	PCM_STATE_STOP,
	PCM_STATE_RELEASE,
	PCM_STATE_COUNT
};

/**
 * struct pcm_params - Parameters accepted by SET_PARAMS.
 * @buffer_bytes: driver's buffer size.
 * @period_bytes: driver's period size.
 * @features: selected stream features.
 * @channels: channel count.
 * @format: VIRTIO_SND_PCM_FMT_*.
 * @rate: VIRTIO_SND_PCM_RATE_*.
 */
struct pcm_params {
	uint32_t buffer_bytes;
	uint32_t period_bytes;
	uint32_t features;
	uint8_t channels;
	uint8_t format;
	uint8_t rate;
};

/**
 * struct snd_pcm_stream - One PCM stream.
 * @id: stream id.
 * @snd: the device.
 * @cfg: its description.
 * @state: command state.
 * @params: current parameters (valid from SET_PARAMS on).
 * @frame_bytes: bytes per frame under @params.
 * @sample_bytes: bytes per sample under @params (at least 1).
 * @queue: I/O messages held by the device, oldest first.
 * @queue_tail: link to append to @queue.
 * @queued: number of messages in @queue.
 * @starved: the queue ran empty while running.
 * @clock: pacing.
 * @data_fd: playback data written / capture data delivered.
 * @sample_counter: next sample index of the capture pattern.
 * @xruns: underruns/overruns the stream ran through without a STOP: the
 *         driver resumed feeding a starved stream, ALSA saw no xrun.
 * @bytes_done: payload bytes played or recorded.
 * @start_bytes: @bytes_done at the last START.
 */
struct snd_pcm_stream {
	unsigned int id;
	struct snd_dev *snd;
	const struct devcfg_stream *cfg;
	enum pcm_state state;
	struct pcm_params params;
	unsigned int frame_bytes;
	unsigned int sample_bytes;
	struct vq_elem *queue, **queue_tail;
	unsigned int queued;
	bool starved;
	struct audio_clock clock;
	int data_fd;
	uint64_t sample_counter;
	uint64_t xruns;
	uint64_t bytes_done;
	uint64_t start_bytes;
};

/* snd_pcm.c: control requests */
int snd_pcm_init(struct snd_dev *snd);
uint32_t snd_pcm_ctl(struct snd_dev *snd, struct snd_ctl_req *r);
void snd_pcm_reset(struct snd_dev *snd);

/* snd_pcm_io.c: I/O queues */
int pcm_io_init(struct snd_pcm_stream *s);
void pcm_io_kick(struct snd_dev *snd, unsigned int qidx);
void pcm_io_start(struct snd_pcm_stream *s);
void pcm_io_stop(struct snd_pcm_stream *s);
void pcm_io_release(struct snd_pcm_stream *s);
void pcm_io_discard(struct snd_pcm_stream *s);
void pcm_io_queue_stop(struct snd_dev *snd, unsigned int qidx);

#endif /* VUS_SND_PCM_H */
