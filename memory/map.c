/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * map.c - address_space_map/unmap, bounce buffers, map clients and
 * MemoryRegionCache.
 *
 * Direct mappings: RAM pieces are mapped with qemu_ram_ptr_length(lock =
 * true), i.e. a DMA mapping pinned by the block's host ops (the mapcache)
 * until unmap; unmap finds the block back from the pointer
 * (qemu_ram_block_from_host), marks the written bytes dirty and drops the
 * lock. The block's region is referenced while mapped.
 *
 * Bounce buffers: anything else is copied through a malloc'd buffer. The
 * total outstanding is bounded by ms->bounce_limit; the reservation is
 * checked and taken in one step under ms->bounce_lock, so two mappers
 * racing for the last bytes cannot both get them. Outstanding buffers sit
 * on ms->bounce_buffers (under bounce_lock), which is how unmap tells a
 * bounce buffer from a RAM pointer. Freeing one calls every waiting map
 * client once (outside the lock) and forgets it.
 *
 * Threading: everything here is thread-safe; device callbacks of the bounce
 * read/write-back run on the calling thread with no lock held.
 */
#include <stdlib.h>
#include <string.h>

#include "memory/access-internal.h"

/**
 * struct BounceBuffer - one outstanding bounce mapping.
 * @next: ms->bounce_buffers link.
 * @as, @addr, @attrs: where the data comes from / goes back to.
 * @mr: the region at @addr (referenced).
 * @len: bytes reserved against the bounce limit.
 * @is_write: written back on unmap.
 * @data: the buffer handed out.
 */
struct BounceBuffer {
    struct BounceBuffer *next;
    AddressSpace *as;
    hwaddr addr;
    MemTxAttrs attrs;
    MemoryRegion *mr;
    hwaddr len;
    bool is_write;
    _Alignas(16) uint8_t data[];
};

void memory_system_set_bounce_limit(MemorySystem *ms, uint64_t bytes)
{
    pthread_mutex_lock(&ms->bounce_lock);
    ms->bounce_limit = bytes;
    pthread_mutex_unlock(&ms->bounce_lock);
}

static void *map_bounce(AddressSpace *as, MemoryRegion *mr, hwaddr addr,
                        hwaddr l, hwaddr *plen, bool is_write,
                        MemTxAttrs attrs)
{
    MemorySystem *ms = as->ms;
    struct BounceBuffer *bb;
    uint64_t avail;

    pthread_mutex_lock(&ms->bounce_lock);
    avail = ms->bounce_limit > ms->bounce_in_use
                ? ms->bounce_limit - ms->bounce_in_use : 0;
    if (l > avail) {
        l = avail;
    }
    ms->bounce_in_use += l;
    pthread_mutex_unlock(&ms->bounce_lock);
    if (l == 0) {
        *plen = 0;
        return NULL;
    }

    bb = malloc(sizeof(*bb) + l);
    if (!bb) {
        pthread_mutex_lock(&ms->bounce_lock);
        ms->bounce_in_use -= l;
        pthread_mutex_unlock(&ms->bounce_lock);
        *plen = 0;
        return NULL;
    }
    bb->as = as;
    bb->addr = addr;
    bb->attrs = attrs;
    bb->mr = mr;
    bb->len = l;
    bb->is_write = is_write;
    memory_region_ref(mr);
    if (!is_write) {
        address_space_read(as, addr, attrs, bb->data, l);
    }
    pthread_mutex_lock(&ms->bounce_lock);
    bb->next = ms->bounce_buffers;
    ms->bounce_buffers = bb;
    pthread_mutex_unlock(&ms->bounce_lock);
    *plen = l;
    return bb->data;
}

