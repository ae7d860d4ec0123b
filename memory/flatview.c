/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flatview.c - rendering a region tree into a FlatView, simplification,
 * reference counting and the dispatch table.
 *
 * Rendering follows QEMU's rules: a region's children are visited from the
 * highest priority (and, among equals, the most recently added) down, each
 * clipped to its ancestors; aliases continue into their target shifted by
 * the alias offset; readonly and nonvolatile are inherited; disabled
 * regions are skipped; a terminating region fills what its children left;
 * pure containers leave gaps (unassigned).
 *
 * To keep a render O(n log n) the pieces already claimed are kept as a set
 * of disjoint, coalesced intervals in a balanced tree (GTree keyed by start,
 * value = last). Inserting a region walks only the claimed intervals it
 * overlaps (each of which is then merged away), emitting the gaps between
 * them as new ranges into an unsorted array; the array is sorted once at
 * the end, adjacent compatible ranges are merged ("simplification") and
 * the packed table of starts used by the binary search is built.
 *
 * Addresses inside the renderer are signed 128-bit: an alias may shift its
 * target's origin below 0. Everything leaving the renderer is a uint64_t
 * inclusive range.
 *
 * Threading: rendering runs on the device-model thread; a finished FlatView is
 * immutable and shared by reference count (atomic).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "memory/core-internal.h"

typedef __int128 s128;

struct render {
    FlatRange *pieces;      /* unsorted output */
    size_t n, cap;
    GTree *claimed;         /* start -> last, disjoint and coalesced */
    GArray *drop;           /* scratch: keys of intervals to merge away */
    bool failed;
};

#define KEY(x) ((gpointer)(uintptr_t)(x))
#define VAL(p) ((hwaddr)(uintptr_t)(p))

static_assert(sizeof(uintptr_t) >= sizeof(hwaddr), "64-bit hosts only");

static gint claimed_cmp(gconstpointer a, gconstpointer b)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

    return x < y ? -1 : x > y;
}

static void render_emit(struct render *r, const FlatRange *proto,
                        hwaddr start, hwaddr last, hwaddr region_start)
{
    FlatRange *fr;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        FlatRange *p = realloc(r->pieces, cap * sizeof(*p));

        if (!p) {
            r->failed = true;
            return;
        }
        r->pieces = p;
        r->cap = cap;
    }
    fr = &r->pieces[r->n++];
    *fr = *proto;
    fr->start = start;
    fr->last = last;
    fr->offset_in_region = proto->offset_in_region + (start - region_start);
}

/*
 * Give [@start, @last] to @proto's region wherever nobody claimed it yet
 * (@proto->offset_in_region is the region offset of @start).
 */
static void render_claim(struct render *r, const FlatRange *proto,
                         hwaddr start, hwaddr last)
{
    GTreeNode *n = g_tree_upper_bound(r->claimed, KEY(start));
    GTreeNode *p = n ? g_tree_node_previous(n) : g_tree_node_last(r->claimed);
    hwaddr cur = start, new_start = start, new_last = last;
    bool covered = false;

    g_array_set_size(r->drop, 0);
    if (p) {
        hwaddr ps = VAL(g_tree_node_key(p)), pl = VAL(g_tree_node_value(p));

        if (pl >= last)
            return;                     /* nothing left to claim */
        if (pl >= start || pl + 1 == start) {
            cur = pl >= start ? pl + 1 : start;
            new_start = ps;
            g_array_append_val(r->drop, ps);
        }
    }
    for (; n; n = g_tree_node_next(n)) {
        hwaddr ns = VAL(g_tree_node_key(n)), nl = VAL(g_tree_node_value(n));

        if (ns > last) {
            if (ns == last + 1) {       /* adjacent: coalesce */
                new_last = nl;
                g_array_append_val(r->drop, ns);
            }
            break;
        }
        if (cur < ns)
            render_emit(r, proto, cur, ns - 1, start);
        g_array_append_val(r->drop, ns);
        if (nl >= last) {
            new_last = nl;
            covered = true;
            break;
        }
        cur = nl + 1;
    }
    if (!covered)
        render_emit(r, proto, cur, last, start);
    for (guint i = 0; i < r->drop->len; i++)
        g_tree_remove(r->claimed, KEY(g_array_index(r->drop, hwaddr, i)));
    g_tree_insert(r->claimed, KEY(new_start), KEY(new_last));
}

static void render_region(struct render *r, MemoryRegion *mr, s128 base,
                          s128 clip_start, s128 clip_last, bool readonly,
                          bool nonvolatile, unsigned depth)
{
    s128 start, last;

    if (!mr->enabled || mr->size == 0 || r->failed)
        return;
    if (depth > 64) {
        log_err("memory: region \"%s\" nested too deep (alias loop?)",
                memory_region_name(mr));
        return;
    }
    start = base > clip_start ? base : clip_start;
    last = base + (s128)memory_region_last(mr);
    if (last > clip_last)
        last = clip_last;
    if (start > last)
        return;
    readonly |= mr->readonly;
    nonvolatile |= mr->nonvolatile;

    if (mr->alias) {
        render_region(r, mr->alias, base - (s128)mr->alias_offset, start, last,
                      readonly, nonvolatile, depth + 1);
        return;
    }
    for (unsigned i = mr->n_subregions; i-- > 0;) {
        MemoryRegion *sub = mr->subregions[i];

        render_region(r, sub, base + (s128)sub->addr, start, last, readonly,
                      nonvolatile, depth + 1);
    }
    if (mr->terminates) {
        FlatRange proto = {
            .mr = mr,
            .offset_in_region = (hwaddr)(start - base),
            .dirty_log_mask = memory_region_dirty_log_mask_rendered(mr),
            .romd_mode = mr->romd_mode,
            .readonly = readonly,
            .nonvolatile = nonvolatile,
        };

        render_claim(r, &proto, (hwaddr)start, (hwaddr)last);
    }
}

