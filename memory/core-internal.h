/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core-internal.h - what the files of memory/'s core half share (system.c,
 * region.c, flatview.c, address-space.c, listener.c, mtree.c). Nobody else
 * may include it, except the core half's own tests and benchmarks (which
 * measure the dispatch lookup without the FlatView reference around it).
 * The seam with the access half is memory/private.h.
 */
#ifndef XENDM_MEMORY_CORE_INTERNAL_H
#define XENDM_MEMORY_CORE_INTERNAL_H

#include "memory/private.h"

/**
 * struct FlatRange - one piece of a FlatView: [@start, @last] of the
 * address space is served by @mr from @offset_in_region on.
 * @dirty_log_mask: clients logging @mr when the view was rendered.
 * @romd_mode, @readonly, @nonvolatile: rendered attributes (a change of any
 *        of them makes the range different for listeners).
 */
typedef struct FlatRange {
    MemoryRegion *mr;
    hwaddr offset_in_region;
    hwaddr start;
    hwaddr last;
    uint8_t dirty_log_mask;
    bool romd_mode;
    bool readonly;
    bool nonvolatile;
} FlatRange;

/**
 * struct FlatView - the rendered, immutable view of a region tree.
 * @ref: reference count (atomic); every address space whose current_map
 *       it is holds one, readers take one under ms->lock.
 * @ms: the system.
 * @root: the tree's root (referenced).
 * @generation: unique per FlatView of @ms; tags MRU hints (AddressSpace.mru).
 * @nr: number of ranges.
 * @ranges: @nr disjoint ranges in ascending address order; each holds a
 *       reference on its region.
 * @starts: dispatch table: @ranges[i].start, packed for the binary search.
 *
 * Never modified after flatview_render() returns, so any thread holding a
 * reference may read it without a lock.
 */
struct FlatView {
    unsigned ref;
    MemorySystem *ms;
    MemoryRegion *root;
    uint32_t generation;
    unsigned nr;
    FlatRange *ranges;
    hwaddr *starts;
};

/* ---- system.c ---- */

/**
 * memory_system_next_generation() - a new FlatView generation (never 0).
 * Main thread only.
 */
uint32_t memory_system_next_generation(MemorySystem *ms);

/* ---- region.c ---- */

/**
 * memory_region_dirty_log_mask_rendered() - the mask a FlatRange of @mr
 * records: @mr's clients, plus MIGRATION for RAM while global dirty
 * logging is on.
 */
uint8_t memory_region_dirty_log_mask_rendered(const MemoryRegion *mr);

/* ---- flatview.c ---- */

/**
 * flatview_render() - render the tree under @root into a new FlatView
 * (reference count 1). Return: the view, or NULL on -ENOMEM.
 */
FlatView *flatview_render(MemorySystem *ms, MemoryRegion *root);
/** flatview_new_empty() - a FlatView with no ranges (NULL on -ENOMEM). */
FlatView *flatview_new_empty(MemorySystem *ms, MemoryRegion *root);
/** flatrange_equal() - same region, place, offset and attributes? */
bool flatrange_equal(const FlatRange *a, const FlatRange *b);
/** flatview_equal() - same ranges (dirty log masks included)? */
bool flatview_equal(const FlatView *a, const FlatView *b);
/** flatrange_to_section() - describe @fr of @fv as a section (no ref). */
void flatrange_to_section(FlatView *fv, const FlatRange *fr,
                          MemoryRegionSection *out);

/**
 * flatview_lookup_index() - binary search of @fv's dispatch table.
 * Return: the index of the range containing @addr, or -1 in a gap.
 * Lock-free; the caller holds a reference on @fv.
 */
static inline long flatview_lookup_index(const FlatView *fv, hwaddr addr)
{
    const hwaddr *starts = fv->starts;
    size_t lo = 0, n = fv->nr;

    if (n == 0 || addr < starts[0])
        return -1;
    /* Largest i with starts[i] <= addr (branch-light halving). */
    while (n > 1) {
        size_t half = n / 2;

        if (starts[lo + half] <= addr)
            lo += half;
        n -= half;
    }
    return addr <= fv->ranges[lo].last ? (long)lo : -1;
}

/**
 * address_space_lookup() - the range of @fv containing @addr, trying the
 * one-entry MRU hint of @as first (valid only for @fv's generation), and
 * recording the result there. Return: the range, or NULL in a gap.
 * Lock-free; the caller holds a reference on @fv (normally @as's current
 * map).
 */
static inline const FlatRange *address_space_lookup(AddressSpace *as,
                                                    const FlatView *fv,
                                                    hwaddr addr)
{
    uint64_t hint = __atomic_load_n(&as->mru, __ATOMIC_RELAXED);
    long i;

    if ((uint32_t)(hint >> 32) == fv->generation &&
        (uint32_t)hint < fv->nr) {
        const FlatRange *fr = &fv->ranges[(uint32_t)hint];

        if (addr - fr->start <= fr->last - fr->start)
            return fr;
    }
    i = flatview_lookup_index(fv, addr);
    if (i < 0)
        return NULL;
    __atomic_store_n(&as->mru, (uint64_t)fv->generation << 32 | (uint64_t)i,
                     __ATOMIC_RELAXED);
    return &fv->ranges[i];
}

/* ---- address-space.c ---- */

/**
 * address_spaces_update() - render every address space (sharing views
 * between those with the same root), swap them in and tell listeners.
 * Called at the outermost transaction commit. Main thread only.
 */
void address_spaces_update(MemorySystem *ms);

/* ---- listener.c ---- */

/** listeners_call_begin() / _commit() - around an update of @as. */
void listeners_call_begin(MemorySystem *ms, AddressSpace *as);
void listeners_call_commit(MemorySystem *ms, AddressSpace *as);
/**
 * listeners_update_topology() - tell the listeners watching @as what
 * changed from @old to @new (either may be NULL = empty): every del in
 * reverse priority first, then adds in priority order, nops and log
 * start/stop for unchanged ranges.
 */
void listeners_update_topology(MemorySystem *ms, AddressSpace *as,
                               FlatView *old, FlatView *new);
/** listeners_detach_as() - unregister the listeners filtered to @as. */
void listeners_detach_as(MemorySystem *ms, AddressSpace *as);

#endif /* XENDM_MEMORY_CORE_INTERNAL_H */
