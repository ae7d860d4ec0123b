/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci.c - the PCI core: bus 0, type-0 configuration space, BARs,
 * capabilities and INTx.
 *
 * Data structures: a PCIBus has a 256-entry devfn table of PCIDevice
 * pointers (devices embed their PCIDevice). Each PCIDevice carries its
 * 256 configuration bytes with two masks per byte: wmask (bits the guest
 * may change) and w1cmask (bits a guest 1 clears). A guest write computes
 *     new = (old & ~wmask) | (val & wmask);  new &= ~(val & w1cmask)
 * byte by byte, so sub-dword and unaligned accesses need no special case.
 *
 * BARs: each implemented BAR has its region, size and type; its address is
 * recomputed from the configuration bytes and COMMAND after every write
 * that touches COMMAND or a BAR (pci_update_mappings), and the region is
 * moved in one memory transaction. Rules (decided here, see
 * docs/chipset.md): decoding off, address 0, an I/O BAR reaching past
 * 0xffff, a 32-bit BAR reaching 0xffffffff (the all-ones sizing pattern)
 * or a 64-bit BAR wrapping are unmapped. Mapped BARs sit at priority 1 in
 * the bus containers; BARs overlapping each other resolve by the memory
 * API's rule (equal priority: the region mapped last wins). What a BAR
 * covers in the whole address space (RAM, fixed ports) is decided by the
 * machine's placement of the bus containers (hw/xenfv.c).
 *
 * INTx: a device's requested level (irq_state) counts towards its (slot,
 * pin) line unless COMMAND.INTX_DISABLE; the bus keeps a count per line and
 * calls set_pci_intx_level on 0 <-> 1 transitions. All of it is under the
 * bus irq_lock so pci_set_irq() may come from worker threads;
 * STATUS.INTERRUPT is computed from irq_state at read time.
 *
 * Threading: everything but pci_set_irq() runs on the device-model thread.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hw/pci.h"

/* Bound on capability list walks (a list cannot be longer in 192 bytes). */
#define PCI_CAP_WALK_MAX 48

int pci_bus_init(PCIBus *bus, MemorySystem *ms, MemoryRegion *mem,
                 MemoryRegion *io, const Platform *platform)
{
    int ret;

    if (!bus || !ms || !mem || !io)
        return -EINVAL;
    memset(bus, 0, sizeof(*bus));
    bus->ms = ms;
    bus->mem = mem;
    bus->io = io;
    bus->platform = platform;
    bus->bus_num = 0;
    ret = pthread_mutex_init(&bus->irq_lock, NULL);
    return -ret;
}

void pci_bus_exit(PCIBus *bus)
{
    for (unsigned i = 0; i < 256; i++)
        if (bus->devices[i])
            log_err("pci: bus exit with %02x.%u still present",
                    PCI_SLOT(i), PCI_FUNC(i));
    pthread_mutex_destroy(&bus->irq_lock);
}

void pci_bus_set_default_subsystem(PCIBus *bus, uint16_t ssvid, uint16_t ssid)
{
    bus->default_ssvid = ssvid;
    bus->default_ssid = ssid;
}

PCIDevice *pci_bus_find_device(PCIBus *bus, uint8_t devfn)
{
    return bus->devices[devfn];
}

int pci_bus_find_free_slot(PCIBus *bus, unsigned first_slot)
{
    for (unsigned slot = first_slot; slot < 32; slot++) {
        bool used = false;

        for (unsigned fn = 0; fn < 8; fn++)
            if (bus->devices[PCI_DEVFN(slot, fn)])
                used = true;
        if (!used)
            return PCI_DEVFN(slot, 0);
    }
    return -ENOSPC;
}

void pci_bus_reset(PCIBus *bus)
{
    for (unsigned i = 0; i < 256; i++)
        if (bus->devices[i])
            pci_device_reset(bus->devices[i]);
}

unsigned pci_intx_to_pirq_link(unsigned slot, unsigned pin)
{
    return (slot + pin) & 3;
}

/* ------------------------------------------------------------------ */
/* INTx                                                                 */
/* ------------------------------------------------------------------ */

