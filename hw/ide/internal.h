/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - state shared by the files of hw/ide: the ATA channel core
 * (ata.c: task file, commands, PIO), the bus-master engine and its worker
 * (bmdma.c), the drive backend (drive.c) and the PIIX3 glue (piix3.c).
 * Not for use outside hw/ide.
 *
 * Locking: every field of struct IdeChannel is protected by @lock, taken
 * by each register access (device-model thread) and by the worker when it
 * completes a job. The worker reads only the struct ide_job it was handed
 * (and the drive's fd, which stays open for the device's lifetime) without
 * the lock.
 */
#ifndef XENDM_HW_IDE_INTERNAL_H
#define XENDM_HW_IDE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/ide/ide.h"
#include "hw/irq.h"
#include "memory/memory.h"
#include "util/log.h"

#define IDE_SECTOR_SIZE 512u
/* Largest SET MULTIPLE block (IDENTIFY word 47). */
#define IDE_MAX_MULTIPLE 16u
#define IDE_PIO_BUF_SIZE (IDE_MAX_MULTIPLE * IDE_SECTOR_SIZE)
/* Bound of a PRD walk: a table may not cross a 64 KiB boundary, so it
   holds at most 8192 entries. */
#define IDE_PRD_MAX_ENTRIES 8192u

/* Status register. */
#define ATA_STAT_BSY 0x80
#define ATA_STAT_DRDY 0x40
#define ATA_STAT_DF 0x20
#define ATA_STAT_DSC 0x10
#define ATA_STAT_DRQ 0x08
#define ATA_STAT_ERR 0x01
/* Error register. */
#define ATA_ERR_UNC 0x40
#define ATA_ERR_IDNF 0x10
#define ATA_ERR_ABRT 0x04
/* Device control register. */
#define ATA_DEVCTL_NIEN 0x02
#define ATA_DEVCTL_SRST 0x04
#define ATA_DEVCTL_HOB 0x80
/* Device register. */
#define ATA_DEV_LBA 0x40
#define ATA_DEV_DEV 0x10

/* Bus-master registers (offsets within a channel's 8 bytes). */
#define BM_REG_CMD 0
#define BM_REG_STATUS 2
#define BM_REG_PRD 4
#define BM_CMD_START 0x01
#define BM_CMD_WRITE_TO_MEM 0x08
#define BM_STATUS_ACTIVE 0x01
#define BM_STATUS_ERROR 0x02
#define BM_STATUS_INTR 0x04
#define BM_STATUS_DRV0_DMA 0x20
#define BM_STATUS_DRV1_DMA 0x40

/**
 * struct ide_dev - one device position (master or slave) on a channel.
 * @drive: the disk, or NULL when nothing is attached.
 * @unplugged: removed by the xen-platform unplug: behaves as absent.
 * @feature, @nsector, @sector, @lcyl, @hcyl: task-file registers as last
 *        written (both devices latch every write).
 * @hob_*: the previous value of each (the "high order byte" for LBA48).
 * @select: device register.
 * @status, @error: this device's status and error registers.
 * @irq_pending: INTRQ condition (cleared by a status read).
 * @mult_count: SET MULTIPLE block size, 0 = multiple mode off.
 * @xfer_mode: last SET FEATURES transfer mode value (IDENTIFY 63/88).
 * @write_cache: write cache enabled (SET FEATURES 02h/82h).
 * @heads, @spt: current CHS translation (INITIALIZE DEVICE PARAMETERS).
 */
struct ide_dev {
    IdeDrive *drive;
    bool unplugged;
    uint8_t feature, nsector, sector, lcyl, hcyl;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t select;
    uint8_t status;
    uint8_t error;
    bool irq_pending;
    uint8_t mult_count;
    uint8_t xfer_mode;
    bool write_cache;
    uint16_t heads;
    uint16_t spt;
};

/** enum ide_xfer - what the channel's current command is doing. */
enum ide_xfer {
    IDE_XFER_NONE,
    IDE_XFER_PIO_IN,     /* data port reads drain @buf */
    IDE_XFER_PIO_OUT,    /* data port writes fill @buf */
    IDE_XFER_DMA_WAIT,   /* DMA command issued, bus master not started */
    IDE_XFER_JOB,        /* a job runs on the worker (DMA or flush) */
};

/** enum ide_job_kind - what the worker does. */
enum ide_job_kind {
    IDE_JOB_DMA_READ,    /* disk -> guest memory */
    IDE_JOB_DMA_WRITE,   /* guest memory -> disk */
    IDE_JOB_FLUSH,
};