void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write, MemTxAttrs attrs)
{
    hwaddr len = *plen, l = len, xlat;
    MemoryRegion *mr;
    FlatView *fv;
    void *p = NULL;

    if (len == 0) {
        return NULL;
    }
    fv = address_space_get_flatview(as);
    mr = address_space_translate(as, addr, &xlat, &l, is_write, attrs);
    if (l == 0 || l > len) {
        l = len;
    }
    if (memory_access_is_direct(mr, is_write) &&
        !(is_write && memory_section_readonly(fv, addr, mr))) {
        ram_addr_t off;
        RAMBlock *block = memory_region_ram_block_offset(mr, xlat, &off);
        uint64_t sz = l;

        p = block ? qemu_ram_ptr_length(as->ms, block, off, &sz, true) : NULL;
        if (p) {
            if (block->mr) {
                memory_region_ref(block->mr);
            }
            *plen = sz;
        } else {
            *plen = 0;      /* RAM that cannot be mapped now */
        }
    } else {
        p = map_bounce(as, mr, addr, l, plen, is_write, attrs);
    }
    flatview_unref(fv);
    return p;
}

/* Take a waiting list off @ms (caller holds bounce_lock). */
static struct MapClient *take_clients_locked(MemorySystem *ms)
{
    struct MapClient *list = ms->map_clients;

    ms->map_clients = NULL;
    return list;
}

static void call_clients(struct MapClient *list)
{
    while (list) {
        struct MapClient *next = list->next;

        list->cb(list->opaque);
        free(list);
        list = next;
    }
}

void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
                         bool is_write, hwaddr access_len)
{
    MemorySystem *ms = as->ms;
    struct BounceBuffer *bb = NULL;
    struct MapClient *clients;

    if (!buffer) {
        return;
    }
    pthread_mutex_lock(&ms->bounce_lock);
    for (struct BounceBuffer **pp = &ms->bounce_buffers; *pp;
         pp = &(*pp)->next) {
        if ((*pp)->data == buffer) {
            bb = *pp;
            *pp = bb->next;
            break;
        }
    }
    pthread_mutex_unlock(&ms->bounce_lock);

    if (!bb) {
        ram_addr_t off;
        RAMBlock *block = qemu_ram_block_from_host(ms, buffer, &off);

        if (!block) {
            log_warn_rl(&ms->access_rl,
                        "memory: unmap of unknown pointer %p", buffer);
            return;
        }
        if (is_write && access_len) {
            if (block->mr) {
                memory_region_write_dirty(block->mr, off, access_len);
            } else {
                cpu_physical_memory_set_dirty_range(
                    ms, block->offset + off, access_len,
                    (1u << DIRTY_MEMORY_NUM) - 1);
            }
        }
        qemu_ram_unmap_locked(ms, block, buffer);
        if (block->mr) {
            memory_region_unref(block->mr);
        }
        return;
    }

    if (bb->is_write && access_len) {
        address_space_write(bb->as, bb->addr, bb->attrs, bb->data,
                            access_len < bb->len ? access_len : bb->len);
    }
    memory_region_unref(bb->mr);
    pthread_mutex_lock(&ms->bounce_lock);
    ms->bounce_in_use -= bb->len;
    clients = take_clients_locked(ms);
    pthread_mutex_unlock(&ms->bounce_lock);
    free(bb);
    call_clients(clients);
}

void *cpu_register_map_client(MemorySystem *ms, void (*cb)(void *opaque),
                              void *opaque)
{
    struct MapClient *mc = malloc(sizeof(*mc));
    bool now;

    if (!mc) {
        return NULL;
    }
    mc->cb = cb;
    mc->opaque = opaque;
    pthread_mutex_lock(&ms->bounce_lock);
    /* If bounce space is free already, a retry may succeed: say so now
     * rather than wait for a release that may never come. */
    now = ms->bounce_in_use < ms->bounce_limit;
    if (!now) {
        mc->next = ms->map_clients;
        ms->map_clients = mc;
    }
    pthread_mutex_unlock(&ms->bounce_lock);
    if (now) {
        free(mc);
        cb(opaque);
        /* A handle that names no registration (unregister ignores it). */
        return &ms->map_clients;
    }
    return mc;
}

