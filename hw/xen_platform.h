/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xen_platform.h - the Xen platform PCI device, 5853:0001, class 0xff80,
 * subsystem 5853:0001, revision 1, INTA, BAR0 256 bytes I/O, BAR1 16 MiB
 * prefetchable memory, and its fixed ports 0x10-0x1f:
 *
 *   read  16 bits at 0x10: magic 0x49d2
 *   read   8 bits at 0x10: platform flags;  at 0x12: protocol version 1
 *   write 16 bits at 0x10: unplug mask (bit 0 all IDE/SCSI disks except
 *                          CD-ROMs, bit 1 NICs, bit 2 IDE disks but the
 *                          primary master, bit 3 NVMe)
 *   write 32 bits at 0x10: PV driver build number (logged)
 *   write  8 bits at 0x10: platform flags (bit 0 ROM lock, kept)
 *   write 16 bits at 0x12: PV driver product number (logged)
 *   write  8 bits at 0x12: log byte, line-buffered to log_info
 *   anything else: reads all-ones, writes ignored.
 *
 * BAR0: offset 0 = platform flags (byte), offset 8 = log byte; other reads
 * all-ones. BAR1 reads 0 and ignores writes (Xen maps grant frames there).
 *
 * Unplug is real: the machine gives the device an XenPlatformUnplugOps that
 * the IDE device implements; the guest's PV drivers then own the disks.
 * Threading: device-model thread.
 */
#ifndef XENDM_HW_XEN_PLATFORM_H
#define XENDM_HW_XEN_PLATFORM_H

#include "hw/pci.h"
#include "util/log.h"

#define XEN_PLATFORM_VENDOR_ID 0x5853
#define XEN_PLATFORM_DEVICE_ID 0x0001
#define XEN_PLATFORM_CLASS 0xff80
#define XEN_PLATFORM_REVISION 1
#define XEN_PLATFORM_IOPORT 0x10
#define XEN_PLATFORM_IOPORT_SIZE 16
#define XEN_PLATFORM_MAGIC 0x49d2
#define XEN_PLATFORM_VERSION 1
#define XEN_PLATFORM_BAR0_SIZE 0x100
#define XEN_PLATFORM_BAR1_SIZE 0x1000000

#define XEN_UNPLUG_ALL_IDE_DISKS 0x01
#define XEN_UNPLUG_ALL_NICS 0x02
#define XEN_UNPLUG_AUX_IDE_DISKS 0x04
#define XEN_UNPLUG_NVME_DISKS 0x08

#define XEN_PLATFORM_FLAG_ROM_LOCK 0x01
#define XEN_PLATFORM_LOG_LINE 256

/**
 * struct XenPlatformUnplugOps - what unplug does; implemented by the
 * devices that own disks/NICs and wired by the machine. Members may be
 * NULL (nothing of that kind to unplug).
 * @unplug_ide_disks: remove IDE hard disks (not CD-ROMs) from the guest's
 *        view: afterwards the drives answer as absent. @keep_primary_master:
 *        leave the primary master (bit 2 alone).
 * @unplug_nics: remove emulated NICs.
 */
typedef struct XenPlatformUnplugOps {
    void (*unplug_ide_disks)(void *opaque, bool keep_primary_master);
    void (*unplug_nics)(void *opaque);
} XenPlatformUnplugOps;

/**
 * struct XenPlatformState - the device.
 * @pci: its PCI function.
 * @io: the I/O root the fixed ports are in.
 * @fixed_mr: ports 0x10-0x1f.
 * @bar0, @bar1: the BAR regions.
 * @unplug, @unplug_opaque: see xen_platform_set_unplug_ops().
 * @flags: platform flags byte.
 * @product: last product number written; @build: last build number.
 * @unplugged: OR of the unplug masks acted upon.
 * @log_buf, @log_len: the current log line.
 * @mapped: whether @fixed_mr is mapped.
 * @rl: limiter for guest-triggered messages; @log_rl for log lines.
 */
typedef struct XenPlatformState {
    PCIDevice pci;
    MemoryRegion *io;
    MemoryRegion fixed_mr;
    MemoryRegion bar0;
    MemoryRegion bar1;
    const XenPlatformUnplugOps *unplug;
    void *unplug_opaque;
    uint8_t flags;
    uint16_t product;
    uint32_t build;
    uint16_t unplugged;
    char log_buf[XEN_PLATFORM_LOG_LINE];
    unsigned log_len;
    bool mapped;
    struct log_ratelimit rl;
    struct log_ratelimit log_rl;
} XenPlatformState;

/**
 * xen_platform_init() - the device at @devfn of @bus (-1: the lowest free
 * slot), fixed ports in @io.
 * Return: 0 or -errno.
 */
int xen_platform_init(XenPlatformState *s, MemorySystem *ms, PCIBus *bus,
                      int devfn, MemoryRegion *io)
    __attribute__((warn_unused_result));
/**
 * xen_platform_set_unplug_ops() - who removes disks/NICs on an unplug
 * write (@ops must outlive the device; NULL: unplug is only logged).
 */
void xen_platform_set_unplug_ops(XenPlatformState *s,
                                 const XenPlatformUnplugOps *ops,
                                 void *opaque);
/** xen_platform_exit() - unmap, leave the bus, finalise the regions. */
void xen_platform_exit(XenPlatformState *s);

#endif /* XENDM_HW_XEN_PLATFORM_H */
