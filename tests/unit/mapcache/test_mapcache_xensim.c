/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mapcache_xensim.c - the mapcache against xensim's drop-in
 * libxenforeignmemory (loaded through the test's run path), on a 64 MiB
 * domain created by the shared xensim fixture. Map calls and outstanding
 * foreign mappings are read from xensim's per-process accounting; guest
 * RAM is read and written through the guest side (xsg_ram_*); frames are
 * given back and repopulated with libxenctrl, as a device model would see
 * a balloon driver do it.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "mapcache/mapcache.h"
#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"
#include "tests/unit/xensim_fixture.h"
#include "util/log.h"

#define MiB (1ull << 20)
#define DOMID 1u

static struct xsim_fixture fx;
static struct xsg_guest *guest;
static MapCache *mc;

/* ---- log capture -------------------------------------------------------- */

struct capture {
    int count;
    char all[8192];
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

static void capture_start(void)
{
    memset(&cap, 0, sizeof(cap));
    log_set_sink(capture_sink, &cap);
}

/* ---- fixture ------------------------------------------------------------ */

static struct xsim_acct fm_acct(void)
{
    struct xsim_acct a = { 0 }, *p;
    struct xsim_run run;
    struct xsim_dom *d;

    ck_assert_int_eq(xsim_run_open(&run, fx.dir), 0);
    ck_assert_int_eq(xsim_dom_open(&run, DOMID, &d), 0);
    xsim_lock(d);
    p = xsim_acct_locked(d, getpid(), false);
    if (p)
        a = *p;
    xsim_unlock(d);
    xsim_dom_close(d);
    return a;
}

/* Pages of the domain's RAM file mapped in this process right now: the
 * kernel's view of outstanding foreign mappings (xensim's own accounting
 * does not see a MAP_FIXED map2 replace an older mapping). */
static int64_t ram_pages(void)
{
    char line[1024], path[300];
    int64_t pages = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    snprintf(path, sizeof(path), "%s/dom%u/ram", fx.dir, DOMID);
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        if (strlen(line) < strlen(path) ||
            strcmp(line + strlen(line) - strlen(path), path) != 0)
            continue;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            pages += (int64_t)((hi - lo) >> 12);
    }
    fclose(f);
    return pages;
}

static MapCache *new_cache(const MapCacheConfig *in)
{
    MapCacheConfig cfg = *in;
    MapCache *c = NULL;

    cfg.domid = DOMID;
    ck_assert_int_eq(xen_map_cache_init(&cfg, &c), 0);
    return c;
}

static void setup(void)
{
    MapCacheConfig cfg = { 0 };

    xsim_fixture_setup(&fx, 64, 1);
    ck_assert_int_eq(xsg_attach(fx.dir, DOMID, &guest), 0);
    mc = new_cache(&cfg);
}

static void teardown(void)
{
    xen_map_cache_destroy(mc);
    mc = NULL;
    /* No foreign mapping outlives the cache. */
    ck_assert_int_eq(ram_pages(), 0);
    log_set_sink(NULL, NULL);
    unsetenv("XENSIM_FAIL_MAP2");
    xsg_detach(guest);
    guest = NULL;
    xsim_fixture_teardown(&fx);
}

static void renew(const MapCacheConfig *cfg)
{
    xen_map_cache_destroy(mc);
    ck_assert_int_eq(ram_pages(), 0);
    mc = new_cache(cfg);
}

static MapCacheStats stats(void)
{
    MapCacheStats s;

    xen_map_cache_get_stats(mc, &s);
    return s;
}

static void give_back(uint64_t gfn, unsigned int order)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    xen_pfn_t pfn = gfn;

    ck_assert_ptr_nonnull(xch);
    ck_assert_int_eq(xc_domain_decrease_reservation_exact(xch, DOMID, 1, order,
                                                          &pfn), 0);
    xc_interface_close(xch);
}

