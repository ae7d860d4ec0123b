/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xenfv.h - the xenfv machine: the memory system, the two address spaces,
 * PCI bus 0 and the chipset devices, built from one ordered device table.
 *
 * Address spaces: "memory" (root region "system", 2^64 bytes) and "I/O"
 * (root region "io", 64 KiB). Fixed-function devices (ports, the VGA legacy
 * window) add their regions to @system / @io directly at priority >= 0;
 * everything the PCI core decodes (BARs, the PIIX4 PM block) goes into the
 * @pci_mem / @pci_io containers, which cover the whole of each space at
 * priority -1. So a BAR programmed over guest RAM or over a fixed port is
 * hidden by it (RAM and fixed ports win, as the chipset decodes them
 * first), and BARs programmed over each other resolve inside the container
 * (the one mapped last wins).
 *
 * The device table (hw/xenfv.c) initialises in order and unwinds in
 * reverse on failure:
 *     pci-host (ports 0xcf8/0xcfc), i440fx 00:00.0, piix3 00:01.0 (+0xcf9,
 *     0x92), piix3-ide 00:01.1, piix4-pm 00:01.3, vga (when configured:
 *     00:02.0, or with @vga_after_platform the slot after xen-platform's,
 *     00:03.0), xen-platform (lowest free slot from 2: 00:02.0, or 00:03.0
 *     after a VGA at 00:02.0), uart 0x3f8 (ISA IRQ 4)
 * The IDE entry sets @unplug_ops/@unplug_opaque in its init so that the
 * xen-platform entry (later) wires unplug to it.
 *
 * Threading: init, finalize and reset run on the device-model thread with
 * no I/O in flight.
 */
#ifndef XENDM_HW_XENFV_H
#define XENDM_HW_XENFV_H

#include <stdbool.h>

#include "hw/char/serial.h"
#include "hw/display/vga-pci.h"
#include "hw/i440fx.h"
#include "hw/ide/ide.h"
#include "hw/pci.h"
#include "hw/piix.h"
#include "hw/platform.h"
#include "hw/xen_platform.h"
#include "memory/memory.h"

typedef struct XenfvMachine XenfvMachine;

/**
 * struct XenfvDeviceEntry - one row of the device table.
 * @name: for logs.
 * @init: create the device(s) in @m; 0 or -errno.
 * @finalize: undo @init (only called after @init succeeded).
 * @reset: back to power-on state; NULL if nothing to do.
 */
typedef struct XenfvDeviceEntry {
    const char *name;
    int (*init)(XenfvMachine *m);
    void (*finalize)(XenfvMachine *m);
    void (*reset)(XenfvMachine *m);
} XenfvDeviceEntry;

/**
 * struct XenfvMachineConfig - what the machine is built from.
 * @ms: the memory system to use (not owned), or NULL to create one that
 *      the machine frees.
 * @platform_ops: the hypervisor calls (xen/ provides them; tests a
 *      PlatformRecorder's ops); may be NULL.
 * @platform_opaque: passed to @platform_ops.
 * @devices: the device table, or NULL for the default (xenfv_device_table()).
 *      Tests pass their own to check unwinding.
 * @n_devices: entries in @devices.
 * @vga: whether the std VGA is present.
 * @vga_vram_size: its VRAM in bytes (0: 16 MiB).
 * @vga_after_platform: where the VGA goes, as QEMU 7.2 places it: false
 *      (-vga std, created with the machine) 00:02.0, xen-platform 00:03.0;
 *      true (-device VGA, libxl's way, created after the machine's own
 *      xen-platform) xen-platform 00:02.0, VGA 00:03.0.
 */
typedef struct XenfvMachineConfig {
    MemorySystem *ms;
    const PlatformOps *platform_ops;
    void *platform_opaque;
    const XenfvDeviceEntry *devices;
    unsigned n_devices;
    bool vga;
    uint64_t vga_vram_size;
    bool vga_after_platform;
} XenfvMachineConfig;

