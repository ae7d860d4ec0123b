/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iommu.c - IOMMU notifiers (registration, flag changes, filtering by
 * type, range and context), notify_one, replay (default walk and
 * override), the class hooks' defaults, and translation through an
 * address space with permissions.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "memory/memory.h"
#include "tests/unit/memory/access_helpers.h"
#include "util/log.h"

#define U MEMTXATTRS_UNSPECIFIED

static MemorySystem *ms;

static void setup(void)
{
    ms = memory_system_new();
    ck_assert_ptr_nonnull(ms);
    log_set_level(LOG_LEVEL_ERR);
}

static void teardown(void)
{
    memory_system_free(ms);
    ms = NULL;
    log_set_level(LOG_LEVEL_INFO);
}

/* A test IOMMU: pages [0, 16) of 4 KiB, page i maps to 0x100000 + i * 4K
 * when mapped[i]; 2 contexts; flag changes recorded; may refuse. */
struct tiommu {
    IOMMUMemoryRegion iommu;
    AddressSpace *target;
    bool mapped[16];
    IOMMUAccessFlags perm;
    int translations;
    int flag_changes;
    IOMMUNotifierFlag last_old, last_new;
    bool refuse;
};

static IOMMUTLBEntry t_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                 IOMMUAccessFlags flag, int idx)
{
    struct tiommu *t = (struct tiommu *)iommu;
    unsigned page = (unsigned)(addr >> 12);
    IOMMUTLBEntry e = {
        .target_as = t->target,
        .iova = addr & ~0xfffull,
        .translated_addr = 0x100000 + ((hwaddr)page << 12),
        .addr_mask = 0xfff,
        .perm = IOMMU_NONE,
    };

    t->translations++;
    if (page < 16 && t->mapped[page])
        e.perm = t->perm;
    return e;
}

static int t_flag_changed(IOMMUMemoryRegion *iommu, IOMMUNotifierFlag old,
                          IOMMUNotifierFlag new)
{
    struct tiommu *t = (struct tiommu *)iommu;

    if (t->refuse)
        return -EPERM;
    t->flag_changes++;
    t->last_old = old;
    t->last_new = new;
    return 0;
}

static int t_num_indexes(IOMMUMemoryRegion *iommu)
{
    return 2;
}

static int t_attrs_to_index(IOMMUMemoryRegion *iommu, MemTxAttrs attrs)
{
    return attrs.secure ? 1 : 0;
}

static int t_get_attr(IOMMUMemoryRegion *iommu, IOMMUMemoryRegionAttr attr,
                      void *data)
{
    if (attr != IOMMU_ATTR_MAX_IOVA)
        return -EINVAL;
    *(uint64_t *)data = 0xffff;
    return 0;
}

static const IOMMUMemoryRegionClass t_ops = {
    .translate = t_translate,
    .notify_flag_changed = t_flag_changed,
    .num_indexes = t_num_indexes,
    .attrs_to_index = t_attrs_to_index,
    .get_attr = t_get_attr,
};

static const IOMMUMemoryRegionClass t_ops_min = {
    .translate = t_translate,
};

struct rec {
    IOMMUNotifier n;
    int calls;
    hwaddr iovas[32];
    IOMMUAccessFlags perms[32];
};

static void rec_notify(IOMMUNotifier *n, IOMMUTLBEntry *e)
{
    struct rec *r = (struct rec *)n;

    if (r->calls < 32) {
        r->iovas[r->calls] = e->iova;
        r->perms[r->calls] = e->perm;
    }
    r->calls++;
}

static IOMMUTLBEvent ev(IOMMUNotifierFlag type, hwaddr iova, hwaddr mask)
{
    IOMMUTLBEvent e = {
        .type = type,
        .entry = { .iova = iova, .addr_mask = mask,
                   .perm = type == IOMMU_NOTIFIER_MAP ? IOMMU_RW : IOMMU_NONE },
    };
    return e;
}

