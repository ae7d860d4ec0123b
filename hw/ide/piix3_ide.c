/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix3_ide.c - PIIX3 IDE function 00:01.1 (8086:7010): the PCI glue
 * around two bus-agnostic ATA channels (ata.c) and their bus-master
 * engines (bmdma.c).
 *
 * Data structure: PIIX3IDEState embeds the PCIDevice, BAR4 (16 bytes of
 * I/O: channel 0's bus-master registers at 0-7, channel 1's at 8-15) and
 * the two channels with their legacy port regions. Configuration space is
 * the core's default (0x40-0xff, e.g. the IDE timing registers hvmloader
 * writes, are plain read-write bytes); INTERRUPT_PIN is 0 since legacy mode
 * uses ISA IRQs 14 and 15.
 *
 * Threading: created, reset, unplugged and freed on the device-model
 * thread; the register callbacks take the channel's lock (the channel's
 * worker may be completing a DMA at the same time).
 */
#include <errno.h>
#include <stdlib.h>

#include "hw/ide/internal.h"

/**
 * struct PIIX3IDEState - the IDE function.
 * @pci: the PCI function (must stay first: the core hands it back).
 * @obj: owner of the regions.
 * @bmdma: BAR4.
 * @ch: primary and secondary channel.
 * @io: the I/O space root the legacy ports sit in.
 */
struct PIIX3IDEState {
    PCIDevice pci;
    Object obj;
    MemoryRegion bmdma;
    IdeChannel ch[2];
    MemoryRegion *io;
    bool ch_init[2];
};

static uint64_t bmdma_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX3IDEState *s = opaque;
    IdeChannel *ch = &s->ch[(addr >> 3) & 1];
    uint8_t v;

    pthread_mutex_lock(&ch->lock);
    v = ide_bm_read_locked(ch, (unsigned)(addr & 7));
    pthread_mutex_unlock(&ch->lock);
    return v;
}

static void bmdma_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    PIIX3IDEState *s = opaque;
    IdeChannel *ch = &s->ch[(addr >> 3) & 1];

    pthread_mutex_lock(&ch->lock);
    ide_bm_write_locked(ch, (unsigned)(addr & 7), (uint8_t)val);
    pthread_mutex_unlock(&ch->lock);
}

/* Byte callbacks; the core splits word and dword accesses (little-endian),
   so a dword write of the PRD register lands as four bytes. */
