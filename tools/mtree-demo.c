/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mtree-demo.c - the interim `make run`: build the region tree of a small
 * xenfv machine with the memory API, print it the way `info mtree` does,
 * then send a banner through a toy UART on port 0x3f8 and read the host
 * bridge's ID through the PCI configuration ports, all by address-space
 * accesses.
 *
 * Single-threaded; one MemorySystem, torn down at exit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"

struct demo {
    MemorySystem *ms;
    MemoryRegion system, io, ram, ram_below_4g, pci_hole, vga_window;
    MemoryRegion uart, cf8, cfc, platform;
    AddressSpace as_mem, as_io;
    uint32_t cf8_latch;
    char line[128];
    size_t line_len;
};

static uint64_t uart_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == 5 ? 0x60 : 0;     /* LSR: transmitter empty */
}

static void uart_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    struct demo *d = opaque;

    if (addr != 0)
        return;
    if (val == '\n' || d->line_len == sizeof(d->line) - 1) {
        d->line[d->line_len] = '\0';
        printf("  [uart 0x3f8] %s\n", d->line);
        d->line_len = 0;
    } else {
        d->line[d->line_len++] = (char)val;
    }
}

static const MemoryRegionOps uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t cf8_read(void *opaque, hwaddr addr, unsigned size)
{
    return ((struct demo *)opaque)->cf8_latch;
}

static void cf8_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ((struct demo *)opaque)->cf8_latch = (uint32_t)val;
}

