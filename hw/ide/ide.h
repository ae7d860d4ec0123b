/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide.h - the PIIX3 IDE function (00:01.1, 8086:7010) with ATA disks.
 *
 * What a guest sees:
 *  - PCI function 8086:7010, class 0x0101 (IDE), prog-if 0x80 (both
 *    channels in legacy "compatibility" mode, bus-master capable),
 *    revision 0, no INTx pin; BAR4 = 16 bytes of I/O: the bus-master
 *    registers (command, status, PRD table address) of both channels.
 *  - Legacy ports, mapped whether or not COMMAND.IO is set (as QEMU does):
 *    primary 0x1f0-0x1f7 + 0x3f6 on ISA IRQ 14, secondary 0x170-0x177 +
 *    0x376 on ISA IRQ 15. 0x3f7/0x377 are not claimed (floppy).
 *  - Up to four ATA disks backed by raw image files (index 0..3 = primary
 *    master, primary slave, secondary master, secondary slave).
 *
 * Threading: every entry point here runs on the device-model thread. Disk
 * I/O of DMA commands and FLUSH CACHE runs on one worker thread per
 * channel, which maps the PRD regions with address_space_map(), does the
 * pread()/pwrite() and completes the command itself: it takes the
 * channel's mutex, updates the ATA and bus-master status and raises the
 * IRQ line. The IRQ lines given to piix3_ide_new() must therefore be
 * thread-safe (platform_isa_irq_line() and irq_recorder_line() lines are).
 * piix3_ide_wait_idle() waits for that in tests, without any main loop.
 */
#ifndef XENDM_HW_IDE_IDE_H
#define XENDM_HW_IDE_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/irq.h"
#include "hw/pci.h"
#include "memory/memory.h"

/* Guest-visible identity (for comparison with QEMU). */
#define PIIX3_IDE_VENDOR_ID 0x8086
#define PIIX3_IDE_DEVICE_ID 0x7010
#define PIIX3_IDE_CLASS 0x0101
#define PIIX3_IDE_PROG_IF 0x80
#define PIIX3_IDE_BMDMA_BAR 4
#define PIIX3_IDE_BMDMA_SIZE 16

/* Legacy resources of the two channels. */
#define IDE_PRIMARY_CMD_PORT 0x1f0
#define IDE_PRIMARY_CTL_PORT 0x3f6
#define IDE_PRIMARY_IRQ 14
#define IDE_SECONDARY_CMD_PORT 0x170
#define IDE_SECONDARY_CTL_PORT 0x376
#define IDE_SECONDARY_IRQ 15

/** Number of drive slots: 2 channels x (master, slave). */
#define IDE_MAX_DRIVES 4

typedef struct IdeDrive IdeDrive;
typedef struct PIIX3IDEState PIIX3IDEState;

/**
 * ide_drive_open() - open a raw disk image for an ATA disk.
 * @path: the image file (its size, rounded down to 512-byte sectors, is
 *        the disk's capacity; must be at least one sector).
 * @read_only: open O_RDONLY; write commands then abort (ABRT).
 * @out: the drive on success (free with ide_drive_close() unless handed
 *       to piix3_ide_attach_drive_owned()).
 * Return: 0, or -errno (open/fstat failure, -EINVAL for an image smaller
 * than one sector or not a regular file / block device, -ENOMEM).
 */
int ide_drive_open(const char *path, bool read_only, IdeDrive **out)
    __attribute__((warn_unused_result));
/** ide_drive_close() - close the file and free @d (NULL allowed). */
void ide_drive_close(IdeDrive *d);
/** ide_drive_sectors() - Return: capacity in 512-byte sectors. */
uint64_t ide_drive_sectors(const IdeDrive *d);

/**
 * struct ide_drive_opts - a parsed `-drive` argument.
 * @file: the image path (malloc'd; ide_drive_opts_free()).
 * @index: 0..3.
 * @read_only: readonly=on.
 */
struct ide_drive_opts {
    char *file;
    int index;
    bool read_only;
};

/**
 * ide_drive_opts_parse() - parse "file=PATH,if=ide,index=N,media=disk,
 * format=raw[,cache=MODE][,readonly=on|off]" (keys in any order; ",," is a
 * comma inside a value; cache is accepted and ignored).
 * @arg: the option argument.
 * @out: the result (free with ide_drive_opts_free() on success).
 * Return: 0; -EINVAL (syntax, unknown key, missing file/index/if, index out
 * of 0..3); -ENOTSUP (if other than ide, media other than disk, format
 * other than raw); -ENOMEM. Any thread.
 */
int ide_drive_opts_parse(const char *arg, struct ide_drive_opts *out)
    __attribute__((warn_unused_result));
