/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serial-isa.c - ISA glue for the 16550 core: 8 ports at @base in the I/O
 * address space, the core's interrupt output driving an hw/irq.h line
 * (levels; the receiver sees the THR-empty re-arm as a lower then a raise).
 * Main thread for init/destroy; accesses as in serial.h.
 */
#include <errno.h>

#include "hw/char/serial.h"

static void serial_isa_irq(void *opaque, int level)
{
    struct serial_isa *d = opaque;

    irq_set_level(d->irq, level);
}

int serial_isa_init(struct serial_isa *d, MemorySystem *ms,
                    MemoryRegion *io_root, Object *owner, uint16_t base,
                    IRQLine *irq, const struct serial_backend *be)
{
    int rc;

    if (!ms || !io_root || (uint32_t)base + SERIAL_NR_REGS > 0x10000) {
        return -EINVAL;
    }
    d->irq = irq;
    d->base = base;
    d->io_parent = io_root;
    rc = serial_init(&d->uart, "serial", serial_isa_irq, d, be);
    if (rc) {
        return rc;
    }
    memory_region_init_io(&d->io, ms, owner, &serial_ops, &d->uart, "serial",
                          SERIAL_NR_REGS);
    memory_region_add_subregion(io_root, base, &d->io);
    return 0;
}

void serial_isa_destroy(struct serial_isa *d)
{
    memory_region_del_subregion(d->io_parent, &d->io);
    memory_region_finalize(&d->io);
    serial_destroy(&d->uart);
}
