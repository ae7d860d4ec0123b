/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vga.c - the std VGA core driven through the I/O and memory address
 * spaces as a guest would: dispi IDs and registers, VBE modes at every
 * depth rendered and screendumped (the PNG is decoded and compared), dirty
 * tracking through the memory API's log, hostile modes / offsets / banks,
 * VRAM reached through RAM host ops (locked, non-dma), random accesses.
 * The legacy side is in test_vga_legacy.c.
 */
#include <check.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/display/vga.h"
#include "memory/memory.h"
#include "tests/unit/hw/vga_test_util.h"
#include "util/log.h"

#define LFB 0xe0000000ull

static struct vga_fixture f;
static VGAState vga;

static void setup(void)
{
    log_set_level(LOG_LEVEL_ERR);
    vt_fixture_init(&f);
    ck_assert_int_eq(vga_init(&vga, f.ms, NULL, 0), 0);
    vga_map_legacy(&vga, &f.sys_root, &f.io_root);
    memory_region_add_subregion(&f.sys_root, LFB, &vga.vram);
}

static void teardown(void)
{
    memory_region_del_subregion(&f.sys_root, &vga.vram);
    vga_exit(&vga);
    vt_fixture_destroy(&f);
    log_set_level(LOG_LEVEL_INFO);
}

static uint8_t *vram(void)
{
    uint8_t *p = memory_region_get_ram_ptr(&vga.vram);

    ck_assert_ptr_nonnull(p);
    return p;
}

static void set_mode(uint16_t x, uint16_t y, uint16_t bpp, uint16_t flags)
{
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, 0);
    vt_vbe_write(&f, VBE_DISPI_INDEX_XRES, x);
    vt_vbe_write(&f, VBE_DISPI_INDEX_YRES, y);
    vt_vbe_write(&f, VBE_DISPI_INDEX_BPP, bpp);
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE,
                 VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | flags);
}

#define pixel vt_pixel

START_TEST(dispi_ids_and_defaults)
{
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ID), 0xb0c5);
    for (uint16_t id = 0xb0c0; id <= 0xb0c5; id++) {
        vt_vbe_write(&f, VBE_DISPI_INDEX_ID, id);
        ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ID), id);
    }
    vt_vbe_write(&f, VBE_DISPI_INDEX_ID, 0x1234);      /* not an ID */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ID), 0xb0c5);
    ck_assert_uint_eq(vt_inw(&f, 0x1ce), VBE_DISPI_INDEX_ID);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE), 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_XRES), 0);
    ck_assert_uint_eq(vt_vbe_read(&f, 0x20), 0);        /* absent index */
    /* GETCAPS reads the maxima. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_XRES, 640);
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_XRES), 16000);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_YRES), 12000);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_BPP), 32);
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_XRES), 640);
    /* The data port alias at 0x1d0. */
    vt_outw(&f, 0x1ce, VBE_DISPI_INDEX_YRES);
    vt_outw(&f, 0x1d0, 480);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_YRES), 480);
}
END_TEST

START_TEST(vbe_mode_32bpp_screendump)
{
    char path[256];
    uint32_t w, h;
    uint8_t *png;
    struct vga_update u;

    set_mode(64, 48, 32, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE),
                      VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_WIDTH), 64);
    /* 16 MiB / 256-byte lines = 65536: clamped to the 16-bit register. */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_HEIGHT), 0xffff);
    /* A drawing through the linear framebuffer: diagonal gradient. */
    for (uint32_t y = 0; y < 48; y++) {
        for (uint32_t x = 0; x < 64; x++) {
            uint32_t px = (x * 4) << 16 | (y * 5) << 8 | (x + y);
            address_space_stl_le(&f.mem_as, LFB + (y * 64 + x) * 4, px,
                                 MEMTXATTRS_UNSPECIFIED, NULL);
        }
    }
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(u.dirty);
    ck_assert(u.resized);
    const struct vga_surface *s = vga_get_surface(&vga);
    ck_assert_uint_eq(s->width, 64);
    ck_assert_uint_eq(s->height, 48);
    ck_rgb(pixel(s, 10, 20), 40, 100, 30);

    vt_tmp_png(path, sizeof(path), "vbe32");
    ck_assert_int_eq(vga_screendump(&vga, path), 0);
    ck_assert_int_eq(vt_png_read(path, &w, &h, &png), 0);
    ck_assert_uint_eq(w, 64);
    ck_assert_uint_eq(h, 48);
    for (uint32_t y = 0; y < 48; y++) {
        for (uint32_t x = 0; x < 64; x++) {
            const uint8_t *p = png + (y * 64 + x) * 3;
            ck_rgb(p, x * 4, y * 5, x + y);
        }
    }
    free(png);
    unlink(path);
    /* An unwritable path is an error, not a crash. */
    ck_assert_int_lt(vga_screendump(&vga, "/nonexistent-dir/x.png"), 0);
}
END_TEST