/* Re-evaluate whether @d asserts its line. Caller holds bus->irq_lock. */
static void pci_intx_update_locked(PCIDevice *d)
{
    PCIBus *bus = d->bus;
    unsigned pin = d->info->interrupt_pin;
    unsigned slot = PCI_SLOT(d->devfn);
    unsigned *count;
    bool want;
    int ret = 0;

    if (pin < 1 || pin > 4)
        return;
    want = d->irq_state &&
           !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
    if (want == d->intx_asserted)
        return;
    d->intx_asserted = want;
    log_trace("pci: %s INT%c %s (slot %u -> PIRQ%c)", d->info->name,
              'A' + pin - 1, want ? "asserted" : "deasserted", slot,
              'A' + pci_intx_to_pirq_link(slot, pin - 1));
    count = &bus->intx_count[slot][pin - 1];
    if (want) {
        if ((*count)++ == 0)
            ret = platform_set_pci_intx_level(bus->platform, 0, bus->bus_num,
                                              (uint8_t)slot,
                                              (uint8_t)(pin - 1), 1);
    } else {
        assert(*count > 0);
        if (--(*count) == 0)
            ret = platform_set_pci_intx_level(bus->platform, 0, bus->bus_num,
                                              (uint8_t)slot,
                                              (uint8_t)(pin - 1), 0);
    }
    if (ret < 0 && ret != -ENOSYS)
        log_warn_rl(&bus->rl, "pci: set_pci_intx_level(slot %u, INT%c): %s",
                    slot, 'A' + pin - 1, strerror(-ret));
}

void pci_set_irq(PCIDevice *d, int level)
{
    PCIBus *bus = d->bus;

    if (!bus)
        return;
    pthread_mutex_lock(&bus->irq_lock);
    __atomic_store_n(&d->irq_state, level ? 1 : 0, __ATOMIC_RELAXED);
    pci_intx_update_locked(d);
    pthread_mutex_unlock(&bus->irq_lock);
}

/* ------------------------------------------------------------------ */
/* BARs                                                                 */
/* ------------------------------------------------------------------ */

static uint32_t pci_bar_reg(int n)
{
    return PCI_BASE_ADDRESS_0 + 4 * (uint32_t)n;
}

/* Where BAR @n decodes now, from COMMAND and the BAR bytes. */
static uint64_t pci_bar_address(const PCIDevice *d, int n)
{
    const PCIIORegion *bar = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    const uint8_t *reg = d->config + pci_bar_reg(n);
    uint64_t addr, last;

    if (!bar->mr)
        return PCI_BAR_UNMAPPED;
    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        addr = pci_get_long(reg) & PCI_BASE_ADDRESS_IO_MASK & ~(bar->size - 1);
        last = addr + bar->size - 1;
        if (addr == 0 || last > 0xffff)
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY))
        return PCI_BAR_UNMAPPED;
    if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64)
        addr = pci_get_quad(reg);
    else
        addr = pci_get_long(reg);
    addr &= ~(uint64_t)0xf & ~(bar->size - 1);
    last = addr + bar->size - 1;
    if (addr == 0 || last < addr)
        return PCI_BAR_UNMAPPED;
    if (!(bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= 0xffffffffull)
        return PCI_BAR_UNMAPPED;
    if (last == UINT64_MAX)
        return PCI_BAR_UNMAPPED;
    return addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    PCIBus *bus = d->bus;

    memory_region_transaction_begin(bus->ms);
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIIORegion *bar = &d->bars[n];
        MemoryRegion *container;
        uint64_t addr;

        if (!bar->mr)
            continue;
        container = (bar->type & PCI_BASE_ADDRESS_SPACE_IO) ? bus->io
                                                            : bus->mem;
        addr = pci_bar_address(d, n);
        if (addr == bar->addr)
            continue;
        if (bar->addr != PCI_BAR_UNMAPPED)
            memory_region_del_subregion(container, bar->mr);
        bar->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            log_debug("pci: %s BAR%d at 0x%" PRIx64 " (+0x%" PRIx64 ")",
                      d->info->name, n, addr, bar->size);
            memory_region_add_subregion_overlap(container, addr, bar->mr, 1);
        } else {
            log_debug("pci: %s BAR%d unmapped", d->info->name, n);
        }
    }
    memory_region_transaction_commit(bus->ms);
}