/**
 * struct ide_job - one unit of work for a channel's worker. Inputs are
 * written by the device-model thread before the job is queued; outputs by the
 * worker before it completes it (both under the channel lock).
 * @kind: what to do.
 * @drive: the disk (open for the device's lifetime).
 * @sync: write-through (write cache off): fdatasync after writing.
 * @offset: byte offset in the image.
 * @bytes: bytes to transfer (sectors * 512).
 * @prd: physical address of the PRD table.
 * @as: where DMA goes.
 * @err: result: 0, -EFAULT (a PRD fetch or region could not be
 *       mapped), -ENOSPC (the PRD chain ended before @bytes), -E2BIG
 *       (more than IDE_PRD_MAX_ENTRIES entries without EOT), -EIO (disk).
 * @done: bytes transferred.
 * @eot: the last entry used had EOT and was used up exactly.
 */
struct ide_job {
    enum ide_job_kind kind;
    const IdeDrive *drive;
    bool sync;
    uint64_t offset;
    uint64_t bytes;
    uint32_t prd;
    AddressSpace *as;
    int err;
    uint64_t done;
    bool eot;
    uint32_t delay_ms;           /* debug: hold each mapping this long */
};

/** enum ide_job_state - the worker hand-off. */
enum ide_job_state {
    IDE_JOB_IDLE,
    IDE_JOB_QUEUED,
    IDE_JOB_RUNNING,
};

/**
 * struct IdeChannel - one ATA bus: two device positions, the task-file
 * logic, the current command, the bus-master registers and the worker.
 * See the locking rule at the top of this file.
 */
typedef struct IdeChannel {
    const char *name;            /* "ide0" / "ide1" (static string) */
    unsigned index;              /* 0 primary, 1 secondary */
    pthread_mutex_t lock;
    struct ide_dev dev[2];
    unsigned unit;               /* selected device (DEV bit) */
    uint8_t devctl;

    /* The current command. */
    enum ide_xfer xfer;
    unsigned xfer_unit;
    uint8_t cmd;
    uint64_t lba;                /* next sector */
    uint32_t remaining;          /* sectors still to transfer */
    uint32_t block;              /* sectors per DRQ block */
    uint32_t buf_pos, buf_end;
    uint8_t buf[IDE_PIO_BUF_SIZE];

    /* Bus master. */
    uint8_t bm_cmd;
    uint8_t bm_status;
    uint32_t bm_prd;

    /* Worker hand-off. */
    pthread_t thread;
    bool thread_started;
    pthread_cond_t cond;         /* job state changes, quit */
    enum ide_job_state job_state;
    bool job_cancel;
    bool quit;
    struct ide_job job;
    uint64_t jobs_done;          /* statistics / tests */
    uint32_t dma_delay_ms;       /* debug knob, see piix3_ide_set_dma_delay() */

    /* Wiring. */
    IRQLine *irq;
    bool irq_level;
    AddressSpace *dma_as;
    bool (*bus_master_enabled)(void *opaque);
    void *bm_opaque;
    MemoryRegion cmd_io;         /* 8 ports */
    MemoryRegion ctl_io;         /* 1 port */
    MemoryRegion *io_parent;
    bool mapped;
    struct log_ratelimit rl;     /* main-thread messages (under @lock) */
    struct log_ratelimit worker_rl; /* the worker's own messages */
} IdeChannel;

/* ---- ata.c: the channel core ---- */

/**
 * ide_channel_init() - set up @ch (zeroed here): lock, the command block
 * (8 ports) and control (1 port) regions owned by @owner, power-on state,
 * and its worker thread. @index: 0 primary, 1 secondary. @irq: the
 * channel's line (thread-safe handler). @dma_as: where DMA goes (NULL: DMA
 * commands fail). Return: 0 or -errno. Main thread.
 */
int ide_channel_init(IdeChannel *ch, MemorySystem *ms, Object *owner,
                     unsigned index, IRQLine *irq, AddressSpace *dma_as)
    __attribute__((warn_unused_result));
/** ide_channel_map_legacy() - add the regions to @io at the given ports. */
void ide_channel_map_legacy(IdeChannel *ch, MemoryRegion *io,
                            uint16_t cmd_port, uint16_t ctl_port);
/**
 * ide_channel_exit() - stop the worker (cancelling a job), unmap and
 * finalise the regions, close the drives, lower the line.
 */
void ide_channel_exit(IdeChannel *ch);
/** ide_channel_reset() - power-on state (cancels a job). Takes the lock. */
void ide_channel_reset(IdeChannel *ch);
/** ide_channel_unplug() - make device @unit absent (cancels its job). */
void ide_channel_unplug(IdeChannel *ch, unsigned unit);
/**
 * ide_set_irq_locked() - device @d raises INTRQ. Caller holds ch->lock;
 * may be the worker.
 */
