/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ata.c - the bus-agnostic ATA channel: task-file registers, device
 * selection, device control (nIEN, SRST, HOB), the IRQ line, PIO data
 * transfers through the data port, and the channel's life cycle.
 *
 * Data structure: an IdeChannel holds two device positions (struct
 * ide_dev, each with its own copy of the task file, since both devices
 * latch every register write, and its own status/error/INTRQ), plus the
 * one command the channel is executing (enum ide_xfer) with its PIO
 * buffer of up to 16 sectors. The IRQ line level is derived state:
 * selected device present && INTRQ pending && !nIEN.
 *
 * What the guest sees when the selected device is absent (nothing
 * attached or unplugged): as ATA specifies for a missing device 1, the
 * other device answers register reads, except that status and alternate
 * status read 0; with no device on the channel every register reads 0 (as
 * QEMU answers). Commands to an absent device are ignored.
 *
 * Errors: out-of-range addresses answer ERR + IDNF before any I/O;
 * unsupported commands, read-only disks and bad parameters ERR + ABRT; a
 * failed read of the image ERR + UNC; a failed write ERR + DF + ABRT.
 *
 * The command set itself is in ata_cmd.c.
 *
 * Threading: register accesses run on the device-model thread and take
 * ch->lock; PIO sector I/O is done synchronously under it (pread/pwrite of
 * at most 16 sectors, plus fdatasync when the guest turned the write cache
 * off). DMA and FLUSH CACHE are handed to the channel's
 * worker (bmdma.c), which completes them under the same lock.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hw/ide/internal.h"

bool ide_dev_present(const struct ide_dev *d)
{
    return d->drive && !d->unplugged;
}

static bool channel_busy(const IdeChannel *ch)
{
    for (unsigned i = 0; i < 2; i++) {
        if (ide_dev_present(&ch->dev[i]) &&
            (ch->dev[i].status & ATA_STAT_BSY)) {
            return true;
        }
    }
    return false;
}

void ide_update_irq_locked(IdeChannel *ch)
{
    struct ide_dev *d = &ch->dev[ch->unit];
    bool level = ide_dev_present(d) && d->irq_pending &&
                 !(ch->devctl & ATA_DEVCTL_NIEN);

    if (level != ch->irq_level) {
        ch->irq_level = level;
        /* The bus master's interrupt bit latches the pin's rising edge. */
        if (level) {
            ch->bm_status |= BM_STATUS_INTR;
        }
        irq_set_level(ch->irq, level);
    }
}

void ide_set_irq_locked(IdeChannel *ch, struct ide_dev *d)
{
    d->irq_pending = true;
    ide_update_irq_locked(ch);
}

/* Load the next DRQ block of a PIO read and interrupt. */
void ide_pio_in_load_locked(IdeChannel *ch)
{
    struct ide_dev *d = &ch->dev[ch->xfer_unit];
    uint32_t n = ch->remaining < ch->block ? ch->remaining : ch->block;

    if (ide_drive_pread(d->drive, ch->buf, ch->lba, n) < 0) {
        log_warn_rl(&ch->rl, "%s: read error at sector %llu", ch->name,
                    (unsigned long long)ch->lba);
        ide_cmd_error_locked(ch, d, ATA_ERR_UNC);
        return;
    }
    ch->lba += n;
    ch->remaining -= n;
    ch->buf_pos = 0;
    ch->buf_end = n * IDE_SECTOR_SIZE;
    ch->xfer = IDE_XFER_PIO_IN;
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
    ide_set_irq_locked(ch, d);
}

/* Open the next DRQ block of a PIO write (the first without interrupt). */
void ide_pio_out_open_locked(IdeChannel *ch, bool irq)
{
    struct ide_dev *d = &ch->dev[ch->xfer_unit];
    uint32_t n = ch->remaining < ch->block ? ch->remaining : ch->block;

    ch->buf_pos = 0;
    ch->buf_end = n * IDE_SECTOR_SIZE;
    ch->xfer = IDE_XFER_PIO_OUT;
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
    if (irq) {
        ide_set_irq_locked(ch, d);
    }
}

