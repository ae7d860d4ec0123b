/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ata_cmd.c - the ATA command set of a channel: address decoding (LBA28,
 * LBA48, CHS) with range checks, IDENTIFY DEVICE, READ/WRITE SECTORS and
 * MULTIPLE (PIO), READ/WRITE DMA (handed to the bus master, bmdma.c),
 * FLUSH CACHE (worker), SET FEATURES, SET MULTIPLE, EXECUTE DEVICE
 * DIAGNOSTIC and the small housekeeping commands; everything else aborts.
 *
 * Every function here runs with ch->lock held, on the device-model thread,
 * called from the command register write in ata.c.
 */
#include <errno.h>
#include <string.h>

#include "hw/ide/internal.h"

void ide_set_signature(struct ide_dev *d)
{
    d->nsector = d->hob_nsector = 1;
    d->sector = d->hob_sector = 1;
    d->lcyl = d->hob_lcyl = 0;
    d->hcyl = d->hob_hcyl = 0;
    d->feature = d->hob_feature = 0;
    d->select = 0;
}

void ide_cmd_ok_locked(IdeChannel *ch, struct ide_dev *d)
{
    ch->xfer = IDE_XFER_NONE;
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC;
    d->error = 0;
    ide_set_irq_locked(ch, d);
}

void ide_cmd_error_locked(IdeChannel *ch, struct ide_dev *d,
                          uint8_t error)
{
    ch->xfer = IDE_XFER_NONE;
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_ERR;
    d->error = error;
    ide_set_irq_locked(ch, d);
}

/*
 * Decode the address and count of a read/write command from the task
 * file. Return: 0, or -ERANGE / -EINVAL (the caller answers IDNF).
 */
static int tf_range(struct ide_dev *d, bool lba48, uint64_t *lba,
                    uint32_t *count)
{
    uint64_t total = ide_drive_sectors(d->drive);

    if (lba48) {
        *count = (uint32_t)d->hob_nsector << 8 | d->nsector;
        if (*count == 0) {
            *count = 65536;
        }
        *lba = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_sector << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
    } else {
        *count = d->nsector ? d->nsector : 256;
        if (d->select & ATA_DEV_LBA) {
            *lba = (uint64_t)(d->select & 0x0f) << 24 |
                   (uint64_t)d->hcyl << 16 | (uint64_t)d->lcyl << 8 |
                   d->sector;
        } else {
            unsigned heads = d->heads ? d->heads : 16;
            unsigned spt = d->spt ? d->spt : 63;
            unsigned cyl = (unsigned)d->hcyl << 8 | d->lcyl;
            unsigned head = d->select & 0x0f;

            if (d->sector == 0 || d->sector > spt || head >= heads) {
                return -EINVAL;
            }
            *lba = ((uint64_t)cyl * heads + head) * spt + d->sector - 1;
        }
    }
    if (*lba >= total || *count > total - *lba) {
        return -ERANGE;
    }
    return 0;
}