START_TEST(vbe_depths)
{
    const struct vga_surface *s;

    /* 8 bpp through the DAC (6-bit entries scaled to 8 bits). */
    set_mode(16, 8, 8, 0);
    vt_set_dac(&f, 5, 0x3f, 0x20, 0x00);
    vram()[3 * 16 + 2] = 5;
    memory_region_set_dirty(&vga.vram, 0, 4096);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    s = vga_get_surface(&vga);
    ck_rgb(pixel(s, 2, 3), 0xff, 0x82, 0x00);
    ck_rgb(pixel(s, 3, 3), 0, 0, 0);
    /* 8-bit DAC mode uses the values as they are. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED |
                 VBE_DISPI_LFB_ENABLED | VBE_DISPI_8BIT_DAC);
    vt_set_dac(&f, 5, 0x12, 0x34, 0x56);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_rgb(pixel(s, 2, 3), 0x12, 0x34, 0x56);

    /* 16 bpp 5:6:5. */
    set_mode(16, 8, 16, 0);
    address_space_stw_le(&f.mem_as, LFB + (1 * 16 + 1) * 2, 0xf800,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stw_le(&f.mem_as, LFB + (1 * 16 + 2) * 2, 0x07e0,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    s = vga_get_surface(&vga);
    ck_rgb(pixel(s, 1, 1), 0xff, 0, 0);
    ck_rgb(pixel(s, 2, 1), 0, 0xff, 0);

    /* 15 bpp 5:5:5. */
    set_mode(16, 8, 15, 0);
    address_space_stw_le(&f.mem_as, LFB + 4 * 2, 0x001f,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stw_le(&f.mem_as, LFB + 5 * 2, 0x7c00,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_rgb(pixel(s, 4, 0), 0, 0, 0xff);
    ck_rgb(pixel(s, 5, 0), 0xff, 0, 0);

    /* 24 bpp B,G,R. */
    set_mode(16, 8, 24, 0);
    uint8_t bgr[3] = { 0x11, 0x22, 0x33 };
    address_space_write(&f.mem_as, LFB + (7 * 16 + 15) * 3,
                        MEMTXATTRS_UNSPECIFIED, bgr, 3);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_rgb(pixel(s, 15, 7), 0x33, 0x22, 0x11);
}
END_TEST

START_TEST(vbe_planar_4bpp)
{
    const struct vga_surface *sf;
    uint8_t *v = vram();

    set_mode(804, 600, 4, 0);          /* width not a multiple of 8 */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, 0);
    set_mode(800, 600, 4, 0);          /* SeaBIOS's mode 0x102 */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_HEIGHT),
                      (16u << 20) / 400);
    (void)vt_inb(&f, 0x3da);
    for (uint8_t i = 0; i < 16; i++) {
        vt_outb(&f, 0x3c0, i);
        vt_outb(&f, 0x3c0, i);
    }
    vt_outb(&f, 0x3c0, 0x12);
    vt_outb(&f, 0x3c0, 0x0f);
    vt_outb(&f, 0x3c0, 0x20);
    vt_set_dac(&f, 5, 0x3f, 0x00, 0x3f);
    /* Pixel (9, 2) = colour 5: planes 0 and 2, byte 1 of line 2, bit 6. */
    vt_outw(&f, 0x3c4, 0x0502);        /* map mask: planes 0, 2 */
    vt_outw(&f, 0x3ce, 0xff08);
    address_space_stb(&f.mem_as, 0xa0000 + 2 * 100 + 1, 0x40,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[(2 * 100 + 1) * 4 + 0], 0x40);
    ck_assert_uint_eq(v[(2 * 100 + 1) * 4 + 1], 0x00);
    ck_assert_uint_eq(v[(2 * 100 + 1) * 4 + 2], 0x40);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    sf = vga_get_surface(&vga);
    ck_assert_uint_eq(sf->width, 800);
    ck_assert_uint_eq(sf->height, 600);
    ck_rgb(pixel(sf, 9, 2), 0xff, 0x00, 0xff);
    ck_rgb(pixel(sf, 8, 2), 0, 0, 0);
    ck_rgb(pixel(sf, 10, 2), 0, 0, 0);
}
END_TEST

START_TEST(vbe_clear_and_noclear)
{
    set_mode(32, 32, 32, 0);
    memset(vram(), 0xab, 32 * 32 * 4);
    set_mode(32, 32, 32, VBE_DISPI_NOCLEARMEM);
    ck_assert_uint_eq(vram()[100], 0xab);
    set_mode(32, 32, 32, 0);
    ck_assert_uint_eq(vram()[100], 0);
}
END_TEST

START_TEST(dirty_tracking)
{
    struct vga_update u;

    set_mode(256, 64, 32, 0);        /* one 1 KiB line, 4 lines a page */
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(u.dirty);
    /* Nothing written: nothing redrawn. */
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(!u.dirty);
    /* A write on line 41 redraws the lines of its page only (40-43). */
    address_space_stl_le(&f.mem_as, LFB + 41 * 1024 + 8, 0x00ff00ff,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(u.dirty);
    ck_assert(!u.resized);
    ck_assert_uint_eq(u.first_line, 40);
    ck_assert_uint_eq(u.last_line, 43);
    ck_rgb(pixel(vga_get_surface(&vga), 2, 41), 0xff, 0x00, 0xff);
    /* Logging stays on for the VGA client. */
    ck_assert(memory_region_get_dirty_log_mask(&vga.vram) &
              (1u << DIRTY_MEMORY_VGA));
    /* Panning (Y_OFFSET) redraws everything. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_Y_OFFSET, 1);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_Y_OFFSET), 1);
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert_uint_eq(u.first_line, 0);
    ck_assert_uint_eq(u.last_line, 63);
    ck_rgb(pixel(vga_get_surface(&vga), 2, 40), 0xff, 0x00, 0xff);
}
END_TEST

START_TEST(hostile_modes)
{
    /* Larger than VRAM: refused, ENABLE stays off. */
    set_mode(16000, 12000, 32, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, 0);
    /* Unsupported depth, zero size: refused. */
    set_mode(640, 480, 7, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, 0);
    set_mode(0, 480, 32, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, 0);
    set_mode(65535, 65535, 32, 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, 0);
    /* 2048x2048x32 = exactly 16 MiB fits. */
    set_mode(2048, 2048, 32, VBE_DISPI_NOCLEARMEM);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ENABLE) &
                      VBE_DISPI_ENABLED, VBE_DISPI_ENABLED);
    /* Then any offset past VRAM is refused and the register keeps its
     * value; growing the mode while enabled too. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_Y_OFFSET, 1);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_Y_OFFSET), 0);
    vt_vbe_write(&f, VBE_DISPI_INDEX_X_OFFSET, 1);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_X_OFFSET), 0);
    vt_vbe_write(&f, VBE_DISPI_INDEX_YRES, 2049);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_YRES), 2048);
    vt_vbe_write(&f, VBE_DISPI_INDEX_VIRT_WIDTH, 4096);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_WIDTH), 2048);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_assert_uint_eq(vga_get_surface(&vga)->height, 2048);
    /* A smaller mode with a virtual width and an offset inside VRAM. */
    set_mode(640, 480, 8, 0);
    vt_vbe_write(&f, VBE_DISPI_INDEX_VIRT_WIDTH, 1024);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_HEIGHT), 16384);
    vt_vbe_write(&f, VBE_DISPI_INDEX_Y_OFFSET, 16384 - 480);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_Y_OFFSET), 16384 - 480);
    vt_vbe_write(&f, VBE_DISPI_INDEX_X_OFFSET, 385);     /* one too far */
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_X_OFFSET), 0);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    /* Writes to computed registers are ignored. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_VIRT_HEIGHT, 1);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIRT_HEIGHT), 16384);
    vt_vbe_write(&f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K, 0xffff);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
}
END_TEST

START_TEST(banks)
{
    MemTxResult r = 0;

    set_mode(640, 480, 8, 0);
    /* Bank switches are masked to VRAM: 256 banks of 64 KiB. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_BANK, 0xffff);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_BANK), 0xff);
    address_space_stb(&f.mem_as, 0xaffff, 0x5a, MEMTXATTRS_UNSPECIFIED, &r);
    ck_assert_uint_eq(r, MEMTX_OK);
    ck_assert_uint_eq(vram()[(16u << 20) - 1], 0x5a);
    vt_vbe_write(&f, VBE_DISPI_INDEX_BANK, 2);
    address_space_stl_le(&f.mem_as, 0xa0010, 0x04030201,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(vram()[0x20010], 1);
    ck_assert_uint_eq(vram()[0x20013], 4);
    ck_assert_uint_eq(address_space_ldl_le(&f.mem_as, 0xa0010,
                                           MEMTXATTRS_UNSPECIFIED, NULL),
                      0x04030201);
    /* The b0000-bffff half is outside the 64 KiB bank window. */
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, 0xb0000,
                                         MEMTXATTRS_UNSPECIFIED, NULL), 0xff);
    address_space_stb(&f.mem_as, 0xb0000, 1, MEMTXATTRS_UNSPECIFIED, NULL);
    /* Disabling VBE drops the bank offset. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, 0);
    ck_assert_uint_eq(vga.bank_offset, 0);
}
END_TEST

START_TEST(small_vram)
{
    VGAState v2;

    /* Bad sizes are refused. */
    ck_assert_int_eq(vga_init(&v2, f.ms, NULL, 3u << 20), -EINVAL);
    ck_assert_int_eq(vga_init(&v2, f.ms, NULL, 512u << 10), -EINVAL);
    /* A second instance in the same system needs its own block name. */
    ck_assert_int_eq(vga_init(&v2, f.ms, NULL, 1u << 20), -EEXIST);
}
END_TEST