static bool pci_is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

int pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
{
    bool is_io = type & PCI_BASE_ADDRESS_SPACE_IO;
    bool is64 = !is_io && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint64_t size, wmask;
    uint32_t reg;

    if (!d->bus || !mr || n < 0 || n >= PCI_NUM_BARS || (is64 && n == 5))
        return -EINVAL;
    if (is_io && (type & ~PCI_BASE_ADDRESS_SPACE_IO))
        return -EINVAL;
    if (!is_io && (type & ~(PCI_BASE_ADDRESS_MEM_TYPE_64 |
                            PCI_BASE_ADDRESS_MEM_PREFETCH)))
        return -EINVAL;
    size = memory_region_size(mr);
    if (!pci_is_pow2(size) || size == UINT64_MAX)
        return -EINVAL;
    if (is_io && (size < 4 || size > 0x10000))
        return -EINVAL;
    if (!is_io && (size < 16 || (!is64 && size > 0x80000000ull)))
        return -EINVAL;
    if (d->bars[n].mr || (is64 && d->bars[n + 1].mr))
        return -EBUSY;
    /* Not the upper half of a 64-bit BAR. */
    if (n > 0 && d->bars[n - 1].mr &&
        (d->bars[n - 1].type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
        !(d->bars[n - 1].type & PCI_BASE_ADDRESS_SPACE_IO))
        return -EBUSY;

    d->bars[n].mr = mr;
    d->bars[n].size = size;
    d->bars[n].type = type;
    d->bars[n].addr = PCI_BAR_UNMAPPED;
    reg = pci_bar_reg(n);
    wmask = ~(size - 1) & (is_io ? ~(uint64_t)0x3 : ~(uint64_t)0xf);
    if (is64) {
        pci_set_quad(d->config + reg, type);
        pci_set_quad(d->wmask + reg, wmask);
        memset(d->w1cmask + reg, 0, 8);
    } else {
        pci_set_long(d->config + reg, type);
        pci_set_long(d->wmask + reg, (uint32_t)wmask);
        memset(d->w1cmask + reg, 0, 4);
    }
    pci_update_mappings(d);
    return 0;
}

uint64_t pci_get_bar_addr(const PCIDevice *d, int n)
{
    if (n < 0 || n >= PCI_NUM_BARS)
        return PCI_BAR_UNMAPPED;
    return d->bars[n].addr;
}

/* ------------------------------------------------------------------ */
/* Devices                                                              */
/* ------------------------------------------------------------------ */

int pci_device_init(PCIDevice *d, PCIBus *bus, int devfn,
                    const PCIDeviceInfo *info, void *opaque)
{
    uint16_t ssvid, ssid;

    if (!d || !bus || !info || devfn < -1 || devfn > 255 ||
        info->interrupt_pin > 4)
        return -EINVAL;
    if (devfn == -1) {
        devfn = pci_bus_find_free_slot(bus, 0);
        if (devfn < 0)
            return devfn;
    }
    if (bus->devices[devfn])
        return -EBUSY;

    memset(d, 0, sizeof(*d));
    d->bus = bus;
    d->devfn = (uint8_t)devfn;
    d->info = info;
    d->opaque = opaque;
    for (int n = 0; n < PCI_NUM_BARS; n++)
        d->bars[n].addr = PCI_BAR_UNMAPPED;

    pci_set_word(d->config + PCI_VENDOR_ID, info->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, info->device_id);
    d->config[PCI_REVISION_ID] = info->revision;
    d->config[PCI_CLASS_PROG] = info->prog_if;
    pci_set_word(d->config + PCI_CLASS_DEVICE, info->class_id);
    d->config[PCI_HEADER_TYPE] = info->header_type;
    ssvid = info->subsystem_vendor_id;
    ssid = info->subsystem_id;
    if (!ssvid && !ssid) {
        ssvid = bus->default_ssvid;
        ssid = bus->default_ssid;
    }
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, ssvid);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, ssid);
    d->config[PCI_INTERRUPT_PIN] = info->interrupt_pin;

    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C_BITS);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);

    bus->devices[devfn] = d;
    return 0;
}

