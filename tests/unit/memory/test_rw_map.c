/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rw_map.c - address_space_rw and friends, ld/st, write_rom, set,
 * access_valid, map/unmap (direct and bounce, limit, map clients, the
 * host-ops seam), MemoryRegionCache; with the seed cases: MMIO not clamped
 * to the region (0xcf8/0xcf9), write_rom around a PROM hole, a write
 * across non-linear alias sections, and *plen clamped through IOMMU walks.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "tests/unit/memory/access_helpers.h"
#include "util/log.h"

#define U MEMTXATTRS_UNSPECIFIED

static MemorySystem *ms;
static MemoryRegion root;
static AddressSpace as;

static void setup(void)
{
    ms = memory_system_new();
    ck_assert_ptr_nonnull(ms);
    log_set_level(LOG_LEVEL_ERR);
    memory_region_init(&root, ms, NULL, "root", UINT64_MAX);
    address_space_init(&as, ms, &root, "memory");
}

static void teardown(void)
{
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_system_free(ms);
    ms = NULL;
    log_set_level(LOG_LEVEL_INFO);
}

/* Unmap and finalize @mr (a direct child of root). */
static void drop(MemoryRegion *mr)
{
    memory_region_del_subregion(&root, mr);
    memory_region_finalize(mr);
}

START_TEST(ram_rw_and_unassigned)
{
    MemoryRegion ram;
    uint8_t buf[16], *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_add_subregion(&root, 0x100000, &ram);
    p = memory_region_get_ram_ptr(&ram);
    for (int i = 0; i < 16; i++)
        buf[i] = (uint8_t)i;
    ck_assert_uint_eq(address_space_write(&as, 0x100010, U, buf, 16), MEMTX_OK);
    ck_assert_mem_eq(p + 0x10, buf, 16);
    memset(buf, 0, sizeof(buf));
    ck_assert_uint_eq(address_space_read(&as, 0x100010, U, buf, 16), MEMTX_OK);
    ck_assert_uint_eq(buf[15], 15);

    /* Straddling the end of RAM into unassigned space. */
    memset(buf, 0, sizeof(buf));
    ck_assert_uint_eq(address_space_read(&as, 0x10fff8, U, buf, 16),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(buf[7], p[0xffff]);
    for (int i = 8; i < 16; i++)
        ck_assert_uint_eq(buf[i], 0xff);
    /* Pure unassigned. */
    ck_assert_uint_eq(address_space_ldl_le(&as, 0x5000, U, NULL), 0xffffffff);
    drop(&ram);
}
END_TEST

START_TEST(ld_st_endianness)
{
    MemoryRegion ram;
    MemTxResult r = 99;
    uint8_t *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x1000), 0);
    memory_region_add_subregion(&root, 0x2000, &ram);
    p = memory_region_get_ram_ptr(&ram);
    address_space_stl_le(&as, 0x2000, 0x11223344, U, &r);
    ck_assert_uint_eq(r, MEMTX_OK);
    ck_assert_uint_eq(p[0], 0x44);
    address_space_stl_be(&as, 0x2004, 0x11223344, U, NULL);
    ck_assert_uint_eq(p[4], 0x11);
    ck_assert_uint_eq(address_space_ldl_be(&as, 0x2000, U, NULL), 0x44332211);
    ck_assert_uint_eq(address_space_ldl_le(&as, 0x2004, U, NULL), 0x44332211);
    address_space_stq_be(&as, 0x2008, 0x0102030405060708ull, U, NULL);
    ck_assert_uint_eq(address_space_ldq_le(&as, 0x2008, U, NULL),
                      0x0807060504030201ull);
    ck_assert_uint_eq(address_space_ldq_be(&as, 0x2008, U, NULL),
                      0x0102030405060708ull);
    address_space_stq_le(&as, 0x2010, 0xa1a2a3a4a5a6a7a8ull, U, NULL);
    ck_assert_uint_eq(p[0x10], 0xa8);
    address_space_stw_le(&as, 0x2020, 0xbeef, U, NULL);
    address_space_stw_be(&as, 0x2022, 0xbeef, U, NULL);
    ck_assert_uint_eq(address_space_lduw_le(&as, 0x2020, U, NULL), 0xbeef);
    ck_assert_uint_eq(address_space_lduw_be(&as, 0x2022, U, NULL), 0xbeef);
    ck_assert_uint_eq(address_space_lduw_le(&as, 0x2022, U, NULL), 0xefbe);
    address_space_stb(&as, 0x2030, 0x1ff, U, NULL);
    ck_assert_uint_eq(address_space_ldub(&as, 0x2030, U, &r), 0xff);
    ck_assert_uint_eq(r, MEMTX_OK);
    /* Across the end: half RAM, half unassigned. */
    ck_assert_uint_eq(address_space_ldl_le(&as, 0x2ffe, U, &r) >> 16, 0xffff);
    ck_assert_uint_eq(r, MEMTX_DECODE_ERROR);
    drop(&ram);
}
END_TEST

