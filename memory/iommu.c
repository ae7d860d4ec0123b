/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommu.c - IOMMU regions: notifiers, notification, replay and the
 * optional class hooks with their defaults.
 *
 * Data structure: an IOMMU region keeps its notifiers on a singly linked
 * list (MemoryRegion.iommu_notifiers through IOMMUNotifier.node_next) and
 * the union of their flags in iommu_notify_flags; when the union changes
 * the implementation's notify_flag_changed() is told first and may refuse
 * the registration.
 *
 * Translation through an address space (the walk into the target address
 * space) is the core's address_space_translate(); this file only calls the
 * class's translate() for replays.
 *
 * Threading: registration, notification and replay belong to the main
 * thread (the one that owns the region tree).
 */
#include <errno.h>

#include "memory/access-internal.h"

void iommu_notifier_init(IOMMUNotifier *n, IOMMUNotify *fn,
                         IOMMUNotifierFlag flags, hwaddr start, hwaddr end,
                         int iommu_idx)
{
    n->notify = fn;
    n->notifier_flags = flags;
    n->start = start;
    n->end = end;
    n->iommu_idx = iommu_idx;
    n->node_next = NULL;
}

IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr)
{
    while (mr && mr->type == MR_ALIAS) {
        mr = mr->alias;
    }
    if (!mr || mr->type != MR_IOMMU) {
        return NULL;
    }
    return (IOMMUMemoryRegion *)mr;
}

static MemoryRegion *iommu_mr(IOMMUMemoryRegion *iommu)
{
    return &iommu->parent_obj;
}

static IOMMUNotifierFlag flags_union(const MemoryRegion *mr,
                                     const IOMMUNotifier *skip,
                                     const IOMMUNotifier *add)
{
    unsigned f = add ? add->notifier_flags : 0;

    for (const IOMMUNotifier *n = mr->iommu_notifiers; n; n = n->node_next) {
        if (n != skip) {
            f |= n->notifier_flags;
        }
    }
    return (IOMMUNotifierFlag)f;
}

/* Tell the implementation the union changed. Return: 0 or its -errno. */
static int flags_changed(MemoryRegion *mr, IOMMUNotifierFlag new_flags)
{
    IOMMUNotifierFlag old = mr->iommu_notify_flags;
    int ret = 0;

    if (old == new_flags) {
        return 0;
    }
    if (mr->iommu_ops->notify_flag_changed) {
        ret = mr->iommu_ops->notify_flag_changed((IOMMUMemoryRegion *)mr, old,
                                                 new_flags);
    }
    if (ret == 0) {
        mr->iommu_notify_flags = new_flags;
    }
    return ret;
}

int memory_region_register_iommu_notifier(MemoryRegion *mr, IOMMUNotifier *n)
{
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);
    int ret;

    if (!iommu || !n || !n->notify || n->notifier_flags == IOMMU_NOTIFIER_NONE ||
        (n->notifier_flags & ~IOMMU_NOTIFIER_ALL) || n->start > n->end ||
        n->iommu_idx < 0 ||
        n->iommu_idx >= memory_region_iommu_num_indexes(iommu)) {
        return -EINVAL;
    }
    mr = iommu_mr(iommu);
    for (IOMMUNotifier *it = mr->iommu_notifiers; it; it = it->node_next) {
        if (it == n) {
            return -EEXIST;
        }
    }
    ret = flags_changed(mr, flags_union(mr, NULL, n));
    if (ret < 0) {
        return ret;
    }
    n->node_next = mr->iommu_notifiers;
    mr->iommu_notifiers = n;
    return 0;
}

void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
                                             IOMMUNotifier *n)
{
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);

    if (!iommu) {
        return;
    }
    mr = iommu_mr(iommu);
    for (IOMMUNotifier **pp = &mr->iommu_notifiers; *pp;
         pp = &(*pp)->node_next) {
        if (*pp == n) {
            *pp = n->node_next;
            n->node_next = NULL;
            /* Shrinking the union cannot be refused meaningfully. */
            (void)flags_changed(mr, flags_union(mr, NULL, NULL));
            return;
        }
    }
}

