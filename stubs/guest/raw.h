/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw.h - raw ioreq injection for hostile-guest tests (xensim guest side).
 *
 * guest.h issues only the requests a well-behaved CPU and Xen would make.
 * These functions bypass routing and validation: they put arbitrary field
 * values into a server's ioreq slot or buffered ring, the way a buggy or
 * hostile guest could make Xen forward them (or the way a corrupted shared
 * page would look to a device model). A device model must survive all of
 * them: answer or ignore, never crash.
 *
 * Threading: as guest.h (xsg_raw_ioreq() takes the vCPU lock,
 * xsg_raw_buffered() the buffered-ring producer lock).
 */
#ifndef XENSIM_GUEST_RAW_H
#define XENSIM_GUEST_RAW_H

#include <stdint.h>

#include <xen/hvm/ioreq.h>

#include "stubs/guest/guest.h"

/**
 * xsg_raw_ioreq() - inject @req into a synchronous ioreq slot.
 * @g: the attachment.
 * @vcpu: whose slot (< xsg_nr_vcpus()).
 * @server: ioreq server id (must exist; need not be enabled).
 * @req: the request; every field is written as given except @vp_eport
 *       (Xen owns it: the slot keeps its port) and @state (see @state).
 *       On success @req->data holds the slot's data after the answer.
 * @state: slot state to publish (normally STATE_IOREQ_READY; other values
 *         test that the device model ignores them). Only the low 4 bits.
 *
 * The slot is filled, its state byte written last (release), the device
 * model's port notified, and STATE_IORESP_READY awaited up to the
 * attachment's timeout (xsg_set_timeout_ms()). A slot not answered ends in
 * -ETIMEDOUT and is reset to STATE_IOREQ_NONE.
 * Return: 0, -EINVAL (bad vCPU/server), -ENOENT (no such server),
 * -ETIMEDOUT, -EBUSY (the slot still holds a request being processed),
 * -ESHUTDOWN (domain shut down), or another negative errno.
 */
int xsg_raw_ioreq(struct xsg_guest *g, unsigned int vcpu, unsigned int server,
                  ioreq_t *req, uint8_t state);

/**
 * xsg_raw_buffered() - write buffered slots and move the write pointer.
 * @g: the attachment.
 * @server: ioreq server id (must exist and have a buffered ring).
 * @slots: @n slots, written as given at write_pointer, write_pointer + 1, ...
 * @n: number of slots (0..IOREQ_BUFFER_SLOT_NUM).
 * @extra: added to the write pointer beyond @n; > 0 simulates an overrun or
 *         garbage the device model must cope with.
 *
 * The write pointer advances by @n + @extra (release), in ATOMIC mode both
 * pointers are rebased like Xen does, and the buffered port is notified.
 * Return: 0, -EINVAL, -ENOENT (no server / no ring), -ESHUTDOWN, or
 * another negative errno.
 */
int xsg_raw_buffered(struct xsg_guest *g, unsigned int server,
                     const buf_ioreq_t *slots, unsigned int n, uint32_t extra);

/**
 * xsg_raw_buffered_ptrs() - read the buffered ring's pointers.
 * @g: the attachment.
 * @server: ioreq server id.
 * @rp: read_pointer (what the device model consumed).
 * @wp: write_pointer.
 * Return: 0, -EINVAL, -ENOENT (no server / no ring), or -EIO.
 */
int xsg_raw_buffered_ptrs(struct xsg_guest *g, unsigned int server,
                          uint32_t *rp, uint32_t *wp);

#endif /* XENSIM_GUEST_RAW_H */
