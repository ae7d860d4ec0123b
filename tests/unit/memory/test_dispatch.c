/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dispatch.c - dispatch lookup and address_space_translate(): RAM
 * clamping, MMIO not clamped (overlapping registers at 0xcf8/0xcf9), gaps,
 * the MRU hint and its generation, IOMMU walks keeping *plen within the
 * IOMMU page, permissions, runaway walks, lookups against a linear scan,
 * and readers racing a committing thread.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/core-internal.h"
#include "tests/unit/memory/core_helpers.h"

static const MemTxAttrs unspec = MEMTXATTRS_UNSPECIFIED;

START_TEST(ram_is_clamped_mmio_is_not)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion root, ram, r4, r1, io;
    AddressSpace as, ioas;
    MemoryRegion *mr;
    hwaddr xlat, len;

    memory_region_init(&root, ms, NULL, "root", 0x100000);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x2000), 0);
    memory_region_add_subregion(&root, 0x10000, &ram);
    address_space_init(&as, ms, &root, "mem");

    len = 0x5000;
    mr = address_space_translate(&as, 0x11800, &xlat, &len, true, unspec);
    ck_assert_ptr_eq(mr, &ram);
    ck_assert_uint_eq(xlat, 0x1800);
    ck_assert_uint_eq(len, 0x800);

    /* The PCI config ports: a 4-byte register at 0xcf8 and a 1-byte one at
     * 0xcf9 on top of it. A 4-byte access at either gets all 4 bytes. */
    memory_region_init(&io, ms, NULL, "io", 0x10000);
    core_io_init(&r4, ms, "cf8", 4);
    core_io_init(&r1, ms, "cf9", 1);
    memory_region_add_subregion_overlap(&io, 0xcf8, &r4, 0);
    memory_region_add_subregion_overlap(&io, 0xcf9, &r1, 1);
    address_space_init(&ioas, ms, &io, "I/O");
    ck_assert_fv(&ioas, "cf8-cf8 cf8+0\ncf9-cf9 cf9+0\ncfa-cfb cf8+2\n");
    len = 4;
    mr = address_space_translate(&ioas, 0xcf8, &xlat, &len, false, unspec);
    ck_assert_ptr_eq(mr, &r4);
    ck_assert_uint_eq(xlat, 0);
    ck_assert_uint_eq(len, 4);
    len = 4;
    mr = address_space_translate(&ioas, 0xcf9, &xlat, &len, true, unspec);
    ck_assert_ptr_eq(mr, &r1);
    ck_assert_uint_eq(len, 4);

    address_space_destroy(&ioas);
    address_space_destroy(&as);
    memory_region_del_subregion(&io, &r4);
    memory_region_del_subregion(&io, &r1);
    memory_region_del_subregion(&root, &ram);
    memory_region_finalize(&r4);
    memory_region_finalize(&r1);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
    memory_system_free(ms);
}
END_TEST

START_TEST(mru_hint_tagged_with_generation)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion root, r[4];
    AddressSpace as;
    const FlatRange *fr;
    FlatView *fv;
    uint32_t gen;

    memory_region_init(&root, ms, NULL, "root", 0x100000);
    for (int i = 0; i < 4; i++) {
        char name[8];

        snprintf(name, sizeof(name), "r%d", i);
        core_io_init(&r[i], ms, name, 0x100);
        memory_region_add_subregion(&root, 0x1000 * (hwaddr)i, &r[i]);
    }
    address_space_init(&as, ms, &root, "mem");
    ck_assert_uint_eq(as.mru, 0);
    fv = address_space_get_flatview(&as);
    gen = fv->generation;
    fr = address_space_lookup(&as, fv, 0x2010);
    ck_assert_ptr_eq(fr->mr, &r[2]);
    ck_assert_uint_eq(as.mru, (uint64_t)gen << 32 | 2);
    /* A hit leaves the hint; a gap leaves it too. */
    ck_assert_ptr_eq(address_space_lookup(&as, fv, 0x20ff)->mr, &r[2]);
    ck_assert_ptr_null(address_space_lookup(&as, fv, 0x2100));
    ck_assert_uint_eq(as.mru, (uint64_t)gen << 32 | 2);
    ck_assert_ptr_eq(address_space_lookup(&as, fv, 0x3000)->mr, &r[3]);
    ck_assert_uint_eq(as.mru, (uint64_t)gen << 32 | 3);
    flatview_unref(fv);

    /* A new view has a new generation: the old hint is not used even
     * though its index still exists. */
    memory_region_del_subregion(&root, &r[0]);
    fv = address_space_get_flatview(&as);
    ck_assert_uint_ne(fv->generation, gen);
    ck_assert_ptr_eq(address_space_lookup(&as, fv, 0x3000)->mr, &r[3]);
    ck_assert_uint_eq(as.mru, (uint64_t)fv->generation << 32 | 2);
    flatview_unref(fv);

    address_space_destroy(&as);
    for (int i = 1; i < 4; i++)
        memory_region_del_subregion(&root, &r[i]);
    for (int i = 0; i < 4; i++)
        memory_region_finalize(&r[i]);
    memory_region_finalize(&root);
    memory_system_free(ms);
}
END_TEST