/* Seed: MMIO accesses are not clamped to the region. */
START_TEST(mmio_not_clamped_cf8_cf9)
{
    struct testdev cf8, cf9;
    MemoryRegion io;
    AddressSpace ioas;
    MemTxResult r;

    memory_region_init(&io, ms, NULL, "io", 0x10000);
    address_space_init(&ioas, ms, &io, "I/O");
    testdev_init(&cf8, ms, "pci-conf-idx", 4, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    testdev_init(&cf9, ms, "rst-cnt", 1, 1, 1, false, 1, 1, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion_overlap(&io, 0xcf8, &cf8.mr, 1);
    memory_region_add_subregion_overlap(&io, 0xcf9, &cf9.mr, 2);

    address_space_stl_le(&ioas, 0xcf8, 0x80000000, U, &r);
    ck_assert_uint_eq(r, MEMTX_OK);
    ck_assert_uint_eq(cf8.n, 1);
    ck_assert_uint_eq(cf8.log[0].size, 4);
    ck_assert_uint_eq(cf8.log[0].addr, 0);
    ck_assert_uint_eq(cf8.log[0].val, 0x80000000);
    ck_assert_uint_eq(cf9.n, 0);
    ck_assert_uint_eq(address_space_ldl_le(&ioas, 0xcf8, U, NULL), 0x80000000);
    ck_assert_uint_eq(cf8.n, 2);
    ck_assert_uint_eq(cf8.log[1].size, 4);
    /* A byte at 0xcf9 goes to the 1-byte register. */
    address_space_stb(&ioas, 0xcf9, 0x06, U, &r);
    ck_assert_uint_eq(r, MEMTX_OK);
    ck_assert_uint_eq(cf9.n, 1);
    ck_assert_uint_eq(cf9.log[0].val, 6);
    ck_assert_uint_eq(cf8.n, 2);
    /* A word at 0xcfa reaches the 4-byte register's upper half. */
    ck_assert_uint_eq(address_space_lduw_le(&ioas, 0xcfa, U, NULL), 0x8000);
    ck_assert_uint_eq(cf8.log[2].addr, 2);
    ck_assert_uint_eq(cf8.log[2].size, 2);

    address_space_destroy(&ioas);
    memory_region_del_subregion(&io, &cf8.mr);
    memory_region_del_subregion(&io, &cf9.mr);
    memory_region_finalize(&cf8.mr);
    memory_region_finalize(&cf9.mr);
    memory_region_finalize(&io);
}
END_TEST

START_TEST(mmio_access_sizes)
{
    struct testdev d;
    uint8_t buf[8];

    /* 7 bytes to a device taking 1..4 aligned: 4 + 2 + 1. */
    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x9000, &d.mr);
    ck_assert_uint_eq(address_space_read(&as, 0x9000, U, buf, 7), MEMTX_OK);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_uint_eq(d.log[0].size, 4);
    ck_assert_uint_eq(d.log[1].size, 2);
    ck_assert_uint_eq(d.log[2].size, 1);
    ck_assert_mem_eq(buf, d.regs, 7);
    /* Unaligned start: alignment limits the first access. */
    d.n = 0;
    ck_assert_uint_eq(address_space_read(&as, 0x9001, U, buf, 4), MEMTX_OK);
    ck_assert_uint_eq(d.log[0].size, 1);
    ck_assert_uint_eq(d.log[1].size, 2);
    ck_assert_uint_eq(d.log[2].size, 1);
    ck_assert_mem_eq(buf, d.regs + 1, 4);
    drop(&d.mr);
}
END_TEST

/* Seed: write_rom copies around a PROM hole instead of stopping. */
START_TEST(write_rom_around_hole)
{
    MemoryRegion rom;
    struct testdev hole;
    uint8_t img[0x3000], *p;

    ck_assert_int_eq(memory_region_init_rom(&rom, ms, NULL, "bios", 0x3000), 0);
    memory_region_add_subregion(&root, 0xfffd0000, &rom);
    testdev_init(&hole, ms, "hole", 0x1000, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion_overlap(&root, 0xfffd1000, &hole.mr, 1);
    p = memory_region_get_ram_ptr(&rom);
    for (unsigned i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 7 + 3);
    ck_assert_uint_eq(address_space_write_rom(&as, 0xfffd0000, U, img,
                                              sizeof(img)), MEMTX_OK);
    ck_assert_mem_eq(p, img, 0x1000);
    ck_assert_mem_eq(p + 0x2000, img + 0x2000, 0x1000);
    ck_assert_uint_eq(p[0x1000], 0);             /* hidden part untouched */
    ck_assert_uint_eq(hole.n, 0);                /* I/O skipped */
    /* A normal write leaves ROM alone. */
    address_space_stb(&as, 0xfffd0000, (uint8_t)~img[0], U, NULL);
    ck_assert_uint_eq(p[0], img[0]);
    ck_assert_uint_eq(address_space_ldub(&as, 0xfffd2000, U, NULL), img[0x2000]);
    drop(&hole.mr);
    drop(&rom);
}
END_TEST

/* Seed: a write spanning non-linear alias sections lands in each. */
START_TEST(write_across_nonlinear_aliases)
{
    MemoryRegion ram, a1, a2;
    uint8_t buf[0x2000], *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_init_alias(&a1, ms, NULL, "hi", &ram, 0x8000, 0x1000);
    memory_region_init_alias(&a2, ms, NULL, "lo", &ram, 0x0, 0x1000);
    memory_region_add_subregion(&root, 0x40000, &a1);
    memory_region_add_subregion(&root, 0x41000, &a2);
    p = memory_region_get_ram_ptr(&ram);
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i ^ (i >> 8));
    ck_assert_uint_eq(address_space_write(&as, 0x40800, U, buf, 0x1000),
                      MEMTX_OK);
    ck_assert_mem_eq(p + 0x8800, buf, 0x800);
    ck_assert_mem_eq(p, buf + 0x800, 0x800);
    ck_assert_uint_eq(p[0x9000], 0);             /* not linear */
    memset(buf, 0, sizeof(buf));
    ck_assert_uint_eq(address_space_read(&as, 0x40800, U, buf, 0x1000),
                      MEMTX_OK);
    ck_assert_mem_eq(buf, p + 0x8800, 0x800);
    ck_assert_mem_eq(buf + 0x800, p, 0x800);
    drop(&a1);
    drop(&a2);
    memory_region_finalize(&ram);
}
END_TEST

/* An IOMMU mapping 4 KiB pages iova -> iova ^ 0x3000 into @target. */
struct xiommu {
    IOMMUMemoryRegion iommu;
    AddressSpace *target;
    unsigned translations;
};

static IOMMUTLBEntry xiommu_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                      IOMMUAccessFlags flag, int idx)
{
    struct xiommu *x = (struct xiommu *)iommu;
    IOMMUTLBEntry e = {
        .target_as = x->target,
        .iova = addr & ~0xfffull,
        .translated_addr = (addr & ~0xfffull) ^ 0x3000,
        .addr_mask = 0xfff,
        .perm = IOMMU_RW,
    };

    x->translations++;
    return e;
}