static void pio_out_block_done(IdeChannel *ch)
{
    struct ide_dev *d = &ch->dev[ch->xfer_unit];
    uint32_t n = ch->buf_end / IDE_SECTOR_SIZE;

    if (ide_drive_pwrite(d->drive, ch->buf, ch->lba, n) < 0 ||
        (!d->write_cache && fdatasync(ide_drive_fd(d->drive)) < 0)) {
        log_warn_rl(&ch->rl, "%s: write error at sector %llu", ch->name,
                    (unsigned long long)ch->lba);
        ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        d->status |= ATA_STAT_DF;    /* the medium failed: device fault */
        return;
    }
    ch->lba += n;
    ch->remaining -= n;
    if (ch->remaining) {
        ide_pio_out_open_locked(ch, true);
    } else {
        ide_cmd_ok_locked(ch, d);
    }
}

static uint16_t data_read_word(IdeChannel *ch)
{
    uint16_t v;

    if (ch->xfer != IDE_XFER_PIO_IN || ch->unit != ch->xfer_unit ||
        ch->buf_pos + 2 > ch->buf_end) {
        return 0xffff;
    }
    v = (uint16_t)(ch->buf[ch->buf_pos] | ch->buf[ch->buf_pos + 1] << 8);
    ch->buf_pos += 2;
    if (ch->buf_pos >= ch->buf_end) {
        struct ide_dev *d = &ch->dev[ch->xfer_unit];

        if (ch->remaining) {
            ide_pio_in_load_locked(ch);
        } else {
            ch->xfer = IDE_XFER_NONE;
            d->status = ATA_STAT_DRDY | ATA_STAT_DSC;
        }
    }
    return v;
}

static void data_write_word(IdeChannel *ch, uint16_t v)
{
    if (ch->xfer != IDE_XFER_PIO_OUT || ch->unit != ch->xfer_unit ||
        ch->buf_pos + 2 > ch->buf_end) {
        return;
    }
    ch->buf[ch->buf_pos] = (uint8_t)v;
    ch->buf[ch->buf_pos + 1] = (uint8_t)(v >> 8);
    ch->buf_pos += 2;
    if (ch->buf_pos >= ch->buf_end) {
        pio_out_block_done(ch);
    }
}

/* Registers 1-6 written: both devices latch, with the previous value kept
   for LBA48's high-order bytes. */
static void tf_write(IdeChannel *ch, unsigned reg, uint8_t val)
{
    ch->devctl &= (uint8_t)~ATA_DEVCTL_HOB;
    for (unsigned i = 0; i < 2; i++) {
        struct ide_dev *d = &ch->dev[i];

        switch (reg) {
        case 1:
            d->hob_feature = d->feature;
            d->feature = val;
            break;
        case 2:
            d->hob_nsector = d->nsector;
            d->nsector = val;
            break;
        case 3:
            d->hob_sector = d->sector;
            d->sector = val;
            break;
        case 4:
            d->hob_lcyl = d->lcyl;
            d->lcyl = val;
            break;
        case 5:
            d->hob_hcyl = d->hcyl;
            d->hcyl = val;
            break;
        case 6:
            d->select = val | 0xa0;
            break;
        }
    }
    if (reg == 6) {
        ch->unit = (val >> 4) & 1;
        ide_update_irq_locked(ch);
    }
}

static uint8_t tf_read(IdeChannel *ch, unsigned reg)
{
    struct ide_dev *sel = &ch->dev[ch->unit];
    struct ide_dev *d = sel;
    bool hob = ch->devctl & ATA_DEVCTL_HOB;

    if (!ide_dev_present(sel)) {
        struct ide_dev *other = &ch->dev[ch->unit ^ 1];

        if (!ide_dev_present(other) || reg == 7) {
            return 0;
        }
        d = other;
    }
    switch (reg) {
    case 1:
        return d->error;
    case 2:
        return hob ? d->hob_nsector : d->nsector;
    case 3:
        return hob ? d->hob_sector : d->sector;
    case 4:
        return hob ? d->hob_lcyl : d->lcyl;
    case 5:
        return hob ? d->hob_hcyl : d->hcyl;
    case 6:
        return d->select;
    default:                         /* 7: status, acknowledges INTRQ */
        d->irq_pending = false;
        ide_update_irq_locked(ch);
        return d->status;
    }
}

