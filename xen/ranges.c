/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ranges.c - memory listeners that register FlatView sections with the
 * ioreq server.
 *
 * Xen forwards an access only if it lies wholly inside one registered
 * range, so each non-RAM section of the memory FlatView becomes one MMIO
 * range and each section of the I/O FlatView one port range. RAM (and
 * ram_device) sections are skipped: guest RAM is Xen's, not ours. The
 * memory core sends every removal before any addition, so a moved BAR is
 * unregistered before its new place is registered. Devices never call Xen
 * for ranges themselves.
 */
#include "xen/ranges.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

static bool section_wanted(const MemoryRegionSection *s)
{
    return s->size != 0 && !memory_region_is_ram(s->mr);
}

static uint64_t section_last(const MemoryRegionSection *s)
{
    if (s->size == UINT64_MAX)
        return UINT64_MAX;
    return s->offset_within_address_space + s->size - 1;
}

static void change(struct xen_ranges *r, MemoryRegionSection *s,
                   bool is_mmio, bool add)
{
    uint64_t start = s->offset_within_address_space;
    uint64_t last = section_last(s);
    int err;

    if (!section_wanted(s))
        return;
    err = add ? r->ops->map(r->opaque, is_mmio, start, last)
              : r->ops->unmap(r->opaque, is_mmio, start, last);
    if (err) {
        r->errors++;
        log_err_rl(&r->rl, "ranges: cannot %s %s range [0x%" PRIx64
                   ", 0x%" PRIx64 "] (%s): %s", add ? "register" : "unregister",
                   is_mmio ? "MMIO" : "port", start, last,
                   memory_region_name(s->mr), strerror(-err));
        return;
    }
    unsigned *count = is_mmio ? &r->mapped_mmio : &r->mapped_pio;

    if (add)
        (*count)++;
    else if (*count > 0)
        (*count)--;
}

static struct xen_ranges *from_mem(MemoryListener *l)
{
    return (struct xen_ranges *)((char *)l - offsetof(struct xen_ranges, mem_listener));
}

static struct xen_ranges *from_io(MemoryListener *l)
{
    return (struct xen_ranges *)((char *)l - offsetof(struct xen_ranges, io_listener));
}

static void mem_add(MemoryListener *l, MemoryRegionSection *s)
{
    change(from_mem(l), s, true, true);
}

static void mem_del(MemoryListener *l, MemoryRegionSection *s)
{
    change(from_mem(l), s, true, false);
}

static void io_add(MemoryListener *l, MemoryRegionSection *s)
{
    change(from_io(l), s, false, true);
}

static void io_del(MemoryListener *l, MemoryRegionSection *s)
{
    change(from_io(l), s, false, false);
}

void xen_ranges_register(struct xen_ranges *r, MemorySystem *ms,
                         AddressSpace *as_mem, AddressSpace *as_io,
                         const struct xen_range_ops *ops, void *opaque)
{
    r->ops = ops;
    r->opaque = opaque;
    r->mem_listener.region_add = mem_add;
    r->mem_listener.region_del = mem_del;
    r->mem_listener.priority = 10;
    r->mem_listener.name = "xen-mem-ranges";
    r->io_listener.region_add = io_add;
    r->io_listener.region_del = io_del;
    r->io_listener.priority = 10;
    r->io_listener.name = "xen-io-ranges";
    memory_listener_register(&r->mem_listener, ms, as_mem);
    memory_listener_register(&r->io_listener, ms, as_io);
}

void xen_ranges_unregister(struct xen_ranges *r)
{
    memory_listener_unregister(&r->io_listener);
    memory_listener_unregister(&r->mem_listener);
}
