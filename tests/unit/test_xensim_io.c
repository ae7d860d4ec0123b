/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xensim_io.c - the guest side against xensim-responder (a device
 * model in another process, on the drop-in libraries): routing like Xen,
 * PCI config through 0xcf8/0xcfc, buffered VGA writes, rep ins/outs,
 * ballooning with IOREQ_TYPE_INVALIDATE, concurrent vCPUs, timeouts.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <xendevicemodel.h>

#include "stubs/guest/guest.h"
#include "tests/unit/xensim_fixture.h"

static struct xsim_fixture fx;
static struct xsg_guest *g;

static void start(const char *const *args)
{
    xsim_fixture_setup(&fx, 64, 2);
    xsim_fixture_responder(&fx, args);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    ck_assert_int_eq(xsg_wait_servers(g, 1, 2000), 0);
}

/* Idempotent: called at the end of each test and as checked teardown. */
static void stop(void)
{
    xsg_detach(g);
    g = NULL;
    if (fx.dir[0])
        xsim_fixture_teardown(&fx);
    fx.dir[0] = '\0';
}

START_TEST(pio_routing)
{
    static const char *const args[] = { "-d", "1", "-p", "0x3f8:0x3ff",
                                        NULL };
    uint32_t v;

    start(args);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x3fd, 1, &v), 0);
    ck_assert_uint_eq(v, 0x78);
    ck_assert_int_eq(xsg_last_server(g, 0), 0);
    ck_assert(xsim_fixture_log_has(&fx, "pio r addr=0x3fd size=1"));
    ck_assert_int_eq(xsg_pio_write(g, 1, 0x3f8, 1, 0x41), 0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x3f8, 1, &v), 0);
    ck_assert_uint_eq(v, 0x41);
    /* Unclaimed: all-ones, nothing reaches the device model. */
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x80, 2, &v), 0);
    ck_assert_uint_eq(v, 0xffff);
    ck_assert_int_eq(xsg_last_server(g, 0), -1);
    /* Straddling the end of the range: not wholly contained. */
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x3ff, 2, &v), 0);
    ck_assert_uint_eq(v, 0xffff);
    ck_assert(!xsim_fixture_log_has(&fx, "addr=0x3ff"));
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x3f8, 3, &v), -EINVAL);
    stop();
}
END_TEST

START_TEST(pci_config)
{
    static const char *const args[] = { "-d", "1", "-p", "0xcf8:0xcff",
                                        "-c", "0x08", "-v", "0x70008086",
                                        NULL };
    uint32_t v;

    start(args);
    /* 00:01.0 registered: PCI_CONFIG with sbdf << 32 | reg. */
    ck_assert_int_eq(xsg_pci_cfg_read(g, 0, 0, 1, 0, 0, 4, &v), 0);
    ck_assert_uint_eq(v, 0x70008086);
    ck_assert(xsim_fixture_log_has(&fx, "pio w addr=0xcf8 size=4 "
                                        "data=0x80000800"));
    ck_assert(xsim_fixture_log_has(&fx, "pci r addr=0x800000000 size=4"));
    ck_assert_int_eq(xsg_pci_cfg_read(g, 0, 0, 1, 0, 2, 2, &v), 0);
    ck_assert(xsim_fixture_log_has(&fx, "pci r addr=0x800000002 size=2"));
    /* 00:02.0 not registered: plain PIO to 0xcfc. */
    ck_assert_int_eq(xsg_pci_cfg_read(g, 0, 0, 2, 0, 0, 4, &v), 0);
    ck_assert(xsim_fixture_log_has(&fx, "pio r addr=0xcfc size=4"));
    ck_assert_int_eq(xsg_pci_cfg_write(g, 0, 0, 1, 0, 0x3c, 1, 0x0b), 0);
    ck_assert(xsim_fixture_log_has(&fx, "pci w addr=0x80000003c size=1 "
                                        "data=0xb"));
    stop();
}
END_TEST

