/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mapcache_core.c - the mapcache's logic against an in-process fake
 * foreign memory (fakefm.c): bitmaps, sizing arithmetic, hit/miss/MRU
 * counted in map calls, bucket crossing, partial and total map failure,
 * locks and the reverse map, lock overflow, chain preference and reuse in
 * place, LRU eviction under a cap, invalidation with locked dma entries,
 * dummy entries and their replacement, threads, and no leaks at destroy.
 * The same behaviours are checked against xensim in test_mapcache_xensim.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapcache/mapcache.h"
#include "mapcache/private.h"
#include "tests/unit/mapcache/fakefm.h"
#include "util/log.h"

#define MiB (1ull << 20)
#define NR_GFNS 16384u /* 64 MiB of guest RAM */

/* ---- log capture -------------------------------------------------------- */

struct capture {
    pthread_mutex_t lock;
    int count;
    char all[8192];
};

static void capture_sink(void *opaque, enum log_level level, const char *msg)
{
    struct capture *c = opaque;
    size_t used = strlen(c->all);

    (void)level;
    c->count++;
    snprintf(c->all + used, sizeof(c->all) - used, "%s\n", msg);
}

static struct capture cap;

static void capture_start(void)
{
    memset(&cap, 0, sizeof(cap));
    log_set_sink(capture_sink, &cap);
}

static void capture_stop(void)
{
    log_set_sink(NULL, NULL);
}

/* ---- fixture ------------------------------------------------------------ */

static struct fakefm fm;
static MapCache *mc;

static MapCache *make_cache(const MapCacheConfig *cfg)
{
    struct mapcache_backend be = fakefm_backend(&fm);
    MapCache *c = NULL;

    ck_assert_int_eq(xen_map_cache_init_backend(cfg, &be, &c), 0);
    return c;
}

static void setup(void)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 0 };

    ck_assert_int_eq(fakefm_init(&fm, NR_GFNS), 0);
    mc = make_cache(&cfg);
}

static void teardown(void)
{
    xen_map_cache_destroy(mc);
    mc = NULL;
    ck_assert_int_eq(fakefm_outstanding(&fm), 0);
    fakefm_fini(&fm);
    capture_stop();
}

static MapCacheStats stats(void)
{
    MapCacheStats s;

    xen_map_cache_get_stats(mc, &s);
    return s;
}

static void replace_cache(const MapCacheConfig *cfg)
{
    xen_map_cache_destroy(mc);
    ck_assert_int_eq(fakefm_outstanding(&fm), 0);
    mc = make_cache(cfg);
}

/* ---- pure parts --------------------------------------------------------- */

START_TEST(bitmap_ranges)
{
    unsigned long map[4] = { 0 };

    mc_bitmap_fill(map, 130);
    ck_assert(mc_bitmap_test_range(map, 0, 130));
    ck_assert(!mc_bitmap_test_range(map, 0, 131));
    ck_assert(!mc_bitmap_test_range(map, 130, 1));
    memset(map, 0, sizeof(map));
    mc_bitmap_set(map, 63);
    mc_bitmap_set(map, 64);
    ck_assert(mc_bitmap_test_range(map, 63, 2));
    ck_assert(!mc_bitmap_test_range(map, 62, 2));
    ck_assert(!mc_bitmap_test_range(map, 64, 2));
    ck_assert(mc_bitmap_test_range(map, 5, 0));
}
END_TEST

START_TEST(max_size_arithmetic)
{
    ck_assert_uint_eq(xen_map_cache_max_size(UINT64_MAX, 20), 32ull << 30);
    /* Above the default: still the default. */
    ck_assert_uint_eq(xen_map_cache_max_size(1ull << 40, 20), 32ull << 30);
    /* Finite: minus the reserve, rounded down to buckets. */
    ck_assert_uint_eq(xen_map_cache_max_size((1ull << 30) + 12345, 20),
                      (1ull << 30) - (80ull << 20));
    /* Below the reserve: no underflow, one bucket. */
    ck_assert_uint_eq(xen_map_cache_max_size(10ull << 20, 20), 1ull << 20);
    ck_assert_uint_eq(xen_map_cache_max_size(0, 20), 1ull << 20);
    ck_assert_uint_eq(xen_map_cache_max_size(80ull << 20, 16), 1ull << 16);
}
END_TEST

