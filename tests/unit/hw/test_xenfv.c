/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xenfv.c - the machine: what a firmware scan sees (IDs, classes,
 * header types, subsystems, BAR sizes of every function), the device
 * table's order and reverse unwinding, reset, and the placement rules
 * (BARs under RAM and fixed ports, BARs over each other).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "hw/xenfv.h"
#include "tests/unit/hw/hw_test_helpers.h"

static XenfvMachine m;
static PlatformRecorder rec;

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

/* Firmware-style BAR sizing: save, write all-ones, read, restore. */
static uint32_t bar_size_probe(uint8_t devfn, int n)
{
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * (uint32_t)n;
    uint32_t old = cfg_rd(devfn, reg, 4), v;

    cfg_wr(devfn, reg, 0xffffffff, 4);
    v = cfg_rd(devfn, reg, 4);
    cfg_wr(devfn, reg, old, 4);
    return v;
}

struct expect_fn {
    uint8_t devfn;
    uint32_t id;            /* device << 16 | vendor */
    uint32_t class_rev;     /* class << 8 | prog_if ... as dword 0x08 */
    uint8_t header;
    uint32_t subsys;        /* ssid << 16 | ssvid */
    uint8_t pin;
    uint32_t bars[6];       /* sizing read-back */
};

START_TEST(firmware_scan_sees_the_chipset)
{
    static const struct expect_fn fns[] = {
        { PCI_DEVFN(0, 0), 0x12378086, 0x06000002, 0x00, 0x11001af4, 0,
          { 0 } },
        { PCI_DEVFN(1, 0), 0x70008086, 0x06010000, 0x80, 0x11001af4, 0,
          { 0 } },
        { PCI_DEVFN(1, 1), 0x70108086, 0x01018000, 0x00, 0x11001af4, 0,
          { 0, 0, 0, 0, 0xfffffff1, 0 } },
        { PCI_DEVFN(1, 3), 0x71138086, 0x06800003, 0x00, 0x11001af4, 1,
          { 0 } },
        { PCI_DEVFN(2, 0), 0x00015853, 0xff800001, 0x00, 0x00015853, 1,
          { 0xffffff01, 0xff000008, 0, 0, 0, 0 } },
    };
    unsigned present = 0;

    for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        const struct expect_fn *f = &fns[i];

        ck_assert_uint_eq(cfg_rd(f->devfn, PCI_VENDOR_ID, 4), f->id);
        ck_assert_uint_eq(cfg_rd(f->devfn, PCI_REVISION_ID, 4), f->class_rev);
        ck_assert_uint_eq(cfg_rd(f->devfn, PCI_HEADER_TYPE, 1), f->header);
        ck_assert_uint_eq(cfg_rd(f->devfn, PCI_SUBSYSTEM_VENDOR_ID, 4),
                          f->subsys);
        ck_assert_uint_eq(cfg_rd(f->devfn, PCI_INTERRUPT_PIN, 1), f->pin);
        for (int n = 0; n < 6; n++)
            ck_assert_uint_eq(bar_size_probe(f->devfn, n), f->bars[n]);
    }
    /* Scan every devfn: exactly these answer (others all-ones). */
    for (unsigned devfn = 0; devfn < 256; devfn++)
        if (cfg_rd((uint8_t)devfn, 0, 4) != 0xffffffff)
            present++;
    ck_assert_uint_eq(present, 5);          /* no VGA unless configured */
    /* The PCI_CONFIG ioreq path answers the same. */
    ck_assert_uint_eq(pci_bus_config_read(&m.bus, PCI_SBDF(0, 0, 0x08), 0, 4),
                      0x70008086);
    ck_assert_uint_eq(pci_bus_config_read(&m.bus, PCI_SBDF(0, 0, 0x0b), 0x40,
                                          4), 0x00000001);
}
END_TEST