START_TEST(mmio_and_buffered)
{
    static const char *const args[] = { "-d", "1", "-m", "0xa0000:0xbffff",
                                         "-m", "0xfe000000:0xfe000fff",
                                         NULL };
    uint64_t v;

    start(args);
    ck_assert_int_eq(xsg_mmio_write(g, 0, 0xfe000004, 4, 0xdeadbeef), 0);
    ck_assert_int_eq(xsg_mmio_read(g, 1, 0xfe000004, 4, &v), 0);
    ck_assert_uint_eq(v, 0xdeadbeef);
    ck_assert_int_eq(xsg_mmio_read(g, 0, 0xfe001000, 8, &v), 0);
    ck_assert_uint_eq(v, ~0ull);
    /* VGA window writes are posted through the buffered ring. */
    ck_assert_int_eq(xsg_mmio_write(g, 0, 0xa0010, 8, 0x1122334455667788ull),
                     0);
    ck_assert_int_eq(xsg_mmio_write(g, 0, 0xa0020, 1, 0x5a), 0);
    ck_assert(xsim_fixture_wait_log(&fx, "buf w addr=0xa0010 size=8 "
                                          "data=0x1122334455667788", 2000));
    ck_assert(xsim_fixture_wait_log(&fx, "buf w addr=0xa0020 size=1 "
                                          "data=0x5a", 2000));
    /* Reads in the VGA window stay synchronous. */
    ck_assert_int_eq(xsg_mmio_read(g, 0, 0xa0040, 2, &v), 0);
    ck_assert_uint_eq(v, 0x5678);
    /* Many posted writes: the ring wraps without loss. */
    for (int i = 0; i < 1500; i++)
        ck_assert_int_eq(xsg_mmio_write(g, i & 1, 0xb0000 + (uint64_t)i, 1,
                                        (uint64_t)(i & 0xff)), 0);
    ck_assert(xsim_fixture_wait_log(&fx, "buf w addr=0xb05db size=1", 3000));
    stop();
}
END_TEST

START_TEST(rep_ins_outs)
{
    static const char *const args[] = { "-d", "1", "-p", "0x3f8:0x3ff",
                                         "-m", "0xfe000000:0xfe00ffff",
                                         "-v", "0xa1b2c3d4", NULL };
    uint32_t buf[4];

    start(args);
    ck_assert_int_eq(xsg_ram_write(g, 0x10000, "hello", 5), 0);
    ck_assert_int_eq(xsg_pio_rep(g, 0, 0x3f8, 1, 5, false, false, 0x10000),
                     0);
    ck_assert(xsim_fixture_log_has(&fx, "rep-out w addr=0x3f8 rep=5 size=1 "
                                        "df=0 bytes=68656c6c6f"));
    ck_assert_int_eq(xsg_pio_rep(g, 0, 0x3f8, 4, 4, false, true, 0x20ffc),
                     0);
    ck_assert_int_eq(xsg_ram_read(g, 0x20ffc, buf, sizeof(buf)), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(buf[i], 0xa1b2c3d4);
    /* df: items run downwards from the given address. */
    ck_assert_int_eq(xsg_ram_write(g, 0x30000, "abcd", 4), 0);
    ck_assert_int_eq(xsg_pio_rep(g, 0, 0x3f8, 2, 2, true, false, 0x30002),
                     0);
    ck_assert(xsim_fixture_log_has(&fx, "df=1 bytes=61626364"));
    /* rep movs RAM -> MMIO. */
    ck_assert_int_eq(xsg_mmio_rep(g, 1, 0xfe000000, 1, 5, false, false,
                                  0x10000), 0);
    ck_assert(xsim_fixture_log_has(&fx, "movs w addr=0xfe000000 rep=5"));
    /* Unclaimed rep ins fills RAM with all-ones. */
    ck_assert_int_eq(xsg_pio_rep(g, 0, 0x60, 1, 4, false, true, 0x40000), 0);
    ck_assert_int_eq(xsg_ram_read(g, 0x40000, buf, 4), 0);
    ck_assert_uint_eq(buf[0], 0xffffffffu);
    stop();
}
END_TEST

START_TEST(balloon_invalidate)
{
    static const char *const args[] = { "-d", "1", "-p", "0x3f8", NULL };
    struct xsg_obs o1, o2;
    uint8_t b;

    start(args);
    xsg_observe(g, &o1);
    ck_assert(xsg_ram_populated(g, 0x100));
    ck_assert(!xsg_ram_populated(g, 0xa0)); /* VGA hole */
    ck_assert_int_eq(xsg_ram_fill(g, 0x100000, 0x77, 4096), 0);
    ck_assert_int_eq(xsg_balloon_out(g, 1, 0x100, 4), 0);
    ck_assert(xsim_fixture_log_has(&fx, "invalidate"));
    ck_assert(!xsg_ram_populated(g, 0x101));
    ck_assert_int_eq(xsg_ram_read(g, 0x100000, &b, 1), -EFAULT);
    xsg_observe(g, &o2);
    ck_assert_uint_eq(o1.populated_frames - o2.populated_frames, 4);
    ck_assert_int_eq(xsg_balloon_in(g, 0x100, 4), 0);
    ck_assert_int_eq(xsg_ram_read(g, 0x100000, &b, 1), 0);
    ck_assert_uint_eq(b, 0); /* given back: comes back zeroed */
    stop();
}
END_TEST

struct vcpu_arg {
    unsigned int vcpu;
    int errors;
};

static void *vcpu_thread(void *p)
{
    struct vcpu_arg *a = p;

    for (int i = 0; i < 300; i++) {
        uint32_t v;
        uint16_t port = (uint16_t)(0x3f8 + a->vcpu);

        if (xsg_pio_write(g, a->vcpu, port, 4, (uint32_t)i) != 0 ||
            xsg_pio_read(g, a->vcpu, port, 4, &v) != 0 || v != (uint32_t)i)
            a->errors++;
    }
    return NULL;
}

START_TEST(concurrent_vcpus)
{
    static const char *const args[] = { "-d", "1", "-p", "0x3f8:0x3ff",
                                         "-q", NULL };
    struct vcpu_arg a[2] = { { 0, 0 }, { 1, 0 } };
    pthread_t t[2];

    start(args);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, vcpu_thread, &a[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(a[0].errors, 0);
    ck_assert_int_eq(a[1].errors, 0);
    stop();
}
END_TEST

START_TEST(server_priority)
{
    static const char *const args[] = { "-d", "1", "-p", "0x3f8:0x3ff",
                                         NULL };
    xendevicemodel_handle *dm;
    ioservid_t id;
    uint32_t v;

    start(args);
    dm = xendevicemodel_open(NULL, 0);
    ck_assert_ptr_nonnull(dm);
    ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 0, &id), 0);
    ck_assert_uint_eq(id, 1);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(
                         dm, 1, id, 0, 0x3f8, 0x3ff), 0);
    ck_assert_int_eq(xendevicemodel_set_ioreq_server_state(dm, 1, id, 1), 0);
    /* Both claim the port: the highest id is asked first (and is mute). */
    xsg_set_timeout_ms(g, 100);
    ck_assert_int_eq(xsg_pio_read(g, 1, 0x3f8, 1, &v), -ETIMEDOUT);
    ck_assert_int_eq(xsg_last_server(g, 1), 1);
    ck_assert_int_eq(xendevicemodel_set_ioreq_server_state(dm, 1, id, 0), 0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x3f8, 1, &v), 0);
    ck_assert_uint_eq(v, 0x78);
    ck_assert_int_eq(xsg_last_server(g, 0), 0);
    ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1, id), 0);
    xendevicemodel_close(dm);
    stop();
}
END_TEST

