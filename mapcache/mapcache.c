/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mapcache.c - the mapcache's entries: creation, lookup, (re)mapping,
 * eviction and destruction.
 *
 * Data structures (all under MapCache.lock, one mutex per instance):
 *  - buckets[]: chain heads; an entry of first bucket I hangs off chain
 *    I % nr_buckets (a mask when nr_buckets is a power of two). Chains are
 *    doubly linked (chain_pprev) so an entry leaves in O(1).
 *  - live: every mapped entry. Invalidation walks this list, so it costs
 *    in proportion to the live entries, never to the bucket count.
 *  - lru: the unlocked entries, least recently used first; eviction takes
 *    from its head when a new mapping would exceed max_mapped_bytes.
 *  - rev: hash table pointer -> MapCacheRev for every locked pointer
 *    (O(1) unlock and reverse translation).
 *  - last_entry: one-entry MRU for unlocked lookups.
 * An entry exists only while mapped; freeing unmaps it.
 *
 * A lookup walks its chain and prefers an entry that covers the request
 * with valid pages; only without one does it reuse an unlocked entry
 * (one of the same key whose pages were invalid, else one of the same
 * size), remapping it in place with MAP_FIXED so the address range is
 * never free in between. Locked entries are never remapped (except dummy
 * entries by xen_replace_cache_entry()). Lock counts are checked against
 * lock_max before every increment.
 *
 * Mapping runs with the lock held: map2 is a syscall and callers on other
 * threads wait, which keeps entry state simple and consistent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <xenforeignmemory.h>

#include "mapcache/private.h"

#define MC_PAGE_SHIFT 12u
#define MC_PAGE_SIZE (1ull << MC_PAGE_SHIFT)
#define MC_MAX_CAP (1ull << 48)

/* ---- bitmaps ------------------------------------------------------------ */

void mc_bitmap_set(unsigned long *map, uint64_t nr)
{
    map[nr / MC_BITS_PER_LONG] |= 1ul << (nr % MC_BITS_PER_LONG);
}

bool mc_bitmap_test_range(const unsigned long *map, uint64_t start, uint64_t n)
{
    uint64_t i = start, end = start + n;

    while (i < end) {
        uint64_t w = i / MC_BITS_PER_LONG;
        unsigned int b = i % MC_BITS_PER_LONG;
        uint64_t take = MC_BITS_PER_LONG - b;
        unsigned long mask;

        if (take > end - i)
            take = end - i;
        mask = (take == MC_BITS_PER_LONG) ? ~0ul
                                          : (((1ul << take) - 1) << b);
        if ((map[w] & mask) != mask)
            return false;
        i += take;
    }
    return true;
}

void mc_bitmap_fill(unsigned long *map, uint64_t n)
{
    uint64_t words = MC_BITS_TO_LONGS(n);

    memset(map, 0xff, words * sizeof(unsigned long));
    if (n % MC_BITS_PER_LONG)
        map[words - 1] = (1ul << (n % MC_BITS_PER_LONG)) - 1;
}

/* ---- sizing ------------------------------------------------------------- */

uint64_t xen_map_cache_max_size(uint64_t rlimit_as, unsigned int bucket_shift)
{
    uint64_t bucket = 1ull << bucket_shift;
    uint64_t cap = MAPCACHE_DEFAULT_MAX_SIZE;

    if (rlimit_as != UINT64_MAX && rlimit_as != (uint64_t)RLIM_INFINITY) {
        uint64_t avail = rlimit_as > MAPCACHE_NON_CACHE_RESERVE
                             ? rlimit_as - MAPCACHE_NON_CACHE_RESERVE : 0;
        if (avail < cap)
            cap = avail;
    }
    cap &= ~(bucket - 1);
    return cap ? cap : bucket;
}

/* ---- the default backend: libxenforeignmemory --------------------------- */

static void *fm_map2(void *opaque, void *addr, size_t pages,
                     const xen_pfn_t *pfns, int *err)
{
    MapCache *mc = opaque;

    return xenforeignmemory_map2(mc->fmem, mc->domid, addr,
                                 PROT_READ | PROT_WRITE, addr ? MAP_FIXED : 0,
                                 pages, pfns, err);
}

static int fm_unmap(void *opaque, void *addr, size_t pages)
{
    MapCache *mc = opaque;

    return xenforeignmemory_unmap(mc->fmem, addr, pages);
}

/* ---- chains ------------------------------------------------------------- */

