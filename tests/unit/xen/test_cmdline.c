/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cmdline.c - xendm's command line: libxl's real invocations (the
 * probe and a full xenfv launch), QEMU option syntax, every error path.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/cmdline.h"
#include "xen/keyval.h"

/* Parse a NULL-terminated argument list (argv[0] added). */
static int parse_v(struct xendm_config *cfg, const char *env, char **err, const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    int ret;

    g_ptr_array_add(argv, (char *)"xendm");
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);
    xendm_config_init(cfg);
    ret = xendm_cmdline_parse(cfg, (int)argv->len - 1, (char *const *)argv->pdata, env, err);
    g_ptr_array_free(argv, TRUE);
    return ret;
}

#define PARSE(cfg, env, err, ...) parse_v((cfg), (env), (err), (const char *const[]){ __VA_ARGS__, NULL })

/* Expect failure whose message contains @needle. */
static void expect_error(const char *needle, const char *const *args)
{
    struct xendm_config cfg;
    char *err = NULL;

    ck_assert_int_eq(parse_v(&cfg, NULL, &err, args), -EINVAL);
    ck_assert_ptr_nonnull(err);
    if (!strstr(err, needle))
        ck_abort_msg("error '%s' does not contain '%s'", err, needle);
    g_free(err);
    xendm_config_clear(&cfg);
}

#define EXPECT_ERROR(needle, ...) expect_error((needle), (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(libxl_probe)
{
    struct xendm_config cfg;
    char *err = NULL;
    const struct chardev_spec *s;
    const struct xendm_mon_cfg *m;

    ck_assert_int_eq(PARSE(&cfg, NULL, &err, "-S", "-no-user-config", "-nodefaults",
                           "-nographic", "-machine", "none,accel=xen", "-chardev",
                           "socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-probe,server=on,wait=off",
                           "-mon", "chardev=libxl-cmd,mode=control"), 0);
    ck_assert_ptr_null(err);
    ck_assert(cfg.start_paused);
    ck_assert(cfg.no_user_config && cfg.nodefaults && cfg.display_none);
    ck_assert_int_eq(cfg.machine, XENDM_MACHINE_NONE);
    ck_assert_str_eq(cfg.accel, "xen");
    ck_assert(!cfg.has_domid);
    ck_assert_uint_eq(cfg.chardevs->len, 1);
    s = g_ptr_array_index(cfg.chardevs, 0);
    ck_assert_str_eq(s->id, "libxl-cmd");
    ck_assert_int_eq(s->backend, CHARDEV_SOCKET);
    ck_assert_str_eq(s->path, "/var/run/xen/qmp-libxl-probe");
    ck_assert(s->server);
    ck_assert(!s->wait);
    ck_assert_int_eq(s->fd, -1);
    ck_assert_uint_eq(cfg.monitors->len, 1);
    m = g_ptr_array_index(cfg.monitors, 0);
    ck_assert_str_eq(m->chardev, "libxl-cmd");
    xendm_config_clear(&cfg);
}
END_TEST

