/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * region.c - memory regions: initialisation of every kind, finalisation,
 * references, the tree operations and setters, accessors, transactions.
 *
 * Data structure: a region keeps its children in a growable array sorted
 * by ascending priority, then by ascending insertion sequence number
 * (MemorySystem.subregion_seq). The renderer visits it from the end
 * (highest priority, newest first): the first child to claim an address
 * wins. Ascending storage makes the common add (same priority as the
 * others) an append, so containers with 100,000 children build quickly.
 *
 * Every mutation runs inside its own transaction (begin ... commit) and
 * marks the system's update as pending; the outermost commit re-renders
 * the FlatViews (address_spaces_update()). All of this belongs to the main
 * thread; other threads only read FlatViews, never the tree.
 *
 * References: a region with an owner forwards memory_region_ref() to the
 * owner's Object; an ownerless region counts in mr->ref (informational:
 * the storage belongs to the caller, who finalises it explicitly).
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "memory/core-internal.h"

static void region_init_common(MemoryRegion *mr, MemorySystem *ms,
                               Object *owner, const char *name,
                               uint64_t size, MemoryRegionType type)
{
    assert(mr && ms);
    memset(mr, 0, sizeof(*mr));
    mr->ms = ms;
    mr->owner = owner;
    mr->name = strdup(name ? name : "anonymous");
    mr->type = type;
    mr->size = size;
    mr->ref = 1;
    mr->enabled = true;
}

void memory_region_init(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                        const char *name, uint64_t size)
{
    region_init_common(mr, ms, owner, name, size, MR_CONTAINER);
}

