/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vga_legacy.c - the std VGA's legacy side driven as a guest would:
 * ports 0x3c0-0x3df (attribute flip-flop, DAC, sequencer / graphics
 * masks, CRTC protect, mono/colour decode), the 0xa0000 window in
 * planar (read/write modes, latches, set/reset, logic, bit mask, map
 * mask), odd/even and chain-4 modes, text mode as text and as pixels
 * (font from plane 2, attributes, cursor), legacy 16- and 256-colour
 * graphics.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/display/vga.h"
#include "memory/memory.h"
#include "tests/unit/hw/vga_test_util.h"
#include "util/log.h"

#define pixel vt_pixel

static struct vga_fixture f;
static VGAState vga;

static void setup(void)
{
    log_set_level(LOG_LEVEL_ERR);
    vt_fixture_init(&f);
    ck_assert_int_eq(vga_init(&vga, f.ms, NULL, 0), 0);
    vga_map_legacy(&vga, &f.sys_root, &f.io_root);
}

static void teardown(void)
{
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

START_TEST(legacy_ports)
{
    /* Misc output: colour decode on. */
    vt_outb(&f, 0x3c2, 0x67);
    ck_assert_uint_eq(vt_inb(&f, 0x3cc), 0x67);
    /* Attribute controller: index/data flip-flop, reset by 0x3da. */
    (void)vt_inb(&f, 0x3da);
    vt_outb(&f, 0x3c0, 0x05);
    vt_outb(&f, 0x3c0, 0x2a);
    ck_assert_uint_eq(vt_inb(&f, 0x3c0), 0x05);
    ck_assert_uint_eq(vt_inb(&f, 0x3c1), 0x2a);
    vt_outb(&f, 0x3c0, 0x06);          /* flip-flop back at index */
    (void)vt_inb(&f, 0x3da);           /* reset anyway */
    vt_outb(&f, 0x3c0, 0x07);
    vt_outb(&f, 0x3c0, 0x15);
    vt_outb(&f, 0x3c0, 0x07);
    ck_assert_uint_eq(vt_inb(&f, 0x3c1), 0x15);
    /* Input status 1 toggles retrace so polling loops end. */
    uint8_t a = vt_inb(&f, 0x3da), b = vt_inb(&f, 0x3da);
    ck_assert_uint_ne(a & 0x08, b & 0x08);
    /* Sequencer / graphics controller with masks, 16-bit index+data. */
    vt_outw(&f, 0x3c4, 0x0f02);
    ck_assert_uint_eq(vt_inb(&f, 0x3c4), 0x02);
    ck_assert_uint_eq(vt_inb(&f, 0x3c5), 0x0f);
    vt_outw(&f, 0x3ce, 0xff05);
    ck_assert_uint_eq(vt_inb(&f, 0x3cf), 0x7b);
    /* DAC: auto-increment on write and read, state register. */
    vt_outb(&f, 0x3c8, 0x10);
    for (int i = 0; i < 6; i++) {
        vt_outb(&f, 0x3c9, (uint8_t)(i + 1));
    }
    ck_assert_uint_eq(vt_inb(&f, 0x3c8), 0x12);
    ck_assert_uint_eq(vt_inb(&f, 0x3c7), 0);
    vt_outb(&f, 0x3c7, 0x11);
    ck_assert_uint_eq(vt_inb(&f, 0x3c7), 3);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 4);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 5);
    ck_assert_uint_eq(vt_inb(&f, 0x3c9), 6);
    /* CRTC incl. cursor; CR0-7 protected by CR11 bit 7. */
    vt_outw(&f, 0x3d4, 0x120e);
    vt_outw(&f, 0x3d4, 0x340f);
    vt_outb(&f, 0x3d4, 0x0e);
    ck_assert_uint_eq(vt_inb(&f, 0x3d5), 0x12);
    vt_outw(&f, 0x3d4, 0x4f01);
    vt_outw(&f, 0x3d4, 0x8011);
    vt_outw(&f, 0x3d4, 0x2201);
    vt_outb(&f, 0x3d4, 0x01);
    ck_assert_uint_eq(vt_inb(&f, 0x3d5), 0x4f);
    vt_outw(&f, 0x3d4, 0xff07);        /* only bit 4 of CR7 */
    vt_outb(&f, 0x3d4, 0x07);
    ck_assert_uint_eq(vt_inb(&f, 0x3d5), 0x10);
    ck_assert_uint_eq(vt_inb(&f, 0x3b5), 0xff);   /* mono off */
    /* Monochrome decode: the colour CRTC ports go away, 0x3b4 answers. */
    vt_outb(&f, 0x3c2, 0x66);
    ck_assert_uint_eq(vt_inb(&f, 0x3d5), 0xff);
    ck_assert_uint_eq(vt_inb(&f, 0x3d4), 0xff);
    vt_outb(&f, 0x3b4, 0x0e);
    ck_assert_uint_eq(vt_inb(&f, 0x3b5), 0x12);
    vt_outb(&f, 0x3b5, 0x07);
    vt_outb(&f, 0x3c2, 0x67);
    vt_outb(&f, 0x3d4, 0x0e);
    ck_assert_uint_eq(vt_inb(&f, 0x3d5), 0x07);
    /* Reset returns everything to zero. */
    vga_reset(&vga);
    ck_assert_uint_eq(vt_inb(&f, 0x3cc), 0);
    ck_assert_uint_eq(vt_vbe_read(&f, VBE_DISPI_INDEX_ID), 0xb0c5);
}
END_TEST

