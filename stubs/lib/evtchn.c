/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evtchn.c - xensim's libxenevtchn.so.1 with /dev/xen/evtchn semantics.
 *
 * A handle is a FIFO in the run directory (evtchn/<pid>-<nonce>.fifo),
 * opened O_RDWR; that fd is what xenevtchn_fd() returns. Ports a handle
 * binds live in dom0's port table (the device model's domain) with the
 * handle's FIFO as receiver and coalesce = 1: a delivered port is masked until
 * xenevtchn_unmask(), events arriving meanwhile are remembered and sent
 * again on unmask (like the kernel driver). xenevtchn_pending() reads one
 * 4-byte port (blocking, like read() on the device). Notify looks up the
 * peer under one domain lock and writes into the peer's FIFO directly; the
 * daemon is not involved. XENSIM_FAIL_NOTIFY=1 makes notify fail (EIO).
 * A handle is used by one thread at a time (like the real one).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "stubs/lib/simlib.h"

struct xenevtchn_handle {
    xsim_tc_ah tc_ah;
    struct xsim_domcache dc;
    struct xsim_fdcache fc;
    struct xsim_dom *d0; /* owned by dc */
    int fd;
    int wfd;
    uint64_t ino;
    char fifo[XSIM_FIFO_MAX];
    int restricted;
    uint32_t restrict_domid;
};

/* Create the handle's FIFO: read end (blocking) + own write end. */
static int ev_make_fifo(xenevtchn_handle *h)
{
    char path[PATH_MAX];
    struct timespec ts;

    snprintf(path, sizeof(path), "%s/evtchn", h->dc.run.path);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(h->fifo, sizeof(h->fifo), "evtchn/%d-%llx-%lx.fifo", getpid(),
             (unsigned long long)ts.tv_sec * 1000000000ull +
                 (unsigned long long)ts.tv_nsec,
             (unsigned long)(uintptr_t)h);
    h->fd = xsim_fifo_open(&h->dc.run, h->fifo, 0, &h->ino);
    if (h->fd < 0)
        return h->fd;
    snprintf(path, sizeof(path), "%s/%s", h->dc.run.path, h->fifo);
    h->wfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (h->wfd < 0) {
        int rc = -errno;

        close(h->fd);
        unlink(path);
        return rc;
    }
    return 0;
}

static int ev_fail(int e)
{
    errno = e;
    return -1;
}

static int ev_restrict_cb(xsim_tc_ah *ah, uint16_t domid)
{
    return xenevtchn_restrict((xenevtchn_handle *)ah, domid);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
                                 unsigned int flags)
{
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    int rc;

    if (!h)
        return NULL;
    rc = xsim_domcache_init(&h->dc, NULL);
    if (rc == 0 && !(h->d0 = xsim_domcache_get(&h->dc, 0)))
        rc = -errno;
    if (rc == 0)
        rc = ev_make_fifo(h);
    if (rc) {
        xsim_domcache_fini(&h->dc);
        free(h);
        errno = -rc;
        return NULL;
    }
    h->tc_ah.restrict_callback = ev_restrict_cb;
    xsim_fdcache_init(&h->fc);
    xentoolcore__register_active_handle(&h->tc_ah);
    return h;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
                                   unsigned open_flags)
{
    errno = ENOSYS;
    return NULL;
}

static int owned_locked(const xenevtchn_handle *h, const struct xsim_port *e)
{
    return e->state != XSIM_PORT_FREE && e->fifo_ino == h->ino &&
           strcmp(e->fifo, h->fifo) == 0;
}

static void unbind_one(xenevtchn_handle *h, struct xsim_dom *d0,
                       evtchn_port_t port)
{
    struct xsim_port *e = &d0->sh->ports[port];
    uint32_t pd = 0, pp = 0;
    struct xsim_dom *p;

    xsim_lock(d0);
    if (!owned_locked(h, e)) {
        xsim_unlock(d0);
        return;
    }
    if (e->state == XSIM_PORT_INTERDOMAIN) {
        pd = e->peer_dom;
        pp = e->peer_port;
    }
    memset(e, 0, sizeof(*e));
    xsim_unlock(d0);
    if (!pp)
        return;
    p = xsim_domcache_get(&h->dc, pd);
    if (!p)
        return;
    xsim_lock(p);
    if (p->sh->ports[pp].state == XSIM_PORT_INTERDOMAIN &&
        p->sh->ports[pp].peer_dom == 0 && p->sh->ports[pp].peer_port == port) {
        p->sh->ports[pp].state = XSIM_PORT_UNBOUND;
        p->sh->ports[pp].remote_dom = 0;
        p->sh->ports[pp].peer_fifo[0] = '\0';
    }
    xsim_unlock(p);
}

int xenevtchn_close(xenevtchn_handle *h)
{
    struct xsim_dom *d0;

    if (!h)
        return 0;
    xentoolcore__deregister_active_handle(&h->tc_ah);
    d0 = xsim_domcache_get(&h->dc, 0);
    if (d0)
        for (evtchn_port_t p = 1; p < XSIM_NR_PORTS; p++)
            if (d0->sh->ports[p].state != XSIM_PORT_FREE)
                unbind_one(h, d0, p);
    close(h->fd);
    close(h->wfd);
    {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s", h->dc.run.path, h->fifo);
        unlink(path);
    }
    xsim_fdcache_fini(&h->fc);
    xsim_domcache_fini(&h->dc);
    free(h);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *h)
{
    return h->fd;
}

