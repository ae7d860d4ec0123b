/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-pci.c - PCI glue of the std VGA (see vga-pci.h): configuration
 * identity, BAR0 (the VRAM region itself) and BAR2 (a 4 KiB container
 * holding I/O regions that reuse the core's port and dispi handlers).
 * Threading: init/exit on the device-model thread.
 */
#include <errno.h>

#include "hw/display/vga-internal.h"
#include "hw/display/vga-pci.h"

static void vga_pci_reset(PCIDevice *pd)
{
    VGAPCIState *d = pci_device_opaque(pd);

    vga_reset(&d->vga);
}

static const PCIDeviceInfo vga_pci_info = {
    .name = "VGA",
    .vendor_id = VGA_PCI_VENDOR_ID,
    .device_id = VGA_PCI_DEVICE_ID,
    .revision = VGA_PCI_REVISION,
    .class_id = VGA_PCI_CLASS,
    .prog_if = 0,
    .subsystem_vendor_id = VGA_PCI_SUBSYSTEM_VENDOR_ID,
    .subsystem_id = VGA_PCI_SUBSYSTEM_ID,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .interrupt_pin = 0,
    .reset = vga_pci_reset,
};

/* BAR2 0x500: dispi register n at 2n, 16 bits wide. */
static uint64_t vga_mmio_vbe_read(void *opaque, hwaddr addr, unsigned size)
{
    return vga_vbe_read_reg(opaque, (uint16_t)(addr >> 1));
}

static void vga_mmio_vbe_write(void *opaque, hwaddr addr, uint64_t data,
                               unsigned size)
{
    vga_vbe_write_reg(opaque, (uint16_t)(addr >> 1), (uint16_t)data);
}

static const MemoryRegionOps vga_mmio_vbe_ops = {
    .read = vga_mmio_vbe_read,
    .write = vga_mmio_vbe_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};

/* BAR2 0x600: QEMU's extended registers (read-only here). */
static uint64_t vga_mmio_qext_read(void *opaque, hwaddr addr, unsigned size)
{
    switch (addr) {
    case 0:
        return VGA_PCI_MMIO_QEXT_SIZE;
    case 4:
        return 0x1e1e1e1e; /* little-endian framebuffer */
    default:
        return 0;
    }
}

static void vga_mmio_qext_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
    /* Only little-endian is supported: byte-order writes are ignored. */
}

static const MemoryRegionOps vga_mmio_qext_ops = {
    .read = vga_mmio_qext_read,
    .write = vga_mmio_qext_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

int vga_pci_init(VGAPCIState *d, PCIBus *bus, int devfn,
                 MemoryRegion *mem_root, MemoryRegion *io_root,
                 uint64_t vram_size)
{
    MemorySystem *ms = bus ? bus->ms : NULL;
    int rc;

    if (!ms) {
        return -EINVAL;
    }
    rc = vga_init(&d->vga, ms, NULL, vram_size);
    if (rc) {
        return rc;
    }
    memory_region_init(&d->mmio, ms, NULL, "vga.mmio", VGA_PCI_MMIO_SIZE);
    memory_region_init_io(&d->mmio_vga, ms, NULL, &vga_ioport_ops, &d->vga,
                          "vga ioports remapped", VGA_IO_SIZE);
    memory_region_init_io(&d->mmio_vbe, ms, NULL, &vga_mmio_vbe_ops, &d->vga,
                          "bochs dispi interface", VGA_PCI_MMIO_VBE_SIZE);
    memory_region_init_io(&d->mmio_qext, ms, NULL, &vga_mmio_qext_ops,
                          &d->vga, "qemu extended regs",
                          VGA_PCI_MMIO_QEXT_SIZE);
    memory_region_add_subregion(&d->mmio, VGA_PCI_MMIO_VGA_OFFSET,
                                &d->mmio_vga);
    memory_region_add_subregion(&d->mmio, VGA_PCI_MMIO_VBE_OFFSET,
                                &d->mmio_vbe);
    memory_region_add_subregion(&d->mmio, VGA_PCI_MMIO_QEXT_OFFSET,
                                &d->mmio_qext);

    rc = pci_device_init(&d->pci, bus, devfn, &vga_pci_info, d);
    if (rc) {
        goto fail_regions;
    }
    rc = pci_register_bar(&d->pci, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                          PCI_BASE_ADDRESS_MEM_TYPE_32 |
                          PCI_BASE_ADDRESS_MEM_PREFETCH, &d->vga.vram);
    if (!rc) {
        rc = pci_register_bar(&d->pci, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                              PCI_BASE_ADDRESS_MEM_TYPE_32, &d->mmio);
    }
    if (rc) {
        pci_device_exit(&d->pci);
        goto fail_regions;
    }
    vga_map_legacy(&d->vga, mem_root, io_root);
    return 0;

fail_regions:
    memory_region_del_subregion(&d->mmio, &d->mmio_qext);
    memory_region_del_subregion(&d->mmio, &d->mmio_vbe);
    memory_region_del_subregion(&d->mmio, &d->mmio_vga);
    memory_region_finalize(&d->mmio_qext);
    memory_region_finalize(&d->mmio_vbe);
    memory_region_finalize(&d->mmio_vga);
    memory_region_finalize(&d->mmio);
    vga_exit(&d->vga);
    return rc;
}

void vga_pci_exit(VGAPCIState *d)
{
    vga_unmap_legacy(&d->vga);
    pci_device_exit(&d->pci);
    memory_region_del_subregion(&d->mmio, &d->mmio_qext);
    memory_region_del_subregion(&d->mmio, &d->mmio_vbe);
    memory_region_del_subregion(&d->mmio, &d->mmio_vga);
    memory_region_finalize(&d->mmio_qext);
    memory_region_finalize(&d->mmio_vbe);
    memory_region_finalize(&d->mmio_vga);
    memory_region_finalize(&d->mmio);
    vga_exit(&d->vga);
}