static const IOMMUMemoryRegionClass xiommu_ops = {
    .translate = xiommu_translate,
};

/* Seed: *plen stays clamped to the IOMMU page through the walk. */
START_TEST(iommu_walk_clamps_plen)
{
    MemoryRegion ram, dmaroot;
    AddressSpace dma;
    struct xiommu x = { .target = &as };
    hwaddr xlat, plen;
    uint8_t buf[0x1800], *p;
    MemoryRegion *mr;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_add_subregion(&root, 0, &ram);
    p = memory_region_get_ram_ptr(&ram);
    memory_region_init(&dmaroot, ms, NULL, "dma-root", UINT64_MAX);
    memory_region_init_iommu(&x.iommu, ms, NULL, &xiommu_ops, "iommu",
                             0x10000);
    memory_region_add_subregion(&dmaroot, 0, &x.iommu.parent_obj);
    address_space_init(&dma, ms, &dmaroot, "dma");

    plen = 0x2000;
    mr = address_space_translate(&dma, 0x1800, &xlat, &plen, false, U);
    ck_assert_ptr_eq(mr, &ram);
    ck_assert_uint_eq(xlat, 0x2800);
    ck_assert_uint_eq(plen, 0x800);

    /* A DMA write across two IOMMU pages lands in both targets. */
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i + 1);
    ck_assert_uint_eq(address_space_write(&dma, 0x1800, U, buf, 0x1000),
                      MEMTX_OK);
    ck_assert_mem_eq(p + 0x2800, buf, 0x800);    /* page 1 -> 2 */
    ck_assert_mem_eq(p + 0x1000, buf + 0x800, 0x800); /* 2 -> 1 */
    ck_assert_uint_eq(p[0x1800], 0);
    /* A DMA map is clamped to the page too. */
    plen = 0x2000;
    void *m = address_space_map(&dma, 0x1800, &plen, true, U);
    ck_assert_ptr_eq(m, p + 0x2800);
    ck_assert_uint_eq(plen, 0x800);
    address_space_unmap(&dma, m, plen, true, plen);

    address_space_destroy(&dma);
    memory_region_del_subregion(&dmaroot, &x.iommu.parent_obj);
    memory_region_finalize(&x.iommu.parent_obj);
    memory_region_finalize(&dmaroot);
    drop(&ram);
}
END_TEST

