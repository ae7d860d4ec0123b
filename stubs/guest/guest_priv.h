/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest_priv.h - internals of the xensim guest side (stubs/guest/).
 */
#ifndef XENSIM_GUEST_PRIV_H
#define XENSIM_GUEST_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"

/**
 * struct xsg_vcpu - one simulated vCPU.
 * @lock: serialises this vCPU's accesses.
 * @last_server: server of the last access, -1 if unclaimed.
 */
struct xsg_vcpu {
    pthread_mutex_t lock;
    int last_server;
};

/**
 * struct xsg_guest - an attachment (see guest.h).
 * @run: run directory.
 * @dom: the guest domain's state.
 * @dom0: dom0's state (device models' ports).
 * @lock_fd: flock'ed dom<N>/guest.lock (one attachment per domain).
 * @fc: FIFOs this guest writes notifications to (device models' handles).
 * @timeout_ms: answer timeout.
 * @cf8: latched 0xcf8 value (domain-wide, like Xen; atomic).
 * @map_lock: protects @pages.
 * @pages: mapped ioreq server pages (2 per server) or NULL.
 * @buf_lock: serialises buffered-ring producers.
 * @nr_vcpus: vCPU count.
 * @vcpus: the vCPUs.
 */
struct xsg_guest {
    struct xsim_run run;
    struct xsim_dom *dom;
    struct xsim_dom *dom0;
    int lock_fd;
    struct xsim_fdcache fc;
    unsigned int timeout_ms;
    uint32_t cf8;
    pthread_mutex_t map_lock;
    uint8_t *pages[XSIM_MAX_SERVERS];
    pthread_mutex_t buf_lock;
    unsigned int nr_vcpus;
    struct xsg_vcpu vcpus[];
};

/**
 * struct xsg_req - a request before routing.
 * @type: IOREQ_TYPE_*.
 * @dir: IOREQ_READ / IOREQ_WRITE.
 * @addr: port or guest physical address.
 * @data: value or RAM address (@data_is_ptr).
 * @count: rep count.
 * @size: item size.
 * @df: direction flag.
 * @data_is_ptr: @data is a RAM address.
 */
struct xsg_req {
    uint8_t type;
    uint8_t dir;
    uint64_t addr;
    uint64_t data;
    uint32_t count;
    uint32_t size;
    uint8_t df;
    uint8_t data_is_ptr;
};

/**
 * xsg_route_and_send() - route @r like Xen and complete it.
 * @g: the attachment.
 * @vcpu: issuing vCPU (caller holds its lock).
 * @r: the request; on return @r->data holds a read's value.
 * Return: 0 (also when unclaimed) or negative errno.
 */
int xsg_route_and_send(struct xsg_guest *g, unsigned int vcpu,
                       struct xsg_req *r);

/**
 * xsg_send_to_server() - synchronous round trip through server @sid's slot.
 * @g: the attachment.
 * @vcpu: issuing vCPU (caller holds its lock).
 * @sid: server id.
 * @r: the request (already routed); @r->data updated.
 * Return: 0, -ETIMEDOUT, -EBUSY (slot still busy), -EIO.
 */
int xsg_send_to_server(struct xsg_guest *g, unsigned int vcpu, int sid,
                       struct xsg_req *r);

/** xsg_unmap_server_pages() - unmap every mapped server page. @g: attachment. */
void xsg_unmap_server_pages(struct xsg_guest *g);

/**
 * xsg_ram_rw() - guest RAM access, page by page, under the domain lock.
 * @g: the attachment.
 * @gpa: guest physical address.
 * @buf: data (for @fill: points at the fill byte).
 * @len: bytes.
 * @write: store (checks HVMMEM_ram_ro, marks dirty VRAM).
 * @fill: repeat *@buf instead of copying.
 * Return: 0, -EFAULT, -EROFS or -EIO.
 */
int xsg_ram_rw(struct xsg_guest *g, uint64_t gpa, void *buf, size_t len,
               int write, int fill);

#endif /* XENSIM_GUEST_PRIV_H */
