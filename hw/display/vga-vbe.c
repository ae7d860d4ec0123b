/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-vbe.c - the Bochs "dispi" VBE registers of the std VGA.
 *
 * Depths: 4 (planar), 8, 15, 16, 24, 32.
 * The registers are a plain uint16_t array (VGAState.vbe_regs) as the
 * guest wrote them; the mode actually displayed is the validated copy in
 * VGAState.vbe_mode, computed by vga_vbe_mode_check() whenever ENABLE is
 * set or a geometry register changes while enabled. A mode that does not
 * fit in VRAM (or has an unsupported BPP) is refused: enabling leaves
 * ENABLE's ENABLED bit clear; a change while enabled is not applied (the
 * register keeps its previous value). VIRT_HEIGHT reads how many lines of
 * VIRT_WIDTH fit in VRAM; VIDEO_MEMORY_64K reads the VRAM size / 64 KiB.
 * BANK is masked to the VRAM size, so a bank never points past VRAM.
 *
 * Threading: every entry point takes VGAState.lock.
 */
#include <errno.h>
#include <string.h>

#include "hw/display/vga-internal.h"

static unsigned vbe_bytes_per_pixel(unsigned bpp)
{
    switch (bpp) {
    case 8:
        return 1;
    case 15:
    case 16:
        return 2;
    case 24:
        return 3;
    case 32:
        return 4;
    default:
        return 0;
    }
}

int vga_vbe_mode_check(const uint16_t *regs, uint64_t vram_size,
                       struct vga_vbe_mode *out)
{
    uint64_t xres = regs[VBE_DISPI_INDEX_XRES];
    uint64_t yres = regs[VBE_DISPI_INDEX_YRES];
    uint64_t vw = regs[VBE_DISPI_INDEX_VIRT_WIDTH];
    uint64_t xoff = regs[VBE_DISPI_INDEX_X_OFFSET];
    unsigned bpp = regs[VBE_DISPI_INDEX_BPP];
    unsigned bypp = vbe_bytes_per_pixel(bpp);
    uint64_t line, xbytes, start, end;

    if ((!bypp && bpp != 4) || xres == 0 || yres == 0 ||
        xres > VBE_DISPI_MAX_XRES || yres > VBE_DISPI_MAX_YRES ||
        (bpp == 4 && (xres & 7))) {
        return -EINVAL;
    }
    if (vw < xres) {
        vw = xres;
    }
    if (bpp == 4) {
        /* Planar: 8 pixels are one byte in each of 4 interleaved planes. */
        line = vw / 2;
        xbytes = xres / 2;
        start = (xoff / 2) & ~3ull;
    } else {
        line = vw * bypp;
        xbytes = xres * bypp;
        start = xoff * bypp;
    }
    start += regs[VBE_DISPI_INDEX_Y_OFFSET] * line;
    /* One past the last byte displayed (all terms < 2^40: no overflow). */
    end = start + (yres - 1) * line + xbytes;
    if (end > vram_size) {
        return -ENOSPC;
    }
    out->xres = (uint32_t)xres;
    out->yres = (uint32_t)yres;
    out->bpp = bpp;
    out->line_offset = (uint32_t)line;
    out->line_bytes = (uint32_t)xbytes;
    out->start_addr = start;
    return 0;
}

void vga_vbe_reset_locked(VGAState *s)
{
    s->vbe_index = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_regs[VBE_DISPI_INDEX_VIDEO_MEMORY_64K] =
        (uint16_t)(s->vram_size >> 16 > 0xffff ? 0xffff : s->vram_size >> 16);
    s->bank_offset = 0;
    memset(&s->vbe_mode, 0, sizeof(s->vbe_mode));
}

static void vbe_apply_mode_locked(VGAState *s, const struct vga_vbe_mode *m)
{
    uint64_t vh = s->vram_size / m->line_offset;

    s->vbe_mode = *m;
    s->vbe_regs[VBE_DISPI_INDEX_VIRT_HEIGHT] =
        (uint16_t)(vh > 0xffff ? 0xffff : vh);
    s->full_update = true;
}

/* Make the legacy registers agree with a linear 256-colour-like mode,
 * so the 0xa0000 window is the VBE bank in chain-4 addressing. */
static void vbe_update_vgaregs_locked(VGAState *s)
{
    s->gr[VGA_GFX_MISC] = (uint8_t)((s->gr[VGA_GFX_MISC] & ~0x0c) | 0x04 |
                                    VGA_GR06_GRAPHICS_MODE);
    if (s->vbe_mode.bpp == 4) {
        /* Planar: the window addresses the planes (no chain 4, no
         * odd/even). */
        s->sr[VGA_SEQ_MEMORY_MODE] =
            (uint8_t)((s->sr[VGA_SEQ_MEMORY_MODE] & ~VGA_SR04_CHN_4M) |
                      VGA_SR04_SEQ_MODE | VGA_SR04_EXT_MEM);
        s->gr[VGA_GFX_MODE] &= (uint8_t)~0x60;
    } else {
        s->sr[VGA_SEQ_MEMORY_MODE] |= VGA_SR04_CHN_4M;
        s->sr[VGA_SEQ_PLANE_WRITE] = 0x0f;
        s->gr[VGA_GFX_MODE] = (uint8_t)((s->gr[VGA_GFX_MODE] & ~0x60) | 0x40);
    }
}

