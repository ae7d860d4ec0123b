/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xendm-devices.c - from the command line to the chipset's devices:
 * -device VGA / -vga std choose the std VGA, -drive attaches raw disks to
 * the PIIX3 IDE, -serial connects COM1 to a chardev; plus the device
 * commands (`screendump PATH`, `info vga-text`, QMP screendump, and
 * `debug dma-delay MS` to keep IDE DMA in flight for tests and demos).
 *
 * Anything the chipset does not have is refused with a message naming the
 * option, before the machine is built (xendm_devices_check()).
 * Main thread only: the UART's backend callbacks run on the ioreq thread,
 * which is the main thread.
 */
#include "xen/xendm-devices.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "xen/hvm.h"

int xendm_devices_check(const struct xendm_config *c, bool *vga,
                        uint64_t *vram, bool *vga_late, char **err)
{
    *vga = false;
    *vram = 0;
    *vga_late = false;
    if (c->vga && strcmp(c->vga, "std") == 0)
        *vga = true;
    else if (c->vga && strcmp(c->vga, "cirrus") == 0) {
        *err = g_strdup("-vga cirrus: the Cirrus VGA is not supported "
                        "(use -vga std or -device VGA; vga=\"stdvga\" in xl)");
        return -ENOTSUP;
    }
    for (guint i = 0; i < c->devices->len; i++) {
        const struct xendm_device_cfg *d = g_ptr_array_index(c->devices, i);

        if (strcmp(d->driver, "VGA") == 0) {
            const char *mb = keyval_get(&d->props, "vgamem_mb");

            if (!*vga)
                *vga_late = true;
            *vga = true;
            if (mb) {
                char *end;
                unsigned long v = strtoul(mb, &end, 10);

                if (*end || v < 1 || v > 256 || (v & (v - 1))) {
                    *err = g_strdup_printf("-device VGA,vgamem_mb=%s: a power "
                                           "of two from 1 to 256", mb);
                    return -EINVAL;
                }
                *vram = (uint64_t)v << 20;
            }
        } else {
            *err = g_strdup_printf("-device %s: not supported by xendm "
                                   "(it emulates the xenfv chipset: i440FX, "
                                   "PIIX3 + IDE, PIIX4 PM, xen-platform, "
                                   "16550 UART, std VGA)", d->driver);
            return -ENOTSUP;
        }
    }
    for (guint i = 0; i < c->drives->len; i++) {
        const struct xendm_drive_cfg *d = g_ptr_array_index(c->drives, i);

        if (d->iface && strcmp(d->iface, "ide") != 0) {
            *err = g_strdup_printf("-drive if=%s: only if=ide is supported",
                                   d->iface);
            return -ENOTSUP;
        }
        if (d->media && strcmp(d->media, "disk") != 0) {
            *err = g_strdup_printf("-drive media=%s: only media=disk is "
                                   "supported (no CD-ROM yet)", d->media);
            return -ENOTSUP;
        }
        if (d->format && strcmp(d->format, "raw") != 0) {
            *err = g_strdup_printf("-drive format=%s: only raw images are "
                                   "supported", d->format);
            return -ENOTSUP;
        }
        if (!d->file || !d->file[0]) {
            *err = g_strdup("-drive: a disk needs file=PATH");
            return -EINVAL;
        }
        if (d->index > 3) {
            *err = g_strdup_printf("-drive index=%d: IDE has indexes 0 to 3",
                                   d->index);
            return -EINVAL;
        }
    }
    if (c->serials->len > 1) {
        *err = g_strdup("-serial: the chipset has one UART (COM1); give "
                        "-serial once");
        return -ENOTSUP;
    }
    return 0;
}

/* ---- COM1 <-> chardev ---- */

static void uart_out(void *opaque, const uint8_t *buf, size_t len)
{
    chardev_write(opaque, buf, len);
}

static void uart_room(void *opaque)
{
    chardev_resume_input(opaque);
}

static size_t chr_can_receive(void *opaque)
{
    return serial_can_receive(opaque);
}

static void chr_receive(void *opaque, const uint8_t *buf, size_t len)
{
    serial_receive(opaque, buf, len);
}

static const struct chardev_handlers uart_handlers = {
    .can_receive = chr_can_receive,
    .receive = chr_receive,
};

static int attach_drives(struct xendm *dm, char **err)
{
    bool used[4] = { false };
    PIIX3IDEState *ide = dm->hvm->machine.ide;

    for (guint i = 0; i < dm->cfg.drives->len; i++) {
        const struct xendm_drive_cfg *d = g_ptr_array_index(dm->cfg.drives, i);
        int index = d->index;
        int rc;

        if (index < 0) {                    /* next free, as QEMU does */
            for (index = 0; index < 4 && used[index]; index++)
                ;
            if (index == 4) {
                *err = g_strdup("-drive: all four IDE positions are taken");
                return -ENOSPC;
            }
        }
        if (used[index]) {
            *err = g_strdup_printf("-drive index=%d: given twice", index);
            return -EEXIST;
        }
        rc = piix3_ide_attach_drive(ide, (unsigned)index, d->file, d->readonly);
        if (rc) {
            *err = g_strdup_printf("-drive file=%s: %s", d->file, strerror(-rc));
            return rc;
        }
        used[index] = true;
        log_info("IDE %s %s: %s%s", index < 2 ? "primary" : "secondary",
                 index % 2 ? "slave" : "master", d->file,
                 d->readonly ? " (read-only)" : "");
    }
    return 0;
}