START_TEST(register_and_flags)
{
    struct tiommu t = { .perm = IOMMU_RW };
    struct rec a = { 0 }, b = { 0 }, bad = { 0 };
    MemoryRegion *mr = &t.iommu.parent_obj;

    memory_region_init_iommu(&t.iommu, ms, NULL, &t_ops, "iommu", 0x10000);
    ck_assert_ptr_eq(memory_region_get_iommu(mr), &t.iommu);

    iommu_notifier_init(&bad.n, rec_notify, IOMMU_NOTIFIER_NONE, 0, 0xfff, 0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &bad.n),
                     -EINVAL);
    iommu_notifier_init(&bad.n, rec_notify, IOMMU_NOTIFIER_MAP, 0x2000, 0x1000,
                        0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &bad.n),
                     -EINVAL);
    iommu_notifier_init(&bad.n, rec_notify, IOMMU_NOTIFIER_MAP, 0, 0xfff, 2);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &bad.n),
                     -EINVAL);                   /* only 2 contexts */
    ck_assert_int_eq(t.flag_changes, 0);

    iommu_notifier_init(&a.n, rec_notify, IOMMU_NOTIFIER_MAP, 0, UINT64_MAX,
                        0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &a.n), 0);
    ck_assert_int_eq(t.flag_changes, 1);
    ck_assert_int_eq(t.last_old, IOMMU_NOTIFIER_NONE);
    ck_assert_int_eq(t.last_new, IOMMU_NOTIFIER_MAP);
    /* A refused union change refuses the registration. */
    t.refuse = true;
    iommu_notifier_init(&b.n, rec_notify, IOMMU_NOTIFIER_UNMAP, 0, UINT64_MAX,
                        0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &b.n), -EPERM);
    t.refuse = false;
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &b.n), 0);
    ck_assert_int_eq(t.last_new, IOMMU_NOTIFIER_ALL);
    memory_region_unregister_iommu_notifier(mr, &a.n);
    ck_assert_int_eq(t.last_old, IOMMU_NOTIFIER_ALL);
    ck_assert_int_eq(t.last_new, IOMMU_NOTIFIER_UNMAP);
    memory_region_unregister_iommu_notifier(mr, &b.n);
    ck_assert_int_eq(t.last_new, IOMMU_NOTIFIER_NONE);
    ck_assert_ptr_null(mr->iommu_notifiers);

    /* Not an IOMMU. */
    MemoryRegion plain;
    memory_region_init(&plain, ms, NULL, "plain", 0x1000);
    ck_assert_ptr_null(memory_region_get_iommu(&plain));
    ck_assert_int_eq(memory_region_register_iommu_notifier(&plain, &a.n),
                     -EINVAL);
    memory_region_finalize(&plain);
    memory_region_finalize(mr);
}
END_TEST

START_TEST(notify_filtering)
{
    struct tiommu t = { .perm = IOMMU_RW };
    struct rec m = { 0 }, u = { 0 }, ranged = { 0 }, ctx1 = { 0 };
    MemoryRegion *mr = &t.iommu.parent_obj;
    MemoryRegion alias;

    memory_region_init_iommu(&t.iommu, ms, NULL, &t_ops, "iommu", 0x10000);
    memory_region_init_alias(&alias, ms, NULL, "alias", mr, 0, 0x10000);
    ck_assert_ptr_eq(memory_region_get_iommu(&alias), &t.iommu);
    iommu_notifier_init(&m.n, rec_notify, IOMMU_NOTIFIER_MAP, 0, UINT64_MAX, 0);
    iommu_notifier_init(&u.n, rec_notify, IOMMU_NOTIFIER_UNMAP, 0, UINT64_MAX,
                        0);
    iommu_notifier_init(&ranged.n, rec_notify, IOMMU_NOTIFIER_ALL, 0x3000,
                        0x4fff, 0);
    iommu_notifier_init(&ctx1.n, rec_notify, IOMMU_NOTIFIER_ALL, 0, UINT64_MAX,
                        1);
    ck_assert_int_eq(memory_region_register_iommu_notifier(&alias, &m.n), 0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &u.n), 0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &ranged.n), 0);
    ck_assert_int_eq(memory_region_register_iommu_notifier(mr, &ctx1.n), 0);

    memory_region_notify_iommu(&t.iommu, 0, ev(IOMMU_NOTIFIER_MAP, 0x1000,
                                               0xfff));
    ck_assert_int_eq(m.calls, 1);
    ck_assert_int_eq(u.calls, 0);
    ck_assert_int_eq(ranged.calls, 0);           /* outside its range */
    ck_assert_int_eq(ctx1.calls, 0);             /* other context */
    memory_region_notify_iommu(&t.iommu, 0, ev(IOMMU_NOTIFIER_UNMAP, 0x4000,
                                               0xfff));
    ck_assert_int_eq(m.calls, 1);
    ck_assert_int_eq(u.calls, 1);
    ck_assert_int_eq(ranged.calls, 1);
    ck_assert_uint_eq(ranged.perms[0], IOMMU_NONE);
    /* A large page overlapping the range from below matches. */
    memory_region_notify_iommu(&t.iommu, 0, ev(IOMMU_NOTIFIER_MAP, 0x0,
                                               0x3fff));
    ck_assert_int_eq(ranged.calls, 2);
    memory_region_notify_iommu(&t.iommu, 1, ev(IOMMU_NOTIFIER_MAP, 0x0,
                                               0xfff));
    ck_assert_int_eq(ctx1.calls, 1);
    ck_assert_int_eq(m.calls, 2);

    /* notify_one filters the same way. */
    IOMMUTLBEvent e = ev(IOMMU_NOTIFIER_MAP, 0x8000, 0xfff);
    memory_region_notify_iommu_one(&ranged.n, &e);
    ck_assert_int_eq(ranged.calls, 2);
    e = ev(IOMMU_NOTIFIER_MAP, 0x3000, 0xfff);
    memory_region_notify_iommu_one(&ranged.n, &e);
    ck_assert_int_eq(ranged.calls, 3);
    e = ev(IOMMU_NOTIFIER_UNMAP, 0x3000, 0xfff);
    memory_region_notify_iommu_one(&m.n, &e);
    ck_assert_int_eq(m.calls, 2);               /* m wants MAP only */

    memory_region_unregister_iommu_notifier(mr, &m.n);
    memory_region_unregister_iommu_notifier(mr, &u.n);
    memory_region_unregister_iommu_notifier(mr, &ranged.n);
    memory_region_unregister_iommu_notifier(mr, &ctx1.n);
    memory_region_finalize(&alias);
    memory_region_finalize(mr);
}
END_TEST

