/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xensim_p2m.c - xensim's memory model: machine frames separate from
 * gfns. A foreign mapping names frames, so relocating gfns (what xendm does
 * with VRAM: map it once at creation, then move it to the framebuffer BAR)
 * keeps the mapping valid; populate allocates frames, decrease_reservation
 * frees them; the guest side reaches RAM through the p2m.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenforeignmemory.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"
#include "tests/unit/xensim_fixture.h"

#define VRAM_GFN 0x20000ull /* 512 MiB: above the 16 MiB domain's RAM */
#define BAR_GFN 0xf0000ull  /* 0xf0000000: a framebuffer BAR */
#define VRAM_PAGES 16u

static struct xsim_fixture fx;
static struct xsg_guest *g;
static xc_interface *xc;
static xendevicemodel_handle *dm;
static xenforeignmemory_handle *fm;

static void setup(void)
{
    xsim_fixture_setup(&fx, 16, 1);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    xc = xc_interface_open(NULL, NULL, 0);
    dm = xendevicemodel_open(NULL, 0);
    fm = xenforeignmemory_open(NULL, 0);
    ck_assert_ptr_nonnull(xc);
    ck_assert_ptr_nonnull(dm);
    ck_assert_ptr_nonnull(fm);
}

static void teardown(void)
{
    xenforeignmemory_close(fm);
    xendevicemodel_close(dm);
    xc_interface_close(xc);
    xsg_detach(g);
    g = NULL;
    xsim_fixture_teardown(&fx);
}

static uint64_t frames_used(void)
{
    struct xsim_run run;
    struct xsim_dom *d;
    uint64_t n;

    ck_assert_int_eq(xsim_run_open(&run, fx.dir), 0);
    ck_assert_int_eq(xsim_dom_open(&run, 1, &d), 0);
    xsim_lock(d);
    n = d->sh->frames_used;
    xsim_unlock(d);
    xsim_dom_close(d);
    return n;
}

/* This process's foreign-mapping accounting in domain 1. */
static void my_acct(int64_t *maps, int64_t *pages)
{
    struct xsim_run run;
    struct xsim_dom *d;
    struct xsim_acct *a;

    ck_assert_int_eq(xsim_run_open(&run, fx.dir), 0);
    ck_assert_int_eq(xsim_dom_open(&run, 1, &d), 0);
    xsim_lock(d);
    a = xsim_acct_locked(d, getpid(), false);
    *maps = a ? a->foreign_maps : 0;
    *pages = a ? a->foreign_pages : 0;
    xsim_unlock(d);
    xsim_dom_close(d);
}

static void populate(uint64_t gfn, unsigned int n)
{
    xen_pfn_t pfns[64];

    ck_assert_uint_le(n, 64);
    for (unsigned int i = 0; i < n; i++)
        pfns[i] = gfn + i;
    ck_assert_int_eq(xc_domain_populate_physmap_exact(xc, 1, n, 0, 0, pfns), 0);
}

static uint8_t *map_range(uint64_t gfn, unsigned int n)
{
    xen_pfn_t pfns[64];
    int err[64];
    uint8_t *p;

    for (unsigned int i = 0; i < n; i++)
        pfns[i] = gfn + i;
    p = xenforeignmemory_map(fm, 1, PROT_READ | PROT_WRITE, n, pfns, err);
    ck_assert_ptr_nonnull(p);
    for (unsigned int i = 0; i < n; i++)
        ck_assert_int_eq(err[i], 0);
    return p;
}

