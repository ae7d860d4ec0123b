/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-core.c - std VGA: creation, reset, the legacy ports 0x3c0-0x3df and
 * the legacy memory window 0xa0000-0xbffff.
 *
 * Ports 0x3b0-0x3bf (monochrome CRTC 0x3b4/0x3b5, status 0x3ba) and
 * 0x3d0-0x3df (colour) are decoded according to misc output bit 0.
 *
 * VRAM layout (as on real VGA and in QEMU): byte p of planar address a is
 * at VRAM offset 4 * a + p, so chain-4 (mode 13h, VBE banks) addresses
 * VRAM linearly and a text cell i has its character at 4 * i and its
 * attribute at 4 * i + 1 (odd/even mode), the font living in plane 2.
 * The window's accesses are decoded byte by byte (the memory core splits
 * wider ones): memory map select (GR6), chain-4 / odd-even / planar
 * (SR4), read mode 0/1 with the 32-bit latch, write modes 0-3 with
 * set/reset, rotate, logical function and bit mask (GR0-GR8), plane
 * write mask (SR2). Every VRAM access is bounds-checked and marks the
 * written bytes dirty in the memory API's bitmap (DIRTY_MEMORY_VGA).
 *
 * Threading: every entry point takes VGAState.lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/display/vga-internal.h"