START_TEST(init_defaults_and_bad_config)
{
    MapCacheStats s = stats();
    MapCacheConfig bad = { .bucket_shift = 11 };
    struct mapcache_backend be = fakefm_backend(&fm);
    MapCache *c = (MapCache *)1;

    ck_assert_uint_eq(s.bucket_shift, 20);
    ck_assert_uint_le(s.max_mapped_bytes, 32ull << 30);
    ck_assert_uint_eq(s.nr_buckets, s.max_mapped_bytes >> 20);
    ck_assert_int_eq(xen_map_cache_init_backend(&bad, &be, &c), -EINVAL);
    ck_assert_ptr_null(c);
    /* A huge cap is clamped; huge requests are refused, not wrapped. */
    {
        MapCacheConfig huge = { .max_mapped_bytes = UINT64_MAX,
                                .nr_buckets = 1024 };

        capture_start();
        replace_cache(&huge);
        ck_assert_uint_eq(stats().max_mapped_bytes, 1ull << 48);
        ck_assert_ptr_null(xen_map_cache(mc, 0x1000, 1ull << 60, true, true));
        ck_assert_ptr_null(xen_map_cache(mc, 0x1000, UINT64_MAX - 0x2000,
                                         false, false));
        ck_assert_uint_eq(stats().failures, 2);
        ck_assert_uint_eq(stats().live_entries, 0);
    }
}
END_TEST

/* ---- lookups ------------------------------------------------------------ */

START_TEST(hit_miss_mru)
{
    uint8_t *a, *b, *c, *d;
    uint32_t v = 0xdeadbeef, r = 0;
    MapCacheStats s;

    a = xen_map_cache(mc, 0x1000, 4, false, false);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(fakefm_map_calls(&fm), 1);
    memcpy(a, &v, 4);
    fakefm_read(&fm, 0x1000, &r, 4);
    ck_assert_uint_eq(r, v);

    b = xen_map_cache(mc, 0x2000, 0, false, false); /* same bucket: MRU */
    ck_assert_ptr_eq(b, a + 0x1000);
    c = xen_map_cache(mc, 0x300000, 0, false, false); /* other bucket */
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(fakefm_map_calls(&fm), 2);
    d = xen_map_cache(mc, 0x1800, 8, false, false); /* chain hit */
    ck_assert_ptr_eq(d, a + 0x800);
    ck_assert_uint_eq(fakefm_map_calls(&fm), 2);
    s = stats();
    ck_assert_uint_eq(s.misses, 2);
    ck_assert_uint_eq(s.mru_hits, 1);
    ck_assert_uint_eq(s.hits, 1);
    ck_assert_uint_eq(s.live_entries, 2);
    ck_assert_uint_eq(s.mapped_bytes, 2 * MiB);
    ck_assert_int_eq(fakefm_outstanding(&fm), 2);
}
END_TEST

START_TEST(cross_bucket_request)
{
    uint64_t gpa = MiB - 0x800;
    uint8_t buf[0x1000], back[0x1000];
    uint8_t *p;
    MapCacheStats s;

    capture_start();

    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7);
    p = xen_map_cache(mc, gpa, sizeof(buf), true, true);
    ck_assert_ptr_nonnull(p);
    memcpy(p, buf, sizeof(buf));
    fakefm_read(&fm, gpa, back, sizeof(back));
    ck_assert_mem_eq(back, buf, sizeof(buf));
    s = stats();
    ck_assert_uint_eq(s.mapped_bytes, 2 * MiB); /* one entry of 2 buckets */
    ck_assert_uint_eq(s.live_entries, 1);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p), gpa);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p + 0x900), gpa + 0x900);
    xen_invalidate_map_cache_entry(mc, p);
    ck_assert_uint_eq(stats().locked, 0);
    /* Overflowing ranges are refused. */
    ck_assert_ptr_null(xen_map_cache(mc, UINT64_MAX - 10, 100, false, false));
    ck_assert_uint_eq(stats().failures, 1);
}
END_TEST

