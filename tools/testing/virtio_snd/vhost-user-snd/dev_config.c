// SPDX-License-Identifier: GPL-2.0
/*
 * Device description parser.
 *
 * Format: '#' starts a comment; "[stream]", "[jack]", "[chmap]" and
 * "[device]" open a section; "key = value" lines set its fields.  Each
 * [stream]/[jack]/[chmap] section adds one item, ids in file order.
 * Lists are separated by blanks or commas.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/virtio_snd.h>

#include "dev_config.h"
#include "snd_tables.h"
#include "vlog.h"

enum devcfg_section {
	SEC_NONE,
	SEC_DEVICE,
	SEC_STREAM,
	SEC_JACK,
	SEC_CHMAP,
	SEC_FAULT,
	SEC_CONTROL,
};

struct devcfg_parser {
	struct devcfg *cfg;
	const char *path;
	unsigned int line;
	enum devcfg_section sec;
};

#define DEVCFG_SEP " \t,"

static char *devcfg_trim(char *s);

static const struct devcfg_stream devcfg_default_stream = {
	.formats = 1ULL << VIRTIO_SND_PCM_FMT_S16,
	.rates = 1ULL << VIRTIO_SND_PCM_RATE_48000,
	.channels_min = 1,
	.channels_max = 2,
};

/**
 * devcfg_default() - The description used without a config file.
 * @cfg: filled with one output and one input stream (S16, 48 kHz, 1..2
 *       channels), no jacks, no channel maps, queue size 64 (QEMU's).
 */
void devcfg_default(struct devcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->queue_size = 64;
	cfg->nstreams = 2;
	cfg->streams[0] = devcfg_default_stream;
	cfg->streams[1] = devcfg_default_stream;
	cfg->streams[1].direction = VIRTIO_SND_D_INPUT;
	cfg->adv_streams = 2;
}

static int devcfg_error(struct devcfg_parser *p, const char *what,
			const char *val)
{
	vlog_err("%s:%u: %s '%s'", p->path, p->line, what, val);
	return -EINVAL;
}

static int devcfg_u32(struct devcfg_parser *p, const char *val, uint32_t max,
		      uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(val, &end, 0);
	if (errno || end == val || *end || v > max)
		return devcfg_error(p, "bad number", val);
	*out = v;
	return 0;
}

static int devcfg_bool(struct devcfg_parser *p, const char *val, bool *out)
{
	if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") ||
	    !strcmp(val, "1"))
		*out = true;
	else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") ||
		 !strcmp(val, "0"))
		*out = false;
	else
		return devcfg_error(p, "bad boolean", val);
	return 0;
}

static int devcfg_direction(struct devcfg_parser *p, const char *val,
			    uint8_t *out)
{
	if (!strcasecmp(val, "output") || !strcasecmp(val, "playback"))
		*out = VIRTIO_SND_D_OUTPUT;
	else if (!strcasecmp(val, "input") || !strcasecmp(val, "capture"))
		*out = VIRTIO_SND_D_INPUT;
	else
		return devcfg_error(p, "bad direction", val);
	return 0;
}

static int devcfg_formats(struct devcfg_parser *p, char *val, uint64_t *out)
{
	char *tok, *save;

	*out = 0;
	for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
	     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
		int fmt;

		if (!strcasecmp(tok, "all")) {
			*out |= (1ULL << SND_NUM_FORMATS) - 1;
			continue;
		}
		fmt = snd_format_by_name(tok);
		if (fmt < 0)
			return devcfg_error(p, "unknown format", tok);
		*out |= 1ULL << fmt;
	}
	return *out ? 0 : devcfg_error(p, "empty list", "formats");
}

static int devcfg_rates(struct devcfg_parser *p, char *val, uint64_t *out)
{
	char *tok, *save;

	*out = 0;
	for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
	     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
		int rate;

		if (!strcasecmp(tok, "all")) {
			*out |= (1ULL << SND_NUM_RATES) - 1;
			continue;
		}
		rate = snd_rate_by_hz(strtoul(tok, NULL, 10));
		if (rate < 0)
			return devcfg_error(p, "unknown rate", tok);
		*out |= 1ULL << rate;
	}
	return *out ? 0 : devcfg_error(p, "empty list", "rates");
}