START_TEST(set_and_access_valid)
{
    MemoryRegion ram;
    struct testdev d, narrow;
    uint8_t *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x1000), 0);
    memory_region_add_subregion(&root, 0x1000, &ram);
    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x3000, &d.mr);
    testdev_init(&narrow, ms, "narrow", 0x100, 4, 4, false, 4, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x4000, &narrow.mr);
    p = memory_region_get_ram_ptr(&ram);

    ck_assert_uint_eq(address_space_set(&as, 0x1100, 0xa5, 0x700, U), MEMTX_OK);
    ck_assert_uint_eq(p[0x10ff - 0x1000], 0);
    ck_assert_uint_eq(p[0x100], 0xa5);
    ck_assert_uint_eq(p[0x7ff], 0xa5);
    ck_assert_uint_eq(p[0x800], 0);

    ck_assert(address_space_access_valid(&as, 0x1000, 0x1000, true, U));
    ck_assert(address_space_access_valid(&as, 0x3000, 8, false, U));
    ck_assert(!address_space_access_valid(&as, 0x1f00, 0x200, false, U));
    ck_assert(!address_space_access_valid(&as, 0x8000, 4, false, U));
    ck_assert(address_space_access_valid(&as, 0x4000, 8, true, U));
    ck_assert(!address_space_access_valid(&as, 0x4000, 2, true, U));
    d.refuse = true;
    ck_assert(!address_space_access_valid(&as, 0x3000, 4, true, U));
    ck_assert_uint_eq(d.n, 0);                   /* no access was made */
    drop(&d.mr);
    drop(&narrow.mr);
    drop(&ram);
}
END_TEST

START_TEST(dirty_on_write)
{
    MemoryRegion ram;
    uint8_t b = 1;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "vram", 0x10000), 0);
    memory_region_add_subregion(&root, 0x10000, &ram);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    ck_assert(!memory_region_get_dirty(&ram, 0, 0x10000, DIRTY_MEMORY_VGA));
    address_space_write(&as, 0x13005, U, &b, 1);
    ck_assert(memory_region_get_dirty(&ram, 0x3000, 0x1000, DIRTY_MEMORY_VGA));
    ck_assert(!memory_region_get_dirty(&ram, 0x2000, 0x1000, DIRTY_MEMORY_VGA));
    ck_assert(!memory_region_get_dirty(&ram, 0x3000, 0x1000,
                                       DIRTY_MEMORY_MIGRATION));
    memory_global_dirty_log_start(ms);
    address_space_write(&as, 0x15000, U, &b, 1);
    ck_assert(memory_region_get_dirty(&ram, 0x5000, 1, DIRTY_MEMORY_MIGRATION));
    memory_global_dirty_log_stop(ms);
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    drop(&ram);
}
END_TEST

START_TEST(map_direct_ram)
{
    MemoryRegion ram;
    hwaddr plen = 0x20000;
    uint8_t *p, *m;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_add_subregion(&root, 0x10000, &ram);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    p = memory_region_get_ram_ptr(&ram);
    m = address_space_map(&as, 0x10100, &plen, true, U);
    ck_assert_ptr_eq(m, p + 0x100);
    ck_assert_uint_eq(plen, 0xff00);             /* clamped to the RAM */
    m[0] = 0x42;
    ck_assert(!memory_region_get_dirty(&ram, 0, 0x1000, DIRTY_MEMORY_VGA));
    address_space_unmap(&as, m, plen, true, 1);
    ck_assert(memory_region_get_dirty(&ram, 0, 0x1000, DIRTY_MEMORY_VGA));
    ck_assert(!memory_region_get_dirty(&ram, 0x1000, 0xf000, DIRTY_MEMORY_VGA));
    ck_assert_uint_eq(address_space_ldub(&as, 0x10100, U, NULL), 0x42);
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    drop(&ram);
}
END_TEST