START_TEST(xen_platform_bars_decode)
{
    uint8_t xp = PCI_DEVFN(2, 0);

    cfg_wr(xp, PCI_BASE_ADDRESS_0, 0xc100, 4);
    cfg_wr(xp, PCI_BASE_ADDRESS_0 + 4, 0xf0000000, 4);
    cfg_wr(xp, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(pci_get_bar_addr(&m.xen_platform.pci, 0), 0xc100);
    ck_assert_uint_eq(pci_get_bar_addr(&m.xen_platform.pci, 1), 0xf0000000);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf0000000, 4), 0);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf0fffffc, 4), 0);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf1000000, 4), 0xffffffff);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc100, 1), 0);      /* flags */
    ck_assert_uint_eq(io_in(&m.as_io, 0xc104, 4), 0xffffffff);
    cfg_wr(xp, PCI_COMMAND, 0, 2);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf0000000, 4), 0xffffffff);
}
END_TEST

START_TEST(bar_over_ram_is_hidden_by_ram)
{
    MemoryRegion ram;
    uint8_t xp = PCI_DEVFN(2, 0);

    ck_assert_int_eq(memory_region_init_ram(&ram, m.ms, NULL, "ram",
                                            32 << 20), 0);
    memory_region_add_subregion(&m.system, 0, &ram);
    mem_st(&m.as_mem, 0x1000000, 0x5a5a5a5a, 4);
    /* BAR1 (16 MiB) programmed over RAM at 16 MiB, and half over the end. */
    cfg_wr(xp, PCI_BASE_ADDRESS_0 + 4, 0x1000000, 4);
    cfg_wr(xp, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(pci_get_bar_addr(&m.xen_platform.pci, 1), 0x1000000);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0x1000000, 4), 0x5a5a5a5a);
    mem_st(&m.as_mem, 0x1000004, 0x12345678, 4);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0x1000004, 4), 0x12345678);
    /* Moved to just past the end of RAM, the BAR answers. */
    cfg_wr(xp, PCI_BASE_ADDRESS_0 + 4, 0x2000000, 4);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0x1000000, 4), 0x5a5a5a5a);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0x2000000, 4), 0);
    cfg_wr(xp, PCI_COMMAND, 0, 2);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0x2000000, 4), 0xffffffff);
    memory_region_del_subregion(&m.system, &ram);
    memory_region_finalize(&ram);
}
END_TEST

START_TEST(io_bar_over_fixed_ports_is_hidden)
{
    uint8_t xp = PCI_DEVFN(2, 0);

    /* BAR0 (256 bytes) over 0xc00-0xcff: the config ports keep working. */
    cfg_wr(xp, PCI_BASE_ADDRESS_0, 0xc00, 4);
    cfg_wr(xp, PCI_COMMAND, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(pci_get_bar_addr(&m.xen_platform.pci, 0), 0xc00);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(0, 0), 0, 4), 0x12378086);
    ck_assert_uint_eq(cfg_rd(xp, PCI_BASE_ADDRESS_0, 4), 0xc01);
    /* BAR0 at 0 (over the fixed ports 0x10-0x1f) counts as unprogrammed. */
    cfg_wr(xp, PCI_BASE_ADDRESS_0, 0x0, 4);
    ck_assert_uint_eq(pci_get_bar_addr(&m.xen_platform.pci, 0),
                      PCI_BAR_UNMAPPED);
    ck_assert_uint_eq(io_in(&m.as_io, 0x10, 2), XEN_PLATFORM_MAGIC);
    /* Flags byte via BAR0 at 0xc00 offset 0 still reachable. */
    cfg_wr(xp, PCI_BASE_ADDRESS_0, 0xc00, 4);
    ck_assert_uint_eq(io_in(&m.as_io, 0xc00, 1), 0);
}
END_TEST