START_TEST(mapping_survives_relocation)
{
    uint64_t before = frames_used();
    uint8_t *vram, buf[8];

    /* xendm: populate VRAM, map it once (locked), then move it. */
    populate(VRAM_GFN, VRAM_PAGES);
    ck_assert_uint_eq(frames_used(), before + VRAM_PAGES);
    vram = map_range(VRAM_GFN, VRAM_PAGES);
    memcpy(vram + 5 * 4096, "dm-wrote", 8);
    ck_assert_int_eq(xendevicemodel_relocate_memory(dm, 1, VRAM_PAGES, VRAM_GFN,
                                                    BAR_GFN), 0);
    ck_assert(!xsg_ram_populated(g, VRAM_GFN));
    ck_assert(xsg_ram_populated(g, BAR_GFN + VRAM_PAGES - 1));
    ck_assert_uint_eq(frames_used(), before + VRAM_PAGES); /* moved, not copied */
    /* The guest sees the DM's earlier write at the new gfn ... */
    ck_assert_int_eq(xsg_ram_read(g, (BAR_GFN + 5) << 12, buf, 8), 0);
    ck_assert_mem_eq(buf, "dm-wrote", 8);
    /* ... and the old mapping sees the guest's writes made afterwards. */
    ck_assert_int_eq(xsg_ram_write(g, (BAR_GFN + 9) << 12 | 0x10, "guest!", 6), 0);
    ck_assert_mem_eq(vram + 9 * 4096 + 0x10, "guest!", 6);
    ck_assert_int_eq(xsg_ram_fill(g, (BAR_GFN + VRAM_PAGES - 1) << 12, 0x5a, 4096), 0);
    ck_assert_uint_eq(vram[VRAM_PAGES * 4096 - 1], 0x5a);
    /* The old gfns are gone for the guest. */
    ck_assert_int_eq(xsg_ram_read(g, VRAM_GFN << 12, buf, 1), -EFAULT);
    /* A new mapping by the new gfns shows the same frames. */
    {
        uint8_t *again = map_range(BAR_GFN, VRAM_PAGES);

        ck_assert_mem_eq(again + 9 * 4096 + 0x10, "guest!", 6);
        memcpy(again + 2 * 4096, "alias", 5);
        ck_assert_mem_eq(vram + 2 * 4096, "alias", 5);
        ck_assert_int_eq(xenforeignmemory_unmap(fm, again, VRAM_PAGES), 0);
    }
    /* Dirty VRAM tracking follows the gfns the guest writes. */
    {
        unsigned long bm[1];

        ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, BAR_GFN,
                                                         VRAM_PAGES, bm), 0);
        ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, BAR_GFN,
                                                         VRAM_PAGES, bm), 0);
        ck_assert_uint_eq(bm[0], 0);
        ck_assert_int_eq(xsg_ram_write(g, (BAR_GFN + 3) << 12, "x", 1), 0);
        ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, BAR_GFN,
                                                         VRAM_PAGES, bm), 0);
        ck_assert_uint_eq(bm[0], 1ul << 3);
    }
    ck_assert_int_eq(xenforeignmemory_unmap(fm, vram, VRAM_PAGES), 0);
}
END_TEST

START_TEST(relocate_rules)
{
    uint64_t before = frames_used();
    uint8_t buf[4];

    ck_assert_int_eq(xsg_ram_write(g, 0x10000, "src", 3), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x11000, "dst", 3), 0);
    /* Onto a populated gfn: its frame is freed and replaced. */
    ck_assert_int_eq(xendevicemodel_relocate_memory(dm, 1, 1, 0x10, 0x11), 0);
    ck_assert_uint_eq(frames_used(), before - 1);
    ck_assert_int_eq(xsg_ram_read(g, 0x11000, buf, 3), 0);
    ck_assert_mem_eq(buf, "src", 3);
    ck_assert(!xsg_ram_populated(g, 0x10));
    /* An unpopulated source fails (EINVAL); frames before it stay moved. */
    ck_assert_int_eq(xsg_balloon_out(g, 0, 0x12, 1), 0);
    ck_assert_int_eq(xendevicemodel_relocate_memory(dm, 1, 2, 0x11, 0x30000),
                     -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(xsg_ram_populated(g, 0x30000));
    ck_assert(!xsg_ram_populated(g, 0x11));
    ck_assert_int_eq(xsg_ram_read(g, 0x30000000ull, buf, 3), 0);
    ck_assert_mem_eq(buf, "src", 3);
    /* Relocated frames are no longer contiguous with their neighbours:
     * one map call still shows each gfn's own frame. */
    ck_assert_int_eq(xendevicemodel_relocate_memory(dm, 1, 1, 0x30000, 0x21),
                     0);
    ck_assert_int_eq(xsg_ram_write(g, 0x20000, "AA", 2), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x22000, "CC", 2), 0);
    {
        uint8_t *p = map_range(0x20, 3);

        ck_assert_mem_eq(p, "AA", 2);
        ck_assert_mem_eq(p + 4096, "src", 3);
        ck_assert_mem_eq(p + 8192, "CC", 2);
        ck_assert_int_eq(xenforeignmemory_unmap(fm, p, 3), 0);
    }
}
END_TEST

