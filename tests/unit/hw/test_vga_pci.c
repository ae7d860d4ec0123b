/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vga_pci.c - the std VGA as PCI function 00:02.0 behind
 * configuration mechanism #1: IDs, class, subsystem, BAR sizing and
 * programming, the dispi registers and legacy ports through the MMIO BAR,
 * QEMU's extended registers, drawing through the linear framebuffer BAR
 * and reading the screendump back, decoding switched off, reset.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/display/vga-pci.h"
#include "hw/pci.h"
#include "memory/memory.h"
#include "tests/unit/hw/vga_test_util.h"
#include "util/log.h"

#define DEVFN PCI_DEVFN(2, 0)
#define BAR0_ADDR 0xf0000000u
#define BAR2_ADDR 0xf1000000u

static struct vga_fixture f;
static PCIBus bus;
static PCIHost host;
static VGAPCIState dev;

static void setup(void)
{
    log_set_level(LOG_LEVEL_ERR);
    vt_fixture_init(&f);
    ck_assert_int_eq(pci_bus_init(&bus, f.ms, &f.sys_root, &f.io_root, NULL),
                     0);
    ck_assert_int_eq(pci_host_init(&host, f.ms, &bus, &f.io_root), 0);
    ck_assert_int_eq(vga_pci_init(&dev, &bus, DEVFN, &f.sys_root, &f.io_root,
                                  0), 0);
}

static void teardown(void)
{
    vga_pci_exit(&dev);
    pci_host_exit(&host);
    pci_bus_exit(&bus);
    vt_fixture_destroy(&f);
    log_set_level(LOG_LEVEL_INFO);
}

