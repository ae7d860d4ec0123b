/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ramblock_dirty.c - RAM blocks (offsets, names, lookups, resize,
 * the host-ops seam) and dirty bitmaps (set/get/reset, test-and-clear,
 * snapshots, log_sync, ram_addr ranges, concurrent setters).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "tests/unit/memory/access_helpers.h"
#include "util/log.h"

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

START_TEST(add_lookup_free)
{
    RAMBlock *a, *b, *c, *x = (RAMBlock *)1;
    ram_addr_t off = 0;
    uint8_t ext[0x1000];

    ck_assert_int_eq(ram_block_add(ms, "a", 0x2800, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &a), 0);
    ck_assert_int_eq(ram_block_add(ms, "b", 0x1000, 0, RAM_PREALLOC, ext,
                                   RAM_ADDR_INVALID, &b), 0);
    ck_assert_uint_eq(qemu_ram_get_offset(a), 0);
    ck_assert_uint_eq(qemu_ram_get_offset(b), 0x3000);   /* page-aligned */
    ck_assert_ptr_eq(b->host, ext);
    ck_assert_int_eq(ram_block_add(ms, "fixed", 0x1000, 0x1000, RAM_NOALLOC,
                                   NULL, 0x100000, &c), 0);
    ck_assert_uint_eq(qemu_ram_get_offset(c), 0x100000);
    ck_assert_ptr_null(c->host);
    ck_assert_int_eq(ram_block_add(ms, "clash", 0x1000, 0, 0, NULL, 0x3000, &x),
                     -EBUSY);
    ck_assert_ptr_null(x);
    ck_assert_int_eq(ram_block_add(ms, "a", 0x1000, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &x), -EEXIST);
    ck_assert_int_eq(ram_block_add(ms, "zero", 0, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &x), -EINVAL);

    ck_assert_ptr_eq(qemu_ram_block_by_name(ms, "b"), b);
    ck_assert_ptr_null(qemu_ram_block_by_name(ms, "nope"));
    ck_assert_ptr_eq(qemu_get_ram_block(ms, 0x27ff), a);
    ck_assert_ptr_null(qemu_get_ram_block(ms, 0x2800));
    ck_assert_ptr_eq(qemu_get_ram_block(ms, 0x3fff), b);
    ck_assert_ptr_eq(qemu_get_ram_block(ms, 0x100fff), c);
    ck_assert_ptr_eq(qemu_ram_block_from_host(ms, ext + 0x10, &off), b);
    ck_assert_uint_eq(off, 0x10);
    ck_assert_ptr_eq(qemu_ram_block_from_host(ms, a->host + 0x2000, &off), a);
    ck_assert_uint_eq(off, 0x2000);
    ck_assert_ptr_null(qemu_ram_block_from_host(ms, &off, &off));
    ck_assert_str_eq(qemu_ram_get_idstr(a), "a");
    ck_assert_uint_eq(qemu_ram_get_used_length(a), 0x2800);

    /* Pointers by ram_addr (block NULL) and by offset. */
    ck_assert_ptr_eq(qemu_map_ram_ptr(ms, NULL, 0x3004), ext + 4);
    ck_assert_ptr_eq(qemu_map_ram_ptr(ms, a, 8), a->host + 8);
    uint64_t sz = 0x10000;
    ck_assert_ptr_eq(qemu_ram_ptr_length(ms, NULL, 0x2000, &sz, false),
                     a->host + 0x2000);
    ck_assert_uint_eq(sz, 0x800);                /* clamped to the block */
    sz = 4;
    ck_assert_ptr_null(qemu_ram_ptr_length(ms, NULL, 0x2900, &sz, false));
    ck_assert_uint_eq(sz, 0);
    ck_assert_ptr_null(qemu_map_ram_ptr(ms, c, 0));   /* no host, no ops */

    ram_block_free(b);
    ck_assert_ptr_null(qemu_ram_block_by_name(ms, "b"));
    ck_assert_ptr_null(qemu_get_ram_block(ms, 0x3000));
    ram_block_free(a);
    ram_block_free(c);
}
END_TEST

