/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devicemodel.c - xensim's libxendevicemodel.so.1.
 *
 * Every call edits the target domain's shared state (simstate.h) under its
 * lock. ioreq servers live in xsim_shared.servers[]; their ranges behave
 * like Xen's rangesets (adjacent ranges merge, an overlap is -EEXIST, an
 * unmap must lie inside one range and may split it, at most 256 per type).
 * Creating a server allocates one guest-side event channel per vCPU (plus
 * one for the buffered ring) and (re)initialises dom<N>/ioreq<id>: page 0
 * the buffered ring, page 1 the shared_iopage with each slot's vp_eport.
 * Interrupt calls, MSIs, modified_memory, cacheattr pins and shutdowns
 * are recorded in the shared state for the guest side to observe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xen/hvm/ioreq.h>
#include <xen/hvm/hvm_op.h>
#include <xen/sched.h>

#include "stubs/lib/simlib.h"

struct xendevicemodel_handle {
    xsim_tc_ah tc_ah;
    struct xsim_domcache dc;
    int restricted;
    uint32_t restrict_domid;
};

static int dm_fail(int e)
{
    errno = e;
    return -1;
}

static int dm_restrict_cb(xsim_tc_ah *ah, uint16_t domid)
{
    return xendevicemodel_restrict((xendevicemodel_handle *)ah, domid);
}

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
                                           unsigned int open_flags)
{
    xendevicemodel_handle *h = calloc(1, sizeof(*h));
    int rc;

    if (!h)
        return NULL;
    rc = xsim_domcache_init(&h->dc, NULL);
    if (rc) {
        free(h);
        errno = -rc;
        return NULL;
    }
    h->tc_ah.restrict_callback = dm_restrict_cb;
    xentoolcore__register_active_handle(&h->tc_ah);
    return h;
}

int xendevicemodel_close(xendevicemodel_handle *h)
{
    if (!h)
        return 0;
    xentoolcore__deregister_active_handle(&h->tc_ah);
    xsim_domcache_fini(&h->dc);
    free(h);
    return 0;
}

int xendevicemodel_restrict(xendevicemodel_handle *h, domid_t domid)
{
    h->restricted = 1;
    h->restrict_domid = domid;
    return 0;
}

struct xsim_dom *xsim_dm_dom(xendevicemodel_handle *h, domid_t domid);
struct xsim_dom *xsim_dm_dom(xendevicemodel_handle *h, domid_t domid)
{
    if (h->restricted && domid != h->restrict_domid) {
        errno = EPERM;
        return NULL;
    }
    return xsim_domcache_get(&h->dc, domid);
}

