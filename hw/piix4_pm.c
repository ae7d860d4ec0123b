/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix4_pm.c - the PIIX4 power-management function (00:01.3): PMBA /
 * PMREGMISC in configuration space and the PM1a event/control block.
 *
 * State: the PCI function, the three PM1a registers, and one 8-byte I/O
 * region mapped in the bus's I/O container (priority 1, like a BAR) at PMBA
 * while PMREGMISC bit 0 is set and PMBA is non-zero. A configuration write
 * touching PMBA or PMREGMISC re-places the region in one transaction.
 * PMBA+8 and up (PM timer, GPE) are not claimed: Xen emulates the timer.
 *
 * S5: a write setting SLP_EN with SLP_TYP 7 (hvmloader's DSDT) or 0
 * (QEMU's) calls platform shutdown(poweroff) synchronously, i.e. before the
 * ioreq completes. Threading: device-model thread.
 */
#include <errno.h>
#include <string.h>

#include "hw/piix.h"

static void pm_update_io(PIIX4PMState *s)
{
    PCIBus *bus = s->pci.bus;
    uint16_t base = pci_get_word(s->pci.config + PIIX4_PMBA) & 0xffc0;
    bool on = s->pci.config[PIIX4_PMREGMISC] & 0x01;
    uint16_t want = on ? base : 0;

    if (!bus || want == s->pm_base)
        return;
    memory_region_transaction_begin(bus->ms);
    if (s->pm_base)
        memory_region_del_subregion(bus->io, &s->pm_mr);
    s->pm_base = want;
    if (want) {
        log_debug("piix4-pm: PM1 block at 0x%x", want);
        memory_region_add_subregion_overlap(bus->io, want, &s->pm_mr, 1);
    }
    memory_region_transaction_commit(bus->ms);
}

static void pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                            unsigned len)
{
    PIIX4PMState *s = pci_device_opaque(d);

    pci_default_write_config(d, addr, val, len);
    if (pci_range_touches(addr, len, PIIX4_PMBA, 4) ||
        pci_range_touches(addr, len, PIIX4_PMREGMISC, 1))
        pm_update_io(s);
}

static void pm_reset(PCIDevice *d)
{
    PIIX4PMState *s = pci_device_opaque(d);

    memset(d->config + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_long(d->config + PIIX4_PMBA, 0x00000001);
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_FAST_BACK |
                 PCI_STATUS_DEVSEL_MEDIUM);
    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->pm1_cnt = PIIX4_PM1_CNT_SCI_EN;
    pm_update_io(s);
}

static const PCIDeviceInfo piix4_pm_info = {
    .name = "piix4-pm",
    .vendor_id = PIIX3_VENDOR_ID,
    .device_id = PIIX4_PM_DEVICE_ID,
    .revision = PIIX4_PM_REVISION,
    .class_id = PIIX4_PM_CLASS,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .interrupt_pin = 1,
    .config_write = pm_config_write,
    .reset = pm_reset,
};

static void pm_sleep(PIIX4PMState *s, unsigned typ)
{
    int ret;

    if (typ != PIIX4_SLP_TYP_S5_XEN && typ != PIIX4_SLP_TYP_S5_QEMU) {
        log_warn_rl(&s->rl, "piix4-pm: sleep type %u unsupported (ignored)",
                    typ);
        return;
    }
    s->poweroff_requests++;
    log_info("piix4-pm: guest entered S5 (SLP_TYP %u): power-off", typ);
    ret = platform_shutdown(s->platform, PLATFORM_SHUTDOWN_POWEROFF);
    if (ret < 0 && ret != -ENOSYS)
        log_warn_rl(&s->rl, "piix4-pm: shutdown(poweroff): %s",
                    strerror(-ret));
}

static uint64_t pm_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX4PMState *s = opaque;
    uint8_t regs[PIIX4_PM_IO_SIZE] = { 0 };
    uint64_t val = 0;

    pci_set_word(regs + PIIX4_PM1_STS, s->pm1_sts);
    pci_set_word(regs + PIIX4_PM1_EN, s->pm1_en);
    pci_set_word(regs + PIIX4_PM1_CNT, s->pm1_cnt);
    for (unsigned i = 0; i < size; i++)
        val |= (uint64_t)(addr + i < PIIX4_PM_IO_SIZE ? regs[addr + i] : 0xff)
               << (8 * i);
    return val;
}