START_TEST(libxl_xenfv_launch)
{
    struct xendm_config cfg;
    char *err = NULL;
    const struct xendm_device_cfg *d;
    const struct xendm_drive_cfg *dr;
    const struct xendm_serial_cfg *ser;
    const struct chardev_spec *s;

    int rc = PARSE(&cfg, "5", &err, "-xen-domid", "5", "-no-shutdown",
        "-chardev", "socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-5,server=on,wait=off",
        "-mon", "chardev=libxl-cmd,mode=control",
        "-chardev", "socket,id=libxenstat-cmd,path=/var/run/xen/qmp-libxenstat-5,server=on,wait=off",
        "-mon", "chardev=libxenstat-cmd,mode=control",
        "-nodefaults", "-no-user-config", "-name", "guest1",
        "-vnc", "none", "-display", "none", "-serial", "pty",
        "-device", "VGA,vgamem_mb=16", "-boot", "order=cda",
        "-smp", "2,maxcpus=4", "-net", "none",
        "-machine", "xenfv,suppress-vmdesc=on,max-ram-below-4g=3758096384",
        "-m", "1016",
        "-drive", "file=/var/lib/xen/images/guest1.img,if=ide,index=0,media=disk,format=raw,cache=writeback",
        "-drive", "if=ide,index=2,readonly=on,media=cdrom,id=ide-5632",
        "-xen-domid-restrict",
        "-run-with", "chroot=/var/run/xen/qemu-root-5,user=xen-qemuuser-range-base",
        "-xen-attach");
    if (rc)
        ck_abort_msg("parse failed: %s", err);
    ck_assert(cfg.has_domid);
    ck_assert_uint_eq(cfg.domid, 5);
    ck_assert(cfg.no_shutdown && cfg.domid_restrict && cfg.xen_attach);
    ck_assert_str_eq(cfg.name, "guest1");
    ck_assert(!cfg.start_paused);
    ck_assert_int_eq(cfg.machine, XENDM_MACHINE_XENFV);
    ck_assert(cfg.suppress_vmdesc);
    ck_assert_uint_eq(cfg.max_ram_below_4g, 3758096384ull);
    ck_assert_uint_eq(cfg.ram_size, 1016ull << 20);
    ck_assert_uint_eq(cfg.smp_cpus, 2);
    ck_assert_uint_eq(cfg.smp_maxcpus, 4);
    ck_assert_str_eq(cfg.boot_order, "cda");
    ck_assert_uint_eq(cfg.chardevs->len, 3);          /* two QMP + serial0 */
    ck_assert_uint_eq(cfg.monitors->len, 2);
    ck_assert_uint_eq(cfg.serials->len, 1);
    ser = g_ptr_array_index(cfg.serials, 0);
    ck_assert_str_eq(ser->chardev, "serial0");
    s = xendm_config_find_chardev(&cfg, "serial0");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->backend, CHARDEV_PTY);
    ck_assert_uint_eq(cfg.devices->len, 1);
    d = g_ptr_array_index(cfg.devices, 0);
    ck_assert_str_eq(d->driver, "VGA");
    ck_assert_str_eq(keyval_get(&d->props, "vgamem_mb"), "16");
    ck_assert_uint_eq(cfg.drives->len, 2);
    dr = g_ptr_array_index(cfg.drives, 0);
    ck_assert_str_eq(dr->file, "/var/lib/xen/images/guest1.img");
    ck_assert_str_eq(dr->iface, "ide");
    ck_assert_int_eq(dr->index, 0);
    ck_assert_str_eq(dr->media, "disk");
    ck_assert_str_eq(dr->format, "raw");
    ck_assert_str_eq(dr->cache, "writeback");
    ck_assert(!dr->readonly);
    dr = g_ptr_array_index(cfg.drives, 1);
    ck_assert_ptr_null(dr->file);
    ck_assert_str_eq(dr->media, "cdrom");
    ck_assert_int_eq(dr->index, 2);
    ck_assert(dr->readonly);
    ck_assert_str_eq(dr->id, "ide-5632");
    ck_assert_str_eq(cfg.chroot_dir, "/var/run/xen/qemu-root-5");
    ck_assert_str_eq(cfg.run_as, "xen-qemuuser-range-base");
    xendm_config_clear(&cfg);
}
END_TEST

