/* SPDX-License-Identifier: GPL-2.0+ */
/*
 * virtio-snd: Virtio sound device
 *
 * PCM devices, substreams and the per-stream command state machine.
 */
#ifndef VIRTIO_SND_PCM_H
#define VIRTIO_SND_PCM_H

#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <sound/pcm.h>

struct virtio_pcm;
struct virtio_pcm_msg;
struct virtio_snd;
struct virtio_snd_queue;

/**
 * enum virtsnd_pcm_state - device-side state of a PCM stream
 * @VIRTSND_PCM_S_IDLE: only SET_PARAMS may follow: nothing sent since
 *		       probe/restore (device reset), or SET_PARAMS/PREPARE
 *		       timed out
 * @VIRTSND_PCM_S_PARAMS: SET_PARAMS succeeded
 * @VIRTSND_PCM_S_PREPARED: PREPARE succeeded
 * @VIRTSND_PCM_S_STARTED: START succeeded
 * @VIRTSND_PCM_S_STOPPED: STOP sent
 * @VIRTSND_PCM_S_RELEASED: RELEASE succeeded
 * @VIRTSND_PCM_S_UNKNOWN: START or STOP timed out: the device may or may
 *			  not run the stream
 * @VIRTSND_PCM_S_COUNT: number of states
 */
enum virtsnd_pcm_state {
	VIRTSND_PCM_S_IDLE,
	VIRTSND_PCM_S_PARAMS,
	VIRTSND_PCM_S_PREPARED,
	VIRTSND_PCM_S_STARTED,
	VIRTSND_PCM_S_STOPPED,
	VIRTSND_PCM_S_RELEASED,
	VIRTSND_PCM_S_UNKNOWN,
	VIRTSND_PCM_S_COUNT
};

/**
 * struct virtsnd_pcm_params - the last SET_PARAMS the device accepted
 * @buffer_bytes: buffer size
 * @period_bytes: period size
 * @features: VIRTIO_SND_PCM_F_* bits selected
 * @channels: number of channels
 * @format: VIRTIO_SND_PCM_FMT_* value
 * @rate: VIRTIO_SND_PCM_RATE_* value
 */
struct virtsnd_pcm_params {
	u32 buffer_bytes;
	u32 period_bytes;
	u32 features;
	u8 channels;
	u8 format;
	u8 rate;
};

/**
 * struct virtio_pcm_substream - one device PCM stream
 * @snd: the card
 * @pcm: the ALSA PCM device it belongs to
 * @substream: the ALSA substream
 * @queue: tx or rx queue, depending on @direction
 * @sid: stream id
 * @nid: function group node id
 * @direction: VIRTIO_SND_D_*
 * @features: VIRTIO_SND_PCM_F_* bits the device offers
 * @hw: hardware descriptor built from the stream information
 * @rates: supported rates in Hz, for the rate list constraint
 * @nrates: number of @rates
 * @rate_list: rate list constraint over @rates
 * @cmd_mutex: serialises control commands and @state
 * @state: device-side state, under @cmd_mutex
 * @params: the device's parameters, under @cmd_mutex (read unlocked by the
 *          state dump)
 * @cmd_timeouts: commands the device did not answer in time (@cmd_mutex)
 * @stop_msg: the asynchronous STOP whose answer the stream's next command
 *            takes (a reference; @cmd_mutex)
 * @elapsed_work: reports completed periods, on the card's workqueue
 * @drain_work: sends the partial last period of a drain that started the
 *              stream
 * @msg_empty: woken when the last in-flight I/O message comes back
 * @wait_node: entry in virtio_snd_queue::waiters, under the queue lock
 * @msgs: the I/O ring, one message per period
 * @nmsgs: number of @msgs (= periods)
 * @period_bytes: period size in bytes
 * @buffer_bytes: buffer size in bytes
 * @queued: periods handed to the device since prepare (queue lock)
 * @completed: periods returned by the device since prepare, in any order
 *             (queue lock)
 * @returned: periods returned by the device since prepare, in ring order:
 *            the device's position (queue lock)
 * @reported: periods .pointer has shown ALSA since prepare (queue lock)
 * @signalled: @returned when the elapsed work last told ALSA (queue lock)
 * @inflight: messages the device holds (queue lock)
 * @period_frames: period size in frames
 * @head: ring index of the next message to queue (queue lock)
 * @done: ring index of the next message expected back (queue lock)
 * @appl_frames: frames written (playback) or read (capture) by the
 *               application since prepare (queue lock)
 * @latency_bytes: last device latency, already clamped (queue lock)
 * @clock_ns: when the device began on the oldest message it holds, as far
 *            as the driver can tell: its last completion, START, or the
 *            push that ended a dry spell (CLOCK_MONOTONIC, queue lock)
 * @clock_held_ns: while paused, how far the device was into that message
 *                 (queue lock)
 * @xfer_enabled: I/O may be queued and completions reported (queue lock)
 * @running: the device stream is started: completions are reported only
 *           then (queue lock)
 * @flush: playback drain: send the partial last period too (queue lock)
 * @free_running: fed by the device's position, not by appl_ptr: the
 *                application never stops the stream (dmix, dsnoop); set at
 *                START (queue lock)
 * @xrun_pending: the device reported an xrun; the elapsed work tells ALSA
 *                (queue lock)
 * @dev_xruns: xrun events from the device (queue lock)
 * @io_bad_status: I/O messages returned with an error status while the
 *                 stream ran (queue lock)
 * @io_bad_length: I/O messages returned with an impossible used length
 *                 (queue lock)
 */
