/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline.h - xendm's command line: the subset of QEMU's options that
 * libxl passes to a qemu-xen device model, plus xendm's own.
 *
 * One const option table (xendm_options()) drives the parser, --help and
 * QMP query-command-line-options. Syntax follows QEMU: "-opt" or "--opt",
 * the value as the next argument (or "--opt=value"), key=value lists as
 * in keyval.h.
 */
#ifndef XENDM_XEN_CMDLINE_H
#define XENDM_XEN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "util/log.h"
#include "xen/chardev.h"
#include "xen/keyval.h"

/** XENDM_MAX_VCPUS - the HVM vCPU limit -smp is checked against. */
#define XENDM_MAX_VCPUS 128
/** XENDM_DOMID_MAX - highest ordinary domain id (DOMID_FIRST_RESERVED - 1). */
#define XENDM_DOMID_MAX 0x7fefu

/** enum xendm_param_type - type of a key in a key=value option. */
enum xendm_param_type {
    XENDM_PARAM_STRING,
    XENDM_PARAM_BOOL,
    XENDM_PARAM_NUMBER,
    XENDM_PARAM_SIZE,
};

/**
 * struct xendm_param - one key an option accepts.
 * @name: the key.
 * @type: its type (checked by the parser; reported to QMP).
 * @help: one line.
 */
struct xendm_param {
    const char *name;
    enum xendm_param_type type;
    const char *help;
};

/**
 * struct xendm_option - one command-line option.
 * @name: without leading dashes ("chardev", "xen-domid", "log-level").
 * @metavar: the value's placeholder in --help, or NULL for a flag.
 * @help: one line for --help.
 * @implied: key of a leading bare value in a key=value option, or NULL.
 * @params: the keys (terminated by a NULL name), or NULL when the value is
 *          not a key=value list.
 * @any_param: keys beyond @params are allowed (-device properties).
 * @unsupported: non-NULL: recognised but refused, with this reason.
 * @own: xendm's own option (shown as "--name" in --help; QEMU has none).
 */
struct xendm_option {
    const char *name;
    const char *metavar;
    const char *help;
    const char *implied;
    const struct xendm_param *params;
    bool any_param;
    const char *unsupported;
    bool own;
};

/**
 * xendm_options() - the option table.
 * @n: where the number of entries goes.
 * Return: the const table.
 */
const struct xendm_option *xendm_options(size_t *n);

/**
 * xendm_option_find() - look @name up (without dashes).
 * Return: the entry or NULL.
 */
const struct xendm_option *xendm_option_find(const char *name);

/** xendm_param_type_name() - Return: "string", "boolean", "number", "size". */
const char *xendm_param_type_name(enum xendm_param_type t);

/** enum xendm_machine - the -machine type. */
enum xendm_machine {
    XENDM_MACHINE_XENFV,
    XENDM_MACHINE_NONE,
};

/**
 * struct xendm_mon_cfg - one -mon (or -qmp) monitor.
 * @chardev: the chardev id it runs on.
 * @pretty: pretty-print replies.
 */
struct xendm_mon_cfg {
    char *chardev;
    bool pretty;
};

/**
 * struct xendm_serial_cfg - one -serial.
 * @chardev: the chardev id serving it (a generated "serialN" chardev or
 *           one named by "chardev:ID"), or NULL for "none".
 */
struct xendm_serial_cfg {
    char *chardev;
};

/**
 * struct xendm_device_cfg - one -device, kept for the chipset.
 * @driver: the driver name.
 * @props: the other properties, in order.
 */
struct xendm_device_cfg {
    char *driver;
    struct keyval_list props;
};

/**
 * struct xendm_drive_cfg - one -drive.
 * @file: image path, or NULL (an empty CD-ROM).
 * @iface: "ide" or "none".
 * @index: the "index=" (-1 if absent).
 * @media: "disk" or "cdrom".
 * @format: "raw", "qcow2", ... or NULL.
 * @cache: "writeback", ... or NULL.
 * @readonly: readonly=on.
 * @id: the "id=" or NULL.
 * @props: every key as given (including the above).
 */
struct xendm_drive_cfg {
    char *file;
    char *iface;
    int index;
    char *media;
    char *format;
    char *cache;
    bool readonly;
    char *id;
    struct keyval_list props;
};

