/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix3.c - the PIIX3 PCI-to-ISA bridge function (00:01.0): PIRQ routes
 * forwarded to the platform, and the two reset ports (0xcf9, 0x92).
 *
 * State: the PCI function (config bytes hold the routes), the RCR and port
 * 0x92 values, two port regions. A route write calls set_pci_link_route for
 * each route byte the write touched, with the value now in config space.
 * 0xcf9 is mapped at priority 1 so that it wins over the PCI core's 0xcf8
 * latch for 1-byte accesses (dword accesses at 0xcf8 still reach the latch:
 * the memory core sends an I/O access whole to the region at its first
 * byte). Threading: device-model thread.
 */
#include <errno.h>
#include <string.h>

#include "hw/piix.h"

static void piix3_route_changed(PIIX3State *s, unsigned link)
{
    uint8_t v = s->pci.config[PIIX3_PIRQCA + link];
    uint8_t irq = (v & PIIX3_PIRQ_DISABLE) ? 0 : (v & 0x0f);
    int ret;

    log_debug("piix3: PIRQ%c -> %s%u", 'A' + link, irq ? "IRQ " : "off ",
              irq);
    ret = platform_set_pci_link_route(s->platform, (uint8_t)link, irq);
    if (ret < 0 && ret != -ENOSYS)
        log_warn_rl(&s->rl, "piix3: set_pci_link_route(%u, %u): %s", link, irq,
                    strerror(-ret));
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                               unsigned len)
{
    PIIX3State *s = pci_device_opaque(d);

    pci_default_write_config(d, addr, val, len);
    for (unsigned link = 0; link < 4; link++)
        if (pci_range_touches(addr, len, PIIX3_PIRQCA + link, 1))
            piix3_route_changed(s, link);
}

/* Hardware defaults of the ISA bridge's device-specific registers. */
static void piix3_reset(PCIDevice *d)
{
    PIIX3State *s = pci_device_opaque(d);
    uint8_t *c = d->config;
    bool was_routed[4];

    for (unsigned link = 0; link < 4; link++)
        was_routed[link] = !(c[PIIX3_PIRQCA + link] & PIIX3_PIRQ_DISABLE);
    memset(c + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(c + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    pci_set_word(c + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    c[0x4c] = 0x4d;   /* ISA I/O recovery timer */
    c[0x4e] = 0x03;   /* X-bus chip select */
    c[0x69] = 0x02;   /* top of memory */
    c[0x70] = 0x80;   /* MBIRQ0 disabled */
    c[0x76] = 0x0c;   /* MBDMA0/1 */
    c[0x77] = 0x0c;
    c[0x78] = 0x02;   /* PCSC */
    c[0xa0] = 0x08;   /* SMI control */
    c[0xa8] = 0x0f;   /* SMI enable */
    for (unsigned link = 0; link < 4; link++) {
        c[PIIX3_PIRQCA + link] = PIIX3_PIRQ_DISABLE;
        if (was_routed[link])
            piix3_route_changed(s, link);
    }
    s->rcr = 0;
    s->port92 = 0;
}

static const PCIDeviceInfo piix3_info = {
    .name = "piix3",
    .vendor_id = PIIX3_VENDOR_ID,
    .device_id = PIIX3_ISA_DEVICE_ID,
    .class_id = PIIX3_ISA_CLASS,
    .header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
    .config_write = piix3_config_write,
    .reset = piix3_reset,
};

static void piix3_reboot(PIIX3State *s, const char *why)
{
    int ret;

    log_info("piix3: guest requested a reset (%s)", why);
    ret = platform_shutdown(s->platform, PLATFORM_SHUTDOWN_REBOOT);
    if (ret < 0 && ret != -ENOSYS)
        log_warn_rl(&s->rl, "piix3: shutdown(reboot): %s", strerror(-ret));
}

static uint64_t piix3_rcr_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX3State *s = opaque;

    return s->rcr;
}

static void piix3_rcr_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    PIIX3State *s = opaque;

    if (val & PIIX3_RCR_RCPU) {
        piix3_reboot(s, "0xcf9");
        return;
    }
    s->rcr = (uint8_t)(val & PIIX3_RCR_SRST);
}

static const MemoryRegionOps piix3_rcr_ops = {
    .read = piix3_rcr_read,
    .write = piix3_rcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t piix3_port92_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX3State *s = opaque;

    return s->port92;
}

static void piix3_port92_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    PIIX3State *s = opaque;
    uint8_t old = s->port92;

    s->port92 = (uint8_t)(val & 0x02);
    if ((val & 0x01) && !(old & 0x01))
        piix3_reboot(s, "port 0x92");
}

static const MemoryRegionOps piix3_port92_ops = {
    .read = piix3_port92_read,
    .write = piix3_port92_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

int piix3_init(PIIX3State *s, MemorySystem *ms, PCIBus *bus, MemoryRegion *io,
               const Platform *platform)
{
    int ret;

    if (!s || !ms || !bus || !io)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    s->platform = platform;
    ret = pci_device_init(&s->pci, bus, PCI_DEVFN(1, 0), &piix3_info, s);
    if (ret < 0)
        return ret;
    /* Routes start disabled (no link-route calls at power-on); the
     * device-specific area keeps the core's default mask (writable). */
    memset(s->pci.config + PIIX3_PIRQCA, PIIX3_PIRQ_DISABLE, 4);
    piix3_reset(&s->pci);
    s->ms = ms;
    s->io = io;
    memory_region_init_io(&s->rcr_mr, ms, NULL, &piix3_rcr_ops, s,
                          "piix3-reset-control", 1);
    memory_region_init_io(&s->port92_mr, ms, NULL, &piix3_port92_ops, s,
                          "piix3-port92", 1);
    memory_region_transaction_begin(ms);
    memory_region_add_subregion_overlap(io, PIIX3_RCR_PORT, &s->rcr_mr, 1);
    memory_region_add_subregion(io, PIIX3_PORT92, &s->port92_mr);
    memory_region_transaction_commit(ms);
    s->mapped = true;
    return 0;
}

void piix3_exit(PIIX3State *s)
{
    if (s->mapped) {
        MemorySystem *ms = s->ms;

        memory_region_transaction_begin(ms);
        memory_region_del_subregion(s->io, &s->rcr_mr);
        memory_region_del_subregion(s->io, &s->port92_mr);
        memory_region_transaction_commit(ms);
        s->mapped = false;
        memory_region_finalize(&s->rcr_mr);
        memory_region_finalize(&s->port92_mr);
    }
    pci_device_exit(&s->pci);
}