/** ide_drive_opts_free() - release @o's strings (NULL fields allowed). */
void ide_drive_opts_free(struct ide_drive_opts *o);

/**
 * struct piix3_ide_config - what the machine gives the IDE function.
 * @bus: the PCI bus (the function is created on it).
 * @devfn: PCI_DEVFN(1, 1) on xenfv; -1 for the first free slot.
 * @io: the I/O address space root ("io", 64 KiB) that the legacy ports
 *      are added to (not owned; must outlive the device).
 * @dma_as: the memory address space bus-master DMA goes through.
 * @irq: the ISA IRQ 14 and 15 lines (caller storage, must outlive the
 *       device, handlers thread-safe: see the top of this file).
 */
struct piix3_ide_config {
    PCIBus *bus;
    int devfn;
    MemoryRegion *io;
    AddressSpace *dma_as;
    IRQLine *irq[2];
};

/**
 * piix3_ide_new() - create the function, map the legacy ports, start the
 * two channel workers. No disks yet.
 * @cfg: resources (copied).
 * @out: the device.
 * Return: 0 or -errno (PCI init failure, -ENOMEM, pthread errors).
 */
int piix3_ide_new(const struct piix3_ide_config *cfg, PIIX3IDEState **out)
    __attribute__((warn_unused_result));
/**
 * piix3_ide_free() - stop the workers (an in-flight DMA is cancelled and
 * waited for), unmap everything, close the drives, free @s (NULL allowed).
 */
void piix3_ide_free(PIIX3IDEState *s);

/**
 * piix3_ide_attach_drive() - open @path and put the disk at @index
 * (-drive ...,if=ide,index=N,media=disk,format=raw).
 * @s: the device.
 * @index: 0 primary master, 1 primary slave, 2 secondary master,
 *         3 secondary slave.
 * @path: raw image.
 * @read_only: as ide_drive_open().
 * Return: 0, -EINVAL (bad index), -EBUSY (slot taken), or ide_drive_open()'s
 * error. Main thread, before the guest runs.
 */
int piix3_ide_attach_drive(PIIX3IDEState *s, unsigned index, const char *path,
                           bool read_only) __attribute__((warn_unused_result));
/**
 * piix3_ide_attach_drive_owned() - put an opened drive at @index; @s owns
 * it from now on, also when this fails (-EINVAL, -EBUSY: it is closed).
 */
int piix3_ide_attach_drive_owned(PIIX3IDEState *s, unsigned index,
                                 IdeDrive *d)
    __attribute__((warn_unused_result));
/** piix3_ide_has_drive() - Return: a (non-unplugged) disk sits at @index. */
bool piix3_ide_has_drive(PIIX3IDEState *s, unsigned index);

/**
 * piix3_ide_unplug_disks() - remove ATA disks from the guest's view (the
 * xen-platform unplug protocol: mask bit 0 = all IDE disks,
 * @keep_primary_master false; bit 2 = all but the primary master, true).
 * An in-flight command on a removed disk is cancelled first. Removed disks
 * then answer as absent devices (registers read 0, commands ignored);
 * their image files stay open until piix3_ide_free(). There are no
 * CD-ROMs in this model, so nothing is exempt. Main thread.
 */
void piix3_ide_unplug_disks(PIIX3IDEState *s, bool keep_primary_master);
/**
 * piix3_ide_unplug_disks_cb() - piix3_ide_unplug_disks() with the device
 * as a void pointer: fits XenPlatformUnplugOps.unplug_ide_disks (opaque =
 * the PIIX3IDEState).
 */
void piix3_ide_unplug_disks_cb(void *opaque, bool keep_primary_master);

/**
 * piix3_ide_wait_idle() - block until neither channel has a DMA or
 * flush in flight (the worker has completed it, status and IRQ updated).
 * A command still waiting for the guest to start the bus master is not
 * waited for. Main thread; for tests and orderly shutdown.
 */
void piix3_ide_wait_idle(PIIX3IDEState *s);

/**
 * piix3_ide_set_dma_delay() - debugging: hold every DMA mapping for @ms
 * milliseconds before its disk I/O (0 = off), so that a test or demo can
 * act while a DMA is in flight (e.g. give the memory back and see the
 * locked-DMA warning). Applies to commands started afterwards. Any thread.
 */
void piix3_ide_set_dma_delay(PIIX3IDEState *s, uint32_t ms);

/** piix3_ide_reset() - PCI reset: cancel DMA, reset both channels. */
void piix3_ide_reset(PIIX3IDEState *s);

/** piix3_ide_pci() - Return: the PCI function (for the machine). */
PCIDevice *piix3_ide_pci(PIIX3IDEState *s);

#endif /* XENDM_HW_IDE_IDE_H */
