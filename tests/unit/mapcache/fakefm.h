/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fakefm.h - an in-process stand-in for foreign memory, used by the
 * mapcache's pure-logic suite. Guest RAM is a memfd; map2 maps populated
 * frames of it MAP_SHARED (like privcmd maps guest frames) and reports
 * err[i] = -EINVAL for unpopulated ones. Mappings are tracked by address
 * (MAP_FIXED over a tracked mapping replaces it, as in the kernel), so
 * leaks and extra work are visible. Thread-safe.
 */
#ifndef TESTS_MAPCACHE_FAKEFM_H
#define TESTS_MAPCACHE_FAKEFM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mapcache/private.h"

/**
 * struct fakefm - the fake's state.
 * @fd: guest RAM (memfd), @nr_gfns frames.
 * @populated: one byte per frame.
 * @fail_all: make map2 fail outright (returns NULL, errno EIO) before
 *        touching the address space.
 * @fail_late: make map2 fail after mapping, like privcmd's ioctl failing:
 *        the range (and a mapping it replaced) is unmapped, NULL returned.
 * @map_calls: map2 calls (successful or not).
 * @unmap_calls: unmap calls.
 * @outstanding: tracked mappings now.
 * @outstanding_pages: their pages.
 * @nr / @addr / @pages: the tracked mappings.
 */
struct fakefm {
    pthread_mutex_t lock;
    int fd;
    uint64_t nr_gfns;
    uint8_t *populated;
    bool fail_all;
    bool fail_late;
    uint64_t map_calls;
    uint64_t unmap_calls;
    int64_t outstanding;
    int64_t outstanding_pages;
    size_t nr;
    size_t cap;
    void **addr;
    size_t *pages;
};

/** fakefm_init() - @nr_gfns frames, all populated. Return: 0 or -errno. */
int fakefm_init(struct fakefm *f, uint64_t nr_gfns);
/** fakefm_fini() - release the RAM (tracked mappings stay mapped). */
void fakefm_fini(struct fakefm *f);
/** fakefm_set_populated() - (de)populate [gfn, gfn + nr). */
void fakefm_set_populated(struct fakefm *f, uint64_t gfn, uint64_t nr,
                          bool populated);
/** fakefm_write() / fakefm_read(): guest RAM access behind the cache. */
void fakefm_write(struct fakefm *f, uint64_t gpa, const void *buf, size_t len);
void fakefm_read(struct fakefm *f, uint64_t gpa, void *buf, size_t len);
/** fakefm_backend() - the mapcache backend bound to @f. */
struct mapcache_backend fakefm_backend(struct fakefm *f);
/** fakefm_map_calls() / fakefm_outstanding(): counters, read locked. */
uint64_t fakefm_map_calls(struct fakefm *f);
int64_t fakefm_outstanding(struct fakefm *f);

#endif
