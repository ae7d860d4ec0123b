/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-render.c - std VGA display: the RGB surface, text as text, and the
 * dirty-log driven update.
 *
 * Modes rendered:
 *  - VBE (dispi ENABLED): 4 bpp planar through the attribute controller
 *    and the DAC, 8 bpp through the DAC palette, 15/16 bpp
 *    (5:5:5 / 5:6:5), 24 bpp (B,G,R), 32 bpp (B,G,R,x); lines are redrawn
 *    when the dirty log (DIRTY_MEMORY_VGA, captured with
 *    memory_region_snapshot_and_clear_dirty()) shows a write to their
 *    bytes, or all after a mode/palette change.
 *  - text (GR6 bit 0 clear): cells of 8 or 9 pixels by CR9+1 lines, glyphs
 *    from the font in plane 2 (character map select SR3), colours through
 *    the attribute controller and the DAC, the CRTC cursor; redrawn whole
 *    when anything in the text planes changed.
 *  - legacy graphics modes (GR6 bit 0 set, dispi off): 16 colours from
 *    four planes (mode 12h and friends; GR5 shift 0) and 256 colours in
 *    chain-4 (mode 13h; GR5 bit 6), sized from the CRTC (CR1, CR12/CR7,
 *    CR9 scan doubling), line offset CR13 * 8 bytes, start CR0C/CR0D;
 *    CGA 4-colour (GR5 bit 5) is drawn black. Redrawn whole when the
 *    low 256 KiB of VRAM changed.
 * Every VRAM read is bounds-checked against the VRAM size.
 *
 * Threading: entry points take VGAState.lock; the surface belongs to the
 * thread that calls vga_update_display().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/display/vga-internal.h"