static int devcfg_features(struct devcfg_parser *p, char *val, uint32_t *out)
{
	char *tok, *save;

	*out = 0;
	for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
	     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
		int f = snd_pcm_feature_by_name(tok);

		if (!strcasecmp(tok, "none"))
			continue;
		if (f < 0)
			return devcfg_error(p, "unknown stream feature", tok);
		*out |= 1U << f;
	}
	return 0;
}

static int devcfg_channels(struct devcfg_parser *p, char *val,
			   struct devcfg_stream *s)
{
	uint32_t lo, hi;
	char *save, *a = strtok_r(val, DEVCFG_SEP, &save);
	char *b = strtok_r(NULL, DEVCFG_SEP, &save);

	if (!a || devcfg_u32(p, a, 255, &lo))
		return -EINVAL;
	hi = lo;
	if (b && devcfg_u32(p, b, 255, &hi))
		return -EINVAL;
	if (!lo || hi < lo)
		return devcfg_error(p, "bad channel range", a);
	s->channels_min = lo;
	s->channels_max = hi;
	return 0;
}

static int devcfg_positions(struct devcfg_parser *p, char *val,
			    struct devcfg_chmap *m)
{
	char *tok, *save;

	m->channels = 0;
	for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
	     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
		int pos = snd_position_by_name(tok);

		if (pos < 0)
			return devcfg_error(p, "unknown channel position", tok);
		if (m->channels == DEVCFG_MAX_POSITIONS)
			return devcfg_error(p, "too many positions", tok);
		m->positions[m->channels++] = pos;
	}
	return m->channels ? 0 : devcfg_error(p, "empty list", "positions");
}

static int devcfg_stream_key(struct devcfg_parser *p, const char *key,
			     char *val)
{
	struct devcfg_stream *s = &p->cfg->streams[p->cfg->nstreams - 1];

	if (!strcmp(key, "direction"))
		return devcfg_direction(p, val, &s->direction);
	if (!strcmp(key, "nid") || !strcmp(key, "hda_fn_nid"))
		return devcfg_u32(p, val, UINT32_MAX, &s->nid);
	if (!strcmp(key, "formats"))
		return devcfg_formats(p, val, &s->formats);
	if (!strcmp(key, "rates"))
		return devcfg_rates(p, val, &s->rates);
	if (!strcmp(key, "features"))
		return devcfg_features(p, val, &s->features);
	if (!strcmp(key, "channels"))
		return devcfg_channels(p, val, s);
	return devcfg_error(p, "unknown stream key", key);
}

static int devcfg_jack_key(struct devcfg_parser *p, const char *key, char *val)
{
	struct devcfg_jack *j = &p->cfg->jacks[p->cfg->njacks - 1];

	if (!strcmp(key, "nid") || !strcmp(key, "hda_fn_nid"))
		return devcfg_u32(p, val, UINT32_MAX, &j->nid);
	if (!strcmp(key, "features"))
		return devcfg_u32(p, val, UINT32_MAX, &j->features);
	if (!strcmp(key, "defconf") || !strcmp(key, "hda_reg_defconf"))
		return devcfg_u32(p, val, UINT32_MAX, &j->defconf);
	if (!strcmp(key, "caps") || !strcmp(key, "hda_reg_caps"))
		return devcfg_u32(p, val, UINT32_MAX, &j->caps);
	if (!strcmp(key, "connected"))
		return devcfg_bool(p, val, &j->connected);
	return devcfg_error(p, "unknown jack key", key);
}

static int devcfg_chmap_key(struct devcfg_parser *p, const char *key,
			    char *val)
{
	struct devcfg_chmap *m = &p->cfg->chmaps[p->cfg->nchmaps - 1];

	if (!strcmp(key, "nid") || !strcmp(key, "hda_fn_nid"))
		return devcfg_u32(p, val, UINT32_MAX, &m->nid);
	if (!strcmp(key, "direction"))
		return devcfg_direction(p, val, &m->direction);
	if (!strcmp(key, "positions"))
		return devcfg_positions(p, val, m);
	return devcfg_error(p, "unknown chmap key", key);
}