START_TEST(planar_window)
{
    uint8_t *v = vram();

    /* Planar, write mode 0, all planes, set/reset on planes 0 and 2. */
    vt_outw(&f, 0x3c4, 0x0f02);        /* map mask: all planes */
    vt_outw(&f, 0x3c4, 0x0604);        /* odd/even off, ext mem */
    vt_outw(&f, 0x3ce, 0x0506);        /* graphics, a0000 64 KiB */
    vt_outw(&f, 0x3ce, 0x0005);        /* write mode 0, read mode 0 */
    vt_outw(&f, 0x3ce, 0xff08);        /* bit mask */
    vt_outw(&f, 0x3ce, 0x0501);        /* set/reset enable planes 0, 2 */
    vt_outw(&f, 0x3ce, 0x0100);        /* set/reset value: plane 0 */
    address_space_stb(&f.mem_as, 0xa0010, 0x3c, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x40 + 0], 0xff);   /* set/reset 1 */
    ck_assert_uint_eq(v[0x40 + 1], 0x3c);   /* data */
    ck_assert_uint_eq(v[0x40 + 2], 0x00);   /* set/reset 0 */
    ck_assert_uint_eq(v[0x40 + 3], 0x3c);
    /* Read mode 0 selects a plane. */
    vt_outw(&f, 0x3ce, 0x0104);
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, 0xa0010,
                                         MEMTXATTRS_UNSPECIFIED, NULL), 0x3c);
    /* Write mode 1 copies the latches (loaded by the read above). */
    vt_outw(&f, 0x3ce, 0x0105);
    address_space_stb(&f.mem_as, 0xa0020, 0, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert(memcmp(v + 0x80, v + 0x40, 4) == 0);
    /* Read mode 1: colour compare (plane 0 and 2 set? no: 0xff,..,0x00). */
    vt_outw(&f, 0x3ce, 0x0805);        /* read mode 1, write mode 0 */
    vt_outw(&f, 0x3ce, 0x0102);        /* compare: colour 1 */
    vt_outw(&f, 0x3ce, 0x0507);        /* care about planes 0, 2 */
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, 0xa0010,
                                         MEMTXATTRS_UNSPECIFIED, NULL), 0xff);
    /* Bit mask and logical AND in write mode 0 (no set/reset). */
    vt_outw(&f, 0x3ce, 0x0005);
    vt_outw(&f, 0x3ce, 0x0001);
    vt_outw(&f, 0x3ce, 0x0f08);        /* bit mask: low nibble from data */
    vt_outw(&f, 0x3ce, 0x0803);        /* AND with latch */
    (void)address_space_ldub(&f.mem_as, 0xa0010, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, 0xa0010, 0x00, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x40 + 0], 0xf0);  /* low nibble ANDed to 0 */
    ck_assert_uint_eq(v[0x40 + 1], 0x30);
    ck_assert_uint_eq(v[0x40 + 2], 0x00);
    vt_outw(&f, 0x3ce, 0xff08);
    (void)address_space_ldub(&f.mem_as, 0xa0010, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, 0xa0010, 0x3f, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x40 + 0], 0x30);  /* 0x3f AND 0xf0 */
    ck_assert_uint_eq(v[0x40 + 1], 0x30);
    /* XOR with latch. */
    vt_outw(&f, 0x3ce, 0x1803);
    (void)address_space_ldub(&f.mem_as, 0xa0010, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, 0xa0010, 0x3f, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x40 + 0], 0x0f);
    ck_assert_uint_eq(v[0x40 + 2], 0x3f);
    /* Map mask limits planes. */
    vt_outw(&f, 0x3ce, 0x0003);
    vt_outw(&f, 0x3ce, 0xff08);
    vt_outw(&f, 0x3c4, 0x0402);        /* plane 2 only */
    address_space_stb(&f.mem_as, 0xa0010, 0x77, MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x42], 0x77);
    ck_assert_uint_eq(v[0x40], 0x0f);   /* untouched */
    /* Chain-4: linear bytes. */
    vt_outw(&f, 0x3c4, 0x0f02);
    vt_outw(&f, 0x3c4, 0x0e04);
    address_space_stl_le(&f.mem_as, 0xa1000, 0xddccbbaa,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_uint_eq(v[0x1000], 0xaa);
    ck_assert_uint_eq(v[0x1003], 0xdd);
    /* Memory map b8000: a0000 is then outside the window. */
    vt_outw(&f, 0x3ce, 0x0d06);
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, 0xa1000,
                                         MEMTXATTRS_UNSPECIFIED, NULL), 0xff);
    ck_assert_uint_eq(address_space_ldub(&f.mem_as, 0xb8000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                      v[0]);
}
END_TEST