static int init_ioreq_file(struct xsim_dom *d, unsigned int id,
                           const struct xsim_server *s)
{
    char path[PATH_MAX + 32];
    uint8_t *p;
    int fd, rc = 0;

    xsim_ioreq_path(d, id, path, sizeof(path));
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    /* Never shrink: a guest side may still map a previous server's file. */
    if (ftruncate(fd, 2 * XSIM_PAGE_SIZE) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    p = mmap(NULL, 2 * XSIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
             fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return -errno;
    memset(p, 0, 2 * XSIM_PAGE_SIZE);
    {
        shared_iopage_t *sp = (shared_iopage_t *)(p + XSIM_PAGE_SIZE);

        for (unsigned int v = 0; v < d->sh->nr_vcpus; v++)
            sp->vcpu_ioreq[v].vp_eport = s->vcpu_port[v];
    }
    munmap(p, 2 * XSIM_PAGE_SIZE);
    return 0;
}

static void free_port_locked(struct xsim_dom *d, uint32_t port,
                             uint32_t *peer_dom, uint32_t *peer_port)
{
    struct xsim_port *e = &d->sh->ports[port];

    *peer_dom = *peer_port = 0;
    if (port == 0 || port >= XSIM_NR_PORTS)
        return;
    if (e->state == XSIM_PORT_INTERDOMAIN) {
        *peer_dom = e->peer_dom;
        *peer_port = e->peer_port;
    }
    memset(e, 0, sizeof(*e));
}

/* The other end of a closed channel becomes unbound again, as in Xen. */
static void unbind_peer(xendevicemodel_handle *h, uint32_t dom, uint32_t port)
{
    struct xsim_dom *p;

    if (!port)
        return;
    p = xsim_domcache_get(&h->dc, dom);
    if (!p)
        return;
    xsim_lock(p);
    if (p->sh->ports[port].state == XSIM_PORT_INTERDOMAIN) {
        p->sh->ports[port].state = XSIM_PORT_UNBOUND;
        p->sh->ports[port].peer_fifo[0] = '\0';
    }
    xsim_unlock(p);
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *h,
                                       domid_t domid, int handle_bufioreq,
                                       ioservid_t *id)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    struct xsim_server *s = NULL;
    unsigned int i, sid = 0;
    int rc = 0;

    if (!d)
        return -1;
    if (handle_bufioreq < HVM_IOREQSRV_BUFIOREQ_OFF ||
        handle_bufioreq > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
        return dm_fail(EINVAL);
    xsim_lock(d);
    for (i = 0; i < XSIM_MAX_SERVERS; i++) {
        if (!d->sh->servers[i].in_use) {
            s = &d->sh->servers[i];
            sid = i;
            break;
        }
    }
    if (!s) {
        xsim_unlock(d);
        return dm_fail(ENOSPC);
    }
    memset(s, 0, sizeof(*s));
    for (unsigned int v = 0; v < d->sh->nr_vcpus && !rc; v++) {
        int p = xsim_port_alloc_locked(d);
        struct xsim_port *e;

        if (p < 0) {
            rc = p;
            break;
        }
        e = &d->sh->ports[p];
        e->state = XSIM_PORT_UNBOUND;
        e->remote_dom = 0;
        e->futex = 1; /* the guest vCPU sleeps on the doorbell */
        s->vcpu_port[v] = (uint32_t)p;
    }
    if (!rc && handle_bufioreq) {
        int p = xsim_port_alloc_locked(d);

        if (p < 0) {
            rc = p;
        } else {
            d->sh->ports[p].state = XSIM_PORT_UNBOUND;
            s->buf_port = (uint32_t)p;
        }
    }
    if (!rc)
        rc = init_ioreq_file(d, sid, s);
    if (rc) {
        uint32_t pd, pp;

        for (unsigned int v = 0; v < d->sh->nr_vcpus; v++)
            free_port_locked(d, s->vcpu_port[v], &pd, &pp);
        free_port_locked(d, s->buf_port, &pd, &pp);
        memset(s, 0, sizeof(*s));
        xsim_unlock(d);
        return dm_fail(-rc);
    }
    s->bufioreq = (uint32_t)handle_bufioreq;
    s->owner_pid = getpid();
    s->in_use = 1;
    xsim_unlock(d);
    *id = (ioservid_t)sid;
    return 0;
}

static struct xsim_server *server_locked(struct xsim_dom *d, ioservid_t id)
{
    if (id >= XSIM_MAX_SERVERS || !d->sh->servers[id].in_use)
        return NULL;
    return &d->sh->servers[id];
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *h,
                                         domid_t domid, ioservid_t id,
                                         xen_pfn_t *ioreq_gfn,
                                         xen_pfn_t *bufioreq_gfn,
                                         evtchn_port_t *bufioreq_port)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    struct xsim_server *s;

    if (!d)
        return -1;
    xsim_lock(d);
    s = server_locked(d, id);
    if (!s) {
        xsim_unlock(d);
        return dm_fail(ENOENT);
    }
    /* Legacy gfns (see XSIM_IOREQ_GFN_BASE); map them with map/map2. */
    if (ioreq_gfn)
        *ioreq_gfn = XSIM_IOREQ_GFN_BASE + 2 * id + 1;
    if (bufioreq_gfn)
        *bufioreq_gfn = s->bufioreq ? XSIM_IOREQ_GFN_BASE + 2 * id : 0;
    if (bufioreq_port)
        *bufioreq_port = s->buf_port;
    xsim_unlock(d);
    return 0;
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *h,
                                        domid_t domid, ioservid_t id)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    uint32_t peers[XSIM_MAX_VCPUS + 1][2];
    unsigned int n = 0;
    struct xsim_server *s;

    if (!d)
        return -1;
    xsim_lock(d);
    s = server_locked(d, id);
    if (!s) {
        xsim_unlock(d);
        return dm_fail(ENOENT);
    }
    for (unsigned int v = 0; v < d->sh->nr_vcpus; v++, n++)
        free_port_locked(d, s->vcpu_port[v], &peers[n][0], &peers[n][1]);
    free_port_locked(d, s->buf_port, &peers[n][0], &peers[n][1]);
    n++;
    memset(s, 0, sizeof(*s));
    xsim_unlock(d);
    for (unsigned int i = 0; i < n; i++)
        unbind_peer(h, peers[i][0], peers[i][1]);
    return 0;
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *h,
                                          domid_t domid, ioservid_t id,
                                          int enabled)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    struct xsim_server *s;

    if (!d)
        return -1;
    xsim_lock(d);
    s = server_locked(d, id);
    if (s)
        s->enabled = !!enabled;
    xsim_unlock(d);
    return s ? 0 : dm_fail(ENOENT);
}