static int devcfg_device_key(struct devcfg_parser *p, const char *key,
			     char *val)
{
	if (!strcmp(key, "queue_size")) {
		uint32_t qs;

		if (devcfg_u32(p, val, 32768, &qs))
			return -EINVAL;
		if (!qs || (qs & (qs - 1)))
			return devcfg_error(p, "queue size not a power of 2", val);
		p->cfg->queue_size = qs;
		return 0;
	}
	if (!strcmp(key, "advertise_streams")) {
		p->cfg->adv_set[0] = true;
		return devcfg_u32(p, val, UINT32_MAX, &p->cfg->adv_streams);
	}
	if (!strcmp(key, "advertise_jacks")) {
		p->cfg->adv_set[1] = true;
		return devcfg_u32(p, val, UINT32_MAX, &p->cfg->adv_jacks);
	}
	if (!strcmp(key, "advertise_controls")) {
		p->cfg->adv_set[3] = true;
		return devcfg_u32(p, val, UINT32_MAX, &p->cfg->adv_controls);
	}
	if (!strcmp(key, "advertise_chmaps")) {
		p->cfg->adv_set[2] = true;
		return devcfg_u32(p, val, UINT32_MAX, &p->cfg->adv_chmaps);
	}
	return devcfg_error(p, "unknown device key", key);
}

static const char *const devcfg_ctl_types[] = {
	"boolean", "integer", "integer64", "enumerated", "bytes", "iec958",
};

static const char *const devcfg_ctl_access[] = {
	"read", "write", "volatile", "inactive", "tlv_read", "tlv_write",
	"tlv_command",
};

static const char *const devcfg_ctl_roles[] = {
	"undefined", "volume", "mute", "gain",
};

static int devcfg_pick(const char *const *names, unsigned int n,
		       const char *val)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(val, names[i]))
			return i;
	return -1;
}

#define DEVCFG_PICK(names, val) \
	devcfg_pick(names, sizeof(names) / sizeof(names[0]), val)

static int devcfg_i64(struct devcfg_parser *p, const char *val, int64_t *out)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(val, &end, 0);
	if (errno || end == val || *end)
		return devcfg_error(p, "bad number", val);
	*out = v;
	return 0;
}

static int devcfg_control_list(struct devcfg_parser *p,
			       struct devcfg_control *c, const char *key,
			       char *val)
{
	char *tok, *save;

	if (!strcmp(key, "items")) {
		/* items are comma-separated and may contain blanks */
		c->nitems = 0;
		for (tok = strtok_r(val, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			tok = devcfg_trim(tok);
			if (!*tok || strlen(tok) >= sizeof(c->items[0]) ||
			    c->nitems == DEVCFG_MAX_ENUM_ITEMS)
				return devcfg_error(p, "bad item", tok);
			strcpy(c->items[c->nitems++], tok);
		}
		return 0;
	}
	if (!strcmp(key, "value")) {
		c->ninit = 0;
		for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
		     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
			if (c->ninit == DEVCFG_MAX_VALUES ||
			    devcfg_i64(p, tok, &c->init[c->ninit++]))
				return devcfg_error(p, "bad value", tok);
		}
		return 0;
	}
	/* tlv: le32 words: type length values... */
	c->ntlv = 0;
	for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
	     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
		int64_t w;

		if (c->ntlv == DEVCFG_MAX_TLV_WORDS || devcfg_i64(p, tok, &w))
			return devcfg_error(p, "bad tlv word", tok);
		c->tlv[c->ntlv++] = (uint32_t)w;
	}
	return 0;
}

