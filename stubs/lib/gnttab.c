/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gnttab.c - xensim's libxengnttab.so.1 (the gnttab half; gntshr is
 * ENOSYS).
 *
 * Grants are entries of the granting domain's table in its shared state,
 * written by the guest side (xsg_grant()). Mapping checks each ref (in
 * use, granted to dom0, read-only grants refuse PROT_WRITE) and maps the
 * granted frames from the RAM file into one contiguous range; the grant's
 * map count and this process's accounting go up until xengnttab_unmap().
 * grant_copy copies between local buffers and granted frames with
 * pread/pwrite on the RAM file, per-segment status like Xen's GNTST_*.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>
#include <xen/grant_table.h>

#include "stubs/lib/simlib.h"

struct xengntdev_handle {
    xsim_tc_ah tc_ah;
    struct xsim_domcache dc;
    struct xsim_maplist maps;
    uint32_t max_grants;
};

static int gt_fail(int e)
{
    errno = e;
    return -1;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
                                 unsigned open_flags)
{
    xengnttab_handle *h = calloc(1, sizeof(*h));
    int rc;

    if (!h)
        return NULL;
    rc = xsim_domcache_init(&h->dc, NULL);
    if (rc) {
        free(h);
        errno = -rc;
        return NULL;
    }
    xsim_maplist_init(&h->maps);
    h->max_grants = UINT32_MAX; /* unlimited until set_max_grants() */
    /* Like the real gntdev handle: no restrict callback (NULL is allowed). */
    return h;
}

int xengnttab_close(xengnttab_handle *h)
{
    if (!h)
        return 0;
    xsim_maplist_fini(&h->maps);
    xsim_domcache_fini(&h->dc);
    free(h);
    return 0;
}

int xengnttab_fd(xengnttab_handle *h)
{
    return gt_fail(ENOSYS);
}

int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t nr_grants)
{
    if (nr_grants == 0)
        return gt_fail(EINVAL);
    h->max_grants = nr_grants;
    return 0;
}

static void grants_put(struct xsim_dom *d, const uint32_t *refs, uint32_t n)
{
    xsim_lock(d);
    for (uint32_t i = 0; i < n; i++)
        if (refs[i] < XSIM_NR_GRANTS && d->sh->grants[refs[i]].maps)
            d->sh->grants[refs[i]].maps--;
    xsim_unlock(d);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count,
                                      uint32_t domid, uint32_t *refs,
                                      int prot)
{
    struct xsim_mapping m;
    struct xsim_dom *d;
    uint64_t *gfns;
    uint8_t *base;
    uint32_t i;
    int rc = 0;

    if (count == 0 || count > h->max_grants) {
        errno = count ? E2BIG : EINVAL;
        return NULL;
    }
    d = xsim_domcache_get(&h->dc, domid);
    if (!d)
        return NULL;
    gfns = calloc(count, sizeof(*gfns));
    m.refs = malloc(count * sizeof(uint32_t));
    if (!gfns || !m.refs) {
        free(gfns);
        free(m.refs);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(m.refs, refs, count * sizeof(uint32_t));
    xsim_lock(d);
    for (i = 0; i < count && !rc; i++) {
        struct xsim_grant *g = refs[i] < XSIM_NR_GRANTS
                                   ? &d->sh->grants[refs[i]] : NULL;

        if (!g || !g->in_use || g->domid != 0)
            rc = -EINVAL;
        else if (g->readonly && (prot & PROT_WRITE))
            rc = -EACCES;
        else if (!xsim_populated_locked(d, g->gfn))
            rc = -EFAULT;
        else
            gfns[i] = xsim_gfn_frame_locked(d, g->gfn); /* mapped by frame */
    }
    if (!rc)
        for (i = 0; i < count; i++)
            d->sh->grants[refs[i]].maps++;
    xsim_unlock(d);
    if (rc)
        goto fail;
    base = mmap(NULL, (size_t)count << XSIM_PAGE_SHIFT, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        rc = -errno;
        grants_put(d, refs, count);
        goto fail;
    }
    for (i = 0; i < count; i++) {
        if (mmap(base + ((size_t)i << XSIM_PAGE_SHIFT), XSIM_PAGE_SIZE, prot,
                 MAP_SHARED | MAP_FIXED, d->ram_fd,
                 (off_t)(gfns[i] << XSIM_PAGE_SHIFT)) == MAP_FAILED) {
            rc = -errno;
            munmap(base, (size_t)count << XSIM_PAGE_SHIFT);
            grants_put(d, refs, count);
            goto fail;
        }
    }
    free(gfns);
    m.addr = base;
    m.pages = count;
    m.domid = domid;
    m.kind = 2;
    if (xsim_maplist_add(&h->maps, &m) != 0) {
        munmap(base, (size_t)count << XSIM_PAGE_SHIFT);
        grants_put(d, refs, count);
        free(m.refs);
        errno = ENOMEM;
        return NULL;
    }
    xsim_acct_add(d, 2, 1, 0, 0);
    return base;
fail:
    free(gfns);
    free(m.refs);
    errno = -rc;
    return NULL;
}

void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid,
                              uint32_t ref, int prot)
{
    return xengnttab_map_domain_grant_refs(h, 1, domid, &ref, prot);
}