void ide_set_irq_locked(IdeChannel *ch, struct ide_dev *d);
/** ide_update_irq_locked() - drive the line from the derived level; a
 * rising edge sets the bus master's interrupt bit. */
void ide_update_irq_locked(IdeChannel *ch);
/** ide_dev_present() - a drive is attached and not unplugged. */
bool ide_dev_present(const struct ide_dev *d);
/** ide_pio_in_load_locked() - read the next DRQ block of the current PIO
 * read into ch->buf, set DRQ, interrupt (ERR + UNC on failure). */
void ide_pio_in_load_locked(IdeChannel *ch);
/** ide_pio_out_open_locked() - expect the next DRQ block of a PIO write
 * (interrupt if @irq: not for the first block). */
void ide_pio_out_open_locked(IdeChannel *ch, bool irq);

/* ---- ata_cmd.c: the command set (ch->lock held) ---- */

/** ide_exec_command_locked() - the command register was written with @cmd
 * (the channel is not busy). */
void ide_exec_command_locked(IdeChannel *ch, uint8_t cmd);
/** ide_set_signature() - the ATA disk signature in @d's task file. */
void ide_set_signature(struct ide_dev *d);
/** ide_cmd_ok_locked() - end the command: DRDY, no error, interrupt. */
void ide_cmd_ok_locked(IdeChannel *ch, struct ide_dev *d);
/** ide_cmd_error_locked() - end the command: ERR with @error, interrupt. */
void ide_cmd_error_locked(IdeChannel *ch, struct ide_dev *d, uint8_t error);

/* ---- bmdma.c: bus master and worker (callers hold ch->lock unless
   stated) ---- */

/** ide_worker_start() - create the worker thread. 0 or -errno. */
int ide_worker_start(IdeChannel *ch) __attribute__((warn_unused_result));
/** ide_worker_stop() - cancel a job, stop and join the worker. Unlocked. */
void ide_worker_stop(IdeChannel *ch);
/**
 * ide_job_submit_locked() - hand the current command (ch->lba, remaining,
 * xfer_unit, bm_prd) to the worker as @kind; the device turns BSY.
 */
void ide_job_submit_locked(IdeChannel *ch, enum ide_job_kind kind);
/** ide_dma_try_start_locked() - start the waiting DMA command if the bus
 * master is started and active. */
void ide_dma_try_start_locked(IdeChannel *ch);
/**
 * ide_job_cancel_locked() - cancel the queued or running job and wait
 * (releasing ch->lock meanwhile) until the worker is idle; the job then
 * completes nothing. The caller sets the guest-visible outcome.
 */
void ide_job_cancel_locked(IdeChannel *ch);
/** ide_job_wait_idle() - wait until no job is queued or running.
 * Unlocked. */
void ide_job_wait_idle(IdeChannel *ch);
/** ide_bm_read_locked() - byte @reg (0-7) of the channel's BM registers. */
uint8_t ide_bm_read_locked(IdeChannel *ch, unsigned reg);
/** ide_bm_write_locked() - write byte @reg (0-7). */
void ide_bm_write_locked(IdeChannel *ch, unsigned reg, uint8_t val);
/** ide_bm_reset_locked() - registers to 0 (no job may be running). */
void ide_bm_reset_locked(IdeChannel *ch);

/* ---- drive.c (an IdeDrive is immutable: no lock) ---- */

/** ide_drive_fd() - the image's file descriptor. */
int ide_drive_fd(const IdeDrive *d);
/** ide_drive_read_only() - opened read-only. */
bool ide_drive_read_only(const IdeDrive *d);
/**
 * ide_drive_identify() - the 256 IDENTIFY DEVICE words of @d with the
 * settings of @dev, serial number from @index (0-3), in host order.
 */
void ide_drive_identify(const IdeDrive *d, const struct ide_dev *dev,
                        unsigned index, uint16_t out[256]);
/** ide_drive_pread() - read @count sectors at @lba. 0, -ERANGE, -errno. */
int ide_drive_pread(const IdeDrive *d, void *buf, uint64_t lba,
                    uint32_t count);
/** ide_drive_pwrite() - write @count sectors at @lba. 0, -EROFS,
 * -ERANGE, -errno. */
int ide_drive_pwrite(const IdeDrive *d, const void *buf, uint64_t lba,
                     uint32_t count);
/** ide_drive_rw_bytes() - read or write @len bytes at byte @off inside
 * the disk. 0, -EROFS, -ERANGE, -errno (-EIO at end of file). */
int ide_drive_rw_bytes(const IdeDrive *d, void *buf, uint64_t len,
                       uint64_t off, bool write);

#endif /* XENDM_HW_IDE_INTERNAL_H */
