/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline-private.h - shared between cmdline.c and cmdline-config.c:
 * the free functions of struct xendm_config's list elements.
 */
#ifndef XENDM_XEN_CMDLINE_PRIVATE_H
#define XENDM_XEN_CMDLINE_PRIVATE_H

#include <glib.h>

/** xendm_device_cfg_free() - free a struct xendm_device_cfg (GDestroyNotify). */
void xendm_device_cfg_free(gpointer p);

/** xendm_drive_cfg_free() - free a struct xendm_drive_cfg (GDestroyNotify). */
void xendm_drive_cfg_free(gpointer p);

/** xendm_mon_cfg_free() - free a struct xendm_mon_cfg (GDestroyNotify). */
void xendm_mon_cfg_free(gpointer p);

/** xendm_serial_cfg_free() - free a struct xendm_serial_cfg (GDestroyNotify). */
void xendm_serial_cfg_free(gpointer p);

#endif /* XENDM_XEN_CMDLINE_PRIVATE_H */
