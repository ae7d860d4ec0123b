/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * foreignmemory.c - xensim's libxenforeignmemory.so.1.
 *
 * A handle owns a cache of opened domains (struct xsim_domcache) and a
 * registry of its live mappings. map/map2 reserve the virtual range with an
 * anonymous PROT_NONE mapping, resolve each gfn through the domain's p2m to
 * its machine frame (at map time, like Xen: the mapping names frames, so
 * relocating gfns later leaves it valid), then map each run of consecutive
 * frames from the domain's RAM file with MAP_FIXED | MAP_SHARED; gfns that
 * are not populated keep the PROT_NONE page (touching it faults, like an
 * unmapped privcmd page) and get err[i] = -EINVAL. map_resource maps ioreq
 * server pages from dom<N>/ioreq<I>. Every mapping is counted in the
 * domain's accounting slot for this process (see simstate.h) until
 * unmapped; a new mapping or an unmap over recorded pages cuts them out of
 * the records (xsim_maplist_cut()), so nothing is counted twice.
 * Handles are thread-safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "stubs/lib/simlib.h"

struct xenforeignmemory_handle {
    xsim_tc_ah tc_ah;
    struct xsim_domcache dc;
    struct xsim_maplist maps;
    int restricted;
    uint32_t restrict_domid;
};

struct xenforeignmemory_resource_handle {
    uint32_t domid;
    void *addr;
    unsigned long nr_frames;
};

/*
 * At exit, record which mappings are really still there (see struct
 * xsim_acct): device models may drop mappings with plain munmap(), which
 * the counters cannot see. Process-wide by nature; keeps no state.
 */
__attribute__((destructor)) static void fmem_exit_scan(void)
{
    struct xsim_run run;
    const char *dir = getenv("XENSIM_DIR");

    if (dir && *dir && access(dir, F_OK) == 0 && xsim_run_open(&run, dir) == 0)
        xsim_acct_exit_scan(&run);
}

static int fmem_restrict_cb(xsim_tc_ah *ah, uint16_t domid)
{
    xenforeignmemory_handle *h = (xenforeignmemory_handle *)ah;

    return xenforeignmemory_restrict(h, domid);
}

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
                                               unsigned int open_flags)
{
    xenforeignmemory_handle *h = calloc(1, sizeof(*h));
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
    h->tc_ah.restrict_callback = fmem_restrict_cb;
    xentoolcore__register_active_handle(&h->tc_ah);
    return h;
}

int xenforeignmemory_close(xenforeignmemory_handle *h)
{
    if (!h)
        return 0;
    xentoolcore__deregister_active_handle(&h->tc_ah);
    /* Like privcmd: mappings outlive the handle (and stay accounted). */
    xsim_maplist_fini(&h->maps);
    xsim_domcache_fini(&h->dc);
    free(h);
    return 0;
}

static struct xsim_dom *fmem_dom(xenforeignmemory_handle *h, uint32_t dom)
{
    if (h->restricted && dom != h->restrict_domid) {
        errno = EPERM;
        return NULL;
    }
    return xsim_domcache_get(&h->dc, dom);
}

/* Map one legacy ioreq-server gfn (see XSIM_IOREQ_GFN_BASE). Locked. */
static int map_ioreq_gfn_locked(struct xsim_dom *d, uint64_t gfn, void *at,
                                int prot)
{
    unsigned int id = (unsigned int)((gfn - XSIM_IOREQ_GFN_BASE) / 2);
    unsigned int frame = (unsigned int)((gfn - XSIM_IOREQ_GFN_BASE) % 2);
    char path[PATH_MAX];
    void *p;
    int fd;

    if (!d->sh->servers[id].in_use ||
        (frame == 0 && !d->sh->servers[id].bufioreq))
        return -EINVAL;
    xsim_ioreq_path(d, id, path, sizeof(path));
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    p = mmap(at, XSIM_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, fd,
             (off_t)frame << XSIM_PAGE_SHIFT);
    close(fd);
    return p == MAP_FAILED ? -errno : 0;
}

