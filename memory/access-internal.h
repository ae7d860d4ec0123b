/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * access-internal.h - helpers shared by the files of memory/'s access half
 * (access.c, rw.c, map.c, ramblock.c, dirty.c, iommu.c). Nobody else may
 * include it; the seam with the core half is memory/private.h.
 */
#ifndef XENDM_MEMORY_ACCESS_INTERNAL_H
#define XENDM_MEMORY_ACCESS_INTERNAL_H

#include "memory/private.h"

/**
 * ram_block_dirty_alloc() - allocate @block's dirty bitmaps (all clean),
 * one bit per page of max_length per client. Return: 0 or -ENOMEM.
 */
int ram_block_dirty_alloc(RAMBlock *block) __attribute__((warn_unused_result));

/**
 * ram_block_rw() - copy @len bytes between @buf and @block at @offset
 * (an offset in the block) through short unlocked mappings (host memory or
 * the block's host ops). Does not mark anything dirty.
 * Return: 0, or -EFAULT when the range is outside the used length or a
 * mapping fails (bytes before the failure were copied).
 * Thread-safe; may be called on the ioreq path.
 */
int ram_block_rw(MemorySystem *ms, RAMBlock *block, ram_addr_t offset,
                 void *buf, uint64_t len, bool is_write);

/**
 * memory_region_write_dirty() - a write of @len bytes at @offset of RAM
 * region @mr happened: set the bits of the clients logging @mr (and
 * MIGRATION while global dirty logging is on). Thread-safe.
 */
void memory_region_write_dirty(MemoryRegion *mr, hwaddr offset, hwaddr len);

/**
 * memory_region_ram_block_offset() - @mr's RAM block and the block offset
 * of region offset @addr. Return: the block or NULL when @mr has none.
 */
RAMBlock *memory_region_ram_block_offset(MemoryRegion *mr, hwaddr addr,
                                         ram_addr_t *offset);

/**
 * memory_access_is_direct() - can an access of this kind to @mr be done
 * with a memcpy of its RAM? (RAM that is not device memory; for writes
 * not a ROM; for reads also a ROM device in romd mode.) Writes must also
 * check memory_section_readonly() (read-only aliases and containers).
 */
bool memory_access_is_direct(const MemoryRegion *mr, bool is_write);

/**
 * memory_section_readonly() - is a write at @addr of @fv (translated to
 * terminating region @mr) to read-only memory? True for a ROM, and for RAM
 * reached through a read-only alias or container (the rendered section's
 * flag). The caller holds a reference on @fv.
 */
bool memory_section_readonly(FlatView *fv, hwaddr addr, const MemoryRegion *mr);

/**
 * memory_access_size() - the access size to use for up to @l bytes at
 * offset @addr of I/O region @mr: the largest power of two <= @l, within
 * the region's valid.max_access_size (and alignment unless
 * valid.unaligned), at least 1, at most 8.
 */
unsigned memory_access_size(const MemoryRegion *mr, uint64_t l, hwaddr addr);

/**
 * memory_region_access_valid() - do @mr's valid rules accept an access of
 * @size bytes at @addr? (sizes, alignment, accepts()).
 */
bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
                                bool is_write, MemTxAttrs attrs);

/** memory_ldn_le_p() / memory_stn_le_p() - @size-byte little-endian
 * load/store (bus byte order of an access value). */
uint64_t memory_ldn_le_p(const void *p, unsigned size);
void memory_stn_le_p(void *p, unsigned size, uint64_t v);

#endif /* XENDM_MEMORY_ACCESS_INTERNAL_H */
