/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_mapcache.c - mapcache lookup and invalidation costs, as ratios
 * measured in one run (see docs/benchmarks.md, "Mapcache").
 *
 * Lookups: an unlocked MRU hit and a non-MRU hit (64 mapped buckets
 * visited round-robin, so the MRU never matches) against a baseline: the
 * same keys looked up in the same order in a GLib hash table (GHashTable,
 * the project's plain hash table). A raw chain walk without any locking is
 * printed too, for information.
 *
 * Invalidation: 8 live locked entries (locked so they survive and the
 * same state is measured each round) in a cache at the 32 GiB default
 * (32768 buckets) and in one capped at 64 buckets: the ratio shows that
 * invalidation does not depend on the bucket count. The "full walk" is the
 * old approach, visiting all 32768 chain heads, done on the same cache.
 *
 * Foreign memory comes from the in-process fake of the unit tests; the
 * measured paths make no map call (checked), so the backend is irrelevant
 * to the numbers. Each figure is the best of several rounds.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mapcache/mapcache.h"
#include "mapcache/private.h"
#include "tests/unit/mapcache/fakefm.h"

#define MiB (1ull << 20)
#define NKEYS 64u
#define LOOKUPS 2000000u
#define ROUNDS 7

static volatile uintptr_t sink;

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t key_addr(unsigned int i)
{
    /* Spread over the fake's 256 MiB, page offset varies. */
    return (uint64_t)((i * 37u) % 256u) * MiB + ((uint64_t)(i % 200) << 12);
}

static MapCache *make(struct fakefm *fm, uint64_t max_bytes)
{
    MapCacheConfig cfg = { .max_mapped_bytes = max_bytes };
    struct mapcache_backend be = fakefm_backend(fm);
    MapCache *mc;

    if (xen_map_cache_init_backend(&cfg, &be, &mc)) {
        fprintf(stderr, "bench_mapcache: init failed\n");
        exit(1);
    }
    return mc;
}

/* A raw chained table: what a lookup costs with no lock and no checks. */
struct raw_node {
    uint64_t key;
    void *val;
    struct raw_node *next;
};

static double bench_lookups(void)
{
    struct fakefm fm;
    MapCache *mc;
    GHashTable *ht;
    struct raw_node *raw_heads[32768] = { 0 }, raw_nodes[NKEYS];
    uint64_t keys[NKEYS], idx[NKEYS];
    double best_mru = 1e30, best_hit = 1e30, best_base = 1e30,
           best_raw = 1e30;
    uint64_t calls;

    if (fakefm_init(&fm, 65536)) {
        fprintf(stderr, "bench_mapcache: fake memory\n");
        exit(1);
    }
    mc = make(&fm, 32ull << 30);
    ht = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (unsigned int i = 0; i < NKEYS; i++) {
        void *p;

        keys[i] = key_addr(i);
        idx[i] = keys[i] >> 20;
        p = xen_map_cache(mc, keys[i], 0, false, false);
        if (!p) {
            fprintf(stderr, "bench_mapcache: map failed\n");
            exit(1);
        }
        g_hash_table_insert(ht, &idx[i], p);
        raw_nodes[i] = (struct raw_node){ idx[i], p,
                                          raw_heads[idx[i] & 32767] };
        raw_heads[idx[i] & 32767] = &raw_nodes[i];
    }
    calls = fakefm_map_calls(&fm);

    for (int r = 0; r < ROUNDS; r++) {
        double t0, t1;
        uintptr_t acc = 0;

        t0 = now_ns();
        for (unsigned int n = 0; n < LOOKUPS; n++)
            acc += (uintptr_t)xen_map_cache(mc, keys[0] + (n & 0xff0), 0,
                                            false, false);
        t1 = now_ns();
        best_mru = (t1 - t0) / LOOKUPS < best_mru ? (t1 - t0) / LOOKUPS
                                                  : best_mru;

        t0 = now_ns();
        for (unsigned int n = 0; n < LOOKUPS; n++)
            acc += (uintptr_t)xen_map_cache(mc, keys[n % NKEYS], 0, false,
                                            false);
        t1 = now_ns();
        best_hit = (t1 - t0) / LOOKUPS < best_hit ? (t1 - t0) / LOOKUPS
                                                  : best_hit;

        t0 = now_ns();
        for (unsigned int n = 0; n < LOOKUPS; n++) {
            uint64_t k = keys[n % NKEYS] >> 20;

            acc += (uintptr_t)g_hash_table_lookup(ht, &k) +
                   (keys[n % NKEYS] & (MiB - 1));
        }
        t1 = now_ns();
        best_base = (t1 - t0) / LOOKUPS < best_base ? (t1 - t0) / LOOKUPS
                                                    : best_base;

        t0 = now_ns();
        for (unsigned int n = 0; n < LOOKUPS; n++) {
            uint64_t k = keys[n % NKEYS] >> 20;
            struct raw_node *e = raw_heads[k & 32767];

            while (e && e->key != k)
                e = e->next;
            acc += (uintptr_t)(e ? e->val : NULL) +
                   (keys[n % NKEYS] & (MiB - 1));
        }
        t1 = now_ns();
        best_raw = (t1 - t0) / LOOKUPS < best_raw ? (t1 - t0) / LOOKUPS
                                                  : best_raw;
        sink = acc;
    }
    if (fakefm_map_calls(&fm) != calls) {
        fprintf(stderr, "bench_mapcache: lookups made map calls\n");
        exit(1);
    }
    {
        MapCacheStats s;

        xen_map_cache_get_stats(mc, &s);
        if (s.misses != NKEYS) {
            fprintf(stderr, "bench_mapcache: unexpected misses\n");
            exit(1);
        }
    }
    printf("mapcache_mru_hit %.2f ns\n", best_mru);
    printf("mapcache_hit %.2f ns\n", best_hit);
    printf("hash_baseline_ghashtable %.2f ns\n", best_base);
    printf("raw_chain_walk_nolock %.2f ns\n", best_raw);
    printf("mapcache_mru_hit_ratio %.2f x_baseline\n", best_mru / best_base);
    printf("mapcache_hit_ratio %.2f x_baseline (target <= 3)\n",
           best_hit / best_base);
    g_hash_table_destroy(ht);
    xen_map_cache_destroy(mc);
    fakefm_fini(&fm);
    return best_hit / best_base;
}

/* Time @iters invalidations of @mc; Return: ns per call, best of ROUNDS. */
static double time_invalidate(MapCache *mc, unsigned int iters)
{
    double best = 1e30;

    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns(), t;

        for (unsigned int i = 0; i < iters; i++)
            xen_invalidate_map_cache(mc);
        t = (now_ns() - t0) / iters;
        best = t < best ? t : best;
    }
    return best;
}

