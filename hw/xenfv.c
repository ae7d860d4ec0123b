/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xenfv.c - the xenfv machine and its ordered device table.
 *
 * Data structures: XenfvMachine holds every device's state by value; the
 * device table is a const array of (name, init, finalize, reset) rows.
 * xenfv_machine_init() builds the memory side (roots, PCI containers at
 * priority -1, address spaces), the bus, then runs the rows in order,
 * counting them in n_inited so that a failure (or finalize) unwinds exactly
 * the rows that succeeded, in reverse.
 *
 * Threading: device-model thread only, no I/O in flight.
 */
#include <errno.h>
#include <string.h>

#include "hw/xenfv.h"

static int xenfv_host_init(XenfvMachine *m)
{
    return pci_host_init(&m->host, m->ms, &m->bus, &m->io);
}

static void xenfv_host_finalize(XenfvMachine *m)
{
    pci_host_exit(&m->host);
}

static void xenfv_host_reset(XenfvMachine *m)
{
    pci_host_reset(&m->host);
}

static int xenfv_i440fx_init(XenfvMachine *m)
{
    return i440fx_init(&m->i440fx, &m->bus);
}

static void xenfv_i440fx_finalize(XenfvMachine *m)
{
    i440fx_exit(&m->i440fx);
}

static void xenfv_i440fx_reset(XenfvMachine *m)
{
    pci_device_reset(&m->i440fx.pci);
}

static int xenfv_piix3_init(XenfvMachine *m)
{
    return piix3_init(&m->piix3, m->ms, &m->bus, &m->io, &m->platform);
}

static void xenfv_piix3_finalize(XenfvMachine *m)
{
    piix3_exit(&m->piix3);
}

static void xenfv_piix3_reset(XenfvMachine *m)
{
    pci_device_reset(&m->piix3.pci);
}

static int xenfv_pm_init(XenfvMachine *m)
{
    return piix4_pm_init(&m->pm, m->ms, &m->bus, XENFV_DEVFN_PIIX4_PM,
                         &m->platform);
}

static void xenfv_pm_finalize(XenfvMachine *m)
{
    piix4_pm_exit(&m->pm);
}

static void xenfv_pm_reset(XenfvMachine *m)
{
    pci_device_reset(&m->pm.pci);
}

static int xenfv_xen_platform_init(XenfvMachine *m)
{
    int devfn = pci_bus_find_free_slot(&m->bus, XENFV_XEN_PLATFORM_FIRST_SLOT);
    int ret;

    if (devfn < 0)
        return devfn;
    ret = xen_platform_init(&m->xen_platform, m->ms, &m->bus, devfn, &m->io);
    if (ret < 0)
        return ret;
    xen_platform_set_unplug_ops(&m->xen_platform, m->unplug_ops,
                                m->unplug_opaque);
    return 0;
}

static void xenfv_xen_platform_finalize(XenfvMachine *m)
{
    xen_platform_exit(&m->xen_platform);
}

static void xenfv_xen_platform_reset(XenfvMachine *m)
{
    pci_device_reset(&m->xen_platform.pci);
}

static const XenPlatformUnplugOps xenfv_ide_unplug_ops = {
    .unplug_ide_disks = piix3_ide_unplug_disks_cb,
};

static int xenfv_ide_init(XenfvMachine *m)
{
    struct piix3_ide_config c = {
        .bus = &m->bus,
        .devfn = XENFV_DEVFN_PIIX3_IDE,
        .io = &m->io,
        .dma_as = &m->as_mem,
        .irq = { &m->ide_irq[0], &m->ide_irq[1] },
    };
    int ret;

    platform_isa_irq_line(&m->platform, &m->ide_irq[0], 14);
    platform_isa_irq_line(&m->platform, &m->ide_irq[1], 15);
    ret = piix3_ide_new(&c, &m->ide);
    if (ret < 0)
        return ret;
    m->unplug_ops = &xenfv_ide_unplug_ops;
    m->unplug_opaque = m->ide;
    return 0;
}

static void xenfv_ide_reset(XenfvMachine *m)
{
    piix3_ide_reset(m->ide);
}

static void xenfv_ide_finalize(XenfvMachine *m)
{
    piix3_ide_free(m->ide);
    m->ide = NULL;
    m->unplug_ops = NULL;
    m->unplug_opaque = NULL;
}

static int xenfv_vga_init(XenfvMachine *m)
{
    int devfn = XENFV_DEVFN_VGA;
    int ret;

    if (!m->has_vga)
        return 0;
    if (m->vga_after_platform) {
        /* Leave xen-platform's slot (initialised later) free. */
        devfn = pci_bus_find_free_slot(&m->bus, XENFV_XEN_PLATFORM_FIRST_SLOT);
        if (devfn >= 0)
            devfn = pci_bus_find_free_slot(&m->bus, PCI_SLOT(devfn) + 1);
        if (devfn < 0) {
            m->has_vga = false;
            return devfn;
        }
    }
    ret = vga_pci_init(&m->vga, &m->bus, (uint8_t)devfn, &m->system, &m->io,
                       m->vga_vram_size);
    if (ret < 0)
        m->has_vga = false;
    return ret;
}

static void xenfv_vga_finalize(XenfvMachine *m)
{
    if (m->has_vga)
        vga_pci_exit(&m->vga);
}

static void xenfv_vga_reset(XenfvMachine *m)
{
    if (m->has_vga)
        pci_device_reset(&m->vga.pci);
}