static uint8_t alt_status(IdeChannel *ch)
{
    struct ide_dev *d = &ch->dev[ch->unit];

    return ide_dev_present(d) ? d->status : 0;
}

static void devctl_write(IdeChannel *ch, uint8_t val)
{
    uint8_t old = ch->devctl;

    ch->devctl = val;
    if ((val & ATA_DEVCTL_SRST) && !(old & ATA_DEVCTL_SRST)) {
        ide_job_cancel_locked(ch);
        ch->xfer = IDE_XFER_NONE;
        for (unsigned i = 0; i < 2; i++) {
            ch->dev[i].status = ATA_STAT_BSY;
            ch->dev[i].irq_pending = false;
        }
    } else if (!(val & ATA_DEVCTL_SRST) && (old & ATA_DEVCTL_SRST)) {
        for (unsigned i = 0; i < 2; i++) {
            ide_set_signature(&ch->dev[i]);
            ch->dev[i].status = ATA_STAT_DRDY | ATA_STAT_DSC;
            ch->dev[i].error = 0x01;
            ch->dev[i].irq_pending = false;
        }
        ch->unit = 0;
    }
    ide_update_irq_locked(ch);
}

/* ---- MemoryRegionOps: command block (8 ports) and control (1 port) ---- */

static uint64_t cmd_io_read(void *opaque, hwaddr addr, unsigned size)
{
    IdeChannel *ch = opaque;
    uint64_t v = 0;

    pthread_mutex_lock(&ch->lock);
    if (addr == 0) {
        if (size == 4) {
            v = data_read_word(ch);
            v |= (uint64_t)data_read_word(ch) << 16;
        } else {
            v = data_read_word(ch);
            if (size == 1) {
                v &= 0xff;
            }
        }
    } else {
        for (unsigned i = 0; i < size; i++) {
            uint8_t b = addr + i <= 7 ? tf_read(ch, (unsigned)(addr + i))
                                      : 0xff;

            v |= (uint64_t)b << (8 * i);
        }
    }
    pthread_mutex_unlock(&ch->lock);
    return v;
}

static void cmd_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    IdeChannel *ch = opaque;

    pthread_mutex_lock(&ch->lock);
    if (addr == 0) {
        data_write_word(ch, (uint16_t)val);
        if (size == 4) {
            data_write_word(ch, (uint16_t)(val >> 16));
        }
        pthread_mutex_unlock(&ch->lock);
        return;
    }
    for (unsigned i = 0; i < size && addr + i <= 7; i++) {
        unsigned reg = (unsigned)(addr + i);
        uint8_t b = (uint8_t)(val >> (8 * i));

        if (channel_busy(ch)) {
            log_warn_rl(&ch->rl, "%s: write %02x to register %u while busy "
                        "ignored", ch->name, b, reg);
            continue;
        }
        if (reg == 7) {
            ide_exec_command_locked(ch, b);
        } else {
            tf_write(ch, reg, b);
        }
    }
    pthread_mutex_unlock(&ch->lock);
}

static uint64_t ctl_io_read(void *opaque, hwaddr addr, unsigned size)
{
    IdeChannel *ch = opaque;
    uint64_t v;

    pthread_mutex_lock(&ch->lock);
    v = alt_status(ch);
    pthread_mutex_unlock(&ch->lock);
    if (size > 1) {
        v |= ~(uint64_t)0xff & ((size == 4) ? 0xffffffffu : 0xffffu);
    }
    return v;
}

static void ctl_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    IdeChannel *ch = opaque;

    pthread_mutex_lock(&ch->lock);
    devctl_write(ch, (uint8_t)val);
    pthread_mutex_unlock(&ch->lock);
}

