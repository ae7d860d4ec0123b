/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ramblock.c - RAM blocks and the host-memory seam (the mapcache plugs in
 * here through RAMBlockHostOps).
 *
 * Data structure: MemorySystem.ram_blocks is a singly linked list sorted by
 * ram_addr offset, guarded by ms->ram_lock. A new block without a fixed
 * offset goes after the highest block (offsets are page-aligned), so low
 * ram_addrs stay free for Xen's main RAM, whose ram_addr equals the guest
 * physical address (fixed offset).
 *
 * Host memory: a block that is neither RAM_PREALLOC nor RAM_NOALLOC gets an
 * anonymous mmap of max_length (MAP_NORESERVE: untouched pages cost
 * nothing). Host ops, when set, take precedence over host memory: a
 * RAM_NOALLOC block (main RAM) gets short unlocked mappings, any other
 * block one locked non-dma mapping of the whole block, made on first use
 * and kept until the block is freed or its host ops change.
 *
 * Threading: block creation, removal, resize and host-ops changes belong to
 * the device-model thread; lookups (by address, name, host pointer) and pointer
 * requests may run on any thread and take ram_lock for the list walk only.
 * Host ops are never called with ram_lock held (the mapcache has its own
 * lock). A block must not be freed while another thread accesses it (the
 * region owning it is referenced by the FlatView the accessor holds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memory/access-internal.h"

static uint64_t page_align_up(uint64_t v)
{
    return (v + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
}

/* [offset, offset + page_align_up(max_length) - 1] of @b. */
static ram_addr_t block_last(const RAMBlock *b)
{
    return b->offset + page_align_up(b->max_length) - 1;
}

static RAMBlock *find_by_name_locked(MemorySystem *ms, const char *name)
{
    for (RAMBlock *b = ms->ram_blocks; b; b = b->next) {
        if (strcmp(b->idstr, name) == 0) {
            return b;
        }
    }
    return NULL;
}

static RAMBlock *find_by_addr_locked(MemorySystem *ms, ram_addr_t addr)
{
    for (RAMBlock *b = ms->ram_blocks; b; b = b->next) {
        if (addr >= b->offset && addr - b->offset < b->max_length) {
            return b;
        }
        if (b->offset > addr) {
            break;
        }
    }
    return NULL;
}

/* Pick the offset for a block of @len (page-aligned) bytes; -EBUSY/-ENOSPC. */
static int choose_offset_locked(MemorySystem *ms, uint64_t len,
                                ram_addr_t fixed, ram_addr_t *out)
{
    if (fixed != RAM_ADDR_INVALID) {
        ram_addr_t last = fixed + len - 1;

        if (fixed & ~TARGET_PAGE_MASK) {
            return -EINVAL;
        }
        if (last < fixed) {
            return -EINVAL;
        }
        for (RAMBlock *b = ms->ram_blocks; b; b = b->next) {
            if (!(last < b->offset || fixed > block_last(b))) {
                return -EBUSY;
            }
        }
        *out = fixed;
        return 0;
    }
    ram_addr_t next = 0;
    for (RAMBlock *b = ms->ram_blocks; b; b = b->next) {
        next = block_last(b) + 1;
        if (next == 0) {
            return -ENOSPC;
        }
    }
    if (next + len - 1 < next) {
        return -ENOSPC;
    }
    *out = next;
    return 0;
}

static void insert_sorted_locked(MemorySystem *ms, RAMBlock *block)
{
    RAMBlock **pp = &ms->ram_blocks;

    while (*pp && (*pp)->offset < block->offset) {
        pp = &(*pp)->next;
    }
    block->next = *pp;
    *pp = block;
}

static void unlink_locked(MemorySystem *ms, RAMBlock *block)
{
    for (RAMBlock **pp = &ms->ram_blocks; *pp; pp = &(*pp)->next) {
        if (*pp == block) {
            *pp = block->next;
            break;
        }
    }
}

void memory_system_set_hooks(MemorySystem *ms, const MemorySystemHooks *hooks)
{
    ms->hooks = hooks;
}

static bool block_owns_host(const RAMBlock *b)
{
    return b->host && !(b->flags & (RAM_PREALLOC | RAM_NOALLOC));
}

int ram_block_add(MemorySystem *ms, const char *idstr, uint64_t size,
                  uint64_t max_size, uint32_t flags, void *host,
                  ram_addr_t fixed_offset, RAMBlock **out)
{
    RAMBlock *block;
    uint64_t span;
    int ret;

    *out = NULL;
    if (!idstr || !idstr[0] || strlen(idstr) >= sizeof(block->idstr)) {
        return -EINVAL;
    }
    if (max_size < size) {
        max_size = size;
    }
    if (size == 0 || max_size == UINT64_MAX ||
        page_align_up(max_size) < max_size) {
        return -EINVAL;
    }
    if ((flags & RAM_PREALLOC) && !host) {
        return -EINVAL;
    }
    span = page_align_up(max_size);

    block = calloc(1, sizeof(*block));
    if (!block) {
        return -ENOMEM;
    }
    block->ms = ms;
    block->used_length = size;
    block->max_length = max_size;
    block->flags = flags;
    snprintf(block->idstr, sizeof(block->idstr), "%s", idstr);
    block->host_ops = ms->default_host_ops;
    if (flags & RAM_PREALLOC) {
        block->host = host;
    } else if (!(flags & RAM_NOALLOC) && !block->host_ops) {
        /* With host ops (the mapcache) the contents are reached through
         * them only: no host memory of our own. */
        int mflags = (flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE;
        void *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
                       mflags | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

        if (p == MAP_FAILED) {
            free(block);
            return -ENOMEM;
        }
        block->host = p;
    }
    ret = ram_block_dirty_alloc(block);
    if (ret < 0) {
        goto fail;
    }

    pthread_mutex_lock(&ms->ram_lock);
    if (find_by_name_locked(ms, idstr)) {
        ret = -EEXIST;
    } else {
        ret = choose_offset_locked(ms, span, fixed_offset, &block->offset);
    }
    if (ret == 0) {
        insert_sorted_locked(ms, block);
    }
    pthread_mutex_unlock(&ms->ram_lock);
    if (ret < 0) {
        goto fail;
    }
    if (ms->hooks && ms->hooks->ram_block_added) {
        ret = ms->hooks->ram_block_added(ms->hooks->opaque, block);
        if (ret < 0) {
            pthread_mutex_lock(&ms->ram_lock);
            unlink_locked(ms, block);
            pthread_mutex_unlock(&ms->ram_lock);
            goto fail;
        }
    }
    *out = block;
    return 0;

fail:
    ram_block_dirty_free(block);
    if (block_owns_host(block)) {
        munmap(block->host, span);
    }
    free(block);
    return ret;
}

void ram_block_free(RAMBlock *block)
{
    MemorySystem *ms;

    if (!block) {
        return;
    }
    ms = block->ms;
    if (ms->hooks && ms->hooks->ram_block_removed) {
        ms->hooks->ram_block_removed(ms->hooks->opaque, block);
    }
    pthread_mutex_lock(&ms->ram_lock);
    unlink_locked(ms, block);
    pthread_mutex_unlock(&ms->ram_lock);

    if (block->whole_map && block->host_ops && block->host_ops->unmap) {
        block->host_ops->unmap(block->host_ops->opaque, block->whole_map);
    }
    block->whole_map = NULL;
    if (block_owns_host(block)) {
        munmap(block->host, page_align_up(block->max_length));
    }
    ram_block_dirty_free(block);
    free(block);
}

void qemu_ram_set_host_ops(RAMBlock *block, const RAMBlockHostOps *ops)
{
    MemorySystem *ms = block->ms;
    void *old_map;
    const RAMBlockHostOps *old_ops;

    pthread_mutex_lock(&ms->ram_lock);
    old_map = block->whole_map;
    old_ops = block->host_ops;
    block->whole_map = NULL;
    block->host_ops = ops;
    pthread_mutex_unlock(&ms->ram_lock);
    if (old_map && old_ops && old_ops->unmap) {
        old_ops->unmap(old_ops->opaque, old_map);
    }
}

void memory_system_set_default_ram_host_ops(MemorySystem *ms,
                                            const RAMBlockHostOps *ops)
{
    pthread_mutex_lock(&ms->ram_lock);
    ms->default_host_ops = ops;
    pthread_mutex_unlock(&ms->ram_lock);
}

RAMBlock *qemu_ram_block_by_name(MemorySystem *ms, const char *name)
{
    RAMBlock *b;

    pthread_mutex_lock(&ms->ram_lock);
    b = find_by_name_locked(ms, name);
    pthread_mutex_unlock(&ms->ram_lock);
    return b;
}

RAMBlock *qemu_get_ram_block(MemorySystem *ms, ram_addr_t addr)
{
    RAMBlock *b;

    pthread_mutex_lock(&ms->ram_lock);
    b = find_by_addr_locked(ms, addr);
    pthread_mutex_unlock(&ms->ram_lock);
    return b;
}

static bool ptr_in(const void *ptr, const void *base, uint64_t len)
{
    uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)base;

    return base && p >= b && p - b < len;
}

RAMBlock *qemu_ram_block_from_host(MemorySystem *ms, void *ptr,
                                   ram_addr_t *offset)
{
    RAMBlock *found = NULL;
    const RAMBlockHostOps *asked[8];
    unsigned n_ops = 0;

    pthread_mutex_lock(&ms->ram_lock);
    for (RAMBlock *b = ms->ram_blocks; b && !found; b = b->next) {
        const RAMBlockHostOps *ops = b->host_ops;
        bool seen = false;

        if (ptr_in(ptr, b->host, b->max_length)) {
            *offset = (uint8_t *)ptr - b->host;
            found = b;
        } else if (ptr_in(ptr, b->whole_map, b->max_length)) {
            *offset = (uint8_t *)ptr - (uint8_t *)b->whole_map;
            found = b;
        }
        if (!ops || !ops->ram_addr_from_host) {
            continue;
        }
        for (unsigned i = 0; i < n_ops; i++) {
            seen |= asked[i] == ops;
        }
        if (!seen && n_ops < sizeof(asked) / sizeof(asked[0])) {
            asked[n_ops++] = ops;
        }
    }
    pthread_mutex_unlock(&ms->ram_lock);

    /* Locked mappings of the host ops: ask each distinct ops once,
     * without ram_lock (they take their own locks). */
    for (unsigned i = 0; i < n_ops && !found; i++) {
        ram_addr_t ra = asked[i]->ram_addr_from_host(asked[i]->opaque, ptr);

        if (ra == RAM_ADDR_INVALID) {
            continue;
        }
        pthread_mutex_lock(&ms->ram_lock);
        found = find_by_addr_locked(ms, ra);
        if (found) {
            *offset = ra - found->offset;
        }
        pthread_mutex_unlock(&ms->ram_lock);
    }
    return found;
}

int qemu_ram_resize(RAMBlock *block, uint64_t newsize)
{
    if (!(block->flags & RAM_RESIZEABLE)) {
        return newsize == block->used_length ? 0 : -EINVAL;
    }
    if (newsize == 0 || newsize > block->max_length) {
        return -EINVAL;
    }
    if (newsize == block->used_length) {
        return 0;
    }
    __atomic_store_n(&block->used_length, newsize, __ATOMIC_RELEASE);
    if (block->mr) {
        memory_region_set_size(block->mr, newsize);
    }
    /* Everything is potentially new to every client. */
    cpu_physical_memory_set_dirty_range(block->ms, block->offset, newsize,
                                        (1u << DIRTY_MEMORY_NUM) - 1);
    if (block->resized) {
        block->resized(block->idstr, newsize, block->host);
    }
    return 0;
}

const char *qemu_ram_get_idstr(const RAMBlock *block)
{
    return block->idstr;
}

uint64_t qemu_ram_get_used_length(const RAMBlock *block)
{
    return block->used_length;
}

ram_addr_t qemu_ram_get_offset(const RAMBlock *block)
{
    return block->offset;
}

/* Resolve (block, addr) where block may be NULL (addr is then a ram_addr). */
static RAMBlock *resolve(MemorySystem *ms, RAMBlock *block, ram_addr_t *addr)
{
    if (!block) {
        block = qemu_get_ram_block(ms, *addr);
        if (!block) {
            return NULL;
        }
        *addr -= block->offset;
    }
    return block;
}

/*
 * The whole-block locked non-dma mapping, made on first use. The host ops
 * are called without ram_lock (they take their own locks); if two threads
 * race, the loser drops its mapping.
 */
static void *whole_block_map(MemorySystem *ms, RAMBlock *block)
{
    const RAMBlockHostOps *ops;
    uint64_t len;
    void *map;

    pthread_mutex_lock(&ms->ram_lock);
    map = block->whole_map;
    ops = block->host_ops;
    pthread_mutex_unlock(&ms->ram_lock);
    if (map || !ops || !ops->map) {
        return map;
    }
    len = block->max_length;
    map = ops->map(ops->opaque, block, 0, &len, true, false);
    if (map && len < block->max_length) {
        if (ops->unmap) {
            ops->unmap(ops->opaque, map);
        }
        return NULL;
    }
    if (!map) {
        return NULL;
    }
    pthread_mutex_lock(&ms->ram_lock);
    if (!block->whole_map && block->host_ops == ops) {
        block->whole_map = map;
        map = NULL;
    }
    void *kept = block->whole_map;
    pthread_mutex_unlock(&ms->ram_lock);
    if (map && ops->unmap) {
        ops->unmap(ops->opaque, map);   /* lost the race */
    }
    return kept;
}

void *qemu_map_ram_ptr(MemorySystem *ms, RAMBlock *block, ram_addr_t addr)
{
    const RAMBlockHostOps *ops;

    block = resolve(ms, block, &addr);
    if (!block || addr >= block->max_length) {
        return NULL;
    }
    ops = block->host_ops;
    if (!ops || !ops->map) {
        return block->host ? block->host + addr : NULL;
    }
    if (block->flags & RAM_NOALLOC) {
        uint64_t len = block->used_length > addr ? block->used_length - addr
                                                 : 1;

        return ops->map(ops->opaque, block, addr, &len, false, false);
    }
    void *map = whole_block_map(ms, block);
    return map ? (uint8_t *)map + addr : NULL;
}

void *qemu_ram_ptr_length(MemorySystem *ms, RAMBlock *block, ram_addr_t addr,
                          uint64_t *size, bool lock)
{
    const RAMBlockHostOps *ops;
    uint64_t used;
    void *p;

    block = resolve(ms, block, &addr);
    used = block ? __atomic_load_n(&block->used_length, __ATOMIC_ACQUIRE) : 0;
    if (!block || addr >= used || *size == 0) {
        *size = 0;
        return NULL;
    }
    if (*size > used - addr) {
        *size = used - addr;
    }
    ops = block->host_ops;
    if (!ops || !ops->map) {
        if (!block->host) {
            *size = 0;
            return NULL;
        }
        return block->host + addr;
    }
    if (!lock && !(block->flags & RAM_NOALLOC)) {
        void *map = whole_block_map(ms, block);

        if (!map) {
            *size = 0;
        }
        return map ? (uint8_t *)map + addr : NULL;
    }
    p = ops->map(ops->opaque, block, addr, size, lock, lock);
    if (!p) {
        *size = 0;
    }
    return p;
}

void qemu_ram_unmap_locked(MemorySystem *ms, RAMBlock *block, void *host)
{
    (void)ms;
    if (block && block->host_ops && block->host_ops->map &&
        block->host_ops->unmap) {
        block->host_ops->unmap(block->host_ops->opaque, host);
    }
}

int ram_block_rw(MemorySystem *ms, RAMBlock *block, ram_addr_t offset,
                 void *buf, uint64_t len, bool is_write)
{
    uint8_t *b = buf;

    while (len) {
        uint64_t chunk = len;
        uint8_t *p = qemu_ram_ptr_length(ms, block, offset, &chunk, false);

        if (!p || chunk == 0) {
            return -EFAULT;
        }
        if (is_write) {
            memcpy(p, b, chunk);
        } else {
            memcpy(b, p, chunk);
        }
        b += chunk;
        offset += chunk;
        len -= chunk;
    }
    return 0;
}

RAMBlock *memory_region_ram_block_offset(MemoryRegion *mr, hwaddr addr,
                                         ram_addr_t *offset)
{
    /* Aliases are resolved by rendering; follow them for direct callers. */
    while (mr && mr->type == MR_ALIAS && mr->alias) {
        addr += mr->alias_offset;
        mr = mr->alias;
    }
    if (!mr || !mr->ram_block) {
        return NULL;
    }
    *offset = addr;
    return mr->ram_block;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    ram_addr_t off;
    RAMBlock *block = memory_region_ram_block_offset(mr, 0, &off);

    return block ? qemu_map_ram_ptr(block->ms, block, off) : NULL;
}

ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr)
{
    ram_addr_t off;
    RAMBlock *block = memory_region_ram_block_offset(mr, 0, &off);

    return block ? block->offset + off : RAM_ADDR_INVALID;
}

int memory_region_ram_resize(MemoryRegion *mr, uint64_t newsize)
{
    RAMBlock *block = mr->ram_block;
    int ret;

    if (!block) {
        return -EINVAL;
    }
    if (!(block->flags & RAM_RESIZEABLE) || newsize > block->max_length ||
        newsize == 0) {
        return -EINVAL;
    }
    if (newsize == block->used_length) {
        return 0;
    }
    /* The block resizes the region it backs (block->mr), marks the new
     * contents dirty and calls ->resized; a region over a caller's block
     * is resized here. */
    if (block->mr != mr) {
        memory_region_set_size(mr, newsize);
    }
    ret = qemu_ram_resize(block, newsize);
    return ret;
}

void memory_region_ram_block_release(MemoryRegion *mr)
{
    RAMBlock *block = mr->ram_block;

    if (!block) {
        return;
    }
    mr->ram_block = NULL;
    /* A region owns its block when the block points back to it; blocks
     * given to memory_region_init_ram_from_block() are the caller's. */
    if (block->mr == mr) {
        ram_block_free(block);
    }
}