int xenevtchn_restrict(xenevtchn_handle *h, domid_t domid)
{
    h->restricted = 1;
    h->restrict_domid = domid;
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *h,
                                                      uint32_t domid)
{
    struct xsim_dom *d0 = xsim_domcache_get(&h->dc, 0);
    int p;

    if (!d0)
        return -1;
    if (h->restricted && domid != h->restrict_domid)
        return ev_fail(EPERM);
    xsim_lock(d0);
    p = xsim_port_alloc_locked(d0);
    if (p > 0) {
        struct xsim_port *e = &d0->sh->ports[p];

        e->state = XSIM_PORT_UNBOUND;
        e->remote_dom = domid;
        e->coalesce = 1;
        e->fifo_ino = h->ino;
        memcpy(e->fifo, h->fifo, sizeof(e->fifo));
    }
    xsim_unlock(d0);
    return p > 0 ? p : ev_fail(-p);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h,
                                                     uint32_t domid,
                                                     evtchn_port_t rport)
{
    struct xsim_dom *d0 = xsim_domcache_get(&h->dc, 0);
    struct xsim_dom *d;
    struct xsim_port *r;
    uint64_t rino = 0;
    char rfifo[XSIM_FIFO_MAX] = "";
    int lport, rc = 0;

    if (!d0)
        return -1;
    if (h->restricted && domid != h->restrict_domid)
        return ev_fail(EPERM);
    if (rport == 0 || rport >= XSIM_NR_PORTS)
        return ev_fail(EINVAL);
    d = xsim_domcache_get(&h->dc, domid);
    if (!d)
        return -1;
    lport = xenevtchn_bind_unbound_port(h, domid);
    if (lport < 0)
        return -1;
    xsim_lock(d);
    r = &d->sh->ports[rport];
    if (r->state != XSIM_PORT_UNBOUND || r->remote_dom != 0) {
        rc = -EINVAL;
    } else {
        r->state = XSIM_PORT_INTERDOMAIN;
        r->peer_dom = 0;
        r->peer_port = (uint32_t)lport;
        r->peer_fifo_ino = h->ino;
        memcpy(r->peer_fifo, h->fifo, sizeof(r->peer_fifo));
        rino = r->fifo_ino;
        memcpy(rfifo, r->fifo, sizeof(rfifo));
    }
    xsim_unlock(d);
    xsim_lock(d0);
    if (rc) {
        memset(&d0->sh->ports[lport], 0, sizeof(d0->sh->ports[lport]));
    } else {
        struct xsim_port *e = &d0->sh->ports[lport];

        e->state = XSIM_PORT_INTERDOMAIN;
        e->peer_dom = domid;
        e->peer_port = rport;
        e->peer_fifo_ino = rino;
        memcpy(e->peer_fifo, rfifo, sizeof(e->peer_fifo));
    }
    xsim_unlock(d0);
    return rc ? ev_fail(-rc) : lport;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *h,
                                              unsigned int virq)
{
    return ev_fail(ENOSYS);
}

int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
    struct xsim_dom *d0 = xsim_domcache_get(&h->dc, 0);
    int owned;

    if (!d0)
        return -1;
    if (port == 0 || port >= XSIM_NR_PORTS)
        return ev_fail(EINVAL);
    xsim_lock(d0);
    owned = owned_locked(h, &d0->sh->ports[port]);
    xsim_unlock(d0);
    if (!owned)
        return ev_fail(ENOTCONN);
    unbind_one(h, d0, port);
    return 0;
}

int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
    struct xsim_dom *d0 = h->d0;
    struct xsim_dom *p;
    struct xsim_port *e;
    uint32_t pd, pp;
    uint64_t ino;
    char fifo[XSIM_FIFO_MAX];
    const char *fail = getenv("XENSIM_FAIL_NOTIFY");
    int rc;

    if (!d0)
        return -1;
    if (fail && strcmp(fail, "1") == 0)
        return ev_fail(EIO);
    if (port == 0 || port >= XSIM_NR_PORTS)
        return ev_fail(EINVAL);
    xsim_lock(d0);
    e = &d0->sh->ports[port];
    if (!owned_locked(h, e)) {
        xsim_unlock(d0);
        return ev_fail(ENOTCONN);
    }
    if (e->state != XSIM_PORT_INTERDOMAIN) {
        xsim_unlock(d0);
        return 0; /* Xen drops notifications on unbound ports silently */
    }
    pd = e->peer_dom;
    pp = e->peer_port;
    ino = e->peer_fifo_ino;
    memcpy(fifo, e->peer_fifo, sizeof(fifo));
    xsim_unlock(d0);
    p = xsim_domcache_get(&h->dc, pd);
    if (!p)
        return -1;
    rc = xsim_port_deliver(p->sh, pp, fifo, ino, &h->fc, &h->dc.run);
    return rc ? ev_fail(-rc) : 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    uint32_t port;
    ssize_t n = read(h->fd, &port, sizeof(port));

    if (n != (ssize_t)sizeof(port))
        return n < 0 ? -1 : ev_fail(EIO);
    return (xenevtchn_port_or_error_t)port;
}

int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
    int rc = xsim_port_unmask(h->d0->sh, port, h->wfd);

    return rc ? ev_fail(-rc) : 0;
}