START_TEST(region_ram_ptr_and_from_block)
{
    MemoryRegion ram, view;
    RAMBlock *blk;
    uint8_t *p;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "vga.vram",
                                            0x4000), 0);
    blk = qemu_ram_block_by_name(ms, "vga.vram");
    ck_assert_ptr_nonnull(blk);
    ck_assert_ptr_eq(blk->mr, &ram);
    p = memory_region_get_ram_ptr(&ram);
    ck_assert_ptr_eq(p, blk->host);
    ck_assert_uint_eq(memory_region_get_ram_addr(&ram), blk->offset);
    p[0x3fff] = 1;                               /* whole size usable */
    memory_region_finalize(&ram);
    ck_assert_ptr_null(qemu_ram_block_by_name(ms, "vga.vram"));

    /* A region over a caller's block does not free it. */
    ck_assert_int_eq(ram_block_add(ms, "shared", 0x1000, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &blk), 0);
    memory_region_init_ram_from_block(&view, ms, NULL, "view", blk);
    ck_assert_ptr_eq(memory_region_get_ram_ptr(&view), blk->host);
    memory_region_finalize(&view);
    ck_assert_ptr_eq(qemu_ram_block_by_name(ms, "shared"), blk);
    ram_block_free(blk);
}
END_TEST

static int resized_calls;
static uint64_t resized_len;

static void on_resized(const char *id, uint64_t length, void *host)
{
    resized_calls++;
    resized_len = length;
    ck_assert_str_eq(id, "rr");
    ck_assert_ptr_nonnull(host);
}

START_TEST(resize)
{
    MemoryRegion rr, fixed;

    resized_calls = 0;
    ck_assert_int_eq(memory_region_init_resizeable_ram(&rr, ms, NULL, "rr",
                                                       0x2000, 0x8000,
                                                       on_resized), 0);
    ck_assert_int_eq(memory_region_ram_resize(&rr, 0x5000), 0);
    ck_assert_int_eq(resized_calls, 1);
    ck_assert_uint_eq(resized_len, 0x5000);
    ck_assert_uint_eq(memory_region_size(&rr), 0x5000);
    ck_assert_uint_eq(qemu_ram_get_used_length(rr.ram_block), 0x5000);
    /* The new contents are dirty for every client. */
    ck_assert(memory_region_get_dirty(&rr, 0x4000, 1, DIRTY_MEMORY_VGA));
    ck_assert(memory_region_get_dirty(&rr, 0x4000, 1, DIRTY_MEMORY_MIGRATION));
    ck_assert_int_eq(memory_region_ram_resize(&rr, 0x9000), -EINVAL);
    ck_assert_int_eq(memory_region_ram_resize(&rr, 0x5000), 0);
    ck_assert_int_eq(resized_calls, 1);
    ck_assert_int_eq(memory_region_ram_resize(&rr, 0x1000), 0);
    ck_assert_uint_eq(memory_region_size(&rr), 0x1000);
    ck_assert_int_eq(resized_calls, 2);

    ck_assert_int_eq(memory_region_init_ram(&fixed, ms, NULL, "fixed", 0x1000),
                     0);
    ck_assert_int_eq(memory_region_ram_resize(&fixed, 0x2000), -EINVAL);
    memory_region_finalize(&fixed);
    memory_region_finalize(&rr);
}
END_TEST

/* A fake mapcache counting what it is asked. */
struct fake_mc {
    RAMBlockHostOps ops;
    uint8_t mem[0x8000];
    int maps, locked, dma, unmaps, from_host;
};

static void *fmc_map(void *opaque, RAMBlock *block, ram_addr_t offset,
                     uint64_t *size, bool lock, bool dma)
{
    struct fake_mc *f = opaque;

    f->maps++;
    f->locked += lock;
    f->dma += dma;
    if (offset + *size > sizeof(f->mem) / 2) {
        *size = 0;
        return NULL;
    }
    /* Each block gets its half of mem (by name). */
    return f->mem + (block->idstr[0] == 'm' ? 0 : 0x4000) + offset;
}