/* Writable bits of the sequencer and graphics controller registers. */
static const uint8_t vga_sr_mask[8] = {
    0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff,
};
static const uint8_t vga_gr_mask[16] = {
    0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f,
    0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Byte p of the result is 0xff when bit p of the index is set. */
static uint32_t vga_mask16(unsigned v)
{
    uint32_t m = 0;

    for (unsigned p = 0; p < 4; p++) {
        if (v & (1u << p)) {
            m |= 0xffu << (8 * p);
        }
    }
    return m;
}

static uint32_t vga_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void vga_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

uint8_t *vga_vram_locked(VGAState *s)
{
    if (!s->vram_ptr) {
        s->vram_ptr = memory_region_get_ram_ptr(&s->vram);
        if (!s->vram_ptr) {
            log_warn_rl(&s->rl, "vga: VRAM is not mapped");
        }
    }
    return s->vram_ptr;
}

void vga_palette_rgb(const VGAState *s, uint8_t idx, uint8_t rgb[3])
{
    for (int i = 0; i < 3; i++) {
        uint8_t v = s->palette[idx * 3 + i];

        rgb[i] = s->dac_8bit ? v : (uint8_t)(((v & 0x3f) << 2) |
                                             ((v & 0x3f) >> 4));
    }
}

static void vga_reset_locked(VGAState *s)
{
    s->misc_output = 0;
    s->sr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    s->gr_index = 0;
    memset(s->gr, 0, sizeof(s->gr));
    s->cr_index = 0;
    memset(s->cr, 0, sizeof(s->cr));
    s->ar_index = 0;
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flip_flop = false;
    s->fcr = 0;
    s->st01 = 0;
    s->dac_state = 0;
    s->dac_sub_index = 0;
    s->dac_read_index = 0;
    s->dac_write_index = 0;
    memset(s->dac_cache, 0, sizeof(s->dac_cache));
    s->dac_8bit = false;
    memset(s->palette, 0, sizeof(s->palette));
    s->latch = 0;
    vga_vbe_reset_locked(s);
    s->full_update = true;
}

void vga_reset(VGAState *s)
{
    pthread_mutex_lock(&s->lock);
    vga_reset_locked(s);
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------------ */
/* Legacy ports                                                         */
/* ------------------------------------------------------------------ */

/* Ports of the other (mono/colour) CRTC address are not decoded. */
static bool vga_port_invalid(const VGAState *s, uint32_t port)
{
    if (s->misc_output & VGA_MIS_COLOR) {
        return port >= 0x3b0 && port <= 0x3bf;
    }
    return port >= 0x3d0 && port <= 0x3df;
}

static uint8_t vga_ioport_read_locked(VGAState *s, uint32_t port)
{
    uint8_t val = 0;
    unsigned idx;

    if (vga_port_invalid(s, port)) {
        return 0xff;
    }
    switch (port) {
    case 0x3c0:
        val = s->ar_flip_flop ? 0 : s->ar_index;
        break;
    case 0x3c1:
        idx = s->ar_index & 0x1f;
        val = idx < sizeof(s->ar) ? s->ar[idx] : 0;
        break;
    case 0x3c2:
        val = 0; /* input status 0 */
        break;
    case 0x3c4:
        val = s->sr_index;
        break;
    case 0x3c5:
        val = s->sr[s->sr_index & 7];
        break;
    case 0x3c7:
        val = s->dac_state;
        break;
    case 0x3c8:
        val = s->dac_write_index;
        break;
    case 0x3c9:
        val = s->palette[s->dac_read_index * 3 + s->dac_sub_index];
        if (++s->dac_sub_index == 3) {
            s->dac_sub_index = 0;
            s->dac_read_index++;
        }
        break;
    case 0x3ca:
        val = s->fcr;
        break;
    case 0x3cc:
        val = s->misc_output;
        break;
    case 0x3ce:
        val = s->gr_index;
        break;
    case 0x3cf:
        val = s->gr[s->gr_index & 0x0f];
        break;
    case 0x3b4:
    case 0x3d4:
        val = s->cr_index;
        break;
    case 0x3b5:
    case 0x3d5:
        val = s->cr[s->cr_index];
        break;
    case 0x3ba:
    case 0x3da:
        /* Input status 1: toggle retrace so polling loops finish; the
         * attribute flip-flop returns to "index". */
        s->st01 ^= VGA_ST01_V_RETRACE | VGA_ST01_DISP_ENABLE;
        val = s->st01;
        s->ar_flip_flop = false;
        break;
    default:
        val = 0;
        break;
    }
    return val;
}

static void vga_ar_write_locked(VGAState *s, uint8_t val)
{
    unsigned idx;

    if (!s->ar_flip_flop) {
        s->ar_index = val & 0x3f;
    } else {
        idx = s->ar_index & 0x1f;
        if (idx < VGA_ATC_PALETTE_SIZE) {
            s->ar[idx] = val & 0x3f;
        } else if (idx == VGA_ATC_MODE) {
            s->ar[idx] = val & (uint8_t)~0x10;
        } else if (idx == 0x11) {
            s->ar[idx] = val;
        } else if (idx == VGA_ATC_PLANE_ENABLE) {
            s->ar[idx] = val & (uint8_t)~0xc0;
        } else if (idx == 0x13 || idx == VGA_ATC_COLOR_PAGE) {
            s->ar[idx] = val & (uint8_t)~0xf0;
        }
        s->full_update = true;
    }
    s->ar_flip_flop = !s->ar_flip_flop;
}

static void vga_ioport_write_locked(VGAState *s, uint32_t port, uint8_t val)
{
    if (vga_port_invalid(s, port)) {
        return;
    }
    switch (port) {
    case 0x3c0:
    case 0x3c1:
        vga_ar_write_locked(s, val);
        break;
    case 0x3c2:
        s->misc_output = val & (uint8_t)~0x10;
        break;
    case 0x3c4:
        s->sr_index = val & 7;
        break;
    case 0x3c5:
        s->sr[s->sr_index & 7] = val & vga_sr_mask[s->sr_index & 7];
        s->full_update = true;
        break;
    case 0x3c7:
        s->dac_read_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 3;
        break;
    case 0x3c8:
        s->dac_write_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 0;
        break;
    case 0x3c9:
        s->dac_cache[s->dac_sub_index] = val;
        if (++s->dac_sub_index == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub_index = 0;
            s->dac_write_index++;
            s->full_update = true;
        }
        break;
    case 0x3ce:
        s->gr_index = val & 0x0f;
        break;
    case 0x3cf:
        s->gr[s->gr_index & 0x0f] = val & vga_gr_mask[s->gr_index & 0x0f];
        s->full_update = true;
        break;
    case 0x3b4:
    case 0x3d4:
        s->cr_index = val;
        break;
    case 0x3b5:
    case 0x3d5:
        /* CR0-CR7 are write-protected by CR11 bit 7, except CR7 bit 4. */
        if ((s->cr[VGA_CRTC_V_SYNC_END] & 0x80) && s->cr_index <= 7) {
            if (s->cr_index == VGA_CRTC_OVERFLOW) {
                s->cr[7] = (uint8_t)((s->cr[7] & ~0x10) | (val & 0x10));
            }
            break;
        }
        s->cr[s->cr_index] = val;
        s->full_update = true;
        break;
    case 0x3ba:
    case 0x3da:
        s->fcr = val & 0x10;
        break;
    default:
        break;
    }
}

uint8_t vga_ioport_read(VGAState *s, uint32_t port)
{
    uint8_t v;

    pthread_mutex_lock(&s->lock);
    v = vga_ioport_read_locked(s, port);
    pthread_mutex_unlock(&s->lock);
    return v;
}

void vga_ioport_write(VGAState *s, uint32_t port, uint8_t val)
{
    pthread_mutex_lock(&s->lock);
    vga_ioport_write_locked(s, port, val);
    pthread_mutex_unlock(&s->lock);
}

static uint64_t vga_io_mr_read(void *opaque, hwaddr addr, unsigned size)
{
    return vga_ioport_read(opaque, VGA_IO_BASE + (uint32_t)(addr & 0x1f));
}

static void vga_io_mr_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    vga_ioport_write(opaque, VGA_IO_BASE + (uint32_t)(addr & 0x1f),
                     (uint8_t)data);
}

const MemoryRegionOps vga_ioport_ops = {
    .read = vga_io_mr_read,
    .write = vga_io_mr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* 0x3b0-0x3bf: the monochrome CRTC and status ports. */
static uint64_t vga_mono_mr_read(void *opaque, hwaddr addr, unsigned size)
{
    return vga_ioport_read(opaque, VGA_MONO_IO_BASE + (uint32_t)(addr & 0xf));
}

static void vga_mono_mr_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    vga_ioport_write(opaque, VGA_MONO_IO_BASE + (uint32_t)(addr & 0xf),
                     (uint8_t)data);
}

static const MemoryRegionOps vga_mono_ops = {
    .read = vga_mono_mr_read,
    .write = vga_mono_mr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ------------------------------------------------------------------ */
/* The 0xa0000 window                                                   */
/* ------------------------------------------------------------------ */

/*
 * Translate a window offset by the memory map select. Return false if
 * the offset is outside the selected window (reads 0xff, writes dropped).
 */
static bool vga_window_offset(const VGAState *s, uint64_t *addr)
{
    switch ((s->gr[VGA_GFX_MISC] >> 2) & 3) {
    case 0:                         /* a0000-bffff */
        return true;
    case 1:                         /* a0000-affff, VBE bank */
        if (*addr >= 0x10000) {
            return false;
        }
        *addr += s->bank_offset;
        return true;
    case 2:                         /* b0000-b7fff */
        if (*addr < 0x10000 || *addr >= 0x18000) {
            return false;
        }
        *addr -= 0x10000;
        return true;
    default:                        /* b8000-bffff */
        if (*addr < 0x18000) {
            return false;
        }
        *addr -= 0x18000;
        return true;
    }
}

static uint8_t vga_mem_readb_locked(VGAState *s, uint64_t addr)
{
    uint8_t *vram = vga_vram_locked(s);
    uint64_t off;
    unsigned plane;

    if (!vram || !vga_window_offset(s, &addr)) {
        return 0xff;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        return addr < s->vram_size ? vram[addr] : 0xff;
    }
    if (!(s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_SEQ_MODE)) {
        /* odd/even */
        plane = (s->gr[VGA_GFX_PLANE_READ] & 2) | (addr & 1);
        off = ((addr & ~1ull) << 1) | plane;
        return off < s->vram_size ? vram[off] : 0xff;
    }
    off = addr << 2;
    if (off + 3 >= s->vram_size) {
        return 0xff;
    }
    s->latch = vga_ld32(vram + off);
    if (!(s->gr[VGA_GFX_MODE] & 0x08)) {
        plane = s->gr[VGA_GFX_PLANE_READ] & 3;
        return (uint8_t)(s->latch >> (8 * plane));
    }
    /* Read mode 1: colour compare. */
    uint32_t r = (s->latch ^ vga_mask16(s->gr[VGA_GFX_COMPARE_VALUE])) &
                 vga_mask16(s->gr[VGA_GFX_COMPARE_MASK]);
    r |= r >> 16;
    r |= r >> 8;
    return (uint8_t)~r;
}

static void vga_mem_writeb_locked(VGAState *s, uint64_t addr, uint8_t val)
{
    uint8_t *vram = vga_vram_locked(s);
    uint64_t off;
    unsigned plane, rot;
    uint32_t v32, bit_mask, wmask;

    if (!vram || !vga_window_offset(s, &addr)) {
        return;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        plane = addr & 3;
        if ((s->sr[VGA_SEQ_PLANE_WRITE] & (1u << plane)) &&
            addr < s->vram_size) {
            vram[addr] = val;
            memory_region_set_dirty(&s->vram, addr, 1);
        }
        return;
    }
    if (!(s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_SEQ_MODE)) {
        plane = (s->gr[VGA_GFX_PLANE_READ] & 2) | (addr & 1);
        off = ((addr & ~1ull) << 1) | plane;
        if ((s->sr[VGA_SEQ_PLANE_WRITE] & (1u << plane)) &&
            off < s->vram_size) {
            vram[off] = val;
            memory_region_set_dirty(&s->vram, off, 1);
        }
        return;
    }
    off = addr << 2;
    if (off + 3 >= s->vram_size) {
        return;
    }
    rot = s->gr[VGA_GFX_DATA_ROTATE] & 7;
    switch (s->gr[VGA_GFX_MODE] & 3) {
    case 0: {
        uint32_t set_mask = vga_mask16(s->gr[VGA_GFX_SR_ENABLE]);

        val = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
        v32 = val * 0x01010101u;
        v32 = (v32 & ~set_mask) | (vga_mask16(s->gr[VGA_GFX_SR_VALUE]) &
                                   set_mask);
        bit_mask = s->gr[VGA_GFX_BIT_MASK];
        break;
    }
    case 1:
        v32 = s->latch;
        goto store;
    case 2:
        v32 = vga_mask16(val & 0x0f);
        bit_mask = s->gr[VGA_GFX_BIT_MASK];
        break;
    default:
        val = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
        bit_mask = s->gr[VGA_GFX_BIT_MASK] & val;
        v32 = vga_mask16(s->gr[VGA_GFX_SR_VALUE]);
        break;
    }
    switch ((s->gr[VGA_GFX_DATA_ROTATE] >> 3) & 3) {
    case 1:
        v32 &= s->latch;
        break;
    case 2:
        v32 |= s->latch;
        break;
    case 3:
        v32 ^= s->latch;
        break;
    default:
        break;
    }
    bit_mask *= 0x01010101u;
    v32 = (v32 & bit_mask) | (s->latch & ~bit_mask);
store:
    wmask = vga_mask16(s->sr[VGA_SEQ_PLANE_WRITE]);
    vga_st32(vram + off, (vga_ld32(vram + off) & ~wmask) | (v32 & wmask));
    memory_region_set_dirty(&s->vram, off, 4);
}

static uint64_t vga_lowmem_read(void *opaque, hwaddr addr, unsigned size)
{
    VGAState *s = opaque;
    uint8_t v;

    pthread_mutex_lock(&s->lock);
    v = vga_mem_readb_locked(s, addr);
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void vga_lowmem_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
    VGAState *s = opaque;

    pthread_mutex_lock(&s->lock);
    vga_mem_writeb_locked(s, addr, (uint8_t)data);
    pthread_mutex_unlock(&s->lock);
}

static const MemoryRegionOps vga_lowmem_ops = {
    .read = vga_lowmem_read,
    .write = vga_lowmem_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */
/* ------------------------------------------------------------------ */

int vga_init(VGAState *s, MemorySystem *ms, Object *owner, uint64_t vram_size)
{
    int rc;

    if (vram_size == 0) {
        vram_size = VGA_VRAM_SIZE_DEFAULT;
    }
    if (!ms || vram_size < VGA_VRAM_SIZE_MIN || vram_size > VGA_VRAM_SIZE_MAX ||
        (vram_size & (vram_size - 1))) {
        return -EINVAL;
    }
    memset(s, 0, sizeof(*s));
    rc = pthread_mutex_init(&s->lock, NULL);
    if (rc) {
        return -rc;
    }
    s->ms = ms;
    s->owner = owner;
    s->vram_size = vram_size;
    rc = memory_region_init_ram(&s->vram, ms, owner, "vga.vram", vram_size);
    if (rc) {
        pthread_mutex_destroy(&s->lock);
        return rc;
    }
    memory_region_set_log(&s->vram, true, DIRTY_MEMORY_VGA);
    memory_region_init_io(&s->lowmem, ms, owner, &vga_lowmem_ops, s,
                          "vga-lowmem", VGA_LOWMEM_SIZE);
    memory_region_init_io(&s->vga_io, ms, owner, &vga_ioport_ops, s, "vga",
                          VGA_IO_SIZE);
    memory_region_init_io(&s->mono_io, ms, owner, &vga_mono_ops, s,
                          "vga-mono", VGA_MONO_IO_SIZE);
    memory_region_init_io(&s->vbe_io, ms, owner, &vga_vbe_ops, s, "vbe",
                          VBE_IO_SIZE);
    vga_reset_locked(s);
    return 0;
}

void vga_map_legacy(VGAState *s, MemoryRegion *mem_root, MemoryRegion *io_root)
{
    memory_region_transaction_begin(s->ms);
    if (mem_root && !s->lowmem_parent) {
        memory_region_add_subregion_overlap(mem_root, VGA_LOWMEM_BASE,
                                            &s->lowmem, 1);
        s->lowmem_parent = mem_root;
    }
    if (io_root && !s->io_parent) {
        memory_region_add_subregion(io_root, VGA_MONO_IO_BASE, &s->mono_io);
        memory_region_add_subregion(io_root, VGA_IO_BASE, &s->vga_io);
        memory_region_add_subregion(io_root, VBE_DISPI_IOPORT_INDEX,
                                    &s->vbe_io);
        s->io_parent = io_root;
    }
    memory_region_transaction_commit(s->ms);
}

void vga_unmap_legacy(VGAState *s)
{
    memory_region_transaction_begin(s->ms);
    if (s->lowmem_parent) {
        memory_region_del_subregion(s->lowmem_parent, &s->lowmem);
        s->lowmem_parent = NULL;
    }
    if (s->io_parent) {
        memory_region_del_subregion(s->io_parent, &s->mono_io);
        memory_region_del_subregion(s->io_parent, &s->vga_io);
        memory_region_del_subregion(s->io_parent, &s->vbe_io);
        s->io_parent = NULL;
    }
    memory_region_transaction_commit(s->ms);
}

void vga_exit(VGAState *s)
{
    vga_unmap_legacy(s);
    memory_region_finalize(&s->vbe_io);
    memory_region_finalize(&s->vga_io);
    memory_region_finalize(&s->mono_io);
    memory_region_finalize(&s->lowmem);
    memory_region_set_log(&s->vram, false, DIRTY_MEMORY_VGA);
    memory_region_finalize(&s->vram);
    free(s->surface.rgb);
    s->surface.rgb = NULL;
    s->vram_ptr = NULL;
    pthread_mutex_destroy(&s->lock);
}
