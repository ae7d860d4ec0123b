/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mapcache.h - lazy access to guest RAM through a cache of foreign mappings.
 *
 * Guest RAM is never mapped whole. A MapCache maps it one *bucket* (2^20
 * bytes on 64-bit hosts) at a time with xenforeignmemory_map2() and keeps
 * the mappings for reuse:
 *
 *  - an *unlocked* mapping is short-lived: valid until the next
 *    xen_invalidate_map_cache(), or until the entry is reused or evicted
 *    by later requests (least recently used first);
 *  - a *locked* mapping stays until xen_invalidate_map_cache_entry() drops
 *    the lock; invalidation and eviction skip it. Long-lived device memory
 *    (VRAM, option ROMs) is locked and not dma; DMA buffers are locked and
 *    *dma*: an invalidation that finds a locked dma mapping warns, since
 *    the guest may have given that memory back while a device still writes
 *    to it.
 *
 * The names follow QEMU's xen-mapcache; every function takes the instance
 * first. Guest-reachable failures (unpopulated frames, failed maps, lock
 * overflow, unknown pointers) are logged rate-limited, counted and answered
 * with NULL / RAM_ADDR_INVALID; nothing here exits or aborts.
 *
 * Threading: every function is thread-safe (one mutex per instance), e.g.
 * device worker threads map and unmap while the ioreq thread invalidates.
 * xen_map_cache_destroy() must not race with other calls.
 */
#ifndef XENDM_MAPCACHE_MAPCACHE_H
#define XENDM_MAPCACHE_MAPCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "memory/memory.h"

typedef struct MapCache MapCache;
struct xenforeignmemory_handle;

/** Default bucket shift: 2^20-byte buckets on 64-bit hosts, 2^16 on 32. */
#define MAPCACHE_DEFAULT_BUCKET_SHIFT (sizeof(void *) >= 8 ? 20u : 16u)
/** Default cap on mapped address space: 32 GiB (64-bit), 2 GiB (32-bit). */
#define MAPCACHE_DEFAULT_MAX_SIZE \
    (sizeof(void *) >= 8 ? (32ull << 30) : (2ull << 30))
/** Address space left to the rest of the process under a finite RLIMIT_AS. */
#define MAPCACHE_NON_CACHE_RESERVE (80ull << 20)

/**
 * struct MapCacheConfig - how to build a MapCache.
 * @domid: the guest domain whose frames are mapped.
 * @fmem: an open foreign-memory handle, borrowed (must outlive the cache);
 *        NULL: the cache opens and closes its own.
 * @bucket_shift: log2 of the bucket size, 12..30 (0: default, 20 on
 *        64-bit hosts).
 * @max_mapped_bytes: cap on mapped address space (0: from RLIMIT_AS, see
 *        xen_map_cache_max_size()); at most 2^48, rounded down to whole
 *        buckets, at least one bucket.
 * @nr_buckets: number of hash chains (0: @max_mapped_bytes / bucket size).
 * @lock_max: highest lock count of one entry (0: UINT32_MAX). A test hook
 *        to reach lock overflow quickly.
 */
typedef struct MapCacheConfig {
    uint32_t domid;
    struct xenforeignmemory_handle *fmem;
    unsigned int bucket_shift;
    uint64_t max_mapped_bytes;
    uint32_t nr_buckets;
    uint32_t lock_max;
} MapCacheConfig;

/**
 * struct MapCacheStats - counters for the monitor (a consistent snapshot).
 * @hits: lookups served by a chain entry (not the MRU).
 * @mru_hits: unlocked lookups served by the one-entry MRU.
 * @misses: lookups that had to (re)map.
 * @maps: successful xenforeignmemory_map2() calls (and dummy mmaps).
 * @unmaps: mappings released (unmap, eviction, invalidation, destroy).
 * @remaps: maps done in place over an existing entry (MAP_FIXED).
 * @evictions: unlocked entries unmapped to stay under the cap.
 * @invalidations: xen_invalidate_map_cache() calls.
 * @live_entries: entries currently mapped.
 * @locked: entries with at least one lock.
 * @locked_dma: entries with at least one dma lock.
 * @dummy: anonymous stand-in entries (incoming migration).
 * @mapped_bytes: address space currently mapped.
 * @max_mapped_bytes: the cap.
 * @failures: requests answered with NULL (failed map, invalid page, lock
 *        overflow, cap reached with everything locked, bad arguments).
 * @map_errors: xenforeignmemory_map2() calls that failed outright.
 * @lock_overflows: locks refused because the count would overflow.
 * @unknown_unlocks: unlocks of a pointer the cache did not hand out.
 * @dma_warnings: locked dma mappings reported by invalidations.
 * @nr_buckets: hash chains.
 * @bucket_shift: log2 of the bucket size.
 */
typedef struct MapCacheStats {
    uint64_t hits;
    uint64_t mru_hits;
    uint64_t misses;
    uint64_t maps;
    uint64_t unmaps;
    uint64_t remaps;
    uint64_t evictions;
    uint64_t invalidations;
    uint64_t live_entries;
    uint64_t locked;
    uint64_t locked_dma;
    uint64_t dummy;
    uint64_t mapped_bytes;
    uint64_t max_mapped_bytes;
    uint64_t failures;
    uint64_t map_errors;
    uint64_t lock_overflows;
    uint64_t unknown_unlocks;
    uint64_t dma_warnings;
    uint32_t nr_buckets;
    uint32_t bucket_shift;
} MapCacheStats;