START_TEST(libxl_fd_and_older_options)
{
    struct xendm_config cfg;
    char *err = NULL;
    const struct chardev_spec *s;

    int rc = PARSE(&cfg, NULL, &err, "--xen-domid", "7", "-S",
        "-chardev", "socket,id=libxl-cmd,fd=3,server=on,wait=off",
        "-mon", "chardev=libxl-cmd,mode=control", "-runas", "qemu", "-chroot", "/var/empty",
        "-qmp", "unix:/run/q.sock,server,nowait", "-vga", "std", "-M", "xenfv",
        "-global", "VGA.vgamem_mb=8", "-m", "2G", "-smp", "4", "-boot", "cd",
        "--log-level", "debug", "--trace");
    if (rc)
        ck_abort_msg("parse failed: %s", err);
    s = xendm_config_find_chardev(&cfg, "libxl-cmd");
    ck_assert_int_eq(s->fd, 3);
    ck_assert_ptr_null(s->path);
    s = xendm_config_find_chardev(&cfg, "compat_monitor0");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->path, "/run/q.sock");
    ck_assert(s->server && !s->wait);
    ck_assert_uint_eq(cfg.monitors->len, 2);
    ck_assert_str_eq(cfg.run_as, "qemu");
    ck_assert_str_eq(cfg.chroot_dir, "/var/empty");
    ck_assert_str_eq(cfg.vga, "std");
    ck_assert_uint_eq(cfg.globals->len, 1);
    ck_assert_uint_eq(cfg.ram_size, 2ull << 30);
    ck_assert_uint_eq(cfg.smp_cpus, 4);
    ck_assert_uint_eq(cfg.smp_maxcpus, 4);
    ck_assert_str_eq(cfg.boot_order, "cd");
    ck_assert_int_eq(cfg.log_level, LOG_LEVEL_DEBUG);
    ck_assert(cfg.trace);
    xendm_config_clear(&cfg);
}
END_TEST

START_TEST(env_domid)
{
    struct xendm_config cfg;
    char *err = NULL;

    ck_assert_int_eq(PARSE(&cfg, "12", &err, "-machine", "xenfv"), 0);
    ck_assert(cfg.has_domid);
    ck_assert_uint_eq(cfg.domid, 12);
    xendm_config_clear(&cfg);
    /* -xen-domid wins over the environment. */
    ck_assert_int_eq(PARSE(&cfg, "12", &err, "-xen-domid", "3"), 0);
    ck_assert_uint_eq(cfg.domid, 3);
    xendm_config_clear(&cfg);
    ck_assert_int_eq(PARSE(&cfg, "twelve", &err, "-machine", "xenfv"), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "XEN_DOMAIN_ID"));
    g_free(err);
    xendm_config_clear(&cfg);
}
END_TEST

START_TEST(help_and_version)
{
    struct xendm_config cfg;
    char *err = NULL;
    char *buf = NULL;
    size_t len = 0, n;
    const struct xendm_option *opts = xendm_options(&n);
    FILE *f;

    ck_assert_int_eq(PARSE(&cfg, NULL, &err, "--help", "-bogus"), 0);
    ck_assert(cfg.show_help);
    xendm_config_clear(&cfg);
    ck_assert_int_eq(PARSE(&cfg, NULL, &err, "-version"), 0);
    ck_assert(cfg.show_version);
    xendm_config_clear(&cfg);

    f = open_memstream(&buf, &len);
    xendm_cmdline_usage(f, "xendm");
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        g_autofree char *needle = g_strdup_printf("-%s", opts[i].name);

        if (!strstr(buf, needle))
            ck_abort_msg("--help does not mention %s", needle);
    }
    free(buf);
}
END_TEST

