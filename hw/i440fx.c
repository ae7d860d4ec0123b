/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i440fx.c - the i440FX host bridge function (00:00.0).
 *
 * Only configuration space: IDs, class 0x0600, revision 2, and the
 * device-specific bytes 0x40-0xff as plain read/write registers (PAM
 * 0x59-0x5f, SMRAM 0x72 default 0x02). Mechanism #1 itself is the PCI core's
 * PCIHost (hw/pci_host.c), which the machine maps next to this function.
 * Threading: device-model thread.
 */
#include "hw/i440fx.h"

static void i440fx_reset(PCIDevice *d)
{
    for (unsigned i = PCI_CONFIG_HEADER_SIZE; i < PCI_CONFIG_SPACE_SIZE; i++)
        d->config[i] = 0;
    d->config[I440FX_SMRAM] = I440FX_SMRAM_DEFAULT;
}

static const PCIDeviceInfo i440fx_info = {
    .name = "i440fx",
    .vendor_id = I440FX_VENDOR_ID,
    .device_id = I440FX_DEVICE_ID,
    .revision = I440FX_REVISION,
    .class_id = I440FX_CLASS,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .reset = i440fx_reset,
};

int i440fx_init(I440FXState *s, PCIBus *bus)
{
    int ret = pci_device_init(&s->pci, bus, PCI_DEVFN(0, 0), &i440fx_info, s);

    if (ret < 0)
        return ret;
    i440fx_reset(&s->pci);
    return 0;
}

void i440fx_exit(I440FXState *s)
{
    pci_device_exit(&s->pci);
}