static const MemoryRegionOps bmdma_ops = {
    .read = bmdma_read,
    .write = bmdma_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static bool bus_master_enabled(void *opaque)
{
    PIIX3IDEState *s = opaque;

    return pci_get_word(&s->pci.config[PCI_COMMAND]) & PCI_COMMAND_MASTER;
}

/* PIIX3 PCISTS default: medium DEVSEL timing, fast back-to-back capable
   (read-only bits; QEMU answers the same). */
static void set_pci_status(PIIX3IDEState *s)
{
    uint16_t st = pci_get_word(&s->pci.config[PCI_STATUS]);

    st &= (uint16_t)~(PCI_STATUS_DEVSEL_MASK | PCI_STATUS_FAST_BACK);
    pci_set_word(&s->pci.config[PCI_STATUS],
                 st | PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
}

static void piix3_ide_pci_reset(PCIDevice *d)
{
    PIIX3IDEState *s = pci_device_opaque(d);

    set_pci_status(s);
    piix3_ide_reset(s);
}

static const PCIDeviceInfo piix3_ide_info = {
    .name = "piix3-ide",
    .vendor_id = PIIX3_IDE_VENDOR_ID,
    .device_id = PIIX3_IDE_DEVICE_ID,
    .revision = 0x00,
    .class_id = PIIX3_IDE_CLASS,
    .prog_if = PIIX3_IDE_PROG_IF,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .interrupt_pin = 0,
    .reset = piix3_ide_pci_reset,
};

int piix3_ide_new(const struct piix3_ide_config *cfg, PIIX3IDEState **out)
{
    static const uint16_t cmd_port[2] = { IDE_PRIMARY_CMD_PORT,
                                          IDE_SECONDARY_CMD_PORT };
    static const uint16_t ctl_port[2] = { IDE_PRIMARY_CTL_PORT,
                                          IDE_SECONDARY_CTL_PORT };
    MemorySystem *ms = cfg->bus->ms;
    PIIX3IDEState *s;
    int ret;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    object_init(&s->obj, "piix3-ide", NULL);
    s->io = cfg->io;
    ret = pci_device_init(&s->pci, cfg->bus, cfg->devfn, &piix3_ide_info, s);
    if (ret < 0) {
        free(s);
        return ret;
    }
    set_pci_status(s);
    memory_region_init_io(&s->bmdma, ms, &s->obj, &bmdma_ops, s,
                          "piix3-ide-bmdma", PIIX3_IDE_BMDMA_SIZE);
    ret = pci_register_bar(&s->pci, PIIX3_IDE_BMDMA_BAR,
                           PCI_BASE_ADDRESS_SPACE_IO, &s->bmdma);
    if (ret < 0) {
        goto fail;
    }
    for (unsigned i = 0; i < 2; i++) {
        ret = ide_channel_init(&s->ch[i], ms, &s->obj, i, cfg->irq[i],
                               cfg->dma_as);
        if (ret < 0) {
            goto fail;
        }
        s->ch_init[i] = true;
        s->ch[i].bus_master_enabled = bus_master_enabled;
        s->ch[i].bm_opaque = s;
        ide_channel_map_legacy(&s->ch[i], cfg->io, cmd_port[i], ctl_port[i]);
    }
    *out = s;
    return 0;

fail:
    piix3_ide_free(s);
    return ret;
}

void piix3_ide_free(PIIX3IDEState *s)
{
    if (!s) {
        return;
    }
    for (unsigned i = 0; i < 2; i++) {
        if (s->ch_init[i]) {
            ide_channel_exit(&s->ch[i]);
        }
    }
    pci_device_exit(&s->pci);
    memory_region_finalize(&s->bmdma);
    free(s);
}

int piix3_ide_attach_drive_owned(PIIX3IDEState *s, unsigned index,
                                 IdeDrive *d)
{
    IdeChannel *ch;
    struct ide_dev *dev;

    if (index >= IDE_MAX_DRIVES) {
        ide_drive_close(d);
        return -EINVAL;
    }
    ch = &s->ch[index / 2];
    dev = &ch->dev[index % 2];
    pthread_mutex_lock(&ch->lock);
    if (dev->drive) {
        pthread_mutex_unlock(&ch->lock);
        ide_drive_close(d);
        return -EBUSY;
    }
    dev->drive = d;
    dev->unplugged = false;
    pthread_mutex_unlock(&ch->lock);
    return 0;
}

int piix3_ide_attach_drive(PIIX3IDEState *s, unsigned index, const char *path,
                           bool read_only)
{
    IdeDrive *d;
    int ret;

    if (index >= IDE_MAX_DRIVES) {
        return -EINVAL;
    }
    ret = ide_drive_open(path, read_only, &d);
    if (ret < 0) {
        return ret;
    }
    return piix3_ide_attach_drive_owned(s, index, d);
}

bool piix3_ide_has_drive(PIIX3IDEState *s, unsigned index)
{
    IdeChannel *ch;
    bool ret;

    if (index >= IDE_MAX_DRIVES) {
        return false;
    }
    ch = &s->ch[index / 2];
    pthread_mutex_lock(&ch->lock);
    ret = ide_dev_present(&ch->dev[index % 2]);
    pthread_mutex_unlock(&ch->lock);
    return ret;
}

void piix3_ide_set_dma_delay(PIIX3IDEState *s, uint32_t ms)
{
    for (unsigned i = 0; i < 2; i++) {
        pthread_mutex_lock(&s->ch[i].lock);
        s->ch[i].dma_delay_ms = ms;
        pthread_mutex_unlock(&s->ch[i].lock);
    }
}

void piix3_ide_unplug_disks(PIIX3IDEState *s, bool keep_primary_master)
{
    for (unsigned i = keep_primary_master ? 1 : 0; i < IDE_MAX_DRIVES; i++) {
        ide_channel_unplug(&s->ch[i / 2], i % 2);
    }
}

void piix3_ide_unplug_disks_cb(void *opaque, bool keep_primary_master)
{
    piix3_ide_unplug_disks(opaque, keep_primary_master);
}

void piix3_ide_wait_idle(PIIX3IDEState *s)
{
    for (unsigned i = 0; i < 2; i++) {
        ide_job_wait_idle(&s->ch[i]);
    }
}

void piix3_ide_reset(PIIX3IDEState *s)
{
    for (unsigned i = 0; i < 2; i++) {
        ide_channel_reset(&s->ch[i]);
    }
}

PCIDevice *piix3_ide_pci(PIIX3IDEState *s)
{
    return &s->pci;
}
