/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-pci.h - the std VGA as a PCI function (QEMU's "VGA"):
 *   vendor:device 1234:1111, revision 2, class 0x0300 (VGA compatible),
 *   subsystem 1af4:1100, no interrupt pin;
 *   BAR0 = VRAM, 32-bit prefetchable memory, size = VRAM (16 MiB default);
 *   BAR2 = 4 KiB MMIO: 0x400-0x41f the legacy ports 0x3c0-0x3df (1- or
 *          2-byte accesses), 0x500-0x515 the dispi registers (register
 *          n at 0x500 + 2n, 16-bit), 0x600-0x607 QEMU's extended
 *          registers (0x600: size of the block = 8; 0x604: byte order,
 *          0x1e1e1e1e = little-endian), the rest reads 0 (an unassigned
 *          area of the BAR reads all-ones).
 * The legacy window 0xa0000 and ports 0x3c0-0x3df, 0x1ce-0x1d0 are always
 * decoded (not gated by COMMAND), as on a PC's primary VGA.
 * Init/exit on the device-model thread; accesses as in vga.h.
 */
#ifndef XENDM_HW_DISPLAY_VGA_PCI_H
#define XENDM_HW_DISPLAY_VGA_PCI_H

#include "hw/display/vga.h"
#include "hw/pci.h"

#define VGA_PCI_VENDOR_ID 0x1234
#define VGA_PCI_DEVICE_ID 0x1111
#define VGA_PCI_REVISION 2
#define VGA_PCI_CLASS 0x0300
#define VGA_PCI_SUBSYSTEM_VENDOR_ID 0x1af4
#define VGA_PCI_SUBSYSTEM_ID 0x1100
#define VGA_PCI_MMIO_SIZE 0x1000
#define VGA_PCI_MMIO_VGA_OFFSET 0x400
#define VGA_PCI_MMIO_VBE_OFFSET 0x500
#define VGA_PCI_MMIO_VBE_SIZE (VBE_DISPI_INDEX_NB * 2)
#define VGA_PCI_MMIO_QEXT_OFFSET 0x600
#define VGA_PCI_MMIO_QEXT_SIZE 8

/**
 * struct VGAPCIState - a std VGA on the PCI bus. Embed; fields private.
 * @pci: the PCI function (first member).
 * @vga: the core.
 * @mmio: BAR2 container; @mmio_vga, @mmio_vbe, @mmio_qext inside it.
 */
typedef struct VGAPCIState {
    PCIDevice pci;
    VGAState vga;
    MemoryRegion mmio;
    MemoryRegion mmio_vga;
    MemoryRegion mmio_vbe;
    MemoryRegion mmio_qext;
} VGAPCIState;

/**
 * vga_pci_init() - create the VGA at @devfn of @bus with @vram_size bytes
 * of VRAM (0 = 16 MiB), register BAR0/BAR2 and map the legacy window into
 * @mem_root and the legacy ports into @io_root (either may be NULL).
 * Return: 0 or -errno (everything undone on failure).
 */
int vga_pci_init(VGAPCIState *d, PCIBus *bus, int devfn,
                 MemoryRegion *mem_root, MemoryRegion *io_root,
                 uint64_t vram_size) __attribute__((warn_unused_result));

/** vga_pci_exit() - remove the function and free everything. */
void vga_pci_exit(VGAPCIState *d);

#endif /* XENDM_HW_DISPLAY_VGA_PCI_H */
