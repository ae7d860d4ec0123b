/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xen_platform.c - the Xen platform PCI device and its fixed ports
 * 0x10-0x1f (see xen_platform.h for the register map).
 *
 * State: the PCI function with BAR0 (256 bytes of I/O: flags and a log
 * port) and BAR1 (16 MiB of memory the core maps when the guest enables
 * it; reads 0), the fixed-port region, the flags byte, the last product and
 * build numbers, and the current log line. The fixed ports decode by
 * (offset, size) exactly: the callbacks see every access whole
 * (impl 1..4, unaligned), so a 16-bit write at 0x10 (unplug) and a 32-bit
 * write at 0x10 (build number) are told apart.
 *
 * Unplug calls the XenPlatformUnplugOps the machine wired (the IDE device's)
 * synchronously. Log lines go to log_info through a rate limiter (a guest
 * can write as many as it likes). Threading: device-model thread.
 */
#include <errno.h>
#include <string.h>

#include "hw/xen_platform.h"

static void xp_log_flush(XenPlatformState *s)
{
    if (!s->log_len)
        return;
    s->log_buf[s->log_len] = '\0';
    log_ratelimit_msg(&s->log_rl, LOG_LEVEL_INFO, "xen-platform: guest: %s",
                      s->log_buf);
    s->log_len = 0;
}

static void xp_log_byte(XenPlatformState *s, uint8_t c)
{
    if (c == '\n') {
        xp_log_flush(s);
        return;
    }
    if (c == '\r')
        return;
    s->log_buf[s->log_len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    if (s->log_len >= XEN_PLATFORM_LOG_LINE - 1)
        xp_log_flush(s);
}

static void xp_unplug(XenPlatformState *s, uint16_t mask)
{
    log_info("xen-platform: unplug request 0x%x", mask);
    if (mask & (XEN_UNPLUG_ALL_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS)) {
        bool keep_primary = !(mask & XEN_UNPLUG_ALL_IDE_DISKS);

        if (s->unplug && s->unplug->unplug_ide_disks)
            s->unplug->unplug_ide_disks(s->unplug_opaque, keep_primary);
        else
            log_info("xen-platform: no IDE disks to unplug");
    }
    if (mask & XEN_UNPLUG_ALL_NICS) {
        if (s->unplug && s->unplug->unplug_nics)
            s->unplug->unplug_nics(s->unplug_opaque);
        else
            log_info("xen-platform: no emulated NICs to unplug");
    }
    if (mask & XEN_UNPLUG_NVME_DISKS)
        log_info("xen-platform: no NVMe disks to unplug");
    s->unplugged |= mask & 0x0f;
}

static void xp_set_flags(XenPlatformState *s, uint8_t val)
{
    /* ROM lock would make 0xc0000-0xfffff read-only for the guest; the
     * flag is kept and read back (Xen's memory types are not changed). */
    s->flags = val & XEN_PLATFORM_FLAG_ROM_LOCK;
}

static uint64_t xp_fixed_read(void *opaque, hwaddr addr, unsigned size)
{
    XenPlatformState *s = opaque;

    if (addr == 0 && size == 2)
        return XEN_PLATFORM_MAGIC;
    if (addr == 0 && size == 1)
        return s->flags;
    if (addr == 2 && size == 1)
        return XEN_PLATFORM_VERSION;
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void xp_fixed_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    XenPlatformState *s = opaque;

    if (addr == 0 && size == 2) {
        xp_unplug(s, (uint16_t)val);
    } else if (addr == 0 && size == 4) {
        s->build = (uint32_t)val;
        log_info("xen-platform: PV driver build %u", s->build);
    } else if (addr == 0 && size == 1) {
        xp_set_flags(s, (uint8_t)val);
    } else if (addr == 2 && size == 2) {
        s->product = (uint16_t)val;
        log_info("xen-platform: PV driver product %u", s->product);
    } else if (addr == 2 && size == 1) {
        xp_log_byte(s, (uint8_t)val);
    } else {
        log_warn_rl(&s->rl, "xen-platform: ignored write of %u bytes at "
                    "port 0x%x", size, (unsigned)(XEN_PLATFORM_IOPORT + addr));
    }
}

static const MemoryRegionOps xp_fixed_ops = {
    .read = xp_fixed_read,
    .write = xp_fixed_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static uint64_t xp_bar0_read(void *opaque, hwaddr addr, unsigned size)
{
    XenPlatformState *s = opaque;

    if (addr == 0 && size == 1)
        return s->flags;
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void xp_bar0_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    XenPlatformState *s = opaque;

    if (addr == 0 && size == 1)
        xp_set_flags(s, (uint8_t)val);
    else if (addr == 8 && size == 1)
        xp_log_byte(s, (uint8_t)val);
}

static const MemoryRegionOps xp_bar0_ops = {
    .read = xp_bar0_read,
    .write = xp_bar0_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static uint64_t xp_bar1_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void xp_bar1_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
}

static const MemoryRegionOps xp_bar1_ops = {
    .read = xp_bar1_read,
    .write = xp_bar1_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static void xp_reset(PCIDevice *d)
{
    XenPlatformState *s = pci_device_opaque(d);

    s->flags = 0;
    s->log_len = 0;
}

static const PCIDeviceInfo xen_platform_info = {
    .name = "xen-platform",
    .vendor_id = XEN_PLATFORM_VENDOR_ID,
    .device_id = XEN_PLATFORM_DEVICE_ID,
    .revision = XEN_PLATFORM_REVISION,
    .class_id = XEN_PLATFORM_CLASS,
    .subsystem_vendor_id = XEN_PLATFORM_VENDOR_ID,
    .subsystem_id = XEN_PLATFORM_DEVICE_ID,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .interrupt_pin = 1,
    .reset = xp_reset,
};

int xen_platform_init(XenPlatformState *s, MemorySystem *ms, PCIBus *bus,
                      int devfn, MemoryRegion *io)
{
    int ret;

    if (!s || !ms || !bus || !io)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    s->log_rl.burst = 100;
    memory_region_init_io(&s->bar0, ms, NULL, &xp_bar0_ops, s, "xen-pci",
                          XEN_PLATFORM_BAR0_SIZE);
    memory_region_init_io(&s->bar1, ms, NULL, &xp_bar1_ops, s, "xen-mmio",
                          XEN_PLATFORM_BAR1_SIZE);
    memory_region_init_io(&s->fixed_mr, ms, NULL, &xp_fixed_ops, s,
                          "xen-platform-fixed", XEN_PLATFORM_IOPORT_SIZE);
    ret = pci_device_init(&s->pci, bus, devfn, &xen_platform_info, s);
    if (ret < 0)
        goto fail;
    ret = pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->bar0);
    if (ret < 0)
        goto fail_pci;
    ret = pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_MEM_PREFETCH,
                           &s->bar1);
    if (ret < 0)
        goto fail_pci;
    s->io = io;
    memory_region_add_subregion(io, XEN_PLATFORM_IOPORT, &s->fixed_mr);
    s->mapped = true;
    return 0;

fail_pci:
    pci_device_exit(&s->pci);
fail:
    memory_region_finalize(&s->fixed_mr);
    memory_region_finalize(&s->bar1);
    memory_region_finalize(&s->bar0);
    return ret;
}

void xen_platform_set_unplug_ops(XenPlatformState *s,
                                 const XenPlatformUnplugOps *ops, void *opaque)
{
    s->unplug = ops;
    s->unplug_opaque = opaque;
}

void xen_platform_exit(XenPlatformState *s)
{
    if (!s->io)
        return;
    xp_log_flush(s);
    if (s->mapped) {
        memory_region_del_subregion(s->io, &s->fixed_mr);
        s->mapped = false;
    }
    pci_device_exit(&s->pci);
    memory_region_finalize(&s->fixed_mr);
    memory_region_finalize(&s->bar1);
    memory_region_finalize(&s->bar0);
    s->io = NULL;
}