static MapCacheEntry **mc_chain_head(MapCache *mc, uint64_t index)
{
    uint64_t slot = mc->chain_mask ? (index & mc->chain_mask)
                                   : (index % mc->nr_buckets);
    return &mc->buckets[slot];
}

void mc_chain_link(MapCache *mc, MapCacheEntry *e)
{
    MapCacheEntry **head = mc_chain_head(mc, e->paddr_index);

    e->chain_next = *head;
    if (e->chain_next)
        e->chain_next->chain_pprev = &e->chain_next;
    e->chain_pprev = head;
    *head = e;
}

void mc_chain_unlink(MapCacheEntry *e)
{
    if (!e->chain_pprev)
        return;
    *e->chain_pprev = e->chain_next;
    if (e->chain_next)
        e->chain_next->chain_pprev = e->chain_pprev;
    e->chain_next = NULL;
    e->chain_pprev = NULL;
}

/* ---- mapping ------------------------------------------------------------ */

static void mc_release_mapping(MapCache *mc, uint8_t *base, uint64_t size,
                               bool dummy)
{
    int rc;

    if (dummy)
        rc = munmap(base, size);
    else
        rc = mc->backend.unmap(mc->backend.opaque, base,
                               size >> MC_PAGE_SHIFT);
    if (rc)
        log_err_rl(&mc->rl, "mapcache: unmapping %p (%" PRIu64 " bytes): %s",
                   (void *)base, size, strerror(errno));
    mc->st.unmaps++;
}

void mc_rev_drop_locked(MapCache *mc, MapCacheRev *r)
{
    g_hash_table_remove(mc->rev, r->vaddr_req);
    mc_list_del(&r->link);
    free(r);
}

void mc_entry_free_locked(MapCache *mc, MapCacheEntry *e)
{
    while (!mc_list_empty(&e->revs))
        mc_rev_drop_locked(mc, mc_container_of(e->revs.next, MapCacheRev,
                                               link));
    if (e->vaddr_base) {
        mc_release_mapping(mc, e->vaddr_base, e->size, e->dummy);
        mc->mapped_bytes -= e->size;
    }
    mc_chain_unlink(e);
    mc_list_del(&e->live);
    mc_list_del(&e->lru);
    if (mc->last_entry == e)
        mc->last_entry = NULL;
    mc->nr_live--;
    free(e->valid);
    free(e);
}

/* Evict least recently used unlocked entries (never @keep) until @need more
 * bytes fit under the cap. Return: 0 or -ENOMEM. */
static int mc_make_room_locked(MapCache *mc, uint64_t need,
                               const MapCacheEntry *keep)
{
    struct mc_list *n = mc->lru.next;

    if (need > mc->max_mapped_bytes)
        return -ENOMEM;
    while (mc->mapped_bytes > mc->max_mapped_bytes - need) {
        MapCacheEntry *victim;

        if (n == &mc->lru)
            return -ENOMEM;
        victim = mc_container_of(n, MapCacheEntry, lru);
        n = n->next;
        if (victim == keep)
            continue;
        mc_entry_free_locked(mc, victim);
        mc->st.evictions++;
    }
    return 0;
}

/*
 * After a failed in-place map: did the old mapping survive (the library
 * failed before mapping), or is [@base, @base + @size) free now (it mapped
 * over it, then unmapped on failure)? Probed without clobbering anything.
 */
