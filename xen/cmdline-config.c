/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline-config.c - life cycle of struct xendm_config (see cmdline.h):
 * defaults, the free functions of its lists, lookup by chardev id.
 * The lists are GPtrArrays that own their elements. No shared state.
 */
#include "xen/cmdline.h"
#include "xen/cmdline-private.h"

#include <string.h>

void xendm_device_cfg_free(gpointer p)
{
    struct xendm_device_cfg *d = p;

    g_free(d->driver);
    keyval_list_clear(&d->props);
    g_free(d);
}

void xendm_drive_cfg_free(gpointer p)
{
    struct xendm_drive_cfg *d = p;

    g_free(d->file);
    g_free(d->iface);
    g_free(d->media);
    g_free(d->format);
    g_free(d->cache);
    g_free(d->id);
    keyval_list_clear(&d->props);
    g_free(d);
}

void xendm_mon_cfg_free(gpointer p)
{
    struct xendm_mon_cfg *m = p;

    g_free(m->chardev);
    g_free(m);
}

void xendm_serial_cfg_free(gpointer p)
{
    struct xendm_serial_cfg *s = p;

    g_free(s->chardev);
    g_free(s);
}

static void spec_free(gpointer p)
{
    chardev_spec_free(p);
}

void xendm_config_init(struct xendm_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine = XENDM_MACHINE_XENFV;
    cfg->ram_size = 128ull << 20;
    cfg->smp_cpus = cfg->smp_maxcpus = 1;
    cfg->log_level = LOG_LEVEL_INFO;
    cfg->chardevs = g_ptr_array_new_with_free_func(spec_free);
    cfg->monitors = g_ptr_array_new_with_free_func(xendm_mon_cfg_free);
    cfg->serials = g_ptr_array_new_with_free_func(xendm_serial_cfg_free);
    cfg->devices = g_ptr_array_new_with_free_func(xendm_device_cfg_free);
    cfg->drives = g_ptr_array_new_with_free_func(xendm_drive_cfg_free);
    cfg->globals = g_ptr_array_new_with_free_func(g_free);
}

void xendm_config_clear(struct xendm_config *cfg)
{
    g_free(cfg->name);
    g_free(cfg->accel);
    g_free(cfg->boot_order);
    g_free(cfg->boot_once);
    g_free(cfg->vga);
    g_free(cfg->run_as);
    g_free(cfg->chroot_dir);
    g_clear_pointer(&cfg->chardevs, g_ptr_array_unref);
    g_clear_pointer(&cfg->monitors, g_ptr_array_unref);
    g_clear_pointer(&cfg->serials, g_ptr_array_unref);
    g_clear_pointer(&cfg->devices, g_ptr_array_unref);
    g_clear_pointer(&cfg->drives, g_ptr_array_unref);
    g_clear_pointer(&cfg->globals, g_ptr_array_unref);
    memset(cfg, 0, sizeof(*cfg));
}

const struct chardev_spec *xendm_config_find_chardev(const struct xendm_config *cfg,
                                                     const char *id)
{
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        const struct chardev_spec *s = g_ptr_array_index(cfg->chardevs, i);

        if (strcmp(s->id, id) == 0)
            return s;
    }
    return NULL;
}