static int devcfg_control_key(struct devcfg_parser *p, const char *key,
			      char *val)
{
	struct devcfg_control *c = &p->cfg->controls[p->cfg->ncontrols - 1];
	char *tok, *save;
	int v;

	if (!strcmp(key, "nid") || !strcmp(key, "hda_fn_nid"))
		return devcfg_u32(p, val, UINT32_MAX, &c->nid);
	if (!strcmp(key, "name")) {
		if (!*val || strlen(val) >= sizeof(c->name))
			return devcfg_error(p, "bad name", val);
		strcpy(c->name, val);
		return 0;
	}
	if (!strcmp(key, "index"))
		return devcfg_u32(p, val, UINT32_MAX, &c->index);
	if (!strcmp(key, "count"))
		return devcfg_u32(p, val, DEVCFG_MAX_VALUES, &c->count);
	if (!strcmp(key, "type")) {
		v = DEVCFG_PICK(devcfg_ctl_types, val);
		if (v < 0)
			return devcfg_error(p, "unknown control type", val);
		c->type = v;
		return 0;
	}
	if (!strcmp(key, "access")) {
		c->access = 0;
		for (tok = strtok_r(val, DEVCFG_SEP, &save); tok;
		     tok = strtok_r(NULL, DEVCFG_SEP, &save)) {
			v = DEVCFG_PICK(devcfg_ctl_access, tok);
			if (v < 0)
				return devcfg_error(p, "unknown access", tok);
			c->access |= 1u << v;
		}
		return 0;
	}
	if (!strcmp(key, "role")) {
		char *dir;
		uint8_t d = 0;

		tok = strtok_r(val, DEVCFG_SEP, &save);
		dir = strtok_r(NULL, DEVCFG_SEP, &save);
		v = tok ? DEVCFG_PICK(devcfg_ctl_roles, tok) : -1;
		if (v < 0)
			return devcfg_error(p, "unknown role", val);
		if (dir && devcfg_direction(p, dir, &d))
			return -EINVAL;
		c->role = v ? ((uint32_t)v << 1) | d : 0;
		return 0;
	}
	if (!strcmp(key, "min"))
		return devcfg_i64(p, val, &c->min);
	if (!strcmp(key, "max"))
		return devcfg_i64(p, val, &c->max);
	if (!strcmp(key, "step"))
		return devcfg_i64(p, val, &c->step);
	if (!strcmp(key, "items") || !strcmp(key, "value") || !strcmp(key, "tlv"))
		return devcfg_control_list(p, c, key, val);
	return devcfg_error(p, "unknown control key", key);
}

/* Spec limits on count per type (device requirements). */
static const uint32_t devcfg_ctl_max_count[] = { 128, 128, 64, 128, 512, 1 };

