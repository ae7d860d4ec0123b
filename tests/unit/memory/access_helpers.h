/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * access_helpers.h - a recording test device and small helpers shared by
 * the access half's memory suites.
 */
#ifndef XENDM_TESTS_MEMORY_ACCESS_HELPERS_H
#define XENDM_TESTS_MEMORY_ACCESS_HELPERS_H

#include <check.h>

#include "memory/memory.h"

#define TESTDEV_LOG 64

/** struct testdev_access - one callback the device saw. */
struct testdev_access {
    hwaddr addr;
    unsigned size;
    bool is_write;
    uint64_t val;
};

/**
 * struct testdev - an I/O device with 256 bytes of registers in memory
 * order: a callback value of @size bytes at @addr is those bytes composed
 * in the device's endianness (so bus reads always see the bytes in order).
 * Records every callback; may re-enter @reenter from its read callback.
 */
struct testdev {
    MemoryRegion mr;
    MemoryRegionOps ops;
    uint8_t regs[256];
    struct testdev_access log[TESTDEV_LOG];
    unsigned n;
    MemTxResult result;         /* returned by the with_attrs callbacks */
    MemTxAttrs last_attrs;
    bool refuse;                /* valid.accepts answers false */
    MemoryRegion *reenter;      /* read callback accesses this region */
    MemTxResult reenter_result;
    uint64_t reenter_val;
};

/**
 * testdev_init() - init @d's region of @size bytes on @ms with valid
 * [@vmin, @vmax] (+ unaligned @vun), impl [@imin, @imax] (+ @iun),
 * endianness @e; @with_attrs selects the *_with_attrs callbacks.
 */
void testdev_init(struct testdev *d, MemorySystem *ms, const char *name,
                  uint64_t size, unsigned vmin, unsigned vmax, bool vun,
                  unsigned imin, unsigned imax, bool iun,
                  enum device_endian e, bool with_attrs);

/** run_suite() - run @s (CK_NORMAL) and return the process exit code. */
int run_suite(Suite *s);

/** le_bytes() - @size bytes of @p as a little-endian value. */
uint64_t le_bytes(const uint8_t *p, unsigned size);

#endif
