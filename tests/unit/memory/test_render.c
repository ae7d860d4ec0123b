/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_render.c - FlatView rendering: exact expected views for overlap,
 * priority, alias, clip, disable, readonly inheritance, gaps,
 * simplification and sharing, plus a randomised comparison with a naive
 * per-address resolver.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/core-internal.h"
#include "util/log.h"
#include "tests/unit/memory/core_helpers.h"

struct world {
    MemorySystem *ms;
    MemoryRegion root;
    AddressSpace as;
};

static void world_init(struct world *w, uint64_t size)
{
    w->ms = memory_system_new();
    ck_assert_ptr_nonnull(w->ms);
    memory_region_init(&w->root, w->ms, NULL, "root", size);
    address_space_init(&w->as, w->ms, &w->root, "mem");
}

static void world_fini(struct world *w)
{
    address_space_destroy(&w->as);
    memory_region_finalize(&w->root);
    memory_system_free(w->ms);
}

START_TEST(empty_container_has_no_ranges)
{
    struct world w;

    world_init(&w, 0x10000);
    ck_assert_fv(&w.as, "");
    world_fini(&w);
}
END_TEST

START_TEST(overlap_priority)
{
    struct world w;
    MemoryRegion a, b;

    world_init(&w, 0x10000);
    core_io_init(&a, w.ms, "a", 0x1000);
    core_io_init(&b, w.ms, "b", 0x1000);
    memory_region_add_subregion_overlap(&w.root, 0, &a, 0);
    memory_region_add_subregion_overlap(&w.root, 0x800, &b, 1);
    ck_assert_fv(&w.as, "0-7ff a+0\n800-17ff b+0\n");
    memory_region_del_subregion(&w.root, &b);
    /* Lower priority than a: only what a leaves. */
    memory_region_add_subregion_overlap(&w.root, 0x800, &b, -1);
    ck_assert_fv(&w.as, "0-fff a+0\n1000-17ff b+800\n");
    memory_region_del_subregion(&w.root, &a);
    memory_region_del_subregion(&w.root, &b);
    ck_assert_fv(&w.as, "");
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    world_fini(&w);
}
END_TEST

START_TEST(later_added_wins_among_equals)
{
    struct world w;
    MemoryRegion a, b;

    world_init(&w, 0x10000);
    core_io_init(&a, w.ms, "a", 0x1000);
    core_io_init(&b, w.ms, "b", 0x1000);
    memory_region_add_subregion_overlap(&w.root, 0x800, &b, 2);
    memory_region_add_subregion_overlap(&w.root, 0, &a, 2);
    ck_assert_fv(&w.as, "0-fff a+0\n1000-17ff b+800\n");
    /* Moving b re-adds it: now it is the latest. */
    memory_region_set_address(&b, 0x400);
    ck_assert_fv(&w.as, "0-3ff a+0\n400-13ff b+0\n");
    memory_region_del_subregion(&w.root, &a);
    memory_region_del_subregion(&w.root, &b);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    world_fini(&w);
}
END_TEST

START_TEST(alias_offsets_and_target_clip)
{
    struct world w;
    MemoryRegion ram, lo, hi;

    world_init(&w, 0x100000);
    ck_assert_int_eq(memory_region_init_ram(&ram, w.ms, NULL, "ram", 0x10000),
                     0);
    memory_region_init_alias(&lo, w.ms, NULL, "lo", &ram, 0x2000, 0x1000);
    /* Window past the end of its target: only 0x1000 bytes exist. */
    memory_region_init_alias(&hi, w.ms, NULL, "hi", &ram, 0xf000, 0x2000);
    memory_region_add_subregion(&w.root, 0x5000, &lo);
    memory_region_add_subregion(&w.root, 0x20000, &hi);
    ck_assert_fv(&w.as, "5000-5fff ram+2000\n20000-20fff ram+f000\n");
    memory_region_set_alias_offset(&lo, 0x3000);
    ck_assert_fv(&w.as, "5000-5fff ram+3000\n20000-20fff ram+f000\n");
    ck_assert(memory_region_is_ram(&ram));
    ck_assert(!memory_region_is_mapped(&ram));
    memory_region_del_subregion(&w.root, &lo);
    memory_region_del_subregion(&w.root, &hi);
    memory_region_finalize(&lo);
    memory_region_finalize(&hi);
    memory_region_finalize(&ram);
    world_fini(&w);
}
END_TEST

