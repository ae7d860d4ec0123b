/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq.c - perform Xen I/O requests through the memory API.
 *
 * A synchronous request arrives as a local copy (the caller copied it out
 * of the guest-writable slot). PIO goes to the I/O address space, COPY to
 * the memory address space; with data_is_ptr the other side of each item
 * is guest RAM at req->data, reached through the memory address space too
 * (so RAM comes through the RAMBlock host ops, i.e. the mapcache, and a
 * pointer into MMIO is an ordinary, re-entrancy-guarded access).
 *
 * Per-item addresses use unsigned wraparound arithmetic, like the CPU; the
 * amount of work is bounded by XEN_IOREQ_MAX_REPS items per request.
 *
 * The buffered ring is Xen's page of posted writes; it is drained oldest
 * first, at most one ring's worth per call, re-reading the read pointer for
 * every entry because Xen (BUFIOREQ_ATOMIC) may rebase both pointers
 * together, and advancing it with an atomic add.
 *
 * One thread at a time per dispatcher (the ioreq thread, or the main
 * loop's buffered-ring timer, both under the device-model lock); the
 * memory API takes care of its own locking.
 */
#include "xen/ioreq.h"

#include <inttypes.h>
#include <string.h>

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static bool size_valid(unsigned type, unsigned size)
{
    switch (size) {
    case 1:
    case 2:
    case 4:
        return true;
    case 8:
        return type == IOREQ_TYPE_COPY;
    default:
        return false;
    }
}

const char *xen_ioreq_type_name(unsigned type)
{
    switch (type) {
    case IOREQ_TYPE_PIO:
        return "pio";
    case IOREQ_TYPE_COPY:
        return "copy";
    case IOREQ_TYPE_PCI_CONFIG:
        return "pci-config";
    case IOREQ_TYPE_INVALIDATE:
        return "invalidate";
    case IOREQ_TYPE_TIMEOFFSET:
        return "timeoffset";
    default:
        return "unknown";
    }
}

static uint64_t as_load(AddressSpace *as, hwaddr addr, unsigned size,
                        MemTxResult *res)
{
    const MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;

    switch (size) {
    case 1:
        return address_space_ldub(as, addr, attrs, res);
    case 2:
        return address_space_lduw_le(as, addr, attrs, res);
    case 4:
        return address_space_ldl_le(as, addr, attrs, res);
    default:
        return address_space_ldq_le(as, addr, attrs, res);
    }
}

static void as_store(AddressSpace *as, hwaddr addr, uint64_t val,
                     unsigned size, MemTxResult *res)
{
    const MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;

    switch (size) {
    case 1:
        address_space_stb(as, addr, (uint32_t)val, attrs, res);
        break;
    case 2:
        address_space_stw_le(as, addr, (uint32_t)val, attrs, res);
        break;
    case 4:
        address_space_stl_le(as, addr, (uint32_t)val, attrs, res);
        break;
    default:
        address_space_stq_le(as, addr, val, attrs, res);
        break;
    }
}

/* Log and count a request we refuse; reads of a value answer all-ones. */
static void reject(struct xen_ioreq_dispatcher *d, ioreq_t *req,
                   const char *why)
{
    d->stats.rejected++;
    log_warn_rl(&d->rl,
                "ioreq: refused %s request (%s): addr 0x%" PRIx64
                " size %u count %u dir %s ptr %u df %u",
                xen_ioreq_type_name(req->type), why, req->addr, req->size,
                req->count, req->dir == IOREQ_READ ? "read" : "write",
                (unsigned)req->data_is_ptr, (unsigned)req->df);
    if (req->dir == IOREQ_READ && !req->data_is_ptr)
        req->data = UINT64_MAX;
}

/* Little-endian bytes of @val, the layout of guest RAM on x86. */
static void put_le(uint8_t *buf, uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        buf[i] = (uint8_t)(val >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, unsigned size)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < size; i++)
        val |= (uint64_t)buf[i] << (8 * i);
    return val;
}

