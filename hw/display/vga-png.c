/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-png.c - "screendump PATH.png": the VGA surface as an 8-bit RGB PNG
 * (libpng). The file is written to PATH.tmp and renamed, so a reader
 * never sees half a picture. libpng reports errors by longjmp; nothing
 * that needs freeing is created between setjmp and the calls that may
 * jump except what the error path releases.
 *
 * Threading: vga_screendump() holds VGAState.lock while it redraws and
 * writes the surface (guest register accesses wait; VRAM writes by the
 * guest through the framebuffer do not). Any thread.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/display/vga-internal.h"

static int vga_png_write_fp(const struct vga_surface *surf, FILE *fp)
{
    png_structp png;
    png_infop info = NULL;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) {
        return -ENOMEM;
    }
    info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -ENOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -EIO;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, surf->width, surf->height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < surf->height; y++) {
        png_write_row(png, surf->rgb + (size_t)y * surf->stride);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int vga_png_write(const struct vga_surface *surf, const char *path)
{
    size_t n = strlen(path);
    char *tmp;
    FILE *fp;
    int rc;

    if (!surf || !surf->rgb || !surf->width || !surf->height) {
        return -EINVAL;
    }
    tmp = malloc(n + 5);
    if (!tmp) {
        return -ENOMEM;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    fp = fopen(tmp, "wb");
    if (!fp) {
        rc = -errno;
        free(tmp);
        return rc;
    }
    rc = vga_png_write_fp(surf, fp);
    if (fclose(fp) != 0 && rc == 0) {
        rc = -EIO;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -errno;
    }
    if (rc) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int vga_screendump(VGAState *s, const char *path)
{
    int rc;

    /* Held throughout, so no other update reallocates the surface. */
    pthread_mutex_lock(&s->lock);
    s->full_update = true;
    rc = vga_update_display_locked(s, NULL);
    if (!rc) {
        rc = vga_png_write(&s->surface, path);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