START_TEST(alias_of_container_and_negative_origin)
{
    struct world w;
    MemoryRegion pci, bar, win;

    world_init(&w, 0x100000);
    memory_region_init(&pci, w.ms, NULL, "pci", UINT64_MAX);
    core_io_init(&bar, w.ms, "bar", 0x1000);
    memory_region_add_subregion(&pci, 0x80000, &bar);
    /* Window onto pci at offset 0x7f000, placed at 0x1000: the target's
     * origin is "at" 0x1000 - 0x7f000 < 0. */
    memory_region_init_alias(&win, w.ms, NULL, "win", &pci, 0x7f000, 0x3000);
    memory_region_add_subregion(&w.root, 0x1000, &win);
    ck_assert_fv(&w.as, "2000-2fff bar+0\n");
    memory_region_del_subregion(&w.root, &win);
    memory_region_del_subregion(&pci, &bar);
    memory_region_finalize(&win);
    memory_region_finalize(&bar);
    memory_region_finalize(&pci);
    world_fini(&w);
}
END_TEST

START_TEST(container_clips_children)
{
    struct world w;
    MemoryRegion c, big;

    world_init(&w, 0x100000);
    memory_region_init(&c, w.ms, NULL, "c", 0x1000);
    core_io_init(&big, w.ms, "big", 0x2000);
    memory_region_add_subregion(&c, 0x800, &big);
    memory_region_add_subregion(&w.root, 0x4000, &c);
    ck_assert_fv(&w.as, "4800-4fff big+0\n");
    /* Growing the container uncovers more of the child. */
    memory_region_set_size(&c, 0x1800);
    ck_assert_fv(&w.as, "4800-57ff big+0\n");
    /* The root clips too. */
    memory_region_set_address(&c, 0xff000);
    ck_assert_fv(&w.as, "ff800-fffff big+0\n");
    memory_region_del_subregion(&w.root, &c);
    memory_region_del_subregion(&c, &big);
    memory_region_finalize(&big);
    memory_region_finalize(&c);
    world_fini(&w);
}
END_TEST

START_TEST(disabled_regions_skipped)
{
    struct world w;
    MemoryRegion a, b;

    world_init(&w, 0x10000);
    core_io_init(&a, w.ms, "a", 0x2000);
    core_io_init(&b, w.ms, "b", 0x1000);
    memory_region_add_subregion_overlap(&w.root, 0, &a, 0);
    memory_region_add_subregion_overlap(&w.root, 0x1000, &b, 1);
    ck_assert_fv(&w.as, "0-fff a+0\n1000-1fff b+0\n");
    memory_region_set_enabled(&b, false);
    ck_assert(!memory_region_is_enabled(&b));
    /* a shows through again, merged back into one range. */
    ck_assert_fv(&w.as, "0-1fff a+0\n");
    memory_region_set_enabled(&a, false);
    ck_assert_fv(&w.as, "");
    memory_region_set_enabled(&b, true);
    ck_assert_fv(&w.as, "1000-1fff b+0\n");
    memory_region_del_subregion(&w.root, &a);
    memory_region_del_subregion(&w.root, &b);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    world_fini(&w);
}
END_TEST