void pci_device_exit(PCIDevice *d)
{
    PCIBus *bus = d->bus;

    if (!bus)
        return;
    pci_set_irq(d, 0);
    memory_region_transaction_begin(bus->ms);
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIIORegion *bar = &d->bars[n];

        if (bar->mr && bar->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(
                (bar->type & PCI_BASE_ADDRESS_SPACE_IO) ? bus->io : bus->mem,
                bar->mr);
            bar->addr = PCI_BAR_UNMAPPED;
        }
        bar->mr = NULL;
    }
    memory_region_transaction_commit(bus->ms);
    if (bus->devices[d->devfn] == d)
        bus->devices[d->devfn] = NULL;
    d->bus = NULL;
}

void pci_device_reset(PCIDevice *d)
{
    PCIBus *bus = d->bus;
    uint16_t cmd, sts;

    if (!bus)
        return;
    pthread_mutex_lock(&bus->irq_lock);
    __atomic_store_n(&d->irq_state, 0, __ATOMIC_RELAXED);
    cmd = pci_get_word(d->config + PCI_COMMAND);
    cmd &= (uint16_t)~pci_get_word(d->wmask + PCI_COMMAND);
    pci_set_word(d->config + PCI_COMMAND, cmd);
    pci_intx_update_locked(d);
    pthread_mutex_unlock(&bus->irq_lock);

    sts = pci_get_word(d->config + PCI_STATUS);
    sts &= (uint16_t)~pci_get_word(d->w1cmask + PCI_STATUS);
    pci_set_word(d->config + PCI_STATUS, sts);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIIORegion *bar = &d->bars[n];

        if (!bar->mr)
            continue;
        if (!(bar->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64))
            pci_set_quad(d->config + pci_bar_reg(n), bar->type);
        else
            pci_set_long(d->config + pci_bar_reg(n), bar->type);
    }
    pci_update_mappings(d);
    if (d->info->reset)
        d->info->reset(d);
}

void *pci_device_opaque(const PCIDevice *d)
{
    return d->opaque;
}

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */
/* ------------------------------------------------------------------ */

static bool pci_cap_range_free(const PCIDevice *d, unsigned off, unsigned size)
{
    for (unsigned i = off; i < off + size; i++)
        if (d->cap_used[i])
            return false;
    return true;
}

int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                       uint8_t size)
{
    unsigned off = offset;

    if (size < 2)
        return -EINVAL;
    if (off == 0) {
        for (off = PCI_CONFIG_HEADER_SIZE;
             off + size <= PCI_CONFIG_SPACE_SIZE; off += 4)
            if (pci_cap_range_free(d, off, size))
                break;
        if (off + size > PCI_CONFIG_SPACE_SIZE)
            return -ENOSPC;
    } else {
        if (off < PCI_CONFIG_HEADER_SIZE || (off & 3) ||
            off + size > PCI_CONFIG_SPACE_SIZE)
            return -EINVAL;
        if (!pci_cap_range_free(d, off, size))
            return -EBUSY;
    }
    d->config[off + PCI_CAP_LIST_ID] = cap_id;
    d->config[off + PCI_CAP_LIST_NEXT] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = (uint8_t)off;
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    memset(d->cap_used + off, 1, size);
    memset(d->wmask + off, 0, size);
    memset(d->w1cmask + off, 0, size);
    return (int)off;
}

