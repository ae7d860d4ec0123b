/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq-server.h - xendm's ioreq server on Xen: creation, the vCPU slot
 * state machine, the buffered ring and event channels.
 */
#ifndef XENDM_XEN_IOREQ_SERVER_H
#define XENDM_XEN_IOREQ_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "xen/ioreq.h"   /* first: it sets up the Xen tools headers */

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

/**
 * struct xen_ioreq_server_stats - slot-level counters.
 * @events: event-channel notifications handled.
 * @slot_errors: notifications for a slot not in STATE_IOREQ_READY.
 * @unknown_ports: notifications on a port we did not bind.
 * @notify_errors: failed xenevtchn_notify() calls.
 */
struct xen_ioreq_server_stats {
    uint64_t events;
    uint64_t slot_errors;
    uint64_t unknown_ports;
    uint64_t notify_errors;
};

/**
 * struct xen_ioreq_server - one ioreq server of one domain.
 *
 * Fields are private; read them for monitoring only. Not locked: callers
 * serialise (xendm serves it under the device-model lock), except
 * xen_ioreq_server_next_event(), which only reads the event channel fd.
 */
struct xen_ioreq_server {
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    uint32_t domid;
    ioservid_t id;
    bool created;
    bool enabled;
    unsigned nr_vcpus;

    xenforeignmemory_resource_handle *res;  /* map_resource mapping */
    void *legacy_shared;                     /* fallback foreign maps */
    void *legacy_buffered;
    shared_iopage_t *shared;
    buffered_iopage_t *buffered;

    evtchn_port_t *local_ports;              /* per vCPU, 0 = unbound */
    evtchn_port_t buf_local_port;
    bool buf_bound;

    struct xen_ioreq_dispatcher *disp;
    struct xen_ioreq_server_stats stats;
    struct log_ratelimit rl;
};

/**
 * xen_ioreq_server_start() - create, map, bind and enable a server.
 * @srv: zero-initialised storage.
 * @dmod: open devicemodel handle (not owned).
 * @fmem: open foreign memory handle (not owned).
 * @xce: open event channel handle (not owned); its fd signals requests.
 * @domid: the guest.
 * @nr_vcpus: slots to serve (the guest's maximum vCPU count).
 * @disp: where requests go (not owned; must outlive @srv).
 *
 * Creates the server with HVM_IOREQSRV_BUFIOREQ_ATOMIC, maps its two
 * frames with map_resource (falling back to get_ioreq_server_info +
 * foreign map when that is not supported), binds one port per vCPU and the
 * buffered port, and enables it. On failure, undoes what it did.
 * Return: 0 or -errno.
 */
int xen_ioreq_server_start(struct xen_ioreq_server *srv,
                           xendevicemodel_handle *dmod,
                           xenforeignmemory_handle *fmem,
                           xenevtchn_handle *xce, uint32_t domid,
                           unsigned nr_vcpus,
                           struct xen_ioreq_dispatcher *disp)
    __attribute__((warn_unused_result));

/**
 * xen_ioreq_server_stop() - disable, destroy, unbind and unmap; safe on a
 * server that failed to start or was never started.
 * @srv: the server.
 */
void xen_ioreq_server_stop(struct xen_ioreq_server *srv);

/**
 * xen_ioreq_server_next_event() - read the next pending port of the event
 * channel: blocks until one is pending when the fd is blocking (the ioreq
 * thread's case); needs no lock.
 * @srv: the server.
 * Return: the port, or -errno (-EINTR: interrupted by a signal; -EAGAIN:
 * none pending on a non-blocking fd).
 */
int xen_ioreq_server_next_event(struct xen_ioreq_server *srv);

/**
 * xen_ioreq_server_serve_event() - serve a port that
 * xen_ioreq_server_next_event() returned (a vCPU slot or the buffered
 * ring), then unmask it.
 * @srv: the server.
 * @port: the port; one we did not bind is counted and logged.
 */
void xen_ioreq_server_serve_event(struct xen_ioreq_server *srv,
                                  evtchn_port_t port);

/**
 * xen_ioreq_server_poll_buffered() - drain the buffered ring (timer path:
 * Xen does not always notify).
 * @srv: the server.
 */
void xen_ioreq_server_poll_buffered(struct xen_ioreq_server *srv);

/**
 * xen_ioreq_server_map_range() - route [@start, @last] to this server.
 * @srv: the server.
 * @is_mmio: memory (true) or port (false) range.
 * @start: first address.
 * @last: last address (inclusive).
 * Return: 0 or -errno.
 */
int xen_ioreq_server_map_range(struct xen_ioreq_server *srv, bool is_mmio,
                               uint64_t start, uint64_t last);
/** xen_ioreq_server_unmap_range() - undo xen_ioreq_server_map_range(). */
int xen_ioreq_server_unmap_range(struct xen_ioreq_server *srv, bool is_mmio,
                                 uint64_t start, uint64_t last);
/**
 * xen_ioreq_server_map_pcidev() - route config cycles of 0000:@bus:@dev.@fn
 * to this server (they arrive as IOREQ_TYPE_PCI_CONFIG).
 * Return: 0 or -errno.
 */
int xen_ioreq_server_map_pcidev(struct xen_ioreq_server *srv, uint8_t bus,
                                uint8_t dev, uint8_t fn);
/** xen_ioreq_server_unmap_pcidev() - undo xen_ioreq_server_map_pcidev(). */
int xen_ioreq_server_unmap_pcidev(struct xen_ioreq_server *srv, uint8_t bus,
                                  uint8_t dev, uint8_t fn);

#endif /* XENDM_XEN_IOREQ_SERVER_H */