static void fmc_unmap(void *opaque, void *host)
{
    ((struct fake_mc *)opaque)->unmaps++;
}

static ram_addr_t fmc_from_host(void *opaque, void *host)
{
    struct fake_mc *f = opaque;
    uint8_t *h = host;

    f->from_host++;
    if (h >= f->mem && h < f->mem + 0x4000)
        return 0x100000000ull + (ram_addr_t)(h - f->mem);
    return RAM_ADDR_INVALID;
}

START_TEST(host_ops_seam)
{
    struct fake_mc *f = calloc(1, sizeof(*f));
    RAMBlock *main_ram, *vram;
    ram_addr_t off;
    uint64_t sz;
    void *p, *q;

    f->ops = (RAMBlockHostOps){ fmc_map, fmc_unmap, fmc_from_host, f };
    memory_system_set_default_ram_host_ops(ms, &f->ops);
    ck_assert_int_eq(ram_block_add(ms, "main", 0x4000, 0, RAM_NOALLOC, NULL,
                                   0x100000000ull, &main_ram), 0);
    ck_assert_int_eq(ram_block_add(ms, "vram", 0x4000, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &vram), 0);
    memory_system_set_default_ram_host_ops(ms, NULL);
    ck_assert_ptr_eq(main_ram->host_ops, &f->ops);

    /* Main RAM: short unlocked mappings each time. */
    p = qemu_map_ram_ptr(ms, main_ram, 0x1234);
    ck_assert_ptr_eq(p, f->mem + 0x1234);
    ck_assert_int_eq(f->maps, 1);
    ck_assert_int_eq(f->locked, 0);
    qemu_map_ram_ptr(ms, NULL, 0x100000010ull);
    ck_assert_int_eq(f->maps, 2);

    /* Other blocks: one locked non-dma mapping of the whole block. */
    p = qemu_map_ram_ptr(ms, vram, 0x10);
    q = qemu_map_ram_ptr(ms, vram, 0x20);
    ck_assert_ptr_eq(p, f->mem + 0x4010);
    ck_assert_ptr_eq(q, f->mem + 0x4020);
    ck_assert_int_eq(f->maps, 3);
    ck_assert_int_eq(f->locked, 1);
    ck_assert_int_eq(f->dma, 0);
    ck_assert_ptr_eq(qemu_ram_block_from_host(ms, q, &off), vram);
    ck_assert_uint_eq(off, 0x20);

    /* Locked length mappings are DMA and dropped by unmap_locked. */
    sz = 0x100;
    p = qemu_ram_ptr_length(ms, main_ram, 0x200, &sz, true);
    ck_assert_ptr_eq(p, f->mem + 0x200);
    ck_assert_int_eq(f->dma, 1);
    ck_assert_ptr_eq(qemu_ram_block_from_host(ms, p, &off), main_ram);
    ck_assert_uint_eq(off, 0x200);
    ck_assert_int_ge(f->from_host, 1);
    qemu_ram_unmap_locked(ms, main_ram, p);
    ck_assert_int_eq(f->unmaps, 1);

    /* Detaching the ops drops the whole-block mapping. */
    qemu_ram_set_host_ops(vram, NULL);
    ck_assert_int_eq(f->unmaps, 2);
    ck_assert_ptr_eq(qemu_map_ram_ptr(ms, vram, 0), vram->host);
    ram_block_free(vram);
    ram_block_free(main_ram);
    free(f);
}
END_TEST