static int range_add(struct xsim_range *r, uint32_t *n, uint64_t start,
                     uint64_t last)
{
    int left = -1, right = -1;

    for (uint32_t i = 0; i < *n; i++) {
        if (start <= r[i].last && r[i].start <= last)
            return -EEXIST;
        if (r[i].last != UINT64_MAX && r[i].last + 1 == start)
            left = (int)i;
        if (last != UINT64_MAX && last + 1 == r[i].start)
            right = (int)i;
    }
    if (left >= 0 && right >= 0) {
        r[left].last = r[right].last;
        r[right] = r[--*n];
    } else if (left >= 0) {
        r[left].last = last;
    } else if (right >= 0) {
        r[right].start = start;
    } else {
        if (*n >= XSIM_MAX_RANGES)
            return -ENOSPC;
        r[*n].start = start;
        r[*n].last = last;
        ++*n;
    }
    return 0;
}

static int range_remove(struct xsim_range *r, uint32_t *n, uint64_t start,
                        uint64_t last)
{
    for (uint32_t i = 0; i < *n; i++) {
        if (start < r[i].start || last > r[i].last)
            continue;
        if (start == r[i].start && last == r[i].last) {
            r[i] = r[--*n];
        } else if (start == r[i].start) {
            r[i].start = last + 1;
        } else if (last == r[i].last) {
            r[i].last = start - 1;
        } else {
            if (*n >= XSIM_MAX_RANGES)
                return -ENOSPC;
            r[*n].start = last + 1;
            r[*n].last = r[i].last;
            ++*n;
            r[i].last = start - 1;
        }
        return 0;
    }
    return -ENOENT;
}

static int edit_range(xendevicemodel_handle *h, domid_t domid, ioservid_t id,
                      unsigned int type, uint64_t start, uint64_t end,
                      int add)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    struct xsim_server *s;
    int rc;

    if (!d)
        return -1;
    if (start > end)
        return dm_fail(EINVAL);
    xsim_lock(d);
    s = server_locked(d, id);
    if (!s)
        rc = -ENOENT;
    else if (add)
        rc = range_add(s->ranges[type], &s->nr_ranges[type], start, end);
    else
        rc = range_remove(s->ranges[type], &s->nr_ranges[type], start, end);
    xsim_unlock(d);
    return rc ? dm_fail(-rc) : 0;
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *h,
                                                domid_t domid, ioservid_t id,
                                                int is_mmio, uint64_t start,
                                                uint64_t end)
{
    return edit_range(h, domid, id, is_mmio ? 1 : 0, start, end, 1);
}

int xendevicemodel_unmap_io_range_from_ioreq_server(
    xendevicemodel_handle *h, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    return edit_range(h, domid, id, is_mmio ? 1 : 0, start, end, 0);
}

static int pcidev_range(xendevicemodel_handle *h, domid_t domid,
                        ioservid_t id, uint16_t segment, uint8_t bus,
                        uint8_t device, uint8_t function, int add)
{
    uint64_t sbdf;

    if (device > 0x1f || function > 7)
        return dm_fail(EINVAL);
    sbdf = ((uint64_t)segment << 16) | ((uint64_t)bus << 8) |
           ((uint64_t)device << 3) | function;
    return edit_range(h, domid, id, 2, sbdf, sbdf, add);
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *h,
                                              domid_t domid, ioservid_t id,
                                              uint16_t segment, uint8_t bus,
                                              uint8_t device,
                                              uint8_t function)
{
    return pcidev_range(h, domid, id, segment, bus, device, function, 1);
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *h,
                                                  domid_t domid, ioservid_t id,
                                                  uint16_t segment,
                                                  uint8_t bus, uint8_t device,
                                                  uint8_t function)
{
    return pcidev_range(h, domid, id, segment, bus, device, function, 0);
}

int xendevicemodel_map_mem_type_to_ioreq_server(xendevicemodel_handle *h,
                                                domid_t domid, ioservid_t id,
                                                uint16_t type, uint32_t flags)
{
    return dm_fail(ENOSYS);
}