START_TEST(errors)
{
    EXPECT_ERROR("-bogus: unknown option", "-bogus");
    EXPECT_ERROR("--frobnicate: unknown option", "--frobnicate", "1");
    EXPECT_ERROR("unexpected argument 'disk.img'", "disk.img");
    EXPECT_ERROR("-m: missing value", "-m");
    EXPECT_ERROR("-xen-domid: missing value", "-machine", "none", "-xen-domid");
    EXPECT_ERROR("-xen-domid: bad domain id 'abc'", "-xen-domid", "abc");
    EXPECT_ERROR("-xen-domid: bad domain id '32752'", "-xen-domid", "32752");
    EXPECT_ERROR("-xen-domid: bad domain id '-1'", "-xen-domid", "-1");
    EXPECT_ERROR("-smp: parameter 'cpus' expects a number, not 'x'", "-machine", "none", "-smp", "x");
    EXPECT_ERROR("-smp: cpus=0 is out of range", "-machine", "none", "-smp", "0");
    EXPECT_ERROR("-smp: cpus=129 is out of range", "-machine", "none", "-smp", "129");
    EXPECT_ERROR("-smp: maxcpus=2 is below cpus=4", "-machine", "none", "-smp", "4,maxcpus=2");
    EXPECT_ERROR("-m: bad size '0'", "-machine", "none", "-m", "0");
    EXPECT_ERROR("-m: parameter 'size' expects a size, not '12Q'", "-machine", "none", "-m", "12Q");
    EXPECT_ERROR("too large", "-machine", "none", "-m", "99999999999999T");
    EXPECT_ERROR("-chardev: unknown parameter 'bogus'", "-machine", "none",
                 "-chardev", "socket,id=a,path=/x,server=on,bogus=1");
    EXPECT_ERROR("-chardev: parameter 'server' expects on/off, not 'maybe'", "-machine", "none",
                 "-chardev", "socket,id=a,path=/x,server=maybe");
    EXPECT_ERROR("-chardev: missing id=", "-machine", "none", "-chardev", "socket,path=/x,server=on");
    EXPECT_ERROR("-chardev: unsupported backend 'spicevmc'", "-machine", "none",
                 "-chardev", "spicevmc,id=x");
    EXPECT_ERROR("-chardev: a socket needs exactly one of path= and fd=", "-machine", "none",
                 "-chardev", "socket,id=a,server=on");
    EXPECT_ERROR("-chardev: parameter 'path' is not valid for backend 'pty'", "-machine", "none",
                 "-chardev", "pty,id=a,path=/x");
    EXPECT_ERROR("-chardev: duplicate chardev id 'a'", "-machine", "none",
                 "-chardev", "pty,id=a", "-chardev", "null,id=a");
    EXPECT_ERROR("-chardev: unknown parameter 'host'", "-machine", "none",
                 "-chardev", "socket,id=a,host=localhost,port=4444,server=on");
    EXPECT_ERROR("-incoming: incoming migration and restore are not supported yet",
                 "-machine", "none", "-incoming", "fd:3");
    EXPECT_ERROR("-netdev: network devices are not supported yet", "-netdev", "type=tap,id=n");
    EXPECT_ERROR("-machine: unknown machine type 'pc'", "-machine", "pc");
    EXPECT_ERROR("-machine: machine 'xenpv' is not supported", "-machine", "xenpv");
    EXPECT_ERROR("-machine: accelerator 'kvm' is not supported", "-machine", "none,accel=kvm");
    EXPECT_ERROR("-machine: unknown parameter 'usb'", "-machine", "xenfv,usb=on");
    EXPECT_ERROR("-machine: max-ram-below-4g=5G is above 4 GiB", "-machine", "xenfv,max-ram-below-4g=5G",
                 "-xen-domid", "1");
    EXPECT_ERROR("-mon: mode=readline (HMP) is not supported", "-machine", "none",
                 "-chardev", "pty,id=a", "-mon", "chardev=a");
    EXPECT_ERROR("-mon: chardev 'nope' is not defined", "-machine", "none", "-mon",
                 "chardev=nope,mode=control");
    EXPECT_ERROR("-mon: chardev 'a' already has a monitor", "-machine", "none",
                 "-chardev", "pty,id=a", "-mon", "chardev=a,mode=control",
                 "-mon", "chardev=a,mode=control");
    EXPECT_ERROR("-xen-domid: missing", "-machine", "xenfv");
    EXPECT_ERROR("-xen-domid: missing", "-machine", "none", "-xen-domid-restrict");
    EXPECT_ERROR("-vnc: '127.0.0.1:0' is not supported", "-vnc", "127.0.0.1:0");
    EXPECT_ERROR("-display: 'gtk' is not supported", "-display", "gtk");
    EXPECT_ERROR("-net: 'nic' is not supported", "-net", "nic");
    EXPECT_ERROR("-drive: if=scsi is not supported", "-machine", "none", "-drive", "file=/a,if=scsi");
    EXPECT_ERROR("-drive: a disk needs file=", "-machine", "none", "-drive", "if=ide,index=0");
    EXPECT_ERROR("-drive: index=4 is out of range", "-machine", "none", "-drive", "file=/a,index=4");
    EXPECT_ERROR("-drive: cache=fast is not valid", "-machine", "none", "-drive", "file=/a,cache=fast");
    EXPECT_ERROR("-drive: unknown parameter 'bogus'", "-machine", "none", "-drive", "file=/a,bogus=1");
    EXPECT_ERROR("-drive: parameter 'readonly' expects on/off", "-machine", "none",
                 "-drive", "file=/a,readonly=2");
    EXPECT_ERROR("-boot: bad boot order 'cz'", "-machine", "none", "-boot", "order=cz");
    EXPECT_ERROR("-device: missing the driver name", "-machine", "none", "-device", "vgamem_mb=1");
    EXPECT_ERROR("-serial: unsupported device 'tcp:1.2.3.4:5'", "-machine", "none",
                 "-serial", "tcp:1.2.3.4:5");
    EXPECT_ERROR("-serial: chardev 'c0' is not defined", "-machine", "none", "-serial", "chardev:c0");
    EXPECT_ERROR("-run-with: unknown parameter 'group'", "-run-with", "group=x");
    EXPECT_ERROR("-log-level: unknown level 'loud'", "--log-level", "loud");
    EXPECT_ERROR("-global: expected DRIVER.PROPERTY=VALUE", "-global", "novalue");
    EXPECT_ERROR("-vga: 'qxl' is not supported", "-vga", "qxl");
    EXPECT_ERROR("-chardev: trailing ','", "-chardev", "pty,id=a,");
    EXPECT_ERROR("-chardev: empty element", "-chardev", ",id=a");
    EXPECT_ERROR("-chardev: unsupported backend 'pty,'", "-chardev", "pty,,,id=a");
}
END_TEST

