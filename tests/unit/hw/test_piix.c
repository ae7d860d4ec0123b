/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_piix.c - PIIX3 ISA (PIRQ routes -> set_pci_link_route, reset
 * control 0xcf9 and port 0x92 -> reboot) and PIIX4 PM (PMBA/PMREGMISC
 * mapping, PM1 registers, S5 -> power-off) inside the xenfv machine,
 * accessed as a guest would.
 */
#include <check.h>
#include <string.h>

#include "hw/xenfv.h"
#include "tests/unit/hw/hw_test_helpers.h"

static XenfvMachine m;
static PlatformRecorder rec;

#define ISA PCI_DEVFN(1, 0)
#define PM PCI_DEVFN(1, 3)

static void setup(void)
{
    XenfvMachineConfig cfg = { 0 };

    hw_quiet_logs();
    platform_recorder_init(&rec);
    cfg.platform_ops = rec.platform.ops;
    cfg.platform_opaque = rec.platform.opaque;
    ck_assert_int_eq(xenfv_machine_init(&m, &cfg), 0);
}

static void teardown(void)
{
    xenfv_machine_finalize(&m);
    platform_recorder_destroy(&rec);
}

static uint32_t cfg_rd(uint8_t devfn, uint32_t reg, unsigned size)
{
    return cfg_port_read(&m.as_io, devfn, reg, size);
}

static void cfg_wr(uint8_t devfn, uint32_t reg, uint32_t val, unsigned size)
{
    cfg_port_write(&m.as_io, devfn, reg, val, size);
}

START_TEST(piix3_defaults)
{
    ck_assert_uint_eq(cfg_rd(ISA, PCI_COMMAND, 4), 0x02000007);
    ck_assert_uint_eq(cfg_rd(ISA, 0x60, 4), 0x80808080);
    ck_assert_uint_eq(cfg_rd(ISA, 0x4c, 1), 0x4d);
    ck_assert_uint_eq(cfg_rd(ISA, 0x69, 1), 0x02);
    /* No route calls at power-on. */
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE), 0);
}
END_TEST

START_TEST(pirq_routes_reach_the_platform)
{
    PlatformEvent ev;

    /* hvmloader style: one byte per link. */
    cfg_wr(ISA, 0x60, 10, 1);
    ck_assert(platform_recorder_last(&rec, PLATFORM_EV_LINK_ROUTE, &ev));
    ck_assert_uint_eq(ev.link, 0);
    ck_assert_uint_eq(ev.irq, 10);
    cfg_wr(ISA, 0x63, 5, 1);
    ck_assert(platform_recorder_last(&rec, PLATFORM_EV_LINK_ROUTE, &ev));
    ck_assert_uint_eq(ev.link, 3);
    ck_assert_uint_eq(ev.irq, 5);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE), 2);
    /* A dword write updates all four. */
    cfg_wr(ISA, 0x60, 0x0b0a0905, 4);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE), 6);
    ck_assert_uint_eq(rec.link_route[0], 5);
    ck_assert_uint_eq(rec.link_route[1], 9);
    ck_assert_uint_eq(rec.link_route[2], 10);
    ck_assert_uint_eq(rec.link_route[3], 11);
    ck_assert_uint_eq(cfg_rd(ISA, 0x60, 4), 0x0b0a0905);
    /* Word write at 0x61 touches links 1 and 2 only. */
    cfg_wr(ISA, 0x61, 0x8007, 2);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE), 8);
    ck_assert_uint_eq(rec.link_route[1], 7);
    ck_assert_uint_eq(rec.link_route[2], 0);     /* >= 0x80: disabled */
    /* Values >= 0x80 disable; the low bits beyond 15 are masked. */
    cfg_wr(ISA, 0x60, 0xff, 1);
    ck_assert_uint_eq(rec.link_route[0], 0);
    cfg_wr(ISA, 0x60, 0x1e, 1);
    ck_assert_uint_eq(rec.link_route[0], 14);
    /* Writes near but not on the routes make no call. */
    cfg_wr(ISA, 0x5c, 0xffffffff, 4);
    cfg_wr(ISA, 0x64, 0xffffffff, 4);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE),
                      10);
}
END_TEST

