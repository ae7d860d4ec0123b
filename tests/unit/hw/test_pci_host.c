/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pci_host.c - configuration mechanism #1 on ports 0xcf8/0xcfc-0xcff:
 * the dword latch, byte/word/dword data accesses at every offset, the 0xcf9
 * overlap, the enable bit, absent functions, and the equality of the port
 * path with the PCI_CONFIG (sbdf) path.
 */
#include <check.h>
#include <string.h>

#include "hw/pci.h"
#include "tests/unit/hw/hw_test_helpers.h"

static HwRig rig;
static PCIDevice dev;
static const PCIDeviceInfo info = {
    .name = "dev",
    .vendor_id = 0x8086,
    .device_id = 0x1237,
    .revision = 0x02,
    .class_id = 0x0600,
    .interrupt_pin = 2,
};
#define DEVFN PCI_DEVFN(5, 2)

/* A 1-byte register at 0xcf9 above the latch, as PIIX3 maps it. */
static uint8_t rcr_val;
static unsigned rcr_writes;

static uint64_t rcr_read(void *opaque, hwaddr addr, unsigned size)
{
    return rcr_val;
}

static void rcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    rcr_val = (uint8_t)val;
    rcr_writes++;
}

static const MemoryRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void setup(void)
{
    hw_quiet_logs();
    hw_rig_init(&rig);
    ck_assert_int_eq(pci_device_init(&dev, &rig.bus, DEVFN, &info, NULL), 0);
    for (unsigned i = 0x40; i < 0x100; i++)
        dev.config[i] = (uint8_t)(i * 7 + 3);
}

static void teardown(void)
{
    pci_device_exit(&dev);
    hw_rig_fini(&rig);
}

START_TEST(latch_is_dword_only)
{
    AddressSpace *io = &rig.as_io;

    io_out(io, 0xcf8, 0x80002a44, 4);
    ck_assert_uint_eq(io_in(io, 0xcf8, 4), 0x80002a44);
    /* Word and byte accesses are not latch accesses. */
    io_out(io, 0xcf8, 0x1234, 2);
    io_out(io, 0xcfa, 0x5678, 2);
    io_out(io, 0xcf8, 0x12, 1);
    io_out(io, 0xcfb, 0x00, 1);
    ck_assert_uint_eq(io_in(io, 0xcf8, 4), 0x80002a44);
    ck_assert_uint_eq(io_in(io, 0xcf8, 2), 0xffff);
    ck_assert_uint_eq(io_in(io, 0xcfa, 1), 0xff);
}
END_TEST

START_TEST(data_any_width_any_offset)
{
    AddressSpace *io = &rig.as_io;
    uint32_t dword = pci_get_long(dev.config + 0x40);

    ck_assert_uint_eq(cfg_port_read(io, DEVFN, 0, 4), 0x12378086);
    ck_assert_uint_eq(cfg_port_read(io, DEVFN, 2, 2), 0x1237);
    ck_assert_uint_eq(cfg_port_read(io, DEVFN, 3, 1), 0x12);
    ck_assert_uint_eq(cfg_port_read(io, DEVFN, 1, 2), 0x3780);
    ck_assert_uint_eq(cfg_port_read(io, DEVFN, 0x0a, 2), 0x0600);
    for (unsigned off = 0; off < 4; off++) {
        ck_assert_uint_eq(cfg_port_read(io, DEVFN, 0x40 + off, 1),
                          (dword >> (8 * off)) & 0xff);
        if (off < 3)
            ck_assert_uint_eq(cfg_port_read(io, DEVFN, 0x40 + off, 2),
                              (dword >> (8 * off)) & 0xffff);
    }
    /* A dword at 0xcfe: two bytes of config, two bytes past 0xcff. */
    io_out(io, 0xcf8, 0x80000000 | (DEVFN << 8) | 0x40, 4);
    ck_assert_uint_eq(io_in(io, 0xcfe, 4), 0xffff0000 | (dword >> 16));
    /* Writes of every width at every offset. */
    cfg_port_write(io, DEVFN, 0x50, 0x11223344, 4);
    cfg_port_write(io, DEVFN, 0x51, 0xaa, 1);
    cfg_port_write(io, DEVFN, 0x52, 0xbbcc, 2);
    ck_assert_uint_eq(pci_get_long(dev.config + 0x50), 0xbbccaa44);
    cfg_port_write(io, DEVFN, 0x55, 0xeeff, 2);
    ck_assert_uint_eq(dev.config[0x55], 0xff);
    ck_assert_uint_eq(dev.config[0x56], 0xee);
}
END_TEST