static int devcfg_check_controls(struct devcfg *cfg, const char *path)
{
	unsigned int i, j;

	for (i = 0; i < cfg->ncontrols; i++) {
		const struct devcfg_control *c = &cfg->controls[i];
		const char *why = NULL;

		if (!c->name[0])
			why = "no name";
		else if (!c->count || c->count > devcfg_ctl_max_count[c->type])
			why = "count out of range for the type";
		else if (c->type == VIRTIO_SND_CTL_TYPE_ENUMERATED && !c->nitems)
			why = "enumerated without items";
		else if (c->min > c->max)
			why = "min > max";
		else if (c->ntlv && (c->ntlv < 2 || c->tlv[1] != (c->ntlv - 2) * 4))
			why = "tlv length word does not match its values";
		for (j = 0; !why && j < i; j++)
			if (!strcmp(c->name, cfg->controls[j].name) &&
			    c->index == cfg->controls[j].index)
				why = "(name, index) not unique";
		if (why) {
			vlog_err("%s: control %u (%s): %s", path, i, c->name, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int devcfg_fault_key(struct devcfg_parser *p, const char *key,
			    char *val)
{
	char *argv[8], *save, orig[256];
	int argc = 0;

	if (strcmp(key, "fault"))
		return devcfg_error(p, "unknown fault key", key);
	if (p->cfg->nfaults == FAULT_MAX)
		return devcfg_error(p, "too many faults", val);
	snprintf(orig, sizeof(orig), "%s", val);
	for (argv[0] = strtok_r(val, " \t", &save); argv[argc] && argc < 7;
	     argv[argc] = strtok_r(NULL, " \t", &save))
		argc++;
	if (fault_parse(argv, argc, &p->cfg->faults[p->cfg->nfaults]))
		return devcfg_error(p, "bad fault", orig);
	p->cfg->nfaults++;
	return 0;
}

static int devcfg_section(struct devcfg_parser *p, const char *name)
{
	struct devcfg *cfg = p->cfg;

	if (!strcmp(name, "device")) {
		p->sec = SEC_DEVICE;
	} else if (!strcmp(name, "stream")) {
		if (cfg->nstreams == DEVCFG_MAX_STREAMS)
			return devcfg_error(p, "too many sections", name);
		cfg->streams[cfg->nstreams++] = devcfg_default_stream;
		p->sec = SEC_STREAM;
	} else if (!strcmp(name, "jack")) {
		if (cfg->njacks == DEVCFG_MAX_JACKS)
			return devcfg_error(p, "too many sections", name);
		cfg->njacks++;
		p->sec = SEC_JACK;
	} else if (!strcmp(name, "control")) {
		if (cfg->ncontrols == DEVCFG_MAX_CONTROLS)
			return devcfg_error(p, "too many sections", name);
		cfg->controls[cfg->ncontrols].count = 1;
		cfg->controls[cfg->ncontrols].access = 3;	/* read write */
		cfg->controls[cfg->ncontrols].max = 1;
		cfg->ncontrols++;
		p->sec = SEC_CONTROL;
	} else if (!strcmp(name, "fault")) {
		p->sec = SEC_FAULT;
	} else if (!strcmp(name, "chmap")) {
		if (cfg->nchmaps == DEVCFG_MAX_CHMAPS)
			return devcfg_error(p, "too many sections", name);
		cfg->nchmaps++;
		p->sec = SEC_CHMAP;
	} else {
		return devcfg_error(p, "unknown section", name);
	}
	return 0;
}

static char *devcfg_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int devcfg_line(struct devcfg_parser *p, char *line)
{
	char *hash = strchr(line, '#'), *eq, *key, *val;

	if (hash)
		*hash = '\0';
	line = devcfg_trim(line);
	if (!*line)
		return 0;
	if (*line == '[') {
		char *close = strchr(line, ']');

		if (!close || close[1])
			return devcfg_error(p, "bad section header", line);
		*close = '\0';
		return devcfg_section(p, devcfg_trim(line + 1));
	}
	eq = strchr(line, '=');
	if (!eq)
		return devcfg_error(p, "expected key = value", line);
	*eq = '\0';
	key = devcfg_trim(line);
	val = devcfg_trim(eq + 1);

	switch (p->sec) {
	case SEC_DEVICE:
		return devcfg_device_key(p, key, val);
	case SEC_STREAM:
		return devcfg_stream_key(p, key, val);
	case SEC_JACK:
		return devcfg_jack_key(p, key, val);
	case SEC_CHMAP:
		return devcfg_chmap_key(p, key, val);
	case SEC_FAULT:
		return devcfg_fault_key(p, key, val);
	case SEC_CONTROL:
		return devcfg_control_key(p, key, val);
	default:
		return devcfg_error(p, "key outside a section", key);
	}
}

/**
 * devcfg_load() - Parse a device description file.
 * @cfg: filled; starts empty (queue size 64) rather than from the default.
 * @path: file name.
 *
 * Return: 0, or -errno with the reason logged.
 */
int devcfg_load(struct devcfg *cfg, const char *path)
{
	struct devcfg_parser p = { .cfg = cfg, .path = path };
	char buf[1024];
	FILE *f;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->queue_size = 64;
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		vlog_err("%s: %s", path, strerror(errno));
		return rc;
	}
	while (!rc && fgets(buf, sizeof(buf), f)) {
		p.line++;
		rc = devcfg_line(&p, buf);
	}
	fclose(f);
	if (!rc)
		rc = devcfg_check_controls(cfg, path);
	if (!rc && !cfg->nstreams) {
		vlog_err("%s: no [stream] section", path);
		rc = -EINVAL;
	}
	if (!cfg->adv_set[0])
		cfg->adv_streams = cfg->nstreams;
	if (!cfg->adv_set[1])
		cfg->adv_jacks = cfg->njacks;
	if (!cfg->adv_set[2])
		cfg->adv_chmaps = cfg->nchmaps;
	if (!cfg->adv_set[3])
		cfg->adv_controls = cfg->ncontrols;
	return rc;
}

/**
 * devcfg_dump() - Log the description at info level.
 * @cfg: description.
 */
void devcfg_dump(const struct devcfg *cfg)
{
	unsigned int i;

	vlog_info("device: %u streams, %u jacks, %u chmaps, %u controls, queue size %u, %u faults",
		  cfg->nstreams, cfg->njacks, cfg->nchmaps, cfg->ncontrols,
		  cfg->queue_size, cfg->nfaults);
	if (cfg->adv_streams != cfg->nstreams || cfg->adv_jacks != cfg->njacks ||
	    cfg->adv_chmaps != cfg->nchmaps)
		vlog_info("config space advertises %u streams, %u jacks, %u chmaps",
			  cfg->adv_streams, cfg->adv_jacks, cfg->adv_chmaps);
	for (i = 0; i < cfg->nstreams; i++) {
		const struct devcfg_stream *s = &cfg->streams[i];

		vlog_info("stream %u: %s nid %u formats 0x%llx rates 0x%llx channels %u..%u features 0x%x",
			  i, s->direction ? "input" : "output", s->nid,
			  (unsigned long long)s->formats,
			  (unsigned long long)s->rates, s->channels_min,
			  s->channels_max, s->features);
	}
}
