/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mtree.c - "info mtree": the region trees of the address spaces, or their
 * rendered FlatViews (and dispatch tables), in the layout of QEMU's monitor
 * command.
 *
 * Tree mode prints, per distinct root, the names of the address spaces
 * using it and then the tree: one line per region, indented two spaces per
 * level, "start-last (prio P, kind): name", children ordered by address
 * then descending priority. Every alias target is printed afterwards, once,
 * as a "memory-region:" tree of its own (as QEMU does), at address 0.
 *
 * Flat-view mode prints each distinct FlatView once with every address
 * space sharing it; dispatch mode adds the section table and the MRU hint
 * of each of those address spaces.
 *
 * Threading: device-model thread (reads the tree); FlatViews are
 * referenced while printed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "memory/core-internal.h"

#define MTREE_INDENT "  "

struct printer {
    void (*out)(void *opaque, const char *text);
    void *opaque;
    unsigned flags;
    GPtrArray *alias_targets;   /* regions to print as memory-region: */
};

static void pr(struct printer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pr(struct printer *p, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    p->out(p->opaque, text);
    g_free(text);
}

static void pr_indent(struct printer *p, unsigned level)
{
    for (unsigned i = 0; i < level; i++)
        p->out(p->opaque, MTREE_INDENT);
}

/* QEMU's kind names: aliases show their target's kind. */
static const char *region_kind(const MemoryRegion *mr)
{
    while (mr->alias)
        mr = mr->alias;
    if (memory_region_is_ram_device(mr))
        return "ramd";
    if (memory_region_is_romd(mr))
        return "romd";
    if (memory_region_is_rom(mr))
        return "rom";
    if (memory_region_is_ram(mr))
        return "ram";
    return "i/o";
}

static void pr_owner(struct printer *p, const MemoryRegion *mr)
{
    if (!(p->flags & MTREE_OWNER) || !mr->owner)
        return;
    pr(p, " owner:{%s}", mr->owner->name ? mr->owner->name : "anonymous");
}

static gint child_order(gconstpointer a, gconstpointer b, gpointer unused)
{
    const MemoryRegion *x = *(MemoryRegion *const *)a;
    const MemoryRegion *y = *(MemoryRegion *const *)b;

    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return 0;
}

static void note_alias_target(struct printer *p, MemoryRegion *target)
{
    for (guint i = 0; i < p->alias_targets->len; i++)
        if (g_ptr_array_index(p->alias_targets, i) == target)
            return;
    g_ptr_array_add(p->alias_targets, target);
}

static void print_region(struct printer *p, MemoryRegion *mr, hwaddr base,
                         unsigned level)
{
    hwaddr start = base + mr->addr;
    hwaddr last = start + memory_region_last(mr);
    MemoryRegion **kids;
    unsigned n = mr->n_subregions;

    if (!mr->enabled && !(p->flags & MTREE_DISABLED))
        return;
    if (level > 64) {
        pr_indent(p, level);
        pr(p, "...\n");
        return;
    }
    pr_indent(p, level);
    pr(p, "%016" PRIx64 "-%016" PRIx64 " (prio %d, %s%s): ", start, last,
       mr->priority, mr->nonvolatile ? "nv-" : "", region_kind(mr));
    if (mr->alias) {
        hwaddr a_last = mr->alias_offset + memory_region_last(mr);

        pr(p, "alias %s @%s %016" PRIx64 "-%016" PRIx64,
           memory_region_name(mr), memory_region_name(mr->alias),
           mr->alias_offset, a_last);
        note_alias_target(p, mr->alias);
    } else {
        pr(p, "%s", memory_region_name(mr));
    }
    pr(p, "%s", mr->enabled ? "" : " [disabled]");
    pr_owner(p, mr);
    pr(p, "\n");

    if (!n)
        return;
    /* Renderer order (highest priority, newest first), then stable sort. */
    kids = g_new(MemoryRegion *, n);
    for (unsigned i = 0; i < n; i++)
        kids[i] = mr->subregions[n - 1 - i];
    g_qsort_with_data(kids, (gint)n, sizeof(kids[0]), child_order, NULL);
    for (unsigned i = 0; i < n; i++)
        print_region(p, kids[i], start, level + 1);
    g_free(kids);
}

static void print_trees(struct printer *p, MemorySystem *ms)
{
    for (AddressSpace *as = ms->address_spaces; as; as = as->next) {
        AddressSpace *o;

        for (o = ms->address_spaces; o != as; o = o->next)
            if (o->root == as->root)
                break;
        if (o != as)
            continue;           /* root printed with an earlier one */
        for (o = as; o; o = o->next)
            if (o->root == as->root)
                pr(p, "address-space: %s\n", address_space_name(o));
        /* The root itself sits at 0 in its address space. */
        print_region(p, as->root, (hwaddr)0 - as->root->addr, 1);
        pr(p, "\n");
    }
    /* The list grows while printed (targets holding aliases). */
    for (guint i = 0; i < p->alias_targets->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(p->alias_targets, i);

        pr(p, "memory-region: %s\n", memory_region_name(mr));
        print_region(p, mr, (hwaddr)0 - mr->addr, 1);
        pr(p, "\n");
    }
}

static void print_range(struct printer *p, const FlatRange *fr)
{
    const MemoryRegion *mr = fr->mr;

    pr(p, MTREE_INDENT "%016" PRIx64 "-%016" PRIx64 " (prio %d, %s%s): %s",
       fr->start, fr->last, mr->priority, fr->nonvolatile ? "nv-" : "",
       fr->readonly ? "rom" : region_kind(mr), memory_region_name(mr));
    if (fr->offset_in_region)
        pr(p, " @%016" PRIx64, fr->offset_in_region);
    pr_owner(p, mr);
    pr(p, "\n");
}

static void print_dispatch(struct printer *p, MemorySystem *ms, FlatView *fv)
{
    pr(p, MTREE_INDENT "Dispatch: %u sections, generation %" PRIu32 "\n",
       fv->nr, fv->generation);
    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];

        pr(p, MTREE_INDENT MTREE_INDENT "#%u %016" PRIx64 "-%016" PRIx64
           " -> %s @%016" PRIx64 "%s\n", i, fr->start, fr->last,
           memory_region_name(fr->mr), fr->offset_in_region,
           fr->readonly ? " ro" : "");
    }
    for (AddressSpace *as = ms->address_spaces; as; as = as->next) {
        uint64_t hint = __atomic_load_n(&as->mru, __ATOMIC_RELAXED);

        if (as->current_map != fv)
            continue;
        if ((uint32_t)(hint >> 32) == fv->generation &&
            (uint32_t)hint < fv->nr)
            pr(p, MTREE_INDENT "MRU \"%s\": #%" PRIu32 "\n",
               address_space_name(as), (uint32_t)hint);
        else
            pr(p, MTREE_INDENT "MRU \"%s\": empty\n", address_space_name(as));
    }
}

