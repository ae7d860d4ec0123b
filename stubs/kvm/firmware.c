/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firmware.c - the PCI set-up Xen's hvmloader does before a guest's BIOS
 * runs, for kernels booted directly (no hvmloader): played through ioreqs
 * on vCPU 0's slot before any vCPU runs, so the device model sees exactly
 * the configuration cycles firmware would make.
 *
 * As hvmloader's pci_setup(): PIIX3 PIRQ routes 0x60-0x63 <- ISA IRQs 5,
 * 10, 11, 5 (its mask 0x0c20 taken in turn); for every function found on
 * bus 0: the PIIX4 PM function gets PMBA 0xb000 (config 0x40) and I/O
 * enabled (0x80); Intel IDE gets its decode enables (0x40/0x42 = 0x8000);
 * each 32-bit BAR is sized (all-ones written, read back, restored); INTx
 * goes to link ((pin - 1) + slot) & 3 whose IRQ is written to
 * INTERRUPT_LINE; then BARs are placed largest first, memory from
 * 0xf0000000 and I/O from 0xc000, each aligned to its size, and decoding
 * plus bus mastering is enabled.
 */
#include <errno.h>
#include <string.h>

#include "stubs/kvm/kvm.h"

#define MAX_BARS 64
#define MEM_BASE 0xf0000000ull
#define MEM_END 0xfc000000ull
#define IO_BASE 0xc000u
#define IO_END 0x10000u

static const uint8_t routes[4] = { 5, 10, 11, 5 };

struct bar {
    uint8_t dev, fn, reg;
    bool io;
    uint64_t size;
};

static int cfg_read(struct xkvm *k, unsigned int dev, unsigned int fn,
                    unsigned int reg, unsigned int size, uint32_t *v)
{
    return xsg_pci_cfg_read(k->g, 0, 0, (uint8_t)dev, (uint8_t)fn, (uint8_t)reg,
                            size, v);
}

static int cfg_write(struct xkvm *k, unsigned int dev, unsigned int fn,
                     unsigned int reg, unsigned int size, uint32_t v)
{
    return xsg_pci_cfg_write(k->g, 0, 0, (uint8_t)dev, (uint8_t)fn,
                             (uint8_t)reg, size, v);
}

/* Size the BARs of one function; append them to @bars. */
static int size_bars(struct xkvm *k, unsigned int dev, unsigned int fn,
                     struct bar *bars, unsigned int *nbars)
{
    for (unsigned int reg = 0x10; reg <= 0x24; reg += 4) {
        uint32_t old, probe;
        uint64_t mask, size;
        bool io;
        int rc;

        rc = cfg_read(k, dev, fn, reg, 4, &old);
        if (!rc)
            rc = cfg_write(k, dev, fn, reg, 4, 0xffffffffu);
        if (!rc)
            rc = cfg_read(k, dev, fn, reg, 4, &probe);
        if (!rc)
            rc = cfg_write(k, dev, fn, reg, 4, old);
        if (rc)
            return rc;
        if (probe == 0 || probe == 0xffffffffu)
            continue;
        io = probe & 1;
        mask = io ? (probe & ~3u) | 0xffff0000u : probe & ~0xfu;
        size = (~mask + 1) & 0xffffffffu;
        if (!size || *nbars == MAX_BARS)
            continue;
        bars[(*nbars)++] = (struct bar){ (uint8_t)dev, (uint8_t)fn, (uint8_t)reg,
                                         io, size };
        if (!io && (probe & 6) == 4)
            reg += 4; /* a 64-bit BAR's upper half (the chipset has none) */
    }
    return 0;
}