/* What the VGA BIOS does for mode 3 (80x25 colour text), minimally. */
static void bios_mode3(void)
{
    static const uint8_t crtc[][2] = {
        { 0x11, 0x00 }, { 0x01, 0x4f }, { 0x07, 0x1f }, { 0x09, 0x4f },
        { 0x0a, 0x0d }, { 0x0b, 0x0e }, { 0x0c, 0x00 }, { 0x0d, 0x00 },
        { 0x12, 0x8f }, { 0x13, 0x28 },
    };
    vt_outb(&f, 0x3c2, 0x67);
    vt_outw(&f, 0x3c4, 0x0001);        /* 9-dot characters */
    vt_outw(&f, 0x3c4, 0x0302);        /* planes 0, 1 */
    vt_outw(&f, 0x3c4, 0x0003);
    vt_outw(&f, 0x3c4, 0x0204);        /* odd/even */
    vt_outw(&f, 0x3ce, 0x0004);        /* read plane 0 */
    vt_outw(&f, 0x3ce, 0xff08);        /* bit mask: all bits */
    vt_outw(&f, 0x3ce, 0x1005);
    vt_outw(&f, 0x3ce, 0x0e06);        /* text, b8000 */
    for (size_t i = 0; i < sizeof(crtc) / sizeof(crtc[0]); i++) {
        vt_outb(&f, 0x3d4, crtc[i][0]);
        vt_outb(&f, 0x3d5, crtc[i][1]);
    }
    (void)vt_inb(&f, 0x3da);
    for (uint8_t i = 0; i < 16; i++) {
        vt_outb(&f, 0x3c0, i);
        vt_outb(&f, 0x3c0, i);
    }
    vt_outb(&f, 0x3c0, 0x10);
    vt_outb(&f, 0x3c0, 0x0c);
    vt_outb(&f, 0x3c0, 0x20);          /* display on */
    vt_set_dac(&f, 0, 0, 0, 0);
    vt_set_dac(&f, 7, 0x2a, 0x2a, 0x2a);
    vt_set_dac(&f, 0x0c, 0x3f, 0x15, 0x15);
}

