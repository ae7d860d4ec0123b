/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline-opts.c - the const option table behind the parser, --help and
 * QMP query-command-line-options (see cmdline.h).
 *
 * One entry per option, in --help order. Key lists are const arrays
 * terminated by an entry with a NULL name. No state.
 */
#include "xen/cmdline.h"

#include <string.h>

#define S XENDM_PARAM_STRING
#define B XENDM_PARAM_BOOL
#define N XENDM_PARAM_NUMBER
#define Z XENDM_PARAM_SIZE

static const struct xendm_param chardev_params[] = {
    { "backend", S, "socket, pty, stdio, file or null" },
    { "id", S, "the chardev's label" },
    { "path", S, "socket or file path" },
    { "fd", N, "an inherited socket (listening or connected)" },
    { "server", B, "listen instead of connecting" },
    { "wait", B, "block at start-up until a client connects" },
    { "append", B, "file: append instead of truncating" },
    { "signal", B, "stdio: ^C raises SIGINT" },
    { NULL, S, NULL },
};

static const struct xendm_param mon_params[] = {
    { "chardev", S, "the chardev to serve QMP on" },
    { "mode", S, "control (QMP); readline is not supported" },
    { "pretty", B, "pretty-print replies" },
    { NULL, S, NULL },
};

static const struct xendm_param machine_params[] = {
    { "type", S, "xenfv or none" },
    { "accel", S, "xen" },
    { "suppress-vmdesc", B, "accepted (no migration stream yet)" },
    { "max-ram-below-4g", Z, "top of guest RAM below 4 GiB" },
    { "igd-passthru", B, "only off is supported" },
    { NULL, S, NULL },
};

static const struct xendm_param m_params[] = {
    { "size", Z, "guest RAM (default unit MiB)" },
    { "slots", N, "memory hotplug slots (stored)" },
    { "maxmem", Z, "maximum RAM (stored)" },
    { NULL, S, NULL },
};

static const struct xendm_param smp_params[] = {
    { "cpus", N, "vCPUs at start" },
    { "maxcpus", N, "maximum vCPUs" },
    { "sockets", N, "topology (checked, not used)" },
    { "dies", N, "topology (checked, not used)" },
    { "cores", N, "topology (checked, not used)" },
    { "threads", N, "topology (checked, not used)" },
    { NULL, S, NULL },
};

static const struct xendm_param boot_params[] = {
    { "order", S, "boot devices, letters a-p (c disk, d CD-ROM, n network)" },
    { "once", S, "boot order for the first boot only" },
    { "menu", B, "interactive boot menu" },
    { "splash", S, "splash picture (stored)" },
    { "splash-time", N, "splash time in ms (stored)" },
    { "reboot-timeout", N, "reboot after failed boot, ms (stored)" },
    { "strict", B, "do not fall back (stored)" },
    { NULL, S, NULL },
};

static const struct xendm_param device_params[] = {
    { "driver", S, "the device model name" },
    { NULL, S, NULL },
};

static const struct xendm_param drive_params[] = {
    { "file", S, "disk image" },
    { "if", S, "ide or none" },
    { "index", N, "IDE position 0-3" },
    { "bus", N, "bus number" },
    { "unit", N, "unit on the bus" },
    { "media", S, "disk or cdrom" },
    { "format", S, "image format (raw, qcow2, ...)" },
    { "cache", S, "writeback, writethrough, none, directsync or unsafe" },
    { "readonly", B, "read-only" },
    { "id", S, "drive id" },
    { "aio", S, "threads, native or io_uring (stored)" },
    { "discard", S, "ignore or unmap (stored)" },
    { "detect-zeroes", S, "off, on or unmap (stored)" },
    { "werror", S, "write error action (stored)" },
    { "rerror", S, "read error action (stored)" },
    { "copy-on-read", B, "(stored)" },
    { "auto-read-only", B, "(stored)" },
    { "snapshot", B, "(stored)" },
    { NULL, S, NULL },
};

static const struct xendm_param name_params[] = {
    { "guest", S, "guest name" },
    { "process", S, "process name (stored)" },
    { "debug-threads", B, "name threads (stored)" },
    { NULL, S, NULL },
};

static const struct xendm_param run_with_params[] = {
    { "user", S, "drop to this user (or uid:gid) after set-up" },
    { "chroot", S, "chroot into this directory after set-up" },
    { "async-teardown", B, "accepted, no effect" },
    { NULL, S, NULL },
};

static const struct xendm_param qmp_params[] = {
    { "path", S, "unix:PATH,server=on,wait=off" },
    { NULL, S, NULL },
};

