/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mapcache_seam.c - the mapcache behind the memory API's RAMBlock seam
 * (xen_map_cache_host_ops()), on xensim: main RAM is a RAM_NOALLOC block at
 * ram_addr 0 (== guest physical), VRAM a block whose frames are populated
 * at gfn = ram_addr >> 12. Checks what each memory-API entry point gets:
 * qemu_map_ram_ptr() of RAM a short unlocked mapping, of VRAM one locked
 * non-dma mapping of the whole block; qemu_ram_ptr_length(lock) a locked
 * dma mapping that qemu_ram_unmap_locked() releases; pointers translate
 * back with qemu_ram_block_from_host(); address_space_map() pins a locked
 * dma mapping that address_space_unmap() releases.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

#include "mapcache/mapcache.h"
#include "memory/memory.h"
#include "stubs/guest/guest.h"
#include "tests/unit/xensim_fixture.h"
#include "util/log.h"

#define MiB (1ull << 20)
#define DOMID 1u
#define RAM_SIZE (64 * MiB)
#define VRAM_SIZE (4 * MiB)

static struct xsim_fixture fx;
static struct xsg_guest *guest;
static MapCache *mc;
static MemorySystem *ms;
static RAMBlock *ram, *vram;

struct capture {
    int count;
    char all[4096];
};

static struct capture cap;

static void capture_sink(void *opaque, enum log_level level, const char *msg)
{
    struct capture *c = opaque;
    size_t used = strlen(c->all);

    (void)level;
    c->count++;
    snprintf(c->all + used, sizeof(c->all) - used, "%s\n", msg);
}

static MapCacheStats stats(void)
{
    MapCacheStats s;

    xen_map_cache_get_stats(mc, &s);
    return s;
}

static void setup(void)
{
    MapCacheConfig cfg = { .domid = DOMID };
    xc_interface *xch;
    xen_pfn_t pfn;

    xsim_fixture_setup(&fx, RAM_SIZE >> 20, 1);
    ck_assert_int_eq(xsg_attach(fx.dir, DOMID, &guest), 0);
    ck_assert_int_eq(xen_map_cache_init(&cfg, &mc), 0);
    ms = memory_system_new();
    ck_assert_ptr_nonnull(ms);
    memory_system_set_default_ram_host_ops(ms, xen_map_cache_host_ops(mc));
    ck_assert_int_eq(ram_block_add(ms, "pc.ram", RAM_SIZE, RAM_SIZE,
                                   RAM_NOALLOC, NULL, 0, &ram), 0);
    ck_assert_int_eq(ram_block_add(ms, "vga.vram", VRAM_SIZE, VRAM_SIZE, 0,
                                   NULL, RAM_ADDR_INVALID, &vram), 0);
    ck_assert_uint_ge(vram->offset, RAM_SIZE);
    /* What xen/ does for a block that is not main RAM. */
    xch = xc_interface_open(NULL, NULL, 0);
    ck_assert_ptr_nonnull(xch);
    for (uint64_t i = 0; i < VRAM_SIZE >> 20; i++) {
        pfn = (vram->offset >> 12) + (i << 8);
        ck_assert_int_eq(xc_domain_populate_physmap_exact(xch, DOMID, 1, 8, 0,
                                                          &pfn), 0);
    }
    xc_interface_close(xch);
    memset(&cap, 0, sizeof(cap));
    log_set_sink(capture_sink, &cap);
}

static void teardown(void)
{
    ram_block_free(vram);
    ram_block_free(ram);
    ck_assert_uint_eq(stats().locked, 0); /* the whole-block map was dropped */
    memory_system_free(ms);
    xen_map_cache_destroy(mc);
    log_set_sink(NULL, NULL);
    xsg_detach(guest);
    xsim_fixture_teardown(&fx);
}

START_TEST(main_ram_short_unlocked)
{
    uint8_t *p, *q;
    uint8_t v = 0x3c;

    ck_assert_int_eq(xsg_ram_write(guest, 0x1234567, &v, 1), 0);
    p = qemu_map_ram_ptr(ms, ram, 0x1234567);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(*p, v);
    ck_assert_uint_eq(stats().locked, 0);
    ck_assert_uint_eq(stats().mapped_bytes, MiB); /* one bucket, not more */
    q = qemu_map_ram_ptr(ms, NULL, 0x1234568); /* by ram_addr: MRU */
    ck_assert_ptr_eq(q, p + 1);
    ck_assert_uint_eq(stats().mru_hits, 1);
    /* Unlocked qemu_ram_ptr_length() is cut at the bucket end. */
    {
        uint64_t size = 3 * MiB;

        p = qemu_ram_ptr_length(ms, ram, 0x2f00000, &size, false);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(size, 0x100000);
        ck_assert_uint_eq(stats().locked, 0);
    }
    /* The VGA hole is not populated: NULL, no crash. */
    ck_assert_ptr_null(qemu_map_ram_ptr(ms, ram, 0xa0000));
}
END_TEST

