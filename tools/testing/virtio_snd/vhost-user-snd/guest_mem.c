// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory table and address translation.
 *
 * Descriptors carry guest physical addresses; VHOST_USER_SET_VRING_ADDR
 * carries front-end virtual addresses.  Both are translated through the
 * region table.  A range must lie within one region: regions of a q35
 * guest are separated by the PCI hole, so no valid buffer spans two.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "vlog.h"

/**
 * guest_mem_add() - Map one region shared by the front-end.
 * @mem: memory table.
 * @fd: file descriptor of the backing memory; not closed here.
 * @gpa: guest physical address of the region.
 * @size: region size in bytes.
 * @uva: front-end virtual address of the region.
 * @mmap_offset: offset of the region in @fd.
 *
 * Return: 0 or -errno.
 */
int guest_mem_add(struct guest_mem *mem, int fd, uint64_t gpa, uint64_t size,
		  uint64_t uva, uint64_t mmap_offset)
{
	struct guest_mem_region *r;
	void *map;

	if (mem->nregions >= GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;
	if (!size || mmap_offset + size < size)
		return -EINVAL;
	map = mmap(NULL, mmap_offset + size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;

	r = &mem->regions[mem->nregions++];
	r->gpa = gpa;
	r->size = size;
	r->uva = uva;
	r->mmap_offset = mmap_offset;
	r->map = map;
	r->map_len = mmap_offset + size;
	vlog_dbg("mem region gpa 0x%llx size 0x%llx uva 0x%llx off 0x%llx",
		 (unsigned long long)gpa, (unsigned long long)size,
		 (unsigned long long)uva, (unsigned long long)mmap_offset);
	return 0;
}

/**
 * guest_mem_clear() - Unmap every region.
 * @mem: memory table.
 */
void guest_mem_clear(struct guest_mem *mem)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++)
		munmap(mem->regions[i].map, mem->regions[i].map_len);
	memset(mem, 0, sizeof(*mem));
}

static void *guest_mem_lookup(const struct guest_mem *mem, uint64_t addr,
			      uint64_t len, bool by_uva)
{
	unsigned int i;

	if (addr + len < addr)
		return NULL;
	for (i = 0; i < mem->nregions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		uint64_t base = by_uva ? r->uva : r->gpa;

		if (addr >= base && addr + len <= base + r->size)
			return (char *)r->map + r->mmap_offset + (addr - base);
	}
	return NULL;
}

/**
 * guest_mem_gpa() - Translate a guest physical range.
 * @mem: memory table.
 * @gpa: guest physical address.
 * @len: length of the range.
 *
 * Return: our pointer to @gpa, or NULL if the range is not inside one region.
 */
void *guest_mem_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	return guest_mem_lookup(mem, gpa, len, false);
}

/**
 * guest_mem_uva() - Translate a front-end virtual range.
 * @mem: memory table.
 * @uva: front-end virtual address.
 * @len: length of the range.
 *
 * Return: our pointer to @uva, or NULL if the range is not inside one region.
 */
void *guest_mem_uva(const struct guest_mem *mem, uint64_t uva, uint64_t len)
{
	return guest_mem_lookup(mem, uva, len, true);
}