void cpu_unregister_map_client(MemorySystem *ms, void *handle)
{
    struct MapClient *found = NULL;

    pthread_mutex_lock(&ms->bounce_lock);
    for (struct MapClient **pp = &ms->map_clients; *pp; pp = &(*pp)->next) {
        if (*pp == handle) {
            found = *pp;
            *pp = found->next;
            break;
        }
    }
    pthread_mutex_unlock(&ms->bounce_lock);
    free(found);
}

/* ---- MemoryRegionCache ---- */

int64_t address_space_cache_init(MemoryRegionCache *cache, AddressSpace *as,
                                 hwaddr addr, hwaddr len, bool is_write)
{
    hwaddr l = len, xlat = 0;
    MemoryRegion *mr;
    FlatView *fv;

    memset(cache, 0, sizeof(*cache));
    cache->as = as;
    cache->addr = addr;
    cache->is_write = is_write;
    if (len == 0) {
        return 0;
    }
    fv = address_space_get_flatview(as);
    mr = address_space_translate(as, addr, &xlat, &l, is_write,
                                 MEMTXATTRS_UNSPECIFIED);
    if (l == 0 || l > len) {
        l = len;
    }
    cache->xlat = xlat;
    cache->mrs_mr = mr;
    memory_region_ref(mr);
    if (memory_access_is_direct(mr, is_write) &&
        !(is_write && memory_section_readonly(fv, addr, mr))) {
        ram_addr_t off;
        RAMBlock *block = memory_region_ram_block_offset(mr, xlat, &off);
        uint64_t sz = l;

        cache->ptr = block ? qemu_ram_ptr_length(as->ms, block, off, &sz, true)
                           : NULL;
        cache->len = cache->ptr ? sz : len;
    } else {
        /* Not memory: every access goes through address_space_rw. */
        cache->len = len;
    }
    flatview_unref(fv);
    return (int64_t)cache->len;
}

static bool cache_covers(const MemoryRegionCache *cache, hwaddr addr,
                         hwaddr len)
{
    return cache->ptr && addr <= cache->len && len <= cache->len - addr;
}

void address_space_cache_invalidate(MemoryRegionCache *cache, hwaddr addr,
                                    hwaddr access_len)
{
    if (cache_covers(cache, addr, access_len)) {
        memory_region_write_dirty(cache->mrs_mr, cache->xlat + addr,
                                  access_len);
    }
}

void address_space_cache_destroy(MemoryRegionCache *cache)
{
    if (cache->ptr) {
        ram_addr_t off;
        RAMBlock *block = memory_region_ram_block_offset(cache->mrs_mr,
                                                         cache->xlat, &off);

        qemu_ram_unmap_locked(cache->as->ms, block, cache->ptr);
    }
    if (cache->mrs_mr) {
        memory_region_unref(cache->mrs_mr);
    }
    memset(cache, 0, sizeof(*cache));
}

MemTxResult address_space_read_cached(MemoryRegionCache *cache, hwaddr addr,
                                      void *buf, hwaddr len)
{
    if (cache_covers(cache, addr, len)) {
        memcpy(buf, (uint8_t *)cache->ptr + addr, len);
        return MEMTX_OK;
    }
    /* Not RAM, or outside what was cached (a guest-supplied index): the
     * slow path is always correct. */
    return address_space_read(cache->as, cache->addr + addr,
                              MEMTXATTRS_UNSPECIFIED, buf, len);
}

MemTxResult address_space_write_cached(MemoryRegionCache *cache, hwaddr addr,
                                       const void *buf, hwaddr len)
{
    if (cache->is_write && cache_covers(cache, addr, len)) {
        memcpy((uint8_t *)cache->ptr + addr, buf, len);
        memory_region_write_dirty(cache->mrs_mr, cache->xlat + addr, len);
        return MEMTX_OK;
    }
    return address_space_write(cache->as, cache->addr + addr,
                               MEMTXATTRS_UNSPECIFIED, buf, len);
}