struct client_count {
    int calls;
};

static void map_client_cb(void *opaque)
{
    ((struct client_count *)opaque)->calls++;
}

START_TEST(map_bounce_and_clients)
{
    struct testdev d;
    struct client_count cc = { 0 };
    hwaddr plen = 16;
    uint8_t *m, *m2;
    void *h;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x7000, &d.mr);
    memory_system_set_bounce_limit(ms, 16);

    /* A read mapping is filled now. */
    m = address_space_map(&as, 0x7010, &plen, false, U);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(plen, 16);
    ck_assert_mem_eq(m, d.regs + 0x10, 16);
    /* The limit is reached: a second mapper gets nothing. */
    plen = 4;
    m2 = address_space_map(&as, 0x7000, &plen, true, U);
    ck_assert_ptr_null(m2);
    ck_assert_uint_eq(plen, 0);
    h = cpu_register_map_client(ms, map_client_cb, &cc);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(cc.calls, 0);
    address_space_unmap(&as, m, 16, false, 16);
    ck_assert_int_eq(cc.calls, 1);               /* called once */

    /* A write mapping is written back on unmap, access_len bytes only. */
    plen = 8;
    m = address_space_map(&as, 0x7020, &plen, true, U);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(plen, 8);
    memset(m, 0xee, 8);
    d.n = 0;
    address_space_unmap(&as, m, 8, true, 4);
    ck_assert_uint_eq(d.regs[0x20], 0xee);
    ck_assert_uint_eq(d.regs[0x23], 0xee);
    ck_assert_uint_eq(d.regs[0x24], 0x34);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(cc.calls, 1);               /* not registered anymore */

    /* Bounce space free: a registration is answered at once. */
    h = cpu_register_map_client(ms, map_client_cb, &cc);
    ck_assert_int_eq(cc.calls, 2);
    cpu_unregister_map_client(ms, h);
    /* Unregistered clients are not called. */
    plen = 16;
    m = address_space_map(&as, 0x7000, &plen, false, U);
    h = cpu_register_map_client(ms, map_client_cb, &cc);
    cpu_unregister_map_client(ms, h);
    address_space_unmap(&as, m, 16, false, 0);
    ck_assert_int_eq(cc.calls, 2);
    drop(&d.mr);
}
END_TEST

struct racer {
    AddressSpace *as;
    unsigned got;
    pthread_barrier_t *bar;
    void *ptrs[64];
};

static void *race_map(void *opaque)
{
    struct racer *r = opaque;

    pthread_barrier_wait(r->bar);
    for (unsigned i = 0; i < 64; i++) {
        hwaddr plen = 64;

        r->ptrs[i] = address_space_map(r->as, 0x7000, &plen, false, U);
        if (r->ptrs[i])
            r->got += (unsigned)plen;
    }
    return NULL;
}