START_TEST(replay_default_walk)
{
    struct tiommu t = { .perm = IOMMU_RO };
    struct rec all = { 0 }, part = { 0 }, unmap_only = { 0 };

    memory_region_init_iommu(&t.iommu, ms, NULL, &t_ops, "iommu", 0x10000);
    t.mapped[1] = t.mapped[5] = t.mapped[15] = true;
    iommu_notifier_init(&all.n, rec_notify, IOMMU_NOTIFIER_ALL, 0, UINT64_MAX,
                        0);
    memory_region_iommu_replay(&t.iommu, &all.n);
    ck_assert_int_eq(t.translations, 16);        /* one per minimum page */
    ck_assert_int_eq(all.calls, 3);
    ck_assert_uint_eq(all.iovas[0], 0x1000);
    ck_assert_uint_eq(all.iovas[1], 0x5000);
    ck_assert_uint_eq(all.iovas[2], 0xf000);
    ck_assert_uint_eq(all.perms[0], IOMMU_RO);

    /* Only the watched range is walked. */
    t.translations = 0;
    iommu_notifier_init(&part.n, rec_notify, IOMMU_NOTIFIER_MAP, 0x4800,
                        0x6fff, 0);
    memory_region_iommu_replay(&t.iommu, &part.n);
    ck_assert_int_eq(t.translations, 3);
    ck_assert_int_eq(part.calls, 1);
    ck_assert_uint_eq(part.iovas[0], 0x5000);

    /* A notifier without MAP hears nothing. */
    iommu_notifier_init(&unmap_only.n, rec_notify, IOMMU_NOTIFIER_UNMAP, 0,
                        UINT64_MAX, 0);
    memory_region_iommu_replay(&t.iommu, &unmap_only.n);
    ck_assert_int_eq(unmap_only.calls, 0);
    memory_region_finalize(&t.iommu.parent_obj);
}
END_TEST

static int replays;

static void my_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    replays++;
}

static uint64_t big_pages(IOMMUMemoryRegion *iommu)
{
    return 0x4000;
}

START_TEST(hooks_and_defaults)
{
    struct tiommu t = { .perm = IOMMU_RW }, d = { .perm = IOMMU_RW };
    IOMMUMemoryRegionClass over = {
        .translate = t_translate,
        .replay = my_replay,
        .get_min_page_size = big_pages,
    };
    struct rec r = { 0 };
    uint64_t v = 0;

    memory_region_init_iommu(&t.iommu, ms, NULL, &over, "over", 0x10000);
    memory_region_init_iommu(&d.iommu, ms, NULL, &t_ops_min, "min", 0x10000);
    iommu_notifier_init(&r.n, rec_notify, IOMMU_NOTIFIER_MAP, 0, UINT64_MAX, 0);
    replays = 0;
    memory_region_iommu_replay(&t.iommu, &r.n);
    ck_assert_int_eq(replays, 1);
    ck_assert_int_eq(t.translations, 0);
    ck_assert_uint_eq(memory_region_iommu_get_min_page_size(&t.iommu), 0x4000);

    ck_assert_uint_eq(memory_region_iommu_get_min_page_size(&d.iommu),
                      TARGET_PAGE_SIZE);
    ck_assert_int_eq(memory_region_iommu_num_indexes(&d.iommu), 1);
    ck_assert_int_eq(memory_region_iommu_attrs_to_index(&d.iommu, U), 0);
    ck_assert_int_eq(memory_region_iommu_get_attr(&d.iommu,
                                                  IOMMU_ATTR_MAX_IOVA, &v),
                     -EINVAL);
    memory_region_finalize(&t.iommu.parent_obj);
    memory_region_finalize(&d.iommu.parent_obj);

    struct tiommu f = { .perm = IOMMU_RW };
    MemTxAttrs sec = { .secure = 1 };
    memory_region_init_iommu(&f.iommu, ms, NULL, &t_ops, "full", 0x10000);
    ck_assert_int_eq(memory_region_iommu_num_indexes(&f.iommu), 2);
    ck_assert_int_eq(memory_region_iommu_attrs_to_index(&f.iommu, sec), 1);
    ck_assert_int_eq(memory_region_iommu_get_attr(&f.iommu,
                                                  IOMMU_ATTR_MAX_IOVA, &v), 0);
    ck_assert_uint_eq(v, 0xffff);
    memory_region_finalize(&f.iommu.parent_obj);
}
END_TEST

