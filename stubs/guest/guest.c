/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest.c - the xensim guest side: attach, guest RAM, grants, ballooning
 * and observation. The I/O paths (routing, ioreq slots, buffered ring)
 * are in guest_io.c.
 *
 * Data structures: struct xsg_guest (guest_priv.h) holds the mapped state
 * of the guest domain and of dom0 (a vCPU sleeps on its ports' doorbell
 * futexes there; an flock on dom<N>/guest.lock keeps a second attachment
 * out), and lazily mapped ioreq-server pages. RAM is accessed with
 * pread/pwrite on the domain's RAM file (no 64 GiB mapping, so valgrind
 * copes), page by page: each gfn is resolved through the p2m to its
 * machine frame, and HVMMEM_ram_ro and dirty-VRAM tracking (by gfn, like
 * Xen's log-dirty) are checked under the domain lock.
 *
 * Threading: see guest.h. The domain lock is never held across an ioreq
 * round trip.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "stubs/guest/guest_priv.h"

#include <xen/hvm/ioreq.h>

#define XSG_DEFAULT_TIMEOUT_MS 5000u
#define HVMMEM_RAM_RO 1u

int xsg_attach(const char *run_dir, uint32_t domid, struct xsg_guest **out)
{
    struct xsg_guest *g;
    struct xsim_run run;
    struct xsim_dom *dom = NULL, *dom0 = NULL;
    unsigned int n, v;
    int rc;

    rc = xsim_run_open(&run, run_dir);
    if (rc)
        return rc;
    rc = xsim_dom_open(&run, domid, &dom);
    if (rc)
        return rc == -ESRCH ? -ENOENT : rc;
    rc = xsim_dom_open(&run, 0, &dom0);
    if (rc) {
        xsim_dom_close(dom);
        return rc == -ESRCH ? -ENOENT : rc;
    }
    n = dom->sh->nr_vcpus;
    g = calloc(1, sizeof(*g) + n * sizeof(g->vcpus[0]));
    if (!g) {
        xsim_dom_close(dom);
        xsim_dom_close(dom0);
        return -ENOMEM;
    }
    g->run = run;
    g->dom = dom;
    g->dom0 = dom0;
    g->timeout_ms = XSG_DEFAULT_TIMEOUT_MS;
    g->nr_vcpus = 0;
    pthread_mutex_init(&g->map_lock, NULL);
    pthread_mutex_init(&g->buf_lock, NULL);
    xsim_fdcache_init(&g->fc);
    {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/guest.lock", dom->dir);
        g->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (g->lock_fd < 0 || flock(g->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            rc = g->lock_fd < 0 ? -errno : -EBUSY;
            xsg_detach(g);
            return rc;
        }
    }
    for (v = 0; v < n; v++) {
        pthread_mutex_init(&g->vcpus[v].lock, NULL);
        g->vcpus[v].last_server = -1;
        g->nr_vcpus = v + 1;
    }
    /* Without the tick thread, vCPUs fall back to timed waits (also on
     * request: XENSIM_GUEST_NO_TICK=1, to compare the two). */
    if (!getenv("XENSIM_GUEST_NO_TICK"))
        (void)xsg_tick_start(g);
    *out = g;
    return 0;
}

void xsg_detach(struct xsg_guest *g)
{
    if (!g)
        return;
    if (g->tick_started)
        xsg_tick_stop(g);
    for (unsigned int v = 0; v < g->nr_vcpus; v++)
        pthread_mutex_destroy(&g->vcpus[v].lock);
    xsg_unmap_server_pages(g);
    if (g->lock_fd >= 0)
        close(g->lock_fd); /* releases the flock */
    xsim_fdcache_fini(&g->fc);
    pthread_mutex_destroy(&g->map_lock);
    pthread_mutex_destroy(&g->buf_lock);
    xsim_dom_close(g->dom);
    xsim_dom_close(g->dom0);
    free(g);
}

unsigned int xsg_nr_vcpus(const struct xsg_guest *g)
{
    return g->nr_vcpus;
}

uint32_t xsg_domid(const struct xsg_guest *g)
{
    return g->dom->domid;
}

void xsg_set_spin_us(struct xsg_guest *g, unsigned int us)
{
    __atomic_store_n(&g->spin_ns, (uint64_t)(us > 10000 ? 10000 : us) * 1000,
                     __ATOMIC_RELAXED);
}

void xsg_set_timeout_ms(struct xsg_guest *g, unsigned int ms)
{
    __atomic_store_n(&g->timeout_ms, ms ? ms : XSG_DEFAULT_TIMEOUT_MS,
                     __ATOMIC_RELAXED);
}

int xsg_last_server(struct xsg_guest *g, unsigned int vcpu)
{
    if (vcpu >= g->nr_vcpus)
        return -1;
    return __atomic_load_n(&g->vcpus[vcpu].last_server, __ATOMIC_RELAXED);
}

/* Mark [gfn] dirty if dirty-VRAM tracking covers it. Domain locked. */
static void mark_dirty_locked(struct xsim_shared *sh, uint64_t gfn)
{
    if (sh->vram_nr && gfn >= sh->vram_first && gfn - sh->vram_first <
        sh->vram_nr) {
        uint64_t i = gfn - sh->vram_first;

        sh->vram_dirty[i / 64] |= 1ull << (i % 64);
    }
}

int xsg_ram_rw(struct xsg_guest *g, uint64_t gpa, void *buf, size_t len,
               int write, int fill)
{
    uint8_t *p = buf;
    uint8_t page[XSIM_PAGE_SIZE];

    if (len == 0)
        return 0;
    if (gpa + len - 1 < gpa)
        return -EFAULT;
    if (fill)
        memset(page, *(uint8_t *)buf, sizeof(page));
    while (len) {
        uint64_t gfn = gpa >> XSIM_PAGE_SHIFT, frame;
        size_t off = gpa & (XSIM_PAGE_SIZE - 1);
        size_t chunk = XSIM_PAGE_SIZE - off;
        ssize_t n;

        if (chunk > len)
            chunk = len;
        xsim_lock(g->dom);
        frame = xsim_gfn_frame_locked(g->dom, gfn);
        if (frame == XSIM_NO_FRAME) {
            xsim_unlock(g->dom);
            return -EFAULT;
        }
        if (write && xsim_memtype_locked(g->dom, gfn) == HVMMEM_RAM_RO) {
            xsim_unlock(g->dom);
            return -EROFS;
        }
        if (write) {
            n = pwrite(g->dom->ram_fd, fill ? page : p, chunk,
                       (off_t)((frame << XSIM_PAGE_SHIFT) + off));
            mark_dirty_locked(g->dom->sh, gfn);
        } else {
            n = pread(g->dom->ram_fd, p, chunk,
                      (off_t)((frame << XSIM_PAGE_SHIFT) + off));
        }
        xsim_unlock(g->dom);
        if (n != (ssize_t)chunk)
            return n < 0 ? -errno : -EIO;
        gpa += chunk;
        len -= chunk;
        if (!fill)
            p += chunk;
    }
    return 0;
}

int xsg_ram_read(struct xsg_guest *g, uint64_t gpa, void *buf, size_t len)
{
    return xsg_ram_rw(g, gpa, buf, len, 0, 0);
}

int xsg_ram_write(struct xsg_guest *g, uint64_t gpa, const void *buf,
                  size_t len)
{
    return xsg_ram_rw(g, gpa, (void *)buf, len, 1, 0);
}

int xsg_ram_fill(struct xsg_guest *g, uint64_t gpa, uint8_t byte, size_t len)
{
    return xsg_ram_rw(g, gpa, &byte, len, 1, 1);
}

bool xsg_ram_populated(struct xsg_guest *g, uint64_t gfn)
{
    bool r;

    xsim_lock(g->dom);
    r = xsim_populated_locked(g->dom, gfn);
    xsim_unlock(g->dom);
    return r;
}

int xsg_grant(struct xsg_guest *g, uint32_t ref, uint64_t gfn,
              uint32_t to_domid, bool readonly)
{
    struct xsim_grant *e;
    int rc = 0;

    if (ref >= XSIM_NR_GRANTS || gfn >= XSIM_MAX_GFNS)
        return -EINVAL;
    xsim_lock(g->dom);
    e = &g->dom->sh->grants[ref];
    if (e->in_use) {
        rc = -EBUSY;
    } else {
        e->gfn = gfn;
        e->domid = to_domid;
        e->readonly = readonly;
        e->maps = 0;
        e->in_use = 1;
    }
    xsim_unlock(g->dom);
    return rc;
}

int xsg_grant_end(struct xsg_guest *g, uint32_t ref)
{
    struct xsim_grant *e;
    int rc = 0;

    if (ref >= XSIM_NR_GRANTS)
        return -EINVAL;
    xsim_lock(g->dom);
    e = &g->dom->sh->grants[ref];
    if (!e->in_use)
        rc = -EINVAL;
    else if (e->maps)
        rc = -EBUSY;
    else
        memset(e, 0, sizeof(*e));
    xsim_unlock(g->dom);
    return rc;
}

int xsg_balloon_out(struct xsg_guest *g, unsigned int vcpu, uint64_t gfn,
                    uint64_t nr)
{
    int64_t n;
    int rc = 0;

    if (vcpu >= g->nr_vcpus)
        return -EINVAL;
    xsim_lock(g->dom);
    n = xsim_depopulate_locked(g->dom, gfn, nr);
    xsim_unlock(g->dom);
    if (n < 0)
        return (int)n;
    /* Xen broadcasts IOREQ_TYPE_INVALIDATE to every enabled server. */
    pthread_mutex_lock(&g->vcpus[vcpu].lock);
    for (int sid = (int)XSIM_MAX_SERVERS - 1; sid >= 0; sid--) {
        struct xsg_req r = { .type = IOREQ_TYPE_INVALIDATE,
                             .dir = IOREQ_WRITE, .size = 4, .count = 1,
                             .data = ~0ull };
        int enabled, e;

        xsim_lock(g->dom);
        enabled = g->dom->sh->servers[sid].in_use &&
                  g->dom->sh->servers[sid].enabled;
        xsim_unlock(g->dom);
        if (!enabled)
            continue;
        e = xsg_send_to_server(g, vcpu, sid, &r);
        if (e && !rc)
            rc = e;
    }
    pthread_mutex_unlock(&g->vcpus[vcpu].lock);
    return rc;
}

int xsg_balloon_in(struct xsg_guest *g, uint64_t gfn, uint64_t nr)
{
    int rc;

    xsim_lock(g->dom);
    rc = xsim_populate_locked(g->dom, gfn, nr, false);
    xsim_unlock(g->dom);
    return rc;
}

void xsg_observe(struct xsg_guest *g, struct xsg_obs *o)
{
    const struct xsim_shared *sh = g->dom->sh;

    memset(o, 0, sizeof(*o));
    xsim_lock(g->dom);
    memcpy(o->isa_irq, sh->isa_irq, sizeof(o->isa_irq));
    memcpy(o->pci_intx, sh->pci_intx, sizeof(o->pci_intx));
    memcpy(o->link_route, sh->link_route, sizeof(o->link_route));
    o->msi_count = sh->msi_count;
    o->msi_last_addr = sh->msi_last_addr;
    o->msi_last_data = sh->msi_last_data;
    o->modified_calls = sh->modified_calls;
    o->modified_pages = sh->modified_pages;
    o->shutdown_count = sh->shutdown_count;
    o->shutdown_reason = sh->shutdown_reason;
    o->pinned_ranges = sh->pinned_ranges;
    o->populated_frames = sh->populated_count;
    xsim_unlock(g->dom);
}

int xsg_wait_servers(struct xsg_guest *g, unsigned int n,
                     unsigned int timeout_ms)
{
    for (unsigned int waited = 0;; waited += 10) {
        unsigned int have = 0;

        xsim_lock(g->dom);
        for (unsigned int i = 0; i < XSIM_MAX_SERVERS; i++)
            have += g->dom->sh->servers[i].in_use &&
                    g->dom->sh->servers[i].enabled;
        xsim_unlock(g->dom);
        if (have >= n)
            return 0;
        if (waited >= timeout_ms)
            return -ETIMEDOUT;
        poll(NULL, 0, 10);
    }
}