static void text_put(unsigned row, unsigned col, const char *s, uint8_t attr)
{
    for (unsigned i = 0; s[i]; i++) {
        address_space_stw_le(&f.mem_as, 0xb8000 + (row * 80 + col + i) * 2,
                             (uint8_t)s[i] | (attr << 8),
                             MEMTXATTRS_UNSPECIFIED, NULL);
    }
}

START_TEST(text_mode_as_text)
{
    struct vga_text_info ti;
    char *t;

    bios_mode3();
    text_put(0, 0, "Hello, VGA", 0x07);
    text_put(2, 4, "xendm", 0x1f);
    text_put(24, 75, "end!!", 0x07);
    address_space_stb(&f.mem_as, 0xb8000 + (2 * 80 + 10) * 2, 0xc9,
                      MEMTXATTRS_UNSPECIFIED, NULL);   /* box corner */
    /* Cursor at row 1, column 3. */
    vt_outw(&f, 0x3d4, 0x000e);
    vt_outw(&f, 0x3d4, 0x530f);        /* 83 = 80 + 3 */
    t = vga_text_snapshot(&vga, &ti);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(ti.cols, 80);
    ck_assert_uint_eq(ti.rows, 25);
    ck_assert_uint_eq(ti.cursor_row, 1);
    ck_assert_uint_eq(ti.cursor_col, 3);
    ck_assert(ti.cursor_visible);
    const char *want = "Hello, VGA\n\n    xendm \xe2\x95\x94\n";
    ck_assert(strncmp(t, want, strlen(want)) == 0);
    unsigned lines = 0;
    for (const char *p = t; *p; p++) {
        lines += *p == '\n';
    }
    ck_assert_uint_eq(lines, 25);
    size_t n = strlen(t);
    ck_assert(n > 10);
    ck_assert_str_eq(t + n - 6, "end!!\n");
    free(t);
    /* Start address scrolls. */
    vt_outw(&f, 0x3d4, 0x500d);        /* start at cell 80 (row 1) */
    t = vga_text_snapshot(&vga, &ti);
    ck_assert(strncmp(t, "\n    xendm", 10) == 0);
    ck_assert_uint_eq(ti.cursor_row, 0);
    free(t);
    /* Cursor off. */
    vt_outw(&f, 0x3d4, 0x2d0a);
    t = vga_text_snapshot(&vga, &ti);
    ck_assert(!ti.cursor_visible);
    free(t);
    /* Not in a graphics mode. */
    vt_vbe_write(&f, VBE_DISPI_INDEX_XRES, 64);
    vt_vbe_write(&f, VBE_DISPI_INDEX_YRES, 64);
    vt_vbe_write(&f, VBE_DISPI_INDEX_BPP, 8);
    vt_vbe_write(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    errno = 0;
    ck_assert_ptr_null(vga_text_snapshot(&vga, NULL));
    ck_assert_int_eq(errno, ENOTSUP);
}
END_TEST

START_TEST(text_mode_pixels)
{
    char path[256];
    uint32_t w, h;
    uint8_t *png;
    static const uint8_t glyph_a[16] = {
        0x00, 0x00, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe,
        0xc6, 0xc6, 0xc6, 0xc6, 0x00, 0x00, 0x00, 0x00,
    };

    bios_mode3();
    /* Load a glyph for 'A' into plane 2 as the BIOS does. */
    vt_outw(&f, 0x3c4, 0x0402);
    vt_outw(&f, 0x3c4, 0x0604);
    vt_outw(&f, 0x3ce, 0x0204);
    vt_outw(&f, 0x3ce, 0x0005);
    vt_outw(&f, 0x3ce, 0x0406);
    for (int i = 0; i < 16; i++) {
        address_space_stb(&f.mem_as, 0xa0000 + 'A' * 32 + i, glyph_a[i],
                          MEMTXATTRS_UNSPECIFIED, NULL);
    }
    bios_mode3();
    text_put(0, 1, "A", 0x07);         /* grey on black */
    text_put(1, 0, "A", 0x7c);         /* light red on grey */
    vt_outw(&f, 0x3d4, 0x200a);        /* cursor off */

    vt_tmp_png(path, sizeof(path), "text");
    ck_assert_int_eq(vga_screendump(&vga, path), 0);
    ck_assert_int_eq(vt_png_read(path, &w, &h, &png), 0);
    ck_assert_uint_eq(w, 720);
    ck_assert_uint_eq(h, 400);
    for (unsigned y = 0; y < 16; y++) {
        for (unsigned x = 0; x < 9; x++) {
            bool on = x < 8 && (glyph_a[y] & (0x80 >> x));
            const uint8_t *p = png + ((size_t)y * 720 + 9 + x) * 3;
            const uint8_t *q = png + ((size_t)(16 + y) * 720 + x) * 3;

            if (on) {
                ck_rgb(p, 0xaa, 0xaa, 0xaa);
                ck_rgb(q, 0xff, 0x55, 0x55);
            } else {
                ck_rgb(p, 0, 0, 0);
                ck_rgb(q, 0xaa, 0xaa, 0xaa);
            }
        }
    }
    free(png);
    unlink(path);
    /* The cursor draws lines 13-14 of its cell in the foreground. */
    vt_outw(&f, 0x3d4, 0x0d0a);
    vt_outw(&f, 0x3d4, 0x000e);
    vt_outw(&f, 0x3d4, 0x010f);        /* row 0, column 1 */
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_rgb(pixel(vga_get_surface(&vga), 9 + 7, 13), 0xaa, 0xaa, 0xaa);
    ck_rgb(pixel(vga_get_surface(&vga), 9 + 0, 14), 0xaa, 0xaa, 0xaa);
    ck_rgb(pixel(vga_get_surface(&vga), 9 + 7, 12), 0, 0, 0);
    ck_rgb(pixel(vga_get_surface(&vga), 9 + 7, 15), 0, 0, 0);
}
END_TEST

static void set_crtc(const uint8_t (*regs)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vt_outb(&f, 0x3d4, regs[i][0]);
        vt_outb(&f, 0x3d5, regs[i][1]);
    }
}