START_TEST(machine_reset)
{
    uint8_t xp = PCI_DEVFN(2, 0);

    cfg_wr(xp, PCI_BASE_ADDRESS_0 + 4, 0xf0000000, 4);
    cfg_wr(xp, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    cfg_wr(PCI_DEVFN(1, 0), 0x60, 0x0b, 1);
    cfg_wr(PCI_DEVFN(1, 3), 0x40, 0xb000, 4);
    cfg_wr(PCI_DEVFN(1, 3), 0x80, 1, 1);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf0000000, 4), 0);
    platform_recorder_reset(&rec);
    xenfv_machine_reset(&m);
    ck_assert_uint_eq(io_in(&m.as_io, 0xcf8, 4), 0);
    ck_assert_uint_eq(mem_ld(&m.as_mem, 0xf0000000, 4), 0xffffffff);
    ck_assert_uint_eq(cfg_rd(xp, PCI_COMMAND, 2), 0);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(1, 0), 0x60, 4), 0x80808080);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(1, 3), 0x40, 4), 1);
    ck_assert_uint_eq(io_in(&m.as_io, 0xb004, 2), 0xffff);
    /* The enabled route was turned off at the hypervisor too. */
    ck_assert_uint_eq(rec.link_route[0], 0);
    ck_assert_uint_eq(platform_recorder_count(&rec, PLATFORM_EV_LINK_ROUTE), 1);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(0, 0), 0, 4), 0x12378086);
}
END_TEST

START_TEST(io_and_memory_spaces_shape)
{
    ck_assert_str_eq(address_space_name(&m.as_mem), "memory");
    ck_assert_str_eq(address_space_name(&m.as_io), "I/O");
    ck_assert_uint_eq(memory_region_size(&m.io), 0x10000);
    ck_assert_uint_eq(memory_region_size(&m.system), UINT64_MAX);
    /* Nothing claims ports Xen emulates itself. */
    static const uint16_t xen_ports[] = { 0x20, 0xa0, 0x4d0, 0x40, 0x61, 0x70,
                                          0xe9 };
    for (unsigned i = 0; i < sizeof(xen_ports) / sizeof(xen_ports[0]); i++)
        ck_assert(!memory_region_present(&m.io, xen_ports[i]));
    ck_assert(memory_region_present(&m.io, 0xcf8));
    ck_assert(memory_region_present(&m.io, 0xcf9));
    ck_assert(memory_region_present(&m.io, 0xcfc));
    ck_assert(memory_region_present(&m.io, 0x92));
    ck_assert(memory_region_present(&m.io, 0x10));
    ck_assert(memory_region_present(&m.io, 0x1f));
}
END_TEST

/* ---- device table order and unwinding (own fixture) ---- */

static char trace[256];

static void trace_add(const char *s)
{
    strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
}

static int t_init_a(XenfvMachine *mm) { trace_add("+a"); return 0; }
static int t_init_b(XenfvMachine *mm) { trace_add("+b"); return 0; }
static int t_init_fail(XenfvMachine *mm) { trace_add("+x"); return -ENODEV; }
static void t_fin_a(XenfvMachine *mm) { trace_add("-a"); }
static void t_fin_b(XenfvMachine *mm) { trace_add("-b"); }
static void t_fin_x(XenfvMachine *mm) { trace_add("-x"); }
static void t_reset_a(XenfvMachine *mm) { trace_add("ra"); }
static void t_reset_b(XenfvMachine *mm) { trace_add("rb"); }