START_TEST(reset_control_0xcf9_reboots)
{
    PlatformEvent ev;

    ck_assert_uint_eq(io_in(&m.as_io, 0xcf9, 1), 0);
    io_out(&m.as_io, 0xcf9, PIIX3_RCR_SRST, 1);        /* no reset yet */
    ck_assert_uint_eq(rec.shutdowns, 0);
    ck_assert_uint_eq(io_in(&m.as_io, 0xcf9, 1), PIIX3_RCR_SRST);
    io_out(&m.as_io, 0xcf9, PIIX3_RCR_SRST | PIIX3_RCR_RCPU, 1);
    ck_assert_uint_eq(rec.shutdowns, 1);
    ck_assert(platform_recorder_last(&rec, PLATFORM_EV_SHUTDOWN, &ev));
    ck_assert_int_eq(ev.reason, PLATFORM_SHUTDOWN_REBOOT);
    /* The latch at 0xcf8 is untouched by all this. */
    io_out(&m.as_io, 0xcf8, 0x80000800, 4);
    ck_assert_uint_eq(io_in(&m.as_io, 0xcf8, 4), 0x80000800);
    ck_assert_uint_eq(io_in(&m.as_io, 0xcfc, 4), 0x70008086);
    ck_assert_uint_eq(rec.shutdowns, 1);
}
END_TEST

START_TEST(port92_fast_init_reboots)
{
    io_out(&m.as_io, 0x92, 0x02, 1);                    /* A20 only */
    ck_assert_uint_eq(rec.shutdowns, 0);
    ck_assert_uint_eq(io_in(&m.as_io, 0x92, 1), 0x02);
    io_out(&m.as_io, 0x92, 0x03, 1);
    ck_assert_uint_eq(rec.shutdowns, 1);
    ck_assert_int_eq(rec.last_shutdown, PLATFORM_SHUTDOWN_REBOOT);
}
END_TEST

START_TEST(pm_defaults_and_pmba_mapping)
{
    ck_assert_uint_eq(cfg_rd(PM, PIIX4_PMBA, 4), 0x00000001);
    ck_assert_uint_eq(cfg_rd(PM, PIIX4_PMREGMISC, 1), 0);
    /* hvmloader: PMBA = 0xb000 | 1, then PMREGMISC bit 0. */
    cfg_wr(PM, PIIX4_PMBA, 0xb001, 4);
    ck_assert_uint_eq(cfg_rd(PM, PIIX4_PMBA, 4), 0xb001);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2), 0xffff);   /* not yet */
    cfg_wr(PM, PIIX4_PMREGMISC, 1, 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2), PIIX4_PM1_CNT_SCI_EN);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb000, 4), 0);
    /* PMBA bits below 6 and above 15 are read-only. */
    cfg_wr(PM, PIIX4_PMBA, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_rd(PM, PIIX4_PMBA, 4), 0xffc1);
    cfg_wr(PM, PIIX4_PMBA, 0xc000, 4);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2), 0xffff);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc004, 2), PIIX4_PM1_CNT_SCI_EN);
    /* The PM timer at PMBA + 8 is left to Xen. */
    ck_assert_uint_eq(io_in(&m.as_io, 0xc008, 4), 0xffffffff);
    cfg_wr(PM, PIIX4_PMREGMISC, 0, 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc004, 2), 0xffff);
}
END_TEST

static void pm_enable(void)
{
    cfg_wr(PM, PIIX4_PMBA, 0xb001, 4);
    cfg_wr(PM, PIIX4_PMREGMISC, 1, 1);
}

START_TEST(pm1_registers)
{
    pm_enable();
    /* EN is read/write on its defined bits. */
    io_out(&m.as_io, 0xb002, 0xffff, 2);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb002, 2), 0x0721);
    /* STS is write-1-to-clear. */
    m.pm.pm1_sts = 0x8121;
    io_out(&m.as_io, 0xb000, 0x0100, 2);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb000, 2), 0x8021);
    io_out(&m.as_io, 0xb000, 0xffff, 2);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb000, 2), 0);
    /* CNT: SLP_TYP kept, SLP_EN reads 0. */
    io_out(&m.as_io, 0xb004, 0x0401, 2);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2), 0x0401);
    ck_assert_uint_eq(rec.shutdowns, 0);
}
END_TEST

