/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bmdma.c - the PIIX bus-master IDE engine of one channel and the worker
 * thread that does its disk I/O.
 *
 * Registers (8 bytes per channel in BAR4): command (start/stop bit 0,
 * direction bit 3: 1 = the bus master writes memory), status (bit 0
 * active, read-only; bits 1 error and 2 interrupt, write-1-to-clear; bits
 * 5-6 drive DMA capable, read-write) and the PRD table address (dword
 * aligned, bits 1:0 read 0).
 *
 * A DMA command starts when the ATA side has a DMA command waiting
 * (IDE_XFER_DMA_WAIT) and the guest has set the start bit (which sets
 * active), in either order. The device-model thread then fills ch->job
 * and queues it; the channel's worker walks the PRD table in guest memory
 * (one 8-byte entry at a time: 32-bit address, 16-bit byte count with
 * 0 = 64 KiB, EOT in bit 31 of the second dword), maps each region with
 * address_space_map() (a locked DMA mapping of the mapcache on Xen), does
 * pread()/pwrite() straight into / out of it and unmaps it with
 * address_space_unmap(). Mappings are therefore in flight while the ioreq
 * thread keeps serving the guest.
 *
 * Hostile tables: the walk stops at the command's length (a longer chain
 * is not read further and active stays set, as on PIIX), at EOT (too short
 * a chain is an error), after IDE_PRD_MAX_ENTRIES entries (a looping
 * chain), at a PRD fetch or region that cannot be mapped (not RAM, or
 * RAM the mapcache cannot map) — errors set the bus-master error bit and
 * abort the ATA command (ERR, ABRT). Only RAM holds PRD tables and DMA
 * buffers: anything else fails rather than calling another device's
 * callbacks from the worker thread (peer-to-peer DMA is not modelled; a
 * BAR moved over the buffer between the check and the map is the one
 * window left, and it only makes the map bounce).
 *
 * Completion: the worker takes ch->lock and completes the command itself
 * (ATA status, bus-master status: interrupt set, active cleared when the
 * last entry with EOT was used up exactly or on error), raising the IRQ
 * line from the worker thread — hence the thread-safe line requirement in
 * ide.h. A cancel (SRST, bus-master stop, reset, unplug, exit) sets
 * ch->job_cancel, which the worker checks between regions, and waits on
 * ch->cond until the worker is idle; a cancelled job completes nothing.
 */
#include <errno.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "hw/ide/internal.h"

static bool job_cancelled(IdeChannel *ch)
{
    return __atomic_load_n(&ch->job_cancel, __ATOMIC_ACQUIRE);
}

/* Is [@addr, @addr + @len) of @as RAM (so that accessing it runs no
   device callback on this thread)? */
static bool is_ram(AddressSpace *as, hwaddr addr, hwaddr len, bool is_write)
{
    FlatView *fv = address_space_get_flatview(as);
    hwaddr xlat, l = len;
    MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l, is_write,
                                               MEMTXATTRS_UNSPECIFIED);
    bool ram = memory_region_is_ram(mr) && !memory_region_is_ram_device(mr) &&
               l >= len;

    flatview_unref(fv);
    return ram;
}

/*
 * Debug knob (piix3_ide_set_dma_delay()): keep the mapping in flight for
 * job->delay_ms before the disk I/O, waking every 10 ms to honour a
 * cancel, so that tests and demos can give memory back under a DMA.
 */
static void hold_mapping(IdeChannel *ch, const struct ide_job *job)
{
    for (uint32_t waited = 0; waited < job->delay_ms && !job_cancelled(ch);
         waited += 10) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };

        nanosleep(&ts, NULL);
    }
}

/* Transfer @len bytes between the disk at job->offset + job->done and
   guest memory at @addr. */