START_TEST(readonly_inherited)
{
    struct world w;
    MemoryRegion c, io, ram, al, rom;

    world_init(&w, 0x100000);
    memory_region_init(&c, w.ms, NULL, "c", 0x10000);
    core_io_init(&io, w.ms, "io", 0x1000);
    memory_region_add_subregion(&c, 0, &io);
    memory_region_add_subregion(&w.root, 0, &c);
    ck_assert_int_eq(memory_region_init_ram(&ram, w.ms, NULL, "ram", 0x4000),
                     0);
    memory_region_init_alias(&al, w.ms, NULL, "al", &ram, 0, 0x4000);
    memory_region_add_subregion(&w.root, 0x10000, &al);
    ck_assert_int_eq(memory_region_init_rom(&rom, w.ms, NULL, "rom", 0x1000),
                     0);
    memory_region_add_subregion(&w.root, 0x20000, &rom);
    ck_assert(memory_region_is_rom(&rom));
    ck_assert_fv(&w.as, "0-fff io+0\n10000-13fff ram+0\n20000-20fff rom+0 ro\n");
    memory_region_set_readonly(&c, true);
    memory_region_set_readonly(&al, true);
    ck_assert(memory_region_is_readonly(&c));
    ck_assert(!memory_region_is_readonly(&ram));
    ck_assert_fv(&w.as,
                 "0-fff io+0 ro\n10000-13fff ram+0 ro\n20000-20fff rom+0 ro\n");
    memory_region_set_nonvolatile(&al, true);
    ck_assert_fv(&w.as, "0-fff io+0 ro\n10000-13fff ram+0 ro nv\n"
                        "20000-20fff rom+0 ro\n");
    memory_region_del_subregion(&w.root, &c);
    memory_region_del_subregion(&c, &io);
    memory_region_del_subregion(&w.root, &al);
    memory_region_del_subregion(&w.root, &rom);
    memory_region_finalize(&io);
    memory_region_finalize(&c);
    memory_region_finalize(&al);
    memory_region_finalize(&ram);
    memory_region_finalize(&rom);
    world_fini(&w);
}
END_TEST

START_TEST(gaps_in_containers_and_io_fill)
{
    struct world w;
    MemoryRegion a, b, parent, child;
    MemoryRegion *mr;
    hwaddr xlat, len;

    world_init(&w, 0x100000);
    core_io_init(&a, w.ms, "a", 0x1000);
    core_io_init(&b, w.ms, "b", 0x1000);
    memory_region_add_subregion(&w.root, 0x1000, &a);
    memory_region_add_subregion(&w.root, 0x4000, &b);
    /* An I/O region with a child: it serves what the child leaves. */
    core_io_init(&parent, w.ms, "parent", 0x3000);
    core_io_init(&child, w.ms, "child", 0x1000);
    memory_region_add_subregion(&parent, 0x1000, &child);
    memory_region_add_subregion(&w.root, 0x10000, &parent);
    ck_assert_fv(&w.as, "1000-1fff a+0\n4000-4fff b+0\n10000-10fff parent+0\n"
                        "11000-11fff child+0\n12000-12fff parent+2000\n");
    /* The gap between a and b is unassigned, its length up to b. */
    len = 0x10000;
    mr = address_space_translate(&w.as, 0x2800, &xlat, &len, false,
                                 MEMTXATTRS_UNSPECIFIED);
    ck_assert_str_eq(memory_region_name(mr), "unassigned");
    ck_assert_uint_eq(len, 0x1800);
    ck_assert_uint_eq(xlat, 0x2800);
    /* Past the last range: unassigned to the end. */
    len = 0x10;
    mr = address_space_translate(&w.as, 0x50000, &xlat, &len, false,
                                 MEMTXATTRS_UNSPECIFIED);
    ck_assert_str_eq(memory_region_name(mr), "unassigned");
    ck_assert_uint_eq(len, 0x10);
    ck_assert(memory_region_present(&w.root, 0x1800));
    ck_assert(!memory_region_present(&w.root, 0x2800));
    ck_assert(memory_region_present(&w.root, 0x12800));
    memory_region_del_subregion(&w.root, &a);
    memory_region_del_subregion(&w.root, &b);
    memory_region_del_subregion(&w.root, &parent);
    memory_region_del_subregion(&parent, &child);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&child);
    memory_region_finalize(&parent);
    world_fini(&w);
}
END_TEST