START_TEST(pm_s5_xen_dsdt_powers_off)
{
    PlatformEvent ev;

    pm_enable();
    /* SLP_TYP 7 with SLP_EN, one word write. */
    io_out(&m.as_io, 0xb004, (7u << 10) | PIIX4_PM1_CNT_SLP_EN | 1, 2);
    ck_assert_uint_eq(rec.shutdowns, 1);
    ck_assert(platform_recorder_last(&rec, PLATFORM_EV_SHUTDOWN, &ev));
    ck_assert_int_eq(ev.reason, PLATFORM_SHUTDOWN_POWEROFF);
    ck_assert_uint_eq(m.pm.poweroff_requests, 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2) & PIIX4_PM1_CNT_SLP_EN, 0);
}
END_TEST

START_TEST(pm_s5_qemu_convention_and_byte_write)
{
    pm_enable();
    /* SLP_TYP 0 with SLP_EN through a byte write to the high byte. */
    io_out(&m.as_io, 0xb005, PIIX4_PM1_CNT_SLP_EN >> 8, 1);
    ck_assert_uint_eq(rec.shutdowns, 1);
    ck_assert_int_eq(rec.last_shutdown, PLATFORM_SHUTDOWN_POWEROFF);
    /* Type written first, SLP_EN afterwards (two byte writes). */
    io_out(&m.as_io, 0xb005, 7 << 2, 1);
    ck_assert_uint_eq(rec.shutdowns, 1);
    io_out(&m.as_io, 0xb005, (7 << 2) | 0x20, 1);
    ck_assert_uint_eq(rec.shutdowns, 2);
}
END_TEST

START_TEST(pm_other_sleep_types_ignored)
{
    pm_enable();
    for (unsigned typ = 1; typ < 7; typ++)
        io_out(&m.as_io, 0xb004, (typ << 10) | PIIX4_PM1_CNT_SLP_EN, 2);
    ck_assert_uint_eq(rec.shutdowns, 0);
    ck_assert_uint_eq(m.pm.poweroff_requests, 0);
    /* Low byte only: SLP_EN cannot be set that way. */
    io_out(&m.as_io, 0xb004, 0xff, 1);
    ck_assert_uint_eq(rec.shutdowns, 0);
}
END_TEST

START_TEST(pm_s5_through_dword_at_pmba)
{
    pm_enable();
    /* A dword at PMBA+4 (CNT plus the reserved word) still works. */
    io_out(&m.as_io, 0xb004, (7u << 10) | PIIX4_PM1_CNT_SLP_EN, 4);
    ck_assert_uint_eq(rec.shutdowns, 1);
}
END_TEST

START_TEST(hostile_pm_and_reset_ports)
{
    uint64_t st = 77;

    pm_enable();
    for (unsigned i = 0; i < 50000; i++) {
        uint64_t r = hw_rand(&st);
        unsigned size = 1u << (r % 3);
        uint16_t port = (uint16_t)(0xb000 + ((r >> 4) & 0xf));

        if (r & 0x100)
            io_out(&m.as_io, port, (uint32_t)(r >> 32), size);
        else
            (void)io_in(&m.as_io, port, size);
    }
    /* Random writes do hit SLP_EN with an S5 type now and then: each is
     * one power-off request, and nothing else happens. */
    ck_assert_uint_eq(rec.shutdowns, m.pm.poweroff_requests);
    ck_assert_int_eq(rec.last_shutdown, PLATFORM_SHUTDOWN_POWEROFF);
    ck_assert_uint_eq(cfg_rd(PM, 0, 4), 0x71138086);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("piix");
    TCase *tc = tcase_create("piix3+piix4pm");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, piix3_defaults);
    tcase_add_test(tc, pirq_routes_reach_the_platform);
    tcase_add_test(tc, reset_control_0xcf9_reboots);
    tcase_add_test(tc, port92_fast_init_reboots);
    tcase_add_test(tc, pm_defaults_and_pmba_mapping);
    tcase_add_test(tc, pm1_registers);
    tcase_add_test(tc, pm_s5_xen_dsdt_powers_off);
    tcase_add_test(tc, pm_s5_qemu_convention_and_byte_write);
    tcase_add_test(tc, pm_other_sleep_types_ignored);
    tcase_add_test(tc, pm_s5_through_dword_at_pmba);
    tcase_add_test(tc, hostile_pm_and_reset_ports);
    suite_add_tcase(s, tc);
    return hw_run_suite(s);
}