/**
 * struct XenfvMachine - the machine. Caller storage; fields are read by the
 * xen/ layer (address spaces, bus) and by device table entries.
 * @ms: the memory system.
 * @own_ms: whether @ms was created here.
 * @system: root of the memory address space ("system", 2^64).
 * @io: root of the I/O address space ("io", 64 KiB).
 * @pci_mem: container of PCI memory decoding at priority -1 in @system.
 * @pci_io: container of PCI I/O decoding at priority -1 in @io.
 * @as_mem: the memory address space ("memory").
 * @as_io: the I/O address space ("I/O").
 * @platform: the hypervisor calls, bound to their opaque.
 * @bus: PCI bus 0; the PCI_CONFIG ioreq path calls
 *       pci_bus_config_read/write(&m->bus, sbdf, reg, size[, val]).
 * @host: configuration mechanism #1 ports.
 * @i440fx, @piix3, @pm, @xen_platform: the chipset functions.
 * @ide: the PIIX3 IDE function 00:01.1 (disks attached by the caller with
 *       piix3_ide_attach_drive()).
 * @ide_irq: its ISA IRQ 14 and 15 lines.
 * @has_vga: the VGA entry created @vga.
 * @vga_vram_size: from the config.
 * @vga_after_platform: from the config.
 * @vga: the std VGA (00:02.0, or 00:03.0 with @vga_after_platform).
 * @uart: COM1 at 0x3f8 (backend set by the caller with serial_set_backend()).
 * @uart_irq: its ISA IRQ 4 line.
 * @unplug_ops, @unplug_opaque: set by the IDE entry, used by xen-platform.
 * @devices, @n_devices: the table in use.
 * @n_inited: how many entries of @devices are initialised.
 *
 * Integration adds the UART, VGA and IDE state here (see the top comment).
 */
struct XenfvMachine {
    MemorySystem *ms;
    bool own_ms;
    MemoryRegion system;
    MemoryRegion io;
    MemoryRegion pci_mem;
    MemoryRegion pci_io;
    AddressSpace as_mem;
    AddressSpace as_io;
    Platform platform;
    PCIBus bus;
    PCIHost host;
    I440FXState i440fx;
    PIIX3State piix3;
    PIIX4PMState pm;
    XenPlatformState xen_platform;
    PIIX3IDEState *ide;
    IRQLine ide_irq[2];
    bool has_vga;
    uint64_t vga_vram_size;
    bool vga_after_platform;
    VGAPCIState vga;
    struct serial_isa uart;
    IRQLine uart_irq;
    const XenPlatformUnplugOps *unplug_ops;
    void *unplug_opaque;
    const XenfvDeviceEntry *devices;
    unsigned n_devices;
    unsigned n_inited;
};

/* Where the chipset functions sit. */
#define XENFV_DEVFN_I440FX PCI_DEVFN(0, 0)
#define XENFV_DEVFN_PIIX3 PCI_DEVFN(1, 0)
#define XENFV_DEVFN_PIIX3_IDE PCI_DEVFN(1, 1)
#define XENFV_DEVFN_PIIX4_PM PCI_DEVFN(1, 3)
#define XENFV_DEVFN_VGA PCI_DEVFN(2, 0) /* without vga_after_platform */
/* The xen-platform device takes the lowest free slot from this one. */
#define XENFV_XEN_PLATFORM_FIRST_SLOT 2
/* Subsystem IDs of functions that do not set their own (QEMU's). */
#define XENFV_DEFAULT_SSVID 0x1af4
#define XENFV_DEFAULT_SSID 0x1100

/**
 * xenfv_device_table() - the default device table.
 * @n: out: number of entries.
 * Return: the table (static, const).
 */
const XenfvDeviceEntry *xenfv_device_table(unsigned *n);

/**
 * xenfv_machine_init() - build the machine: memory system (unless given),
 * the roots and address spaces, the PCI containers, bus 0, then every
 * device table entry in order. On failure everything done so far is undone
 * in reverse and @m is left finalised.
 * Return: 0 or -errno (the failing entry's).
 */
int xenfv_machine_init(XenfvMachine *m, const XenfvMachineConfig *cfg)
    __attribute__((warn_unused_result));
/**
 * xenfv_machine_finalize() - finalise the entries in reverse order, then
 * the bus, address spaces, regions and (if owned) the memory system.
 * Regions other code added to @system / @io must be removed first.
 */
void xenfv_machine_finalize(XenfvMachine *m);
/**
 * xenfv_machine_reset() - reset every entry in table order (PCI functions
 * to power-on state, BARs unmapped, INTx deasserted, routes disabled).
 */
void xenfv_machine_reset(XenfvMachine *m);

#endif /* XENDM_HW_XENFV_H */