static int setup_function(struct xkvm *k, unsigned int dev, unsigned int fn,
                          uint32_t id)
{
    uint32_t class, pin;
    int rc = cfg_read(k, dev, fn, 0x0a, 2, &class);

    if (!rc)
        rc = cfg_read(k, dev, fn, 0x3d, 1, &pin);
    if (rc)
        return rc;
    if (class == 0x0680 && id == 0x71138086u) {
        rc = cfg_write(k, dev, fn, 0x40, 4, 0xb001); /* PMBA, I/O space */
        if (!rc)
            rc = cfg_write(k, dev, fn, 0x80, 1, 1);  /* PMIOSE */
    } else if (class == 0x0101 && (id & 0xffff) == 0x8086) {
        rc = cfg_write(k, dev, fn, 0x40, 2, 0x8000);
        if (!rc)
            rc = cfg_write(k, dev, fn, 0x42, 2, 0x8000);
    }
    if (!rc && pin >= 1 && pin <= 4)
        rc = cfg_write(k, dev, fn, 0x3c, 1,
                       k->pirq_route[((pin - 1) + dev) & 3]);
    return rc;
}

static int place_bars(struct xkvm *k, struct bar *bars, unsigned int n)
{
    uint64_t mem = MEM_BASE, io = IO_BASE;

    /* largest first (insertion sort: a handful of BARs) */
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j > 0 && bars[j].size > bars[j - 1].size; j--) {
            struct bar t = bars[j];

            bars[j] = bars[j - 1];
            bars[j - 1] = t;
        }
    for (unsigned int i = 0; i < n; i++) {
        uint64_t *next = bars[i].io ? &io : &mem;
        uint64_t end = bars[i].io ? IO_END : MEM_END;
        uint64_t base = (*next + bars[i].size - 1) & ~(bars[i].size - 1);
        uint32_t cmd;
        int rc;

        if (base + bars[i].size > end) {
            log_warn("xensim-kvm: firmware: no room for BAR 0x%x of 00:%02x.%u "
                     "(%llu bytes)", bars[i].reg, bars[i].dev, bars[i].fn,
                     (unsigned long long)bars[i].size);
            continue;
        }
        *next = base + bars[i].size;
        rc = cfg_write(k, bars[i].dev, bars[i].fn, bars[i].reg, 4, (uint32_t)base);
        if (!rc)
            rc = cfg_read(k, bars[i].dev, bars[i].fn, 0x04, 2, &cmd);
        if (!rc)
            rc = cfg_write(k, bars[i].dev, bars[i].fn, 0x04, 2,
                           cmd | (bars[i].io ? 1u : 2u) | 4u);
        if (rc)
            return rc;
    }
    return 0;
}

int xkvm_firmware_pci(struct xkvm *k)
{
    struct bar bars[MAX_BARS];
    unsigned int nbars = 0;
    bool piix3 = false;
    int rc = 0;

    memcpy(k->pirq_route, routes, sizeof(routes));
    for (unsigned int dev = 0; dev < 32 && !rc; dev++) {
        for (unsigned int fn = 0; fn < 8 && !rc; fn++) {
            uint32_t id, hdr;

            rc = cfg_read(k, dev, fn, 0, 4, &id);
            if (rc || (id & 0xffff) == 0xffff)
                continue;
            if (dev == 1 && fn == 0) {
                piix3 = id == 0x70008086u;
                for (unsigned int l = 0; l < 4 && !rc && piix3; l++)
                    rc = cfg_write(k, 1, 0, 0x60 + l, 1, k->pirq_route[l]);
            }
            if (!rc)
                rc = setup_function(k, dev, fn, id);
            if (!rc)
                rc = size_bars(k, dev, fn, bars, &nbars);
            if (!rc && fn == 0 && cfg_read(k, dev, 0, 0x0e, 1, &hdr) == 0 &&
                !(hdr & 0x80))
                break; /* single-function device */
        }
    }
    if (rc) {
        log_err("xensim-kvm: firmware PCI set-up: %s", strerror(-rc));
        return rc;
    }
    if (!piix3) {
        log_err("xensim-kvm: firmware: 00:01.0 is not the PIIX3 ISA bridge "
                "8086:7000 (is a device model running?)");
        return -ENODEV;
    }
    return place_bars(k, bars, nbars);
}