START_TEST(vram_locked_whole_block_not_dma)
{
    uint8_t *p, *q;
    char buf[8] = { 0 };
    RAMBlock *b;
    ram_addr_t off = 0;

    p = qemu_map_ram_ptr(ms, vram, 0x10);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(stats().locked, 1);
    ck_assert_uint_eq(stats().locked_dma, 0);
    ck_assert_uint_eq(stats().mapped_bytes, VRAM_SIZE);
    q = qemu_map_ram_ptr(ms, vram, VRAM_SIZE - 8);
    ck_assert_ptr_eq(q, p - 0x10 + VRAM_SIZE - 8);
    ck_assert_uint_eq(stats().locked, 1); /* made once and kept */
    memcpy(q, "fb-end", 7);
    ck_assert_int_eq(xsg_ram_read(guest, vram->offset + VRAM_SIZE - 8, buf, 7),
                     0);
    ck_assert_str_eq(buf, "fb-end");
    /* An invalidation keeps it and says nothing. */
    xen_invalidate_map_cache(mc);
    ck_assert_uint_eq(stats().live_entries, 1);
    ck_assert_int_eq(cap.count, 0);
    ck_assert_str_eq((char *)q, "fb-end");
    b = qemu_ram_block_from_host(ms, q, &off);
    ck_assert_ptr_eq(b, vram);
    ck_assert_uint_eq(off, VRAM_SIZE - 8);
}
END_TEST

START_TEST(dma_locked_and_released)
{
    uint64_t size = 0x3000;
    uint8_t *p;
    RAMBlock *b;
    ram_addr_t off = 0;
    char expect[160];

    p = qemu_ram_ptr_length(ms, NULL, 0x2345000, &size, true);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(size, 0x3000);
    ck_assert_uint_eq(stats().locked_dma, 1);
    b = qemu_ram_block_from_host(ms, p + 0x10, &off);
    ck_assert_ptr_eq(b, ram);
    ck_assert_uint_eq(off, 0x2345010);
    xen_invalidate_map_cache(mc);
    snprintf(expect, sizeof(expect),
             "Locked DMA mapping while invalidating mapcache! guest 0x2345000 -> host "
             "%p, 12288 bytes", (void *)p);
    ck_assert_msg(strstr(cap.all, expect), "log: %s", cap.all);
    qemu_ram_unmap_locked(ms, ram, p);
    ck_assert_uint_eq(stats().locked, 0);
    ck_assert_uint_eq(stats().unknown_unlocks, 0);
    /* Locked DMA across buckets is one contiguous mapping. */
    size = 2 * MiB;
    p = qemu_ram_ptr_length(ms, ram, 7 * MiB + 0x800, &size, true);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(size, 2 * MiB);
    p[2 * MiB - 1] = 0x42;
    qemu_ram_unmap_locked(ms, ram, p);
    {
        uint8_t r = 0;

        ck_assert_int_eq(xsg_ram_read(guest, 9 * MiB + 0x7ff, &r, 1), 0);
        ck_assert_uint_eq(r, 0x42);
    }
    ck_assert_uint_eq(stats().locked, 0);
}
END_TEST

START_TEST(address_space_map_is_locked_dma)
{
    MemoryRegion root, ram_mr;
    AddressSpace as;
    hwaddr len = 0x3000;
    uint8_t *p;
    char buf[16] = { 0 };

    memory_region_init(&root, ms, NULL, "system", UINT64_MAX);
    memory_region_init_ram_from_block(&ram_mr, ms, NULL, "pc.ram", ram);
    memory_region_add_subregion(&root, 0, &ram_mr);
    address_space_init(&as, ms, &root, "memory");

    p = address_space_map(&as, 0x2345000, &len, true, MEMTXATTRS_UNSPECIFIED);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(len, 0x3000);
    ck_assert_uint_eq(stats().locked, 1);
    ck_assert_uint_eq(stats().locked_dma, 1);
    memcpy(p + 0x2ff0, "dma-write", 10);
    address_space_unmap(&as, p, len, true, len);
    ck_assert_uint_eq(stats().locked, 0);
    ck_assert_uint_eq(stats().unknown_unlocks, 0);
    ck_assert_int_eq(xsg_ram_read(guest, 0x2347ff0, buf, 10), 0);
    ck_assert_str_eq(buf, "dma-write");

    /* Plain rw takes short unlocked mappings. */
    ck_assert_int_eq(address_space_write(&as, 0xfffff8, MEMTXATTRS_UNSPECIFIED,
                                         "crosses!", 9), MEMTX_OK);
    ck_assert_uint_eq(stats().locked, 0);
    memset(buf, 0, sizeof(buf));
    ck_assert_int_eq(xsg_ram_read(guest, 0xfffff8, buf, 9), 0);
    ck_assert_str_eq(buf, "crosses!");
    memset(buf, 0, sizeof(buf));
    ck_assert_int_eq(address_space_read(&as, 0xfffff8, MEMTXATTRS_UNSPECIFIED,
                                        buf, 9), MEMTX_OK);
    ck_assert_str_eq(buf, "crosses!");

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram_mr);
    memory_region_finalize(&ram_mr);
    memory_region_finalize(&root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mapcache-seam");
    TCase *tc = tcase_create("seam");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, main_ram_short_unlocked);
    tcase_add_test(tc, vram_locked_whole_block_not_dma);
    tcase_add_test(tc, dma_locked_and_released);
    tcase_add_test(tc, address_space_map_is_locked_dma);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