static int dma_region(IdeChannel *ch, struct ide_job *job, hwaddr addr,
                      uint64_t len)
{
    bool to_mem = job->kind == IDE_JOB_DMA_READ;

    while (len) {
        hwaddr l = len;
        void *p;
        int ret;

        if (job_cancelled(ch)) {
            return -ECANCELED;
        }
        if (!is_ram(job->as, addr, 1, to_mem)) {
            log_warn_rl(&ch->worker_rl, "%s: DMA to 0x%llx, not RAM",
                        ch->name, (unsigned long long)addr);
            return -EFAULT;
        }
        p = address_space_map(job->as, addr, &l, to_mem,
                              MEMTXATTRS_UNSPECIFIED);
        if (!p || l == 0) {
            if (p) {
                address_space_unmap(job->as, p, l, to_mem, 0);
            }
            log_warn_rl(&ch->worker_rl, "%s: DMA to 0x%llx unmappable",
                        ch->name, (unsigned long long)addr);
            return -EFAULT;
        }
        if (l > len) {
            l = len;
        }
        hold_mapping(ch, job);
        ret = ide_drive_rw_bytes(job->drive, p, l, job->offset + job->done,
                                 !to_mem);
        address_space_unmap(job->as, p, l, to_mem, to_mem ? l : 0);
        if (ret < 0) {
            log_warn_rl(&ch->worker_rl, "%s: disk I/O error at %llu: %s",
                        ch->name,
                        (unsigned long long)(job->offset + job->done),
                        strerror(-ret));
            return -EIO;
        }
        job->done += l;
        addr += l;
        len -= l;
    }
    return 0;
}

/* Fetch PRD entry @i of the table: 0, or -EFAULT if it is not in RAM. */
static int prd_fetch(struct ide_job *job, hwaddr table, unsigned i,
                     uint32_t *addr, uint32_t *ctl)
{
    hwaddr at = table + 8ull * i;
    uint8_t e[8];

    if (!is_ram(job->as, at, 8, false) ||
        address_space_read(job->as, at, MEMTXATTRS_UNSPECIFIED, e, 8) !=
            MEMTX_OK) {
        return -EFAULT;
    }
    *addr = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
            (uint32_t)e[3] << 24;
    *ctl = (uint32_t)e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 |
           (uint32_t)e[7] << 24;
    return 0;
}

static void run_dma(IdeChannel *ch, struct ide_job *job)
{
    hwaddr table = job->prd & ~(hwaddr)3;

    for (unsigned i = 0;; i++) {
        uint32_t addr, ctl, len;
        uint64_t want;

        if (job->done == job->bytes) {
            return;                  /* longer chain: stop at the length */
        }
        if (i == IDE_PRD_MAX_ENTRIES) {
            log_warn_rl(&ch->worker_rl, "%s: PRD table at 0x%x: no EOT "
                        "in %u entries", ch->name, job->prd,
                        IDE_PRD_MAX_ENTRIES);
            job->err = -E2BIG;
            return;
        }
        if (prd_fetch(job, table, i, &addr, &ctl) < 0) {
            log_warn_rl(&ch->worker_rl, "%s: PRD entry at 0x%llx "
                        "unreadable", ch->name,
                        (unsigned long long)(table + 8ull * i));
            job->err = -EFAULT;
            return;
        }
        len = ctl & 0xfffe;
        if (len == 0) {
            len = 0x10000;
        }
        want = job->bytes - job->done;
        if (want > len) {
            want = len;
        }
        job->err = dma_region(ch, job, addr & ~1u, want);
        if (job->err) {
            return;
        }
        if (ctl & 0x80000000u) {
            if (job->done < job->bytes) {
                log_warn_rl(&ch->worker_rl, "%s: PRD table %llu bytes "
                            "short", ch->name,
                            (unsigned long long)(job->bytes - job->done));
                job->err = -ENOSPC;
            } else {
                job->eot = want == len;
            }
            return;
        }
    }
}

static void run_job(IdeChannel *ch, struct ide_job *job)
{
    job->err = 0;
    job->done = 0;
    job->eot = false;
    if (job->kind == IDE_JOB_FLUSH) {
        if (fdatasync(ide_drive_fd(job->drive)) < 0) {
            job->err = -EIO;
        }
        return;
    }
    run_dma(ch, job);
    if (!job->err && job->sync && job->kind == IDE_JOB_DMA_WRITE &&
        fdatasync(ide_drive_fd(job->drive)) < 0) {
        job->err = -EIO;
    }
}