START_TEST(partial_failure)
{
    uint8_t *p, *q;
    MapCacheStats s;

    capture_start();
    fakefm_set_populated(&fm, 5, 1, false);
    p = xen_map_cache(mc, 0x0, 0, false, false);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(fakefm_map_calls(&fm), 1);
    q = xen_map_cache(mc, 0x6000, 0, false, false);
    ck_assert_ptr_eq(q, p + 0x6000);
    ck_assert_uint_eq(fakefm_map_calls(&fm), 1);
    /* The invalid page: NULL, also for a range that only touches it. */
    ck_assert_ptr_null(xen_map_cache(mc, 0x5000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x4ff0, 0x20, true, true));
    s = stats();
    ck_assert_uint_eq(s.failures, 2);
    ck_assert_uint_eq(s.locked, 0);
    ck_assert_ptr_nonnull(strstr(cap.all, "unpopulated"));
    /* Populated again: the stale entry is remapped in place. */
    fakefm_set_populated(&fm, 5, 1, true);
    q = xen_map_cache(mc, 0x5000, 0, false, false);
    ck_assert_ptr_eq(q, p + 0x5000);
    ck_assert_uint_eq(stats().remaps, 3);
    ck_assert_int_eq(fakefm_outstanding(&fm), 1);
}
END_TEST

START_TEST(map_failure_counts)
{
    MapCacheStats s;

    capture_start();
    fm.fail_all = true;
    ck_assert_ptr_null(xen_map_cache(mc, 0x10000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x10000, 0, true, true));
    s = stats();
    ck_assert_uint_eq(s.map_errors, 2);
    ck_assert_uint_eq(s.failures, 2);
    ck_assert_uint_eq(s.live_entries, 0);
    ck_assert_ptr_nonnull(strstr(cap.all, "failed"));
    fm.fail_all = false;
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0x10000, 0, false, false));
}
END_TEST

/* ---- locks -------------------------------------------------------------- */

START_TEST(locks_and_reverse_map)
{
    uint8_t *p, *p2, *u;
    int x = 0;
    MapCacheStats s;

    capture_start();
    p = xen_map_cache(mc, 0x203000, 0x100, true, false);
    ck_assert_ptr_nonnull(p);
    p2 = xen_map_cache(mc, 0x203000, 0x100, true, true);
    ck_assert_ptr_eq(p, p2);
    s = stats();
    ck_assert_uint_eq(s.locked, 1);
    ck_assert_uint_eq(s.locked_dma, 1);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p), 0x203000);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, &x), RAM_ADDR_INVALID);
    /* An unlocked pointer of the same entry is not a locked one... */
    u = xen_map_cache(mc, 0x204000, 0, false, false);
    ck_assert_ptr_eq(u, p + 0x1000);
    /* ...but is inside a locked entry, so it still translates. */
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, u), 0x204000);
    xen_invalidate_map_cache_entry(mc, u);
    xen_invalidate_map_cache_entry(mc, &x);
    xen_invalidate_map_cache_entry(mc, NULL);
    s = stats();
    ck_assert_uint_eq(s.unknown_unlocks, 3);
    ck_assert_uint_eq(s.locked, 1);
    /* The dma lock goes first. */
    xen_invalidate_map_cache_entry(mc, p);
    s = stats();
    ck_assert_uint_eq(s.locked, 1);
    ck_assert_uint_eq(s.locked_dma, 0);
    xen_invalidate_map_cache_entry(mc, p);
    s = stats();
    ck_assert_uint_eq(s.locked, 0);
    ck_assert_uint_eq(s.live_entries, 1); /* stays cached, unlocked */
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p), RAM_ADDR_INVALID);
    xen_invalidate_map_cache_entry(mc, p);
    ck_assert_uint_eq(stats().unknown_unlocks, 4);
    ck_assert_ptr_nonnull(strstr(cap.all, "not a locked mapping"));
}
END_TEST

