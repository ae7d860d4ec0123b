/* SPDX-License-Identifier: GPL-2.0-or-later */
/* access_helpers.c - see access_helpers.h. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/memory/access_helpers.h"

uint64_t le_bytes(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t dev_get(struct testdev *d, hwaddr addr, unsigned size)
{
    uint64_t v = 0;
    bool big = d->ops.endianness == DEVICE_BIG_ENDIAN;

    for (unsigned i = 0; i < size; i++) {
        uint8_t b = d->regs[(addr + i) & 0xff];

        if (big)
            v = (v << 8) | b;
        else
            v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void dev_put(struct testdev *d, hwaddr addr, unsigned size, uint64_t v)
{
    bool big = d->ops.endianness == DEVICE_BIG_ENDIAN;

    for (unsigned i = 0; i < size; i++) {
        unsigned shift = big ? 8 * (size - 1 - i) : 8 * i;

        d->regs[(addr + i) & 0xff] = (uint8_t)(v >> shift);
    }
}

static void dev_log(struct testdev *d, hwaddr addr, unsigned size,
                    bool is_write, uint64_t val)
{
    if (d->n < TESTDEV_LOG) {
        d->log[d->n] = (struct testdev_access){ addr, size, is_write, val };
    }
    d->n++;
}

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    struct testdev *d = opaque;
    uint64_t v = dev_get(d, addr, size);

    dev_log(d, addr, size, false, v);
    if (d->reenter) {
        MemoryRegion *r = d->reenter;

        d->reenter = NULL;
        d->reenter_result = memory_region_dispatch_read(
            r, 0, &d->reenter_val, 1, MEMTXATTRS_UNSPECIFIED);
    }
    return v;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t data, unsigned size)
{
    struct testdev *d = opaque;

    dev_log(d, addr, size, true, data);
    dev_put(d, addr, size, data);
}

static MemTxResult dev_read_attrs(void *opaque, hwaddr addr, uint64_t *data,
                                  unsigned size, MemTxAttrs attrs)
{
    struct testdev *d = opaque;

    d->last_attrs = attrs;
    *data = dev_read(opaque, addr, size);
    return d->result;
}

static MemTxResult dev_write_attrs(void *opaque, hwaddr addr, uint64_t data,
                                   unsigned size, MemTxAttrs attrs)
{
    struct testdev *d = opaque;

    d->last_attrs = attrs;
    dev_write(opaque, addr, data, size);
    return d->result;
}

static bool dev_accepts(void *opaque, hwaddr addr, unsigned size,
                        bool is_write, MemTxAttrs attrs)
{
    struct testdev *d = opaque;

    return !d->refuse;
}

void testdev_init(struct testdev *d, MemorySystem *ms, const char *name,
                  uint64_t size, unsigned vmin, unsigned vmax, bool vun,
                  unsigned imin, unsigned imax, bool iun,
                  enum device_endian e, bool with_attrs)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < sizeof(d->regs); i++)
        d->regs[i] = (uint8_t)(0x10 + i);
    if (with_attrs) {
        d->ops.read_with_attrs = dev_read_attrs;
        d->ops.write_with_attrs = dev_write_attrs;
    } else {
        d->ops.read = dev_read;
        d->ops.write = dev_write;
    }
    d->ops.endianness = e;
    d->ops.valid.min_access_size = vmin;
    d->ops.valid.max_access_size = vmax;
    d->ops.valid.unaligned = vun;
    d->ops.valid.accepts = dev_accepts;
    d->ops.impl.min_access_size = imin;
    d->ops.impl.max_access_size = imax;
    d->ops.impl.unaligned = iun;
    memory_region_init_io(&d->mr, ms, NULL, &d->ops, d, name, size);
}

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
