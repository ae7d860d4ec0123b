/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci_host.c - configuration mechanism #1 on ports 0xcf8 and 0xcfc-0xcff.
 *
 * Two I/O regions in the machine's I/O space: CONFIG_ADDRESS (0xcf8, 4
 * bytes) latches only dword accesses at 0xcf8 — other accesses there read
 * all-ones and are dropped, as on the i440FX where they are ordinary I/O
 * cycles (the 1-byte reset control register at 0xcf9 is PIIX3's region,
 * mapped over this one at a higher priority; since the memory core does
 * not clamp an I/O access to its section, a dword access at 0xcf8 still
 * reaches this region whole). CONFIG_DATA (0xcfc, 4 bytes) forwards byte,
 * word and dword accesses at any offset to pci_bus_config_read/write() —
 * the same function the PCI_CONFIG ioreq path calls — with register
 * (CONFIG_ADDRESS & 0xfc) + offset; bytes of an access reaching past 0xcff
 * read all-ones. With the enable bit clear, data accesses read all-ones.
 *
 * Threading: device-model thread only.
 */
#include <errno.h>
#include <string.h>

#include "hw/pci.h"

static uint32_t host_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint64_t host_addr_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHost *h = opaque;

    if (addr == 0 && size == 4)
        return h->config_reg;
    return host_ones(size);
}

static void host_addr_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    PCIHost *h = opaque;

    if (addr == 0 && size == 4)
        h->config_reg = (uint32_t)val;
}

static const MemoryRegionOps host_addr_ops = {
    .read = host_addr_read,
    .write = host_addr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

/* Decode CONFIG_ADDRESS: sbdf and the dword register. */
static uint32_t host_sbdf(uint32_t cr)
{
    return PCI_SBDF(0, (cr >> 16) & 0xff, (cr >> 8) & 0xff);
}

static uint64_t host_data_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHost *h = opaque;
    uint32_t cr = h->config_reg;
    unsigned n;
    uint32_t val;

    if (!(cr & PCI_HOST_CONFIG_ENABLE) || addr >= 4 || size < 1 || size > 4)
        return host_ones(size);
    n = size;
    if (addr + n > 4)
        n = 4 - (unsigned)addr;
    val = pci_bus_config_read(h->bus, host_sbdf(cr),
                              (cr & 0xfc) + (uint32_t)addr, n);
    if (n < size)
        val |= host_ones(size) & ~host_ones(n);
    return val;
}

static void host_data_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    PCIHost *h = opaque;
    uint32_t cr = h->config_reg;
    unsigned n;

    if (!(cr & PCI_HOST_CONFIG_ENABLE) || addr >= 4 || size < 1 || size > 4)
        return;
    n = size;
    if (addr + n > 4)
        n = 4 - (unsigned)addr;
    pci_bus_config_write(h->bus, host_sbdf(cr), (cr & 0xfc) + (uint32_t)addr,
                         (uint32_t)val & host_ones(n), n);
}

static const MemoryRegionOps host_data_ops = {
    .read = host_data_read,
    .write = host_data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

int pci_host_init(PCIHost *h, MemorySystem *ms, PCIBus *bus, MemoryRegion *io)
{
    if (!h || !ms || !bus || !io)
        return -EINVAL;
    memset(h, 0, sizeof(*h));
    h->bus = bus;
    h->ms = ms;
    h->io = io;
    memory_region_init_io(&h->addr_mr, ms, NULL, &host_addr_ops, h,
                          "pci-conf-idx", 4);
    memory_region_init_io(&h->data_mr, ms, NULL, &host_data_ops, h,
                          "pci-conf-data", 4);
    memory_region_transaction_begin(ms);
    memory_region_add_subregion_overlap(io, PCI_HOST_CONFIG_ADDR_PORT,
                                        &h->addr_mr, 0);
    memory_region_add_subregion_overlap(io, PCI_HOST_CONFIG_DATA_PORT,
                                        &h->data_mr, 0);
    memory_region_transaction_commit(ms);
    h->mapped = true;
    return 0;
}

void pci_host_exit(PCIHost *h)
{
    if (!h->io)
        return;
    if (h->mapped) {
        MemorySystem *ms = h->ms;

        memory_region_transaction_begin(ms);
        memory_region_del_subregion(h->io, &h->addr_mr);
        memory_region_del_subregion(h->io, &h->data_mr);
        memory_region_transaction_commit(ms);
        h->mapped = false;
    }
    memory_region_finalize(&h->addr_mr);
    memory_region_finalize(&h->data_mr);
    h->io = NULL;
}

void pci_host_reset(PCIHost *h)
{
    h->config_reg = 0;
}
