/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-internal.h - what the std VGA's files share (not for devices).
 */
#ifndef XENDM_HW_DISPLAY_VGA_INTERNAL_H
#define XENDM_HW_DISPLAY_VGA_INTERNAL_H

#include "hw/display/vga.h"

/* Sequencer. */
#define VGA_SEQ_CLOCK_MODE 0x01
#define VGA_SEQ_PLANE_WRITE 0x02
#define VGA_SEQ_CHARACTER_MAP 0x03
#define VGA_SEQ_MEMORY_MODE 0x04
#define  VGA_SR04_EXT_MEM 0x02
#define  VGA_SR04_SEQ_MODE 0x04   /* 1: odd/even addressing off */
#define  VGA_SR04_CHN_4M 0x08     /* chain 4 */

/* Graphics controller. */
#define VGA_GFX_SR_VALUE 0x00
#define VGA_GFX_SR_ENABLE 0x01
#define VGA_GFX_COMPARE_VALUE 0x02
#define VGA_GFX_DATA_ROTATE 0x03
#define VGA_GFX_PLANE_READ 0x04
#define VGA_GFX_MODE 0x05
#define VGA_GFX_MISC 0x06
#define  VGA_GR06_GRAPHICS_MODE 0x01
#define VGA_GFX_COMPARE_MASK 0x07
#define VGA_GFX_BIT_MASK 0x08

/* CRTC. */
#define VGA_CRTC_H_DISP 0x01
#define VGA_CRTC_OVERFLOW 0x07
#define VGA_CRTC_MAX_SCAN 0x09
#define VGA_CRTC_CURSOR_START 0x0a
#define VGA_CRTC_CURSOR_END 0x0b
#define VGA_CRTC_START_HI 0x0c
#define VGA_CRTC_START_LO 0x0d
#define VGA_CRTC_CURSOR_HI 0x0e
#define VGA_CRTC_CURSOR_LO 0x0f
#define VGA_CRTC_V_SYNC_END 0x11
#define VGA_CRTC_V_DISP_END 0x12
#define VGA_CRTC_OFFSET 0x13

/* Attribute controller. */
#define VGA_ATC_PALETTE_SIZE 0x10
#define VGA_ATC_MODE 0x10
#define VGA_ATC_PLANE_ENABLE 0x12
#define VGA_ATC_COLOR_PAGE 0x14
#define VGA_AR_ENABLE_DISPLAY 0x20

#define VGA_MIS_COLOR 0x01         /* CRTC at 0x3d4, status at 0x3da */
#define VGA_ST01_V_RETRACE 0x08
#define VGA_ST01_DISP_ENABLE 0x01

/* What vga_update_display() rendered last (VGAState.last_kind). */
enum vga_kind {
    VGA_KIND_NONE = 0,
    VGA_KIND_TEXT,
    VGA_KIND_VBE,
    VGA_KIND_GFX,
};

/**
 * vga_vram_locked() - VRAM host pointer (cached after the first successful
 * qemu_map_ram_ptr()); NULL if the mapping is not available (then reads
 * return all-ones and writes are dropped). Caller holds @s->lock.
 */
uint8_t *vga_vram_locked(VGAState *s);

/** vga_vbe_enabled() - dispi ENABLE has ENABLED (valid mode in vbe_mode). */
static inline bool vga_vbe_enabled(const VGAState *s)
{
    return s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

/** vga_vbe_reset_locked() - dispi registers to power-on values. */
void vga_vbe_reset_locked(VGAState *s);

/**
 * vga_vbe_mode_check() - compute the mode for @regs against @vram_size.
 * Return: 0 and *@out, or -EINVAL (bad BPP/size) or -ENOSPC (past VRAM).
 */
int vga_vbe_mode_check(const uint16_t *regs, uint64_t vram_size,
                       struct vga_vbe_mode *out);

/** vga_update_display_locked() - vga_update_display() with @s->lock held. */
int vga_update_display_locked(VGAState *s, struct vga_update *out);

/** vga_palette_rgb() - DAC entry @idx as 8-bit R,G,B. */
void vga_palette_rgb(const VGAState *s, uint8_t idx, uint8_t rgb[3]);

#endif /* XENDM_HW_DISPLAY_VGA_INTERNAL_H */