START_TEST(dirty_set_get_reset)
{
    MemoryRegion ram;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram",
                                            200 * TARGET_PAGE_SIZE), 0);
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++)
        ck_assert(!memory_region_get_dirty(&ram, 0, 200 * TARGET_PAGE_SIZE, c));
    /* Pages 60..70 (crossing a bitmap word). */
    memory_region_set_dirty(&ram, 60 * TARGET_PAGE_SIZE + 5,
                            10 * TARGET_PAGE_SIZE);
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        ck_assert(memory_region_get_dirty(&ram, 60 * TARGET_PAGE_SIZE, 1, c));
        ck_assert(memory_region_get_dirty(&ram, 70 * TARGET_PAGE_SIZE, 1, c));
        ck_assert(!memory_region_get_dirty(&ram, 59 * TARGET_PAGE_SIZE,
                                           TARGET_PAGE_SIZE, c));
        ck_assert(!memory_region_get_dirty(&ram, 71 * TARGET_PAGE_SIZE,
                                           100 * TARGET_PAGE_SIZE, c));
    }
    memory_region_reset_dirty(&ram, 64 * TARGET_PAGE_SIZE, TARGET_PAGE_SIZE,
                              DIRTY_MEMORY_VGA);
    ck_assert(!memory_region_get_dirty(&ram, 64 * TARGET_PAGE_SIZE, 1,
                                       DIRTY_MEMORY_VGA));
    ck_assert(memory_region_get_dirty(&ram, 64 * TARGET_PAGE_SIZE, 1,
                                      DIRTY_MEMORY_CODE));
    ck_assert(memory_region_test_and_clear_dirty(&ram, 0,
                                                 100 * TARGET_PAGE_SIZE,
                                                 DIRTY_MEMORY_VGA));
    ck_assert(!memory_region_test_and_clear_dirty(&ram, 0,
                                                  100 * TARGET_PAGE_SIZE,
                                                  DIRTY_MEMORY_VGA));
    ck_assert(!memory_region_get_dirty(&ram, 0, 200 * TARGET_PAGE_SIZE,
                                       DIRTY_MEMORY_VGA));
    ck_assert(memory_region_get_dirty(&ram, 0, 200 * TARGET_PAGE_SIZE,
                                      DIRTY_MEMORY_MIGRATION));
    /* Zero-length and out-of-range queries are harmless. */
    ck_assert(!memory_region_get_dirty(&ram, 0, 0, DIRTY_MEMORY_CODE));
    ck_assert(!memory_region_get_dirty(&ram, 300 * TARGET_PAGE_SIZE, 1,
                                       DIRTY_MEMORY_CODE));
    memory_region_finalize(&ram);
}
END_TEST

static int syncs;

static void count_sync(MemoryListener *l, MemoryRegionSection *s)
{
    syncs++;
}

START_TEST(snapshot_and_log_sync)
{
    MemoryRegion root, ram;
    AddressSpace as;
    MemoryListener l = { .log_sync = count_sync, .name = "sync" };
    DirtyBitmapSnapshot *snap;

    memory_region_init(&root, ms, NULL, "root", UINT64_MAX);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "vram",
                                            100 * TARGET_PAGE_SIZE), 0);
    memory_region_add_subregion(&root, 0xa0000000, &ram);
    address_space_init(&as, ms, &root, "memory");
    memory_listener_register(&l, ms, NULL);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);

    memory_region_set_dirty(&ram, 3 * TARGET_PAGE_SIZE, 1);
    memory_region_set_dirty(&ram, 80 * TARGET_PAGE_SIZE, 1);
    syncs = 0;
    snap = memory_region_snapshot_and_clear_dirty(&ram, 0,
                                                  64 * TARGET_PAGE_SIZE,
                                                  DIRTY_MEMORY_VGA);
    ck_assert_ptr_nonnull(snap);
    ck_assert_int_ge(syncs, 1);                  /* log_sync ran first */
    ck_assert(memory_region_snapshot_get_dirty(&ram, snap,
                                               3 * TARGET_PAGE_SIZE, 1));
    ck_assert(!memory_region_snapshot_get_dirty(&ram, snap,
                                                4 * TARGET_PAGE_SIZE,
                                                10 * TARGET_PAGE_SIZE));
    ck_assert(memory_region_snapshot_get_dirty(&ram, snap, 0,
                                               64 * TARGET_PAGE_SIZE));
    /* Captured bits are cleared; bits outside the range are kept. */
    ck_assert(!memory_region_get_dirty(&ram, 3 * TARGET_PAGE_SIZE, 1,
                                       DIRTY_MEMORY_VGA));
    ck_assert(memory_region_get_dirty(&ram, 80 * TARGET_PAGE_SIZE, 1,
                                      DIRTY_MEMORY_VGA));
    ck_assert(memory_region_get_dirty(&ram, 3 * TARGET_PAGE_SIZE, 1,
                                      DIRTY_MEMORY_CODE));
    dirty_bitmap_snapshot_free(snap);

    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    memory_listener_unregister(&l);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}
