/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dirty.c - dirty bitmaps of RAM blocks.
 *
 * Data structure: each RAMBlock has one bitmap per client (VGA, CODE,
 * MIGRATION) of one bit per TARGET_PAGE_SIZE page of its max_length,
 * allocated with the block. Bits are set, tested and cleared with atomic
 * word operations (__atomic builtins), so writers on worker threads and a
 * reader on the device-model thread need no lock; a snapshot captures and
 * clears a range one word at a time (exchange / fetch-and), so no bit set
 * concurrently is lost: it is either in the snapshot or still in the map.
 *
 * Region-relative functions use the region's block directly (a RAM region
 * starts at its block's start); cpu_physical_memory_set_dirty_range() finds
 * the blocks of a ram_addr range under ms->ram_lock.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memory/access-internal.h"

#define BITS_PER_WORD (8 * sizeof(unsigned long))

/**
 * struct DirtyBitmapSnapshot - captured bits.
 * @first_page: block page index of bit 0.
 * @nr_pages: number of pages captured.
 * @bits: one bit per page.
 */
struct DirtyBitmapSnapshot {
    uint64_t first_page;
    uint64_t nr_pages;
    unsigned long bits[];
};

static uint64_t block_pages(const RAMBlock *b)
{
    return (b->max_length + TARGET_PAGE_SIZE - 1) >> TARGET_PAGE_BITS;
}

int ram_block_dirty_alloc(RAMBlock *block)
{
    uint64_t words = (block_pages(block) + BITS_PER_WORD - 1) / BITS_PER_WORD;

    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        block->dirty_bmap[c] = calloc(words ? words : 1, sizeof(unsigned long));
        if (!block->dirty_bmap[c]) {
            ram_block_dirty_free(block);
            return -ENOMEM;
        }
    }
    return 0;
}

void ram_block_dirty_free(RAMBlock *block)
{
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        free(block->dirty_bmap[c]);
        block->dirty_bmap[c] = NULL;
    }
}

/*
 * Page range [*first, *last] of byte range [addr, addr + size) clipped to
 * @b. Return: false when empty.
 */
static bool page_range(const RAMBlock *b, uint64_t addr, uint64_t size,
                       uint64_t *first, uint64_t *last)
{
    uint64_t end;

    if (size == 0 || addr >= b->max_length) {
        return false;
    }
    end = addr + size - 1;
    if (end < addr || end >= b->max_length) {
        end = b->max_length - 1;
    }
    *first = addr >> TARGET_PAGE_BITS;
    *last = end >> TARGET_PAGE_BITS;
    return true;
}

/* Mask of the bits of word @w within [first, last]. */
static unsigned long word_mask(uint64_t w, uint64_t first, uint64_t last)
{
    uint64_t lo = w * BITS_PER_WORD, hi = lo + BITS_PER_WORD - 1;
    unsigned s = first > lo ? (unsigned)(first - lo) : 0;
    unsigned e = last < hi ? (unsigned)(last - lo) : BITS_PER_WORD - 1;
    unsigned long m = ~0ul << s;

    if (e < BITS_PER_WORD - 1) {
        m &= (1ul << (e + 1)) - 1;
    }
    return m;
}

enum bitmap_op { BM_SET, BM_TEST, BM_CLEAR, BM_TEST_CLEAR };

/* Apply @op to pages [first, last] of @map. Return: any bit was set. */
static bool bitmap_op(unsigned long *map, uint64_t first, uint64_t last,
                      enum bitmap_op op)
{
    bool any = false;

    for (uint64_t w = first / BITS_PER_WORD; w <= last / BITS_PER_WORD; w++) {
        unsigned long m = word_mask(w, first, last);
        unsigned long old;

        switch (op) {
        case BM_SET:
            if ((__atomic_load_n(&map[w], __ATOMIC_RELAXED) & m) != m) {
                __atomic_fetch_or(&map[w], m, __ATOMIC_SEQ_CST);
            }
            break;
        case BM_TEST:
            if (__atomic_load_n(&map[w], __ATOMIC_ACQUIRE) & m) {
                return true;
            }
            break;
        case BM_CLEAR:
        case BM_TEST_CLEAR:
            old = __atomic_fetch_and(&map[w], ~m, __ATOMIC_SEQ_CST);
            any |= (old & m) != 0;
            break;
        }
    }
    return any;
}

static RAMBlock *region_block(MemoryRegion *mr, hwaddr *addr)
{
    ram_addr_t off;
    RAMBlock *b = memory_region_ram_block_offset(mr, *addr, &off);

    if (b) {
        *addr = off;
    }
    return b;
}

uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr)
{
    uint8_t mask = mr->dirty_log_mask;

    if (mr->ms && __atomic_load_n(&mr->ms->global_dirty_log, __ATOMIC_RELAXED) &&
        mr->ram_block) {
        mask |= 1u << DIRTY_MEMORY_MIGRATION;
    }
    return mask;
}

static void block_set_dirty(RAMBlock *b, uint64_t off, uint64_t len,
                            unsigned mask)
{
    uint64_t first, last;

    if (!page_range(b, off, len, &first, &last)) {
        return;
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        if (mask & (1u << c)) {
            bitmap_op(b->dirty_bmap[c], first, last, BM_SET);
        }
    }
}

/* Tell the hypervisor binding about DM writes to RAM during migration. */
static void notify_dirtied(MemorySystem *ms, ram_addr_t start,
                           ram_addr_t length)
{
    if (length && ms->hooks && ms->hooks->ram_dirtied &&
        __atomic_load_n(&ms->global_dirty_log, __ATOMIC_RELAXED)) {
        ms->hooks->ram_dirtied(ms->hooks->opaque, start, length);
    }
}