/* PIO and COPY: @as is where req->addr lives. */
static void dispatch_rw(struct xen_ioreq_dispatcher *d, AddressSpace *as,
                        ioreq_t *req)
{
    const unsigned size = req->size;
    const uint64_t step = req->df ? (uint64_t)0 - size : size;
    const bool fixed_port = req->type == IOREQ_TYPE_PIO;
    MemTxResult res = MEMTX_OK;
    uint8_t buf[8];

    if (!size_valid(req->type, size)) {
        reject(d, req, "bad size");
        return;
    }
    if (req->count == 0 || req->count > XEN_IOREQ_MAX_REPS) {
        reject(d, req, "bad count");
        return;
    }

    if (!req->data_is_ptr) {
        /* Xen sends count 1 here; more just repeats the access. */
        uint64_t val = req->data & size_mask(size);

        for (uint32_t i = 0; i < req->count; i++) {
            uint64_t addr = req->addr + (fixed_port ? 0 : i * step);
            MemTxResult r = MEMTX_OK;

            if (req->dir == IOREQ_READ)
                val = as_load(as, addr, size, &r) & size_mask(size);
            else
                as_store(as, addr, val, size, &r);
            res |= r;
        }
        if (req->dir == IOREQ_READ)
            req->data = val;
        if (res != MEMTX_OK)
            d->stats.access_errors++;
        return;
    }

    for (uint32_t i = 0; i < req->count; i++) {
        uint64_t io_addr = req->addr + (fixed_port ? 0 : i * step);
        uint64_t ram_addr = req->data + i * step;
        MemTxResult r = MEMTX_OK;

        if (req->dir == IOREQ_READ) {
            put_le(buf, as_load(as, io_addr, size, &r), size);
            r |= address_space_write(d->as_mem, ram_addr,
                                     MEMTXATTRS_UNSPECIFIED, buf, size);
        } else {
            r = address_space_read(d->as_mem, ram_addr,
                                   MEMTXATTRS_UNSPECIFIED, buf, size);
            if (r == MEMTX_OK)
                as_store(as, io_addr, get_le(buf, size), size, &r);
        }
        if (r != MEMTX_OK) {
            /* A fault on the RAM side ends the string instruction. */
            d->stats.access_errors++;
            log_warn_rl(&d->rl,
                        "ioreq: %s rep item %u of %u failed: io 0x%" PRIx64
                        " ram 0x%" PRIx64 " size %u",
                        xen_ioreq_type_name(req->type), i, req->count,
                        io_addr, ram_addr, size);
            return;
        }
    }
}

static void dispatch_pci_config(struct xen_ioreq_dispatcher *d, ioreq_t *req)
{
    const uint32_t sbdf = (uint32_t)(req->addr >> 32);
    const uint32_t reg = (uint32_t)req->addr;
    const unsigned size = req->size;
    uint64_t val;

    if (size != 1 && size != 2 && size != 4) {
        reject(d, req, "bad size");
        return;
    }
    if (req->data_is_ptr || req->count != 1) {
        reject(d, req, "pointer or repeated config access");
        return;
    }
    /* As through ports 0xcfc-0xcff: any offset within one dword (Xen
     * adds the port's low bits to the latched register). */
    if (reg > 0xfff || (reg & 3) + size > 4) {
        reject(d, req, "register out of range or crossing a dword");
        return;
    }
    if (req->dir == IOREQ_READ) {
        val = UINT64_MAX;
        if (d->pci_config)
            d->pci_config(d->opaque, sbdf, reg, size, true, &val);
        req->data = val & size_mask(size);
    } else {
        val = req->data & size_mask(size);
        if (d->pci_config)
            d->pci_config(d->opaque, sbdf, reg, size, false, &val);
    }
}

