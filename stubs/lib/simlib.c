/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * simlib.c - mapping registry, accounting and fault-injection helpers for
 * the drop-in libraries. A registry is a plain array under a mutex, one per
 * handle; lookups are linear (handles hold at most a few thousand
 * mappings in tests).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stubs/lib/simlib.h"

void xsim_maplist_init(struct xsim_maplist *l)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
}

/* Room for one more record. Locked. */
static int maplist_grow(struct xsim_maplist *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct xsim_mapping *v = realloc(l->v, cap * sizeof(*v));

        if (!v)
            return -ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    return 0;
}

int xsim_maplist_add(struct xsim_maplist *l, const struct xsim_mapping *m)
{
    int rc;

    pthread_mutex_lock(&l->lock);
    rc = maplist_grow(l);
    if (!rc)
        l->v[l->n++] = *m;
    pthread_mutex_unlock(&l->lock);
    return rc;
}

int xsim_maplist_take(struct xsim_maplist *l, void *addr,
                      struct xsim_mapping *out)
{
    pthread_mutex_lock(&l->lock);
    for (size_t i = l->n; i-- > 0;) {
        if (l->v[i].addr == addr) {
            *out = l->v[i];
            l->v[i] = l->v[--l->n];
            pthread_mutex_unlock(&l->lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return -ENOENT;
}

int xsim_maplist_cut(struct xsim_maplist *l, void *addr, size_t len,
                     struct xsim_mapping *cut)
{
    uintptr_t a = (uintptr_t)addr, e = a + len;

    pthread_mutex_lock(&l->lock);
    for (size_t i = l->n; i-- > 0;) {
        struct xsim_mapping *m = &l->v[i];
        uintptr_t b = (uintptr_t)m->addr;
        uintptr_t f = b + (uintptr_t)(m->pages << XSIM_PAGE_SHIFT);
        uintptr_t lo = a > b ? a : b, hi = e < f ? e : f;
        int pieces = 0;

        if (!(b < e && a < f))
            continue;
        *cut = *m;
        cut->addr = (void *)lo;
        cut->pages = (hi - lo) >> XSIM_PAGE_SHIFT;
        if (b < lo) { /* head survives in place */
            m->pages = (lo - b) >> XSIM_PAGE_SHIFT;
            pieces++;
        }
        if (hi < f) { /* tail survives */
            struct xsim_mapping t = *m;

            t.addr = (void *)hi;
            t.pages = (f - hi) >> XSIM_PAGE_SHIFT;
            if (!pieces) {
                *m = t;
                pieces++;
            } else if (maplist_grow(l) == 0) {
                l->v[l->n++] = t; /* @m may have moved: t is a copy */
                pieces++;
            } /* else: out of memory, the tail is no longer tracked */
        }
        if (!pieces)
            l->v[i] = l->v[--l->n];
        pthread_mutex_unlock(&l->lock);
        return pieces;
    }
    pthread_mutex_unlock(&l->lock);
    return -ENOENT;
}

void xsim_maplist_fini(struct xsim_maplist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].refs);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
    pthread_mutex_destroy(&l->lock);
}

void xsim_acct_add(struct xsim_dom *d, unsigned int kind, int64_t maps,
                   int64_t pages, uint64_t calls)
{
    struct xsim_acct *a;

    xsim_lock(d);
    a = xsim_acct_locked(d, getpid(), true);
    if (a) {
        switch (kind) {
        case 0:
            a->foreign_maps += maps;
            a->foreign_pages += pages;
            break;
        case 1:
            a->resource_maps += maps;
            break;
        default:
            a->grant_maps += maps;
            break;
        }
        a->map_calls += calls;
    }
    xsim_unlock(d);
}

int xsim_env_fail_gfn(uint64_t gfn, int *all)
{
    const char *s = getenv("XENSIM_FAIL_MAP2");

    *all = 0;
    if (!s || !*s)
        return 0;
    if (strcmp(s, "all") == 0) {
        *all = 1;
        return 1;
    }
    while (*s) {
        char *end;
        unsigned long long v = strtoull(s, &end, 0);

        if (end == s)
            break;
        if (v == gfn)
            return 1;
        s = end;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return 0;
}