/* ---- VRAM through RAM host ops (the mapcache seam) ---------------- */

struct fake_mapcache {
    uint8_t *mem;
    uint64_t size;
    unsigned maps, locked, dma, unmaps;
};

static void *fake_map(void *opaque, RAMBlock *block, ram_addr_t offset,
                      uint64_t *size, bool lock, bool dma)
{
    struct fake_mapcache *fm = opaque;

    fm->maps++;
    fm->locked += lock;
    fm->dma += dma;
    if (offset >= fm->size) {
        *size = 0;
        return NULL;
    }
    if (*size > fm->size - offset) {
        *size = fm->size - offset;
    }
    return fm->mem + offset;
}

static void fake_unmap(void *opaque, void *host)
{
    struct fake_mapcache *fm = opaque;

    fm->unmaps++;
}

static ram_addr_t fake_from_host(void *opaque, void *host)
{
    struct fake_mapcache *fm = opaque;
    uint8_t *p = host;

    return p >= fm->mem && p < fm->mem + fm->size ? (ram_addr_t)(p - fm->mem)
                                                  : RAM_ADDR_INVALID;
}

START_TEST(vram_through_host_ops)
{
    struct fake_mapcache fm = { 0 };
    RAMBlockHostOps ops = {
        .map = fake_map, .unmap = fake_unmap,
        .ram_addr_from_host = fake_from_host, .opaque = &fm,
    };
    struct vga_fixture f2;
    VGAState v2;

    fm.size = 1u << 20;
    fm.mem = calloc(1, fm.size);
    ck_assert_ptr_nonnull(fm.mem);
    vt_fixture_init(&f2);
    memory_system_set_default_ram_host_ops(f2.ms, &ops);
    ck_assert_int_eq(vga_init(&v2, f2.ms, NULL, 1u << 20), 0);
    vga_map_legacy(&v2, &f2.sys_root, &f2.io_root);
    /* A VBE mode set clears VRAM through the mapping; banked writes land
     * in the "guest frames". */
    vt_vbe_write(&f2, VBE_DISPI_INDEX_XRES, 64);
    vt_vbe_write(&f2, VBE_DISPI_INDEX_YRES, 64);
    vt_vbe_write(&f2, VBE_DISPI_INDEX_BPP, 8);
    memset(fm.mem, 0xee, 64 * 64);
    vt_vbe_write(&f2, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(fm.mem[10], 0);
    vt_vbe_write(&f2, VBE_DISPI_INDEX_BANK, 3);
    address_space_stb(&f2.mem_as, 0xa0005, 0x42, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(fm.mem[0x30005], 0x42);
    /* Never the block's own host memory. */
    ck_assert_ptr_eq(v2.vram_ptr, fm.mem);
    ck_assert_uint_eq(v2.vram.ram_block->host ?
                      v2.vram.ram_block->host[0x30005] : 0, 0);
    /* One whole-block mapping, locked, not DMA. */
    ck_assert_uint_ge(fm.maps, 1);
    ck_assert_uint_eq(fm.locked, fm.maps);
    ck_assert_uint_eq(fm.dma, 0);
    ck_assert_int_eq(vga_update_display(&v2, NULL), 0);
    vga_exit(&v2);
    vt_fixture_destroy(&f2);
    ck_assert_uint_eq(fm.unmaps, fm.locked);
    free(fm.mem);
}
END_TEST

/* A hostile guest: random accesses everywhere, display updates between. */
START_TEST(random_hostile_accesses)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    struct vga_update u;

    for (unsigned i = 0; i < 60000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned what = (unsigned)(x % 8);
        uint32_t val = (uint32_t)(x >> 16);

        switch (what) {
        case 0:
            vt_outb(&f, 0x3c0 + (uint32_t)((x >> 8) % 0x20), (uint8_t)val);
            break;
        case 1:
            (void)vt_inb(&f, 0x3c0 + (uint32_t)((x >> 8) % 0x20));
            break;
        case 2:
            vt_vbe_write(&f, (uint16_t)((x >> 8) % 12), (uint16_t)val);
            break;
        case 3:
            (void)vt_vbe_read(&f, (uint16_t)((x >> 8) % 16));
            break;
        case 4:
            address_space_stl_le(&f.mem_as, 0xa0000 + (x >> 8) % 0x20000, val,
                                 MEMTXATTRS_UNSPECIFIED, NULL);
            break;
        case 5:
            (void)address_space_ldq_le(&f.mem_as, 0xa0000 + (x >> 8) % 0x20000,
                                       MEMTXATTRS_UNSPECIFIED, NULL);
            break;
        case 6:
            /* Dispi geometry values near the edges. */
            vt_vbe_write(&f, (uint16_t)(1 + (x >> 8) % 9),
                         (uint16_t)((x >> 20) & 1 ? val : val % 4096));
            break;
        default:
            vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE,
                         (uint16_t)(val & 0xe3));
            break;
        }
        if (i % 997 == 0) {
            ck_assert_int_eq(vga_update_display(&vga, &u), 0);
            char *t = vga_text_snapshot(&vga, NULL);
            free(t);
        }
    }
    /* The displayed mode, if any, always fits in VRAM. */
    if (vga.vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) {
        const struct vga_vbe_mode *m = &vga.vbe_mode;

        ck_assert_uint_le(m->start_addr + (uint64_t)(m->yres - 1) *
                          m->line_offset + m->line_bytes, vga.vram_size);
    }
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
}
END_TEST