START_TEST(table_unwinds_in_reverse_on_failure)
{
    unsigned n;
    const XenfvDeviceEntry *def = xenfv_device_table(&n);
    XenfvDeviceEntry table[16];
    XenfvMachineConfig cfg = { 0 };
    XenfvMachine mm;

    hw_quiet_logs();
    ck_assert_uint_le(n + 3, 16);
    table[0] = (XenfvDeviceEntry){ "a", t_init_a, t_fin_a, t_reset_a };
    memcpy(&table[1], def, n * sizeof(*def));
    table[n + 1] = (XenfvDeviceEntry){ "b", t_init_b, t_fin_b, t_reset_b };
    table[n + 2] = (XenfvDeviceEntry){ "x", t_init_fail, t_fin_x, NULL };
    cfg.devices = table;
    cfg.n_devices = n + 3;
    trace[0] = '\0';
    ck_assert_int_eq(xenfv_machine_init(&mm, &cfg), -ENODEV);
    ck_assert_str_eq(trace, "+a+b+x-b-a");

    /* Without the failing row: init in order, reset in order, finalize in
     * reverse; the real devices in between work. */
    cfg.n_devices = n + 2;
    trace[0] = '\0';
    ck_assert_int_eq(xenfv_machine_init(&mm, &cfg), 0);
    ck_assert_uint_eq(cfg_port_read(&mm.as_io, 0, 0, 4), 0x12378086);
    xenfv_machine_reset(&mm);
    xenfv_machine_finalize(&mm);
    ck_assert_str_eq(trace, "+a+brarb-b-a");
}
END_TEST

START_TEST(default_table_order)
{
    unsigned n;
    const XenfvDeviceEntry *t = xenfv_device_table(&n);
    static const char *const want[] = { "pci-host", "i440fx", "piix3",
                                        "piix3-ide", "piix4-pm", "vga",
                                        "xen-platform", "uart" };

    ck_assert_uint_eq(n, 8);
    for (unsigned i = 0; i < n; i++)
        ck_assert_str_eq(t[i].name, want[i]);
}
END_TEST

START_TEST(every_table_prefix_unwinds_cleanly)
{
    unsigned n;
    const XenfvDeviceEntry *def = xenfv_device_table(&n);

    hw_quiet_logs();
    /* Fail after each prefix: all resources must be released (ASan/valgrind
     * catch leaks) and nothing may crash. */
    for (unsigned k = 0; k <= n; k++) {
        XenfvDeviceEntry table[16];
        XenfvMachineConfig cfg = { 0 };
        XenfvMachine mm;

        memcpy(table, def, k * sizeof(*def));
        table[k] = (XenfvDeviceEntry){ "x", t_init_fail, t_fin_x, NULL };
        cfg.devices = table;
        cfg.n_devices = k + 1;
        ck_assert_int_eq(xenfv_machine_init(&mm, &cfg), -ENODEV);
    }
}
END_TEST

START_TEST(given_memory_system_is_not_freed)
{
    MemorySystem *ms = memory_system_new();
    XenfvMachineConfig cfg = { .ms = ms };
    XenfvMachine mm;
    MemoryRegion probe;

    hw_quiet_logs();
    ck_assert_ptr_nonnull(ms);
    ck_assert_int_eq(xenfv_machine_init(&mm, &cfg), 0);
    ck_assert_ptr_eq(mm.ms, ms);
    /* No platform ops: guest power events are dropped, nothing crashes. */
    cfg_port_write(&mm.as_io, PCI_DEVFN(1, 3), PIIX4_PMBA, 0xb001, 4);
    cfg_port_write(&mm.as_io, PCI_DEVFN(1, 3), PIIX4_PMREGMISC, 1, 1);
    io_out(&mm.as_io, 0xb004, (7u << 10) | PIIX4_PM1_CNT_SLP_EN, 2);
    io_out(&mm.as_io, 0xcf9, 0x06, 1);
    cfg_port_write(&mm.as_io, PCI_DEVFN(1, 0), 0x60, 0x0b, 1);
    xenfv_machine_finalize(&mm);
    xenfv_machine_finalize(&mm);        /* idempotent */
    /* The system is still usable. */
    memory_region_init(&probe, ms, NULL, "probe", 4096);
    memory_region_finalize(&probe);
    memory_system_free(ms);
}
END_TEST