/* Complete the channel's job (caller holds the lock, job not cancelled). */
static void job_complete_locked(IdeChannel *ch)
{
    struct ide_dev *d = &ch->dev[ch->xfer_unit];
    const struct ide_job *job = &ch->job;

    ch->xfer = IDE_XFER_NONE;
    if (job->kind == IDE_JOB_FLUSH) {
        d->status = ATA_STAT_DRDY | ATA_STAT_DSC |
                    (job->err ? ATA_STAT_ERR : 0);
        d->error = job->err ? ATA_ERR_ABRT : 0;
    } else if (!job->err) {
        d->status = ATA_STAT_DRDY | ATA_STAT_DSC;
        d->error = 0;
        ch->lba += ch->remaining;
        ch->remaining = 0;
        if (job->eot) {
            ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
        }
    } else {
        d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_ERR;
        if (job->err == -EIO && job->kind == IDE_JOB_DMA_READ) {
            d->error = ATA_ERR_UNC;
        } else if (job->err == -EIO) {
            d->status |= ATA_STAT_DF;
            d->error = ATA_ERR_ABRT;
        } else {
            d->error = ATA_ERR_ABRT;
            ch->bm_status |= BM_STATUS_ERROR;
        }
        ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
    }
    ide_set_irq_locked(ch, d);
}

static void *worker_main(void *opaque)
{
    IdeChannel *ch = opaque;

    pthread_mutex_lock(&ch->lock);
    for (;;) {
        struct ide_job job;

        while (!ch->quit && ch->job_state != IDE_JOB_QUEUED) {
            pthread_cond_wait(&ch->cond, &ch->lock);
        }
        if (ch->quit) {
            break;
        }
        ch->job_state = IDE_JOB_RUNNING;
        job = ch->job;
        pthread_mutex_unlock(&ch->lock);

        run_job(ch, &job);

        pthread_mutex_lock(&ch->lock);
        ch->jobs_done++;
        if (!ch->job_cancel) {
            ch->job = job;
            job_complete_locked(ch);
        }
        ch->job_state = IDE_JOB_IDLE;
        pthread_cond_broadcast(&ch->cond);
    }
    pthread_mutex_unlock(&ch->lock);
    return NULL;
}

int ide_worker_start(IdeChannel *ch)
{
    int ret = pthread_create(&ch->thread, NULL, worker_main, ch);

    if (ret) {
        log_err("%s: cannot start the I/O worker: %s", ch->name,
                strerror(ret));
        return -ret;
    }
    ch->thread_started = true;
    return 0;
}

void ide_worker_stop(IdeChannel *ch)
{
    if (!ch->thread_started) {
        return;
    }
    pthread_mutex_lock(&ch->lock);
    ide_job_cancel_locked(ch);
    ch->quit = true;
    pthread_cond_broadcast(&ch->cond);
    pthread_mutex_unlock(&ch->lock);
    pthread_join(ch->thread, NULL);
    ch->thread_started = false;
}

void ide_job_submit_locked(IdeChannel *ch, enum ide_job_kind kind)
{
    struct ide_dev *d = &ch->dev[ch->xfer_unit];

    memset(&ch->job, 0, sizeof(ch->job));
    ch->job.kind = kind;
    ch->job.drive = d->drive;
    ch->job.sync = !d->write_cache;
    ch->job.offset = ch->lba * IDE_SECTOR_SIZE;
    ch->job.bytes = (uint64_t)ch->remaining * IDE_SECTOR_SIZE;
    ch->job.prd = ch->bm_prd;
    ch->job.as = ch->dma_as;
    ch->job.delay_ms = ch->dma_delay_ms;
    ch->xfer = IDE_XFER_JOB;
    d->status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
    __atomic_store_n(&ch->job_cancel, false, __ATOMIC_RELEASE);
    ch->job_state = IDE_JOB_QUEUED;
    pthread_cond_broadcast(&ch->cond);
}

void ide_dma_try_start_locked(IdeChannel *ch)
{
    if (ch->xfer != IDE_XFER_DMA_WAIT || !(ch->bm_cmd & BM_CMD_START) ||
        !(ch->bm_status & BM_STATUS_ACTIVE)) {
        return;
    }
    if (!ch->dma_as || (ch->bus_master_enabled &&
                        !ch->bus_master_enabled(ch->bm_opaque))) {
        /* No bus mastering: the transfer fails at its first access. */
        log_warn_rl(&ch->rl, "%s: DMA with bus mastering disabled",
                    ch->name);
        memset(&ch->job, 0, sizeof(ch->job));
        ch->job.kind = IDE_JOB_DMA_READ;
        ch->job.err = -EFAULT;
        job_complete_locked(ch);
        return;
    }
    ide_job_submit_locked(ch, ch->cmd == 0xca || ch->cmd == 0xcb ||
                                      ch->cmd == 0x35
                                  ? IDE_JOB_DMA_WRITE : IDE_JOB_DMA_READ);
}