START_TEST(simplification_merges_adjacent)
{
    struct world w;
    MemoryRegion ram, a1, a2, a3, hole;

    world_init(&w, 0x100000);
    ck_assert_int_eq(memory_region_init_ram(&ram, w.ms, NULL, "ram", 0x10000),
                     0);
    /* Two aliases back to back over contiguous offsets: one range. */
    memory_region_init_alias(&a1, w.ms, NULL, "a1", &ram, 0, 0x1000);
    memory_region_init_alias(&a2, w.ms, NULL, "a2", &ram, 0x1000, 0x1000);
    /* Contiguous in address but not in offset: stays separate. */
    memory_region_init_alias(&a3, w.ms, NULL, "a3", &ram, 0x8000, 0x1000);
    memory_region_add_subregion(&w.root, 0, &a1);
    memory_region_add_subregion(&w.root, 0x1000, &a2);
    memory_region_add_subregion(&w.root, 0x2000, &a3);
    ck_assert_fv(&w.as, "0-1fff ram+0\n2000-2fff ram+8000\n");
    /* A hole punched in the middle splits it; removing it merges again. */
    core_io_init(&hole, w.ms, "hole", 0x100);
    memory_region_add_subregion_overlap(&w.root, 0x800, &hole, 1);
    ck_assert_fv(&w.as, "0-7ff ram+0\n800-8ff hole+0\n900-1fff ram+900\n"
                        "2000-2fff ram+8000\n");
    memory_region_del_subregion(&w.root, &hole);
    ck_assert_fv(&w.as, "0-1fff ram+0\n2000-2fff ram+8000\n");
    /* Different dirty logging also stops a merge... of different regions
     * only; one region's pieces always share it. */
    memory_region_del_subregion(&w.root, &a1);
    memory_region_del_subregion(&w.root, &a2);
    memory_region_del_subregion(&w.root, &a3);
    memory_region_finalize(&a1);
    memory_region_finalize(&a2);
    memory_region_finalize(&a3);
    memory_region_finalize(&hole);
    memory_region_finalize(&ram);
    world_fini(&w);
}
END_TEST

START_TEST(flatviews_shared_and_refcounted)
{
    struct world w;
    AddressSpace as2, as3;
    MemoryRegion other, a;
    FlatView *f1, *f2, *f3, *old;

    world_init(&w, 0x10000);
    address_space_init(&as2, w.ms, &w.root, "mem2");
    memory_region_init(&other, w.ms, NULL, "other", 0x10000);
    address_space_init(&as3, w.ms, &other, "other-as");
    ck_assert_str_eq(address_space_name(&as2), "mem2");
    f1 = address_space_get_flatview(&w.as);
    f2 = address_space_get_flatview(&as2);
    f3 = address_space_get_flatview(&as3);
    ck_assert_ptr_eq(f1, f2);
    ck_assert_ptr_ne(f1, f3);
    flatview_unref(f2);
    flatview_unref(f3);
    old = f1;

    core_io_init(&a, w.ms, "a", 0x100);
    memory_region_add_subregion(&w.root, 0x100, &a);
    f1 = address_space_get_flatview(&w.as);
    f2 = address_space_get_flatview(&as2);
    ck_assert_ptr_eq(f1, f2);
    ck_assert_ptr_ne(f1, old);
    /* The old view is still readable by whoever holds it. */
    ck_assert_uint_eq(flatview_nr_ranges(old), 0);
    ck_assert_uint_eq(flatview_nr_ranges(f1), 1);
    /* References: the two address spaces + our two. */
    ck_assert_uint_eq(f1->ref, 4);
    flatview_unref(old);
    flatview_unref(f1);
    flatview_unref(f2);
    ck_assert_fv(&as2, "100-1ff a+0\n");

    /* An update that changes nothing keeps the same view. */
    f1 = address_space_get_flatview(&w.as);
    memory_region_transaction_begin(w.ms);
    memory_region_set_enabled(&a, false);
    memory_region_set_enabled(&a, true);
    memory_region_transaction_commit(w.ms);
    f2 = address_space_get_flatview(&w.as);
    ck_assert_ptr_eq(f1, f2);
    flatview_unref(f1);
    flatview_unref(f2);

    address_space_destroy(&as2);
    address_space_destroy(&as3);
    memory_region_del_subregion(&w.root, &a);
    memory_region_finalize(&a);
    memory_region_finalize(&other);
    world_fini(&w);
}
END_TEST