static uint32_t cfg_read(uint32_t reg)
{
    address_space_stl_le(&f.io_as, 0xcf8, 0x80000000u | (DEVFN << 8) | reg,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    return address_space_ldl_le(&f.io_as, 0xcfc, MEMTXATTRS_UNSPECIFIED, NULL);
}

static void cfg_write(uint32_t reg, uint32_t val)
{
    address_space_stl_le(&f.io_as, 0xcf8, 0x80000000u | (DEVFN << 8) | reg,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&f.io_as, 0xcfc, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t size_bar(unsigned n)
{
    uint32_t old = cfg_read(0x10 + 4 * n), v;

    cfg_write(0x10 + 4 * n, 0xffffffffu);
    v = cfg_read(0x10 + 4 * n);
    cfg_write(0x10 + 4 * n, old);
    return v;
}

static void program_bars(void)
{
    cfg_write(0x10, BAR0_ADDR);
    cfg_write(0x18, BAR2_ADDR);
    cfg_write(0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
}

static uint16_t mmio_vbe_read(uint16_t idx)
{
    return (uint16_t)address_space_lduw_le(&f.mem_as,
                                           BAR2_ADDR + 0x500 + 2 * idx,
                                           MEMTXATTRS_UNSPECIFIED, NULL);
}

static void mmio_vbe_write(uint16_t idx, uint16_t v)
{
    address_space_stw_le(&f.mem_as, BAR2_ADDR + 0x500 + 2 * idx, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

START_TEST(config_identity)
{
    ck_assert_uint_eq(cfg_read(0x00), 0x11111234u);
    ck_assert_uint_eq(cfg_read(0x08), 0x03000002u);  /* class 0300, rev 2 */
    ck_assert_uint_eq(cfg_read(0x2c), 0x11001af4u);  /* subsystem */
    ck_assert_uint_eq(cfg_read(0x0c) & 0x00ff0000u, 0); /* header type 0 */
    ck_assert_uint_eq((cfg_read(0x3c) >> 8) & 0xff, 0); /* no INTx pin */
    /* BARs: 0 = 16 MiB prefetchable memory, 2 = 4 KiB memory, rest none. */
    ck_assert_uint_eq(cfg_read(0x10), 0x00000008u);
    ck_assert_uint_eq(size_bar(0), 0xff000008u);
    ck_assert_uint_eq(size_bar(1), 0);
    ck_assert_uint_eq(size_bar(2), 0xfffff000u);
    ck_assert_uint_eq(size_bar(3), 0);
    ck_assert_uint_eq(size_bar(4), 0);
    ck_assert_uint_eq(size_bar(5), 0);
    /* Nothing at another slot. */
    address_space_stl_le(&f.io_as, 0xcf8, 0x80000000u | (PCI_DEVFN(3, 0) << 8),
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(address_space_ldl_le(&f.io_as, 0xcfc,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0xffffffffu);
}
END_TEST

START_TEST(mmio_bar)
{
    program_bars();
    ck_assert_uint_eq(pci_get_bar_addr(&dev.pci, 0), BAR0_ADDR);
    ck_assert_uint_eq(pci_get_bar_addr(&dev.pci, 2), BAR2_ADDR);
    /* Dispi through MMIO and through the ports see the same registers. */
    ck_assert_uint_eq(mmio_vbe_read(VBE_DISPI_INDEX_ID), 0xb0c5);
    ck_assert_uint_eq(mmio_vbe_read(VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
    mmio_vbe_write(VBE_DISPI_INDEX_XRES, 800);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_XRES), 800);
    vt_vbe_write(&f, VBE_DISPI_INDEX_YRES, 600);
    ck_assert_uint_eq(mmio_vbe_read(VBE_DISPI_INDEX_YRES), 600);
    /* A byte read of the high half. */
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, BAR2_ADDR + 0x503,
                                         MEMTXATTRS_UNSPECIFIED, NULL), 3);
    /* Legacy ports at 0x400: the DAC through MMIO, read back by port. */
    address_space_stb(&f.mem_as, BAR2_ADDR + 0x408, 9, MEMTXATTRS_UNSPECIFIED,
                      NULL);
    address_space_stb(&f.mem_as, BAR2_ADDR + 0x409, 0x11,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, BAR2_ADDR + 0x409, 0x22,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, BAR2_ADDR + 0x409, 0x33,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    vt_outb(&f, 0x3c7, 9);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 0x11);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 0x22);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 0x33);
    /* 16-bit index+data write through MMIO (sequencer). */
    address_space_stw_le(&f.mem_as, BAR2_ADDR + 0x404, 0x0a02,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(vt_inb(&f, 0x3c5), 0x0a);
    /* QEMU extended registers. */
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, BAR2_ADDR + 0x600,
                                           MEMTXATTRS_UNSPECIFIED, NULL), 8);
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, BAR2_ADDR + 0x604,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0x1e1e1e1eu);
    /* Gaps in the BAR read all-ones. */
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, BAR2_ADDR + 0x100,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0xffffffffu);
}
END_TEST

START_TEST(lfb_drawing_screendump)
{
    char path[256];
    uint32_t w, h;
    uint8_t *png;

    program_bars();
    mmio_vbe_write(VBE_DISPI_INDEX_ENABLE, 0);
    mmio_vbe_write(VBE_DISPI_INDEX_XRES, 320);
    mmio_vbe_write(VBE_DISPI_INDEX_YRES, 200);
    mmio_vbe_write(VBE_DISPI_INDEX_BPP, 32);
    mmio_vbe_write(VBE_DISPI_INDEX_ENABLE,
                   VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    ck_assert_uint_eq(mmio_vbe_read(VBE_DISPI_INDEX_ENABLE),
                      VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    /* A red square on blue, through BAR0. */
    for (uint32_t y = 0; y < 200; y++) {
        for (uint32_t x = 0; x < 320; x++) {
            bool in = x >= 100 && x < 150 && y >= 50 && y < 100;
            address_space_stl_le(&f.mem_as, BAR0_ADDR + (y * 320 + x) * 4,
                                 in ? 0x00ff0000u : 0x000000ffu,
                                 MEMTXATTRS_UNSPECIFIED, NULL);
        }
    }
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as,
                                           BAR0_ADDR + (60 * 320 + 120) * 4,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0x00ff0000u);
    vt_tmp_png(path, sizeof(path), "pci");
    ck_assert_int_eq(vga_screendump(&dev.vga, path), 0);
    ck_assert_int_eq(vt_png_read(path, &w, &h, &png), 0);
    ck_assert_uint_eq(w, 320);
    ck_assert_uint_eq(h, 200);
    for (uint32_t y = 0; y < 200; y += 7) {
        for (uint32_t x = 0; x < 320; x += 3) {
            bool in = x >= 100 && x < 150 && y >= 50 && y < 100;
            const uint8_t *p = png + (y * 320 + x) * 3;
            ck_assert_uint_eq(p[0], in ? 0xff : 0);
            ck_assert_uint_eq(p[1], 0);
            ck_assert_uint_eq(p[2], in ? 0 : 0xff);
        }
    }
    free(png);
    unlink(path);
}
END_TEST

START_TEST(decode_off_and_reset)
{
    program_bars();
    address_space_stl_le(&f.mem_as, BAR0_ADDR, 0x12345678u,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, BAR0_ADDR,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0x12345678u);
    cfg_write(0x04, 0);
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, BAR0_ADDR,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0xffffffffu);
    ck_assert_uint_eq(address_space_lduw_le(&f.mem_as, BAR2_ADDR + 0x500,
                                            MEMTXATTRS_UNSPECIFIED, NULL),
                      0xffff);
    /* Legacy decode stays on. */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ID), 0xb0c5);
    /* Reset: registers back to power-on, BARs unmapped. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_XRES, 640);
    vt_vbe_write(&f, VBE_DISPI_INDEX_YRES, 480);
    vt_vbe_write(&f, VBE_DISPI_INDEX_BPP, 8);
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE), 1);
    pci_bus_reset(&bus);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE), 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_XRES), 0);
    ck_assert_uint_eq(cfg_read(0x10), 0x00000008u);
    ck_assert_uint_eq(pci_get_bar_addr(&dev.pci, 0), PCI_BAR_UNMAPPED);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vga-pci");
    TCase *tc = tcase_create("pci");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, config_identity);
    tcase_add_test(tc, mmio_bar);
    tcase_add_test(tc, lfb_drawing_screendump);
    tcase_add_test(tc, decode_off_and_reset);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