static const MemoryRegionOps ide_cmd_ops = {
    .read = cmd_io_read,
    .write = cmd_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static const MemoryRegionOps ide_ctl_ops = {
    .read = ctl_io_read,
    .write = ctl_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

/* ---- Life cycle ---- */

int ide_channel_init(IdeChannel *ch, MemorySystem *ms, Object *owner,
                     unsigned index, IRQLine *irq, AddressSpace *dma_as)
{
    int ret;

    memset(ch, 0, sizeof(*ch));
    ch->index = index;
    ch->name = index ? "ide1" : "ide0";
    ch->irq = irq;
    ch->dma_as = dma_as;
    ret = pthread_mutex_init(&ch->lock, NULL);
    if (ret) {
        return -ret;
    }
    ret = pthread_cond_init(&ch->cond, NULL);
    if (ret) {
        pthread_mutex_destroy(&ch->lock);
        return -ret;
    }
    memory_region_init_io(&ch->cmd_io, ms, owner, &ide_cmd_ops, ch,
                          index ? "ide1-cmd" : "ide0-cmd", 8);
    memory_region_init_io(&ch->ctl_io, ms, owner, &ide_ctl_ops, ch,
                          index ? "ide1-ctl" : "ide0-ctl", 1);
    ide_channel_reset(ch);
    ret = ide_worker_start(ch);
    if (ret < 0) {
        memory_region_finalize(&ch->cmd_io);
        memory_region_finalize(&ch->ctl_io);
        pthread_cond_destroy(&ch->cond);
        pthread_mutex_destroy(&ch->lock);
        return ret;
    }
    return 0;
}

void ide_channel_map_legacy(IdeChannel *ch, MemoryRegion *io,
                            uint16_t cmd_port, uint16_t ctl_port)
{
    MemorySystem *ms = ch->cmd_io.ms;

    memory_region_transaction_begin(ms);
    memory_region_add_subregion(io, cmd_port, &ch->cmd_io);
    memory_region_add_subregion(io, ctl_port, &ch->ctl_io);
    memory_region_transaction_commit(ms);
    ch->io_parent = io;
    ch->mapped = true;
}

void ide_channel_exit(IdeChannel *ch)
{
    ide_worker_stop(ch);
    if (ch->mapped) {
        MemorySystem *ms = ch->cmd_io.ms;

        memory_region_transaction_begin(ms);
        memory_region_del_subregion(ch->io_parent, &ch->cmd_io);
        memory_region_del_subregion(ch->io_parent, &ch->ctl_io);
        memory_region_transaction_commit(ms);
        ch->mapped = false;
    }
    memory_region_finalize(&ch->cmd_io);
    memory_region_finalize(&ch->ctl_io);
    for (unsigned i = 0; i < 2; i++) {
        ide_drive_close(ch->dev[i].drive);
        ch->dev[i].drive = NULL;
    }
    if (ch->irq_level) {
        irq_set_level(ch->irq, 0);
        ch->irq_level = false;
    }
    pthread_cond_destroy(&ch->cond);
    pthread_mutex_destroy(&ch->lock);
}

static void dev_power_on(struct ide_dev *d)
{
    ide_set_signature(d);
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC;
    d->error = 0x01;
    d->irq_pending = false;
    d->mult_count = 0;
    d->xfer_mode = 0;
    d->write_cache = true;
    d->heads = 0;
    d->spt = 0;
}

/* Power-on / PCI reset of the channel. Takes the lock itself. */
void ide_channel_reset(IdeChannel *ch)
{
    pthread_mutex_lock(&ch->lock);
    ide_job_cancel_locked(ch);
    ch->xfer = IDE_XFER_NONE;
    ch->unit = 0;
    ch->devctl = 0;
    for (unsigned i = 0; i < 2; i++) {
        dev_power_on(&ch->dev[i]);
    }
    ide_bm_reset_locked(ch);
    ide_update_irq_locked(ch);
    pthread_mutex_unlock(&ch->lock);
}

void ide_channel_unplug(IdeChannel *ch, unsigned unit)
{
    pthread_mutex_lock(&ch->lock);
    if (ch->dev[unit].drive && !ch->dev[unit].unplugged) {
        if ((ch->xfer == IDE_XFER_JOB || ch->xfer == IDE_XFER_DMA_WAIT) &&
            ch->xfer_unit == unit) {
            ide_job_cancel_locked(ch);
            ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
        }
        if (ch->xfer_unit == unit) {
            ch->xfer = IDE_XFER_NONE;
        }
        ch->dev[unit].unplugged = true;
        ch->dev[unit].irq_pending = false;
        ide_update_irq_locked(ch);
    }
    pthread_mutex_unlock(&ch->lock);
}