/* The old way: visit every chain head, skip locked entries. */
static double time_full_walk(MapCache *mc, unsigned int iters)
{
    double best = 1e30;

    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns(), t;
        uintptr_t seen = 0;

        for (unsigned int i = 0; i < iters; i++) {
            pthread_mutex_lock(&mc->lock);
            for (uint32_t b = 0; b < mc->nr_buckets; b++)
                for (MapCacheEntry *e = mc->buckets[b]; e; e = e->chain_next)
                    seen += e->lock != 0;
            mc->last_entry = NULL;
            pthread_mutex_unlock(&mc->lock);
        }
        t = (now_ns() - t0) / iters;
        best = t < best ? t : best;
        sink = seen;
    }
    return best;
}

static void bench_invalidate(double *flat, double *speedup)
{
    struct fakefm fm;
    MapCache *big, *small;
    void *held[2][8];
    double t_big, t_small, t_walk;
    MapCacheStats s;

    if (fakefm_init(&fm, 65536)) {
        fprintf(stderr, "bench_mapcache: fake memory\n");
        exit(1);
    }
    big = make(&fm, 32ull << 30);
    small = make(&fm, 64 * MiB);
    for (unsigned int i = 0; i < 8; i++) {
        held[0][i] = xen_map_cache(big, key_addr(i), 0x100, true, false);
        held[1][i] = xen_map_cache(small, key_addr(i), 0x100, true, false);
        if (!held[0][i] || !held[1][i]) {
            fprintf(stderr, "bench_mapcache: map failed\n");
            exit(1);
        }
    }
    xen_map_cache_get_stats(big, &s);
    printf("invalidate_buckets_default %" PRIu32 "\n", s.nr_buckets);
    t_big = time_invalidate(big, 200000);
    xen_map_cache_get_stats(small, &s);
    printf("invalidate_buckets_capped %" PRIu32 "\n", s.nr_buckets);
    t_small = time_invalidate(small, 200000);
    t_walk = time_full_walk(big, 2000);
    xen_map_cache_get_stats(big, &s);
    if (s.live_entries != 8 || s.locked != 8) {
        fprintf(stderr, "bench_mapcache: entries lost\n");
        exit(1);
    }
    printf("invalidate_8_live_32768_buckets %.1f ns\n", t_big);
    printf("invalidate_8_live_64_buckets %.1f ns\n", t_small);
    printf("full_walk_32768_buckets %.1f ns\n", t_walk);
    printf("invalidate_flatness_ratio %.3f (target <= 1.2)\n",
           t_big / t_small);
    printf("invalidate_vs_full_walk_speedup %.1f x (target >= 50)\n",
           t_walk / t_big);
    *flat = t_big / t_small;
    *speedup = t_walk / t_big;
    for (unsigned int i = 0; i < 8; i++) {
        xen_invalidate_map_cache_entry(big, held[0][i]);
        xen_invalidate_map_cache_entry(small, held[1][i]);
    }
    xen_map_cache_destroy(big);
    xen_map_cache_destroy(small);
    fakefm_fini(&fm);
}

int main(void)
{
    double hit_ratio, flat, speedup;
    int ok;

    hit_ratio = bench_lookups();
    bench_invalidate(&flat, &speedup);
    ok = hit_ratio <= 3.0 && flat <= 1.2 && speedup >= 50.0;
    printf("mapcache_targets %s\n", ok ? "met" : "MISSED");
    return 0;
}
