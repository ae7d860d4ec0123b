/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * private.h - what the files of mapcache/ share (and its unit tests use:
 * the bitmap helpers and the backend hook). Nobody else may include it.
 */
#ifndef XENDM_MAPCACHE_PRIVATE_H
#define XENDM_MAPCACHE_PRIVATE_H

#include <glib.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <xenforeignmemory.h>

#include "mapcache/mapcache.h"
#include "util/log.h"

/** struct mc_list - an intrusive circular doubly-linked list node/head. */
struct mc_list {
    struct mc_list *prev;
    struct mc_list *next;
};

#define mc_container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void mc_list_init(struct mc_list *h)
{
    h->prev = h->next = h;
}

static inline bool mc_list_empty(const struct mc_list *h)
{
    return h->next == h;
}

static inline void mc_list_add_tail(struct mc_list *h, struct mc_list *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static inline void mc_list_del(struct mc_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

/* ---- bitmaps (one bit per page of an entry) ---------------------------- */

#define MC_BITS_PER_LONG (sizeof(unsigned long) * CHAR_BIT)
#define MC_BITS_TO_LONGS(n) (((n) + MC_BITS_PER_LONG - 1) / MC_BITS_PER_LONG)

/** mc_bitmap_set() - set bit @nr of @map. */
void mc_bitmap_set(unsigned long *map, uint64_t nr);
/** mc_bitmap_test_range() - Return: true if bits [@start, @start+@n) are all set. */
bool mc_bitmap_test_range(const unsigned long *map, uint64_t start, uint64_t n);
/** mc_bitmap_fill() - set bits [0, @n) and clear the rest of the last word. */
void mc_bitmap_fill(unsigned long *map, uint64_t n);

/* ---- the foreign-memory backend ---------------------------------------- */

/**
 * struct mapcache_backend - how frames are mapped. The default calls
 * xenforeignmemory_map2()/xenforeignmemory_unmap() on the configured
 * domain; unit tests substitute an in-process fake through
 * xen_map_cache_init_backend() to test the pure logic and inject failures.
 * @map2: map @pages frames @pfns at @addr (NULL: anywhere; else MAP_FIXED
 *        over what is there), per-page errors in @err. NULL on failure.
 * @unmap: unmap @pages pages at @addr. 0 or -1.
 * @opaque: passed to both.
 */
struct mapcache_backend {
    void *(*map2)(void *opaque, void *addr, size_t pages,
                  const xen_pfn_t *pfns, int *err);
    int (*unmap)(void *opaque, void *addr, size_t pages);
    void *opaque;
};

/**
 * xen_map_cache_init_backend() - xen_map_cache_init() with @backend
 * instead of libxenforeignmemory (@cfg->fmem and @cfg->domid are unused).
 */
int xen_map_cache_init_backend(const MapCacheConfig *cfg,
                               const struct mapcache_backend *backend,
                               MapCache **out)
    __attribute__((warn_unused_result));

/* ---- the instance ------------------------------------------------------ */

typedef struct MapCacheEntry MapCacheEntry;

/**
 * struct MapCacheRev - the reverse entry of a locked pointer.
 * @vaddr_req: the pointer returned (hash key in MapCache.rev).
 * @entry: the entry it points into.
 * @size: largest size requested with this pointer.
 * @count: outstanding locks on this pointer.
 * @dma_count: how many of them are dma.
 * @link: in MapCacheEntry.revs.
 */
typedef struct MapCacheRev {
    uint8_t *vaddr_req;
    MapCacheEntry *entry;
    uint64_t size;
    uint32_t count;
    uint32_t dma_count;
    struct mc_list link;
} MapCacheRev;

/**
 * struct MapCacheEntry - one mapping of [paddr_index << shift, + size).
 * @paddr_index: first bucket.
 * @vaddr_base: the mapping.
 * @size: bytes, a multiple of the bucket size.
 * @valid: one bit per page: the frame was mapped (map2's err[] was 0).
 * @lock: outstanding locks (sum of the revs' counts).
 * @dma_lock: how many of them are dma.
 * @dummy: anonymous stand-in (incoming migration), not guest frames.
 * @chain_next: next entry of the hash chain.
 * @chain_pprev: the pointer that points to this entry (O(1) unlink).
 * @live: in MapCache.live (every entry).
 * @lru: in MapCache.lru while unlocked (head = least recently used).
 * @revs: reverse entries pointing into this entry.
 */
struct MapCacheEntry {
    uint64_t paddr_index;
    uint8_t *vaddr_base;
    uint64_t size;
    unsigned long *valid;
    uint32_t lock;
    uint32_t dma_lock;
    bool dummy;
    MapCacheEntry *chain_next;
    MapCacheEntry **chain_pprev;
    struct mc_list live;
    struct mc_list lru;
    struct mc_list revs;
};

/**
 * struct MapCache - the instance. Everything below @lock is guarded by it.
 * @backend: how frames are mapped.
 * @own_fmem: the handle we opened (closed on destroy), or NULL.
 * @fmem: the handle in use by the default backend.
 * @domid: the guest.
 * @bucket_shift: log2 bucket size.
 * @bucket_size: 1 << @bucket_shift.
 * @nr_buckets: hash chains.
 * @chain_mask: @nr_buckets - 1 if a power of two, else 0 (use %).
 * @max_mapped_bytes: the cap.
 * @lock_max: highest lock count.
 * @host_ops: the RAMBlock seam (opaque = this cache).
 * @lock: the instance lock.
 * @buckets: chain heads.
 * @live: every entry.
 * @lru: unlocked entries, least recently used first.
 * @rev: reverse map, pointer -> MapCacheRev.
 * @last_entry: the one-entry MRU (unlocked lookups), or NULL.
 * @incoming: dummy mappings allowed.
 * @nr_live: entries.
 * @mapped_bytes: sum of entry sizes.
 * @st: counters (the gauges are computed on snapshot).
 * @rl: rate limiter for failures.
 * @dma_rl: rate limiter for the invalidation warnings.
 */
struct MapCache {
    struct mapcache_backend backend;
    struct xenforeignmemory_handle *own_fmem;
    struct xenforeignmemory_handle *fmem;
    uint32_t domid;
    unsigned int bucket_shift;
    uint64_t bucket_size;
    uint32_t nr_buckets;
    uint64_t chain_mask;
    uint64_t max_mapped_bytes;
    uint32_t lock_max;
    RAMBlockHostOps host_ops;

    pthread_mutex_t lock;
    MapCacheEntry **buckets;
    struct mc_list live;
    struct mc_list lru;
    GHashTable *rev;
    MapCacheEntry *last_entry;
    bool incoming;
    uint64_t nr_live;
    uint64_t mapped_bytes;
    MapCacheStats st;
    struct log_ratelimit rl;
    struct log_ratelimit dma_rl;
};

/* mapcache.c */
/** mc_entry_free_locked() - unmap @e, unlink it everywhere, free it. */
void mc_entry_free_locked(MapCache *mc, MapCacheEntry *e);
/** mc_remap_locked() - (re)map @e at @addr_index, @size bytes (see .c). */
int mc_remap_locked(MapCache *mc, MapCacheEntry *e, uint64_t addr_index,
                    uint64_t size, bool dummy);
/** mc_chain_unlink() / mc_chain_link(): hash-chain membership of @e. */
void mc_chain_unlink(MapCacheEntry *e);
void mc_chain_link(MapCache *mc, MapCacheEntry *e);
/** mc_rev_drop_locked() - remove reverse entry @r from @mc and free it. */
void mc_rev_drop_locked(MapCache *mc, MapCacheRev *r);

/* seam.c */
/** mc_host_ops_init() - fill MapCache.host_ops (once, at creation). */
void mc_host_ops_init(MapCache *mc);

#endif /* XENDM_MAPCACHE_PRIVATE_H */