static void populate(uint64_t gfn, unsigned int order)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    xen_pfn_t pfn = gfn;

    ck_assert_ptr_nonnull(xch);
    ck_assert_int_eq(xc_domain_populate_physmap_exact(xch, DOMID, 1, order, 0,
                                                      &pfn), 0);
    xc_interface_close(xch);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(runs_on_xensim_library)
{
    char line[512];
    bool found = false;
    FILE *f = fopen("/proc/self/maps", "r");

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "stubs/lib/libxenforeignmemory.so.1"))
            found = true;
    fclose(f);
    ck_assert_msg(found, "libxenforeignmemory is not xensim's");
}
END_TEST

START_TEST(hit_miss_mru_counted)
{
    uint32_t v = 0xcafef00d, r = 0;
    uint8_t *a, *b;
    uint64_t calls0 = fm_acct().map_calls;

    a = xen_map_cache(mc, 0x2001000, 4, false, false);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(fm_acct().map_calls, calls0 + 1);
    memcpy(a, &v, 4);
    ck_assert_int_eq(xsg_ram_read(guest, 0x2001000, &r, 4), 0);
    ck_assert_uint_eq(r, v);
    ck_assert_int_eq(xsg_ram_write(guest, 0x20ff000, "xyz", 4), 0);
    b = xen_map_cache(mc, 0x20ff000, 4, false, false); /* MRU */
    ck_assert_str_eq((char *)b, "xyz");
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0x3000000, 0, false, false));
    ck_assert_ptr_eq(xen_map_cache(mc, 0x2001000, 4, false, false), a);
    ck_assert_uint_eq(fm_acct().map_calls, calls0 + 2);
    ck_assert_int_eq(ram_pages(), 512);
    ck_assert_uint_eq(stats().mru_hits, 1);
    ck_assert_uint_eq(stats().hits, 1);
    ck_assert_uint_eq(stats().misses, 2);
}
END_TEST

START_TEST(cross_bucket)
{
    char buf[0x2000], back[0x2000];
    uint8_t *p;

    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 13);
    p = xen_map_cache(mc, 5 * MiB - 0x1000, sizeof(buf), true, true);
    ck_assert_ptr_nonnull(p);
    memcpy(p, buf, sizeof(buf));
    ck_assert_int_eq(xsg_ram_read(guest, 5 * MiB - 0x1000, back, sizeof(back)),
                     0);
    ck_assert_mem_eq(back, buf, sizeof(buf));
    ck_assert_uint_eq(stats().mapped_bytes, 2 * MiB);
    ck_assert_int_eq(ram_pages(), 512);
    xen_invalidate_map_cache_entry(mc, p);
}
END_TEST

START_TEST(partial_bucket_vga_hole)
{
    uint8_t *low;

    capture_start();
    /* xensim leaves 0xa0000-0xbffff unpopulated, like libxc's HVM build. */
    low = xen_map_cache(mc, 0x9f000, 0x1000, false, false);
    ck_assert_ptr_nonnull(low);
    ck_assert_ptr_eq(xen_map_cache(mc, 0xc0000, 0, false, false),
                     low + 0x21000);
    ck_assert_ptr_null(xen_map_cache(mc, 0xa0000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x9f800, 0x1000, true, true));
    ck_assert_uint_eq(stats().failures, 2);
    ck_assert_uint_eq(stats().locked, 0);
    ck_assert_ptr_nonnull(strstr(cap.all, "unpopulated"));
    /* A page failing inside a populated bucket (injected). */
    setenv("XENSIM_FAIL_MAP2", "0x1234", 1);
    ck_assert_ptr_null(xen_map_cache(mc, 0x1234000, 0, false, false));
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0x1235000, 0, false, false));
    unsetenv("XENSIM_FAIL_MAP2");
}
END_TEST

START_TEST(map_failure_returns_null)
{
    capture_start();
    setenv("XENSIM_FAIL_MAP2", "all", 1);
    ck_assert_ptr_null(xen_map_cache(mc, 0x400000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x400000, 0, true, true));
    ck_assert_uint_eq(stats().map_errors, 2);
    ck_assert_uint_eq(stats().failures, 2);
    unsetenv("XENSIM_FAIL_MAP2");
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0x400000, 0, false, false));
    ck_assert_int_eq(ram_pages(), 256);
}
END_TEST

