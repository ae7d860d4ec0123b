/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xendm-devices.h - command-line devices (VGA, IDE disks, COM1) of the
 * device-model process.
 */
#ifndef XENDM_XEN_XENDM_DEVICES_H
#define XENDM_XEN_XENDM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "xen/xendm.h"

/**
 * xendm_devices_check() - refuse what the chipset does not have, before
 * anything is built; find out whether there is a VGA.
 * @c: the parsed command line.
 * @vga: out: a std VGA is wanted (-vga std or -device VGA).
 * @vram: out: its VRAM in bytes (0: the default 16 MiB).
 * @vga_late: out: the VGA comes from -device VGA only (not -vga std), so
 *     it sits after xen-platform, as QEMU creates it after the machine.
 * @err: on failure, a message naming the option (g_free()).
 * Return: 0, -ENOTSUP or -EINVAL.
 */
int xendm_devices_check(const struct xendm_config *c, bool *vga,
                        uint64_t *vram, bool *vga_late, char **err)
    __attribute__((warn_unused_result));

/**
 * xendm_devices_setup() - attach the -drive disks, connect COM1 to its
 * -serial chardev, register the device commands (screendump, info
 * vga-text, QMP screendump). After the machine is built.
 * Return: 0 or -errno (with @err set).
 */
int xendm_devices_setup(struct xendm *dm, char **err)
    __attribute__((warn_unused_result));

/** xendm_devices_teardown() - disconnect COM1 from its chardev. */
void xendm_devices_teardown(struct xendm *dm);

#endif /* XENDM_XEN_XENDM_DEVICES_H */