END_TEST

START_TEST(ram_addr_dirty_range)
{
    RAMBlock *a, *b;

    ck_assert_int_eq(ram_block_add(ms, "a", 4 * TARGET_PAGE_SIZE, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &a), 0);
    ck_assert_int_eq(ram_block_add(ms, "b", 4 * TARGET_PAGE_SIZE, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &b), 0);
    /* Last page of a and first of b, VGA only. */
    cpu_physical_memory_set_dirty_range(ms, 3 * TARGET_PAGE_SIZE,
                                        2 * TARGET_PAGE_SIZE,
                                        1u << DIRTY_MEMORY_VGA);
    ck_assert_uint_eq(a->dirty_bmap[DIRTY_MEMORY_VGA][0], 0x8);
    ck_assert_uint_eq(b->dirty_bmap[DIRTY_MEMORY_VGA][0], 0x1);
    ck_assert_uint_eq(b->dirty_bmap[DIRTY_MEMORY_CODE][0], 0);
    ram_block_free(a);
    ram_block_free(b);
}
END_TEST

#define RACE_PAGES 4096
#define RACE_THREADS 4

struct setter {
    MemoryRegion *mr;
    unsigned id;
};

static void *set_pages(void *opaque)
{
    struct setter *s = opaque;

    for (unsigned p = s->id; p < RACE_PAGES; p += RACE_THREADS)
        memory_region_set_dirty(s->mr, (hwaddr)p * TARGET_PAGE_SIZE, 1);
    return NULL;
}

START_TEST(snapshot_loses_no_bit)
{
    MemoryRegion ram;
    pthread_t t[RACE_THREADS];
    struct setter s[RACE_THREADS];
    static bool seen[RACE_PAGES];
    uint64_t len = (uint64_t)RACE_PAGES * TARGET_PAGE_SIZE;

    memset(seen, 0, sizeof(seen));
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "big", len), 0);
    for (unsigned i = 0; i < RACE_THREADS; i++) {
        s[i] = (struct setter){ &ram, i };
        pthread_create(&t[i], NULL, set_pages, &s[i]);
    }
    for (int round = 0; round < 50; round++) {
        DirtyBitmapSnapshot *snap = memory_region_snapshot_and_clear_dirty(
            &ram, 0, len, DIRTY_MEMORY_VGA);

        for (unsigned p = 0; p < RACE_PAGES; p++)
            if (memory_region_snapshot_get_dirty(&ram, snap,
                                                 (hwaddr)p * TARGET_PAGE_SIZE,
                                                 1))
                seen[p] = true;
        dirty_bitmap_snapshot_free(snap);
    }
    for (unsigned i = 0; i < RACE_THREADS; i++)
        pthread_join(t[i], NULL);
    for (unsigned p = 0; p < RACE_PAGES; p++)
        if (memory_region_get_dirty(&ram, (hwaddr)p * TARGET_PAGE_SIZE, 1,
                                    DIRTY_MEMORY_VGA))
            seen[p] = true;
    for (unsigned p = 0; p < RACE_PAGES; p++)
        ck_assert_msg(seen[p], "page %u lost", p);
    memory_region_finalize(&ram);
}
END_TEST