START_TEST(lock_overflow)
{
    MapCacheConfig cfg = { .lock_max = 3 };
    uint8_t *p[3];

    capture_start();
    replace_cache(&cfg);
    for (int i = 0; i < 3; i++) {
        p[i] = xen_map_cache(mc, 0x400000 + 0x1000 * (unsigned)i, 0, true,
                             i == 1);
        ck_assert_ptr_nonnull(p[i]);
    }
    ck_assert_ptr_null(xen_map_cache(mc, 0x400000, 0, true, true));
    ck_assert_uint_eq(stats().lock_overflows, 1);
    ck_assert_uint_eq(stats().failures, 1);
    ck_assert_ptr_nonnull(strstr(cap.all, "overflow"));
    /* An unlocked lookup still works; a freed lock can be taken again. */
    ck_assert_ptr_eq(xen_map_cache(mc, 0x400000, 0, false, false), p[0]);
    xen_invalidate_map_cache_entry(mc, p[2]);
    ck_assert_ptr_eq(xen_map_cache(mc, 0x402000, 0, true, false), p[2]);
    for (int i = 0; i < 3; i++)
        xen_invalidate_map_cache_entry(mc, p[i]);
    ck_assert_uint_eq(stats().locked, 0);
}
END_TEST

/* ---- chains, reuse, eviction ------------------------------------------- */

START_TEST(chain_prefers_exact_match)
{
    MapCacheConfig cfg = { .nr_buckets = 1 };
    uint8_t *y, *x, *again;
    uint64_t calls;

    replace_cache(&cfg);
    /* Y (bucket 1) locked, then X (bucket 0) locked: chain X -> Y. */
    y = xen_map_cache(mc, 1 * MiB, 0, true, false);
    x = xen_map_cache(mc, 0, 0, true, false);
    ck_assert_ptr_nonnull(y);
    ck_assert_ptr_nonnull(x);
    xen_invalidate_map_cache_entry(mc, x); /* X is free, first in chain */
    calls = fakefm_map_calls(&fm);
    again = xen_map_cache(mc, 1 * MiB, 0, true, false);
    ck_assert_ptr_eq(again, y);              /* no duplicate of Y */
    ck_assert_uint_eq(fakefm_map_calls(&fm), calls);
    ck_assert_uint_eq(stats().live_entries, 2);
    xen_invalidate_map_cache_entry(mc, again);
    xen_invalidate_map_cache_entry(mc, y);
    ck_assert_uint_eq(stats().locked, 0);
}
END_TEST

START_TEST(reuse_in_place)
{
    MapCacheConfig cfg = { .nr_buckets = 1 };
    uint8_t *a, *b;
    uint8_t v = 0x5a, r = 0;
    MapCacheStats s;

    replace_cache(&cfg);
    a = xen_map_cache(mc, 0x1000, 0, false, false);
    b = xen_map_cache(mc, 3 * MiB + 0x1000, 0, false, false);
    ck_assert_ptr_eq(a, b); /* same entry, remapped in place */
    *b = v;
    fakefm_read(&fm, 3 * MiB + 0x1000, &r, 1);
    ck_assert_uint_eq(r, v);
    s = stats();
    ck_assert_uint_eq(s.remaps, 1);
    ck_assert_uint_eq(s.live_entries, 1);
    ck_assert_uint_eq(s.unmaps, 0); /* never unmap-then-map */
    ck_assert_int_eq(fakefm_outstanding(&fm), 1);
}
END_TEST