void ide_job_cancel_locked(IdeChannel *ch)
{
    if (ch->job_state == IDE_JOB_IDLE) {
        return;
    }
    __atomic_store_n(&ch->job_cancel, true, __ATOMIC_RELEASE);
    while (ch->job_state != IDE_JOB_IDLE) {
        if (ch->job_state == IDE_JOB_QUEUED) {
            ch->job_state = IDE_JOB_IDLE;   /* the worker never took it */
            break;
        }
        pthread_cond_wait(&ch->cond, &ch->lock);
    }
    __atomic_store_n(&ch->job_cancel, false, __ATOMIC_RELEASE);
}

void ide_job_wait_idle(IdeChannel *ch)
{
    pthread_mutex_lock(&ch->lock);
    while (ch->job_state != IDE_JOB_IDLE) {
        pthread_cond_wait(&ch->cond, &ch->lock);
    }
    pthread_mutex_unlock(&ch->lock);
}

/* ---- Registers ---- */

uint8_t ide_bm_read_locked(IdeChannel *ch, unsigned reg)
{
    switch (reg) {
    case BM_REG_CMD:
        return ch->bm_cmd;
    case BM_REG_STATUS:
        return ch->bm_status;
    case BM_REG_PRD: case BM_REG_PRD + 1: case BM_REG_PRD + 2:
    case BM_REG_PRD + 3:
        return (uint8_t)(ch->bm_prd >> (8 * (reg - BM_REG_PRD)));
    default:
        return 0;
    }
}

static void bm_cmd_write(IdeChannel *ch, uint8_t val)
{
    uint8_t old = ch->bm_cmd;

    val &= BM_CMD_START | BM_CMD_WRITE_TO_MEM;
    if ((old & BM_CMD_START) && (val & BM_CMD_START)) {
        /* The direction may not change while the engine runs. */
        val = (uint8_t)((val & BM_CMD_START) | (old & BM_CMD_WRITE_TO_MEM));
    }
    ch->bm_cmd = val;
    if (!(old & BM_CMD_START) && (val & BM_CMD_START)) {
        ch->bm_status |= BM_STATUS_ACTIVE;
        ide_dma_try_start_locked(ch);
    } else if ((old & BM_CMD_START) && !(val & BM_CMD_START)) {
        if (ch->xfer == IDE_XFER_JOB && ch->job.kind != IDE_JOB_FLUSH) {
            /* Stopped mid-transfer: the data phase is cut short. */
            struct ide_dev *d = &ch->dev[ch->xfer_unit];

            log_warn_rl(&ch->rl, "%s: bus master stopped during DMA",
                        ch->name);
            ide_job_cancel_locked(ch);
            ch->xfer = IDE_XFER_NONE;
            d->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_ERR;
            d->error = ATA_ERR_ABRT;
        }
        ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
    }
}

void ide_bm_write_locked(IdeChannel *ch, unsigned reg, uint8_t val)
{
    switch (reg) {
    case BM_REG_CMD:
        bm_cmd_write(ch, val);
        break;
    case BM_REG_STATUS:
        ch->bm_status = (uint8_t)(
            (ch->bm_status & BM_STATUS_ACTIVE) |
            (ch->bm_status & ~val & (BM_STATUS_ERROR | BM_STATUS_INTR)) |
            (val & (BM_STATUS_DRV0_DMA | BM_STATUS_DRV1_DMA)));
        break;
    case BM_REG_PRD: case BM_REG_PRD + 1: case BM_REG_PRD + 2:
    case BM_REG_PRD + 3: {
        unsigned shift = 8 * (reg - BM_REG_PRD);

        ch->bm_prd = (ch->bm_prd & ~(0xffu << shift)) |
                     ((uint32_t)val << shift);
        ch->bm_prd &= ~3u;
        break;
    }
    default:
        break;
    }
}

void ide_bm_reset_locked(IdeChannel *ch)
{
    ch->bm_cmd = 0;
    ch->bm_status = 0;
    ch->bm_prd = 0;
}
