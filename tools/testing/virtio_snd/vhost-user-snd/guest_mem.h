/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest memory table: regions the front-end shares through
 * VHOST_USER_SET_MEM_TABLE, mapped into this process.
 */
#ifndef VUS_GUEST_MEM_H
#define VUS_GUEST_MEM_H

#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 8

struct guest_mem_region {
	uint64_t gpa;		/* guest physical address */
	uint64_t size;
	uint64_t uva;		/* front-end's virtual address */
	uint64_t mmap_offset;
	void *map;		/* our mapping of [0, mmap_offset + size) */
	uint64_t map_len;
};

struct guest_mem {
	unsigned int nregions;
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
};

int guest_mem_add(struct guest_mem *mem, int fd, uint64_t gpa, uint64_t size,
		  uint64_t uva, uint64_t mmap_offset);
void guest_mem_clear(struct guest_mem *mem);
void *guest_mem_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
void *guest_mem_uva(const struct guest_mem *mem, uint64_t uva, uint64_t len);

#endif /* VUS_GUEST_MEM_H */