START_TEST(keyval_syntax)
{
    struct keyval_list kv = { 0 };
    char *err = NULL;

    ck_assert_int_eq(keyval_parse("socket,id=a,,b,path=/tmp/x,,y,server,nowait", "backend",
                                  &kv, &err), 0);
    ck_assert_str_eq(keyval_get(&kv, "backend"), "socket");
    ck_assert_str_eq(keyval_get(&kv, "id"), "a,b");
    ck_assert_str_eq(keyval_get(&kv, "path"), "/tmp/x,y");
    ck_assert_str_eq(keyval_get(&kv, "server"), "on");
    ck_assert_str_eq(keyval_get(&kv, "nowait"), "on");
    keyval_list_clear(&kv);
    /* Repeated key: last wins; without an implied key a bare word is a flag. */
    ck_assert_int_eq(keyval_parse("a=1,b=2,a=3,c", NULL, &kv, &err), 0);
    ck_assert_uint_eq(kv.n, 3);
    ck_assert_str_eq(keyval_get(&kv, "a"), "3");
    ck_assert_str_eq(keyval_get(&kv, "c"), "on");
    keyval_list_clear(&kv);
    ck_assert_int_eq(keyval_parse("", NULL, &kv, &err), -EINVAL);
    g_free(err);
    ck_assert_int_eq(keyval_parse("=x", NULL, &kv, &err), -EINVAL);
    g_free(err);
    ck_assert_uint_eq(kv.n, 0);
}
END_TEST