static void cmd_identify(IdeChannel *ch, struct ide_dev *d)
{
    uint16_t w[256];
    unsigned index = ch->index * 2 + ch->xfer_unit;

    ide_drive_identify(d->drive, d, index, w);
    for (unsigned i = 0; i < 256; i++) {
        ch->buf[2 * i] = (uint8_t)w[i];
        ch->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    ch->remaining = 0;
    ch->buf_pos = 0;
    ch->buf_end = IDE_SECTOR_SIZE;
    ch->xfer = IDE_XFER_PIO_IN;
    d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
    ide_set_irq_locked(ch, d);
}

/* READ/WRITE SECTORS/MULTIPLE (EXT) and READ/WRITE DMA (EXT). */
static void cmd_rw(IdeChannel *ch, struct ide_dev *d, bool lba48,
                   bool write, bool dma, uint32_t block)
{
    uint64_t lba;
    uint32_t count;

    if (write && ide_drive_read_only(d->drive)) {
        ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        return;
    }
    if (tf_range(d, lba48, &lba, &count) < 0) {
        log_debug("%s: command %02x outside the disk", ch->name, ch->cmd);
        ide_cmd_error_locked(ch, d, ATA_ERR_IDNF);
        return;
    }
    ch->lba = lba;
    ch->remaining = count;
    ch->block = block;
    if (dma) {
        ch->xfer = IDE_XFER_DMA_WAIT;
        d->status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
        ide_dma_try_start_locked(ch);
    } else if (write) {
        ide_pio_out_open_locked(ch, false);
    } else {
        ide_pio_in_load_locked(ch);
    }
}

static void cmd_set_features(IdeChannel *ch, struct ide_dev *d)
{
    uint8_t mode = d->nsector;

    switch (d->feature) {
    case 0x02:                       /* enable write cache */
        d->write_cache = true;
        break;
    case 0x82:                       /* disable write cache */
        d->write_cache = false;
        break;
    case 0x03:                       /* set transfer mode */
        if (mode <= 0x01 || (mode >= 0x08 && mode <= 0x0c) ||
            (mode >= 0x20 && mode <= 0x22) || (mode >= 0x40 && mode <= 0x45)) {
            d->xfer_mode = mode;
            break;
        }
        ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        return;
    case 0x55: case 0xaa:            /* read look-ahead off / on */
    case 0x66: case 0xcc:            /* reverting to defaults off / on */
        break;
    default:
        ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        return;
    }
    ide_cmd_ok_locked(ch, d);
}

static void cmd_diagnostic(IdeChannel *ch)
{
    ch->xfer = IDE_XFER_NONE;
    for (unsigned i = 0; i < 2; i++) {
        struct ide_dev *d = &ch->dev[i];

        if (ide_dev_present(d)) {
            ide_set_signature(d);
            d->status = ATA_STAT_DRDY | ATA_STAT_DSC;
            d->error = 0x01;         /* device 0 passed, device 1 passed
                                        or absent */
            d->irq_pending = false;
        }
    }
    ch->unit = 0;
    if (ide_dev_present(&ch->dev[0])) {
        ide_set_irq_locked(ch, &ch->dev[0]);
    } else {
        ide_update_irq_locked(ch);
    }
}

static void native_max(struct ide_dev *d, bool lba48)
{
    uint64_t max = ide_drive_sectors(d->drive) - 1;

    if (!lba48 && max > 0x0fffffff) {
        max = 0x0fffffff;
    }
    d->sector = (uint8_t)max;
    d->lcyl = (uint8_t)(max >> 8);
    d->hcyl = (uint8_t)(max >> 16);
    if (lba48) {
        d->hob_sector = (uint8_t)(max >> 24);
        d->hob_lcyl = (uint8_t)(max >> 32);
        d->hob_hcyl = (uint8_t)(max >> 40);
    } else {
        d->select = (uint8_t)((d->select & 0xf0) | ((max >> 24) & 0x0f));
    }
}

void ide_exec_command_locked(IdeChannel *ch, uint8_t cmd)
{
    struct ide_dev *d = &ch->dev[ch->unit];
    uint64_t lba;
    uint32_t count;

    if (cmd == 0x90) {               /* EXECUTE DEVICE DIAGNOSTIC: both */
        cmd_diagnostic(ch);
        return;
    }
    if (!ide_dev_present(d)) {
        return;
    }
    /* A new command ends a PIO transfer the host abandoned. */
    ch->xfer = IDE_XFER_NONE;
    ch->xfer_unit = ch->unit;
    ch->cmd = cmd;
    d->irq_pending = false;
    ide_update_irq_locked(ch);

    switch (cmd) {
    case 0xec:                       /* IDENTIFY DEVICE */
        cmd_identify(ch, d);
        break;
    case 0x20: case 0x21:            /* READ SECTORS */
        cmd_rw(ch, d, false, false, false, 1);
        break;
    case 0x24:                       /* READ SECTORS EXT */
        cmd_rw(ch, d, true, false, false, 1);
        break;
    case 0xc4: case 0x29:            /* READ MULTIPLE (EXT) */
    case 0xc5: case 0x39:            /* WRITE MULTIPLE (EXT) */
        if (!d->mult_count) {
            ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
            break;
        }
        cmd_rw(ch, d, cmd == 0x29 || cmd == 0x39, cmd == 0xc5 || cmd == 0x39,
               false, d->mult_count);
        break;
    case 0x30: case 0x31:            /* WRITE SECTORS */
        cmd_rw(ch, d, false, true, false, 1);
        break;
    case 0x34:                       /* WRITE SECTORS EXT */
        cmd_rw(ch, d, true, true, false, 1);
        break;
    case 0xc8: case 0xc9:            /* READ DMA */
        cmd_rw(ch, d, false, false, true, 0);
        break;
    case 0x25:                       /* READ DMA EXT */
        cmd_rw(ch, d, true, false, true, 0);
        break;
    case 0xca: case 0xcb:            /* WRITE DMA */
        cmd_rw(ch, d, false, true, true, 0);
        break;
    case 0x35:                       /* WRITE DMA EXT */
        cmd_rw(ch, d, true, true, true, 0);
        break;
    case 0x40: case 0x41: case 0x42: /* READ VERIFY SECTORS (EXT) */
        if (tf_range(d, cmd == 0x42, &lba, &count) < 0) {
            ide_cmd_error_locked(ch, d, ATA_ERR_IDNF);
        } else {
            ide_cmd_ok_locked(ch, d);
        }
        break;
    case 0xe7: case 0xea:            /* FLUSH CACHE (EXT) */
        ide_job_submit_locked(ch, IDE_JOB_FLUSH);
        break;
    case 0xef:
        cmd_set_features(ch, d);
        break;
    case 0xc6:                       /* SET MULTIPLE MODE */
        if (d->nsector > IDE_MAX_MULTIPLE ||
            (d->nsector & (d->nsector - 1))) {
            ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        } else {
            d->mult_count = d->nsector;
            ide_cmd_ok_locked(ch, d);
        }
        break;
    case 0x91:                       /* INITIALIZE DEVICE PARAMETERS */
        if (d->nsector == 0) {
            ide_cmd_error_locked(ch, d, ATA_ERR_ABRT);
        } else {
            d->spt = d->nsector;
            d->heads = (uint16_t)((d->select & 0x0f) + 1);
            ide_cmd_ok_locked(ch, d);
        }
        break;
    case 0xf8:                       /* READ NATIVE MAX ADDRESS */
    case 0x27:                       /* ... EXT */
        native_max(d, cmd == 0x27);
        ide_cmd_ok_locked(ch, d);
        break;
    case 0xe5: case 0x98:            /* CHECK POWER MODE: active */
        d->nsector = 0xff;
        ide_cmd_ok_locked(ch, d);
        break;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: /* standby / idle */
    case 0x94: case 0x95: case 0x96: case 0x97:
        ide_cmd_ok_locked(ch, d);
        break;
    default:
        if ((cmd & 0xf0) == 0x10 || (cmd & 0xf0) == 0x70) {
            ide_cmd_ok_locked(ch, d);     /* RECALIBRATE, SEEK */
            break;
        }
        log_debug("%s: unsupported command %02x", ch->name, cmd);
        ide_cmd_error_locked(ch, d, ATA_ERR_ABRT); /* NOP, PACKET, ... */
        break;
    }
}