/**
 * xen_map_cache_max_size() - the cap on mapped bytes for an address-space
 * limit. Pure arithmetic, no underflow.
 * @rlimit_as: RLIMIT_AS (UINT64_MAX or RLIM_INFINITY: unlimited).
 * @bucket_shift: log2 of the bucket size.
 * Return: MAPCACHE_DEFAULT_MAX_SIZE when unlimited; otherwise the limit
 * minus MAPCACHE_NON_CACHE_RESERVE, at most the default, rounded down to
 * whole buckets, and never less than one bucket.
 */
uint64_t xen_map_cache_max_size(uint64_t rlimit_as, unsigned int bucket_shift);

/**
 * xen_map_cache_init() - create a mapcache.
 * @cfg: configuration (copied).
 * @out: on success the new cache; free with xen_map_cache_destroy().
 * Return: 0, -EINVAL (bad shift/sizes), -ENOMEM, or -errno of opening the
 * foreign-memory handle.
 */
int xen_map_cache_init(const MapCacheConfig *cfg, MapCache **out)
    __attribute__((warn_unused_result));

/**
 * xen_map_cache_destroy() - unmap everything (locked entries too; their
 * count is logged) and free the cache. NULL is a no-op. No other call may
 * be in progress.
 * @mc: the cache.
 */
void xen_map_cache_destroy(MapCache *mc);

/**
 * xen_map_cache() - host pointer to guest physical [@phys_addr,
 * @phys_addr + @size).
 * @mc: the cache.
 * @phys_addr: guest physical address.
 * @size: bytes needed (0: the rest of the page at @phys_addr). A request
 *        may cross buckets: the entry then spans several.
 * @lock: pin the mapping until xen_invalidate_map_cache_entry() of the
 *        returned pointer (each call takes one lock).
 * @dma: with @lock, tag the lock as a DMA mapping.
 *
 * Unlocked lookups try the one-entry MRU first, then the chain of
 * @phys_addr's bucket, preferring an exact match before reusing an
 * unlocked entry of the chain (remapped in place with MAP_FIXED).
 * May be called on the ioreq path and from any thread.
 * Return: the pointer, or NULL if a page of the range is not populated,
 * the map failed, the lock would overflow or the cap is reached with only
 * locked entries left (logged rate-limited and counted).
 */
void *xen_map_cache(MapCache *mc, hwaddr phys_addr, uint64_t size, bool lock,
                    bool dma);

/**
 * xen_invalidate_map_cache_entry() - drop one lock taken on @buffer.
 * @mc: the cache.
 * @buffer: a pointer returned by a locked xen_map_cache(). A dma lock is
 *          dropped before a non-dma one on the same pointer.
 *
 * The entry stays cached (unlocked) when its last lock goes, except a
 * dummy entry, which is unmapped. An unknown pointer is logged and counted.
 */
void xen_invalidate_map_cache_entry(MapCache *mc, void *buffer);

/**
 * xen_invalidate_map_cache() - Xen's IOREQ_TYPE_INVALIDATE: unmap every
 * unlocked entry and clear the MRU. Locked entries stay; each locked dma
 * mapping is reported with one (rate-limited, counted) warning naming guest
 * address -> host address and size. Costs in proportion to the live
 * entries, not the bucket count.
 * @mc: the cache.
 */
void xen_invalidate_map_cache(MapCache *mc);

/**
 * xen_ram_addr_from_mapcache() - translate a pointer back to a guest
 * physical address (== ram_addr for Xen).
 * @mc: the cache.
 * @ptr: a pointer returned by a locked map (O(1)), or any pointer inside a
 *       locked entry (walks the live entries).
 * Return: the address, or RAM_ADDR_INVALID if @ptr is not in a locked entry.
 */
ram_addr_t xen_ram_addr_from_mapcache(MapCache *mc, void *ptr);

/**
 * xen_replace_cache_entry() - remap the dummy entry of @old_phys_addr in
 * place to the guest frames at @new_phys_addr (end of incoming migration),
 * so that pointers already handed out stay valid.
 * @mc: the cache.
 * @old_phys_addr: where the dummy entry was requested.
 * @new_phys_addr: the real guest address; same offset inside a bucket.
 * @size: the size the dummy entry was requested with.
 * Return: the pointer for @new_phys_addr, or NULL (no such dummy entry,
 * offsets differ, or a page at @new_phys_addr is not populated).
 */
void *xen_replace_cache_entry(MapCache *mc, hwaddr old_phys_addr,
                              hwaddr new_phys_addr, uint64_t size);

/**
 * xen_map_cache_set_incoming() - while @incoming, a request whose frames
 * are not (yet) mappable gets an anonymous dummy mapping instead of NULL.
 * @mc: the cache.
 * @incoming: true during incoming migration.
 */
void xen_map_cache_set_incoming(MapCache *mc, bool incoming);

/**
 * xen_map_cache_get_stats() - snapshot the counters.
 * @mc: the cache.
 * @out: filled in.
 */
void xen_map_cache_get_stats(MapCache *mc, MapCacheStats *out);

/**
 * xen_map_cache_host_ops() - the RAMBlockHostOps plugging @mc into the
 * memory API's RAMBlock seam (give them to
 * memory_system_set_default_ram_host_ops() or qemu_ram_set_host_ops()).
 * ram_addr is used as guest physical address. For a RAM_NOALLOC block
 * (main RAM) an unlocked request is cut at the bucket end; a locked one
 * maps the whole range with dma as passed. For other blocks (VRAM, ROM) the
 * request is passed through (the memory core asks for a locked, non-dma
 * mapping of the whole block). Requests are clamped to the block's
 * max_length.
 * @mc: the cache; the ops live inside it (valid until destroy).
 * Return: the ops.
 */
const RAMBlockHostOps *xen_map_cache_host_ops(MapCache *mc);

#endif /* XENDM_MAPCACHE_MAPCACHE_H */
