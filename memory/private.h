/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * private.h - what the files of memory/ share and nobody else may use.
 *
 * The API is written in two halves:
 *  - core (system.c, region.c, flatview.c, address-space.c, listener.c,
 *    mtree.c): regions, transactions, rendering, address spaces, dispatch
 *    lookup and translation, listeners, mtree;
 *  - access (access.c, rw.c, map.c, ramblock.c, dirty.c, iommu.c): what
 *    happens once an address is resolved, RAM blocks and the mapcache seam,
 *    dirty bitmaps, IOMMU notifiers.
 * The functions below are the seam between them.
 */
#ifndef XENDM_MEMORY_PRIVATE_H
#define XENDM_MEMORY_PRIVATE_H

#include <pthread.h>

#include "memory/memory.h"
#include "util/log.h"

/** struct MapClient - a cpu_register_map_client() registration. */
struct MapClient {
    void (*cb)(void *opaque);
    void *opaque;
    struct MapClient *next;
};

/**
 * struct MemorySystem - what QEMU keeps in globals.
 *
 * Core half:
 * @lock: guards @address_spaces' current_map swaps (readers take a
 *        FlatView reference under it) and listener lists.
 * @transaction_depth: nesting of memory_region_transaction_begin().
 * @update_pending: a mutation happened inside the current transaction.
 * @address_spaces: list of address spaces (AddressSpace.next).
 * @listeners: global listener list sorted by priority (MemoryListener.next).
 * @global_dirty_log: memory_global_dirty_log_start() is in effect.
 * @subregion_seq: insertion counter (later-added wins among equals).
 * @fv_generation: last FlatView generation handed out (MRU hint tags).
 * @io_mem_unassigned: the region returned for unassigned space; its ops
 *        are unassigned_mem_ops.
 * @rl: rate limiter for misuse messages reachable from guests.
 *
 * Access half:
 * @ram_lock: guards @ram_blocks and @next_ram_addr.
 * @ram_blocks: list of blocks sorted by offset (RAMBlock.next).
 * @default_host_ops: host ops given to new blocks.
 * @hooks: memory_system_set_hooks() (RAM block and dirty notifications).
 * @bounce_lock: guards @bounce_in_use, @bounce_limit, @map_clients.
 * @bounce_limit: max bytes of bounce buffers outstanding.
 * @bounce_in_use: bytes of bounce buffers outstanding.
 * @map_clients: waiting cpu_register_map_client() callbacks.
 * @bounce_buffers: outstanding bounce buffers of address_space_map()
 *        (map.c's private list; how unmap tells them from RAM pointers).
 * @access_rl: rate limiter for invalid-access messages.
 */
struct MemorySystem {
    pthread_mutex_t lock;
    unsigned transaction_depth;
    bool update_pending;
    AddressSpace *address_spaces;
    MemoryListener *listeners;
    bool global_dirty_log;
    unsigned long subregion_seq;
    uint32_t fv_generation;
    MemoryRegion io_mem_unassigned;
    struct log_ratelimit rl;

    pthread_mutex_t ram_lock;
    RAMBlock *ram_blocks;
    const RAMBlockHostOps *default_host_ops;

    const MemorySystemHooks *hooks;

    pthread_mutex_t bounce_lock;
    uint64_t bounce_limit;
    uint64_t bounce_in_use;
    struct MapClient *map_clients;
    struct BounceBuffer *bounce_buffers;
    struct log_ratelimit access_rl;
};

/* ---- provided by the access half ---- */

/** unassigned_mem_ops - reads all-ones, writes dropped, MEMTX_DECODE_ERROR. */
extern const MemoryRegionOps unassigned_mem_ops;
/** reservation_mem_ops - reads all-ones, writes dropped, MEMTX_OK, silent. */
extern const MemoryRegionOps reservation_mem_ops;

/**
 * memory_region_ram_block_release() - free @mr's RAM block if @mr owns it
 * (called by memory_region_finalize()).
 */
void memory_region_ram_block_release(MemoryRegion *mr);

/** ram_block_dirty_free() - free a block's dirty bitmaps. */
void ram_block_dirty_free(RAMBlock *block);

/* ---- provided by the core half ---- */

/**
 * memory_region_sync_dirty_bitmap() - call log_sync of every listener for
 * each section of @mr in every address space (before reading dirty bits).
 */
void memory_region_sync_dirty_bitmap(MemoryRegion *mr);

/** memory_region_last() - last offset of @mr ([0, last] inclusive). */
static inline uint64_t memory_region_last(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;
}

#endif /* XENDM_MEMORY_PRIVATE_H */