START_TEST(value_parsers)
{
    uint64_t v;
    bool b;

    ck_assert_int_eq(keyval_parse_size("1024", 1ull << 20, &v), 0);
    ck_assert_uint_eq(v, 1024ull << 20);
    ck_assert_int_eq(keyval_parse_size("2G", 1ull << 20, &v), 0);
    ck_assert_uint_eq(v, 2ull << 30);
    ck_assert_int_eq(keyval_parse_size("512k", 1, &v), 0);
    ck_assert_uint_eq(v, 512ull << 10);
    ck_assert_int_eq(keyval_parse_size("4096B", 1ull << 20, &v), 0);
    ck_assert_uint_eq(v, 4096);
    ck_assert_int_eq(keyval_parse_size("G", 1, &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_size("1.5G", 1, &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_size("-1", 1, &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_size("16E", 1, &v), -ERANGE);
    ck_assert_int_eq(keyval_parse_u64("0x10", &v), 0);
    ck_assert_uint_eq(v, 16);
    ck_assert_int_eq(keyval_parse_u64("18446744073709551615", &v), 0);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(keyval_parse_u64("18446744073709551616", &v), -ERANGE);
    ck_assert_int_eq(keyval_parse_u64("12a", &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_u64(" 1", &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_u64("0x", &v), -EINVAL);
    ck_assert_int_eq(keyval_parse_bool("yes", &b), 0);
    ck_assert(b);
    ck_assert_int_eq(keyval_parse_bool("off", &b), 0);
    ck_assert(!b);
    ck_assert_int_eq(keyval_parse_bool("1", &b), -EINVAL);
}
END_TEST

START_TEST(legacy_forms)
{
    struct xendm_config cfg;
    char *err = NULL;
    const struct chardev_spec *s;

    int rc = PARSE(&cfg, NULL, &err, "-machine", "type=none", "--name=vm,,1",
                   "-chardev", "socket,id=m,path=/tmp/a,,b,server,nowait",
                   "-mon", "chardev=m,mode=control,pretty=on",
                   "-serial", "file:/tmp/serial.log", "-serial", "none",
                   "-chardev", "stdio,id=s", "-serial", "chardev:s",
                   "-boot", "order=c,menu=on", "-m", "size=256,maxmem=1G");
    if (rc)
        ck_abort_msg("parse failed: %s", err);
    ck_assert_str_eq(cfg.name, "vm,1");
    s = xendm_config_find_chardev(&cfg, "m");
    ck_assert_str_eq(s->path, "/tmp/a,b");
    ck_assert(s->server);
    ck_assert(!s->wait);
    s = xendm_config_find_chardev(&cfg, "serial0");
    ck_assert_int_eq(s->backend, CHARDEV_FILE);
    ck_assert_str_eq(s->path, "/tmp/serial.log");
    ck_assert_uint_eq(cfg.serials->len, 3);
    ck_assert_ptr_null(((struct xendm_serial_cfg *)g_ptr_array_index(cfg.serials, 1))->chardev);
    ck_assert_str_eq(((struct xendm_serial_cfg *)g_ptr_array_index(cfg.serials, 2))->chardev, "s");
    ck_assert(((struct xendm_mon_cfg *)g_ptr_array_index(cfg.monitors, 0))->pretty);
    ck_assert(cfg.boot_menu);
    ck_assert_uint_eq(cfg.ram_size, 256ull << 20);
    ck_assert_uint_eq(cfg.maxmem, 1ull << 30);
    xendm_config_clear(&cfg);
    /* server=on without wait=off waits, like QEMU. */
    ck_assert_int_eq(PARSE(&cfg, NULL, &err, "-machine", "none", "-chardev",
                           "socket,id=m,path=/tmp/a,server=on"), 0);
    ck_assert(((struct chardev_spec *)g_ptr_array_index(cfg.chardevs, 0))->wait);
    xendm_config_clear(&cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xen_cmdline");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, libxl_probe);
    tcase_add_test(tc, libxl_xenfv_launch);
    tcase_add_test(tc, libxl_fd_and_older_options);
    tcase_add_test(tc, env_domid);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, keyval_syntax);
    tcase_add_test(tc, value_parsers);
    tcase_add_test(tc, legacy_forms);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