static bool mc_range_still_mapped(uint8_t *base, uint64_t size)
{
    void *p = mmap(base, size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

    if (p == MAP_FAILED)
        return errno == EEXIST;
    munmap(p, size);
    /* Kernels before 4.17 take the flag as a hint: elsewhere = occupied. */
    return p != (void *)base;
}

/*
 * mc_remap_locked() - map @e to @size bytes of guest memory from bucket
 * @addr_index (or anonymous memory if @dummy). Same size as the current
 * mapping: in place over it (MAP_FIXED); otherwise (or when a foreign
 * mapping turns into a dummy) a new mapping is made first and the old one
 * released after. The chain link follows the index.
 * On failure of an in-place map, @e is unchanged if its old mapping
 * survived; if the range is free (the library maps over it, then unmaps on
 * failure), @e is left unmapped (vaddr_base NULL) for the caller to free.
 * Return: 0, -ENOMEM (cap or allocation), -EIO (map failed).
 */
int mc_remap_locked(MapCache *mc, MapCacheEntry *e, uint64_t addr_index,
                    uint64_t size, bool dummy)
{
    uint64_t pages = size >> MC_PAGE_SHIFT;
    /* In place unless a foreign mapping becomes a dummy: the library
     * tracks its mappings, so that one is released through it (the entry
     * is unlocked then, nobody holds its addresses). */
    bool in_place = e->vaddr_base && e->size == size && !(dummy && !e->dummy);
    uint64_t old_size = e->vaddr_base ? e->size : 0;
    unsigned long *valid;
    xen_pfn_t *pfns = NULL;
    int *err = NULL;
    uint8_t *base;
    int rc;

    if (size > old_size) {
        rc = mc_make_room_locked(mc, size - old_size, e);
        if (rc) {
            log_warn_rl(&mc->rl, "mapcache: cap of %" PRIu64 " bytes reached"
                        " with only locked entries left", mc->max_mapped_bytes);
            return rc;
        }
    }
    valid = calloc(MC_BITS_TO_LONGS(pages), sizeof(unsigned long));
    if (!valid)
        return -ENOMEM;

    if (dummy) {
        void *p = mmap(in_place ? e->vaddr_base : NULL, size,
                       PROT_READ | PROT_WRITE,
                       MAP_ANONYMOUS | MAP_SHARED | (in_place ? MAP_FIXED : 0),
                       -1, 0);
        base = p == MAP_FAILED ? NULL : p;
        if (base)
            mc_bitmap_fill(valid, pages);
    } else {
        pfns = malloc(pages * sizeof(*pfns));
        err = malloc(pages * sizeof(*err));
        if (!pfns || !err) {
            free(pfns);
            free(err);
            free(valid);
            return -ENOMEM;
        }
        for (uint64_t i = 0; i < pages; i++)
            pfns[i] = (xen_pfn_t)((addr_index << (mc->bucket_shift -
                                                  MC_PAGE_SHIFT)) + i);
        base = mc->backend.map2(mc->backend.opaque,
                                in_place ? e->vaddr_base : NULL, pages, pfns,
                                err);
        if (base)
            for (uint64_t i = 0; i < pages; i++)
                if (err[i] == 0)
                    mc_bitmap_set(valid, i);
    }
    if (!base) {
        int saved = errno;

        free(pfns);
        free(err);
        free(valid);
        mc->st.map_errors++;
        log_err_rl(&mc->rl, "mapcache: mapping %" PRIu64 " bytes at guest %#"
                   PRIx64 " failed: %s", size,
                   addr_index << mc->bucket_shift, strerror(saved));
        if (in_place && !mc_range_still_mapped(e->vaddr_base, size)) {
            mc->mapped_bytes -= e->size;
            e->vaddr_base = NULL;
            e->size = 0;
        }
        return -EIO;
    }
    free(pfns);
    free(err);

    if (e->vaddr_base && !in_place) {
        mc_release_mapping(mc, e->vaddr_base, e->size, e->dummy);
        mc->mapped_bytes -= e->size;
    }
    if (in_place)
        mc->st.remaps++;
    else
        mc->mapped_bytes += size;
    mc->st.maps++;
    free(e->valid);
    e->valid = valid;
    e->vaddr_base = base;
    e->size = size;
    e->dummy = dummy;
    if (e->paddr_index != addr_index || !e->chain_pprev) {
        mc_chain_unlink(e);
        e->paddr_index = addr_index;
        mc_chain_link(mc, e);
    }
    return 0;
}

static MapCacheEntry *mc_entry_new_locked(MapCache *mc, uint64_t addr_index,
                                          uint64_t size, bool dummy)
{
    MapCacheEntry *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    mc_list_init(&e->live);
    mc_list_init(&e->lru);
    mc_list_init(&e->revs);
    e->paddr_index = addr_index;
    if (mc_remap_locked(mc, e, addr_index, size, dummy)) {
        free(e);
        return NULL;
    }
    mc_list_add_tail(&mc->live, &e->live);
    mc_list_add_tail(&mc->lru, &e->lru);
    mc->nr_live++;
    return e;
}

/* Mark @e most recently used (if unlocked). */
static inline void mc_lru_touch(MapCache *mc, MapCacheEntry *e)
{
    if (!e->lock && e->lru.next != &mc->lru) {
        mc_list_del(&e->lru);
        mc_list_add_tail(&mc->lru, &e->lru);
    }
}

static int mc_lock_entry_locked(MapCache *mc, MapCacheEntry *e, uint8_t *ptr,
                                uint64_t len, bool dma)
{
    MapCacheRev *r;

    if (e->lock >= mc->lock_max) {
        mc->st.lock_overflows++;
        log_err_rl(&mc->rl, "mapcache: lock count of guest %#" PRIx64
                   " would overflow (%" PRIu32 " locks); request refused",
                   e->paddr_index << mc->bucket_shift, e->lock);
        return -EOVERFLOW;
    }
    r = g_hash_table_lookup(mc->rev, ptr);
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return -ENOMEM;
        r->vaddr_req = ptr;
        r->entry = e;
        mc_list_add_tail(&e->revs, &r->link);
        g_hash_table_insert(mc->rev, ptr, r);
    }
    if (len > r->size)
        r->size = len;
    r->count++;
    if (dma) {
        r->dma_count++;
        e->dma_lock++;
    }
    if (e->lock++ == 0)
        mc_list_del(&e->lru);
    return 0;
}