START_TEST(translate_through_address_space)
{
    MemoryRegion sysroot, ram, dmaroot;
    AddressSpace sys, dma;
    struct tiommu t = { .perm = IOMMU_RO };
    uint8_t *p, buf[4];
    hwaddr xlat, plen;

    memory_region_init(&sysroot, ms, NULL, "sys", UINT64_MAX);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x20000),
                     0);
    memory_region_add_subregion(&sysroot, 0x100000, &ram);
    address_space_init(&sys, ms, &sysroot, "memory");
    t.target = &sys;
    memory_region_init(&dmaroot, ms, NULL, "dma-root", UINT64_MAX);
    memory_region_init_iommu(&t.iommu, ms, NULL, &t_ops, "iommu", 0x10000);
    memory_region_add_subregion(&dmaroot, 0, &t.iommu.parent_obj);
    address_space_init(&dma, ms, &dmaroot, "dma");
    p = memory_region_get_ram_ptr(&ram);
    p[0x5010] = 0xab;
    t.mapped[5] = true;

    plen = 0x10000;
    ck_assert_ptr_eq(address_space_translate(&dma, 0x5010, &xlat, &plen,
                                             false, U), &ram);
    ck_assert_uint_eq(xlat, 0x5010);
    ck_assert_uint_eq(plen, 0xff0);
    ck_assert_uint_eq(address_space_ldub(&dma, 0x5010, U, NULL), 0xab);
    /* Read-only mapping: a DMA write is refused, the RAM unchanged. */
    MemTxResult r;
    address_space_stb(&dma, 0x5010, 0x11, U, &r);
    ck_assert_uint_ne(r, MEMTX_OK);
    ck_assert_uint_eq(p[0x5010], 0xab);
    /* Unmapped IOVA: all-ones and an error. */
    ck_assert_uint_ne(address_space_read(&dma, 0x6000, U, buf, 4), MEMTX_OK);
    ck_assert_uint_eq(buf[0], 0xff);
    ck_assert(!address_space_access_valid(&dma, 0x6000, 4, false, U));
    /* Across an unmapped page into a mapped one: each page on its own. */
    uint8_t two[0x20];
    ck_assert_uint_eq(address_space_read(&dma, 0x4ff0, U, two, sizeof(two)),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(two[0xf], 0xff);
    ck_assert_mem_eq(two + 0x10, p + 0x5000, 0x10);
    t.mapped[6] = true;
    p[0x6000] = 0x5c;
    ck_assert_uint_eq(address_space_read(&dma, 0x3ff0, U, two, sizeof(two)),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(address_space_ldub(&dma, 0x6000, U, NULL), 0x5c);
    ck_assert(address_space_access_valid(&dma, 0x5000, 0x1000, false, U));

    address_space_destroy(&dma);
    address_space_destroy(&sys);
    memory_region_del_subregion(&dmaroot, &t.iommu.parent_obj);
    memory_region_del_subregion(&sysroot, &ram);
    memory_region_finalize(&t.iommu.parent_obj);
    memory_region_finalize(&dmaroot);
    memory_region_finalize(&ram);
    memory_region_finalize(&sysroot);
}
END_TEST

static Suite *iommu_suite(void)
{
    Suite *s = suite_create("memory-iommu");
    TCase *tc = tcase_create("iommu");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, register_and_flags);
    tcase_add_test(tc, notify_filtering);
    tcase_add_test(tc, replay_default_walk);
    tcase_add_test(tc, hooks_and_defaults);
    tcase_add_test(tc, translate_through_address_space);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(iommu_suite());
}
