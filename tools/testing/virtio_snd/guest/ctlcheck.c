// SPDX-License-Identifier: GPL-2.0
/*
 * ctlcheck: what amixer cannot do with a control element, for
 * tests/controls.sh.
 *
 *   ctlcheck CARD write NAME V...        write integer/enumerated members
 *                                        as given (amixer clamps them)
 *   ctlcheck CARD tlv-read NAME BYTES    read the TLV into a BYTES buffer,
 *                                        print its words
 *   ctlcheck CARD tlv-write NAME W...    TLV_WRITE of the words W...
 *   ctlcheck CARD tlv-cmd NAME W...      TLV_COMMAND of the words W...
 *   ctlcheck CARD monitor SECS           print the card's element events
 *                                        for SECS seconds, like alsactl
 *                                        monitor (which needs epoll, not
 *                                        in every guest kernel): "ready",
 *                                        then "event #N (IFACE,DEV,SUB,
 *                                        NAME,INDEX) VALUE INFO TLV"
 *
 * NAME is an element name, optionally ",INDEX".  Prints "ok" or
 * "error: -ERRNO (message)" and exits 0 or 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <alsa/asoundlib.h>

static int parse_id(snd_ctl_t *ctl, const char *arg, snd_ctl_elem_info_t *info)
{
	snd_ctl_elem_id_t *id;
	char name[64];
	const char *comma = strrchr(arg, ',');
	unsigned int index = 0;

	snd_ctl_elem_id_alloca(&id);
	snprintf(name, sizeof(name), "%.*s",
		 comma ? (int)(comma - arg) : (int)strlen(arg), arg);
	if (comma)
		index = strtoul(comma + 1, NULL, 0);
	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, name);
	snd_ctl_elem_id_set_index(id, index);
	snd_ctl_elem_info_set_id(info, id);
	return snd_ctl_elem_info(ctl, info);
}

static int do_write(snd_ctl_t *ctl, snd_ctl_elem_info_t *info, int n,
		    char **v)
{
	snd_ctl_elem_value_t *val;
	snd_ctl_elem_id_t *id;
	int i;

	snd_ctl_elem_value_alloca(&val);
	snd_ctl_elem_id_alloca(&id);
	snd_ctl_elem_info_get_id(info, id);
	snd_ctl_elem_value_set_id(val, id);
	for (i = 0; i < n; i++) {
		long long x = strtoll(v[i], NULL, 0);

		switch (snd_ctl_elem_info_get_type(info)) {
		case SND_CTL_ELEM_TYPE_INTEGER64:
			snd_ctl_elem_value_set_integer64(val, i, x);
			break;
		case SND_CTL_ELEM_TYPE_ENUMERATED:
			snd_ctl_elem_value_set_enumerated(val, i, x);
			break;
		default:
			snd_ctl_elem_value_set_integer(val, i, x);
			break;
		}
	}
	return snd_ctl_elem_write(ctl, val);
}

static int do_tlv(snd_ctl_t *ctl, snd_ctl_elem_info_t *info, const char *op,
		  int n, char **v)
{
	snd_ctl_elem_id_t *id;
	unsigned int *tlv;
	int i, rc;

	snd_ctl_elem_id_alloca(&id);
	snd_ctl_elem_info_get_id(info, id);

	if (!strcmp(op, "tlv-read")) {
		unsigned int bytes = n ? strtoul(v[0], NULL, 0) : 4096;

		tlv = calloc(1, bytes + 4);
		if (!tlv)
			return -ENOMEM;
		rc = snd_ctl_elem_tlv_read(ctl, id, tlv, bytes);
		if (!rc) {
			printf("tlv");
			for (i = 0; i < 2 + (int)(tlv[1] / 4); i++)
				printf(" %d", (int)tlv[i]);
			printf("\n");
		}
		free(tlv);
		return rc;
	}

	tlv = calloc(n + 1, sizeof(*tlv));
	if (!tlv)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		tlv[i] = strtol(v[i], NULL, 0);
	if (!strcmp(op, "tlv-write"))
		rc = snd_ctl_elem_tlv_write(ctl, id, tlv);
	else
		rc = snd_ctl_elem_tlv_command(ctl, id, tlv);
	free(tlv);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int do_monitor(snd_ctl_t *ctl, int secs)
{
	long long end = now_ms() + secs * 1000LL;
	snd_ctl_event_t *ev;
	unsigned int mask;
	int rc;

	snd_ctl_event_alloca(&ev);
	rc = snd_ctl_subscribe_events(ctl, 1);
	if (rc < 0)
		return rc;
	printf("ready\n");
	fflush(stdout);
	while (now_ms() < end) {
		rc = snd_ctl_wait(ctl, end - now_ms());
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		rc = snd_ctl_read(ctl, ev);
		if (rc < 0)
			return rc;
		if (snd_ctl_event_get_type(ev) != SND_CTL_EVENT_ELEM)
			continue;
		mask = snd_ctl_event_elem_get_mask(ev);
		printf("event #%u (%d,%u,%u,%s,%u)",
		       snd_ctl_event_elem_get_numid(ev),
		       snd_ctl_event_elem_get_interface(ev),
		       snd_ctl_event_elem_get_device(ev),
		       snd_ctl_event_elem_get_subdevice(ev),
		       snd_ctl_event_elem_get_name(ev),
		       snd_ctl_event_elem_get_index(ev));
		if (mask == SND_CTL_EVENT_MASK_REMOVE) {
			printf(" REMOVE\n");
		} else {
			printf("%s%s%s%s\n",
			       mask & SND_CTL_EVENT_MASK_VALUE ? " VALUE" : "",
			       mask & SND_CTL_EVENT_MASK_INFO ? " INFO" : "",
			       mask & SND_CTL_EVENT_MASK_ADD ? " ADD" : "",
			       mask & SND_CTL_EVENT_MASK_TLV ? " TLV" : "");
		}
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	snd_ctl_elem_info_t *info;
	snd_ctl_t *ctl;
	char dev[32];
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: ctlcheck CARD write|tlv-read|tlv-write|tlv-cmd NAME ...\n");
		return 2;
	}
	snprintf(dev, sizeof(dev), "hw:%s", argv[1]);
	rc = snd_ctl_open(&ctl, dev, 0);
	if (rc < 0) {
		printf("error: %d (%s)\n", rc, snd_strerror(rc));
		return 1;
	}
	snd_ctl_elem_info_alloca(&info);
	if (!strcmp(argv[2], "monitor"))
		rc = do_monitor(ctl, atoi(argv[3]));
	else
		rc = parse_id(ctl, argv[3], info);
	if (!rc && strcmp(argv[2], "monitor")) {
		if (!strcmp(argv[2], "write"))
			rc = do_write(ctl, info, argc - 4, argv + 4);
		else
			rc = do_tlv(ctl, info, argv[2], argc - 4, argv + 4);
	}
	snd_ctl_close(ctl);
	if (rc < 0) {
		printf("error: %d (%s)\n", rc, snd_strerror(rc));
		return 1;
	}
	printf("ok\n");
	return 0;
}
