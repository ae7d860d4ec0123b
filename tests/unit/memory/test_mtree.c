/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mtree.c - exact "info mtree" text: tree mode (priorities, kinds,
 * aliases, nesting, disabled regions, owners, unmapped alias targets),
 * flat-view mode (shared views), dispatch mode.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/core-internal.h"
#include "tests/unit/memory/core_helpers.h"

struct pc {
    MemorySystem *ms;
    Object vga_dev;
    MemoryRegion sys, ram, below4g, vga, rom, pci, bar, iot, port, hidden;
    AddressSpace mem, cpu, io;
};

static void pc_init(struct pc *p)
{
    p->ms = memory_system_new();
    object_init(&p->vga_dev, "vga", NULL);
    memory_region_init(&p->sys, p->ms, NULL, "system", UINT64_MAX);
    ck_assert_int_eq(memory_region_init_ram(&p->ram, p->ms, NULL, "pc.ram",
                                            0x8000000), 0);
    memory_region_init_alias(&p->below4g, p->ms, NULL, "ram-below-4g",
                             &p->ram, 0, 0x8000000);
    memory_region_add_subregion(&p->sys, 0, &p->below4g);
    memory_region_init_io(&p->vga, p->ms, &p->vga_dev, &core_io_ops, NULL,
                          "vga-lowmem", 0x20000);
    memory_region_add_subregion_overlap(&p->sys, 0xa0000, &p->vga, 1);
    ck_assert_int_eq(memory_region_init_rom(&p->rom, p->ms, NULL, "pc.bios",
                                            0x20000), 0);
    memory_region_add_subregion_overlap(&p->sys, 0xe0000, &p->rom, 1);
    memory_region_init(&p->pci, p->ms, NULL, "pci", 0x10000000);
    core_io_init(&p->bar, p->ms, "bar0", 0x1000);
    memory_region_add_subregion(&p->pci, 0x1000, &p->bar);
    core_io_init(&p->hidden, p->ms, "hidden", 0x10);
    memory_region_add_subregion(&p->pci, 0x0, &p->hidden);
    memory_region_set_enabled(&p->hidden, false);
    memory_region_add_subregion_overlap(&p->sys, 0xf0000000, &p->pci, -1);
    address_space_init(&p->mem, p->ms, &p->sys, "memory");
    address_space_init(&p->cpu, p->ms, &p->sys, "cpu-memory-0");
    memory_region_init(&p->iot, p->ms, NULL, "io", 0x10000);
    core_io_init(&p->port, p->ms, "serial", 8);
    memory_region_add_subregion(&p->iot, 0x3f8, &p->port);
    address_space_init(&p->io, p->ms, &p->iot, "I/O");
}

static void pc_fini(struct pc *p)
{
    address_space_destroy(&p->io);
    address_space_destroy(&p->cpu);
    address_space_destroy(&p->mem);
    memory_region_transaction_begin(p->ms);
    memory_region_del_subregion(&p->iot, &p->port);
    memory_region_del_subregion(&p->pci, &p->bar);
    memory_region_del_subregion(&p->pci, &p->hidden);
    memory_region_del_subregion(&p->sys, &p->pci);
    memory_region_del_subregion(&p->sys, &p->rom);
    memory_region_del_subregion(&p->sys, &p->vga);
    memory_region_del_subregion(&p->sys, &p->below4g);
    memory_region_transaction_commit(p->ms);
    memory_region_finalize(&p->port);
    memory_region_finalize(&p->iot);
    memory_region_finalize(&p->bar);
    memory_region_finalize(&p->hidden);
    memory_region_finalize(&p->pci);
    memory_region_finalize(&p->rom);
    memory_region_finalize(&p->vga);
    memory_region_finalize(&p->below4g);
    memory_region_finalize(&p->ram);
    memory_region_finalize(&p->sys);
    memory_system_free(p->ms);
}