void xen_ioreq_dispatch(struct xen_ioreq_dispatcher *d, ioreq_t *req)
{
    log_trace("ioreq: %s %s addr 0x%" PRIx64 " size %u count %u%s%s "
              "data 0x%" PRIx64, xen_ioreq_type_name(req->type),
              req->dir == IOREQ_READ ? "read" : "write", req->addr, req->size,
              req->count, req->data_is_ptr ? " ptr" : "", req->df ? " df" : "",
              req->data);
    switch (req->type) {
    case IOREQ_TYPE_PIO:
        d->stats.pio++;
        dispatch_rw(d, d->as_io, req);
        break;
    case IOREQ_TYPE_COPY:
        d->stats.copy++;
        dispatch_rw(d, d->as_mem, req);
        break;
    case IOREQ_TYPE_PCI_CONFIG:
        d->stats.pci_config++;
        dispatch_pci_config(d, req);
        break;
    case IOREQ_TYPE_INVALIDATE:
        d->stats.invalidate++;
        if (d->invalidate)
            d->invalidate(d->opaque);
        break;
    case IOREQ_TYPE_TIMEOFFSET:
        d->stats.timeoffset++;
        break;
    default:
        reject(d, req, "unknown type");
        break;
    }
}

static void reject_buffered(struct xen_ioreq_dispatcher *d,
                            const buf_ioreq_t *slot, uint32_t rp,
                            const char *why)
{
    d->stats.buffered_rejected++;
    log_warn_rl(&d->rl,
                "ioreq: refused buffered slot %u (%s): type %u dir %u "
                "size code %u addr 0x%x",
                rp % IOREQ_BUFFER_SLOT_NUM, why, (unsigned)slot->type,
                (unsigned)slot->dir, (unsigned)slot->size,
                (unsigned)slot->addr);
}

unsigned xen_ioreq_drain_buffered(struct xen_ioreq_dispatcher *d,
                                  buffered_iopage_t *page)
{
    unsigned consumed = 0;

    while (consumed < IOREQ_BUFFER_SLOT_NUM) {
        uint32_t rp = __atomic_load_n(&page->read_pointer, __ATOMIC_ACQUIRE);
        uint32_t wp = __atomic_load_n(&page->write_pointer, __ATOMIC_ACQUIRE);
        uint32_t avail = wp - rp;
        buf_ioreq_t slot;
        unsigned n = 1;

        if (avail == 0)
            break;
        if (avail > IOREQ_BUFFER_SLOT_NUM) {
            d->stats.buffered_rejected++;
            log_warn_rl(&d->rl,
                        "ioreq: buffered ring overrun (read %u, write %u); "
                        "dropping its contents", rp, wp);
            /* Resynchronise unless Xen moved the pointer meanwhile. */
            __atomic_compare_exchange_n(&page->read_pointer, &rp, wp, false,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED);
            break;
        }

        memcpy(&slot, (const void *)&page->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM],
               sizeof(slot));
        unsigned size = 1u << slot.size;
        uint64_t data = slot.data;

        if (size == 8) {
            if (avail < 2) {
                /* Xen publishes both halves at once; half a pair is junk. */
                reject_buffered(d, &slot, rp, "torn 8-byte pair");
                goto advance;
            }
            buf_ioreq_t hi;

            memcpy(&hi,
                   (const void *)&page->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM],
                   sizeof(hi));
            data |= (uint64_t)hi.data << 32;
            n = 2;
        }

        if (slot.dir != IOREQ_WRITE) {
            reject_buffered(d, &slot, rp, "read in the buffered ring");
        } else if (slot.type == IOREQ_TYPE_PIO && size <= 4) {
            MemTxResult r = MEMTX_OK;

            as_store(d->as_io, slot.addr, data, size, &r);
            d->stats.buffered++;
            if (r != MEMTX_OK)
                d->stats.access_errors++;
        } else if (slot.type == IOREQ_TYPE_COPY) {
            MemTxResult r = MEMTX_OK;

            as_store(d->as_mem, slot.addr, data, size, &r);
            d->stats.buffered++;
            if (r != MEMTX_OK)
                d->stats.access_errors++;
        } else {
            reject_buffered(d, &slot, rp, "bad type or size");
        }
advance:
        __atomic_fetch_add(&page->read_pointer, n, __ATOMIC_RELEASE);
        consumed += n;
    }
    return consumed;
}
