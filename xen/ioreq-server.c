/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq-server.c - the Xen side of the ioreq path.
 *
 * One server per device model. Its two frames are mapped once: frame 0 is
 * the buffered ring, frame 1 the shared page with one 32-byte slot per
 * vCPU. Xen marks a slot STATE_IOREQ_READY and notifies that vCPU's port;
 * we check the state, read barrier, copy the slot (the guest-visible page
 * can change under us), mark it INPROCESS, drain the buffered ring (posted
 * writes stay ordered before the synchronous request), dispatch the copy,
 * write back only `data`, write barrier, mark IORESP_READY and notify the
 * same port. A slot in any other state is a protocol error for that slot:
 * counted, logged (rate-limited), and left alone.
 *
 * Not locked: everything runs under the device-model lock (the ioreq
 * thread serves events, the main loop's timer polls the buffered ring).
 * Library calls return -1 + errno; they are converted to -errno here.
 */
#include "xen/ioreq-server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>

#define IOREQ_PAGE_SIZE 4096u

static int neg_errno(void)
{
    return errno ? -errno : -EIO;
}

static int map_pages(struct xen_ioreq_server *srv)
{
    void *addr = NULL;
    xen_pfn_t ioreq_gfn = 0, buf_gfn = 0;
    evtchn_port_t port;

    srv->res = xenforeignmemory_map_resource(srv->fmem, srv->domid,
                                             XENMEM_resource_ioreq_server,
                                             srv->id, 0, 2, &addr,
                                             PROT_READ | PROT_WRITE, 0);
    if (srv->res) {
        srv->buffered = addr;
        srv->shared = (shared_iopage_t *)((uint8_t *)addr + IOREQ_PAGE_SIZE);
        return 0;
    }
    if (errno != EOPNOTSUPP) {
        int err = neg_errno();

        log_err("ioreq: cannot map the server's frames: %s", strerror(-err));
        return err;
    }

    /* Older Xen: ask for the frames' gfns and map them as foreign memory. */
    if (xendevicemodel_get_ioreq_server_info(srv->dmod, srv->domid, srv->id,
                                             &ioreq_gfn, &buf_gfn, &port)) {
        int err = neg_errno();

        log_err("ioreq: get_ioreq_server_info: %s", strerror(-err));
        return err;
    }
    srv->legacy_shared = xenforeignmemory_map(srv->fmem, srv->domid,
                                              PROT_READ | PROT_WRITE, 1,
                                              &ioreq_gfn, NULL);
    srv->legacy_buffered = xenforeignmemory_map(srv->fmem, srv->domid,
                                                PROT_READ | PROT_WRITE, 1,
                                                &buf_gfn, NULL);
    if (!srv->legacy_shared || !srv->legacy_buffered) {
        int err = neg_errno();

        log_err("ioreq: cannot map the server's pages: %s", strerror(-err));
        return err;
    }
    srv->shared = srv->legacy_shared;
    srv->buffered = srv->legacy_buffered;
    return 0;
}

static int bind_ports(struct xen_ioreq_server *srv)
{
    evtchn_port_t buf_port;
    xenevtchn_port_or_error_t p;

    /* The buffered port always comes from get_ioreq_server_info. */
    if (xendevicemodel_get_ioreq_server_info(srv->dmod, srv->domid, srv->id,
                                             NULL, NULL, &buf_port)) {
        int err = neg_errno();

        log_err("ioreq: get_ioreq_server_info: %s", strerror(-err));
        return err;
    }
    for (unsigned v = 0; v < srv->nr_vcpus; v++) {
        uint32_t remote = srv->shared->vcpu_ioreq[v].vp_eport;

        p = xenevtchn_bind_interdomain(srv->xce, srv->domid, remote);
        if (p < 0) {
            int err = neg_errno();

            log_err("ioreq: cannot bind vCPU %u's port %u: %s", v, remote,
                    strerror(-err));
            return err;
        }
        srv->local_ports[v] = (evtchn_port_t)p;
    }
    p = xenevtchn_bind_interdomain(srv->xce, srv->domid, buf_port);
    if (p < 0) {
        int err = neg_errno();

        log_err("ioreq: cannot bind the buffered port %u: %s", buf_port,
                strerror(-err));
        return err;
    }
    srv->buf_local_port = (evtchn_port_t)p;
    srv->buf_bound = true;
    return 0;
}

int xen_ioreq_server_start(struct xen_ioreq_server *srv,
                           xendevicemodel_handle *dmod,
                           xenforeignmemory_handle *fmem,
                           xenevtchn_handle *xce, uint32_t domid,
                           unsigned nr_vcpus,
                           struct xen_ioreq_dispatcher *disp)
{
    int err;

    if (nr_vcpus == 0 || nr_vcpus > IOREQ_PAGE_SIZE / sizeof(ioreq_t))
        return -EINVAL;
    srv->dmod = dmod;
    srv->fmem = fmem;
    srv->xce = xce;
    srv->domid = domid;
    srv->nr_vcpus = nr_vcpus;
    srv->disp = disp;
    srv->local_ports = calloc(nr_vcpus, sizeof(*srv->local_ports));
    if (!srv->local_ports)
        return -ENOMEM;

    if (xendevicemodel_create_ioreq_server(dmod, domid,
                                           HVM_IOREQSRV_BUFIOREQ_ATOMIC,
                                           &srv->id)) {
        err = neg_errno();
        log_err("ioreq: cannot create an ioreq server for domain %u: %s",
                domid, strerror(-err));
        goto fail;
    }
    srv->created = true;

    err = map_pages(srv);
    if (err)
        goto fail;
    if (xendevicemodel_set_ioreq_server_state(dmod, domid, srv->id, 1)) {
        err = neg_errno();
        log_err("ioreq: cannot enable the server: %s", strerror(-err));
        goto fail;
    }
    srv->enabled = true;
    err = bind_ports(srv);
    if (err)
        goto fail;
    log_info("ioreq: server %u of domain %u serving %u vCPUs", srv->id,
             domid, nr_vcpus);
    return 0;

fail:
    xen_ioreq_server_stop(srv);
    return err;
}

void xen_ioreq_server_stop(struct xen_ioreq_server *srv)
{
    if (srv->local_ports) {
        for (unsigned v = 0; v < srv->nr_vcpus; v++)
            if (srv->local_ports[v])
                xenevtchn_unbind(srv->xce, srv->local_ports[v]);
        free(srv->local_ports);
        srv->local_ports = NULL;
    }
    if (srv->buf_bound) {
        xenevtchn_unbind(srv->xce, srv->buf_local_port);
        srv->buf_bound = false;
    }
    if (srv->enabled) {
        xendevicemodel_set_ioreq_server_state(srv->dmod, srv->domid, srv->id, 0);
        srv->enabled = false;
    }
    if (srv->created) {
        xendevicemodel_destroy_ioreq_server(srv->dmod, srv->domid, srv->id);
        srv->created = false;
    }
    if (srv->res) {
        xenforeignmemory_unmap_resource(srv->fmem, srv->res);
        srv->res = NULL;
    }
    if (srv->legacy_shared)
        xenforeignmemory_unmap(srv->fmem, srv->legacy_shared, 1);
    if (srv->legacy_buffered)
        xenforeignmemory_unmap(srv->fmem, srv->legacy_buffered, 1);
    srv->legacy_shared = srv->legacy_buffered = NULL;
    srv->shared = NULL;
    srv->buffered = NULL;
}

void xen_ioreq_server_poll_buffered(struct xen_ioreq_server *srv)
{
    if (srv->buffered)
        xen_ioreq_drain_buffered(srv->disp, srv->buffered);
}

static void handle_slot(struct xen_ioreq_server *srv, unsigned v)
{
    volatile ioreq_t *slot = &srv->shared->vcpu_ioreq[v];
    ioreq_t req;
    unsigned state = slot->state;

    if (state != STATE_IOREQ_READY) {
        srv->stats.slot_errors++;
        log_warn_rl(&srv->rl, "ioreq: vCPU %u notified with slot state %u "
                    "(expected READY); ignored", v, state);
        return;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    memcpy(&req, (const void *)slot, sizeof(req));
    slot->state = STATE_IOREQ_INPROCESS;

    xen_ioreq_drain_buffered(srv->disp, srv->buffered);
    xen_ioreq_dispatch(srv->disp, &req);

    if (req.dir == IOREQ_READ && !req.data_is_ptr)
        slot->data = req.data;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    slot->state = STATE_IORESP_READY;
    if (xenevtchn_notify(srv->xce, srv->local_ports[v])) {
        srv->stats.notify_errors++;
        log_warn_rl(&srv->rl, "ioreq: notify of vCPU %u failed: %s", v,
                    strerror(errno));
    }
}

static void serve_port(struct xen_ioreq_server *srv, evtchn_port_t port)
{
    unsigned v;

    if (srv->buf_bound && port == srv->buf_local_port) {
        xen_ioreq_drain_buffered(srv->disp, srv->buffered);
        return;
    }
    for (v = 0; v < srv->nr_vcpus; v++)
        if (srv->local_ports[v] == port)
            break;
    if (v == srv->nr_vcpus) {
        srv->stats.unknown_ports++;
        log_warn_rl(&srv->rl, "ioreq: event on unknown port %u", port);
        return;
    }
    handle_slot(srv, v);
}

int xen_ioreq_server_next_event(struct xen_ioreq_server *srv)
{
    xenevtchn_port_or_error_t port = xenevtchn_pending(srv->xce);

    return port < 0 ? neg_errno() : (int)port;
}

void xen_ioreq_server_serve_event(struct xen_ioreq_server *srv,
                                  evtchn_port_t port)
{
    srv->stats.events++;
    serve_port(srv, port);
    /* After serving, as the event channel driver expects: an event that
     * arrived meanwhile was latched and is delivered again now. */
    xenevtchn_unmask(srv->xce, port);
}

int xen_ioreq_server_map_range(struct xen_ioreq_server *srv, bool is_mmio,
                               uint64_t start, uint64_t last)
{
    if (xendevicemodel_map_io_range_to_ioreq_server(srv->dmod, srv->domid,
                                                    srv->id, is_mmio, start,
                                                    last))
        return neg_errno();
    return 0;
}

int xen_ioreq_server_unmap_range(struct xen_ioreq_server *srv, bool is_mmio,
                                 uint64_t start, uint64_t last)
{
    if (xendevicemodel_unmap_io_range_from_ioreq_server(srv->dmod, srv->domid,
                                                        srv->id, is_mmio,
                                                        start, last))
        return neg_errno();
    return 0;
}

int xen_ioreq_server_map_pcidev(struct xen_ioreq_server *srv, uint8_t bus,
                                uint8_t dev, uint8_t fn)
{
    if (xendevicemodel_map_pcidev_to_ioreq_server(srv->dmod, srv->domid,
                                                  srv->id, 0, bus, dev, fn))
        return neg_errno();
    return 0;
}

int xen_ioreq_server_unmap_pcidev(struct xen_ioreq_server *srv, uint8_t bus,
                                  uint8_t dev, uint8_t fn)
{
    if (xendevicemodel_unmap_pcidev_from_ioreq_server(srv->dmod, srv->domid,
                                                      srv->id, 0, bus, dev,
                                                      fn))
        return neg_errno();
    return 0;
}