static int flatrange_cmp(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

static bool flatrange_can_merge(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->last + 1 == b->start &&
           a->offset_in_region + (a->last - a->start) + 1 ==
               b->offset_in_region &&
           a->dirty_log_mask == b->dirty_log_mask &&
           a->romd_mode == b->romd_mode && a->readonly == b->readonly &&
           a->nonvolatile == b->nonvolatile;
}

/* Merge adjacent compatible ranges of the sorted array; Return: new count. */
static size_t flatview_simplify(FlatRange *fr, size_t n)
{
    size_t out = 0;

    for (size_t i = 0; i < n; i++) {
        if (out > 0 && flatrange_can_merge(&fr[out - 1], &fr[i]))
            fr[out - 1].last = fr[i].last;
        else
            fr[out++] = fr[i];
    }
    return out;
}

static FlatView *flatview_alloc(MemorySystem *ms, MemoryRegion *root)
{
    FlatView *fv = calloc(1, sizeof(*fv));

    if (!fv)
        return NULL;
    fv->ref = 1;
    fv->ms = ms;
    fv->root = root;
    memory_region_ref(root);
    fv->generation = memory_system_next_generation(ms);
    return fv;
}

FlatView *flatview_new_empty(MemorySystem *ms, MemoryRegion *root)
{
    return flatview_alloc(ms, root);
}

FlatView *flatview_render(MemorySystem *ms, MemoryRegion *root)
{
    struct render r = { 0 };
    FlatView *fv = NULL;

    r.claimed = g_tree_new(claimed_cmp);
    r.drop = g_array_new(FALSE, FALSE, sizeof(hwaddr));
    render_region(&r, root, 0, 0, (s128)UINT64_MAX, false, false, 0);
    g_tree_destroy(r.claimed);
    g_array_free(r.drop, TRUE);
    if (r.failed)
        goto out;
    if (r.n)
        qsort(r.pieces, r.n, sizeof(r.pieces[0]), flatrange_cmp);
    r.n = flatview_simplify(r.pieces, r.n);
    if (r.n > UINT32_MAX)
        goto out;
    fv = flatview_alloc(ms, root);
    if (!fv)
        goto out;
    if (r.n) {
        fv->starts = malloc(r.n * sizeof(fv->starts[0]));
        if (!fv->starts) {
            flatview_unref(fv);
            fv = NULL;
            goto out;
        }
        /* Shrink; keep the bigger block if realloc fails. */
        fv->ranges = realloc(r.pieces, r.n * sizeof(r.pieces[0]));
        if (!fv->ranges)
            fv->ranges = r.pieces;
        r.pieces = NULL;
        for (size_t i = 0; i < r.n; i++) {
            fv->starts[i] = fv->ranges[i].start;
            memory_region_ref(fv->ranges[i].mr);
        }
        fv->nr = (unsigned)r.n;
    }
out:
    free(r.pieces);
    if (!fv)
        log_err("memory: out of memory rendering \"%s\"",
                memory_region_name(root));
    return fv;
}

void flatview_ref(FlatView *fv)
{
    __atomic_add_fetch(&fv->ref, 1, __ATOMIC_RELAXED);
}

void flatview_unref(FlatView *fv)
{
    if (!fv)
        return;
    if (__atomic_sub_fetch(&fv->ref, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (unsigned i = 0; i < fv->nr; i++)
        memory_region_unref(fv->ranges[i].mr);
    memory_region_unref(fv->root);
    free(fv->ranges);
    free(fv->starts);
    free(fv);
}

bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->last == b->last &&
           a->offset_in_region == b->offset_in_region &&
           a->romd_mode == b->romd_mode && a->readonly == b->readonly &&
           a->nonvolatile == b->nonvolatile;
}

bool flatview_equal(const FlatView *a, const FlatView *b)
{
    if (a->nr != b->nr || a->root != b->root)
        return false;
    for (unsigned i = 0; i < a->nr; i++)
        if (!flatrange_equal(&a->ranges[i], &b->ranges[i]) ||
            a->ranges[i].dirty_log_mask != b->ranges[i].dirty_log_mask)
            return false;
    return true;
}

void flatrange_to_section(FlatView *fv, const FlatRange *fr,
                          MemoryRegionSection *out)
{
    out->mr = fr->mr;
    out->fv = fv;
    out->offset_within_region = fr->offset_in_region;
    out->offset_within_address_space = fr->start;
    out->size = (fr->start == 0 && fr->last == UINT64_MAX)
                    ? UINT64_MAX : fr->last - fr->start + 1;
    out->readonly = fr->readonly;
    out->nonvolatile = fr->nonvolatile;
}

unsigned flatview_nr_ranges(const FlatView *fv)
{
    return fv->nr;
}

bool flatview_range_section(FlatView *fv, unsigned i, MemoryRegionSection *out)
{
    if (i >= fv->nr)
        return false;
    flatrange_to_section(fv, &fv->ranges[i], out);
    return true;
}
