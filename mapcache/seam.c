/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seam.c - the mapcache behind the memory API's RAMBlock seam.
 *
 * The memory core (memory/ramblock.c) calls these RAMBlockHostOps from
 * qemu_map_ram_ptr(), qemu_ram_ptr_length() and qemu_ram_unmap_locked().
 * For Xen, ram_addr is the guest physical address (main RAM has ram_addr ==
 * gpa; other blocks are populated at gfn = ram_addr >> 12), so a request
 * becomes xen_map_cache(block->offset + offset). Stateless: the ops live in
 * the MapCache and every call goes through its thread-safe API.
 */
#include <inttypes.h>

#include "mapcache/private.h"

static void *mc_host_map(void *opaque, RAMBlock *block, ram_addr_t offset,
                         uint64_t *size, bool lock, bool dma)
{
    MapCache *mc = opaque;
    uint64_t len = *size, addr;
    void *p;

    if (offset >= block->max_length || block->offset + offset < offset) {
        *size = 0;
        return NULL;
    }
    if (len == 0)
        len = 1;
    if (len > block->max_length - offset)
        len = block->max_length - offset;
    addr = block->offset + offset;
    if (!lock) {
        /* A short mapping: stay inside the bucket of @addr. */
        uint64_t room = mc->bucket_size - (addr & (mc->bucket_size - 1));

        if (len > room)
            len = room;
        dma = false;
    }
    p = xen_map_cache(mc, addr, len, lock, lock && dma);
    *size = p ? len : 0;
    return p;
}

static void mc_host_unmap(void *opaque, void *host)
{
    xen_invalidate_map_cache_entry(opaque, host);
}

static ram_addr_t mc_host_ram_addr(void *opaque, void *host)
{
    return xen_ram_addr_from_mapcache(opaque, host);
}

void mc_host_ops_init(MapCache *mc)
{
    mc->host_ops.map = mc_host_map;
    mc->host_ops.unmap = mc_host_unmap;
    mc->host_ops.ram_addr_from_host = mc_host_ram_addr;
    mc->host_ops.opaque = mc;
}

const RAMBlockHostOps *xen_map_cache_host_ops(MapCache *mc)
{
    return &mc->host_ops;
}