START_TEST(legacy_mode13h)
{
    static const uint8_t crtc[][2] = {
        { 0x11, 0x00 }, { 0x01, 0x4f }, { 0x07, 0x1f }, { 0x09, 0x41 },
        { 0x12, 0x8f }, { 0x13, 0x28 }, { 0x14, 0x40 }, { 0x0c, 0 },
        { 0x0d, 0 },
    };
    struct vga_update u;
    const struct vga_surface *sf;

    vt_outb(&f, 0x3c2, 0x63);
    vt_outw(&f, 0x3c4, 0x0f02);
    vt_outw(&f, 0x3c4, 0x0e04);        /* chain 4 */
    vt_outw(&f, 0x3ce, 0x4005);        /* 256 colours */
    vt_outw(&f, 0x3ce, 0x0506);        /* graphics, a0000 */
    set_crtc(crtc, sizeof(crtc) / sizeof(crtc[0]));
    vt_set_dac(&f, 1, 0x3f, 0, 0);
    vt_set_dac(&f, 2, 0, 0x3f, 0);
    address_space_stb(&f.mem_as, 0xa0000 + 10 * 320 + 20, 1,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.mem_as, 0xa0000 + 199 * 320 + 319, 2,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    sf = vga_get_surface(&vga);
    ck_assert_uint_eq(sf->width, 320);
    ck_assert_uint_eq(sf->height, 200);
    ck_assert(u.dirty);
    ck_rgb(pixel(sf, 20, 10), 0xff, 0, 0);
    ck_rgb(pixel(sf, 319, 199), 0, 0xff, 0);
    ck_rgb(pixel(sf, 21, 10), 0, 0, 0);
    /* Nothing written: nothing redrawn; a write: redrawn. */
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(!u.dirty);
    address_space_stb(&f.mem_as, 0xa0000 + 21 + 10 * 320, 2,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    ck_assert_int_eq(vga_update_display(&vga, &u), 0);
    ck_assert(u.dirty);
    ck_rgb(pixel(sf, 21, 10), 0, 0xff, 0);
}
END_TEST

START_TEST(legacy_mode12h)
{
    static const uint8_t crtc[][2] = {
        { 0x11, 0x00 }, { 0x01, 0x4f }, { 0x07, 0x3e }, { 0x09, 0x40 },
        { 0x12, 0xdf }, { 0x13, 0x28 }, { 0x14, 0x00 }, { 0x0c, 0 },
        { 0x0d, 0 },
    };
    const struct vga_surface *sf;

    vt_outb(&f, 0x3c2, 0xe3);
    vt_outw(&f, 0x3c4, 0x0f02);
    vt_outw(&f, 0x3c4, 0x0604);        /* planar */
    vt_outw(&f, 0x3ce, 0x0506);
    set_crtc(crtc, sizeof(crtc) / sizeof(crtc[0]));
    (void)vt_inb(&f, 0x3da);
    for (uint8_t i = 0; i < 16; i++) {
        vt_outb(&f, 0x3c0, i);
        vt_outb(&f, 0x3c0, i);
    }
    vt_outb(&f, 0x3c0, 0x10);
    vt_outb(&f, 0x3c0, 0x01);
    vt_outb(&f, 0x3c0, 0x12);
    vt_outb(&f, 0x3c0, 0x0f);
    vt_outb(&f, 0x3c0, 0x20);
    vt_set_dac(&f, 9, 0x00, 0x00, 0x3f);
    vt_set_dac(&f, 14, 0x3f, 0x3f, 0x00);
    /* Write mode 2: one pixel per write, selected by the bit mask. */
    vt_outw(&f, 0x3ce, 0x0205);
    for (unsigned x = 100; x < 108; x++) {
        uint32_t a = 0xa0000 + 300 * 80 + x / 8;

        vt_outb(&f, 0x3ce, 0x08);
        vt_outb(&f, 0x3cf, (uint8_t)(0x80 >> (x % 8)));
        (void)address_space_ldub(&f.mem_as, a, MEMTXATTRS_UNSPECIFIED, NULL);
        address_space_stb(&f.mem_as, a, x % 2 ? 14 : 9,
                          MEMTXATTRS_UNSPECIFIED, NULL);
    }
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    sf = vga_get_surface(&vga);
    ck_assert_uint_eq(sf->width, 640);
    ck_assert_uint_eq(sf->height, 480);
    ck_rgb(pixel(sf, 100, 300), 0, 0, 0xff);
    ck_rgb(pixel(sf, 101, 300), 0xff, 0xff, 0);
    ck_rgb(pixel(sf, 107, 300), 0xff, 0xff, 0);
    ck_rgb(pixel(sf, 108, 300), 0, 0, 0);
    ck_rgb(pixel(sf, 100, 301), 0, 0, 0);
    /* Colour plane enable masks planes out: 9 and 14 both become 8. */
    vt_set_dac(&f, 8, 0x10, 0x10, 0x10);
    (void)vt_inb(&f, 0x3da);
    vt_outb(&f, 0x3c0, 0x12);
    vt_outb(&f, 0x3c0, 0x08);
    vt_outb(&f, 0x3c0, 0x20);
    ck_assert_int_eq(vga_update_display(&vga, NULL), 0);
    ck_rgb(pixel(sf, 100, 300), 0x41, 0x41, 0x41);
    ck_rgb(pixel(sf, 101, 300), 0x41, 0x41, 0x41);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vga-legacy");
    TCase *tc = tcase_create("legacy");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, legacy_ports);
    tcase_add_test(tc, planar_window);
    tcase_add_test(tc, text_mode_as_text);
    tcase_add_test(tc, text_mode_pixels);
    tcase_add_test(tc, legacy_mode13h);
    tcase_add_test(tc, legacy_mode12h);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
