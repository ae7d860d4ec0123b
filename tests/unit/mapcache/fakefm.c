/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fakefm.c - in-process foreign memory for the mapcache suite (fakefm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/mapcache/fakefm.h"

#define PG 4096u

int fakefm_init(struct fakefm *f, uint64_t nr_gfns)
{
    memset(f, 0, sizeof(*f));
    f->fd = memfd_create("fakefm-ram", MFD_CLOEXEC);
    if (f->fd < 0)
        return -errno;
    if (ftruncate(f->fd, (off_t)(nr_gfns * PG))) {
        close(f->fd);
        return -errno;
    }
    f->populated = malloc(nr_gfns);
    if (!f->populated) {
        close(f->fd);
        return -ENOMEM;
    }
    memset(f->populated, 1, nr_gfns);
    f->nr_gfns = nr_gfns;
    pthread_mutex_init(&f->lock, NULL);
    return 0;
}

void fakefm_fini(struct fakefm *f)
{
    close(f->fd);
    free(f->populated);
    free(f->addr);
    free(f->pages);
    pthread_mutex_destroy(&f->lock);
}

void fakefm_set_populated(struct fakefm *f, uint64_t gfn, uint64_t nr,
                          bool populated)
{
    pthread_mutex_lock(&f->lock);
    for (uint64_t i = gfn; i < gfn + nr && i < f->nr_gfns; i++) {
        f->populated[i] = populated;
        if (!populated) /* given back: contents are gone */
            (void)fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)(i * PG), PG);
    }
    pthread_mutex_unlock(&f->lock);
}

void fakefm_write(struct fakefm *f, uint64_t gpa, const void *buf, size_t len)
{
    if (pwrite(f->fd, buf, len, (off_t)gpa) != (ssize_t)len)
        abort();
}

void fakefm_read(struct fakefm *f, uint64_t gpa, void *buf, size_t len)
{
    if (pread(f->fd, buf, len, (off_t)gpa) != (ssize_t)len)
        abort();
}

/* Forget a tracked mapping at @addr (replaced or unmapped); locked. */
static bool untrack(struct fakefm *f, void *addr)
{
    for (size_t i = 0; i < f->nr; i++) {
        if (f->addr[i] == addr) {
            f->outstanding--;
            f->outstanding_pages -= (int64_t)f->pages[i];
            f->addr[i] = f->addr[f->nr - 1];
            f->pages[i] = f->pages[f->nr - 1];
            f->nr--;
            return true;
        }
    }
    return false;
}

static void *fake_map2(void *opaque, void *addr, size_t pages,
                       const xen_pfn_t *pfns, int *err)
{
    struct fakefm *f = opaque;
    uint8_t *base;

    pthread_mutex_lock(&f->lock);
    f->map_calls++;
    if (f->fail_all) {
        pthread_mutex_unlock(&f->lock);
        errno = EIO;
        return NULL;
    }
    if (f->nr == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        void **a = realloc(f->addr, cap * sizeof(*a));
        size_t *p;

        if (a)
            f->addr = a;
        p = a ? realloc(f->pages, cap * sizeof(*p)) : NULL;
        if (!p) {
            pthread_mutex_unlock(&f->lock);
            errno = ENOMEM;
            return NULL;
        }
        f->pages = p;
        f->cap = cap;
    }
    base = mmap(addr, pages * PG, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0), -1, 0);
    if (base == MAP_FAILED) {
        pthread_mutex_unlock(&f->lock);
        return NULL;
    }
    if (addr)
        untrack(f, addr);
    if (f->fail_late) {
        munmap(base, pages * PG);
        pthread_mutex_unlock(&f->lock);
        errno = EIO;
        return NULL;
    }
    for (size_t i = 0; i < pages;) {
        size_t run = 1;

        if (pfns[i] >= f->nr_gfns || !f->populated[pfns[i]]) {
            err[i++] = -EINVAL;
            continue;
        }
        while (i + run < pages && pfns[i + run] == pfns[i] + run &&
               pfns[i + run] < f->nr_gfns && f->populated[pfns[i + run]])
            run++;
        if (mmap(base + i * PG, run * PG, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_FIXED, f->fd,
                 (off_t)(pfns[i] * PG)) == MAP_FAILED) {
            for (size_t k = 0; k < run; k++)
                err[i + k] = -errno;
        } else {
            for (size_t k = 0; k < run; k++)
                err[i + k] = 0;
        }
        i += run;
    }
    f->addr[f->nr] = base;
    f->pages[f->nr] = pages;
    f->nr++;
    f->outstanding++;
    f->outstanding_pages += (int64_t)pages;
    pthread_mutex_unlock(&f->lock);
    return base;
}

static int fake_unmap(void *opaque, void *addr, size_t pages)
{
    struct fakefm *f = opaque;

    pthread_mutex_lock(&f->lock);
    f->unmap_calls++;
    if (!untrack(f, addr)) {
        pthread_mutex_unlock(&f->lock);
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_unlock(&f->lock);
    return munmap(addr, pages * PG);
}

struct mapcache_backend fakefm_backend(struct fakefm *f)
{
    return (struct mapcache_backend){
        .map2 = fake_map2, .unmap = fake_unmap, .opaque = f,
    };
}

uint64_t fakefm_map_calls(struct fakefm *f)
{
    uint64_t v;

    pthread_mutex_lock(&f->lock);
    v = f->map_calls;
    pthread_mutex_unlock(&f->lock);
    return v;
}

int64_t fakefm_outstanding(struct fakefm *f)
{
    int64_t v;

    pthread_mutex_lock(&f->lock);
    v = f->outstanding;
    pthread_mutex_unlock(&f->lock);
    return v;
}
