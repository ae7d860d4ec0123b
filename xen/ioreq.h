/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq.h - decoding and dispatch of Xen I/O requests.
 *
 * This is the part of the ioreq path that needs no hypervisor: given a
 * local copy of a synchronous request, or a mapped buffered page, perform
 * the accesses through the memory API and produce the answer. The Xen
 * binding (server creation, slot state machine, event channels) lives in
 * ioreq-server.c and calls into this.
 *
 * Everything here is guest-reachable: every field of a request and of the
 * buffered page is hostile. Nothing aborts; bad requests are logged through
 * the dispatcher's rate limiter, counted, and answered (reads all-ones).
 */
#ifndef XENDM_XEN_IOREQ_H
#define XENDM_XEN_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

/* xendm is a Xen tools program: the device-model parts of the public
 * headers (ioreq server modes, dm_op) are only visible to those. */
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#include "memory/memory.h"
#include "util/log.h"

/* Most items one request may move (rep ins/outs/movs). Xen itself caps a
 * rep at what fits a page on the guest side; this bounds our work when a
 * hostile or broken request asks for more. */
#define XEN_IOREQ_MAX_REPS 4096u

/**
 * struct xen_ioreq_stats - what the dispatcher has done (monitor keys).
 * @pio: IOREQ_TYPE_PIO requests handled.
 * @copy: IOREQ_TYPE_COPY (MMIO) requests handled.
 * @pci_config: IOREQ_TYPE_PCI_CONFIG requests handled.
 * @invalidate: IOREQ_TYPE_INVALIDATE requests handled.
 * @timeoffset: IOREQ_TYPE_TIMEOFFSET requests (ignored).
 * @buffered: buffered slots consumed (an 8-byte pair counts once).
 * @rejected: requests refused as malformed (bad type, size, count, ...).
 * @buffered_rejected: buffered slots refused (bad type, direction, torn
 *     pairs, ring overruns).
 * @access_errors: accesses the memory API reported as failed.
 */
struct xen_ioreq_stats {
    uint64_t pio;
    uint64_t copy;
    uint64_t pci_config;
    uint64_t invalidate;
    uint64_t timeoffset;
    uint64_t buffered;
    uint64_t rejected;
    uint64_t buffered_rejected;
    uint64_t access_errors;
};

/**
 * struct xen_ioreq_dispatcher - where requests go.
 * @as_io: the I/O port address space (PIO).
 * @as_mem: the memory address space (MMIO and the RAM side of rep moves).
 * @pci_config: handles IOREQ_TYPE_PCI_CONFIG: @sbdf, register @reg,
 *     @size bytes; for a read sets *@data (all-ones when absent).
 * @invalidate: handles IOREQ_TYPE_INVALIDATE (drop the mapcache).
 * @opaque: passed to the callbacks.
 * @stats: counters, updated by the dispatching thread only.
 * @rl: rate limiter for malformed requests.
 *
 * Used by one thread at a time (callers serialise, e.g. with the
 * device-model lock).
 */
struct xen_ioreq_dispatcher {
    AddressSpace *as_io;
    AddressSpace *as_mem;
    void (*pci_config)(void *opaque, uint32_t sbdf, uint32_t reg,
                       unsigned size, bool is_read, uint64_t *data);
    void (*invalidate)(void *opaque);
    void *opaque;
    struct xen_ioreq_stats stats;
    struct log_ratelimit rl;
};

/**
 * xen_ioreq_dispatch() - perform one synchronous request.
 * @d: the dispatcher.
 * @req: a local copy of the request (never the shared slot: the guest can
 *     change that under us). On return, req->data holds the answer for
 *     reads that are not data_is_ptr; the caller writes back only that.
 *
 * May be called on the ioreq path; never aborts.
 */
void xen_ioreq_dispatch(struct xen_ioreq_dispatcher *d, ioreq_t *req);

/**
 * xen_ioreq_drain_buffered() - perform the writes queued in a buffered
 * ring, oldest first, advancing its read pointer.
 * @d: the dispatcher.
 * @page: the mapped buffered page (shared with Xen).
 *
 * Processes at most one ring's worth (IOREQ_BUFFER_SLOT_NUM slots) per
 * call, so a flood cannot starve the vCPU slots. Copes with Xen rebasing
 * both pointers (BUFIOREQ_ATOMIC) by re-reading the read pointer for every
 * entry. A ring whose pointers are more than a ring apart is logged and
 * resynchronised (read pointer set to the write pointer).
 * Return: the number of slots consumed.
 */
unsigned xen_ioreq_drain_buffered(struct xen_ioreq_dispatcher *d,
                                  buffered_iopage_t *page);

/**
 * xen_ioreq_type_name() - Return: a name for ioreq type @type ("pio",
 * "copy", "pci-config", "invalidate", "timeoffset", or "unknown").
 */
const char *xen_ioreq_type_name(unsigned type);

#endif /* XENDM_XEN_IOREQ_H */