START_TEST(bounce_limit_no_race)
{
    struct testdev d;
    pthread_barrier_t bar;
    struct racer r[4];
    pthread_t t[4];
    unsigned total = 0;

    testdev_init(&d, ms, "dev", 0x1000, 1, 8, true, 1, 8, true,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x7000, &d.mr);
    memory_system_set_bounce_limit(ms, 1000);
    pthread_barrier_init(&bar, NULL, 4);
    for (int i = 0; i < 4; i++) {
        r[i] = (struct racer){ .as = &as, .bar = &bar };
        pthread_create(&t[i], NULL, race_map, &r[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += r[i].got;
    }
    ck_assert_uint_eq(total, 1000);              /* exactly the limit */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 64; j++)
            if (r[i].ptrs[j])
                address_space_unmap(&as, r[i].ptrs[j], 64, false, 0);
    pthread_barrier_destroy(&bar);
    drop(&d.mr);
}
END_TEST

/* A fake mapcache: maps a private buffer and counts calls. */
struct fake_mc {
    RAMBlockHostOps ops;
    uint8_t mem[0x4000];
    int maps, locked, dma, unmaps;
};

static void *fmc_map(void *opaque, RAMBlock *block, ram_addr_t offset,
                     uint64_t *size, bool lock, bool dma)
{
    struct fake_mc *f = opaque;

    f->maps++;
    f->locked += lock;
    f->dma += dma;
    if (offset >= sizeof(f->mem)) {
        *size = 0;
        return NULL;
    }
    /* Contiguous only up to the next 4 KiB "bucket". */
    uint64_t room = 0x1000 - (offset & 0xfff);
    if (*size > room)
        *size = room;
    return f->mem + offset;
}

static void fmc_unmap(void *opaque, void *host)
{
    ((struct fake_mc *)opaque)->unmaps++;
}

static ram_addr_t fmc_from_host(void *opaque, void *host)
{
    struct fake_mc *f = opaque;
    uint8_t *h = host;

    if (h < f->mem || h >= f->mem + sizeof(f->mem))
        return RAM_ADDR_INVALID;
    return 0x100000000ull + (ram_addr_t)(h - f->mem);
}

START_TEST(map_through_host_ops)
{
    struct fake_mc *f = calloc(1, sizeof(*f));
    RAMBlock *block;
    MemoryRegion ram;
    hwaddr plen = 0x2000;
    uint8_t buf[0x1800], *m;

    f->ops = (RAMBlockHostOps){ fmc_map, fmc_unmap, fmc_from_host, f };
    ck_assert_int_eq(ram_block_add(ms, "xen.ram", 0x4000, 0x4000, RAM_NOALLOC,
                                   NULL, 0x100000000ull, &block), 0);
    qemu_ram_set_host_ops(block, &f->ops);
    memory_region_init_ram_from_block(&ram, ms, NULL, "ram", block);
    memory_region_add_subregion(&root, 0x100000000ull, &ram);

    /* rw goes through short unlocked mappings, cut at buckets. */
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 3);
    ck_assert_uint_eq(address_space_write(&as, 0x100000800ull, U, buf,
                                          sizeof(buf)), MEMTX_OK);
    ck_assert_mem_eq(f->mem + 0x800, buf, sizeof(buf));
    ck_assert_int_eq(f->locked, 0);
    ck_assert_int_ge(f->maps, 2);

    /* map: locked + dma; unmap drops the lock. */
    m = address_space_map(&as, 0x100001100ull, &plen, true, U);
    ck_assert_ptr_eq(m, f->mem + 0x1100);
    ck_assert_uint_eq(plen, 0xf00);
    ck_assert_int_eq(f->locked, 1);
    ck_assert_int_eq(f->dma, 1);
    address_space_unmap(&as, m, plen, true, plen);
    ck_assert_int_eq(f->unmaps, 1);

    drop(&ram);
    ram_block_free(block);
    free(f);
}
END_TEST

START_TEST(region_cache)
{
    MemoryRegion ram;
    struct testdev d;
    MemoryRegionCache c, cm;
    uint8_t buf[8], *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x2000), 0);
    memory_region_add_subregion(&root, 0x2000, &ram);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion(&root, 0x8000, &d.mr);
    p = memory_region_get_ram_ptr(&ram);

    ck_assert_int_eq(address_space_cache_init(&c, &as, 0x3000, 0x800, true),
                     0x800);
    ck_assert_uint_eq(address_space_write_cached(&c, 0x10, "abcd", 4),
                      MEMTX_OK);
    ck_assert_mem_eq(p + 0x1010, "abcd", 4);
    ck_assert(memory_region_get_dirty(&ram, 0x1000, 1, DIRTY_MEMORY_VGA));
    ck_assert_uint_eq(address_space_read_cached(&c, 0x11, buf, 2), MEMTX_OK);
    ck_assert_mem_eq(buf, "bc", 2);
    /* Outside the cached window: the slow path still works. */
    ck_assert_uint_eq(address_space_read_cached(&c, 0x0fff, buf, 2),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(buf[1], 0xff);
    memory_region_reset_dirty(&ram, 0, 0x2000, DIRTY_MEMORY_VGA);
    address_space_cache_invalidate(&c, 0x400, 4);
    ck_assert(memory_region_get_dirty(&ram, 0x1400, 4, DIRTY_MEMORY_VGA));
    address_space_cache_destroy(&c);

    /* MMIO cache: accesses go to the device. */
    ck_assert_int_ge(address_space_cache_init(&cm, &as, 0x8000, 0x10, false),
                     0x10);
    ck_assert_uint_eq(address_space_read_cached(&cm, 4, buf, 4), MEMTX_OK);
    ck_assert_mem_eq(buf, d.regs + 4, 4);
    ck_assert_uint_eq(d.n, 1);
    address_space_cache_destroy(&cm);
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    drop(&d.mr);
    drop(&ram);
}
END_TEST

static int flash_writes;

static void flash_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    flash_writes++;
}

