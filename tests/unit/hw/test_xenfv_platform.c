/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xenfv_platform.c - the xen-platform device in the xenfv machine:
 * fixed ports 0x10-0x1f (magic, version, flags, unplug through the wired
 * ops, product, build, line-buffered log), BAR0's log port, hostile
 * accesses of every width at every offset.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hw/xenfv.h"
#include "tests/unit/hw/hw_test_helpers.h"
#include "util/log.h"

struct fake_ide {
    unsigned disk_unplugs;
    bool last_keep_primary;
    unsigned nic_unplugs;
};

static void fake_unplug_disks(void *opaque, bool keep_primary_master)
{
    struct fake_ide *f = opaque;

    f->disk_unplugs++;
    f->last_keep_primary = keep_primary_master;
}

static void fake_unplug_nics(void *opaque)
{
    struct fake_ide *f = opaque;

    f->nic_unplugs++;
}

static const XenPlatformUnplugOps fake_ops = {
    .unplug_ide_disks = fake_unplug_disks,
    .unplug_nics = fake_unplug_nics,
};

/* An "IDE" table entry that registers the unplug ops, as the real IDE
 * entry will at integration. */
static struct fake_ide fide;

static int fake_ide_init(XenfvMachine *mm)
{
    memset(&fide, 0, sizeof(fide));
    mm->unplug_ops = &fake_ops;
    mm->unplug_opaque = &fide;
    return 0;
}

struct capture {
    unsigned n;
    char lines[8][300];
};

static struct capture cap;

static void capture_sink(void *opaque, enum log_level level, const char *msg)
{
    struct capture *c = opaque;

    if (strncmp(msg, "xen-platform: guest: ", 21) != 0)
        return;
    if (c->n < 8)
        snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s", msg + 21);
    c->n++;
}

static XenfvMachine m;
static PlatformRecorder rec;
static XenfvDeviceEntry table[16];

static void setup(void)
{
    XenfvMachineConfig cfg = { 0 };
    unsigned n;
    const XenfvDeviceEntry *def = xenfv_device_table(&n);

    /* The default table with a fake disk owner in place of piix3-ide. */
    unsigned k = 0;

    for (unsigned i = 0; i < n; i++) {
        if (strcmp(def[i].name, "piix3-ide") == 0)
            table[k++] = (XenfvDeviceEntry){ "fake-ide", fake_ide_init, NULL,
                                             NULL };
        else
            table[k++] = def[i];
    }
    memset(&cap, 0, sizeof(cap));
    log_set_level(LOG_LEVEL_INFO);
    log_set_sink(capture_sink, &cap);
    platform_recorder_init(&rec);
    cfg.platform_ops = rec.platform.ops;
    cfg.platform_opaque = rec.platform.opaque;
    cfg.devices = table;
    cfg.n_devices = k;
    ck_assert_int_eq(xenfv_machine_init(&m, &cfg), 0);
}

static void teardown(void)
{
    xenfv_machine_finalize(&m);
    platform_recorder_destroy(&rec);
    log_set_sink(NULL, NULL);
}

START_TEST(magic_version_flags)
{
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 2), 0x49d2);
    ck_assert_uint_eq(io_in(&m.as_io, 0x12, 1), 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 1), 0);
    io_out(&m.as_io, 0x10, 0xff, 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 1), XEN_PLATFORM_FLAG_ROM_LOCK);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 2), 0x49d2);
    /* Other widths/offsets read all-ones. */
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 4), 0xffffffff);
    ck_assert_uint_eq(io_in(&m.as_io, 0x12, 2), 0xffff);
    ck_assert_uint_eq(io_in(&m.as_io, 0x14, 1), 0xff);
    ck_assert_uint_eq(io_in(&m.as_io, 0x1f, 1), 0xff);
    /* Reset clears the flags. */
    xenfv_machine_reset(&m);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 1), 0);
}
END_TEST

