/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * system.c - the MemorySystem (what QEMU keeps in globals) and the Object
 * owners of regions.
 *
 * A MemorySystem is allocated whole; its locks are initialised here for
 * both halves (lock for address-space map swaps and listener lists,
 * ram_lock for RAM blocks, bounce_lock for bounce buffers and map
 * clients). It embeds the "unassigned" I/O region that translation returns
 * for addresses nothing serves.
 *
 * Objects are plain atomic reference counts with a release callback.
 */
#include <assert.h>
#include <stdlib.h>

#include "memory/core-internal.h"

void object_init(Object *obj, const char *name, void (*release)(Object *obj))
{
    obj->ref = 1;
    obj->release = release;
    obj->name = name;
}

void object_ref(Object *obj)
{
    if (obj)
        __atomic_add_fetch(&obj->ref, 1, __ATOMIC_RELAXED);
}

void object_unref(Object *obj)
{
    unsigned left;

    if (!obj)
        return;
    left = __atomic_sub_fetch(&obj->ref, 1, __ATOMIC_ACQ_REL);
    assert(left != UINT32_MAX);
    if (left == 0 && obj->release)
        obj->release(obj);
}

MemorySystem *memory_system_new(void)
{
    MemorySystem *ms = calloc(1, sizeof(*ms));

    if (!ms)
        return NULL;
    if (pthread_mutex_init(&ms->lock, NULL) != 0)
        goto fail_lock;
    if (pthread_mutex_init(&ms->ram_lock, NULL) != 0)
        goto fail_ram;
    if (pthread_mutex_init(&ms->bounce_lock, NULL) != 0)
        goto fail_bounce;
    ms->bounce_limit = 1024 * 1024;
    /* opaque = the system: unassigned_mem_ops may use its rate limiter. */
    memory_region_init_io(&ms->io_mem_unassigned, ms, NULL,
                          &unassigned_mem_ops, ms, "unassigned", UINT64_MAX);
    if (!ms->io_mem_unassigned.name) {
        pthread_mutex_destroy(&ms->bounce_lock);
        goto fail_bounce;
    }
    return ms;

fail_bounce:
    pthread_mutex_destroy(&ms->ram_lock);
fail_ram:
    pthread_mutex_destroy(&ms->lock);
fail_lock:
    free(ms);
    return NULL;
}

void memory_system_free(MemorySystem *ms)
{
    struct MapClient *mc, *next;

    if (!ms)
        return;
    if (ms->address_spaces)
        log_err("memory: system freed with address space \"%s\" alive",
                ms->address_spaces->name);
    memory_region_finalize(&ms->io_mem_unassigned);
    for (mc = ms->map_clients; mc; mc = next) {
        next = mc->next;
        free(mc);
    }
    pthread_mutex_destroy(&ms->bounce_lock);
    pthread_mutex_destroy(&ms->ram_lock);
    pthread_mutex_destroy(&ms->lock);
    free(ms);
}

uint32_t memory_system_next_generation(MemorySystem *ms)
{
    /* Main thread only; skip 0 so a zeroed MRU hint never matches. */
    ms->fv_generation++;
    if (ms->fv_generation == 0)
        ms->fv_generation++;
    return ms->fv_generation;
}