struct virtio_pcm_substream {
	struct virtio_snd *snd;
	struct virtio_pcm *pcm;
	struct snd_pcm_substream *substream;
	struct virtio_snd_queue *queue;
	u32 sid;
	u32 nid;
	u8 direction;
	u32 features;
	struct snd_pcm_hardware hw;
	unsigned int rates[16];
	unsigned int nrates;
	struct snd_pcm_hw_constraint_list rate_list;

	/* serialises control commands and @state */
	struct mutex cmd_mutex;
	enum virtsnd_pcm_state state;
	struct virtsnd_pcm_params params;
	unsigned int cmd_timeouts;
	struct virtio_snd_msg *stop_msg;

	struct work_struct elapsed_work;
	struct work_struct drain_work;
	wait_queue_head_t msg_empty;
	struct list_head wait_node;

	struct virtio_pcm_msg **msgs;
	unsigned int nmsgs;
	size_t period_bytes;
	size_t buffer_bytes;
	snd_pcm_uframes_t period_frames;
	unsigned int head;
	unsigned int done;
	u64 queued;
	u64 completed;
	u64 returned;
	u64 reported;
	u64 signalled;
	unsigned int inflight;
	u64 appl_frames;
	u32 latency_bytes;
	u64 clock_ns;
	u64 clock_held_ns;
	bool xfer_enabled;
	bool running;
	bool flush;
	bool free_running;
	bool xrun_pending;
	unsigned int dev_xruns;
	unsigned int io_bad_status;
	unsigned int io_bad_length;
};

/**
 * struct virtio_pcm_stream - substreams of one direction of a PCM device
 * @substreams: the substreams
 * @nsubstreams: number of @substreams
 * @chmaps: ALSA channel maps (zero-terminated), or NULL
 * @nchmaps: number of @chmaps
 */
struct virtio_pcm_stream {
	struct virtio_pcm_substream **substreams;
	u32 nsubstreams;
	struct snd_pcm_chmap_elem *chmaps;
	u32 nchmaps;
};

/**
 * struct virtio_pcm - one ALSA PCM device (one function group)
 * @list: entry in virtio_snd::pcm_list
 * @nid: function group node id
 * @pcm: the ALSA PCM device
 * @streams: playback and capture
 */
struct virtio_pcm {
	struct list_head list;
	u32 nid;
	struct snd_pcm *pcm;
	struct virtio_pcm_stream streams[SNDRV_PCM_STREAM_LAST + 1];
};

extern const struct snd_pcm_ops virtsnd_pcm_ops;

int virtsnd_pcm_validate(struct virtio_device *vdev);
int virtsnd_pcm_parse_cfg(struct virtio_snd *snd);
int virtsnd_pcm_build_devs(struct virtio_snd *snd);
struct virtio_pcm *virtsnd_pcm_find(struct virtio_snd *snd, u32 nid);
void virtsnd_pcm_event(struct virtio_snd *snd, struct virtio_snd_event *event);
void virtsnd_pcm_suspend_all(struct virtio_snd *snd);
void virtsnd_pcm_device_reset(struct virtio_snd *snd);

int virtsnd_pcm_format_to_alsa(unsigned int vfmt, snd_pcm_format_t *format);
int virtsnd_pcm_format_from_alsa(snd_pcm_format_t format);
int virtsnd_pcm_rate_from_hz(unsigned int hz);
int virtsnd_pcm_open_constraints(struct virtio_pcm_substream *vss,
				 struct snd_pcm_runtime *runtime);

int virtsnd_pcm_cmd(struct virtio_pcm_substream *vss, u32 request);
int virtsnd_pcm_cmd_async(struct virtio_pcm_substream *vss, u32 request);
int virtsnd_pcm_set_params(struct virtio_pcm_substream *vss,
			   snd_pcm_format_t format, unsigned int rate,
			   unsigned int channels, size_t buffer_bytes,
			   size_t period_bytes);
int virtsnd_pcm_quiesce(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_disable_sync(struct virtio_pcm_substream *vss);

int virtsnd_pcm_ring_prepare(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_free(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_enable(struct virtio_pcm_substream *vss, bool enable);
int virtsnd_pcm_ring_ack(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_set_running(struct virtio_pcm_substream *vss,
				  bool running);
void virtsnd_pcm_ring_xrun(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_flush(struct virtio_pcm_substream *vss);
int virtsnd_pcm_ring_wait_empty(struct virtio_pcm_substream *vss);
void virtsnd_pcm_ring_forget(struct virtio_pcm_substream *vss);
snd_pcm_uframes_t virtsnd_pcm_ring_pointer(struct virtio_pcm_substream *vss);
void virtsnd_pcm_elapsed_work(struct work_struct *work);
void virtsnd_pcm_drain_work(struct work_struct *work);
void virtsnd_pcm_tx_notify_cb(struct virtqueue *vqueue);
void virtsnd_pcm_rx_notify_cb(struct virtqueue *vqueue);

#endif /* VIRTIO_SND_PCM_H */
