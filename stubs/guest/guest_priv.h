/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest_priv.h - internals of the xensim guest side (stubs/guest/).
 */
#ifndef XENSIM_GUEST_PRIV_H
#define XENSIM_GUEST_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"

/**
 * struct xsg_vcpu - one simulated vCPU.
 * @lock: serialises this vCPU's accesses.
 * @last_server: server of the last access, -1 if unclaimed.
 * @waiting: the doorbell the vCPU sleeps on while it waits for an answer,
 *           else NULL (atomic; read by the tick thread).
 */
struct xsg_vcpu {
    pthread_mutex_t lock;
    int last_server;
    struct xsim_port *waiting;
};

/**
 * struct xsg_guest - an attachment (see guest.h).
 * @run: run directory.
 * @dom: the guest domain's state.
 * @dom0: dom0's state (device models' ports).
 * @lock_fd: flock'ed dom<N>/guest.lock (one attachment per domain).
 * @fc: FIFOs this guest writes notifications to (device models' handles).
 * @timeout_ms: answer timeout.
 * @spin_ns: how long a vCPU polls for its answer before it sleeps.
 * @cf8: latched 0xcf8 value (domain-wide, like Xen; atomic).
 * @map_lock: protects @pages.
 * @pages: mapped ioreq server pages (2 per server) or NULL.
 * @buf_lock: serialises buffered-ring producers.
 * @tick: the tick thread: every XSG_TICK_MS it wakes the vCPUs waiting for
 *        an answer, so they can sleep without a timer and still notice
 *        their deadline (see guest_io.c).
 * @tick_started: xsg_tick_start() ran (@tick_lock/@tick_cond exist).
 * @tick_running: @tick was started.
 * @tick_lock: protects @tick_stop.
 * @tick_cond: signalled to stop @tick (CLOCK_MONOTONIC).
 * @tick_stop: set by xsg_detach().
 * @tick_idle: the tick thread sleeps until a vCPU waits (atomic; see
 *             guest_io.c).
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
    uint64_t spin_ns;
    uint32_t cf8;
    pthread_mutex_t map_lock;
    uint8_t *pages[XSIM_MAX_SERVERS];
    pthread_mutex_t buf_lock;
    pthread_t tick;
    bool tick_started;
    bool tick_running;
    pthread_mutex_t tick_lock;
    pthread_cond_t tick_cond;
    bool tick_stop;
    bool tick_idle;
    unsigned int nr_vcpus;
    struct xsg_vcpu vcpus[];
};

/** XSG_TICK_MS - period of the tick thread (granularity of timeouts). */
#define XSG_TICK_MS 20u

/**
 * xsg_tick_start() - start the tick thread (xsg_attach()).
 * @g: the attachment (vCPUs initialised).
 * Return: 0 or negative errno (then vCPUs wait with timers instead).
 */
int xsg_tick_start(struct xsg_guest *g);

/** xsg_tick_stop() - stop and join the tick thread. @g: the attachment. */
void xsg_tick_stop(struct xsg_guest *g);

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
 * struct xsg_target - where a vCPU's request to a server is signalled: the
 * slot's guest-side port and, if a device model bound it, the peer's FIFO.
 * Looked up under the domain lock together with routing, so a round trip
 * takes it once.
 * @port: guest-side port (0: none).
 * @peer_port: the device model's port; 0 if not bound (the event is lost).
 * @peer_ino: inode of the peer's FIFO.
 * @peer_fifo: the peer's FIFO, relative to the run directory.
 */
struct xsg_target {
    uint32_t port;
    uint32_t peer_port;
    uint64_t peer_ino;
    char peer_fifo[XSIM_FIFO_MAX];
};

/**
 * xsg_target_locked() - look up @vcpu's signalling target for server @sid.
 * @g: the attachment (domain lock held).
 * @sid: server id.
 * @vcpu: the vCPU.
 * @t: filled in.
 */
void xsg_target_locked(struct xsg_guest *g, int sid, unsigned int vcpu,
                       struct xsg_target *t);

struct ioreq;

/**
 * xsg_slot_begin() - get @vcpu's slot of server @sid ready for a request:
 * a late answer left there is discarded, a request a device model still
 * processes is waited for.
 * @g: the attachment (caller holds the vCPU lock).
 * @vcpu: the vCPU.
 * @sid: server id.
 * @t: its target (for waiting).
 * @out: the slot (state STATE_IOREQ_NONE) on success.
 * Return: 0, -EIO (server pages not mappable), -EBUSY.
 */
int xsg_slot_begin(struct xsg_guest *g, unsigned int vcpu, int sid,
                   const struct xsg_target *t, volatile struct ioreq **out);

/**
 * xsg_slot_notify() - signal the device model's port of @t (if bound).
 * @g: the attachment.
 * @t: the target.
 * Return: 0 or negative errno.
 */
int xsg_slot_notify(struct xsg_guest *g, const struct xsg_target *t);

/**
 * xsg_slot_wait() - wait for STATE_IORESP_READY in state byte @sb.
 * @g: the attachment.
 * @vcpu: the waiting vCPU.
 * @t: the target (its doorbell).
 * @sb: the slot's state byte.
 * Return: 0 or -ETIMEDOUT (after the attachment's timeout).
 */
int xsg_slot_wait(struct xsg_guest *g, unsigned int vcpu,
                  const struct xsg_target *t, uint8_t *sb);

/**
 * xsg_slot_finish() - wait for the answer of the request in @slot; on
 * success read its data and free the slot; on timeout take the request
 * back (state STATE_IOREQ_NONE).
 * @g: the attachment.
 * @vcpu: the waiting vCPU.
 * @t: the target.
 * @slot: the slot.
 * @data: the answer's data.
 * Return: 0 or -ETIMEDOUT.
 */
int xsg_slot_finish(struct xsg_guest *g, unsigned int vcpu,
                    const struct xsg_target *t, volatile struct ioreq *slot,
                    uint64_t *data);

/**
 * xsg_buf_rebase() - BUFIOREQ_ATOMIC: rebase both ring pointers by a
 * multiple of IOREQ_BUFFER_SLOT_NUM with a 64-bit CAS, like Xen.
 * @ring: the buffered_iopage_t. Caller holds @g->buf_lock.
 */
void xsg_buf_rebase(void *ring);

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

/**
 * xsg_server_pages() - server @sid's two pages (buffered ring, slots),
 * mapped on first use and kept until detach.
 * @g: the attachment.
 * @sid: server id.
 * Return: the mapping or NULL (no such server file).
 */
uint8_t *xsg_server_pages(struct xsg_guest *g, int sid);

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