START_TEST(lookup_matches_linear_scan)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion root, r[300];
    AddressSpace as;
    FlatView *fv;
    uint64_t seed = 12345;
    hwaddr addr = 0;

    memory_region_init(&root, ms, NULL, "root", UINT64_MAX);
    memory_region_transaction_begin(ms);
    for (int i = 0; i < 300; i++) {
        uint64_t size = 1 + (seed = seed * 6364136223846793005ull + 1) % 64;

        addr += (seed >> 33) % 3 * 16;    /* sometimes a gap */
        core_io_init(&r[i], ms, "r", size);
        memory_region_add_subregion(&root, addr, &r[i]);
        addr += size;
    }
    memory_region_transaction_commit(ms);
    address_space_init(&as, ms, &root, "mem");
    fv = address_space_get_flatview(&as);
    ck_assert_uint_eq(fv->nr, 300);
    for (hwaddr a = 0; a < addr + 100; a++) {
        const FlatRange *want = NULL, *got;

        for (unsigned i = 0; i < fv->nr; i++)
            if (fv->ranges[i].start <= a && a <= fv->ranges[i].last)
                want = &fv->ranges[i];
        got = address_space_lookup(&as, fv, a);
        ck_assert_ptr_eq(got, want);
    }
    flatview_unref(fv);
    address_space_destroy(&as);
    memory_region_transaction_begin(ms);
    for (int i = 0; i < 300; i++)
        memory_region_del_subregion(&root, &r[i]);
    memory_region_transaction_commit(ms);
    for (int i = 0; i < 300; i++)
        memory_region_finalize(&r[i]);
    memory_region_finalize(&root);
    memory_system_free(ms);
}
END_TEST

/* ---- IOMMU walks ---- */

struct test_iommu {
    IOMMUMemoryRegion iommu;
    AddressSpace *target;
    hwaddr page_mask;       /* e.g. 0xfff */
    IOMMUAccessFlags perm;
    bool identity;          /* translated = input (loops into itself) */
    int calls;
};

/* Maps IOVA page n to target page (0x100 - n) * page, reversing order. */
static IOMMUTLBEntry test_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                    IOMMUAccessFlags flag, int idx)
{
    struct test_iommu *t = (struct test_iommu *)iommu;
    hwaddr page = t->page_mask + 1;
    hwaddr n = addr / page;
    IOMMUTLBEntry e = {
        .target_as = t->target,
        .iova = addr & ~t->page_mask,
        .translated_addr = (0x100 - n) * page,
        .addr_mask = t->page_mask,
        .perm = t->perm,
    };

    if (t->identity)
        e.translated_addr = 0x10000 + (addr & ~t->page_mask);
    t->calls++;
    return e;
}

static const IOMMUMemoryRegionClass test_iommu_ops = {
    .translate = test_translate,
};

