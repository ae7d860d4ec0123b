/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_platform.c - hw/irq.h lines and recorders, hw/platform.h wrappers
 * (missing ops, error returns), ISA lines bound to a platform, and INTx
 * driven from several threads at once.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "hw/irq.h"
#include "hw/pci.h"
#include "hw/platform.h"
#include "tests/unit/hw/hw_test_helpers.h"

START_TEST(irq_lines_and_recorder)
{
    IRQRecorder r;
    IRQLine a, b, none;

    irq_recorder_init(&r);
    irq_recorder_line(&r, &a, 4);
    irq_recorder_line(&r, &b, 40);
    irq_line_init(&none, NULL, NULL, 3);
    irq_raise(&a);
    irq_raise(&a);
    ck_assert_int_eq(irq_recorder_level(&r, 4), 1);
    ck_assert_uint_eq(irq_recorder_raises(&r, 4), 1);
    irq_lower(&a);
    irq_set_level(&a, 5);                 /* non-zero = asserted */
    ck_assert_int_eq(irq_recorder_level(&r, 4), 1);
    ck_assert_uint_eq(irq_recorder_raises(&r, 4), 2);
    ck_assert_uint_eq(r.calls[4], 4);
    irq_raise(&b);                         /* out of the recorder's range */
    ck_assert_uint_eq(r.out_of_range, 1);
    irq_raise(&none);                      /* unconnected: no-op */
    irq_raise(NULL);
    irq_recorder_destroy(&r);
}
END_TEST

START_TEST(platform_without_ops)
{
    Platform p = { 0 };

    ck_assert_int_eq(platform_set_isa_irq_level(NULL, 4, 1), -ENOSYS);
    ck_assert_int_eq(platform_set_isa_irq_level(&p, 4, 1), -ENOSYS);
    ck_assert_int_eq(platform_set_pci_intx_level(&p, 0, 0, 2, 0, 1), -ENOSYS);
    ck_assert_int_eq(platform_set_pci_link_route(&p, 0, 5), -ENOSYS);
    ck_assert_int_eq(platform_shutdown(&p, PLATFORM_SHUTDOWN_REBOOT), -ENOSYS);
    ck_assert_str_eq(platform_shutdown_reason_name(PLATFORM_SHUTDOWN_POWEROFF),
                     "poweroff");
    ck_assert_str_eq(platform_shutdown_reason_name(PLATFORM_SHUTDOWN_REBOOT),
                     "reboot");
}
END_TEST

START_TEST(recorder_records_and_fails_on_request)
{
    PlatformRecorder rec;
    PlatformEvent ev;
    IRQLine uart;

    platform_recorder_init(&rec);
    platform_isa_irq_line(&rec.platform, &uart, 4);
    irq_raise(&uart);
    ck_assert_uint_eq(rec.isa_level[4], 1);
    ck_assert(platform_recorder_last(&rec, PLATFORM_EV_ISA_IRQ, &ev));
    ck_assert_uint_eq(ev.irq, 4);
    ck_assert_uint_eq(ev.level, 1);
    irq_lower(&uart);
    ck_assert_uint_eq(rec.isa_level[4], 0);
    ck_assert_int_eq(platform_shutdown(&rec.platform,
                                       PLATFORM_SHUTDOWN_POWEROFF), 0);
    ck_assert_uint_eq(rec.shutdowns, 1);
    rec.fail_errno = EIO;
    ck_assert_int_eq(platform_set_pci_link_route(&rec.platform, 1, 9), -EIO);
    ck_assert_uint_eq(rec.link_route[1], 9);  /* still recorded */
    irq_raise(&uart);                           /* error swallowed */
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_ISA_IRQ), 3);
    ck_assert(!platform_recorder_last(&rec, PLATFORM_EV_PCI_INTX, &ev));
    platform_recorder_reset(&rec);
    ck_assert_uint_eq(rec.n_ev, 0);
    ck_assert_uint_eq(rec.shutdowns, 0);
    /* More events than kept: counted, not overflowing. */
    for (unsigned i = 0; i < PLATFORM_RECORDER_MAX + 10; i++)
        irq_set_level(&uart, (int)(i & 1));
    ck_assert_uint_eq(rec.n_ev, PLATFORM_RECORDER_MAX + 10);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_ISA_IRQ),
                      PLATFORM_RECORDER_MAX);
    platform_recorder_destroy(&rec);
}
END_TEST

/* ---- INTx from several threads ---- */

static const PCIDeviceInfo thr_info = { .name = "thr", .vendor_id = 1,
                                        .interrupt_pin = 1 };

struct thr_arg {
    PCIDevice *d;
    unsigned iters;
};

static void *irq_toggler(void *opaque)
{
    struct thr_arg *a = opaque;

    for (unsigned i = 0; i < a->iters; i++)
        pci_set_irq(a->d, (int)(i & 1));
    pci_set_irq(a->d, 0);
    return NULL;
}

START_TEST(intx_from_many_threads)
{
    HwRig r;
    PCIDevice d[4];
    pthread_t t[4];
    struct thr_arg a[4];

    hw_quiet_logs();
    hw_rig_init(&r);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_int_eq(pci_device_init(&d[i], &r.bus, PCI_DEVFN(7, i),
                                         &thr_info, NULL), 0);
        a[i] = (struct thr_arg){ &d[i], 20000 };
    }
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, irq_toggler, &a[i]), 0);
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    /* All deasserted in the end: the shared line is low, count balanced. */
    ck_assert_uint_eq(r.rec.intx_level[7][0], 0);
    ck_assert_uint_eq(r.bus.intx_count[7][0], 0);
    pci_set_irq(&d[2], 1);
    ck_assert_uint_eq(r.rec.intx_level[7][0], 1);
    for (unsigned i = 0; i < 4; i++)
        pci_device_exit(&d[i]);
    ck_assert_uint_eq(r.rec.intx_level[7][0], 0);
    hw_rig_fini(&r);
}
END_TEST

START_TEST(intx_platform_error_is_survived)
{
    HwRig r;
    PCIDevice d;

    hw_quiet_logs();
    hw_rig_init(&r);
    r.rec.fail_errno = EINVAL;
    ck_assert_int_eq(pci_device_init(&d, &r.bus, PCI_DEVFN(8, 0), &thr_info,
                                     NULL), 0);
    pci_set_irq(&d, 1);
    pci_set_irq(&d, 0);
    ck_assert_uint_eq(platform_recorder_count(&r.rec, PLATFORM_EV_PCI_INTX), 2);
    pci_device_exit(&d);
    hw_rig_fini(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("irq+platform");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, irq_lines_and_recorder);
    tcase_add_test(tc, platform_without_ops);
    tcase_add_test(tc, recorder_records_and_fails_on_request);
    tcase_add_test(tc, intx_from_many_threads);
    tcase_add_test(tc, intx_platform_error_is_survived);
    suite_add_tcase(s, tc);
    return hw_run_suite(s);
}