static const MemoryRegionOps cf8_ops = {
    .read = cf8_read,
    .write = cf8_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* Config data: only 00:00.0 (the i440FX host bridge) answers. */
static uint64_t cfc_read(void *opaque, hwaddr addr, unsigned size)
{
    struct demo *d = opaque;
    uint32_t a = d->cf8_latch;
    uint32_t reg = (a & 0xfc) + (uint32_t)addr;

    if (!(a & 0x80000000u) || (a & 0x00ffff00u) != 0)
        return ~0ull;
    if (reg < 4)
        return (0x12378086u >> (8 * reg)) & ((size == 4) ? 0xffffffffu : ((1u << (8 * size)) - 1));
    return 0;
}

static void cfc_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps cfc_ops = {
    .read = cfc_read,
    .write = cfc_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static void print_text(void *opaque, const char *text)
{
    fputs(text, stdout);
}

static int demo_build(struct demo *d)
{
    d->ms = memory_system_new();
    if (!d->ms)
        return -1;
    memory_region_init(&d->system, d->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&d->io, d->ms, NULL, "io", 0x10000);
    if (memory_region_init_ram(&d->ram, d->ms, NULL, "xen.ram", 16 << 20))
        return -1;
    memory_region_init_alias(&d->ram_below_4g, d->ms, NULL, "xen.ram.lo",
                             &d->ram, 0, 16 << 20);
    memory_region_init(&d->pci_hole, d->ms, NULL, "pci", 0x100000000ull);
    memory_region_init_io(&d->vga_window, d->ms, NULL, &uart_ops, d,
                          "vga-lowmem", 0x20000);
    memory_region_init_io(&d->uart, d->ms, NULL, &uart_ops, d, "serial", 8);
    memory_region_init_io(&d->cf8, d->ms, NULL, &cf8_ops, d, "pci-conf-idx", 4);
    memory_region_init_io(&d->cfc, d->ms, NULL, &cfc_ops, d, "pci-conf-data", 4);
    memory_region_init_reservation(&d->platform, d->ms, NULL,
                                   "xen-platform-fixed", 0x10);

    memory_region_transaction_begin(d->ms);
    memory_region_add_subregion(&d->system, 0, &d->ram_below_4g);
    memory_region_add_subregion_overlap(&d->system, 0, &d->pci_hole, -1);
    memory_region_add_subregion_overlap(&d->system, 0xa0000, &d->vga_window, 1);
    memory_region_add_subregion(&d->io, 0x3f8, &d->uart);
    memory_region_add_subregion(&d->io, 0xcf8, &d->cf8);
    memory_region_add_subregion(&d->io, 0xcfc, &d->cfc);
    memory_region_add_subregion(&d->io, 0x10, &d->platform);
    memory_region_transaction_commit(d->ms);

    address_space_init(&d->as_mem, d->ms, &d->system, "memory");
    address_space_init(&d->as_io, d->ms, &d->io, "I/O");
    return 0;
}

static void demo_teardown(struct demo *d)
{
    MemoryRegion *io_children[] = { &d->uart, &d->cf8, &d->cfc, &d->platform };

    address_space_destroy(&d->as_io);
    address_space_destroy(&d->as_mem);
    memory_region_transaction_begin(d->ms);
    memory_region_del_subregion(&d->system, &d->ram_below_4g);
    memory_region_del_subregion(&d->system, &d->pci_hole);
    memory_region_del_subregion(&d->system, &d->vga_window);
    for (size_t i = 0; i < sizeof(io_children) / sizeof(io_children[0]); i++)
        memory_region_del_subregion(&d->io, io_children[i]);
    memory_region_transaction_commit(d->ms);
    for (size_t i = 0; i < sizeof(io_children) / sizeof(io_children[0]); i++)
        memory_region_finalize(io_children[i]);
    memory_region_finalize(&d->vga_window);
    memory_region_finalize(&d->pci_hole);
    memory_region_finalize(&d->ram_below_4g);
    memory_region_finalize(&d->ram);
    memory_region_finalize(&d->io);
    memory_region_finalize(&d->system);
    memory_system_free(d->ms);
}

int main(void)
{
    struct demo d;
    const char *banner = "hello from the xendm memory API\n";
    uint32_t id;
    MemTxResult r;

    memset(&d, 0, sizeof(d));
    if (demo_build(&d) != 0) {
        fprintf(stderr, "mtree-demo: cannot build the region tree\n");
        return 1;
    }

    printf("== info mtree\n");
    mtree_info(d.ms, 0, print_text, NULL);
    printf("\n== info mtree -f\n");
    mtree_info(d.ms, MTREE_FLATVIEW, print_text, NULL);

    printf("\n== accesses through the address spaces\n");
    for (const char *p = banner; *p; p++)
        address_space_stb(&d.as_io, 0x3f8, (uint8_t)*p, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&d.as_io, 0xcf8, 0x80000000u, MEMTXATTRS_UNSPECIFIED, NULL);
    id = address_space_ldl_le(&d.as_io, 0xcfc, MEMTXATTRS_UNSPECIFIED, &r);
    printf("  host bridge 00:00.0 vendor:device = %04x:%04x (result %" PRIu32 ")\n",
           id & 0xffff, id >> 16, r);
    address_space_stl_le(&d.as_io, 0xcf8, 0x80000800u, MEMTXATTRS_UNSPECIFIED, NULL);
    id = address_space_ldl_le(&d.as_io, 0xcfc, MEMTXATTRS_UNSPECIFIED, NULL);
    printf("  absent function 00:01.0 reads 0x%08" PRIx32 "\n", id);
    id = address_space_ldl_le(&d.as_io, 0x4000, MEMTXATTRS_UNSPECIFIED, &r);
    printf("  unassigned port 0x4000 reads 0x%08" PRIx32 " (result %" PRIu32 ")\n", id, r);
    address_space_stl_le(&d.as_mem, 0x1000, 0xc0ffee, MEMTXATTRS_UNSPECIFIED, NULL);
    printf("  RAM at 0x1000 holds 0x%" PRIx32 " after a store\n",
           address_space_ldl_le(&d.as_mem, 0x1000, MEMTXATTRS_UNSPECIFIED, NULL));

    demo_teardown(&d);
    return 0;
}