/**
 * struct xendm_config - the parsed command line. Everything owned; free
 * with xendm_config_clear().
 * @show_help: --help was given (nothing else is validated).
 * @show_version: --version was given.
 * @domid: -xen-domid, or XEN_DOMAIN_ID.
 * @has_domid: a domid was given.
 * @domid_restrict: -xen-domid-restrict.
 * @xen_attach: -xen-attach.
 * @name: -name guest name, or NULL.
 * @start_paused: -S (runstate prelaunch until "cont").
 * @machine: xenfv (default) or none.
 * @accel: the accel= of -machine, or NULL.
 * @suppress_vmdesc: -machine ...,suppress-vmdesc=on.
 * @max_ram_below_4g: bytes, 0 if not given.
 * @ram_size: -m in bytes (default 128 MiB).
 * @maxmem: -m maxmem= in bytes, 0 if not given.
 * @smp_cpus: -smp cpus (default 1).
 * @smp_maxcpus: -smp maxcpus (default = cpus).
 * @boot_order: -boot order=, or NULL.
 * @boot_once: -boot once=, or NULL.
 * @boot_menu: -boot menu=on.
 * @vga: -vga TYPE, or NULL.
 * @chardevs: struct chardev_spec *, from -chardev, -serial, -qmp, in order.
 * @monitors: struct xendm_mon_cfg *.
 * @serials: struct xendm_serial_cfg *.
 * @devices: struct xendm_device_cfg *.
 * @drives: struct xendm_drive_cfg *.
 * @globals: char *, -global DRIVER.PROP=VALUE as given.
 * @nodefaults: -nodefaults (xendm never creates default devices anyway).
 * @no_user_config: -no-user-config.
 * @no_shutdown: -no-shutdown.
 * @display_none: -display none / -nographic.
 * @run_as: -run-with user= / -runas, or NULL.
 * @chroot_dir: -run-with chroot= / -chroot, or NULL.
 * @log_level: --log-level, or LOG_LEVEL_INFO.
 * @trace: --trace.
 */
struct xendm_config {
    bool show_help;
    bool show_version;
    uint32_t domid;
    bool has_domid;
    bool domid_restrict;
    bool xen_attach;
    char *name;
    bool start_paused;
    enum xendm_machine machine;
    char *accel;
    bool suppress_vmdesc;
    uint64_t max_ram_below_4g;
    uint64_t ram_size;
    uint64_t maxmem;
    uint32_t smp_cpus;
    uint32_t smp_maxcpus;
    char *boot_order;
    char *boot_once;
    bool boot_menu;
    char *vga;
    GPtrArray *chardevs;
    GPtrArray *monitors;
    GPtrArray *serials;
    GPtrArray *devices;
    GPtrArray *drives;
    GPtrArray *globals;
    bool nodefaults;
    bool no_user_config;
    bool no_shutdown;
    bool display_none;
    char *run_as;
    char *chroot_dir;
    enum log_level log_level;
    bool trace;
};

/**
 * xendm_config_init() - set the defaults and allocate the lists.
 * @cfg: the config to initialise.
 */
void xendm_config_init(struct xendm_config *cfg);

/** xendm_config_clear() - free everything @cfg owns. */
void xendm_config_clear(struct xendm_config *cfg);

/**
 * xendm_cmdline_parse() - parse a command line into @cfg.
 * @cfg: initialised with xendm_config_init().
 * @argc: argument count. @argv: arguments (argv[0] is the program).
 * @env_domid: the XEN_DOMAIN_ID environment value, or NULL.
 * @err: on failure a message naming the option (g_free()).
 *
 * Stops at --help or --version (setting show_help / show_version).
 * Cross-checks after the last option: -mon names an existing chardev,
 * chardev ids are unique, xenfv has a domid.
 * Return: 0, or -EINVAL (also for -incoming and other refused options).
 */
int xendm_cmdline_parse(struct xendm_config *cfg, int argc, char *const argv[],
                        const char *env_domid, char **err)
    __attribute__((warn_unused_result));

/**
 * xendm_cmdline_usage() - write --help to @out: every option of the table.
 * @out: the stream. @prog: the program name.
 */
void xendm_cmdline_usage(FILE *out, const char *prog);

/** xendm_config_find_chardev() - Return: the chardev spec of @id in @cfg, or NULL. */
const struct chardev_spec *xendm_config_find_chardev(const struct xendm_config *cfg,
                                                     const char *id);

#endif /* XENDM_XEN_CMDLINE_H */