START_TEST(unplug_reaches_the_disk_owner)
{
    io_out(&m.as_io, 0x10, XEN_UNPLUG_ALL_IDE_DISKS, 2);
    ck_assert_uint_eq(fide.disk_unplugs, 1);
    ck_assert(!fide.last_keep_primary);
    io_out(&m.as_io, 0x10, XEN_UNPLUG_AUX_IDE_DISKS, 2);
    ck_assert_uint_eq(fide.disk_unplugs, 2);
    ck_assert(fide.last_keep_primary);
    io_out(&m.as_io, 0x10, XEN_UNPLUG_ALL_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS,
           2);
    ck_assert(!fide.last_keep_primary);
    io_out(&m.as_io, 0x10, XEN_UNPLUG_ALL_NICS | XEN_UNPLUG_NVME_DISKS, 2);
    ck_assert_uint_eq(fide.disk_unplugs, 3);
    ck_assert_uint_eq(fide.nic_unplugs, 1);
    ck_assert_uint_eq(m.xen_platform.unplugged, 0x0f);
    /* The 32-bit write at 0x10 is the build number, not an unplug. */
    io_out(&m.as_io, 0x10, 0x00000001, 4);
    ck_assert_uint_eq(fide.disk_unplugs, 3);
    ck_assert_uint_eq(m.xen_platform.build, 1);
    /* Byte writes at 0x10/0x11 are not unplugs either. */
    io_out(&m.as_io, 0x10, 0x01, 1);
    io_out(&m.as_io, 0x11, 0x01, 1);
    ck_assert_uint_eq(fide.disk_unplugs, 3);
}
END_TEST

START_TEST(product_and_build_numbers)
{
    io_out(&m.as_io, 0x12, 3, 2);
    ck_assert_uint_eq(m.xen_platform.product, 3);
    io_out(&m.as_io, 0x10, 0x12345678, 4);
    ck_assert_uint_eq(m.xen_platform.build, 0x12345678);
    ck_assert_uint_eq(io_in(&m.as_io, 0x12, 1), 1);
}
END_TEST

START_TEST(log_port_is_line_buffered)
{
    const char *msg = "hello from PV\r\n";

    for (const char *p = msg; *p; p++)
        io_out(&m.as_io, 0x12, (uint8_t)*p, 1);
    ck_assert_uint_eq(cap.n, 1);
    ck_assert_str_eq(cap.lines[0], "hello from PV");
    /* No newline yet: nothing. */
    io_out(&m.as_io, 0x12, 'a', 1);
    io_out(&m.as_io, 0x12, 0x01, 1);           /* unprintable -> '?' */
    ck_assert_uint_eq(cap.n, 1);
    io_out(&m.as_io, 0x12, '\n', 1);
    ck_assert_uint_eq(cap.n, 2);
    ck_assert_str_eq(cap.lines[1], "a?");
    /* A very long line is cut, never overflowed. */
    for (unsigned i = 0; i < 1000; i++)
        io_out(&m.as_io, 0x12, 'x', 1);
    ck_assert_uint_ge(cap.n, 5);
    ck_assert_uint_eq(strlen(cap.lines[2]), XEN_PLATFORM_LOG_LINE - 1);
}
END_TEST

START_TEST(bar0_log_and_flags)
{
    uint8_t xp = PCI_DEVFN(2, 0);
    const char *msg = "bar0\n";

    cfg_port_write(&m.as_io, xp, PCI_BASE_ADDRESS_0, 0xc200, 4);
    cfg_port_write(&m.as_io, xp, PCI_COMMAND, PCI_COMMAND_IO, 2);
    for (const char *p = msg; *p; p++)
        io_out(&m.as_io, 0xc208, (uint8_t)*p, 1);
    ck_assert_uint_eq(cap.n, 1);
    ck_assert_str_eq(cap.lines[0], "bar0");
    io_out(&m.as_io, 0xc200, 1, 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 1), 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc200, 1), 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc2ff, 1), 0xff);
}
END_TEST

START_TEST(hostile_every_width_every_offset)
{
    uint64_t st = 99;

    for (unsigned i = 0; i < 20000; i++) {
        uint64_t r = hw_rand(&st);
        uint16_t port = (uint16_t)(0x10 + (r & 0xf));
        unsigned size = 1u << ((r >> 4) % 3);

        if ((r >> 8) & 1)
            io_out(&m.as_io, port, (uint32_t)(r >> 32), size);
        else
            (void)io_in(&m.as_io, port, size);
    }
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 2), 0x49d2);
    ck_assert_uint_le(m.xen_platform.log_len, XEN_PLATFORM_LOG_LINE - 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xen_platform");
    TCase *tc = tcase_create("ports");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, magic_version_flags);
    tcase_add_test(tc, unplug_reaches_the_disk_owner);
    tcase_add_test(tc, product_and_build_numbers);
    tcase_add_test(tc, log_port_is_line_buffered);
    tcase_add_test(tc, bar0_log_and_flags);
    tcase_add_test(tc, hostile_every_width_every_offset);
    suite_add_tcase(s, tc);
    return hw_run_suite(s);
}