/* Walk the chain of @index for an entry covering [off, off + len). */
static MapCacheEntry *mc_find_locked(MapCache *mc, uint64_t index,
                                     uint64_t off, uint64_t len,
                                     uint64_t cache_size,
                                     MapCacheEntry **stale,
                                     MapCacheEntry **reuse)
{
    uint64_t first = off >> MC_PAGE_SHIFT;
    uint64_t npages = ((off + len - 1) >> MC_PAGE_SHIFT) - first + 1;

    *stale = *reuse = NULL;
    for (MapCacheEntry *e = *mc_chain_head(mc, index); e; e = e->chain_next) {
        if (e->paddr_index == index && off + len <= e->size) {
            if (mc_bitmap_test_range(e->valid, first, npages))
                return e;
            if (!e->lock && !*stale)
                *stale = e;
        } else if (!e->lock && e->size == cache_size && !*reuse) {
            *reuse = e;
        }
    }
    return NULL;
}

static void *mc_fail(MapCache *mc)
{
    mc->st.failures++;
    pthread_mutex_unlock(&mc->lock);
    return NULL;
}

void *xen_map_cache(MapCache *mc, hwaddr phys_addr, uint64_t size, bool lock,
                    bool dma)
{
    uint64_t len = size ? size
                        : MC_PAGE_SIZE - (phys_addr & (MC_PAGE_SIZE - 1));
    uint64_t index = phys_addr >> mc->bucket_shift;
    uint64_t off = phys_addr & (mc->bucket_size - 1);
    uint64_t first = off >> MC_PAGE_SHIFT, npages, cache_size;
    MapCacheEntry *e, *stale, *reuse;
    bool dummy = false;
    uint8_t *ptr;

    pthread_mutex_lock(&mc->lock);
    if (phys_addr + len - 1 < phys_addr || len > mc->max_mapped_bytes) {
        log_warn_rl(&mc->rl, "mapcache: bad request %#" PRIx64 "+%#" PRIx64,
                    phys_addr, len);
        return mc_fail(mc);
    }
    npages = ((off + len - 1) >> MC_PAGE_SHIFT) - first + 1;
    cache_size = (off + len + mc->bucket_size - 1) & ~(mc->bucket_size - 1);

    e = mc->last_entry;
    if (!lock && e && e->paddr_index == index && off + len <= e->size &&
        mc_bitmap_test_range(e->valid, first, npages)) {
        mc->st.mru_hits++;
        mc_lru_touch(mc, e);
        ptr = e->vaddr_base + off;
        pthread_mutex_unlock(&mc->lock);
        return ptr;
    }

    e = mc_find_locked(mc, index, off, len, cache_size, &stale, &reuse);
    if (e) {
        mc->st.hits++;
    } else {
        mc->st.misses++;
        e = stale ? stale : reuse;
retry:
        if (e) {
            if (mc_remap_locked(mc, e, index, e->size, dummy)) {
                if (!e->vaddr_base)
                    mc_entry_free_locked(mc, e);
                return mc_fail(mc);
            }
        } else {
            e = mc_entry_new_locked(mc, index, cache_size, dummy);
            if (!e)
                return mc_fail(mc);
        }
        if (!mc_bitmap_test_range(e->valid, first, npages)) {
            if (mc->incoming && !dummy && !e->lock) {
                dummy = true;
                goto retry;
            }
            if (mc->last_entry == e)
                mc->last_entry = NULL;
            log_warn_rl(&mc->rl, "mapcache: guest %#" PRIx64 "+%#" PRIx64
                        " touches unpopulated frames", phys_addr, len);
            return mc_fail(mc);
        }
    }

    ptr = e->vaddr_base + off;
    if (lock) {
        if (mc_lock_entry_locked(mc, e, ptr, len, dma))
            return mc_fail(mc);
    } else {
        mc->last_entry = e;
        mc_lru_touch(mc, e);
    }
    pthread_mutex_unlock(&mc->lock);
    return ptr;
}