START_TEST(hostile_config_everywhere)
{
    uint64_t st = 0xfeedface;

    for (unsigned i = 0; i < 300000; i++) {
        uint64_t r = hw_rand(&st);
        uint8_t devfn = (r & 1) ? (uint8_t)((r >> 8) & 0x1f)
                                : (uint8_t)(r >> 8);
        uint32_t reg = (uint32_t)(r >> 16) & 0xff;
        unsigned size = 1u << ((r >> 24) % 3);
        uint32_t val = (uint32_t)hw_rand(&st);

        if ((reg & 3) + size > 4)
            size = 1;
        if (r & 2)
            cfg_wr(devfn, reg, val, size);
        else
            (void)cfg_rd(devfn, reg, size);
        if ((i & 255) == 0) {
            (void)io_in(&m.as_io, (uint16_t)hw_rand(&st), 4);
            (void)mem_ld(&m.as_mem, (uint32_t)hw_rand(&st), 4);
        }
    }
    /* Every register of every function, every width, random values. */
    for (unsigned devfn = 0; devfn < 32; devfn++)
        for (uint32_t reg = 0; reg < 0x100; reg++)
            for (unsigned size = 1; size <= 4; size <<= 1)
                if ((reg & 3) + size <= 4)
                    cfg_wr((uint8_t)devfn, reg, (uint32_t)hw_rand(&st), size);
    /* All-ones into every register of every function. */
    for (unsigned devfn = 0; devfn < 32; devfn++)
        for (uint32_t reg = 0; reg < 0x100; reg += 4)
            cfg_wr((uint8_t)devfn, reg, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_rd(0, 0, 4), 0x12378086);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(1, 0), 0, 4), 0x70008086);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(1, 3), 0, 4), 0x71138086);
    ck_assert_uint_eq(cfg_rd(PCI_DEVFN(2, 0), 0, 4), 0x00015853);
}
END_TEST

/* Where the VGA and xen-platform sit, as QEMU 7.2 places them: -vga std
 * (VGA created with the machine) 02.0/03.0, -device VGA (libxl's way,
 * created after the machine's xen-platform) 03.0/02.0. */
START_TEST(vga_and_platform_slots_follow_qemu)
{
    static const struct { bool late; uint8_t vga, plat; } cases[] = {
        { false, PCI_DEVFN(2, 0), PCI_DEVFN(3, 0) },
        { true, PCI_DEVFN(3, 0), PCI_DEVFN(2, 0) },
    };

    hw_quiet_logs();
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        XenfvMachineConfig cfg = { .vga = true,
                                   .vga_after_platform = cases[i].late };
        XenfvMachine mm;

        ck_assert_int_eq(xenfv_machine_init(&mm, &cfg), 0);
        ck_assert_uint_eq(cfg_port_read(&mm.as_io, cases[i].vga, 0, 4),
                          0x11111234u);
        ck_assert_uint_eq(cfg_port_read(&mm.as_io, cases[i].plat, 0, 4),
                          0x00015853u);
        ck_assert_uint_eq(cfg_port_read(&mm.as_io, PCI_DEVFN(4, 0), 0, 4),
                          0xffffffffu);
        ck_assert_uint_eq(mm.vga.pci.devfn, cases[i].vga);
        xenfv_machine_finalize(&mm);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xenfv");
    TCase *tc = tcase_create("machine");
    TCase *tt = tcase_create("table");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, firmware_scan_sees_the_chipset);
    tcase_add_test(tc, xen_platform_bars_decode);
    tcase_add_test(tc, bar_over_ram_is_hidden_by_ram);
    tcase_add_test(tc, io_bar_over_fixed_ports_is_hidden);
    tcase_add_test(tc, machine_reset);
    tcase_add_test(tc, io_and_memory_spaces_shape);
    tcase_add_test(tc, hostile_config_everywhere);
    suite_add_tcase(s, tc);
    tcase_add_test(tt, table_unwinds_in_reverse_on_failure);
    tcase_add_test(tt, default_table_order);
    tcase_add_test(tt, every_table_prefix_unwinds_cleanly);
    tcase_add_test(tt, given_memory_system_is_not_freed);
    tcase_add_test(tt, vga_and_platform_slots_follow_qemu);
    suite_add_tcase(s, tt);
    return hw_run_suite(s);
}