START_TEST(evict_lru_at_small_cap)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 4 * MiB, .nr_buckets = 64 };
    uint8_t *l;
    uint64_t calls;
    MapCacheStats s;

    capture_start();
    replace_cache(&cfg);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(xen_map_cache(mc, i * MiB, 0, false, false));
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0, 0, false, false)); /* touch 0 */
    ck_assert_ptr_nonnull(xen_map_cache(mc, 4 * MiB, 0, false, false));
    s = stats();
    ck_assert_uint_eq(s.evictions, 1);
    ck_assert_uint_eq(s.mapped_bytes, 4 * MiB);
    ck_assert_int_eq(fakefm_outstanding(&fm), 4);
    calls = fakefm_map_calls(&fm);
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0, 0, false, false));
    ck_assert_uint_eq(fakefm_map_calls(&fm), calls); /* 0 survived */
    ck_assert_ptr_nonnull(xen_map_cache(mc, 1 * MiB, 0, false, false));
    ck_assert_uint_eq(fakefm_map_calls(&fm), calls + 1); /* 1 was evicted */

    /* Locked entries are never evicted: fill the cap with locks. */
    xen_invalidate_map_cache(mc);
    for (unsigned i = 0; i < 4; i++) {
        l = xen_map_cache(mc, i * MiB, 0, true, false);
        ck_assert_ptr_nonnull(l);
    }
    ck_assert_ptr_null(xen_map_cache(mc, 8 * MiB, 0, false, false));
    ck_assert_ptr_nonnull(strstr(cap.all, "cap"));
    ck_assert_uint_eq(stats().live_entries, 4);
    ck_assert_uint_eq(stats().locked, 4);
    /* A request bigger than the cap is refused outright. */
    ck_assert_ptr_null(xen_map_cache(mc, 0, 5 * MiB, true, true));
}
END_TEST

START_TEST(failed_remap_in_place)
{
    MapCacheConfig cfg = { .nr_buckets = 1 };
    uint8_t *a;
    uint64_t calls;

    capture_start();
    replace_cache(&cfg);
    a = xen_map_cache(mc, 0x1000, 0, false, false);
    ck_assert_ptr_nonnull(a);
    /* Fails before mapping: the old entry survives for its old key. */
    fm.fail_all = true;
    ck_assert_ptr_null(xen_map_cache(mc, 5 * MiB, 0, false, false));
    fm.fail_all = false;
    ck_assert_uint_eq(stats().live_entries, 1);
    calls = fakefm_map_calls(&fm);
    ck_assert_ptr_eq(xen_map_cache(mc, 0x1000, 0, false, false), a);
    ck_assert_uint_eq(fakefm_map_calls(&fm), calls);
    /* Fails after replacing it: the entry is gone, nothing is unmapped
     * twice and nothing stays mapped. */
    fm.fail_late = true;
    ck_assert_ptr_null(xen_map_cache(mc, 5 * MiB, 0, false, false));
    fm.fail_late = false;
    ck_assert_uint_eq(stats().live_entries, 0);
    ck_assert_uint_eq(stats().mapped_bytes, 0);
    ck_assert_int_eq(fakefm_outstanding(&fm), 0);
    ck_assert_uint_eq(stats().map_errors, 2);
    ck_assert_ptr_nonnull(xen_map_cache(mc, 5 * MiB, 0, false, false));
}
END_TEST