static const MemoryRegionOps flash_ops = {
    .write = flash_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

START_TEST(write_rom_rom_device_and_wrap)
{
    MemoryRegion flash;
    uint8_t img[16], buf[8], *p;

    ck_assert_int_eq(memory_region_init_rom_device(&flash, ms, NULL, &flash_ops,
                                                   NULL, "flash", 0x1000), 0);
    memory_region_add_subregion(&root, 0xe0000, &flash);
    p = memory_region_get_ram_ptr(&flash);
    memset(img, 0x3c, sizeof(img));
    flash_writes = 0;
    ck_assert_uint_eq(address_space_write_rom(&as, 0xe0ff8, U, img, 16),
                      MEMTX_OK);
    ck_assert_mem_eq(p + 0xff8, img, 8);
    ck_assert_int_eq(flash_writes, 0);
    /* A plain write goes to the device, reads come from RAM (romd). */
    address_space_stb(&as, 0xe0000, 1, U, NULL);
    ck_assert_int_eq(flash_writes, 1);
    ck_assert_uint_eq(address_space_ldub(&as, 0xe0ff8, U, NULL), 0x3c);

    /* Accesses wrapping past 2^64 do not crash: all-ones. */
    ck_assert_uint_eq(address_space_read(&as, UINT64_MAX - 3, U, buf, 8),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(buf[0], 0xff);
    ck_assert_uint_eq(buf[7], 0xff);
    drop(&flash);
}
END_TEST

struct rw_worker {
    unsigned id;
    unsigned errors;
    volatile bool *stop;
};

static void *rw_worker_run(void *opaque)
{
    struct rw_worker *w = opaque;
    uint64_t i = 0;

    while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE) || i < 1000) {
        hwaddr a = 0x100000 + w->id * 0x1000 + (i * 8) % 0x1000;
        uint64_t v = (uint64_t)w->id << 56 | i, back;
        uint8_t junk[16];

        address_space_stq_le(&as, a, v, U, NULL);
        back = address_space_ldq_le(&as, a, U, NULL);
        if (back != v)
            w->errors++;
        /* The toggled window: RAM or device, never a crash. */
        address_space_read(&as, 0x108000 + (i % 0x100), U, junk, 16);
        i++;
    }
    return NULL;
}

START_TEST(concurrent_rw_and_commit)
{
    MemoryRegion ram;
    struct testdev d;
    struct rw_worker w[3];
    pthread_t t[3];
    volatile bool stop = false;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_add_subregion(&root, 0x100000, &ram);
    testdev_init(&d, ms, "window", 0x1000, 1, 8, true, 1, 8, true,
                 DEVICE_LITTLE_ENDIAN, false);
    memory_region_add_subregion_overlap(&root, 0x108000, &d.mr, 1);
    for (unsigned i = 0; i < 3; i++) {
        w[i] = (struct rw_worker){ .id = i, .stop = &stop };
        pthread_create(&t[i], NULL, rw_worker_run, &w[i]);
    }
    for (int i = 0; i < 200; i++) {
        memory_region_set_enabled(&d.mr, i & 1);
        memory_region_set_address(&d.mr, 0x108000 + (i % 4) * 0x100);
    }
    __atomic_store_n(&stop, true, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        ck_assert_uint_eq(w[i].errors, 0);
    }
    drop(&d.mr);
    drop(&ram);
}
END_TEST

/* PAM-like: RAM seen through a read-only alias ignores writes. */
START_TEST(readonly_alias_and_container)
{
    MemoryRegion ram, pam, box, inner;
    uint8_t *p, *q, b = 0x99;
    hwaddr plen = 16;
    MemoryRegionCache c;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x100000),
                     0);
    memory_region_add_subregion(&root, 0x1000000, &ram);
    memory_region_init_alias(&pam, ms, NULL, "pam", &ram, 0xf0000, 0x10000);
    memory_region_set_readonly(&pam, true);
    memory_region_add_subregion_overlap(&root, 0xf0000, &pam, 1);
    p = memory_region_get_ram_ptr(&ram);
    p[0xf0010] = 0x11;

    address_space_stb(&as, 0xf0010, 0x22, U, NULL);
    ck_assert_uint_eq(p[0xf0010], 0x11);        /* ignored */
    ck_assert_uint_eq(address_space_ldub(&as, 0xf0010, U, NULL), 0x11);
    address_space_stb(&as, 0x10f0010, 0x33, U, NULL);
    ck_assert_uint_eq(p[0xf0010], 0x33);        /* writable the direct way */
    /* Firmware loading still writes through. */
    ck_assert_uint_eq(address_space_write_rom(&as, 0xf0011, U, &b, 1),
                      MEMTX_OK);
    ck_assert_uint_eq(p[0xf0011], 0x99);
    /* A write mapping is a bounce whose write-back is ignored. */
    q = address_space_map(&as, 0xf0010, &plen, true, U);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p + 0xf0010);
    memset(q, 0x44, plen);
    address_space_unmap(&as, q, plen, true, plen);
    ck_assert_uint_eq(p[0xf0010], 0x33);
    /* A read mapping is direct. */
    plen = 16;
    q = address_space_map(&as, 0xf0010, &plen, false, U);
    ck_assert_ptr_eq(q, p + 0xf0010);
    address_space_unmap(&as, q, plen, false, 0);
    /* A writable cache over it does not write. */
    ck_assert_int_ge(address_space_cache_init(&c, &as, 0xf0000, 0x100, true),
                     1);
    address_space_write_cached(&c, 0x10, "x", 1);
    ck_assert_uint_eq(p[0xf0010], 0x33);
    address_space_cache_destroy(&c);

    /* Read-only container: its RAM child is read-only too. */
    memory_region_init(&box, ms, NULL, "box", 0x1000);
    memory_region_set_readonly(&box, true);
    memory_region_init_alias(&inner, ms, NULL, "inner", &ram, 0, 0x1000);
    memory_region_add_subregion(&box, 0, &inner);
    memory_region_add_subregion(&root, 0x3000000, &box);
    p[0] = 5;
    address_space_stb(&as, 0x3000000, 6, U, NULL);
    ck_assert_uint_eq(p[0], 5);

    memory_region_del_subregion(&root, &box);
    memory_region_del_subregion(&box, &inner);
    memory_region_finalize(&inner);
    memory_region_finalize(&box);
    drop(&pam);
    drop(&ram);
}
END_TEST