static const char tree_text[] =
    "address-space: memory\n"
    "address-space: cpu-memory-0\n"
    "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
    "    0000000000000000-0000000007ffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000007ffffff\n"
    "    00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
    "    00000000000e0000-00000000000fffff (prio 1, rom): pc.bios\n"
    "    00000000f0000000-00000000ffffffff (prio -1, i/o): pci\n"
    "      00000000f0001000-00000000f0001fff (prio 0, i/o): bar0\n"
    "\n"
    "address-space: I/O\n"
    "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
    "    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
    "\n"
    "memory-region: pc.ram\n"
    "  0000000000000000-0000000007ffffff (prio 0, ram): pc.ram\n"
    "\n";

START_TEST(tree_mode)
{
    struct pc p;
    char *s;

    pc_init(&p);
    s = mtree_info_string(p.ms, 0);
    ck_assert_str_eq(s, tree_text);
    free(s);
    pc_fini(&p);
}
END_TEST

START_TEST(tree_mode_disabled_and_owner)
{
    struct pc p;
    char *s;

    pc_init(&p);
    s = mtree_info_string(p.ms, MTREE_DISABLED | MTREE_OWNER);
    ck_assert_ptr_nonnull(strstr(s,
        "    00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem "
        "owner:{vga}\n"));
    ck_assert_ptr_nonnull(strstr(s,
        "    00000000f0000000-00000000ffffffff (prio -1, i/o): pci\n"
        "      00000000f0000000-00000000f000000f (prio 0, i/o): hidden "
        "[disabled]\n"
        "      00000000f0001000-00000000f0001fff (prio 0, i/o): bar0\n"));
    free(s);
    pc_fini(&p);
}
END_TEST

static const char flat_text[] =
    "FlatView #0\n"
    " AS \"memory\", root: system\n"
    " AS \"cpu-memory-0\", root: system\n"
    " Root memory region: system\n"
    "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
    "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
    "  00000000000c0000-00000000000dffff (prio 0, ram): pc.ram @00000000000c0000\n"
    "  00000000000e0000-00000000000fffff (prio 1, rom): pc.bios\n"
    "  0000000000100000-0000000007ffffff (prio 0, ram): pc.ram @0000000000100000\n"
    "  00000000f0001000-00000000f0001fff (prio 0, i/o): bar0\n"
    "\n"
    "FlatView #1\n"
    " AS \"I/O\", root: io\n"
    " Root memory region: io\n"
    "  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
    "\n";

START_TEST(flatview_mode)
{
    struct pc p;
    char *s;

    pc_init(&p);
    s = mtree_info_string(p.ms, MTREE_FLATVIEW);
    ck_assert_str_eq(s, flat_text);
    free(s);
    pc_fini(&p);
}
END_TEST

START_TEST(dispatch_mode)
{
    struct pc p;
    hwaddr xlat, len = 1;
    char *s, expect[512];
    FlatView *fv;

    pc_init(&p);
    address_space_translate(&p.io, 0x3f9, &xlat, &len, false,
                            MEMTXATTRS_UNSPECIFIED);
    fv = address_space_get_flatview(&p.io);
    snprintf(expect, sizeof(expect),
             "FlatView #1\n"
             " AS \"I/O\", root: io\n"
             " Root memory region: io\n"
             "  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
             "  Dispatch: 1 sections, generation %u\n"
             "    #0 00000000000003f8-00000000000003ff -> serial "
             "@0000000000000000\n"
             "  MRU \"I/O\": #0\n"
             "\n", (unsigned)fv->generation);
    flatview_unref(fv);
    s = mtree_info_string(p.ms, MTREE_FLATVIEW | MTREE_DISPATCH);
    ck_assert_ptr_nonnull(strstr(s, expect));
    ck_assert_ptr_nonnull(strstr(s, "  MRU \"memory\": empty\n"
                                    "  MRU \"cpu-memory-0\": empty\n"));
    free(s);
    pc_fini(&p);
}
END_TEST