void memory_region_write_dirty(MemoryRegion *mr, hwaddr offset, hwaddr len)
{
    uint8_t mask = memory_region_get_dirty_log_mask(mr);
    RAMBlock *b;

    if (!mask) {
        return;
    }
    b = region_block(mr, &offset);
    if (b) {
        block_set_dirty(b, offset, len, mask);
        notify_dirtied(b->ms, b->offset + offset, len);
    }
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
    RAMBlock *b = region_block(mr, &addr);

    if (b) {
        block_set_dirty(b, addr, size, (1u << DIRTY_MEMORY_NUM) - 1);
        notify_dirtied(b->ms, b->offset + addr, size);
    }
}

static bool region_op(MemoryRegion *mr, hwaddr addr, hwaddr size,
                      unsigned client, enum bitmap_op op)
{
    RAMBlock *b = region_block(mr, &addr);
    uint64_t first, last;

    assert(client < DIRTY_MEMORY_NUM);
    if (!b || !page_range(b, addr, size, &first, &last)) {
        return false;
    }
    return bitmap_op(b->dirty_bmap[client], first, last, op);
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client)
{
    return region_op(mr, addr, size, client, BM_TEST);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client)
{
    region_op(mr, addr, size, client, BM_CLEAR);
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                        hwaddr size, unsigned client)
{
    return region_op(mr, addr, size, client, BM_TEST_CLEAR);
}

DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(MemoryRegion *mr,
                                                            hwaddr addr,
                                                            hwaddr size,
                                                            unsigned client)
{
    DirtyBitmapSnapshot *snap;
    uint64_t first = 0, last = 0, nr = 0, words;
    hwaddr off = addr;
    RAMBlock *b;

    assert(client < DIRTY_MEMORY_NUM);
    memory_region_sync_dirty_bitmap(mr);
    b = region_block(mr, &off);
    if (b && page_range(b, off, size, &first, &last)) {
        nr = last - first + 1;
    }
    words = (nr + BITS_PER_WORD - 1) / BITS_PER_WORD;
    snap = calloc(1, sizeof(*snap) + (words ? words : 1) * sizeof(unsigned long));
    if (!snap) {
        return NULL;
    }
    /* Bits are indexed by block page (queries convert through @mr). */
    snap->first_page = first;
    snap->nr_pages = nr;
    if (!nr) {
        return snap;
    }
    unsigned long *map = b->dirty_bmap[client];
    for (uint64_t w = first / BITS_PER_WORD; w <= last / BITS_PER_WORD; w++) {
        unsigned long m = word_mask(w, first, last);
        unsigned long v;

        if (m == ~0ul) {
            v = __atomic_exchange_n(&map[w], 0ul, __ATOMIC_SEQ_CST);
        } else {
            v = __atomic_fetch_and(&map[w], ~m, __ATOMIC_SEQ_CST) & m;
        }
        while (v) {
            unsigned bit = (unsigned)__builtin_ctzl(v);
            uint64_t i = w * BITS_PER_WORD + bit - first;

            snap->bits[i / BITS_PER_WORD] |= 1ul << (i % BITS_PER_WORD);
            v &= v - 1;
        }
    }
    return snap;
}

bool memory_region_snapshot_get_dirty(MemoryRegion *mr,
                                      DirtyBitmapSnapshot *snap, hwaddr addr,
                                      hwaddr size)
{
    uint64_t first, last, end;

    if (!snap || size == 0 || snap->nr_pages == 0 ||
        !region_block(mr, &addr)) {
        return false;
    }
    end = addr + size - 1;
    if (end < addr) {
        end = UINT64_MAX;
    }
    first = addr >> TARGET_PAGE_BITS;
    last = end >> TARGET_PAGE_BITS;
    /* Clip to the snapshot (the API says the range lies inside it). */
    if (first < snap->first_page) {
        first = snap->first_page;
    }
    if (last > snap->first_page + snap->nr_pages - 1) {
        last = snap->first_page + snap->nr_pages - 1;
    }
    for (uint64_t p = first; p <= last && p >= first; p++) {
        uint64_t i = p - snap->first_page;

        if (snap->bits[i / BITS_PER_WORD] & (1ul << (i % BITS_PER_WORD))) {
            return true;
        }
    }
    return false;
}

void dirty_bitmap_snapshot_free(DirtyBitmapSnapshot *snap)
{
    free(snap);
}

void cpu_physical_memory_set_dirty_range(MemorySystem *ms, ram_addr_t start,
                                         ram_addr_t length, uint8_t mask)
{
    ram_addr_t last;

    if (length == 0 || !mask) {
        return;
    }
    last = start + length - 1;
    if (last < start) {
        last = RAM_ADDR_INVALID;
    }
    pthread_mutex_lock(&ms->ram_lock);
    for (RAMBlock *b = ms->ram_blocks; b; b = b->next) {
        uint64_t bl = b->offset + b->max_length - 1;
        uint64_t s, e;

        if (b->offset > last) {
            break;
        }
        if (bl < start) {
            continue;
        }
        s = start > b->offset ? start : b->offset;
        e = last < bl ? last : bl;
        block_set_dirty(b, s - b->offset, e - s + 1, mask);
    }
    pthread_mutex_unlock(&ms->ram_lock);
    notify_dirtied(ms, start, last - start + 1);
}