START_TEST(iommu_walk_clamps_to_page)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion sysroot, ram, dmaroot;
    AddressSpace mem, dma;
    struct test_iommu t = { .page_mask = 0xfff, .perm = IOMMU_RW };
    MemoryRegion *mr;
    hwaddr xlat, len;

    memory_region_init(&sysroot, ms, NULL, "system", UINT64_MAX);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x200000),
                     0);
    memory_region_add_subregion(&sysroot, 0, &ram);
    address_space_init(&mem, ms, &sysroot, "memory");
    t.target = &mem;
    memory_region_init(&dmaroot, ms, NULL, "dma-root", UINT64_MAX);
    memory_region_init_iommu(&t.iommu, ms, NULL, &test_iommu_ops, "iommu",
                             0x100000);
    memory_region_add_subregion(&dmaroot, 0x10000, &t.iommu.parent_obj);
    address_space_init(&dma, ms, &dmaroot, "dma");
    ck_assert(memory_region_is_iommu(&t.iommu.parent_obj));

    /* IOVA 0x10ff0 is offset 0xff0 of IOMMU page 0 -> target 0x100000. */
    len = 0x100;
    mr = address_space_translate(&dma, 0x10ff0, &xlat, &len, false, unspec);
    ck_assert_ptr_eq(mr, &ram);
    ck_assert_uint_eq(xlat, 0x100ff0);
    ck_assert_uint_eq(len, 0x10);     /* the rest of the IOMMU page */
    /* Page 1 maps below page 0: contiguous in IOVA, not in RAM. */
    len = 0x2000;
    mr = address_space_translate(&dma, 0x11000, &xlat, &len, true, unspec);
    ck_assert_ptr_eq(mr, &ram);
    ck_assert_uint_eq(xlat, 0xff000);
    ck_assert_uint_eq(len, 0x1000);

    /* Write through a read-only mapping: refused (unassigned). */
    t.perm = IOMMU_RO;
    len = 4;
    mr = address_space_translate(&dma, 0x11000, &xlat, &len, true, unspec);
    ck_assert_ptr_eq(mr, &ms->io_mem_unassigned);
    len = 4;
    mr = address_space_translate(&dma, 0x11000, &xlat, &len, false, unspec);
    ck_assert_ptr_eq(mr, &ram);

    /* An IOMMU translating into its own address space: the walk stops. */
    t.perm = IOMMU_RW;
    t.target = &dma;
    t.identity = true;
    t.calls = 0;
    len = 4;
    mr = address_space_translate(&dma, 0x10000, &xlat, &len, false, unspec);
    ck_assert_ptr_eq(mr, &ms->io_mem_unassigned);
    ck_assert_int_gt(t.calls, 1);
    ck_assert_int_le(t.calls, 17);

    address_space_destroy(&dma);
    address_space_destroy(&mem);
    memory_region_del_subregion(&dmaroot, &t.iommu.parent_obj);
    memory_region_del_subregion(&sysroot, &ram);
    memory_region_finalize(&t.iommu.parent_obj);
    memory_region_finalize(&dmaroot);
    memory_region_finalize(&ram);
    memory_region_finalize(&sysroot);
    memory_system_free(ms);
}
END_TEST

/* ---- readers racing commits ---- */

struct racer {
    AddressSpace *as;
    MemoryRegion *a, *b;
    bool stop;
    unsigned long bad, done;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;

    while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
        hwaddr xlat, len = 4;
        MemoryRegion *mr = address_space_translate(r->as, 0x1000, &xlat, &len,
                                                   false, unspec);

        if (mr != r->a && mr != r->b &&
            strcmp(memory_region_name(mr), "unassigned") != 0)
            r->bad++;
        __atomic_add_fetch(&r->done, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

START_TEST(readers_race_commits)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion root, a, b;
    AddressSpace as;
    struct racer r = { .as = &as, .a = &a, .b = &b };
    pthread_t th;

    memory_region_init(&root, ms, NULL, "root", 0x100000);
    core_io_init(&a, ms, "a", 0x2000);
    core_io_init(&b, ms, "b", 0x2000);
    memory_region_add_subregion_overlap(&root, 0, &a, 0);
    address_space_init(&as, ms, &root, "mem");
    ck_assert_int_eq(pthread_create(&th, NULL, racer_main, &r), 0);
    for (int i = 0; i < 2000 || __atomic_load_n(&r.done, __ATOMIC_RELAXED) <
                                    10000; i++) {
        if (i % 2 == 0)
            memory_region_add_subregion_overlap(&root, 0, &b, 1);
        else
            memory_region_del_subregion(&root, &b);
        memory_region_set_enabled(&a, i % 3 != 0);
    }
    __atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
    pthread_join(th, NULL);
    ck_assert_uint_eq(r.bad, 0);
    ck_assert_uint_gt(r.done, 0);
    memory_region_set_enabled(&a, true);
    if (memory_region_is_mapped(&b))
        memory_region_del_subregion(&root, &b);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, &a);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&root);
    memory_system_free(ms);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory-dispatch");
    TCase *tc = tcase_create("dispatch");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ram_is_clamped_mmio_is_not);
    tcase_add_test(tc, mru_hint_tagged_with_generation);
    tcase_add_test(tc, lookup_matches_linear_scan);
    tcase_add_test(tc, iommu_walk_clamps_to_page);
    tcase_add_test(tc, readers_race_commits);
    suite_add_tcase(s, tc);
    return core_run_suite(s);
}
