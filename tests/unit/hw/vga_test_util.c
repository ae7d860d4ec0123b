/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vga_test_util.c - see vga_test_util.h. */
#include <check.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/hw/vga_test_util.h"

void vt_fixture_init(struct vga_fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->ms = memory_system_new();
    ck_assert_ptr_nonnull(f->ms);
    memory_region_init(&f->sys_root, f->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&f->io_root, f->ms, NULL, "io", 0x10000);
    address_space_init(&f->mem_as, f->ms, &f->sys_root, "memory");
    address_space_init(&f->io_as, f->ms, &f->io_root, "I/O");
}

void vt_fixture_destroy(struct vga_fixture *f)
{
    address_space_destroy(&f->io_as);
    address_space_destroy(&f->mem_as);
    memory_region_finalize(&f->io_root);
    memory_region_finalize(&f->sys_root);
    memory_system_free(f->ms);
}

uint8_t vt_inb(struct vga_fixture *f, uint32_t port)
{
    return (uint8_t)address_space_ldub(&f->io_as, port, MEMTXATTRS_UNSPECIFIED,
                                       NULL);
}

void vt_outb(struct vga_fixture *f, uint32_t port, uint8_t v)
{
    address_space_stb(&f->io_as, port, v, MEMTXATTRS_UNSPECIFIED, NULL);
}

uint16_t vt_inw(struct vga_fixture *f, uint32_t port)
{
    return (uint16_t)address_space_lduw_le(&f->io_as, port,
                                           MEMTXATTRS_UNSPECIFIED, NULL);
}

void vt_outw(struct vga_fixture *f, uint32_t port, uint16_t v)
{
    address_space_stw_le(&f->io_as, port, v, MEMTXATTRS_UNSPECIFIED, NULL);
}

void vt_vbe_write(struct vga_fixture *f, uint16_t index, uint16_t val)
{
    vt_outw(f, 0x1ce, index);
    vt_outw(f, 0x1cf, val);
}

uint16_t vt_vbe_read(struct vga_fixture *f, uint16_t index)
{
    vt_outw(f, 0x1ce, index);
    return vt_inw(f, 0x1cf);
}

void vt_set_dac(struct vga_fixture *f, uint8_t idx, uint8_t r, uint8_t g,
                uint8_t b)
{
    vt_outb(f, 0x3c8, idx);
    vt_outb(f, 0x3c9, r);
    vt_outb(f, 0x3c9, g);
    vt_outb(f, 0x3c9, b);
}

int vt_png_read(const char *path, uint32_t *w, uint32_t *h, uint8_t **rgb)
{
    png_image img;

    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        return -1;
    }
    if (img.format != PNG_FORMAT_RGB) {
        png_image_free(&img);
        return -1;
    }
    *rgb = malloc(PNG_IMAGE_SIZE(img));
    if (!*rgb || !png_image_finish_read(&img, NULL, *rgb, 0, NULL)) {
        free(*rgb);
        *rgb = NULL;
        png_image_free(&img);
        return -1;
    }
    *w = img.width;
    *h = img.height;
    return 0;
}

void vt_tmp_png(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("TMPDIR");

    snprintf(buf, len, "%s/xendm-%s-%ld.png", dir && *dir ? dir : "/tmp",
             name, (long)getpid());
}

const uint8_t *vt_pixel(const struct vga_surface *s, uint32_t x, uint32_t y)
{
    ck_assert_uint_lt(x, s->width);
    ck_assert_uint_lt(y, s->height);
    return s->rgb + (size_t)y * s->stride + (size_t)x * 3;
}