struct hook_log {
    int added, removed, refuse;
    ram_addr_t last_start, last_len;
    int dirtied;
    RAMBlock *last_block;
};

static int hk_added(void *opaque, RAMBlock *block)
{
    struct hook_log *h = opaque;

    h->last_block = block;
    if (h->refuse)
        return -ENOSPC;
    h->added++;
    return 0;
}

static void hk_removed(void *opaque, RAMBlock *block)
{
    struct hook_log *h = opaque;

    h->removed++;
    h->last_block = block;
}

static void hk_dirtied(void *opaque, ram_addr_t start, ram_addr_t len)
{
    struct hook_log *h = opaque;

    h->dirtied++;
    h->last_start = start;
    h->last_len = len;
}

START_TEST(system_hooks)
{
    struct hook_log h = { 0 };
    const MemorySystemHooks hooks = {
        .ram_block_added = hk_added,
        .ram_block_removed = hk_removed,
        .ram_dirtied = hk_dirtied,
        .opaque = &h,
    };
    MemoryRegion root, ram;
    AddressSpace as;
    RAMBlock *b;
    uint32_t v = 0x11223344;

    memory_system_set_hooks(ms, &hooks);
    ck_assert_int_eq(ram_block_add(ms, "a", 0x2000, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &b), 0);
    ck_assert_int_eq(h.added, 1);
    ck_assert_ptr_eq(h.last_block, b);
    ram_block_free(b);
    ck_assert_int_eq(h.removed, 1);

    /* A refused block is not kept: the name is free again. */
    h.refuse = 1;
    ck_assert_int_eq(ram_block_add(ms, "b", 0x2000, 0, 0, NULL,
                                   RAM_ADDR_INVALID, &b), -ENOSPC);
    ck_assert_ptr_null(b);
    ck_assert_ptr_null(qemu_ram_block_by_name(ms, "b"));
    h.refuse = 0;

    /* DM writes to RAM are reported only while global dirty log is on. */
    memory_region_init(&root, ms, NULL, "root", UINT64_MAX);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x10000), 0);
    memory_region_add_subregion(&root, 0x100000, &ram);
    address_space_init(&as, ms, &root, "as");
    address_space_write(&as, 0x101000, MEMTXATTRS_UNSPECIFIED, &v, 4);
    ck_assert_int_eq(h.dirtied, 0);
    memory_global_dirty_log_start(ms);
    address_space_write(&as, 0x102ffe, MEMTXATTRS_UNSPECIFIED, &v, 4);
    ck_assert_int_gt(h.dirtied, 0);
    ck_assert_uint_eq(h.last_start + h.last_len,
                      memory_region_get_ram_addr(&ram) + 0x3002);
    memory_global_dirty_log_stop(ms);
    h.dirtied = 0;
    address_space_write(&as, 0x101000, MEMTXATTRS_UNSPECIFIED, &v, 4);
    ck_assert_int_eq(h.dirtied, 0);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
    ck_assert_int_eq(h.removed, 2);
    memory_system_set_hooks(ms, NULL);
}
END_TEST

static Suite *ramblock_suite(void)
{
    Suite *s = suite_create("memory-ramblock-dirty");
    TCase *tr = tcase_create("ramblock");
    TCase *td = tcase_create("dirty");

    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, add_lookup_free);
    tcase_add_test(tr, region_ram_ptr_and_from_block);
    tcase_add_test(tr, resize);
    tcase_add_test(tr, host_ops_seam);
    tcase_add_test(tr, system_hooks);
    suite_add_tcase(s, tr);
    tcase_add_checked_fixture(td, setup, teardown);
    tcase_add_test(td, dirty_set_get_reset);
    tcase_add_test(td, snapshot_and_log_sync);
    tcase_add_test(td, ram_addr_dirty_range);
    tcase_add_test(td, snapshot_loses_no_bit);
    tcase_set_timeout(td, 60);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    return run_suite(ramblock_suite());
}