void memory_region_notify_iommu_one(IOMMUNotifier *n, IOMMUTLBEvent *event)
{
    IOMMUTLBEntry *e = &event->entry;
    hwaddr last = e->iova + e->addr_mask;

    if (last < e->iova) {
        last = HWADDR_MAX;
    }
    /* Only events the notifier asked for, overlapping its range. */
    if (!(n->notifier_flags & event->type)) {
        return;
    }
    if (last < n->start || e->iova > n->end) {
        return;
    }
    n->notify(n, e);
}

void memory_region_notify_iommu(IOMMUMemoryRegion *iommu, int iommu_idx,
                                IOMMUTLBEvent event)
{
    MemoryRegion *mr = iommu_mr(iommu);
    IOMMUNotifier *n = mr->iommu_notifiers;

    while (n) {
        /* A callback may unregister itself: fetch the next one first. */
        IOMMUNotifier *next = n->node_next;

        if (n->iommu_idx == iommu_idx) {
            memory_region_notify_iommu_one(n, &event);
        }
        n = next;
    }
}

uint64_t memory_region_iommu_get_min_page_size(IOMMUMemoryRegion *iommu)
{
    const IOMMUMemoryRegionClass *ops = iommu_mr(iommu)->iommu_ops;
    uint64_t ps = 0;

    if (ops->get_min_page_size) {
        ps = ops->get_min_page_size(iommu);
    }
    /* A page must be a power of two; anything else means the default. */
    if (ps == 0 || (ps & (ps - 1))) {
        ps = TARGET_PAGE_SIZE;
    }
    return ps;
}

void memory_region_iommu_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    MemoryRegion *mr = iommu_mr(iommu);
    const IOMMUMemoryRegionClass *ops = mr->iommu_ops;
    uint64_t page = memory_region_iommu_get_min_page_size(iommu);
    hwaddr addr, last;

    if (ops->replay) {
        ops->replay(iommu, n);
        return;
    }
    if (!(n->notifier_flags & IOMMU_NOTIFIER_MAP) || mr->size == 0) {
        return;
    }
    /* Walk the part of the region the notifier watches, page by page. */
    last = memory_region_last(mr);
    if (n->end < last) {
        last = n->end;
    }
    addr = n->start & ~(page - 1);
    while (addr <= last) {
        IOMMUTLBEntry e = ops->translate(iommu, addr, IOMMU_NONE, n->iommu_idx);
        hwaddr step = page;

        if (e.perm != IOMMU_NONE) {
            IOMMUTLBEvent ev = { .type = IOMMU_NOTIFIER_MAP, .entry = e };

            memory_region_notify_iommu_one(n, &ev);
            /* A larger page covers the next ones: skip past it. */
            if (e.addr_mask + 1 > step && e.addr_mask != HWADDR_MAX) {
                step = (e.iova + e.addr_mask + 1) - addr;
                if (step == 0 || step > e.addr_mask + 1) {
                    step = page;
                }
            }
        }
        if (addr + step < addr) {
            break;                      /* wrapped past 2^64 */
        }
        addr += step;
    }
}

int memory_region_iommu_get_attr(IOMMUMemoryRegion *iommu,
                                 IOMMUMemoryRegionAttr attr, void *data)
{
    const IOMMUMemoryRegionClass *ops = iommu_mr(iommu)->iommu_ops;

    if (!ops->get_attr) {
        return -EINVAL;
    }
    return ops->get_attr(iommu, attr, data);
}

int memory_region_iommu_attrs_to_index(IOMMUMemoryRegion *iommu,
                                       MemTxAttrs attrs)
{
    const IOMMUMemoryRegionClass *ops = iommu_mr(iommu)->iommu_ops;

    return ops->attrs_to_index ? ops->attrs_to_index(iommu, attrs) : 0;
}

int memory_region_iommu_num_indexes(IOMMUMemoryRegion *iommu)
{
    const IOMMUMemoryRegionClass *ops = iommu_mr(iommu)->iommu_ops;

    return ops->num_indexes ? ops->num_indexes(iommu) : 1;
}