START_TEST(failed_replace_keeps_dummy)
{
    uint8_t *p;

    capture_start();
    fakefm_set_populated(&fm, 0x2000, 256, false);
    xen_map_cache_set_incoming(mc, true);
    p = xen_map_cache(mc, 32 * MiB, MiB, true, false);
    ck_assert_ptr_nonnull(p);
    memset(p, 0x11, 16);
    fm.fail_all = true;
    ck_assert_ptr_null(xen_replace_cache_entry(mc, 32 * MiB, 4 * MiB, MiB));
    ck_assert_uint_eq(stats().dummy, 1);
    ck_assert_uint_eq(p[15], 0x11); /* untouched */
    fm.fail_all = false;
    fm.fail_late = true;
    ck_assert_ptr_null(xen_replace_cache_entry(mc, 32 * MiB, 4 * MiB, MiB));
    fm.fail_late = false;
    ck_assert_uint_eq(stats().dummy, 1); /* a fresh dummy put back */
    p[0] = 1;                            /* and the pointer still works */
    ck_assert_ptr_eq(xen_replace_cache_entry(mc, 32 * MiB, 4 * MiB, MiB), p);
    ck_assert_uint_eq(stats().dummy, 0);
    xen_invalidate_map_cache_entry(mc, p);
}
END_TEST

/* ---- invalidation ------------------------------------------------------- */

