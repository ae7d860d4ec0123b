/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw.c - raw ioreq injection (raw.h): arbitrary requests into a server's
 * synchronous slot or buffered ring, bypassing routing.
 *
 * Uses the slot protocol helpers of guest_io.c (xsg_slot_*), so a raw
 * request is claimed, published, waited for and taken back on timeout
 * exactly like a routed one; only the field values differ. The buffered
 * ring is written under the attachment's producer lock (buf_lock), like
 * guest_io.c's own producer.
 *
 * Locking: the vCPU lock for xsg_raw_ioreq(); the domain lock only to look
 * up the server and its ports, never while waiting.
 */
#include <errno.h>
#include <string.h>

#include "stubs/guest/guest_priv.h"
#include "stubs/guest/raw.h"

#define SLOT_STATE_OFF 30
#define BUFIOREQ_ATOMIC 2u /* HVM_IOREQSRV_BUFIOREQ_ATOMIC */

/* Server @server exists (and has a ring if @need_ring). Domain locked. */
static int server_check_locked(struct xsg_guest *g, unsigned int server,
                               int need_ring)
{
    const struct xsim_shared *sh = g->dom->sh;

    if (sh->shutdown_count)
        return -ESHUTDOWN;
    if (!sh->servers[server].in_use)
        return -ENOENT;
    if (need_ring && !sh->servers[server].bufioreq)
        return -ENOENT;
    return 0;
}

int xsg_raw_ioreq(struct xsg_guest *g, unsigned int vcpu, unsigned int server,
                  ioreq_t *req, uint8_t state)
{
    volatile struct ioreq *slot;
    struct xsg_target t;
    uint8_t flags;
    int rc;

    if (vcpu >= g->nr_vcpus || server >= XSIM_MAX_SERVERS)
        return -EINVAL;
    pthread_mutex_lock(&g->vcpus[vcpu].lock);
    xsim_lock(g->dom);
    rc = server_check_locked(g, server, 0);
    if (!rc)
        xsg_target_locked(g, (int)server, vcpu, &t);
    xsim_unlock(g->dom);
    __atomic_store_n(&g->vcpus[vcpu].last_server, rc ? -1 : (int)server,
                     __ATOMIC_RELAXED);
    if (!rc)
        rc = xsg_slot_begin(g, vcpu, (int)server, &t, &slot);
    if (rc)
        goto out;
    slot->addr = req->addr;
    slot->data = req->data;
    slot->count = req->count;
    slot->size = req->size;
    slot->_pad0 = req->_pad0;
    slot->type = req->type;
    flags = (uint8_t)((req->data_is_ptr ? 1u << 4 : 0) |
                      (req->dir ? 1u << 5 : 0) | (req->df ? 1u << 6 : 0) |
                      (req->_pad1 ? 1u << 7 : 0));
    __atomic_store_n((uint8_t *)slot + SLOT_STATE_OFF,
                     (uint8_t)(flags | (state & 0xf)), __ATOMIC_RELEASE);
    rc = xsg_slot_notify(g, &t);
    if (!rc)
        rc = xsg_slot_finish(g, vcpu, &t, slot, &req->data);
    else
        __atomic_store_n((uint8_t *)slot + SLOT_STATE_OFF, STATE_IOREQ_NONE,
                         __ATOMIC_RELEASE);
out:
    pthread_mutex_unlock(&g->vcpus[vcpu].lock);
    return rc;
}

int xsg_raw_buffered(struct xsg_guest *g, unsigned int server,
                     const buf_ioreq_t *slots, unsigned int n, uint32_t extra)
{
    buffered_iopage_t *bp;
    uint32_t wp, mode = 0, port = 0;
    struct xsg_target t = { 0 };
    int rc;

    if (server >= XSIM_MAX_SERVERS || n > IOREQ_BUFFER_SLOT_NUM)
        return -EINVAL;
    xsim_lock(g->dom);
    rc = server_check_locked(g, server, 1);
    if (!rc) {
        mode = g->dom->sh->servers[server].bufioreq;
        port = g->dom->sh->servers[server].buf_port;
    }
    xsim_unlock(g->dom);
    if (rc)
        return rc;
    bp = (buffered_iopage_t *)xsg_server_pages(g, (int)server);
    if (!bp)
        return -EIO;
    pthread_mutex_lock(&g->buf_lock);
    wp = __atomic_load_n(&bp->write_pointer, __ATOMIC_RELAXED);
    for (unsigned int i = 0; i < n; i++)
        memcpy(&bp->buf_ioreq[(wp + i) % IOREQ_BUFFER_SLOT_NUM], &slots[i],
               sizeof(slots[i]));
    __atomic_store_n(&bp->write_pointer, wp + n + extra, __ATOMIC_RELEASE);
    if (mode == BUFIOREQ_ATOMIC)
        xsg_buf_rebase(bp);
    pthread_mutex_unlock(&g->buf_lock);
    /* the buffered port is a plain guest-side port: notify its peer */
    xsim_lock(g->dom);
    if (port < XSIM_NR_PORTS) {
        const struct xsim_port *e = &g->dom->sh->ports[port];

        t.port = port;
        if (port && e->state == XSIM_PORT_INTERDOMAIN && e->peer_dom == 0) {
            t.peer_port = e->peer_port;
            t.peer_ino = e->peer_fifo_ino;
            memcpy(t.peer_fifo, e->peer_fifo, sizeof(t.peer_fifo));
        }
    }
    xsim_unlock(g->dom);
    return xsg_slot_notify(g, &t);
}

int xsg_raw_buffered_ptrs(struct xsg_guest *g, unsigned int server,
                          uint32_t *rp, uint32_t *wp)
{
    buffered_iopage_t *bp;
    int rc;

    if (server >= XSIM_MAX_SERVERS)
        return -EINVAL;
    xsim_lock(g->dom);
    rc = g->dom->sh->servers[server].in_use &&
         g->dom->sh->servers[server].bufioreq ? 0 : -ENOENT;
    xsim_unlock(g->dom);
    if (rc)
        return rc;
    bp = (buffered_iopage_t *)xsg_server_pages(g, (int)server);
    if (!bp)
        return -EIO;
    *rp = __atomic_load_n(&bp->read_pointer, __ATOMIC_ACQUIRE);
    *wp = __atomic_load_n(&bp->write_pointer, __ATOMIC_ACQUIRE);
    return 0;
}