START_TEST(alias_targets_listed_once)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion root, dev, a1, a2, a3;
    AddressSpace as;
    char *s;

    memory_region_init(&root, ms, NULL, "root", 0x10000);
    core_io_init(&dev, ms, "dev", 0x100);
    memory_region_add_subregion(&root, 0x1000, &dev);
    /* Two windows onto a mapped region and one onto the root itself. */
    memory_region_init_alias(&a1, ms, NULL, "w1", &dev, 0x10, 0x10);
    memory_region_init_alias(&a2, ms, NULL, "w2", &dev, 0x20, 0x10);
    memory_region_init_alias(&a3, ms, NULL, "loop", &root, 0, 0x10);
    memory_region_add_subregion(&root, 0x2000, &a1);
    memory_region_add_subregion(&root, 0x3000, &a2);
    memory_region_add_subregion(&root, 0x4000, &a3);
    address_space_init(&as, ms, &root, "as");
    s = mtree_info_string(ms, 0);
    ck_assert_str_eq(s,
        "address-space: as\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): root\n"
        "    0000000000001000-00000000000010ff (prio 0, i/o): dev\n"
        "    0000000000002000-000000000000200f (prio 0, i/o): alias w1 @dev 0000000000000010-000000000000001f\n"
        "    0000000000003000-000000000000300f (prio 0, i/o): alias w2 @dev 0000000000000020-000000000000002f\n"
        "    0000000000004000-000000000000400f (prio 0, i/o): alias loop @root 0000000000000000-000000000000000f\n"
        "\n"
        "memory-region: dev\n"
        "  0000000000000000-00000000000000ff (prio 0, i/o): dev\n"
        "\n"
        "memory-region: root\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): root\n"
        "    0000000000001000-00000000000010ff (prio 0, i/o): dev\n"
        "    0000000000002000-000000000000200f (prio 0, i/o): alias w1 @dev 0000000000000010-000000000000001f\n"
        "    0000000000003000-000000000000300f (prio 0, i/o): alias w2 @dev 0000000000000020-000000000000002f\n"
        "    0000000000004000-000000000000400f (prio 0, i/o): alias loop @root 0000000000000000-000000000000000f\n"
        "\n");
    free(s);
    /* The alias onto the root renders the root's first bytes: a gap. */
    s = mtree_info_string(ms, MTREE_FLATVIEW);
    ck_assert_str_eq(s,
        "FlatView #0\n"
        " AS \"as\", root: root\n"
        " Root memory region: root\n"
        "  0000000000001000-00000000000010ff (prio 0, i/o): dev\n"
        "  0000000000002000-000000000000200f (prio 0, i/o): dev @0000000000000010\n"
        "  0000000000003000-000000000000300f (prio 0, i/o): dev @0000000000000020\n"
        "\n");
    free(s);
    address_space_destroy(&as);
    memory_region_transaction_begin(ms);
    memory_region_del_subregion(&root, &dev);
    memory_region_del_subregion(&root, &a1);
    memory_region_del_subregion(&root, &a2);
    memory_region_del_subregion(&root, &a3);
    memory_region_transaction_commit(ms);
    memory_region_finalize(&a1);
    memory_region_finalize(&a2);
    memory_region_finalize(&a3);
    memory_region_finalize(&dev);
    memory_region_finalize(&root);
    memory_system_free(ms);
}
END_TEST

struct sink {
    int pieces;
    size_t bytes;
};

static void count_out(void *opaque, const char *text)
{
    struct sink *k = opaque;

    k->pieces++;
    k->bytes += strlen(text);
}

START_TEST(callback_output)
{
    struct pc p;
    struct sink k = { 0 };

    pc_init(&p);
    mtree_info(p.ms, 0, count_out, &k);
    ck_assert_int_gt(k.pieces, 10);
    ck_assert_uint_eq(k.bytes, strlen(tree_text));
    pc_fini(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory-mtree");
    TCase *tc = tcase_create("mtree");

    tcase_add_test(tc, tree_mode);
    tcase_add_test(tc, tree_mode_disabled_and_owner);
    tcase_add_test(tc, flatview_mode);
    tcase_add_test(tc, dispatch_mode);
    tcase_add_test(tc, callback_output);
    tcase_add_test(tc, alias_targets_listed_once);
    suite_add_tcase(s, tc);
    return core_run_suite(s);
}
