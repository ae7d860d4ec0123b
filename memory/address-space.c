/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * address-space.c - address spaces, the commit-time update of their
 * FlatViews, memory_region_find() and address_space_translate().
 *
 * Each AddressSpace points to its current FlatView (current_map). An update
 * renders one FlatView per distinct root and gives it to every address
 * space with that root (FlatViews are shared and reference-counted); a view
 * identical to the current one is dropped so the old one (and the MRU hints
 * tagged with its generation) stay valid.
 *
 * Threading: current_map is swapped under ms->lock by the device-model thread;
 * other threads take a reference under the same lock
 * (address_space_get_flatview()) and then read the immutable view without
 * it. The old view is released when its last reader drops it.
 *
 * Dispatch: address_space_lookup() (core-internal.h) tries the address
 * space's one-entry MRU hint, valid only for the FlatView generation it was
 * recorded on, then binary-searches the view's packed table of starts.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "memory/core-internal.h"

/* How many IOMMUs one translation may walk through before giving up. */
#define IOMMU_WALK_MAX 16

const char *address_space_name(const AddressSpace *as)
{
    return as->name ? as->name : "";
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    FlatView *fv;

    pthread_mutex_lock(&as->ms->lock);
    fv = as->current_map;
    flatview_ref(fv);
    pthread_mutex_unlock(&as->ms->lock);
    return fv;
}

/* Swap @as's view for @fv (reference given); Return: the old one. */
static FlatView *address_space_swap_map(AddressSpace *as, FlatView *fv)
{
    FlatView *old;

    pthread_mutex_lock(&as->ms->lock);
    old = as->current_map;
    as->current_map = fv;
    pthread_mutex_unlock(&as->ms->lock);
    return old;
}

/* A view of @root already rendered for another address space, or NULL. */
static FlatView *shared_view_of(MemorySystem *ms, MemoryRegion *root,
                                const AddressSpace *skip)
{
    for (AddressSpace *as = ms->address_spaces; as; as = as->next)
        if (as != skip && as->root == root && as->current_map)
            return as->current_map;
    return NULL;
}

void address_space_init(AddressSpace *as, MemorySystem *ms, MemoryRegion *root,
                        const char *name)
{
    FlatView *fv;
    AddressSpace **link;

    assert(root && root->ms == ms);
    memset(as, 0, sizeof(*as));
    as->ms = ms;
    as->name = strdup(name ? name : "anonymous");
    as->root = root;
    memory_region_ref(root);

    fv = shared_view_of(ms, root, NULL);
    if (fv)
        flatview_ref(fv);
    else
        fv = flatview_render(ms, root);
    if (!fv)
        fv = flatview_new_empty(ms, root);
    /* Without memory for even an empty view there is nothing to serve. */
    assert(fv);
    as->current_map = fv;
    for (link = &ms->address_spaces; *link; link = &(*link)->next)
        ;
    *link = as;

    listeners_call_begin(ms, as);
    listeners_update_topology(ms, as, NULL, fv);
    listeners_call_commit(ms, as);
}

void address_space_destroy(AddressSpace *as)
{
    MemorySystem *ms = as->ms;
    AddressSpace **link;
    FlatView *old;

    listeners_call_begin(ms, as);
    listeners_update_topology(ms, as, as->current_map, NULL);
    listeners_call_commit(ms, as);
    listeners_detach_as(ms, as);

    for (link = &ms->address_spaces; *link != as; link = &(*link)->next)
        assert(*link);
    *link = as->next;
    old = address_space_swap_map(as, NULL);
    flatview_unref(old);
    memory_region_unref(as->root);
    free(as->name);
    as->name = NULL;
    as->root = NULL;
}

/* A rendered view per root during one update. */
struct root_view {
    MemoryRegion *root;
    FlatView *fv;       /* referenced */
};

void address_spaces_update(MemorySystem *ms)
{
    struct root_view *views = NULL;
    size_t n_views = 0, n_as = 0;
    AddressSpace *as;
    MemoryListener *l;

    for (as = ms->address_spaces; as; as = as->next)
        n_as++;
    if (n_as)
        views = calloc(n_as, sizeof(*views));
    if (n_as && !views) {
        log_err("memory: out of memory updating address spaces");
        return;
    }
    /* Render one view per distinct root. */
    for (as = ms->address_spaces; as; as = as->next) {
        size_t i;

        for (i = 0; i < n_views; i++)
            if (views[i].root == as->root)
                break;
        if (i < n_views)
            continue;
        views[n_views].root = as->root;
        views[n_views].fv = flatview_render(ms, as->root);
        n_views++;
    }

    for (l = ms->listeners; l; l = l->next)
        if (l->begin)
            l->begin(l);
    for (as = ms->address_spaces; as; as = as->next) {
        FlatView *fv = NULL, *old = as->current_map;

        for (size_t i = 0; i < n_views; i++)
            if (views[i].root == as->root)
                fv = views[i].fv;
        if (!fv)
            continue;           /* render failed: keep the old view */
        if (old->root == fv->root && flatview_equal(old, fv)) {
            /* Nothing changed: keep the old view (and its MRU hints), but
             * let the listeners see the nops. */
            listeners_update_topology(ms, as, old, old);
            continue;
        }
        flatview_ref(fv);
        old = address_space_swap_map(as, fv);
        listeners_update_topology(ms, as, old, fv);
        flatview_unref(old);
    }
    for (l = ms->listeners; l; l = l->next)
        if (l->commit)
            l->commit(l);

    for (size_t i = 0; i < n_views; i++)
        flatview_unref(views[i].fv);
    free(views);
}

MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size)
{
    MemoryRegionSection ret = { 0 };
    MemoryRegion *root = mr;
    AddressSpace *as;
    const FlatRange *fr;
    FlatView *fv;
    hwaddr last, fr_last;

    for (; root->container; root = root->container)
        addr += root->addr;
    for (as = mr->ms->address_spaces; as; as = as->next)
        if (as->root == root)
            break;
    if (!as)
        return ret;
    fv = address_space_get_flatview(as);
    fr = address_space_lookup(as, fv, addr);
    if (fr) {
        last = (size == 0 || addr + size - 1 < addr) ? UINT64_MAX
                                                     : addr + size - 1;
        fr_last = fr->last < last ? fr->last : last;
        ret.mr = fr->mr;
        ret.fv = fv;
        ret.offset_within_region = fr->offset_in_region + (addr - fr->start);
        ret.offset_within_address_space = addr;
        ret.size = (addr == 0 && fr_last == UINT64_MAX) ? UINT64_MAX
                                                        : fr_last - addr + 1;
        ret.readonly = fr->readonly;
        ret.nonvolatile = fr->nonvolatile;
        memory_region_ref(ret.mr);
    }
    flatview_unref(fv);
    return ret;
}

/*
 * One step of the translation in @as: the terminating region at @addr.
 * RAM-backed regions (and gaps) clamp *@plen to the section; I/O regions
 * do not (a register may be accessed past the next one's start).
 */
static MemoryRegion *translate_in_view(AddressSpace *as, FlatView *fv,
                                       hwaddr addr, hwaddr *xlat, hwaddr *plen)
{
    const FlatRange *fr = address_space_lookup(as, fv, addr);
    hwaddr avail;

    if (!fr) {
        /* A gap: unassigned up to the next range. */
        size_t lo = 0, hi = fv->nr;
        hwaddr next = UINT64_MAX;

        while (lo < hi) {               /* first start above @addr */
            size_t mid = lo + (hi - lo) / 2;

            if (fv->starts[mid] <= addr)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < fv->nr)
            next = fv->starts[lo];
        avail = next == UINT64_MAX ? UINT64_MAX : next - addr;
        if (avail < *plen)
            *plen = avail;
        *xlat = addr;
        return &as->ms->io_mem_unassigned;
    }
    *xlat = fr->offset_in_region + (addr - fr->start);
    if (fr->mr->ram_block) {
        avail = fr->last - addr + 1;    /* 0 means 2^64 */
        if (avail != 0 && avail < *plen)
            *plen = avail;
    }
    return fr->mr;
}

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs)
{
    MemorySystem *ms = as->ms;
    IOMMUAccessFlags want = is_write ? IOMMU_WO : IOMMU_RO;

    for (unsigned walk = 0;; walk++) {
        FlatView *fv = address_space_get_flatview(as);
        MemoryRegion *mr = translate_in_view(as, fv, addr, xlat, plen);
        IOMMUMemoryRegion *iommu;
        IOMMUTLBEntry entry;
        hwaddr in = *xlat;
        int idx;

        flatview_unref(fv);
        if (mr->type != MR_IOMMU)
            return mr;
        if (walk >= IOMMU_WALK_MAX) {
            log_warn_rl(&ms->rl, "memory: IOMMU walk at 0x%" PRIx64
                        " too deep", addr);
            break;
        }
        iommu = (IOMMUMemoryRegion *)mr;
        idx = memory_region_iommu_attrs_to_index(iommu, attrs);
        entry = mr->iommu_ops->translate(iommu, in, want, idx);
        if (!(entry.perm & want) || !entry.target_as)
            break;
        addr = (entry.translated_addr & ~entry.addr_mask) |
               (in & entry.addr_mask);
        /* Stay within the IOMMU page. */
        if ((addr | entry.addr_mask) - addr + 1 != 0 &&
            (addr | entry.addr_mask) - addr + 1 < *plen)
            *plen = (addr | entry.addr_mask) - addr + 1;
        as = entry.target_as;
    }
    *xlat = addr;
    return &ms->io_mem_unassigned;
}