uint8_t pci_find_capability(const PCIDevice *d, uint8_t cap_id)
{
    uint8_t off;

    if (!(pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    off = d->config[PCI_CAPABILITY_LIST] & ~3;
    for (unsigned i = 0; i < PCI_CAP_WALK_MAX && off >= PCI_CONFIG_HEADER_SIZE;
         i++) {
        if (d->config[off + PCI_CAP_LIST_ID] == cap_id)
            return off;
        off = d->config[off + PCI_CAP_LIST_NEXT] & ~3;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Configuration accesses                                               */
/* ------------------------------------------------------------------ */

bool pci_range_touches(uint32_t addr, unsigned len, uint32_t reg,
                       unsigned reg_len)
{
    return addr < reg + reg_len && reg < addr + len;
}

uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t val = 0;

    assert(len >= 1 && len <= 4 && addr + len <= PCI_CONFIG_SPACE_SIZE);
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = d->config[addr + i];

        if (addr + i == PCI_STATUS) {
            b &= (uint8_t)~PCI_STATUS_INTERRUPT;
            if (__atomic_load_n(&d->irq_state, __ATOMIC_RELAXED))
                b |= PCI_STATUS_INTERRUPT;
        }
        val |= (uint32_t)b << (8 * i);
    }
    return val;
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len)
{
    uint16_t old_cmd = pci_get_word(d->config + PCI_COMMAND);

    assert(len >= 1 && len <= 4 && addr + len <= PCI_CONFIG_SPACE_SIZE);
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        uint8_t wm = d->wmask[addr + i];
        uint8_t w1c = d->w1cmask[addr + i];
        uint8_t *c = &d->config[addr + i];

        *c = (uint8_t)((*c & ~wm) | (b & wm));
        *c &= (uint8_t)~(b & w1c);
    }
    if (!d->bus)
        return;
    if (pci_range_touches(addr, len, PCI_COMMAND, 2) ||
        pci_range_touches(addr, len, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
        pci_update_mappings(d);
    if ((old_cmd ^ pci_get_word(d->config + PCI_COMMAND)) &
        PCI_COMMAND_INTX_DISABLE) {
        pthread_mutex_lock(&d->bus->irq_lock);
        pci_intx_update_locked(d);
        pthread_mutex_unlock(&d->bus->irq_lock);
    }
}

static uint32_t pci_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* The function an sbdf names, or NULL when absent. */
static PCIDevice *pci_bus_lookup(PCIBus *bus, uint32_t sbdf)
{
    if ((sbdf >> 16) != 0 || ((sbdf >> 8) & 0xff) != bus->bus_num)
        return NULL;
    return bus->devices[sbdf & 0xff];
}

uint32_t pci_bus_config_read(PCIBus *bus, uint32_t sbdf, uint32_t reg,
                             unsigned size)
{
    PCIDevice *d = pci_bus_lookup(bus, sbdf);
    unsigned len;
    uint32_t val;

    if (size < 1 || size > 4)
        return 0xffffffffu;
    if (!d || reg >= PCIE_CONFIG_SPACE_SIZE)
        return pci_ones(size);
    if (reg >= PCI_CONFIG_SPACE_SIZE)
        return 0;
    len = size;
    if (reg + len > PCI_CONFIG_SPACE_SIZE)
        len = PCI_CONFIG_SPACE_SIZE - reg;  /* the rest reads 0 */
    if (d->info->config_read)
        val = d->info->config_read(d, reg, len);
    else
        val = pci_default_read_config(d, reg, len);
    val &= pci_ones(len);
    log_trace("pci: read %02x:%02x.%u reg 0x%x/%u = 0x%x", (sbdf >> 8) & 0xff,
              PCI_SLOT(sbdf), PCI_FUNC(sbdf), reg, size, val);
    return val;
}

void pci_bus_config_write(PCIBus *bus, uint32_t sbdf, uint32_t reg,
                          uint32_t val, unsigned size)
{
    PCIDevice *d = pci_bus_lookup(bus, sbdf);
    unsigned len;

    if (size < 1 || size > 4 || !d || reg >= PCI_CONFIG_SPACE_SIZE) {
        log_trace("pci: write to %x reg 0x%x/%u dropped", sbdf, reg, size);
        return;
    }
    len = size;
    if (reg + len > PCI_CONFIG_SPACE_SIZE)
        len = PCI_CONFIG_SPACE_SIZE - reg;
    val &= pci_ones(len);
    log_trace("pci: write %02x:%02x.%u reg 0x%x/%u = 0x%x", (sbdf >> 8) & 0xff,
              PCI_SLOT(sbdf), PCI_FUNC(sbdf), reg, size, val);
    if (d->info->config_write)
        d->info->config_write(d, reg, val, len);
    else
        pci_default_write_config(d, reg, val, len);
}