START_TEST(invalidate_with_locked_dma)
{
    uint8_t *dma, *vram;
    char expect[160], guestbuf[8] = { 0 };
    MapCacheStats s;

    capture_start();
    dma = xen_map_cache(mc, 0x1800000, 0x200, true, true);
    vram = xen_map_cache(mc, 0x3800000, 4 * MiB, true, false);
    ck_assert_ptr_nonnull(dma);
    ck_assert_ptr_nonnull(vram);
    for (unsigned i = 0; i < 6; i++)
        ck_assert_ptr_nonnull(xen_map_cache(mc, (8 + i) * MiB, 0, false,
                                            false));
    ck_assert_int_eq(ram_pages(), 11 * 256);
    xen_invalidate_map_cache(mc);
    s = stats();
    ck_assert_uint_eq(s.live_entries, 2);
    ck_assert_uint_eq(s.locked_dma, 1);
    ck_assert_uint_eq(s.dma_warnings, 1);
    ck_assert_int_eq(ram_pages(), 5 * 256); /* unlocked ones gone */
    snprintf(expect, sizeof(expect),
             "Locked DMA mapping while invalidating mapcache! guest 0x1800000 -> host "
             "%p, 512 bytes", (void *)dma);
    ck_assert_msg(strstr(cap.all, expect), "log: %s", cap.all);
    ck_assert_int_eq(cap.count, 1);
    memcpy(dma, "dma-ok", 7); /* still the guest's memory */
    ck_assert_int_eq(xsg_ram_read(guest, 0x1800000, guestbuf, 7), 0);
    ck_assert_str_eq(guestbuf, "dma-ok");
    xen_invalidate_map_cache_entry(mc, dma);
    xen_invalidate_map_cache_entry(mc, vram);
}
END_TEST

START_TEST(invalidate_after_give_back)
{
    uint8_t *p;

    capture_start();
    p = xen_map_cache(mc, 0x2000000, 0, false, false);
    ck_assert_ptr_nonnull(p);
    give_back(0x2000, 8); /* the whole bucket */
    xen_invalidate_map_cache(mc);
    ck_assert_int_eq(ram_pages(), 0);
    ck_assert_ptr_null(xen_map_cache(mc, 0x2000000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x20ff000, 0x1000, true, true));
    ck_assert_uint_eq(stats().locked, 0);
    ck_assert_uint_eq(stats().failures, 2);
    populate(0x2000, 8);
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0x2000000, 0, false, false));
}
END_TEST

START_TEST(lock_overflow_refused)
{
    MapCacheConfig cfg = { .lock_max = 2 };
    uint8_t *a, *b;

    capture_start();
    renew(&cfg);
    a = xen_map_cache(mc, 0x100000, 0, true, true);
    b = xen_map_cache(mc, 0x101000, 0, true, false);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_null(xen_map_cache(mc, 0x102000, 0, true, true));
    ck_assert_uint_eq(stats().lock_overflows, 1);
    ck_assert_ptr_nonnull(strstr(cap.all, "overflow"));
    xen_invalidate_map_cache_entry(mc, a);
    xen_invalidate_map_cache_entry(mc, b);
}
END_TEST

START_TEST(eviction_at_small_cap)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 3 * MiB, .nr_buckets = 32 };
    uint64_t calls;

    renew(&cfg);
    for (unsigned i = 1; i <= 6; i++) {
        ck_assert_ptr_nonnull(xen_map_cache(mc, i * MiB, 0, false, false));
        ck_assert_int_le(ram_pages(), 3 * 256);
    }
    ck_assert_uint_eq(stats().evictions, 3);
    calls = fm_acct().map_calls;
    ck_assert_ptr_nonnull(xen_map_cache(mc, 6 * MiB, 0, false, false));
    ck_assert_ptr_nonnull(xen_map_cache(mc, 5 * MiB, 0, false, false));
    ck_assert_uint_eq(fm_acct().map_calls, calls);
    ck_assert_ptr_nonnull(xen_map_cache(mc, 1 * MiB, 0, false, false));
    ck_assert_uint_eq(fm_acct().map_calls, calls + 1);
    ck_assert_uint_eq(stats().evictions, 4);
}
END_TEST