static int connect_serial(struct xendm *dm, char **err)
{
    struct serial_state *uart = &dm->hvm->machine.uart.uart;
    const struct xendm_serial_cfg *s;
    struct chardev *chr;
    struct serial_backend be = { 0 };

    if (dm->cfg.serials->len == 0)
        return 0;
    s = g_ptr_array_index(dm->cfg.serials, 0);
    if (!s->chardev)
        return 0;                           /* -serial none */
    chr = xendm_find_chardev(dm, s->chardev);
    if (!chr) {
        *err = g_strdup_printf("-serial: chardev '%s' is not open", s->chardev);
        return -ENOENT;
    }
    be.write = uart_out;
    be.accept_input = uart_room;
    be.opaque = chr;
    serial_set_backend(uart, &be);
    chardev_set_handlers(chr, &uart_handlers, uart);
    dm->serial_chr = chr;
    return 0;
}

/* ---- commands ---- */

static VGAState *vga_of(struct xendm *dm)
{
    return dm->hvm && dm->hvm->machine.has_vga ? &dm->hvm->machine.vga.vga
                                               : NULL;
}

static int cmd_screendump(void *opaque, const char *args, GString *out)
{
    struct xendm *dm = opaque;
    VGAState *vga = vga_of(dm);
    int rc;

    if (!vga) {
        g_string_append(out, "screendump: this machine has no VGA\n");
        return -ENODEV;
    }
    if (!args[0]) {
        g_string_append(out, "screendump: give a file name (PATH.png)\n");
        return -EINVAL;
    }
    rc = vga_screendump(vga, args);
    if (rc)
        g_string_append_printf(out, "screendump %s: %s\n", args, strerror(-rc));
    else
        g_string_append_printf(out, "screen saved to %s\n", args);
    return rc;
}

static int cmd_vga_text(void *opaque, const char *args, GString *out)
{
    struct xendm *dm = opaque;
    VGAState *vga = vga_of(dm);
    char *text;

    if (!vga) {
        g_string_append(out, "info vga-text: this machine has no VGA\n");
        return -ENODEV;
    }
    text = vga_text_snapshot(vga, NULL);
    if (!text) {
        g_string_append(out, "info vga-text: the VGA is not in a text mode\n");
        return -ENODATA;
    }
    g_string_append(out, text);
    free(text);
    if (out->len && out->str[out->len - 1] != '\n')
        g_string_append_c(out, '\n');
    return 0;
}

static int cmd_dma_delay(void *opaque, const char *args, GString *out)
{
    struct xendm *dm = opaque;
    char *end;
    unsigned long ms = strtoul(args, &end, 10);

    if (!args[0] || *end || ms > 60000) {
        g_string_append(out, "debug dma-delay: give milliseconds, 0 to 60000\n");
        return -EINVAL;
    }
    piix3_ide_set_dma_delay(dm->hvm->machine.ide, (uint32_t)ms);
    g_string_append_printf(out, "IDE DMA mappings now held %lu ms before "
                           "their disk I/O\n", ms);
    return 0;
}

static int qmp_screendump(struct qmp_server *qmp, JsonObject *args,
                          JsonNode **ret, struct qmp_error *err, void *opaque)
{
    struct xendm *dm = opaque;
    const char *file = NULL;
    VGAState *vga = vga_of(dm);
    int rc;

    if (qmp_arg_str(args, "filename", true, &file, err) < 0)
        return -EINVAL;
    if (!vga)
        return qmp_error_set(err, QMP_ERROR_DEVICE_NOT_FOUND,
                             "this machine has no VGA");
    rc = vga_screendump(vga, file);
    if (rc)
        return qmp_error_set(err, QMP_ERROR_GENERIC, "screendump %s: %s",
                             file, strerror(-rc));
    *ret = NULL;
    return 0;
}

int xendm_devices_setup(struct xendm *dm, char **err)
{
    int rc = attach_drives(dm, err);

    if (!rc)
        rc = connect_serial(dm, err);
    if (!rc)
        rc = xen_monitor_register(&dm->mon, "debug dma-delay", "MS",
                                  "hold IDE DMA mappings MS ms (testing)",
                                  cmd_dma_delay, dm);
    if (!rc && dm->hvm->machine.has_vga) {
        rc = xen_monitor_register(&dm->mon, "screendump", "PATH.png",
                                  "save the VGA screen as a PNG",
                                  cmd_screendump, dm);
        if (!rc)
            rc = xen_monitor_register(&dm->mon, "info vga-text", NULL,
                                      "the VGA text screen as text",
                                      cmd_vga_text, dm);
        if (!rc)
            rc = qmp_server_register(dm->qmp, "screendump", qmp_screendump, dm);
        if (rc && !*err)
            *err = g_strdup_printf("device commands: %s", strerror(-rc));
    }
    return rc;
}

void xendm_devices_teardown(struct xendm *dm)
{
    if (dm->serial_chr) {
        chardev_set_handlers(dm->serial_chr, NULL, NULL);
        if (dm->hvm)
            serial_set_backend(&dm->hvm->machine.uart.uart, NULL);
        dm->serial_chr = NULL;
    }
}