START_TEST(free_and_reuse)
{
    uint64_t before = frames_used();
    xen_pfn_t pfn = 0x40;
    uint8_t *stale, buf[8];

    ck_assert_int_eq(xsg_ram_write(g, 0x40000, "old data", 8), 0);
    stale = map_range(0x40, 1);
    ck_assert_int_eq(xc_domain_decrease_reservation_exact(xc, 1, 1, 0, &pfn),
                     0);
    ck_assert_uint_eq(frames_used(), before - 1);
    ck_assert(!xsg_ram_populated(g, 0x40));
    /* The freed frame was punched; a stale mapping writing to it must not
     * leak into memory populated later. */
    memcpy(stale, "stale!!!", 8);
    populate(0x40, 1);
    ck_assert_uint_eq(frames_used(), before);
    ck_assert_int_eq(xsg_ram_read(g, 0x40000, buf, 8), 0);
    ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\0", 8);
    ck_assert_int_eq(xsg_ram_write(g, 0x40000, "new data", 8), 0);
    ck_assert_mem_ne(stale, "new data", 8);
    ck_assert_int_eq(xenforeignmemory_unmap(fm, stale, 1), 0);
    /* Guest balloon out/in the same way. */
    ck_assert_int_eq(xsg_balloon_out(g, 0, 0x41, 2), 0);
    ck_assert_uint_eq(frames_used(), before - 2);
    ck_assert_int_eq(xsg_balloon_in(g, 0x41, 2), 0);
    ck_assert_uint_eq(frames_used(), before);
    ck_assert_int_eq(xsg_ram_read(g, 0x41ff8, buf, 8), 0);
    ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\0", 8);
}
END_TEST

START_TEST(map_fixed_over_tracked)
{
    xen_pfn_t pfn = 0x50;
    int64_t maps, pages;
    uint8_t *p, *q;
    int err;

    p = map_range(0x60, 4);
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 1);
    ck_assert_int_eq(pages, 4);
    /* One page in the middle replaced in place: the old record is split
     * around it, no page is counted twice. */
    ck_assert_int_eq(xsg_ram_write(g, 0x50000, "P50", 3), 0);
    q = xenforeignmemory_map2(fm, 1, p + 4096, PROT_READ | PROT_WRITE,
                              MAP_FIXED, 1, &pfn, &err);
    ck_assert_ptr_eq(q, p + 4096);
    ck_assert_int_eq(err, 0);
    ck_assert_mem_eq(p + 4096, "P50", 3);
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 3);
    ck_assert_int_eq(pages, 4);
    /* Over the whole tail record: it goes, the new one replaces it. */
    {
        xen_pfn_t two[2] = { 0x70, 0x71 };
        int e2[2];

        ck_assert_ptr_eq(xenforeignmemory_map2(fm, 1, p + 2 * 4096,
                                               PROT_READ, MAP_FIXED, 2, two,
                                               e2), p + 2 * 4096);
    }
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 3);
    ck_assert_int_eq(pages, 4);
    /* Unmapping the whole range drops every record in it. */
    ck_assert_int_eq(xenforeignmemory_unmap(fm, p, 4), 0);
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 0);
    ck_assert_int_eq(pages, 0);
    /* A partial unmap trims. */
    p = map_range(0x60, 4);
    ck_assert_int_eq(xenforeignmemory_unmap(fm, p, 1), 0);
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 1);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(xenforeignmemory_unmap(fm, p + 4096, 3), 0);
    my_acct(&maps, &pages);
    ck_assert_int_eq(maps, 0);
    ck_assert_int_eq(pages, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("xensim_p2m");
    TCase *tc = tcase_create("p2m");

    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mapping_survives_relocation);
    tcase_add_test(tc, relocate_rules);
    tcase_add_test(tc, free_and_reuse);
    tcase_add_test(tc, map_fixed_over_tracked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