/* Code page 437 as Unicode. */
static const uint16_t vga_cp437[256] = {
    0x0020, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a, 0x266b, 0x263c,
    0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
    0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
    0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x2302,
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
    0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
    0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
    0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
    0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
    0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
    0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
    0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

/* Plane-2 offsets of the eight character maps (SR3 encoding). */
static const uint32_t vga_font_map_offset[8] = {
    0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000,
};

struct vga_text_geom {
    unsigned cols, rows;
    unsigned cwidth, cheight;
    uint32_t start;            /* CRTC character address of cell 0 */
    uint32_t stride;           /* characters per text line */
};

static void vga_text_geometry(const VGAState *s, struct vga_text_geom *g)
{
    unsigned vde;

    g->cols = s->cr[VGA_CRTC_H_DISP] ? s->cr[VGA_CRTC_H_DISP] + 1u : 80u;
    if (g->cols > 132) {
        g->cols = 132;
    }
    g->cheight = s->cr[VGA_CRTC_MAX_SCAN] & 0x1f ?
                 (s->cr[VGA_CRTC_MAX_SCAN] & 0x1fu) + 1 : 16u;
    vde = s->cr[VGA_CRTC_V_DISP_END] |
          ((s->cr[VGA_CRTC_OVERFLOW] & 0x02u) << 7) |
          ((s->cr[VGA_CRTC_OVERFLOW] & 0x40u) << 3);
    g->rows = vde ? (vde + 1) / g->cheight : 25u;
    if (g->rows == 0) {
        g->rows = 1;
    }
    if (g->rows > 60) {
        g->rows = 60;
    }
    g->cwidth = (s->sr[VGA_SEQ_CLOCK_MODE] & 1) ? 8 : 9;
    g->start = ((uint32_t)s->cr[VGA_CRTC_START_HI] << 8) |
               s->cr[VGA_CRTC_START_LO];
    g->stride = s->cr[VGA_CRTC_OFFSET] ? s->cr[VGA_CRTC_OFFSET] * 2u : g->cols;
}

static bool vga_is_text(const VGAState *s)
{
    return !vga_vbe_enabled(s) &&
           !(s->gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS_MODE);
}

/* VRAM offset of the character byte of text address @a (16-bit wrap). */
static uint64_t vga_text_off(uint32_t a)
{
    return (uint64_t)(a & 0xffff) << 2;
}

static void vga_cursor(const VGAState *s, const struct vga_text_geom *g,
                       struct vga_text_info *info)
{
    uint32_t loc = ((uint32_t)s->cr[VGA_CRTC_CURSOR_HI] << 8) |
                   s->cr[VGA_CRTC_CURSOR_LO];
    uint32_t rel = (loc - g->start) & 0xffff;

    info->cols = g->cols;
    info->rows = g->rows;
    info->cursor_row = rel / g->stride;
    info->cursor_col = rel % g->stride;
    info->cursor_visible = !(s->cr[VGA_CRTC_CURSOR_START] & 0x20) &&
                           info->cursor_row < g->rows &&
                           info->cursor_col < g->cols;
}

static size_t vga_utf8(uint16_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

char *vga_text_snapshot(VGAState *s, struct vga_text_info *info)
{
    struct vga_text_geom g;
    struct vga_text_info ti;
    char *buf, *p;
    uint8_t *vram;

    pthread_mutex_lock(&s->lock);
    if (!vga_is_text(s)) {
        pthread_mutex_unlock(&s->lock);
        errno = ENOTSUP;
        return NULL;
    }
    vga_text_geometry(s, &g);
    vram = vga_vram_locked(s);
    buf = malloc((size_t)g.rows * (g.cols * 3 + 1) + 1);
    if (!buf) {
        pthread_mutex_unlock(&s->lock);
        errno = ENOMEM;
        return NULL;
    }
    p = buf;
    for (unsigned r = 0; r < g.rows; r++) {
        char *end = p;

        for (unsigned c = 0; c < g.cols; c++) {
            uint64_t off = vga_text_off(g.start + r * g.stride + c);
            uint8_t ch = vram && off < s->vram_size ? vram[off] : 0;

            p += vga_utf8(vga_cp437[ch], p);
            if (ch != 0 && ch != ' ') {
                end = p;
            }
        }
        p = end;
        *p++ = '\n';
    }
    *p = '\0';
    vga_cursor(s, &g, &ti);
    pthread_mutex_unlock(&s->lock);
    if (info) {
        *info = ti;
    }
    return buf;
}

/* ------------------------------------------------------------------ */
/* Surface                                                              */
/* ------------------------------------------------------------------ */

static int vga_surface_size(VGAState *s, uint32_t w, uint32_t h, bool *resized)
{
    struct vga_surface *sf = &s->surface;
    uint8_t *rgb;

    if (sf->rgb && sf->width == w && sf->height == h) {
        return 0;
    }
    rgb = calloc((size_t)w * h, 3);
    if (!rgb) {
        return -ENOMEM;
    }
    free(sf->rgb);
    sf->rgb = rgb;
    sf->width = w;
    sf->height = h;
    sf->stride = w * 3;
    *resized = true;
    return 0;
}

/* Attribute-controller colour @c (0-15) to a DAC index. */
static uint8_t vga_attr_to_dac(const VGAState *s, unsigned c)
{
    uint8_t v = s->ar[c & 0xf];
    uint8_t sel = s->ar[VGA_ATC_COLOR_PAGE];

    if (s->ar[VGA_ATC_MODE] & 0x80) {
        return (uint8_t)(((sel & 0x0c) << 4) | ((sel & 0x03) << 4) |
                         (v & 0x0f));
    }
    return (uint8_t)(((sel & 0x0c) << 4) | (v & 0x3f));
}

static void vga_draw_text_locked(VGAState *s, const struct vga_text_geom *g)
{
    struct vga_surface *sf = &s->surface;
    uint8_t *vram = vga_vram_locked(s);
    struct vga_text_info ti;
    uint8_t sr3 = s->sr[VGA_SEQ_CHARACTER_MAP];
    uint32_t map_a = vga_font_map_offset[((sr3 >> 2) & 3) | ((sr3 >> 3) & 4)];
    uint32_t map_b = vga_font_map_offset[(sr3 & 3) | ((sr3 >> 2) & 4)];

    vga_cursor(s, g, &ti);
    for (unsigned r = 0; r < g->rows; r++) {
        for (unsigned c = 0; c < g->cols; c++) {
            uint64_t off = vga_text_off(g->start + r * g->stride + c);
            uint8_t ch = 0, attr = 0;
            uint8_t fg[3], bg[3];
            unsigned bgi;

            if (vram && off + 1 < s->vram_size) {
                ch = vram[off];
                attr = vram[off + 1];
            }
            bgi = attr >> 4;
            if (s->ar[VGA_ATC_MODE] & 0x08) {
                bgi &= 7;           /* bit 7 is blink */
            }
            vga_palette_rgb(s, vga_attr_to_dac(s, attr & 0xf), fg);
            vga_palette_rgb(s, vga_attr_to_dac(s, bgi), bg);
            uint32_t font = ((attr & 0x08) ? map_a : map_b) + ch * 32u;
            bool cursor = ti.cursor_visible && ti.cursor_row == r &&
                          ti.cursor_col == c;

            for (unsigned y = 0; y < g->cheight; y++) {
                uint64_t foff = ((uint64_t)(font + y) << 2) | 2;
                uint8_t bits = vram && foff < s->vram_size && y < 32 ?
                               vram[foff] : 0;
                uint8_t *dst = sf->rgb + (size_t)(r * g->cheight + y) *
                               sf->stride + (size_t)c * g->cwidth * 3;

                if (cursor && y >= (s->cr[VGA_CRTC_CURSOR_START] & 0x1fu) &&
                    y <= (s->cr[VGA_CRTC_CURSOR_END] & 0x1fu)) {
                    bits = 0xff;
                }
                for (unsigned x = 0; x < g->cwidth; x++) {
                    bool on;

                    if (x < 8) {
                        on = bits & (0x80 >> x);
                    } else {
                        /* 9th column: repeats column 8 for line graphics */
                        on = (s->ar[VGA_ATC_MODE] & 0x04) && ch >= 0xc0 &&
                             ch <= 0xdf && (bits & 1);
                    }
                    memcpy(dst + x * 3, on ? fg : bg, 3);
                }
            }
        }
    }
}

static void vga_draw_vbe_line_locked(VGAState *s, const uint8_t *src,
                                     uint8_t *dst, uint32_t w, uint32_t bpp)
{
    for (uint32_t x = 0; x < w; x++, dst += 3) {
        uint32_t v;

        switch (bpp) {
        case 4:
            v = 0;
            for (unsigned p = 0; p < 4; p++) {
                v |= ((src[(x >> 3) * 4 + p] >> (7 - (x & 7))) & 1u) << p;
            }
            v &= s->ar[VGA_ATC_PLANE_ENABLE] & 0x0f;
            vga_palette_rgb(s, vga_attr_to_dac(s, v), dst);
            break;
        case 8:
            vga_palette_rgb(s, src[x], dst);
            break;
        case 15:
            v = src[2 * x] | (src[2 * x + 1] << 8);
            dst[0] = (uint8_t)(((v >> 10) & 0x1f) << 3 | ((v >> 12) & 7));
            dst[1] = (uint8_t)(((v >> 5) & 0x1f) << 3 | ((v >> 7) & 7));
            dst[2] = (uint8_t)((v & 0x1f) << 3 | ((v >> 2) & 7));
            break;
        case 16:
            v = src[2 * x] | (src[2 * x + 1] << 8);
            dst[0] = (uint8_t)(((v >> 11) & 0x1f) << 3 | ((v >> 13) & 7));
            dst[1] = (uint8_t)(((v >> 5) & 0x3f) << 2 | ((v >> 9) & 3));
            dst[2] = (uint8_t)((v & 0x1f) << 3 | ((v >> 2) & 7));
            break;
        case 24:
            dst[0] = src[3 * x + 2];
            dst[1] = src[3 * x + 1];
            dst[2] = src[3 * x];
            break;
        default: /* 32 */
            dst[0] = src[4 * x + 2];
            dst[1] = src[4 * x + 1];
            dst[2] = src[4 * x];
            break;
        }
    }
}

static int vga_update_vbe_locked(VGAState *s, struct vga_update *u, bool full)
{
    const struct vga_vbe_mode *m = &s->vbe_mode;
    uint64_t line_bytes = m->line_bytes;
    uint64_t span = (uint64_t)(m->yres - 1) * m->line_offset + line_bytes;
    uint8_t *vram = vga_vram_locked(s);
    DirtyBitmapSnapshot *snap;
    int rc;

    rc = vga_surface_size(s, m->xres, m->yres, &u->resized);
    if (rc) {
        return rc;
    }
    full = full || u->resized;
    /* Validated when set; re-check so a bug can never read past VRAM. */
    if (!vram || m->start_addr + span > s->vram_size) {
        memset(s->surface.rgb, 0, (size_t)s->surface.stride * m->yres);
        u->dirty = true;
        u->first_line = 0;
        u->last_line = m->yres - 1;
        return 0;
    }
    snap = memory_region_snapshot_and_clear_dirty(&s->vram, m->start_addr,
                                                  span, DIRTY_MEMORY_VGA);
    if (!snap) {
        full = true;
    }
    for (uint32_t y = 0; y < m->yres; y++) {
        uint64_t a = m->start_addr + (uint64_t)y * m->line_offset;

        if (!full && !memory_region_snapshot_get_dirty(&s->vram, snap, a,
                                                       line_bytes)) {
            continue;
        }
        vga_draw_vbe_line_locked(s, vram + a,
                                 s->surface.rgb + (size_t)y * s->surface.stride,
                                 m->xres, m->bpp);
        if (!u->dirty) {
            u->first_line = y;
        }
        u->dirty = true;
        u->last_line = y;
    }
    dirty_bitmap_snapshot_free(snap);
    return 0;
}

static int vga_update_text_locked(VGAState *s, struct vga_update *u, bool full)
{
    struct vga_text_geom g;
    int rc;

    vga_text_geometry(s, &g);
    rc = vga_surface_size(s, g.cols * g.cwidth, g.rows * g.cheight,
                          &u->resized);
    if (rc) {
        return rc;
    }
    /* Any write to the text planes (cells or font) redraws the screen. */
    if (memory_region_test_and_clear_dirty(&s->vram, 0, 0x40000,
                                           DIRTY_MEMORY_VGA)) {
        full = true;
    }
    if (full || u->resized) {
        vga_draw_text_locked(s, &g);
        u->dirty = true;
        u->first_line = 0;
        u->last_line = s->surface.height - 1;
    }
    return 0;
}

struct vga_gfx_geom {
    uint32_t width, height;
    uint64_t start;            /* VRAM byte offset of line 0 */
    uint64_t line;             /* VRAM bytes per line */
    unsigned shift;            /* GR5 bits 5-6: 0 planar, 1 CGA, 2+ 256 */
};

static void vga_gfx_geometry(const VGAState *s, struct vga_gfx_geom *g)
{
    unsigned vde, scan;

    g->shift = (s->gr[VGA_GFX_MODE] >> 5) & 3;
    g->width = (s->cr[VGA_CRTC_H_DISP] + 1u) * 8;
    if (g->shift >= 2) {
        g->width /= 2;        /* 8-bit pixels take two dot clocks */
    }
    vde = s->cr[VGA_CRTC_V_DISP_END] |
          ((s->cr[VGA_CRTC_OVERFLOW] & 0x02u) << 7) |
          ((s->cr[VGA_CRTC_OVERFLOW] & 0x40u) << 3);
    scan = (s->cr[VGA_CRTC_MAX_SCAN] & 0x1fu) + 1;
    if (s->cr[VGA_CRTC_MAX_SCAN] & 0x80) {
        scan *= 2;
    }
    g->height = (vde + 1) / scan;
    if (g->height == 0) {
        g->height = 1;
    }
    g->line = (uint64_t)s->cr[VGA_CRTC_OFFSET] << 3;
    g->start = (((uint64_t)s->cr[VGA_CRTC_START_HI] << 8) |
                s->cr[VGA_CRTC_START_LO]) << 2;
}

static void vga_draw_gfx_locked(VGAState *s, const struct vga_gfx_geom *g)
{
    struct vga_surface *sf = &s->surface;
    uint8_t *vram = vga_vram_locked(s);
    uint8_t plane_mask = s->ar[VGA_ATC_PLANE_ENABLE] & 0x0f;

    for (uint32_t y = 0; y < g->height; y++) {
        uint8_t *dst = sf->rgb + (size_t)y * sf->stride;
        uint64_t base = g->start + (uint64_t)y * g->line;

        for (uint32_t x = 0; x < g->width; x++, dst += 3) {
            uint64_t off;
            unsigned c = 0;

            if (g->shift >= 2) {
                off = base + x;
                if (vram && off < s->vram_size) {
                    vga_palette_rgb(s, vram[off], dst);
                } else {
                    memset(dst, 0, 3);
                }
                continue;
            }
            if (g->shift == 1) {
                memset(dst, 0, 3);
                continue;
            }
            off = base + (uint64_t)(x >> 3) * 4;
            if (vram && off + 3 < s->vram_size) {
                for (unsigned p = 0; p < 4; p++) {
                    c |= ((vram[off + p] >> (7 - (x & 7))) & 1u) << p;
                }
            }
            vga_palette_rgb(s, vga_attr_to_dac(s, c & plane_mask), dst);
        }
    }
}

static int vga_update_gfx_locked(VGAState *s, struct vga_update *u, bool full)
{
    struct vga_gfx_geom g;
    int rc;

    vga_gfx_geometry(s, &g);
    rc = vga_surface_size(s, g.width, g.height, &u->resized);
    if (rc) {
        return rc;
    }
    if (memory_region_test_and_clear_dirty(&s->vram, 0, 0x40000,
                                           DIRTY_MEMORY_VGA)) {
        full = true;
    }
    if (full || u->resized) {
        vga_draw_gfx_locked(s, &g);
        u->dirty = true;
        u->first_line = 0;
        u->last_line = s->surface.height - 1;
    }
    return 0;
}

int vga_update_display_locked(VGAState *s, struct vga_update *out)
{
    struct vga_update u = { 0 };
    bool full;
    int kind, rc;

    if (vga_vbe_enabled(s)) {
        kind = VGA_KIND_VBE;
    } else if (vga_is_text(s)) {
        kind = VGA_KIND_TEXT;
    } else {
        kind = VGA_KIND_GFX;
    }
    full = s->full_update || kind != s->last_kind;
    switch (kind) {
    case VGA_KIND_VBE:
        rc = vga_update_vbe_locked(s, &u, full);
        break;
    case VGA_KIND_TEXT:
        rc = vga_update_text_locked(s, &u, full);
        break;
    default:
        rc = vga_update_gfx_locked(s, &u, full);
        break;
    }
    if (!rc) {
        s->full_update = false;
        s->last_kind = kind;
    }
    if (out) {
        *out = u;
    }
    return rc;
}

int vga_update_display(VGAState *s, struct vga_update *out)
{
    int rc;

    pthread_mutex_lock(&s->lock);
    rc = vga_update_display_locked(s, out);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void vga_invalidate_display(VGAState *s)
{
    pthread_mutex_lock(&s->lock);
    s->full_update = true;
    pthread_mutex_unlock(&s->lock);
}

const struct vga_surface *vga_get_surface(VGAState *s)
{
    return &s->surface;
}