/*
 * The pages [@addr, @addr + @len) of this handle's recorded mappings are
 * gone (replaced or unmapped): trim, split or drop the records, and
 * account for it (a split counts as one more mapping, like a split VMA).
 */
static void forget_range(xenforeignmemory_handle *h, void *addr, size_t len)
{
    struct xsim_mapping cut;
    int left;

    while ((left = xsim_maplist_cut(&h->maps, addr, len, &cut)) >= 0) {
        struct xsim_dom *od = xsim_domcache_get(&h->dc, cut.domid);

        if (od)
            xsim_acct_add(od, 0, left - 1, -(int64_t)cut.pages, 0);
    }
}

static int is_ioreq_gfn(uint64_t g)
{
    return g >= XSIM_IOREQ_GFN_BASE &&
           g < XSIM_IOREQ_GFN_BASE + 2 * XSIM_MAX_SERVERS;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *h, uint32_t dom,
                            void *addr, int prot, int flags, size_t num,
                            const xen_pfn_t arr[], int err[])
{
    struct xsim_mapping m;
    struct xsim_dom *d;
    uint8_t *base;
    size_t i, len;
    int all = 0, ok = 0;

    if (num == 0 || num > XSIM_MAX_GFNS) {
        errno = EINVAL;
        return NULL;
    }
    d = fmem_dom(h, dom);
    if (!d)
        return NULL;
    (void)xsim_env_fail_gfn(~0ull, &all);
    if (all) {
        xsim_acct_add(d, 0, 0, 0, 1);
        errno = EIO;
        return NULL;
    }
    len = num << XSIM_PAGE_SHIFT;
    base = mmap(addr, len, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | (flags & MAP_FIXED), -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    xsim_lock(d);
    for (i = 0; i < num;) {
        size_t run = 1;
        uint64_t g = arr[i], frame;

        if (is_ioreq_gfn(g) && !xsim_populated_locked(d, g)) {
            err[i] = map_ioreq_gfn_locked(d, g, base + (i << XSIM_PAGE_SHIFT),
                                          prot);
            ok += !err[i];
            i++;
            continue;
        }
        if (!xsim_populated_locked(d, g) || xsim_env_fail_gfn(g, &all)) {
            err[i] = xsim_populated_locked(d, g) ? -EFAULT : -EINVAL;
            i++;
            continue;
        }
        /* a run: consecutive gfns whose frames are consecutive too */
        frame = xsim_gfn_frame_locked(d, g);
        while (i + run < num && arr[i + run] == g + run &&
               xsim_gfn_frame_locked(d, g + run) == frame + run &&
               !xsim_env_fail_gfn(g + run, &all))
            run++;
        if (mmap(base + (i << XSIM_PAGE_SHIFT), run << XSIM_PAGE_SHIFT, prot,
                 MAP_SHARED | MAP_FIXED, d->ram_fd,
                 (off_t)(frame << XSIM_PAGE_SHIFT)) == MAP_FAILED) {
            for (size_t k = 0; k < run; k++)
                err[i + k] = -errno;
        } else {
            for (size_t k = 0; k < run; k++)
                err[i + k] = 0;
            ok += (int)run;
        }
        i += run;
    }
    xsim_unlock(d);
    /* The new mapping replaced whatever the kernel had there (MAP_FIXED
     * remap in place, or addresses of a mapping dropped with munmap()). */
    forget_range(h, base, len);
    m = (struct xsim_mapping){ .addr = base, .pages = num, .domid = dom };
    if (xsim_maplist_add(&h->maps, &m) != 0) {
        munmap(base, len);
        errno = ENOMEM;
        return NULL;
    }
    xsim_acct_add(d, 0, 1, (int64_t)num, 1);
    return base;
}

void *xenforeignmemory_map(xenforeignmemory_handle *h, uint32_t dom,
                           int prot, size_t pages, const xen_pfn_t arr[],
                           int err[])
{
    int *own = NULL;
    void *p;

    if (!err) {
        if (pages > XSIM_MAX_GFNS) {
            errno = EINVAL;
            return NULL;
        }
        own = calloc(pages ? pages : 1, sizeof(int));
        if (!own)
            return NULL;
        err = own;
    }
    p = xenforeignmemory_map2(h, dom, NULL, prot, 0, pages, arr, err);
    if (p && own) {
        for (size_t i = 0; i < pages; i++) {
            if (own[i]) {
                int e = -own[i];

                xenforeignmemory_unmap(h, p, pages);
                free(own);
                errno = e;
                return NULL;
            }
        }
    }
    free(own);
    return p;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *h, void *addr,
                           size_t pages)
{
    if (pages && ((uintptr_t)addr & (XSIM_PAGE_SIZE - 1)) == 0 &&
        pages <= XSIM_MAX_GFNS)
        forget_range(h, addr, pages << XSIM_PAGE_SHIFT);
    return munmap(addr, pages << XSIM_PAGE_SHIFT);
}

int xenforeignmemory_restrict(xenforeignmemory_handle *h, domid_t domid)
{
    h->restricted = 1;
    h->restrict_domid = domid;
    return 0;
}

static int resource_check(xenforeignmemory_handle *h, struct xsim_dom *d,
                          unsigned int type, unsigned int id,
                          unsigned long frame, unsigned long nr)
{
    const struct xsim_server *s;
    int rc = 0;

    if (type != XENMEM_resource_ioreq_server)
        return -EOPNOTSUPP;
    if (id >= XSIM_MAX_SERVERS || nr == 0 || frame > 1 || nr > 2 - frame)
        return -EINVAL;
    xsim_lock(d);
    s = &d->sh->servers[id];
    if (!s->in_use)
        rc = -ENOENT;
    else if (frame == 0 && s->bufioreq == 0)
        rc = -EINVAL; /* no buffered page without bufioreq */
    xsim_unlock(d);
    return rc;
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
    xenforeignmemory_handle *h, domid_t domid, unsigned int type,
    unsigned int id, unsigned long frame, unsigned long nr_frames,
    void **paddr, int prot, int flags)
{
    xenforeignmemory_resource_handle *r;
    char path[PATH_MAX + 32];
    struct xsim_dom *d;
    void *p;
    int fd, rc;

    d = fmem_dom(h, domid);
    if (!d)
        return NULL;
    if (getenv("XENSIM_FAIL_MAP_RESOURCE")) {
        errno = EOPNOTSUPP; /* fault injection: force the legacy path */
        return NULL;
    }
    rc = resource_check(h, d, type, id, frame, nr_frames);
    if (rc) {
        errno = -rc;
        return NULL;
    }
    xsim_ioreq_path(d, id, path, sizeof(path));
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    p = mmap(paddr ? *paddr : NULL, nr_frames << XSIM_PAGE_SHIFT, prot,
             MAP_SHARED | (flags & MAP_FIXED), fd,
             (off_t)(frame << XSIM_PAGE_SHIFT));
    close(fd);
    if (p == MAP_FAILED)
        return NULL;
    r = calloc(1, sizeof(*r));
    if (!r) {
        munmap(p, nr_frames << XSIM_PAGE_SHIFT);
        errno = ENOMEM;
        return NULL;
    }
    r->domid = domid;
    r->addr = p;
    r->nr_frames = nr_frames;
    if (paddr)
        *paddr = p;
    xsim_acct_add(d, 1, 1, 0, 0);
    return r;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *h,
                                    xenforeignmemory_resource_handle *r)
{
    struct xsim_dom *d;
    int rc;

    if (!r)
        return 0;
    rc = munmap(r->addr, r->nr_frames << XSIM_PAGE_SHIFT);
    d = xsim_domcache_get(&h->dc, r->domid);
    if (d)
        xsim_acct_add(d, 1, -1, 0, 0);
    free(r);
    return rc;
}

int xenforeignmemory_resource_size(xenforeignmemory_handle *h, domid_t domid,
                                   unsigned int type, unsigned int id,
                                   size_t *size)
{
    struct xsim_dom *d = fmem_dom(h, domid);
    int rc;

    if (!d)
        return -1;
    rc = resource_check(h, d, type, id, 1, 1);
    if (rc) {
        errno = -rc;
        return -1;
    }
    *size = 2 << XSIM_PAGE_SHIFT;
    return 0;
}