static int xenfv_uart_init(XenfvMachine *m)
{
    platform_isa_irq_line(&m->platform, &m->uart_irq, SERIAL_ISA_COM1_IRQ);
    return serial_isa_init(&m->uart, m->ms, &m->io, NULL,
                           SERIAL_ISA_COM1_BASE, &m->uart_irq, NULL);
}

static void xenfv_uart_finalize(XenfvMachine *m)
{
    serial_isa_destroy(&m->uart);
}

static void xenfv_uart_reset(XenfvMachine *m)
{
    serial_reset(&m->uart.uart);
}

/* The machine, in initialisation order (see xenfv.h). */
static const XenfvDeviceEntry xenfv_devices[] = {
    { "pci-host", xenfv_host_init, xenfv_host_finalize, xenfv_host_reset },
    { "i440fx", xenfv_i440fx_init, xenfv_i440fx_finalize, xenfv_i440fx_reset },
    { "piix3", xenfv_piix3_init, xenfv_piix3_finalize, xenfv_piix3_reset },
    { "piix3-ide", xenfv_ide_init, xenfv_ide_finalize, xenfv_ide_reset },
    { "piix4-pm", xenfv_pm_init, xenfv_pm_finalize, xenfv_pm_reset },
    { "vga", xenfv_vga_init, xenfv_vga_finalize, xenfv_vga_reset },
    { "xen-platform", xenfv_xen_platform_init, xenfv_xen_platform_finalize,
      xenfv_xen_platform_reset },
    { "uart", xenfv_uart_init, xenfv_uart_finalize, xenfv_uart_reset },
};

const XenfvDeviceEntry *xenfv_device_table(unsigned *n)
{
    *n = sizeof(xenfv_devices) / sizeof(xenfv_devices[0]);
    return xenfv_devices;
}

static void xenfv_unwind_devices(XenfvMachine *m)
{
    while (m->n_inited > 0) {
        const XenfvDeviceEntry *e = &m->devices[--m->n_inited];

        log_debug("xenfv: finalize %s", e->name);
        if (e->finalize)
            e->finalize(m);
    }
}

static void xenfv_memory_finalize(XenfvMachine *m)
{
    memory_region_transaction_begin(m->ms);
    memory_region_del_subregion(&m->system, &m->pci_mem);
    memory_region_del_subregion(&m->io, &m->pci_io);
    memory_region_transaction_commit(m->ms);
    address_space_destroy(&m->as_mem);
    address_space_destroy(&m->as_io);
    memory_region_finalize(&m->pci_mem);
    memory_region_finalize(&m->pci_io);
    memory_region_finalize(&m->system);
    memory_region_finalize(&m->io);
    if (m->own_ms)
        memory_system_free(m->ms);
    m->ms = NULL;
}

int xenfv_machine_init(XenfvMachine *m, const XenfvMachineConfig *cfg)
{
    int ret;

    if (!m || !cfg)
        return -EINVAL;
    memset(m, 0, sizeof(*m));
    if (cfg->devices) {
        m->devices = cfg->devices;
        m->n_devices = cfg->n_devices;
    } else {
        m->devices = xenfv_device_table(&m->n_devices);
    }
    m->platform.ops = cfg->platform_ops;
    m->platform.opaque = cfg->platform_opaque;
    m->has_vga = cfg->vga;
    m->vga_vram_size = cfg->vga_vram_size;
    m->vga_after_platform = cfg->vga_after_platform;
    if (cfg->ms) {
        m->ms = cfg->ms;
    } else {
        m->ms = memory_system_new();
        if (!m->ms)
            return -ENOMEM;
        m->own_ms = true;
    }

    memory_region_init(&m->system, m->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&m->io, m->ms, NULL, "io", 0x10000);
    memory_region_init(&m->pci_mem, m->ms, NULL, "pci-mem", UINT64_MAX);
    memory_region_init(&m->pci_io, m->ms, NULL, "pci-io", 0x10000);
    memory_region_transaction_begin(m->ms);
    memory_region_add_subregion_overlap(&m->system, 0, &m->pci_mem, -1);
    memory_region_add_subregion_overlap(&m->io, 0, &m->pci_io, -1);
    memory_region_transaction_commit(m->ms);
    address_space_init(&m->as_mem, m->ms, &m->system, "memory");
    address_space_init(&m->as_io, m->ms, &m->io, "I/O");

    ret = pci_bus_init(&m->bus, m->ms, &m->pci_mem, &m->pci_io, &m->platform);
    if (ret < 0)
        goto fail_memory;
    pci_bus_set_default_subsystem(&m->bus, XENFV_DEFAULT_SSVID,
                                  XENFV_DEFAULT_SSID);

    for (m->n_inited = 0; m->n_inited < m->n_devices; m->n_inited++) {
        const XenfvDeviceEntry *e = &m->devices[m->n_inited];

        log_debug("xenfv: init %s", e->name);
        ret = e->init ? e->init(m) : 0;
        if (ret < 0) {
            log_err("xenfv: %s: %s", e->name, strerror(-ret));
            goto fail_devices;
        }
    }
    return 0;

fail_devices:
    xenfv_unwind_devices(m);
    pci_bus_exit(&m->bus);
fail_memory:
    xenfv_memory_finalize(m);
    return ret;
}

void xenfv_machine_finalize(XenfvMachine *m)
{
    if (!m->ms)
        return;
    xenfv_unwind_devices(m);
    pci_bus_exit(&m->bus);
    xenfv_memory_finalize(m);
}

void xenfv_machine_reset(XenfvMachine *m)
{
    for (unsigned i = 0; i < m->n_inited; i++) {
        const XenfvDeviceEntry *e = &m->devices[i];

        log_debug("xenfv: reset %s", e->name);
        if (e->reset)
            e->reset(m);
    }
}