START_TEST(enable_bit_and_absent)
{
    AddressSpace *io = &rig.as_io;

    io_out(io, 0xcf8, (DEVFN << 8), 4);     /* enable clear */
    ck_assert_uint_eq(io_in(io, 0xcfc, 4), 0xffffffff);
    io_out(io, 0xcfc, 0x0, 4);
    ck_assert_uint_eq(pci_get_word(dev.config), 0x8086);
    ck_assert_uint_eq(cfg_port_read(io, PCI_DEVFN(5, 3), 0, 4), 0xffffffff);
    ck_assert_uint_eq(cfg_port_read(io, PCI_DEVFN(5, 3), 2, 2), 0xffff);
    ck_assert_uint_eq(cfg_port_read(io, PCI_DEVFN(7, 0), 0, 1), 0xff);
    /* Another bus number. */
    io_out(io, 0xcf8, 0x80010000 | (DEVFN << 8), 4);
    ck_assert_uint_eq(io_in(io, 0xcfc, 4), 0xffffffff);
}
END_TEST

START_TEST(cf9_overlap_gets_bytes_latch_gets_dwords)
{
    AddressSpace *io = &rig.as_io;
    MemoryRegion rcr;

    memory_region_init_io(&rcr, rig.ms, NULL, &rcr_ops, NULL, "rcr", 1);
    memory_region_add_subregion_overlap(&rig.io, 0xcf9, &rcr, 1);
    rcr_val = 0x02;
    rcr_writes = 0;
    /* Dword at 0xcf8 still reaches the latch, whole. */
    io_out(io, 0xcf8, 0x80000000 | (DEVFN << 8) | 0x08, 4);
    ck_assert_uint_eq(io_in(io, 0xcf8, 4), 0x80000000 | (DEVFN << 8) | 0x08);
    ck_assert_uint_eq(rcr_writes, 0);
    ck_assert_uint_eq(io_in(io, 0xcfc, 4), 0x06000002);
    /* Byte at 0xcf9 reaches the reset control register. */
    ck_assert_uint_eq(io_in(io, 0xcf9, 1), 0x02);
    io_out(io, 0xcf9, 0x06, 1);
    ck_assert_uint_eq(rcr_writes, 1);
    ck_assert_uint_eq(rcr_val, 0x06);
    ck_assert_uint_eq(io_in(io, 0xcf8, 4), 0x80000000 | (DEVFN << 8) | 0x08);
    memory_region_del_subregion(&rig.io, &rcr);
    memory_region_finalize(&rcr);
}
END_TEST

START_TEST(port_path_equals_sbdf_path)
{
    AddressSpace *io = &rig.as_io;
    static const uint8_t devfns[] = { DEVFN, PCI_DEVFN(5, 0), 0x00, 0xff };

    for (unsigned k = 0; k < sizeof(devfns); k++) {
        uint32_t sbdf = PCI_SBDF(0, 0, devfns[k]);

        for (uint32_t reg = 0; reg < 0x100; reg++) {
            for (unsigned size = 1; size <= 4; size <<= 1) {
                if ((reg & 3) + size > 4)
                    continue;
                ck_assert_uint_eq(cfg_port_read(io, devfns[k], reg, size),
                                  pci_bus_config_read(&rig.bus, sbdf, reg,
                                                      size));
            }
        }
    }
    /* A write through one path is seen through the other. */
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, DEVFN), PCI_INTERRUPT_LINE,
                         9, 1);
    ck_assert_uint_eq(cfg_port_read(io, DEVFN, PCI_INTERRUPT_LINE, 1), 9);
    cfg_port_write(io, DEVFN, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(0, 0, DEVFN),
                                          PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}
END_TEST

START_TEST(hostile_port_flood)
{
    AddressSpace *io = &rig.as_io;
    uint64_t st = 12345;

    for (unsigned i = 0; i < 100000; i++) {
        uint64_t r = hw_rand(&st);
        uint16_t port = (uint16_t)(0xcf8 + (r & 7));
        unsigned size = 1u << ((r >> 3) % 3);

        if (r & 0x100)
            io_out(io, port, (uint32_t)(r >> 32), size);
        else
            (void)io_in(io, port, size);
    }
    ck_assert_uint_eq(pci_get_word(dev.config), 0x8086);
    ck_assert_uint_eq(pci_get_word(dev.config + 2), 0x1237);
}
END_TEST

START_TEST(reset_clears_latch)
{
    io_out(&rig.as_io, 0xcf8, 0x80001234, 4);
    pci_host_reset(&rig.host);
    ck_assert_uint_eq(io_in(&rig.as_io, 0xcf8, 4), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci_host");
    TCase *tc = tcase_create("mechanism1");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, latch_is_dword_only);
    tcase_add_test(tc, data_any_width_any_offset);
    tcase_add_test(tc, enable_bit_and_absent);
    tcase_add_test(tc, cf9_overlap_gets_bytes_latch_gets_dwords);
    tcase_add_test(tc, port_path_equals_sbdf_path);
    tcase_add_test(tc, hostile_port_flood);
    tcase_add_test(tc, reset_clears_latch);
    suite_add_tcase(s, tc);
    return hw_run_suite(s);
}