START_TEST(reuse_in_place_no_duplicates)
{
    MapCacheConfig cfg = { .nr_buckets = 1 };
    uint8_t *a, *b, *y, *x;
    char buf[4] = { 0 };
    uint64_t calls;

    renew(&cfg);
    a = xen_map_cache(mc, 0x101000, 0, false, false);
    ck_assert_int_eq(xsg_ram_write(guest, 0x701000, "new", 4), 0);
    b = xen_map_cache(mc, 0x701000, 0, false, false);
    ck_assert_ptr_eq(a, b);             /* MAP_FIXED over the same range */
    ck_assert_str_eq((char *)b, "new");
    ck_assert_uint_eq(stats().remaps, 1);
    ck_assert_int_eq(ram_pages(), 256);
    /* Chain [X free, Y locked]: a lookup of Y must not remap X. */
    y = xen_map_cache(mc, 0x900000, 0, true, false);
    x = xen_map_cache(mc, 0xa00000, 0, true, false);
    xen_invalidate_map_cache_entry(mc, x);
    calls = fm_acct().map_calls;
    ck_assert_ptr_eq(xen_map_cache(mc, 0x900000, 0, false, false), y);
    ck_assert_uint_eq(fm_acct().map_calls, calls);
    xen_invalidate_map_cache_entry(mc, y);
    ck_assert_int_eq(xsg_ram_read(guest, 0x701000, buf, 4), 0);
    ck_assert_str_eq(buf, "new");
}
END_TEST

START_TEST(failed_remap_keeps_old_entry)
{
    MapCacheConfig cfg = { .nr_buckets = 1 };
    uint8_t *a;
    uint64_t calls;

    capture_start();
    renew(&cfg);
    a = xen_map_cache(mc, 0x301000, 0, false, false);
    ck_assert_ptr_nonnull(a);
    setenv("XENSIM_FAIL_MAP2", "all", 1);
    ck_assert_ptr_null(xen_map_cache(mc, 0x601000, 0, false, false));
    unsetenv("XENSIM_FAIL_MAP2");
    ck_assert_uint_eq(stats().map_errors, 1);
    ck_assert_uint_eq(stats().live_entries, 1);
    calls = fm_acct().map_calls;
    ck_assert_ptr_eq(xen_map_cache(mc, 0x301000, 0, false, false), a);
    ck_assert_uint_eq(fm_acct().map_calls, calls);
    ck_assert_int_eq(ram_pages(), 256);
}
END_TEST

START_TEST(dummy_replaced_in_place)
{
    /* A VRAM-like block at ram_addr 96 MiB (outside the guest's RAM) that
     * is only populated at its final address 48 MiB... */
    uint64_t old = 96 * MiB, bar = 48 * MiB;
    uint8_t *p;

    capture_start();
    give_back(bar >> 12, 8);
    give_back((bar + MiB) >> 12, 8);
    xen_map_cache_set_incoming(mc, true);
    p = xen_map_cache(mc, old, 2 * MiB, true, false);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(stats().dummy, 1);
    /* ...populated (zeroed) and filled by the guest side of migration. */
    populate(bar >> 12, 8);
    populate((bar + MiB) >> 12, 8);
    ck_assert_int_eq(xsg_ram_write(guest, bar + MiB + 16, "vram", 5), 0);
    ck_assert_ptr_eq(xen_replace_cache_entry(mc, old, bar, 2 * MiB), p);
    ck_assert_str_eq((char *)p + MiB + 16, "vram");
    ck_assert_uint_eq(stats().dummy, 0);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p), bar);
    xen_map_cache_set_incoming(mc, false);
    xen_invalidate_map_cache_entry(mc, p);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