static void vbe_enable_locked(VGAState *s, uint16_t val)
{
    bool was = vga_vbe_enabled(s);

    if ((val & VBE_DISPI_ENABLED) && !was) {
        uint16_t regs[VBE_DISPI_INDEX_NB];
        struct vga_vbe_mode m;
        int rc;

        memcpy(regs, s->vbe_regs, sizeof(regs));
        regs[VBE_DISPI_INDEX_VIRT_WIDTH] = regs[VBE_DISPI_INDEX_XRES];
        regs[VBE_DISPI_INDEX_X_OFFSET] = 0;
        regs[VBE_DISPI_INDEX_Y_OFFSET] = 0;
        rc = vga_vbe_mode_check(regs, s->vram_size, &m);
        if (rc) {
            log_warn_rl(&s->rl, "vga: VBE mode %ux%ux%u refused (%s)",
                        regs[VBE_DISPI_INDEX_XRES], regs[VBE_DISPI_INDEX_YRES],
                        regs[VBE_DISPI_INDEX_BPP],
                        rc == -ENOSPC ? "larger than VRAM" : "invalid");
            val &= (uint16_t)~VBE_DISPI_ENABLED;
        } else {
            memcpy(s->vbe_regs, regs, sizeof(regs));
            vbe_apply_mode_locked(s, &m);
            vbe_update_vgaregs_locked(s);
            if (!(val & VBE_DISPI_NOCLEARMEM)) {
                uint8_t *vram = vga_vram_locked(s);
                uint64_t len = (uint64_t)m.yres * m.line_offset;

                if (vram) {
                    memset(vram, 0, len);
                    memory_region_set_dirty(&s->vram, 0, len);
                }
            }
        }
    }
    if (!(val & VBE_DISPI_ENABLED)) {
        s->bank_offset = 0;
        memset(&s->vbe_mode, 0, sizeof(s->vbe_mode));
    }
    s->dac_8bit = (val & VBE_DISPI_8BIT_DAC) != 0;
    s->vbe_regs[VBE_DISPI_INDEX_ENABLE] = val;
    s->full_update = true;
}

static void vbe_write_locked(VGAState *s, uint16_t index, uint16_t val)
{
    uint16_t bank_mask, old;
    struct vga_vbe_mode m;
    int rc;

    switch (index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5) {
            s->vbe_regs[index] = val;
        }
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
    case VBE_DISPI_INDEX_VIRT_WIDTH:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        old = s->vbe_regs[index];
        s->vbe_regs[index] = val;
        if (!vga_vbe_enabled(s)) {
            break;              /* checked when enabled */
        }
        rc = vga_vbe_mode_check(s->vbe_regs, s->vram_size, &m);
        if (rc) {
            log_warn_rl(&s->rl, "vga: VBE register %u = %u refused (%s)",
                        index, val,
                        rc == -ENOSPC ? "past VRAM" : "invalid");
            s->vbe_regs[index] = old;
        } else {
            vbe_apply_mode_locked(s, &m);
        }
        break;
    case VBE_DISPI_INDEX_BANK:
        bank_mask = (uint16_t)((s->vram_size >> 16) - 1);
        val &= bank_mask;
        s->vbe_regs[index] = val;
        s->bank_offset = (uint32_t)val << 16;
        break;
    case VBE_DISPI_INDEX_ENABLE:
        vbe_enable_locked(s, val);
        break;
    default:
        /* VIRT_HEIGHT and VIDEO_MEMORY_64K are computed; others absent. */
        break;
    }
}

static uint16_t vbe_read_locked(VGAState *s, uint16_t index)
{
    if (index >= VBE_DISPI_INDEX_NB) {
        return 0;
    }
    if ((s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) &&
        index >= VBE_DISPI_INDEX_XRES && index <= VBE_DISPI_INDEX_BPP) {
        static const uint16_t caps[] = { 0, VBE_DISPI_MAX_XRES,
                                         VBE_DISPI_MAX_YRES,
                                         VBE_DISPI_MAX_BPP };
        return caps[index];
    }
    return s->vbe_regs[index];
}

uint16_t vga_vbe_read_reg(VGAState *s, uint16_t index)
{
    uint16_t v;

    pthread_mutex_lock(&s->lock);
    v = vbe_read_locked(s, index);
    pthread_mutex_unlock(&s->lock);
    return v;
}

void vga_vbe_write_reg(VGAState *s, uint16_t index, uint16_t val)
{
    pthread_mutex_lock(&s->lock);
    vbe_write_locked(s, index, val);
    pthread_mutex_unlock(&s->lock);
}

/* Ports: offset 0 = index (0x1ce), 1 and 2 = data (0x1cf, 0x1d0). */
static uint64_t vga_vbe_io_read(void *opaque, hwaddr addr, unsigned size)
{
    VGAState *s = opaque;
    uint16_t v;

    pthread_mutex_lock(&s->lock);
    v = addr == 0 ? s->vbe_index : vbe_read_locked(s, s->vbe_index);
    pthread_mutex_unlock(&s->lock);
    return size == 1 ? (v & 0xff) : v;
}

static void vga_vbe_io_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
    VGAState *s = opaque;

    pthread_mutex_lock(&s->lock);
    if (addr == 0) {
        s->vbe_index = (uint16_t)data;
    } else {
        vbe_write_locked(s, s->vbe_index, (uint16_t)data);
    }
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps vga_vbe_ops = {
    .read = vga_vbe_io_read,
    .write = vga_vbe_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 2, .unaligned = true },
};