START_TEST(invalidate_keeps_locked_warns_dma)
{
    uint8_t *dma, *vram, *tmp;
    uint8_t v = 0x77, r = 0;
    char expect[128];
    MapCacheStats s;

    capture_start();
    dma = xen_map_cache(mc, 0x2345000, 0x3000, true, true);
    vram = xen_map_cache(mc, 0x3000000, 2 * MiB, true, false);
    ck_assert_ptr_nonnull(dma);
    ck_assert_ptr_nonnull(vram);
    for (unsigned i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(xen_map_cache(mc, (10 + i) * MiB, 0, false,
                                            false));
    ck_assert_uint_eq(stats().live_entries, 7);
    xen_invalidate_map_cache(mc);
    s = stats();
    ck_assert_uint_eq(s.live_entries, 2);
    ck_assert_uint_eq(s.locked, 2);
    ck_assert_uint_eq(s.locked_dma, 1);
    ck_assert_uint_eq(s.dma_warnings, 1);
    ck_assert_uint_eq(s.invalidations, 1);
    ck_assert_int_eq(fakefm_outstanding(&fm), 2);
    snprintf(expect, sizeof(expect),
             "Locked DMA mapping while invalidating mapcache! guest 0x2345000 -> host "
             "%p, 12288 bytes", (void *)dma);
    ck_assert_msg(strstr(cap.all, expect), "log was: %s", cap.all);
    ck_assert_int_eq(cap.count, 1); /* nothing about the vram entry */
    /* The locked entries still work. */
    *dma = v;
    fakefm_read(&fm, 0x2345000, &r, 1);
    ck_assert_uint_eq(r, v);
    /* The MRU was cleared: the next unlocked lookup is not an MRU hit. */
    tmp = xen_map_cache(mc, 10 * MiB, 0, false, false);
    ck_assert_ptr_nonnull(tmp);
    ck_assert_uint_eq(stats().mru_hits, 0);
    xen_invalidate_map_cache_entry(mc, dma);
    xen_invalidate_map_cache(mc);
    ck_assert_uint_eq(stats().dma_warnings, 1);
    ck_assert_uint_eq(stats().live_entries, 1);
    xen_invalidate_map_cache_entry(mc, vram);
}
END_TEST

START_TEST(invalidate_after_balloon)
{
    uint8_t *p;

    capture_start();
    p = xen_map_cache(mc, 0x800000, 0, false, false);
    ck_assert_ptr_nonnull(p);
    fakefm_set_populated(&fm, 0x800, 0x100, false); /* bucket 8 given back */
    xen_invalidate_map_cache(mc);
    ck_assert_uint_eq(stats().live_entries, 0);
    ck_assert_ptr_null(xen_map_cache(mc, 0x800000, 0, false, false));
    ck_assert_ptr_null(xen_map_cache(mc, 0x8ff000, 0, true, true));
    ck_assert_uint_eq(stats().failures, 2);
    ck_assert_uint_eq(stats().locked, 0);
}
END_TEST

/* ---- dummy entries ------------------------------------------------------ */

START_TEST(dummy_and_replace)
{
    uint64_t vram_ram_addr = 40 * MiB, bar = 8 * MiB;
    uint8_t *p, *q;
    uint32_t v = 0x12345678, r = 0;

    capture_start();
    fakefm_set_populated(&fm, vram_ram_addr >> 12, 512, false);
    /* Not incoming: unpopulated frames give NULL. */
    ck_assert_ptr_null(xen_map_cache(mc, vram_ram_addr, 2 * MiB, true, false));
    xen_map_cache_set_incoming(mc, true);
    p = xen_map_cache(mc, vram_ram_addr, 2 * MiB, true, false);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(stats().dummy, 1);
    memset(p, 0xab, 64);
    /* No dummy at that address / offsets differ: refused. */
    ck_assert_ptr_null(xen_replace_cache_entry(mc, 20 * MiB, bar, 2 * MiB));
    ck_assert_ptr_null(xen_replace_cache_entry(mc, vram_ram_addr, bar + 0x1000,
                                               2 * MiB));
    fakefm_write(&fm, bar, &v, 4);
    q = xen_replace_cache_entry(mc, vram_ram_addr, bar, 2 * MiB);
    ck_assert_ptr_eq(q, p); /* pointers handed out stay valid */
    memcpy(&r, p, 4);
    ck_assert_uint_eq(r, v); /* now the guest's frames */
    ck_assert_uint_eq(stats().dummy, 0);
    ck_assert_uint_eq(xen_ram_addr_from_mapcache(mc, p), bar);
    xen_map_cache_set_incoming(mc, false);
    /* Found by its new address, with no extra map call. */
    {
        uint64_t calls = fakefm_map_calls(&fm);

        ck_assert_ptr_eq(xen_map_cache(mc, bar + 0x10, 4, true, true), p + 0x10);
        ck_assert_uint_eq(fakefm_map_calls(&fm), calls);
        xen_invalidate_map_cache_entry(mc, p + 0x10);
    }
    xen_invalidate_map_cache_entry(mc, p);
    ck_assert_uint_eq(stats().locked, 0);
}
END_TEST

START_TEST(unlocked_dummies_dropped_after_incoming)
{
    capture_start();
    fakefm_set_populated(&fm, 0x1000, 256, false);
    xen_map_cache_set_incoming(mc, true);
    ck_assert_ptr_nonnull(xen_map_cache(mc, 16 * MiB, 0, false, false));
    ck_assert_uint_eq(stats().dummy, 1);
    xen_map_cache_set_incoming(mc, false);
    ck_assert_uint_eq(stats().dummy, 0);
    ck_assert_ptr_null(xen_map_cache(mc, 16 * MiB, 0, false, false));
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

struct worker {
    unsigned int seed;
    int id;
    uint64_t ok;
    int *stop;
    pthread_mutex_t *stop_lock;
};

static void *worker_fn(void *arg)
{
    struct worker *w = arg;
    uint8_t *held[8];
    int nheld = 0;

    for (int it = 0; it < 4000; it++) {
        /* Locks stay in this thread's 4 buckets (at most 32 MiB locked in
         * all, under the 40 MiB cap); unlocked lookups go anywhere. */
        uint64_t mine = ((uint64_t)w->id * 8 * MiB) +
                        (((uint64_t)(rand_r(&w->seed) % 1024)) << 12);
        uint64_t any = ((uint64_t)(rand_r(&w->seed) % NR_GFNS)) << 12;
        int op = rand_r(&w->seed) % 4;

        if (op == 0 && nheld < 8) {
            uint8_t *p = xen_map_cache(mc, mine, 0x1000, true,
                                       rand_r(&w->seed) & 1);

            ck_assert_ptr_nonnull(p);
            p[0] = (uint8_t)w->id;   /* locked: safe to touch */
            held[nheld++] = p;
        } else if (op == 1 && nheld) {
            uint8_t *p = held[--nheld];

            ck_assert_uint_eq(p[0], (uint8_t)w->id);
            ck_assert_uint_ne(xen_ram_addr_from_mapcache(mc, p),
                              RAM_ADDR_INVALID);
            xen_invalidate_map_cache_entry(mc, p);
        } else {
            /* Unlocked: only checked for success, never touched (another
             * thread may invalidate it at any time). */
            ck_assert_ptr_nonnull(xen_map_cache(mc, any, 0, false, false));
        }
        w->ok++;
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
        w->ok++;
        usleep(20);
    }
    return NULL;
}

START_TEST(threads_map_unmap_invalidate)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 40 * MiB, .nr_buckets = 64 };
    pthread_t t[9];
    struct worker w[9];
    int stop = 0;
    pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
    MapCacheStats s;

    capture_start(); /* dma warnings are expected; keep them off stderr */
    replace_cache(&cfg);
    for (int i = 0; i < 9; i++) {
        w[i] = (struct worker){ .seed = 1234u + (unsigned)i, .id = i,
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
    capture_stop();
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(w[i].ok, 4000);
    s = stats();
    ck_assert_uint_eq(s.locked, 0);
    ck_assert_uint_eq(s.locked_dma, 0);
    ck_assert_uint_le(s.mapped_bytes, 40 * MiB);
    ck_assert_uint_gt(s.evictions, 0);
    ck_assert_uint_eq(s.failures, 0);
    ck_assert_int_eq(fakefm_outstanding(&fm), (int64_t)s.live_entries);
    xen_invalidate_map_cache(mc);
    ck_assert_uint_eq(stats().live_entries, 0);
    ck_assert_int_eq(fakefm_outstanding(&fm), 0);
}
END_TEST

START_TEST(destroy_unmaps_everything)
{
    ck_assert_ptr_nonnull(xen_map_cache(mc, 0, 0, false, false));
    ck_assert_ptr_nonnull(xen_map_cache(mc, 5 * MiB, 0, true, true));
    ck_assert_ptr_nonnull(xen_map_cache(mc, 9 * MiB, 3 * MiB, true, false));
    ck_assert_int_eq(fakefm_outstanding(&fm), 3);
    capture_start();
    xen_map_cache_destroy(mc);
    mc = NULL;
    ck_assert_int_eq(fakefm_outstanding(&fm), 0);
    ck_assert_ptr_nonnull(strstr(cap.all, "2 locked entries"));
    xen_map_cache_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mapcache-core");
    TCase *pure = tcase_create("pure");
    TCase *tc = tcase_create("cache");
    SRunner *sr;
    int failed;

    tcase_add_test(pure, bitmap_ranges);
    tcase_add_test(pure, max_size_arithmetic);
    suite_add_tcase(s, pure);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, init_defaults_and_bad_config);
    tcase_add_test(tc, hit_miss_mru);
    tcase_add_test(tc, cross_bucket_request);
    tcase_add_test(tc, partial_failure);
    tcase_add_test(tc, map_failure_counts);
    tcase_add_test(tc, locks_and_reverse_map);
    tcase_add_test(tc, lock_overflow);
    tcase_add_test(tc, chain_prefers_exact_match);
    tcase_add_test(tc, reuse_in_place);
    tcase_add_test(tc, evict_lru_at_small_cap);
    tcase_add_test(tc, failed_remap_in_place);
    tcase_add_test(tc, failed_replace_keeps_dummy);
    tcase_add_test(tc, invalidate_keeps_locked_warns_dma);
    tcase_add_test(tc, invalidate_after_balloon);
    tcase_add_test(tc, dummy_and_replace);
    tcase_add_test(tc, unlocked_dummies_dropped_after_incoming);
    tcase_add_test(tc, threads_map_unmap_invalidate);
    tcase_add_test(tc, destroy_unmaps_everything);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