static const struct xendm_option options[] = {
    /* xendm's own */
    { "help", NULL, "print this help and exit", NULL, NULL, false, NULL, true },
    { "version", NULL, "print the version and exit", NULL, NULL, false, NULL, true },
    { "log-level", "LEVEL", "err, warn, info (default), debug or trace", NULL, NULL, false, NULL, true },
    { "trace", NULL, "trace every ioreq and QMP message (log level trace)", NULL, NULL, false, NULL,
      true },
    /* Xen */
    { "xen-domid", "DOMID", "the guest domain to serve", NULL, NULL, false, NULL },
    { "xen-domid-restrict", NULL, "restrict Xen handles to the guest domain", NULL, NULL, false, NULL },
    { "xen-attach", NULL, "attach to an existing domain (accepted; the default)", NULL, NULL, false, NULL },
    /* machine */
    { "machine", "TYPE[,KEY=VALUE...]", "xenfv or none (libxl's probe); also -M",
      "type", machine_params, false, NULL },
    { "M", "TYPE[,KEY=VALUE...]", "same as -machine", "type", machine_params, false, NULL },
    { "m", "SIZE[,KEY=VALUE...]", "guest RAM size (MiB unless suffixed K/M/G/T)", "size", m_params, false, NULL },
    { "smp", "N[,maxcpus=M...]", "number of vCPUs", "cpus", smp_params, false, NULL },
    { "name", "NAME[,KEY=VALUE...]", "guest name", "guest", name_params, false, NULL },
    { "S", NULL, "start paused (runstate prelaunch until QMP cont)", NULL, NULL, false, NULL },
    { "boot", "[order=]DRIVES[,KEY=VALUE...]", "boot order", "order", boot_params, false, NULL },
    { "device", "DRIVER[,PROP=VALUE...]", "add a device to the chipset", "driver", device_params, true, NULL },
    { "drive", "KEY=VALUE[,...]", "add a disk or CD-ROM", NULL, drive_params, false, NULL },
    { "global", "DRIVER.PROP=VALUE", "default property for a device driver", NULL, NULL, false, NULL },
    { "vga", "TYPE", "std, cirrus or none", NULL, NULL, false, NULL },
    /* character devices and monitors */
    { "chardev", "BACKEND,id=ID[,KEY=VALUE...]", "a character device", "backend", chardev_params, false, NULL },
    { "mon", "chardev=ID,mode=control[,pretty=on]", "a QMP monitor on a chardev", NULL, mon_params, false, NULL },
    { "qmp", "unix:PATH,server=on[,wait=off]", "a QMP monitor on a new socket", "path", qmp_params, false, NULL },
    { "serial", "DEV", "a serial port: pty, stdio, null, none, file:PATH, unix:PATH,server=on, chardev:ID",
      NULL, NULL, false, NULL },
    /* defaults and display */
    { "nodefaults", NULL, "no default devices (xendm never creates any)", NULL, NULL, false, NULL },
    { "no-user-config", NULL, "do not read user configuration (xendm reads none)", NULL, NULL, false, NULL },
    { "no-shutdown", NULL, "keep running when the guest powers off", NULL, NULL, false, NULL },
    { "nographic", NULL, "no display (the only mode)", NULL, NULL, false, NULL },
    { "display", "none", "display type; only none", NULL, NULL, false, NULL },
    { "vnc", "none", "VNC server; only none", NULL, NULL, false, NULL },
    { "net", "none", "legacy network option; only none", NULL, NULL, false, NULL },
    /* privileges */
    { "run-with", "user=USER,chroot=DIR", "drop privileges after set-up", NULL, run_with_params, false, NULL },
    { "runas", "USER", "same as -run-with user=USER", NULL, NULL, false, NULL },
    { "chroot", "DIR", "same as -run-with chroot=DIR", NULL, NULL, false, NULL },
    /* recognised, refused */
    { "incoming", "URI", "incoming migration", NULL, NULL, false,
      "incoming migration and restore are not supported yet" },
    { "netdev", "TYPE,...", "network backend", NULL, NULL, false, "network devices are not supported yet" },
    { "spice", "...", "SPICE display", NULL, NULL, false, "SPICE is not supported" },
    { "usb", NULL, "USB controller", NULL, NULL, false, "USB is not supported" },
    { "usbdevice", "DEV", "USB device", NULL, NULL, false, "USB is not supported" },
    { "audiodev", "...", "audio backend", NULL, NULL, false, "audio is not supported" },
    { "soundhw", "...", "sound card", NULL, NULL, false, "audio is not supported" },
    { "loadvm", "TAG", "load a snapshot", NULL, NULL, false, "snapshots are not supported" },
    { "daemonize", NULL, "detach from the terminal", NULL, NULL, false,
      "daemonizing is not supported (libxl runs the device model in the background itself)" },
};

#undef S
#undef B
#undef N
#undef Z

const struct xendm_option *xendm_options(size_t *n)
{
    *n = G_N_ELEMENTS(options);
    return options;
}

const struct xendm_option *xendm_option_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    }
    return NULL;
}

const char *xendm_param_type_name(enum xendm_param_type t)
{
    switch (t) {
    case XENDM_PARAM_BOOL:
        return "boolean";
    case XENDM_PARAM_NUMBER:
        return "number";
    case XENDM_PARAM_SIZE:
        return "size";
    case XENDM_PARAM_STRING:
        break;
    }
    return "string";
}

void xendm_cmdline_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [options]\n"
            "xendm %s - a Xen HVM device model, started by the Xen toolstack (libxl)\n"
            "with the command line of a qemu-xen device model.\n\n"
            "Options (one or two leading dashes; the value is the next argument):\n",
            prog, XENDM_VERSION);
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        const struct xendm_option *o = &options[i];
        g_autofree char *lhs = g_strdup_printf("%s%s%s%s", o->own ? "--" : "-", o->name,
                                               o->metavar ? " " : "",
                                               o->metavar ? o->metavar : "");

        if (o->unsupported)
            continue;
        fprintf(out, "  %-40s %s\n", lhs, o->help);
    }
    fprintf(out, "\nRecognised but not supported (exit status 1):");
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (options[i].unsupported)
            fprintf(out, " -%s", options[i].name);
    }
    fprintf(out,
            "\n\nKey=value lists use ',' between elements and ',,' for a literal comma;\n"
            "booleans are on/off, yes/no or true/false.\n"
            "Environment: XEN_DOMAIN_ID (the domain when -xen-domid is absent).\n"
            "See xendm(1).\n");
}
