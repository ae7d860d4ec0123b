/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i440fx.h - the i440FX host bridge function, 00:00.0, 8086:1237,
 * class 0x0600. Configuration space only (PAM and SMRAM bytes are plain
 * read/write registers: Xen owns the guest's memory map).
 */
#ifndef XENDM_HW_I440FX_H
#define XENDM_HW_I440FX_H

#include "hw/pci.h"

#define I440FX_VENDOR_ID 0x8086
#define I440FX_DEVICE_ID 0x1237
#define I440FX_REVISION 0x02
#define I440FX_CLASS 0x0600
#define I440FX_PAM 0x59         /* PAM0..PAM6: 0x59-0x5f */
#define I440FX_SMRAM 0x72
#define I440FX_SMRAM_DEFAULT 0x02

/**
 * struct I440FXState - the host bridge.
 * @pci: its PCI function (must stay first: the core's opaque is the state).
 */
typedef struct I440FXState {
    PCIDevice pci;
} I440FXState;

/**
 * i440fx_init() - put the host bridge at 00:00.0 of @bus.
 * Return: 0 or -errno (-EBUSY if 00:00.0 is taken).
 */
int i440fx_init(I440FXState *s, PCIBus *bus) __attribute__((warn_unused_result));
/** i440fx_exit() - take it off the bus. */
void i440fx_exit(I440FXState *s);

#endif /* XENDM_HW_I440FX_H */