/* Bits of PM1a_EN and PM1a_CNT the guest can set (CNT: SCI_EN, BM_RLD,
 * SLP_TYP; GBL_RLS and SLP_EN are write-only actions). */
#define PM1_EN_MASK 0x0721
#define PM1_CNT_MASK (PIIX4_PM1_CNT_SCI_EN | 0x0002 | PIIX4_PM1_CNT_SLP_TYP_MASK)

static void pm_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIX4PMState *s = opaque;
    uint8_t old[PIIX4_PM_IO_SIZE] = { 0 }, neu[PIIX4_PM_IO_SIZE];
    uint8_t written[PIIX4_PM_IO_SIZE] = { 0 };
    uint16_t cnt_written = 0;
    bool cnt_touched = false;

    pci_set_word(old + PIIX4_PM1_STS, s->pm1_sts);
    pci_set_word(old + PIIX4_PM1_EN, s->pm1_en);
    pci_set_word(old + PIIX4_PM1_CNT, s->pm1_cnt);
    memcpy(neu, old, sizeof(neu));
    for (unsigned i = 0; i < size && addr + i < PIIX4_PM_IO_SIZE; i++) {
        unsigned off = (unsigned)addr + i;
        uint8_t b = (uint8_t)(val >> (8 * i));

        written[off] = 1;
        if (off < PIIX4_PM1_EN)
            neu[off] = old[off] & (uint8_t)~b;           /* W1C */
        else
            neu[off] = b;
        if (off == PIIX4_PM1_CNT || off == PIIX4_PM1_CNT + 1)
            cnt_touched = true;
    }
    s->pm1_sts = pci_get_word(neu + PIIX4_PM1_STS);
    s->pm1_en = pci_get_word(neu + PIIX4_PM1_EN) & PM1_EN_MASK;
    if (cnt_touched) {
        cnt_written = pci_get_word(neu + PIIX4_PM1_CNT);
        s->pm1_cnt = cnt_written & PM1_CNT_MASK;
        if (written[PIIX4_PM1_CNT + 1] && (cnt_written & PIIX4_PM1_CNT_SLP_EN))
            pm_sleep(s, (cnt_written & PIIX4_PM1_CNT_SLP_TYP_MASK) >>
                            PIIX4_PM1_CNT_SLP_TYP_SHIFT);
    }
}

static const MemoryRegionOps pm_ops = {
    .read = pm_read,
    .write = pm_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

int piix4_pm_init(PIIX4PMState *s, MemorySystem *ms, PCIBus *bus, int devfn,
                  const Platform *platform)
{
    int ret;

    if (!s || !ms || !bus)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    s->platform = platform;
    memory_region_init_io(&s->pm_mr, ms, NULL, &pm_ops, s, "piix4-pm1",
                          PIIX4_PM_IO_SIZE);
    ret = pci_device_init(&s->pci, bus, devfn, &piix4_pm_info, s);
    if (ret < 0) {
        memory_region_finalize(&s->pm_mr);
        return ret;
    }
    /* PMBA: bits 15:6 writable (bit 0 reads 1); PMREGMISC: bit 0. Other
     * device-specific bytes stay plain read/write registers. */
    pci_set_long(s->pci.wmask + PIIX4_PMBA, 0x0000ffc0);
    s->pci.wmask[PIIX4_PMREGMISC] = 0x01;
    pm_reset(&s->pci);
    return 0;
}

void piix4_pm_exit(PIIX4PMState *s)
{
    PCIBus *bus = s->pci.bus;

    if (!bus)
        return;
    if (s->pm_base) {
        memory_region_transaction_begin(bus->ms);
        memory_region_del_subregion(bus->io, &s->pm_mr);
        memory_region_transaction_commit(bus->ms);
        s->pm_base = 0;
    }
    pci_device_exit(&s->pci);
    memory_region_finalize(&s->pm_mr);
}
