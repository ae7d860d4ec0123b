/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * invalidate.c - the mapcache's lock release, invalidation, reverse
 * translation, dummy replacement and statistics.
 *
 * Locked pointers are found through MapCache.rev (a GHashTable keyed by the
 * exact pointer returned); each MapCacheRev counts its locks and how many
 * are dma. Invalidation walks MapCache.live (only the mapped entries):
 * unlocked entries are unmapped, locked ones stay, and every reverse entry
 * holding a dma lock is reported once per invalidation (rate-limited,
 * counted). All functions take MapCache.lock for their whole run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mapcache/private.h"

void xen_invalidate_map_cache_entry(MapCache *mc, void *buffer)
{
    MapCacheRev *r;
    MapCacheEntry *e;

    pthread_mutex_lock(&mc->lock);
    r = buffer ? g_hash_table_lookup(mc->rev, buffer) : NULL;
    if (!r) {
        mc->st.unknown_unlocks++;
        log_warn_rl(&mc->rl, "mapcache: unlock of %p, which is not a locked"
                    " mapping; ignored", buffer);
        pthread_mutex_unlock(&mc->lock);
        return;
    }
    e = r->entry;
    if (r->dma_count) {
        r->dma_count--;
        e->dma_lock--;
    }
    r->count--;
    if (!r->count)
        mc_rev_drop_locked(mc, r);
    if (--e->lock == 0) {
        if (e->dummy)
            mc_entry_free_locked(mc, e);
        else
            mc_list_add_tail(&mc->lru, &e->lru);
    }
    pthread_mutex_unlock(&mc->lock);
}

void xen_invalidate_map_cache(MapCache *mc)
{
    struct mc_list *n, *next;

    pthread_mutex_lock(&mc->lock);
    for (n = mc->live.next; n != &mc->live; n = next) {
        MapCacheEntry *e = mc_container_of(n, MapCacheEntry, live);

        next = n->next;
        if (!e->lock) {
            mc_entry_free_locked(mc, e);
            continue;
        }
        if (!e->dma_lock)
            continue;
        for (struct mc_list *l = e->revs.next; l != &e->revs; l = l->next) {
            MapCacheRev *r = mc_container_of(l, MapCacheRev, link);
            uint64_t gpa;

            if (!r->dma_count)
                continue;
            gpa = (e->paddr_index << mc->bucket_shift) +
                  (uint64_t)(r->vaddr_req - e->vaddr_base);
            mc->st.dma_warnings++;
            log_warn_rl(&mc->dma_rl, "mapcache: Locked DMA mapping while "
                        "invalidating mapcache! guest %#" PRIx64 " -> host %p, %"
                        PRIu64 " bytes", gpa, (void *)r->vaddr_req, r->size);
        }
    }
    mc->last_entry = NULL;
    mc->st.invalidations++;
    pthread_mutex_unlock(&mc->lock);
}

ram_addr_t xen_ram_addr_from_mapcache(MapCache *mc, void *ptr)
{
    ram_addr_t ret = RAM_ADDR_INVALID;
    uint8_t *p = ptr;
    MapCacheRev *r;

    pthread_mutex_lock(&mc->lock);
    r = p ? g_hash_table_lookup(mc->rev, p) : NULL;
    if (r) {
        ret = (r->entry->paddr_index << mc->bucket_shift) +
              (uint64_t)(p - r->entry->vaddr_base);
    } else if (p) {
        for (struct mc_list *n = mc->live.next; n != &mc->live; n = n->next) {
            MapCacheEntry *e = mc_container_of(n, MapCacheEntry, live);

            if (e->lock && p >= e->vaddr_base &&
                (uint64_t)(p - e->vaddr_base) < e->size) {
                ret = (e->paddr_index << mc->bucket_shift) +
                      (uint64_t)(p - e->vaddr_base);
                break;
            }
        }
    }
    pthread_mutex_unlock(&mc->lock);
    return ret;
}

