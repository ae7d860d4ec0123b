/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ranges.h - keep the ioreq server's registered ranges equal to the
 * non-RAM sections of the memory and I/O FlatViews.
 */
#ifndef XENDM_XEN_RANGES_H
#define XENDM_XEN_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "memory/memory.h"
#include "util/log.h"

/**
 * struct xen_range_ops - where range changes go (the ioreq server, or a
 * recorder in tests).
 * @map: route [@start, @last] (inclusive) to us; 0 or -errno.
 * @unmap: stop routing it; 0 or -errno.
 */
struct xen_range_ops {
    int (*map)(void *opaque, bool is_mmio, uint64_t start, uint64_t last);
    int (*unmap)(void *opaque, bool is_mmio, uint64_t start, uint64_t last);
};

/**
 * struct xen_ranges - two listeners (memory, I/O) mirroring FlatViews.
 * @mem_listener: on the memory address space.
 * @io_listener: on the I/O address space.
 * @ops: where changes go.
 * @opaque: passed to @ops.
 * @mapped_mmio: MMIO ranges currently registered.
 * @mapped_pio: port ranges currently registered.
 * @errors: map/unmap calls that failed (e.g. the 256-range limit).
 * @rl: rate limiter for failures.
 *
 * Runs on the thread that commits memory transactions.
 */
struct xen_ranges {
    MemoryListener mem_listener;
    MemoryListener io_listener;
    const struct xen_range_ops *ops;
    void *opaque;
    unsigned mapped_mmio;
    unsigned mapped_pio;
    uint64_t errors;
    struct log_ratelimit rl;
};

/**
 * xen_ranges_register() - start mirroring @as_mem and @as_io; existing
 * sections are registered at once.
 * @r: zero-initialised storage.
 * @ms: the memory system.
 * @as_mem: the memory address space (RAM sections are skipped: Xen owns
 *     guest RAM).
 * @as_io: the I/O address space.
 * @ops: where changes go.
 * @opaque: passed to @ops.
 */
void xen_ranges_register(struct xen_ranges *r, MemorySystem *ms,
                         AddressSpace *as_mem, AddressSpace *as_io,
                         const struct xen_range_ops *ops, void *opaque);

/** xen_ranges_unregister() - stop mirroring (ranges are unregistered). */
void xen_ranges_unregister(struct xen_ranges *r);

#endif /* XENDM_XEN_RANGES_H */