START_TEST(ram_device_and_romd_off_through_as)
{
    MemoryRegion bar, flash;
    uint64_t backing[4] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };
    uint8_t buf[16], *p;

    memory_region_init_ram_device_ptr(&bar, ms, NULL, "bar", sizeof(backing),
                                      backing);
    memory_region_add_subregion(&root, 0xc0000000, &bar);
    ck_assert_uint_eq(address_space_read(&as, 0xc0000000, U, buf, 16),
                      MEMTX_OK);
    ck_assert_mem_eq(buf, backing, 16);
    ck_assert_uint_eq(address_space_ldl_le(&as, 0xc0000004, U, NULL),
                      0x11223344);
    address_space_stq_le(&as, 0xc0000010, 0x0102030405060708ull, U, NULL);
    ck_assert_uint_eq(backing[2], 0x0102030405060708ull);
    /* Not clamped past its end into unassigned: the RAM stays in bounds. */
    ck_assert_uint_eq(address_space_read(&as, 0xc000001c, U, buf, 8),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(buf[4], 0xff);

    ck_assert_int_eq(memory_region_init_rom_device(&flash, ms, NULL,
                                                   &flash_ops, NULL, "flash",
                                                   0x1000), 0);
    memory_region_add_subregion(&root, 0xd0000, &flash);
    p = memory_region_get_ram_ptr(&flash);
    p[0] = 0x42;
    ck_assert_uint_eq(address_space_ldub(&as, 0xd0000, U, NULL), 0x42);
    memory_region_rom_device_set_romd(&flash, false);
    /* flash_ops has no read: the device answers nothing. */
    ck_assert_uint_eq(address_space_ldub(&as, 0xd0000, U, NULL), 0xff);
    drop(&flash);
    drop(&bar);
}
END_TEST

static Suite *rw_suite(void)
{
    Suite *s = suite_create("memory-rw-map");
    TCase *tc = tcase_create("rw");
    TCase *tm = tcase_create("map");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ram_rw_and_unassigned);
    tcase_add_test(tc, ld_st_endianness);
    tcase_add_test(tc, mmio_not_clamped_cf8_cf9);
    tcase_add_test(tc, mmio_access_sizes);
    tcase_add_test(tc, write_rom_around_hole);
    tcase_add_test(tc, write_across_nonlinear_aliases);
    tcase_add_test(tc, iommu_walk_clamps_plen);
    tcase_add_test(tc, set_and_access_valid);
    tcase_add_test(tc, dirty_on_write);
    tcase_add_test(tc, write_rom_rom_device_and_wrap);
    tcase_add_test(tc, concurrent_rw_and_commit);
    tcase_add_test(tc, readonly_alias_and_container);
    tcase_add_test(tc, ram_device_and_romd_off_through_as);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(tm, setup, teardown);
    tcase_add_test(tm, map_direct_ram);
    tcase_add_test(tm, map_bounce_and_clients);
    tcase_add_test(tm, bounce_limit_no_race);
    tcase_add_test(tm, map_through_host_ops);
    tcase_add_test(tm, region_cache);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    return run_suite(rw_suite());
}