void *xengnttab_map_grant_refs(xengnttab_handle *h, uint32_t count,
                               uint32_t *domids, uint32_t *refs, int prot)
{
    for (uint32_t i = 1; i < count; i++) {
        if (domids[i] != domids[0]) {
            errno = ENOSYS; /* mixed-domain batches are not simulated */
            return NULL;
        }
    }
    return count ? xengnttab_map_domain_grant_refs(h, count, domids[0], refs,
                                                   prot)
                 : (errno = EINVAL, NULL);
}

void *xengnttab_map_grant_ref_notify(xengnttab_handle *h, uint32_t domid,
                                     uint32_t ref, int prot,
                                     uint32_t notify_offset,
                                     evtchn_port_t notify_port)
{
    errno = ENOSYS;
    return NULL;
}

int xengnttab_unmap(xengnttab_handle *h, void *start, uint32_t count)
{
    struct xsim_mapping m;
    struct xsim_dom *d;

    if (xsim_maplist_take(&h->maps, start, &m) != 0)
        return gt_fail(EINVAL);
    if (m.pages != count) {
        xsim_maplist_add(&h->maps, &m);
        return gt_fail(EINVAL);
    }
    munmap(start, (size_t)count << XSIM_PAGE_SHIFT);
    d = xsim_domcache_get(&h->dc, m.domid);
    if (d) {
        grants_put(d, m.refs, count);
        xsim_acct_add(d, 2, -1, 0, 0);
    }
    free(m.refs);
    return 0;
}

/* Resolve a foreign side of a copy: Return: GNTST_* and the file offset. */
static int16_t copy_resolve(xengnttab_handle *h, uint32_t ref, uint16_t off,
                            uint16_t domid, uint16_t len, int write,
                            struct xsim_dom **dout, off_t *pos)
{
    struct xsim_dom *d = xsim_domcache_get(&h->dc, domid);
    struct xsim_grant *g;
    int16_t st = GNTST_okay;

    if (!d)
        return GNTST_bad_domain;
    if ((uint32_t)off + len > XSIM_PAGE_SIZE)
        return GNTST_bad_copy_arg;
    if (ref >= XSIM_NR_GRANTS)
        return GNTST_bad_gntref;
    xsim_lock(d);
    g = &d->sh->grants[ref];
    if (!g->in_use || g->domid != 0)
        st = GNTST_bad_gntref;
    else if (write && g->readonly)
        st = GNTST_permission_denied;
    else if (!xsim_populated_locked(d, g->gfn))
        st = GNTST_bad_page;
    else
        *pos = (off_t)((xsim_gfn_frame_locked(d, g->gfn) << XSIM_PAGE_SHIFT) +
                       off);
    xsim_unlock(d);
    *dout = d;
    return st;
}

int xengnttab_grant_copy(xengnttab_handle *h, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    for (uint32_t i = 0; i < count; i++) {
        xengnttab_grant_copy_segment_t *s = &segs[i];
        struct xsim_dom *sd = NULL, *dd = NULL;
        off_t spos = 0, dpos = 0;
        uint8_t buf[XSIM_PAGE_SIZE];
        int16_t st = GNTST_okay;

        if (s->flags & GNTCOPY_source_gref)
            st = copy_resolve(h, s->source.foreign.ref,
                              s->source.foreign.offset,
                              s->source.foreign.domid, s->len, 0, &sd, &spos);
        if (st == GNTST_okay && (s->flags & GNTCOPY_dest_gref))
            st = copy_resolve(h, s->dest.foreign.ref, s->dest.foreign.offset,
                              s->dest.foreign.domid, s->len, 1, &dd, &dpos);
        if (st == GNTST_okay) {
            if (sd) {
                if (pread(sd->ram_fd, buf, s->len, spos) != s->len)
                    st = GNTST_general_error;
            } else {
                memcpy(buf, s->source.virt, s->len);
            }
        }
        if (st == GNTST_okay) {
            if (dd) {
                if (pwrite(dd->ram_fd, buf, s->len, dpos) != s->len)
                    st = GNTST_general_error;
            } else {
                memcpy(s->dest.virt, buf, s->len);
            }
        }
        s->status = st;
    }
    return 0;
}

int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *h, uint32_t domid,
                                   uint32_t flags, uint32_t count,
                                   const uint32_t *refs, uint32_t *fd)
{
    return gt_fail(ENOSYS);
}

int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *h, uint32_t fd,
                                       uint32_t wait_to_ms)
{
    return gt_fail(ENOSYS);
}

int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *h, uint32_t domid,
                                 uint32_t fd, uint32_t count, uint32_t *refs)
{
    return gt_fail(ENOSYS);
}

int xengnttab_dmabuf_imp_release(xengnttab_handle *h, uint32_t fd)
{
    return gt_fail(ENOSYS);
}

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger,
                                 unsigned open_flags)
{
    errno = ENOSYS;
    return NULL;
}

int xengntshr_close(xengntshr_handle *h)
{
    return 0;
}

int xengntshr_fd(xengntshr_handle *h)
{
    return gt_fail(ENOSYS);
}

void *xengntshr_share_pages(xengntshr_handle *h, uint32_t domid, int count,
                            uint32_t *refs, int writable)
{
    errno = ENOSYS;
    return NULL;
}

void *xengntshr_share_page_notify(xengntshr_handle *h, uint32_t domid,
                                  uint32_t *ref, int writable,
                                  uint32_t notify_offset,
                                  evtchn_port_t notify_port)
{
    errno = ENOSYS;
    return NULL;
}

int xengntshr_unshare(xengntshr_handle *h, void *start, uint32_t count)
{
    return gt_fail(ENOSYS);
}