/* The guest (a thread) reprograms modes, pans and draws while the
 * display side updates and dumps: no crash, no access outside VRAM. */
static void *guest_thread(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 300; i++) {
        uint16_t bpp = (uint16_t[]){ 8, 15, 16, 24, 32, 4 }[i % 6];

        set_mode((uint16_t)(64 + (i % 5) * 64), (uint16_t)(48 + i % 7), bpp,
                 VBE_DISPI_NOCLEARMEM);
        vt_vbe_write(&f, VBE_DISPI_INDEX_Y_OFFSET, (uint16_t)(i % 3));
        vt_set_dac(&f, (uint8_t)i, (uint8_t)i, 0, 0);
        address_space_stl_le(&f.mem_as, LFB + (i * 64) % 65536, i,
                             MEMTXATTRS_UNSPECIFIED, NULL);
        if (i % 50 == 49) {
            vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, 0);
        }
    }
    return NULL;
}

START_TEST(concurrent_display)
{
    pthread_t th;
    char path[256];

    vt_tmp_png(path, sizeof(path), "concurrent");
    ck_assert_int_eq(pthread_create(&th, NULL, guest_thread, NULL), 0);
    for (unsigned i = 0; i < 60; i++) {
        struct vga_update u;

        ck_assert_int_eq(vga_update_display(&vga, &u), 0);
        if (i % 10 == 0) {
            ck_assert_int_eq(vga_screendump(&vga, path), 0);
        }
    }
    pthread_join(th, NULL);
    ck_assert_int_eq(vga_screendump(&vga, path), 0);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dispi_ids_and_defaults);
    tcase_add_test(tc, vbe_mode_32bpp_screendump);
    tcase_add_test(tc, vbe_depths);
    tcase_add_test(tc, vbe_planar_4bpp);
    tcase_add_test(tc, vbe_clear_and_noclear);
    tcase_add_test(tc, dirty_tracking);
    tcase_add_test(tc, hostile_modes);
    tcase_add_test(tc, banks);
    tcase_add_test(tc, small_vram);
    tcase_add_test(tc, vram_through_host_ops);
    tcase_add_test(tc, random_hostile_accesses);
    tcase_add_test(tc, concurrent_display);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