static void print_flatviews(struct printer *p, MemorySystem *ms)
{
    unsigned index = 0;

    for (AddressSpace *as = ms->address_spaces; as; as = as->next) {
        AddressSpace *o;
        FlatView *fv;

        for (o = ms->address_spaces; o != as; o = o->next)
            if (o->current_map == as->current_map)
                break;
        if (o != as)
            continue;
        fv = address_space_get_flatview(as);
        pr(p, "FlatView #%u\n", index++);
        for (o = as; o; o = o->next)
            if (o->current_map == fv)
                pr(p, " AS \"%s\", root: %s\n", address_space_name(o),
                   memory_region_name(o->root));
        pr(p, " Root memory region: %s\n", memory_region_name(fv->root));
        if (!fv->nr)
            pr(p, MTREE_INDENT "No rendered FlatView\n");
        for (unsigned i = 0; i < fv->nr; i++)
            print_range(p, &fv->ranges[i]);
        if (p->flags & MTREE_DISPATCH)
            print_dispatch(p, ms, fv);
        pr(p, "\n");
        flatview_unref(fv);
    }
}

void mtree_info(MemorySystem *ms, unsigned flags,
                void (*out)(void *opaque, const char *text), void *opaque)
{
    struct printer p = {
        .out = out, .opaque = opaque, .flags = flags,
        .alias_targets = g_ptr_array_new(),
    };

    if (flags & MTREE_FLATVIEW)
        print_flatviews(&p, ms);
    else
        print_trees(&p, ms);
    g_ptr_array_free(p.alias_targets, TRUE);
}

static void append_gstring(void *opaque, const char *text)
{
    g_string_append(opaque, text);
}

char *mtree_info_string(MemorySystem *ms, unsigned flags)
{
    GString *s = g_string_new(NULL);
    char *ret;

    mtree_info(ms, flags, append_gstring, s);
    ret = strdup(s->str);
    g_string_free(s, TRUE);
    return ret;
}