void memory_region_init_io(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    region_init_common(mr, ms, owner, name, size, MR_IO);
    mr->ops = ops ? ops : &unassigned_mem_ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

/* A RAM-backed region with a new block; on failure @mr holds no memory. */
static int region_init_ram_block(MemoryRegion *mr, MemorySystem *ms,
                                 Object *owner, const char *name,
                                 uint64_t size, uint64_t max_size,
                                 uint32_t flags, void *host,
                                 MemoryRegionType type)
{
    RAMBlock *block = NULL;
    int ret;

    region_init_common(mr, ms, owner, name, size, type);
    mr->terminates = true;
    if (!mr->name)
        return -ENOMEM;
    ret = ram_block_add(ms, mr->name, size, max_size, flags, host,
                        RAM_ADDR_INVALID, &block);
    if (ret < 0) {
        free(mr->name);
        mr->name = NULL;
        return ret;
    }
    block->mr = mr;
    mr->ram_block = block;
    return 0;
}

int memory_region_init_ram(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const char *name, uint64_t size)
{
    return region_init_ram_block(mr, ms, owner, name, size, size, 0, NULL,
                                 MR_RAM);
}

void memory_region_init_ram_from_block(MemoryRegion *mr, MemorySystem *ms,
                                       Object *owner, const char *name,
                                       RAMBlock *block)
{
    assert(block);
    region_init_common(mr, ms, owner, name, block->used_length, MR_RAM);
    mr->terminates = true;
    /* Not ours: block->mr stays as it is, so finalising @mr keeps it. */
    mr->ram_block = block;
}

int memory_region_init_ram_ptr(MemoryRegion *mr, MemorySystem *ms,
                               Object *owner, const char *name,
                               uint64_t size, void *ptr)
{
    return region_init_ram_block(mr, ms, owner, name, size, size,
                                 RAM_PREALLOC, ptr, MR_RAM);
}

int memory_region_init_resizeable_ram(MemoryRegion *mr, MemorySystem *ms,
                                      Object *owner, const char *name,
                                      uint64_t size, uint64_t max_size,
                                      void (*resized)(const char *id,
                                                      uint64_t length,
                                                      void *host))
{
    int ret = region_init_ram_block(mr, ms, owner, name, size, max_size,
                                    RAM_RESIZEABLE, NULL, MR_RAM);

    if (ret == 0)
        mr->ram_block->resized = resized;
    return ret;
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, MemorySystem *ms,
                                       Object *owner, const char *name,
                                       uint64_t size, void *ptr)
{
    int ret = region_init_ram_block(mr, ms, owner, name, size, size,
                                    RAM_PREALLOC, ptr, MR_RAM_DEVICE);

    if (ret < 0) {
        /* void API: keep a usable region; accesses see no RAM block. */
        log_err("memory: ram device \"%s\": no RAM block (%d)",
                name ? name : "?", ret);
        if (!mr->name)
            mr->name = strdup(name ? name : "anonymous");
    }
    mr->ram_device = true;
}

void memory_region_init_alias(MemoryRegion *mr, MemorySystem *ms,
                              Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size)
{
    assert(orig && orig->ms == ms);
    region_init_common(mr, ms, owner, name, size, MR_ALIAS);
    memory_region_ref(orig);
    orig->alias_count++;
    mr->alias = orig;
    mr->alias_offset = offset;
}

int memory_region_init_rom(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const char *name, uint64_t size)
{
    int ret = region_init_ram_block(mr, ms, owner, name, size, size, 0,
                                    NULL, MR_RAM);

    if (ret == 0)
        mr->readonly = true;
    return ret;
}

int memory_region_init_rom_device(MemoryRegion *mr, MemorySystem *ms,
                                  Object *owner, const MemoryRegionOps *ops,
                                  void *opaque, const char *name,
                                  uint64_t size)
{
    int ret = region_init_ram_block(mr, ms, owner, name, size, size, 0,
                                    NULL, MR_ROM_DEVICE);

    if (ret < 0)
        return ret;
    mr->ops = ops ? ops : &unassigned_mem_ops;
    mr->opaque = opaque;
    mr->rom_device = true;
    mr->romd_mode = true;
    return 0;
}

void memory_region_init_reservation(MemoryRegion *mr, MemorySystem *ms,
                                    Object *owner, const char *name,
                                    uint64_t size)
{
    region_init_common(mr, ms, owner, name, size, MR_RESERVATION);
    mr->ops = &reservation_mem_ops;
    mr->opaque = mr;
    mr->terminates = true;
}

void memory_region_init_iommu(IOMMUMemoryRegion *iommu, MemorySystem *ms,
                              Object *owner,
                              const IOMMUMemoryRegionClass *ops,
                              const char *name, uint64_t size)
{
    MemoryRegion *mr = &iommu->parent_obj;

    assert(ops && ops->translate);
    region_init_common(mr, ms, owner, name, size, MR_IOMMU);
    mr->iommu_ops = ops;
    mr->terminates = true;
}

void memory_region_finalize(MemoryRegion *mr)
{
    assert(!mr->container);
    assert(mr->n_subregions == 0);
    if (mr->alias_count)
        log_warn("memory: region \"%s\" finalised while %u aliases point "
                 "to it", mr->name ? mr->name : "?", mr->alias_count);
    if (mr->alias) {
        mr->alias->alias_count--;
        memory_region_unref(mr->alias);
        mr->alias = NULL;
    }
    if (mr->ram_block)
        memory_region_ram_block_release(mr);
    mr->ram_block = NULL;
    g_free(mr->subregions);
    mr->subregions = NULL;
    mr->subregions_cap = 0;
    free(mr->name);
    mr->name = NULL;
}

void memory_region_ref(MemoryRegion *mr)
{
    if (!mr)
        return;
    if (mr->owner)
        object_ref(mr->owner);
    else
        __atomic_add_fetch(&mr->ref, 1, __ATOMIC_RELAXED);
}

void memory_region_unref(MemoryRegion *mr)
{
    if (!mr)
        return;
    if (mr->owner) {
        object_unref(mr->owner);
    } else {
        unsigned left = __atomic_sub_fetch(&mr->ref, 1, __ATOMIC_RELAXED);

        assert(left != UINT32_MAX);
        (void)left;
    }
}

/* ---- transactions ---- */

void memory_region_transaction_begin(MemorySystem *ms)
{
    ms->transaction_depth++;
}

void memory_region_transaction_commit(MemorySystem *ms)
{
    unsigned rounds = 0;

    assert(ms->transaction_depth > 0);
    if (--ms->transaction_depth > 0)
        return;
    /*
     * Listeners may mutate the tree from their callbacks: such changes only
     * mark the update pending again (depth is held at 1 meanwhile) and are
     * rendered by another round here.
     */
    while (ms->update_pending && rounds++ < 8) {
        ms->update_pending = false;
        ms->transaction_depth = 1;
        address_spaces_update(ms);
        ms->transaction_depth = 0;
    }
    if (ms->update_pending)
        log_err("memory: listeners keep changing the tree; giving up");
    ms->update_pending = false;
}

/* ---- the tree ---- */

/* Whether @a (at @a->addr) and @b (at @b->addr) intersect. */
static bool regions_intersect(const MemoryRegion *a, const MemoryRegion *b)
{
    uint64_t a_last = a->addr + memory_region_last(a);
    uint64_t b_last = b->addr + memory_region_last(b);

    if (a->size == 0 || b->size == 0)
        return false;
    return a->addr <= b_last && b->addr <= a_last;
}

/* Insert @sub in @mr's sorted child array (after its equals). */
static void subregion_insert(MemoryRegion *mr, MemoryRegion *sub)
{
    unsigned i;

    if (mr->n_subregions == mr->subregions_cap) {
        mr->subregions_cap = mr->subregions_cap ? mr->subregions_cap * 2 : 4;
        mr->subregions = g_renew(MemoryRegion *, mr->subregions,
                                 mr->subregions_cap);
    }
    /* Ascending storage: scan from the end, where adds usually land. */
    for (i = mr->n_subregions; i > 0; i--)
        if (mr->subregions[i - 1]->priority <= sub->priority)
            break;
    memmove(&mr->subregions[i + 1], &mr->subregions[i],
            (mr->n_subregions - i) * sizeof(mr->subregions[0]));
    mr->subregions[i] = sub;
    mr->n_subregions++;
    sub->subregion_seq = ++mr->ms->subregion_seq;
}

static void subregion_remove(MemoryRegion *mr, MemoryRegion *sub)
{
    unsigned i;

    for (i = 0; i < mr->n_subregions; i++)
        if (mr->subregions[i] == sub)
            break;
    assert(i < mr->n_subregions);
    memmove(&mr->subregions[i], &mr->subregions[i + 1],
            (mr->n_subregions - i - 1) * sizeof(mr->subregions[0]));
    mr->n_subregions--;
}

static void add_subregion_common(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *sub, int priority,
                                 bool may_overlap)
{
    MemorySystem *ms = mr->ms;

    assert(sub && sub != mr);
    assert(!sub->container);
    assert(sub->ms == ms);
    sub->addr = offset;
    sub->priority = priority;
    sub->may_overlap = may_overlap;
    /* A debugging aid, linear in the siblings: skipped in huge containers. */
    if (!may_overlap && mr->n_subregions <= 1024) {
        for (unsigned i = 0; i < mr->n_subregions; i++) {
            MemoryRegion *other = mr->subregions[i];

            if (!other->may_overlap && regions_intersect(sub, other))
                log_warn("memory: \"%s\" at 0x%" PRIx64 " overlaps \"%s\" "
                         "in \"%s\" (use add_subregion_overlap)",
                         memory_region_name(sub), offset,
                         memory_region_name(other), memory_region_name(mr));
        }
    }
    memory_region_transaction_begin(ms);
    memory_region_ref(sub);
    sub->container = mr;
    subregion_insert(mr, sub);
    ms->update_pending = true;
    memory_region_transaction_commit(ms);
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    add_subregion_common(mr, offset, subregion, 0, false);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    add_subregion_common(mr, offset, subregion, priority, true);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    MemorySystem *ms = mr->ms;

    assert(subregion->container == mr);
    memory_region_transaction_begin(ms);
    subregion_remove(mr, subregion);
    subregion->container = NULL;
    ms->update_pending = true;
    memory_region_transaction_commit(ms);
    memory_region_unref(subregion);
}

/* Mark @mr's change for the outermost commit (any region may be, or be
 * under, an address space's root: re-render without looking). */
static void region_changed(MemoryRegion *mr)
{
    mr->ms->update_pending = true;
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->enabled = enabled;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *container = mr->container;

    if (mr->addr == addr)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->addr = addr;
    if (container) {
        /* Like a new add: it becomes the latest among its equals. */
        subregion_remove(container, mr);
        subregion_insert(container, mr);
    }
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    if (mr->size == size)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->size = size;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    assert(mr->alias);
    if (mr->alias_offset == offset)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->alias_offset = offset;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->readonly = readonly;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile)
{
    if (mr->nonvolatile == nonvolatile)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->nonvolatile = nonvolatile;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode)
{
    assert(mr->rom_device);
    if (mr->romd_mode == romd_mode)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->romd_mode = romd_mode;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
    uint8_t mask, new_mask;

    assert(client < DIRTY_MEMORY_NUM);
    mask = (uint8_t)(1u << client);
    if (client == DIRTY_MEMORY_VGA) {
        /* VGA logging is counted: several users may ask for it. */
        if (log) {
            mr->vga_logging_count++;
        } else {
            assert(mr->vga_logging_count > 0);
            mr->vga_logging_count--;
        }
        log = mr->vga_logging_count > 0;
    }
    new_mask = (uint8_t)((mr->dirty_log_mask & ~mask) | (log ? mask : 0));
    if (new_mask == mr->dirty_log_mask)
        return;
    memory_region_transaction_begin(mr->ms);
    mr->dirty_log_mask = new_mask;
    region_changed(mr);
    memory_region_transaction_commit(mr->ms);
}

uint8_t memory_region_dirty_log_mask_rendered(const MemoryRegion *mr)
{
    uint8_t mask = mr->dirty_log_mask;

    if (mr->ms->global_dirty_log && mr->ram_block)
        mask |= 1u << DIRTY_MEMORY_MIGRATION;
    return mask;
}

/* ---- accessors ---- */

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name ? mr->name : "";
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

Object *memory_region_owner(const MemoryRegion *mr)
{
    return mr->owner;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->type == MR_RAM || mr->type == MR_RAM_DEVICE;
}

bool memory_region_is_ram_device(const MemoryRegion *mr)
{
    return mr->ram_device;
}

bool memory_region_is_romd(const MemoryRegion *mr)
{
    return mr->rom_device && mr->romd_mode;
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return memory_region_is_ram(mr) && mr->readonly;
}

bool memory_region_is_iommu(const MemoryRegion *mr)
{
    while (mr->alias)
        mr = mr->alias;
    return mr->type == MR_IOMMU;
}

bool memory_region_is_readonly(const MemoryRegion *mr)
{
    return mr->readonly;
}

bool memory_region_is_enabled(const MemoryRegion *mr)
{
    return mr->enabled;
}

bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL;
}

/* Is offset @addr of @mr served by a terminating region below it? */
static bool region_serves(const MemoryRegion *mr, hwaddr addr, unsigned depth)
{
    if (depth > 64 || !mr->enabled || addr > memory_region_last(mr))
        return false;
    if (mr->alias) {
        hwaddr target = mr->alias_offset + addr;

        if (target < addr)
            return false;
        return region_serves(mr->alias, target, depth + 1);
    }
    for (unsigned i = 0; i < mr->n_subregions; i++) {
        const MemoryRegion *sub = mr->subregions[i];

        if (addr >= sub->addr && region_serves(sub, addr - sub->addr,
                                               depth + 1))
            return true;
    }
    return mr->terminates;
}

bool memory_region_present(MemoryRegion *container, hwaddr addr)
{
    for (unsigned i = 0; i < container->n_subregions; i++) {
        const MemoryRegion *sub = container->subregions[i];

        if (addr >= sub->addr && region_serves(sub, addr - sub->addr, 0))
            return true;
    }
    return false;
}