struct worker {
    unsigned int seed;
    int id;
    int fails;
    int *stop;
    pthread_mutex_t *stop_lock;
};

static void *worker_fn(void *arg)
{
    struct worker *w = arg;
    uint8_t *held[6];
    int nheld = 0;

    for (int it = 0; it < 1500; it++) {
        /* Locks in this thread's own 4 MiB; unlocked lookups anywhere in
         * the first 60 MiB (the VGA hole is below 1 MiB: avoided). */
        uint64_t mine = (8 + 4 * (uint64_t)w->id) * MiB +
                        (((uint64_t)(rand_r(&w->seed) % 1024)) << 12);
        uint64_t any = MiB + (((uint64_t)(rand_r(&w->seed) % (59 * 256))) << 12);
        int op = rand_r(&w->seed) % 4;

        if (op == 0 && nheld < 6) {
            uint8_t *p = xen_map_cache(mc, mine, 0x800, true,
                                       rand_r(&w->seed) & 1);

            if (!p) {
                w->fails++;
                continue;
            }
            p[0] = (uint8_t)(w->id + 1);
            held[nheld++] = p;
        } else if (op == 1 && nheld) {
            uint8_t *p = held[--nheld];

            if (p[0] != (uint8_t)(w->id + 1))
                w->fails++;
            xen_invalidate_map_cache_entry(mc, p);
        } else if (!xen_map_cache(mc, any, 0, false, false)) {
            w->fails++;
        }
    }
    while (nheld)
        xen_invalidate_map_cache_entry(mc, held[--nheld]);
    return NULL;
}

static void *invalidator_fn(void *arg)
{
    struct worker *w = arg;

    for (;;) {
        int done;

        pthread_mutex_lock(w->stop_lock);
        done = *w->stop;
        pthread_mutex_unlock(w->stop_lock);
        if (done)
            break;
        xen_invalidate_map_cache(mc);
        usleep(50);
    }
    return NULL;
}

START_TEST(threads_with_concurrent_invalidate)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 40 * MiB, .nr_buckets = 64 };
    pthread_t t[9];
    struct worker w[9];
    int stop = 0;
    pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
    MapCacheStats s;

    capture_start();
    renew(&cfg);
    for (int i = 0; i < 9; i++) {
        w[i] = (struct worker){ .seed = 77u + (unsigned)i, .id = i,
                                .stop = &stop,
                                .stop_lock = &stop_lock };
        ck_assert_int_eq(pthread_create(&t[i], NULL,
                                        i < 8 ? worker_fn : invalidator_fn,
                                        &w[i]), 0);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_lock(&stop_lock);
    stop = 1;
    pthread_mutex_unlock(&stop_lock);
    pthread_join(t[8], NULL);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(w[i].fails, 0);
    s = stats();
    ck_assert_uint_eq(s.locked, 0);
    ck_assert_uint_eq(s.failures, 0);
    ck_assert_int_eq(ram_pages(), (int64_t)s.live_entries * 256);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mapcache-xensim");
    TCase *tc = tcase_create("xensim");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, runs_on_xensim_library);
    tcase_add_test(tc, hit_miss_mru_counted);
    tcase_add_test(tc, cross_bucket);
    tcase_add_test(tc, partial_bucket_vga_hole);
    tcase_add_test(tc, map_failure_returns_null);
    tcase_add_test(tc, invalidate_with_locked_dma);
    tcase_add_test(tc, invalidate_after_give_back);
    tcase_add_test(tc, lock_overflow_refused);
    tcase_add_test(tc, eviction_at_small_cap);
    tcase_add_test(tc, reuse_in_place_no_duplicates);
    tcase_add_test(tc, failed_remap_keeps_old_entry);
    tcase_add_test(tc, dummy_replaced_in_place);
    tcase_add_test(tc, threads_with_concurrent_invalidate);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
