/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vga_test_util.h - shared fixture of the VGA suites: a memory system with
 * the machine's two address spaces, guest-style port accessors, and a PNG
 * reader (libpng) to check screendumps. */
#ifndef XENDM_TESTS_VGA_TEST_UTIL_H
#define XENDM_TESTS_VGA_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "hw/display/vga.h"
#include "memory/memory.h"

/**
 * struct vga_fixture - "system" (2^64) and "io" (64 KiB) roots with their
 * address spaces.
 */
struct vga_fixture {
    MemorySystem *ms;
    MemoryRegion sys_root;
    MemoryRegion io_root;
    AddressSpace mem_as;
    AddressSpace io_as;
};

void vt_fixture_init(struct vga_fixture *f);
void vt_fixture_destroy(struct vga_fixture *f);

uint8_t vt_inb(struct vga_fixture *f, uint32_t port);
void vt_outb(struct vga_fixture *f, uint32_t port, uint8_t v);
uint16_t vt_inw(struct vga_fixture *f, uint32_t port);
void vt_outw(struct vga_fixture *f, uint32_t port, uint16_t v);
/** vt_vbe_write() / vt_vbe_read() - dispi register through 0x1ce/0x1cf. */
void vt_vbe_write(struct vga_fixture *f, uint16_t index, uint16_t val);
uint16_t vt_vbe_read(struct vga_fixture *f, uint16_t index);
/** vt_set_dac() - program DAC entry @idx through ports 0x3c8/0x3c9. */
void vt_set_dac(struct vga_fixture *f, uint8_t idx, uint8_t r, uint8_t g,
                uint8_t b);

/**
 * vt_png_read() - decode @path into 8-bit RGB (*@rgb malloc'd, stride
 * w * 3). Return: 0, or -1 if it is not a PNG or not 8-bit RGB.
 */
int vt_png_read(const char *path, uint32_t *w, uint32_t *h, uint8_t **rgb);

/** vt_tmp_png() - a unique temporary path "…/name-PID.png" into @buf. */
void vt_tmp_png(char *buf, size_t len, const char *name);

/** vt_pixel() - the R,G,B bytes of (@x, @y) of @s (asserts bounds). */
const uint8_t *vt_pixel(const struct vga_surface *s, uint32_t x, uint32_t y);

#define ck_rgb(p, r, g, b) do { \
        ck_assert_uint_eq((p)[0], (r)); \
        ck_assert_uint_eq((p)[1], (g)); \
        ck_assert_uint_eq((p)[2], (b)); \
    } while (0)

#endif /* XENDM_TESTS_VGA_TEST_UTIL_H */
