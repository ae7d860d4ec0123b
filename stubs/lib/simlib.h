/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * simlib.h - helpers shared by xensim's drop-in Xen libraries.
 *
 * Declares libxentoolcore's internal registration interface (the header
 * xentoolcore_internal.h is not shipped by Debian; the layout below is
 * Xen's stable ABI: a callback pointer followed by a list link), and a
 * small registry of live mappings per handle so unmap can do accounting.
 */
#ifndef XENSIM_SIMLIB_H
#define XENSIM_SIMLIB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "stubs/xensim/simstate.h"

typedef struct xsim_tc_ah xsim_tc_ah;

/** typedef xsim_tc_restrict_fn - libxentoolcore's restrict callback. */
typedef int xsim_tc_restrict_fn(xsim_tc_ah *ah, uint16_t domid);

/**
 * struct xsim_tc_ah - mirrors Xentoolcore__Active_Handle.
 * @restrict_callback: called by xentoolcore_restrict_all().
 * @le_next: list link owned by libxentoolcore.
 * @le_prev: list link owned by libxentoolcore.
 */
struct xsim_tc_ah {
    xsim_tc_restrict_fn *restrict_callback;
    struct xsim_tc_ah *le_next;
    struct xsim_tc_ah **le_prev;
};

void xentoolcore__register_active_handle(xsim_tc_ah *ah);
void xentoolcore__deregister_active_handle(xsim_tc_ah *ah);

/**
 * struct xsim_mapping - one live mapping made through a handle.
 * @addr: start.
 * @pages: length in pages.
 * @domid: mapped domain.
 * @kind: 0 foreign, 1 resource, 2 grant.
 * @refs: grant refs (kind 2), malloc'ed.
 */
struct xsim_mapping {
    void *addr;
    uint64_t pages;
    uint32_t domid;
    uint32_t kind;
    uint32_t *refs;
};

/**
 * struct xsim_maplist - live mappings of a handle (under @lock).
 * @lock: protects the array.
 * @v: mappings.
 * @n: used.
 * @cap: allocated.
 */
struct xsim_maplist {
    pthread_mutex_t lock;
    struct xsim_mapping *v;
    size_t n;
    size_t cap;
};

/** xsim_maplist_init() - @l: list to initialise. */
void xsim_maplist_init(struct xsim_maplist *l);
/** xsim_maplist_add() - record @m. Return: 0 or -ENOMEM. */
int xsim_maplist_add(struct xsim_maplist *l, const struct xsim_mapping *m);
/** xsim_maplist_take() - remove the mapping at @addr into @out. Return: 0 or -ENOENT. */
int xsim_maplist_take(struct xsim_maplist *l, void *addr,
                      struct xsim_mapping *out);
/**
 * xsim_maplist_cut() - cut [@addr, @addr + @len) out of one recorded
 * mapping overlapping it (the kernel replaced or unmapped those pages):
 * the record shrinks, splits in two, or goes.
 * @l: the list (foreign mappings only: no grant refs).
 * @addr: start (page aligned).
 * @len: length in bytes (page multiple).
 * @cut: the part removed (its domid, address and pages).
 * Return: pieces of the record left (0, 1 or 2), or -ENOENT when no
 * record overlaps. Call until -ENOENT.
 */
int xsim_maplist_cut(struct xsim_maplist *l, void *addr, size_t len,
                     struct xsim_mapping *cut);
/** xsim_maplist_fini() - free the array (mappings stay: like real handles). */
void xsim_maplist_fini(struct xsim_maplist *l);

/**
 * xsim_acct_add() - adjust this process's accounting in @d.
 * @d: domain.
 * @kind: 0 foreign, 1 resource, 2 grant.
 * @maps: delta of mappings.
 * @pages: delta of pages (foreign).
 * @calls: map calls to add.
 */
void xsim_acct_add(struct xsim_dom *d, unsigned int kind, int64_t maps,
                   int64_t pages, uint64_t calls);

/**
 * xsim_env_fail_gfn() - fault injection: should mapping @gfn fail?
 * Reads XENSIM_FAIL_MAP2: "all", or a comma list of gfns (0x.. ok).
 * @gfn: frame.
 * @all: set to true when the whole map2 call must fail.
 * Return: true if @gfn is listed.
 */
int xsim_env_fail_gfn(uint64_t gfn, int *all);

#endif /* XENSIM_SIMLIB_H */