static void owner_release(Object *obj)
{
    obj->name = "released";
}

START_TEST(find_references_owner)
{
    struct world w;
    Object dev;
    MemoryRegion c, regs;
    MemoryRegionSection s;

    world_init(&w, 0x100000);
    object_init(&dev, "dev", owner_release);
    memory_region_init(&c, w.ms, NULL, "c", 0x10000);
    memory_region_add_subregion(&w.root, 0x10000, &c);
    memory_region_init_io(&regs, w.ms, &dev, &core_io_ops, NULL, "regs",
                          0x100);
    ck_assert_ptr_eq(memory_region_owner(&regs), &dev);
    memory_region_add_subregion(&c, 0x200, &regs);
    /* Mapped: the container and the FlatView hold references. */
    ck_assert_uint_eq(dev.ref, 3);
    s = memory_region_find(&c, 0x280, 0x1000);
    ck_assert_ptr_eq(s.mr, &regs);
    ck_assert_uint_eq(s.offset_within_region, 0x80);
    ck_assert_uint_eq(s.offset_within_address_space, 0x10280);
    ck_assert_uint_eq(s.size, 0x80);
    ck_assert_uint_eq(dev.ref, 4);
    memory_region_unref(s.mr);
    s = memory_region_find(&c, 0x400, 4);
    ck_assert_ptr_null(s.mr);
    ck_assert_uint_eq(s.size, 0);
    memory_region_del_subregion(&c, &regs);
    ck_assert_uint_eq(dev.ref, 1);
    object_unref(&dev);
    ck_assert_str_eq(dev.name, "released");
    memory_region_finalize(&regs);
    memory_region_del_subregion(&w.root, &c);
    memory_region_finalize(&c);
    world_fini(&w);
}
END_TEST

START_TEST(whole_space_region)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion io;
    AddressSpace as;
    MemoryRegionSection s;
    FlatView *fv;

    core_io_init(&io, ms, "all", UINT64_MAX);
    address_space_init(&as, ms, &io, "io");
    ck_assert_fv(&as, "0-ffffffffffffffff all+0\n");
    fv = address_space_get_flatview(&as);
    ck_assert(flatview_range_section(fv, 0, &s));
    ck_assert_uint_eq(s.size, UINT64_MAX);
    ck_assert(!flatview_range_section(fv, 1, &s));
    flatview_unref(fv);
    address_space_destroy(&as);
    memory_region_finalize(&io);
    memory_system_free(ms);
}
END_TEST