/* ---- life cycle --------------------------------------------------------- */

static int mc_create(const MapCacheConfig *cfg,
                     const struct mapcache_backend *backend, MapCache **out)
{
    unsigned int shift = cfg->bucket_shift ? cfg->bucket_shift
                                           : MAPCACHE_DEFAULT_BUCKET_SHIFT;
    uint64_t cap = cfg->max_mapped_bytes, nr;
    MapCache *mc;

    *out = NULL;
    if (shift < MC_PAGE_SHIFT || shift > 30)
        return -EINVAL;
    if (!cap) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_AS, &rl) || rl.rlim_cur == RLIM_INFINITY)
            cap = xen_map_cache_max_size(UINT64_MAX, shift);
        else
            cap = xen_map_cache_max_size(rl.rlim_cur, shift);
    }
    if (cap > MC_MAX_CAP) /* keeps offset + length arithmetic far from 2^64 */
        cap = MC_MAX_CAP;
    cap &= ~((1ull << shift) - 1);
    if (!cap)
        cap = 1ull << shift;
    nr = cfg->nr_buckets ? cfg->nr_buckets : cap >> shift;
    if (nr == 0 || nr > (1u << 28))
        return -EINVAL;

    mc = calloc(1, sizeof(*mc));
    if (!mc)
        return -ENOMEM;
    mc->buckets = calloc(nr, sizeof(*mc->buckets));
    mc->rev = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (!mc->buckets || !mc->rev) {
        free(mc->buckets);
        if (mc->rev)
            g_hash_table_destroy(mc->rev);
        free(mc);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&mc->lock, NULL)) {
        g_hash_table_destroy(mc->rev);
        free(mc->buckets);
        free(mc);
        return -ENOMEM;
    }
    mc->backend = *backend;
    if (!mc->backend.opaque)
        mc->backend.opaque = mc;
    mc->domid = cfg->domid;
    mc->bucket_shift = shift;
    mc->bucket_size = 1ull << shift;
    mc->nr_buckets = (uint32_t)nr;
    mc->chain_mask = (nr & (nr - 1)) == 0 ? nr - 1 : 0;
    mc->max_mapped_bytes = cap;
    mc->lock_max = cfg->lock_max ? cfg->lock_max : UINT32_MAX;
    mc_list_init(&mc->live);
    mc_list_init(&mc->lru);
    mc_host_ops_init(mc);
    *out = mc;
    return 0;
}

int xen_map_cache_init_backend(const MapCacheConfig *cfg,
                               const struct mapcache_backend *backend,
                               MapCache **out)
{
    return mc_create(cfg, backend, out);
}

int xen_map_cache_init(const MapCacheConfig *cfg, MapCache **out)
{
    static const struct mapcache_backend fm = {
        .map2 = fm_map2,
        .unmap = fm_unmap,
    };
    xenforeignmemory_handle *own = NULL;
    int rc;

    *out = NULL;
    if (!cfg->fmem) {
        own = xenforeignmemory_open(NULL, 0);
        if (!own)
            return errno ? -errno : -EIO;
    }
    rc = mc_create(cfg, &fm, out);
    if (rc) {
        if (own)
            xenforeignmemory_close(own);
        return rc;
    }
    (*out)->own_fmem = own;
    (*out)->fmem = own ? own : cfg->fmem;
    return 0;
}

void xen_map_cache_destroy(MapCache *mc)
{
    uint64_t locked = 0;

    if (!mc)
        return;
    pthread_mutex_lock(&mc->lock);
    while (!mc_list_empty(&mc->live)) {
        MapCacheEntry *e = mc_container_of(mc->live.next, MapCacheEntry, live);

        locked += e->lock != 0;
        mc_entry_free_locked(mc, e);
    }
    pthread_mutex_unlock(&mc->lock);
    if (locked)
        log_warn("mapcache: destroyed with %" PRIu64 " locked entries",
                 locked);
    if (mc->own_fmem)
        xenforeignmemory_close(mc->own_fmem);
    g_hash_table_destroy(mc->rev);
    pthread_mutex_destroy(&mc->lock);
    free(mc->buckets);
    free(mc);
}