void *xen_replace_cache_entry(MapCache *mc, hwaddr old_phys_addr,
                              hwaddr new_phys_addr, uint64_t size)
{
    uint64_t mask = mc->bucket_size - 1;
    uint64_t off = old_phys_addr & mask;
    uint64_t old_index = old_phys_addr >> mc->bucket_shift;
    uint64_t new_index = new_phys_addr >> mc->bucket_shift;
    MapCacheEntry *e = NULL;
    uint8_t *base, *ret = NULL;
    uint64_t esize;

    pthread_mutex_lock(&mc->lock);
    if (!size || off != (new_phys_addr & mask) ||
        old_phys_addr + size - 1 < old_phys_addr ||
        new_phys_addr + size - 1 < new_phys_addr ||
        size > mc->max_mapped_bytes) {
        log_warn_rl(&mc->rl, "mapcache: cannot replace %#" PRIx64 " by %#"
                    PRIx64 " (%#" PRIx64 " bytes): bad arguments",
                    old_phys_addr, new_phys_addr, size);
        goto out;
    }
    for (struct mc_list *n = mc->live.next; n != &mc->live; n = n->next) {
        MapCacheEntry *c = mc_container_of(n, MapCacheEntry, live);

        if (c->dummy && c->paddr_index == old_index && off + size <= c->size) {
            e = c;
            break;
        }
    }
    if (!e) {
        log_warn_rl(&mc->rl, "mapcache: no dummy entry at %#" PRIx64
                    " to replace", old_phys_addr);
        goto out;
    }
    base = e->vaddr_base;
    esize = e->size;
    if (mc_remap_locked(mc, e, new_index, esize, false) && !e->vaddr_base) {
        /* The range may be free now: put a dummy back unless someone
         * took the addresses meanwhile (never clobber). */
        void *p = mmap(base, esize, PROT_READ | PROT_WRITE,
                       MAP_ANONYMOUS | MAP_SHARED | MAP_FIXED_NOREPLACE, -1, 0);

        if (p == (void *)base) {
            e->vaddr_base = base;
            e->size = esize;
            e->dummy = true;
            mc_bitmap_fill(e->valid, esize >> 12);
            mc->mapped_bytes += esize;
        } else {
            if (p != MAP_FAILED)
                munmap(p, esize);
            log_err_rl(&mc->rl, "mapcache: dummy entry %p lost by a failed"
                       " replace; its pointers are dangling", (void *)base);
            mc_entry_free_locked(mc, e);
        }
        goto out;
    }
    if (e->dummy) /* not remapped: the dummy is still in place */
        goto out;
    if (!mc_bitmap_test_range(e->valid, off >> 12,
                              ((off + size - 1) >> 12) - (off >> 12) + 1)) {
        log_warn_rl(&mc->rl, "mapcache: replacing dummy %#" PRIx64 " by %#"
                    PRIx64 ": unpopulated frames", old_phys_addr,
                    new_phys_addr);
        goto out;
    }
    log_info("mapcache: replaced dummy entry %#" PRIx64 " by guest %#" PRIx64,
             old_phys_addr, new_phys_addr);
    ret = e->vaddr_base + off;
out:
    if (!ret)
        mc->st.failures++;
    pthread_mutex_unlock(&mc->lock);
    return ret;
}

void xen_map_cache_set_incoming(MapCache *mc, bool incoming)
{
    struct mc_list *n, *next;

    pthread_mutex_lock(&mc->lock);
    mc->incoming = incoming;
    if (!incoming) {
        /* Unlocked stand-ins must not serve requests any more. */
        for (n = mc->live.next; n != &mc->live; n = next) {
            MapCacheEntry *e = mc_container_of(n, MapCacheEntry, live);

            next = n->next;
            if (e->dummy && !e->lock)
                mc_entry_free_locked(mc, e);
        }
    }
    pthread_mutex_unlock(&mc->lock);
}

void xen_map_cache_get_stats(MapCache *mc, MapCacheStats *out)
{
    pthread_mutex_lock(&mc->lock);
    *out = mc->st;
    out->live_entries = mc->nr_live;
    out->mapped_bytes = mc->mapped_bytes;
    out->max_mapped_bytes = mc->max_mapped_bytes;
    out->nr_buckets = mc->nr_buckets;
    out->bucket_shift = mc->bucket_shift;
    out->locked = out->locked_dma = out->dummy = 0;
    for (struct mc_list *n = mc->live.next; n != &mc->live; n = n->next) {
        MapCacheEntry *e = mc_container_of(n, MapCacheEntry, live);

        out->locked += e->lock != 0;
        out->locked_dma += e->dma_lock != 0;
        out->dummy += e->dummy;
    }
    pthread_mutex_unlock(&mc->lock);
}