START_TEST(timeout_and_shutdown)
{
    xendevicemodel_handle *dm;
    ioservid_t id;
    uint32_t v;

    xsim_fixture_setup(&fx, 16, 1);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    dm = xendevicemodel_open(NULL, 0);
    ck_assert_ptr_nonnull(dm);
    ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 0, &id), 0);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(dm, 1, id, 0,
                                                                 0x60, 0x64),
                     0);
    /* Not enabled yet: unclaimed. */
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x60, 1, &v), 0);
    ck_assert_uint_eq(v, 0xff);
    ck_assert_int_eq(xendevicemodel_set_ioreq_server_state(dm, 1, id, 1), 0);
    xsg_set_timeout_ms(g, 150);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x60, 1, &v), -ETIMEDOUT);
    /* The unanswered request was taken back: the slot is free again. */
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x60, 1, &v), -ETIMEDOUT);
    ck_assert_int_eq(xendevicemodel_shutdown(dm, 1, 0), 0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x64, 1, &v), -ESHUTDOWN);
    ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1, id), 0);
    xendevicemodel_close(dm);
    stop();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("xensim_io");
    TCase *tc = tcase_create("io");

    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, NULL, stop);
    tcase_add_test(tc, pio_routing);
    tcase_add_test(tc, pci_config);
    tcase_add_test(tc, mmio_and_buffered);
    tcase_add_test(tc, rep_ins_outs);
    tcase_add_test(tc, balloon_invalidate);
    tcase_add_test(tc, concurrent_vcpus);
    tcase_add_test(tc, server_priority);
    tcase_add_test(tc, timeout_and_shutdown);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