static const MemoryRegionOps romd_ops = {
    .read = NULL,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

START_TEST(rom_device_romd_mode_rendered)
{
    struct world w;
    MemoryRegion flash;

    world_init(&w, 0x100000);
    ck_assert_int_eq(memory_region_init_rom_device(&flash, w.ms, NULL,
                                                   &romd_ops, NULL, "flash",
                                                   0x1000), 0);
    memory_region_add_subregion(&w.root, 0xff000, &flash);
    ck_assert(memory_region_is_romd(&flash));
    ck_assert_fv(&w.as, "ff000-fffff flash+0 romd\n");
    memory_region_rom_device_set_romd(&flash, false);
    ck_assert(!memory_region_is_romd(&flash));
    ck_assert_fv(&w.as, "ff000-fffff flash+0\n");
    memory_region_del_subregion(&w.root, &flash);
    memory_region_finalize(&flash);
    world_fini(&w);
}
END_TEST

static void resized_cb(const char *id, uint64_t length, void *host)
{
}

START_TEST(every_region_kind_renders)
{
    struct world w;
    static uint8_t backing[0x2000], devmem[0x1000];
    MemoryRegion ptr, rs, dev, resv, io;
    char *s;

    world_init(&w, 0x100000);
    ck_assert_int_eq(memory_region_init_ram_ptr(&ptr, w.ms, NULL, "ptr",
                                                sizeof(backing), backing), 0);
    ck_assert_int_eq(memory_region_init_resizeable_ram(&rs, w.ms, NULL, "rs",
                                                       0x1000, 0x4000,
                                                       resized_cb), 0);
    memory_region_init_ram_device_ptr(&dev, w.ms, NULL, "dev", sizeof(devmem),
                                      devmem);
    memory_region_init_reservation(&resv, w.ms, NULL, "resv", 0x1000);
    memory_region_init_io(&io, w.ms, NULL, NULL, NULL, "noops", 0x10);
    memory_region_add_subregion(&w.root, 0x0, &ptr);
    memory_region_add_subregion(&w.root, 0x10000, &rs);
    memory_region_add_subregion(&w.root, 0x20000, &dev);
    memory_region_add_subregion(&w.root, 0x30000, &resv);
    memory_region_add_subregion(&w.root, 0x40000, &io);
    memory_region_set_nonvolatile(&ptr, true);
    ck_assert(memory_region_is_ram(&ptr) && memory_region_is_ram(&rs));
    ck_assert(memory_region_is_ram_device(&dev) && memory_region_is_ram(&dev));
    ck_assert(!memory_region_is_ram(&resv) && !memory_region_is_ram(&io));
    ck_assert_uint_eq(memory_region_size(&rs), 0x1000);
    ck_assert_fv(&w.as, "0-1fff ptr+0 nv\n10000-10fff rs+0\n20000-20fff dev+0\n"
                        "30000-30fff resv+0\n40000-4000f noops+0\n");
    s = mtree_info_string(w.ms, 0);
    ck_assert_str_eq(s,
        "address-space: mem\n"
        "  0000000000000000-00000000000fffff (prio 0, i/o): root\n"
        "    0000000000000000-0000000000001fff (prio 0, nv-ram): ptr\n"
        "    0000000000010000-0000000000010fff (prio 0, ram): rs\n"
        "    0000000000020000-0000000000020fff (prio 0, ramd): dev\n"
        "    0000000000030000-0000000000030fff (prio 0, i/o): resv\n"
        "    0000000000040000-000000000004000f (prio 0, i/o): noops\n"
        "\n");
    free(s);
    memory_region_transaction_begin(w.ms);
    memory_region_del_subregion(&w.root, &ptr);
    memory_region_del_subregion(&w.root, &rs);
    memory_region_del_subregion(&w.root, &dev);
    memory_region_del_subregion(&w.root, &resv);
    memory_region_del_subregion(&w.root, &io);
    memory_region_transaction_commit(w.ms);
    memory_region_finalize(&ptr);
    memory_region_finalize(&rs);
    memory_region_finalize(&dev);
    memory_region_finalize(&resv);
    memory_region_finalize(&io);
    world_fini(&w);
}
END_TEST

START_TEST(duplicate_ram_name_refused)
{
    struct world w;
    MemoryRegion a, b;

    world_init(&w, 0x100000);
    ck_assert_int_eq(memory_region_init_ram(&a, w.ms, NULL, "same", 0x1000), 0);
    ck_assert_int_eq(memory_region_init_ram(&b, w.ms, NULL, "same", 0x1000),
                     -EEXIST);
    ck_assert_ptr_null(b.ram_block);
    memory_region_finalize(&a);
    world_fini(&w);
}
END_TEST

START_TEST(two_systems_are_independent)
{
    struct world w1, w2;
    MemoryRegion a1, a2;

    world_init(&w1, 0x10000);
    world_init(&w2, 0x10000);
    core_io_init(&a1, w1.ms, "a", 0x100);
    core_io_init(&a2, w2.ms, "a", 0x100);
    /* Same RAM block names are fine in different systems. */
    memory_region_add_subregion(&w1.root, 0x100, &a1);
    memory_region_transaction_begin(w2.ms);
    memory_region_add_subregion(&w2.root, 0x800, &a2);
    /* w2's open transaction does not hold back w1. */
    ck_assert_fv(&w1.as, "100-1ff a+0\n");
    ck_assert_fv(&w2.as, "");
    memory_region_transaction_commit(w2.ms);
    ck_assert_fv(&w2.as, "800-8ff a+0\n");
    memory_region_del_subregion(&w1.root, &a1);
    memory_region_del_subregion(&w2.root, &a2);
    memory_region_finalize(&a1);
    memory_region_finalize(&a2);
    world_fini(&w1);
    world_fini(&w2);
}
END_TEST

struct capture {
    int warnings;
    char last[256];
};

static void capture_sink(void *opaque, enum log_level level, const char *msg)
{
    struct capture *c = opaque;

    if (level == LOG_LEVEL_WARN)
        c->warnings++;
    snprintf(c->last, sizeof(c->last), "%s", msg);
}

START_TEST(overlap_without_priority_is_logged_but_rendered)
{
    struct world w;
    MemoryRegion a, b;
    struct capture c = { 0 };

    world_init(&w, 0x10000);
    core_io_init(&a, w.ms, "a", 0x1000);
    core_io_init(&b, w.ms, "b", 0x1000);
    log_set_sink(capture_sink, &c);
    memory_region_add_subregion(&w.root, 0, &a);
    ck_assert_int_eq(c.warnings, 0);
    memory_region_add_subregion(&w.root, 0x800, &b);
    log_set_sink(NULL, NULL);
    ck_assert_int_eq(c.warnings, 1);
    ck_assert_ptr_nonnull(strstr(c.last, "\"b\""));
    /* Still rendered: the later one wins. */
    ck_assert_fv(&w.as, "0-7ff a+0\n800-17ff b+0\n");
    memory_region_del_subregion(&w.root, &a);
    memory_region_del_subregion(&w.root, &b);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    world_fini(&w);
}
END_TEST

START_TEST(present_through_alias_and_nesting)
{
    struct world w;
    MemoryRegion pci, bar, win, inner;

    world_init(&w, 0x100000);
    memory_region_init(&pci, w.ms, NULL, "pci", 0x100000);
    core_io_init(&bar, w.ms, "bar", 0x100);
    memory_region_add_subregion(&pci, 0x8000, &bar);
    memory_region_init_alias(&win, w.ms, NULL, "win", &pci, 0x8000, 0x1000);
    memory_region_add_subregion(&w.root, 0x1000, &win);
    memory_region_init(&inner, w.ms, NULL, "inner", 0x1000);
    memory_region_add_subregion(&w.root, 0x4000, &inner);
    ck_assert(memory_region_present(&w.root, 0x1000));
    ck_assert(memory_region_present(&w.root, 0x10ff));
    /* Inside the window, but nothing behind it. */
    ck_assert(!memory_region_present(&w.root, 0x1100));
    /* An empty nested container covers nothing. */
    ck_assert(!memory_region_present(&w.root, 0x4000));
    memory_region_set_enabled(&win, false);
    ck_assert(!memory_region_present(&w.root, 0x1000));
    memory_region_del_subregion(&w.root, &win);
    memory_region_del_subregion(&w.root, &inner);
    memory_region_del_subregion(&pci, &bar);
    memory_region_finalize(&win);
    memory_region_finalize(&inner);
    memory_region_finalize(&bar);
    memory_region_finalize(&pci);
    world_fini(&w);
}
END_TEST

/* ---- randomised: renderer vs a naive per-address resolver ---- */

#define NREG 40

struct rnd {
    uint64_t s;
};

static uint64_t rnd_next(struct rnd *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* Who serves offset @off of @mr: the terminating region and its offset. */
static MemoryRegion *naive_resolve(MemoryRegion *mr, hwaddr off,
                                   hwaddr *out_off)
{
    if (!mr->enabled || off > memory_region_last(mr))
        return NULL;
    if (mr->alias)
        return naive_resolve(mr->alias, off + mr->alias_offset, out_off);
    for (unsigned i = mr->n_subregions; i-- > 0;) {
        MemoryRegion *sub = mr->subregions[i];
        MemoryRegion *hit;

        if (off < sub->addr)
            continue;
        hit = naive_resolve(sub, off - sub->addr, out_off);
        if (hit)
            return hit;
    }
    if (!mr->terminates)
        return NULL;
    *out_off = off;
    return mr;
}

START_TEST(random_trees_match_naive_resolver)
{
    struct rnd r = { 0x9e3779b97f4a7c15ull + (uint64_t)_i };
    struct world w;
    MemoryRegion regs[NREG];
    MemoryRegion ram;
    int kind[NREG];

    world_init(&w, 0x10000);
    ck_assert_int_eq(memory_region_init_ram(&ram, w.ms, NULL, "ram", 0x4000),
                     0);
    memory_region_transaction_begin(w.ms);
    for (int i = 0; i < NREG; i++) {
        char name[16];
        uint64_t size = 1 + rnd_next(&r) % 0x1800;
        MemoryRegion *parent = &w.root;

        snprintf(name, sizeof(name), "r%d", i);
        kind[i] = (int)(rnd_next(&r) % 4);
        if (kind[i] == 0)
            memory_region_init(&regs[i], w.ms, NULL, name, size);
        else if (kind[i] == 1)
            memory_region_init_alias(&regs[i], w.ms, NULL, name, &ram,
                                     rnd_next(&r) % 0x4000, size);
        else
            core_io_init(&regs[i], w.ms, name, size);
        /* Nest under an earlier container sometimes. */
        for (int j = i - 1; j >= 0; j--)
            if (kind[j] == 0 && rnd_next(&r) % 3 == 0) {
                parent = &regs[j];
                break;
            }
        memory_region_add_subregion_overlap(parent, rnd_next(&r) % 0x10000,
                                            &regs[i],
                                            (int)(rnd_next(&r) % 3) - 1);
        if (rnd_next(&r) % 8 == 0)
            memory_region_set_enabled(&regs[i], false);
    }
    memory_region_transaction_commit(w.ms);

    for (hwaddr a = 0; a < 0x10000; a += 1 + rnd_next(&r) % 7) {
        hwaddr off = 0, xlat, len = 1;
        MemoryRegion *want = naive_resolve(&w.root, a, &off);
        MemoryRegion *got = address_space_translate(&w.as, a, &xlat, &len,
                                                    false,
                                                    MEMTXATTRS_UNSPECIFIED);

        if (!want) {
            ck_assert_str_eq(memory_region_name(got), "unassigned");
        } else {
            ck_assert_msg(got == want, "at %#lx: %s, expected %s",
                          (unsigned long)a, memory_region_name(got),
                          memory_region_name(want));
            ck_assert_uint_eq(xlat, off);
        }
    }

    memory_region_transaction_begin(w.ms);
    for (int i = NREG; i-- > 0;)
        memory_region_del_subregion(regs[i].container, &regs[i]);
    memory_region_transaction_commit(w.ms);
    for (int i = 0; i < NREG; i++)
        memory_region_finalize(&regs[i]);
    memory_region_finalize(&ram);
    world_fini(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory-render");
    TCase *tc = tcase_create("render");

    tcase_add_test(tc, empty_container_has_no_ranges);
    tcase_add_test(tc, overlap_priority);
    tcase_add_test(tc, later_added_wins_among_equals);
    tcase_add_test(tc, alias_offsets_and_target_clip);
    tcase_add_test(tc, alias_of_container_and_negative_origin);
    tcase_add_test(tc, container_clips_children);
    tcase_add_test(tc, disabled_regions_skipped);
    tcase_add_test(tc, readonly_inherited);
    tcase_add_test(tc, gaps_in_containers_and_io_fill);
    tcase_add_test(tc, simplification_merges_adjacent);
    tcase_add_test(tc, flatviews_shared_and_refcounted);
    tcase_add_test(tc, find_references_owner);
    tcase_add_test(tc, whole_space_region);
    tcase_add_test(tc, rom_device_romd_mode_rendered);
    tcase_add_test(tc, every_region_kind_renders);
    tcase_add_test(tc, duplicate_ram_name_refused);
    tcase_add_test(tc, two_systems_are_independent);
    tcase_add_test(tc, overlap_without_priority_is_logged_but_rendered);
    tcase_add_test(tc, present_through_alias_and_nesting);
    tcase_add_loop_test(tc, random_trees_match_naive_resolver, 0, 30);
    suite_add_tcase(s, tc);
    return core_run_suite(s);
}
