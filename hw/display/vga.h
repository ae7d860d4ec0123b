/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga.h - the std VGA (Bochs/QEMU "dispi" VBE extensions): the
 * bus-agnostic core. PCI glue (1234:1111) is in vga-pci.h.
 *
 * What a guest sees:
 *  - VRAM: a RAM region ("vga.vram", a power of two, default 16 MiB) with
 *    dirty logging for DIRTY_MEMORY_VGA on; the PCI glue maps it as the
 *    linear framebuffer BAR. Its contents are only reached through
 *    memory_region_get_ram_ptr() (qemu_map_ram_ptr(): under Xen a locked,
 *    non-dma mapcache mapping), never as plain malloc'd memory.
 *  - the legacy window 0xa0000-0xbffff (an I/O region, @lowmem): planar,
 *    odd/even and chain-4 accesses as selected by the sequencer and
 *    graphics controller, or the VBE bank (64 KiB at BANK << 16);
 *  - ports 0x3c0-0x3df (@vga_io) and 0x3b0-0x3bf (@mono_io; the CRTC
 *    and status ports answer at 0x3b4/0x3b5/0x3ba or 0x3d4/0x3d5/0x3da as
 *    misc output bit 0 selects): attribute controller (with its index /
 *    data flip-flop, reset by reading 0x3da), misc output, sequencer,
 *    DAC (palette), graphics controller, CRTC (incl. cursor position),
 *    input status 1;
 *  - ports 0x1ce (index) / 0x1cf (data) (@vbe_io): the dispi registers:
 *    ID (0xb0c0-0xb0c5), XRES, YRES, BPP, ENABLE (ENABLED, GETCAPS,
 *    8BIT_DAC, LFB_ENABLED, NOCLEARMEM), BANK, VIRT_WIDTH, VIRT_HEIGHT,
 *    X_OFFSET, Y_OFFSET, VIDEO_MEMORY_64K.
 *
 * Depths 4 (planar, 16 colours through the attribute controller, XRES a
 * multiple of 8), 8, 15, 16, 24 and 32 are supported.
 * Hostile values: a VBE mode (XRES x YRES x BPP with VIRT_WIDTH and the
 * offsets) that does not fit in VRAM, or an unsupported BPP, is refused:
 * ENABLE keeps its ENABLED bit clear (or, while enabled, the previous
 * mode stays displayed); BANK is masked to VRAM; every VRAM access is
 * bounds-checked.
 *
 * Display: vga_update_display() renders the current mode into an RGB
 * surface (3 bytes per pixel), redrawing only lines whose VRAM pages the
 * dirty log reports (or everything after a mode or palette change).
 * Text mode is drawn with the font the guest loaded into plane 2 and is
 * also available as text (vga_text_snapshot()); legacy 16- and
 * 256-colour graphics modes are drawn from the CRTC geometry.
 * vga_screendump() writes the surface as a PNG.
 *
 * Locking: one mutex (@lock) serialises register accesses (ioreq thread)
 * with rendering / screendump (monitor). While holding it the VGA only
 * calls the memory API's dirty-bitmap functions (whose log_sync may reach
 * the Xen listener) and, for a screendump, libpng. VRAM contents are
 * guest memory written without the lock (framebuffer BAR), exactly as on
 * hardware: a frame may show a half-done drawing, and the write's dirty
 * bit makes the next update redraw it.
 */
#ifndef XENDM_HW_DISPLAY_VGA_H
#define XENDM_HW_DISPLAY_VGA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory/memory.h"
#include "util/log.h"

#define VGA_VRAM_SIZE_DEFAULT (16ull << 20)
#define VGA_VRAM_SIZE_MIN (1ull << 20)
#define VGA_VRAM_SIZE_MAX (256ull << 20)

/* The legacy memory window. */
#define VGA_LOWMEM_BASE 0xa0000
#define VGA_LOWMEM_SIZE 0x20000
/* Legacy ports 0x3c0-0x3df, and the monochrome ones 0x3b0-0x3bf. */
#define VGA_IO_BASE 0x3c0
#define VGA_IO_SIZE 0x20
#define VGA_MONO_IO_BASE 0x3b0
#define VGA_MONO_IO_SIZE 0x10
/* Dispi ports: 0x1ce index, 0x1cf data (0x1d0 data alias). */
#define VBE_DISPI_IOPORT_INDEX 0x1ce
#define VBE_DISPI_IOPORT_DATA 0x1cf
#define VBE_IO_SIZE 3

/* Dispi register indices. */
#define VBE_DISPI_INDEX_ID 0x0
#define VBE_DISPI_INDEX_XRES 0x1
#define VBE_DISPI_INDEX_YRES 0x2
#define VBE_DISPI_INDEX_BPP 0x3
#define VBE_DISPI_INDEX_ENABLE 0x4
#define VBE_DISPI_INDEX_BANK 0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH 0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET 0x8
#define VBE_DISPI_INDEX_Y_OFFSET 0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_DISPI_INDEX_NB 0xb

#define VBE_DISPI_ID0 0xb0c0
#define VBE_DISPI_ID5 0xb0c5

#define VBE_DISPI_DISABLED 0x00
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80

#define VBE_DISPI_MAX_XRES 16000
#define VBE_DISPI_MAX_YRES 12000
#define VBE_DISPI_MAX_BPP 32

/**
 * struct vga_surface - the rendered screen.
 * @width: pixels.
 * @height: lines.
 * @stride: bytes per line (width * 3).
 * @rgb: @height lines of @width R,G,B byte triplets (owned by the VGA).
 */
struct vga_surface {
    uint32_t width;
    uint32_t height;
    uint32_t stride;
    uint8_t *rgb;
};

/**
 * struct vga_update - what vga_update_display() redrew.
 * @first_line: first redrawn line (when @dirty).
 * @last_line: last redrawn line, inclusive.
 * @dirty: anything was redrawn.
 * @resized: the surface changed size (everything redrawn).
 */
struct vga_update {
    uint32_t first_line;
    uint32_t last_line;
    bool dirty;
    bool resized;
};

/**
 * struct vga_text_info - geometry of a text snapshot.
 * @cols: characters per line.
 * @rows: lines.
 * @cursor_col: cursor column (may be >= @cols when off-screen).
 * @cursor_row: cursor row.
 * @cursor_visible: the CRTC cursor is enabled and on screen.
 */
struct vga_text_info {
    unsigned cols;
    unsigned rows;
    unsigned cursor_col;
    unsigned cursor_row;
    bool cursor_visible;
};

/**
 * struct vga_vbe_mode - a validated dispi mode (private).
 */
struct vga_vbe_mode {
    uint32_t xres, yres, bpp;
    uint32_t line_offset;     /* bytes per VRAM line */
    uint32_t line_bytes;      /* VRAM bytes displayed per line */
    uint64_t start_addr;      /* VRAM offset of the first visible pixel */
};

/**
 * struct VGAState - one std VGA. Embed it; initialise with vga_init().
 * Fields are private to hw/display/.
 */
typedef struct VGAState {
    pthread_mutex_t lock;
    MemorySystem *ms;
    Object *owner;

    MemoryRegion vram;
    uint64_t vram_size;
    uint8_t *vram_ptr;           /* cached qemu_map_ram_ptr() result */
    MemoryRegion lowmem;         /* 0xa0000 window (I/O region) */
    MemoryRegion vga_io;         /* 0x3c0-0x3df */
    MemoryRegion mono_io;        /* 0x3b0-0x3bf */
    MemoryRegion vbe_io;         /* 0x1ce-0x1d0 */
    MemoryRegion *lowmem_parent; /* where vga_map_legacy() put them */
    MemoryRegion *io_parent;

    /* Legacy VGA registers. */
    uint8_t misc_output;
    uint8_t sr_index;
    uint8_t sr[8];
    uint8_t gr_index;
    uint8_t gr[16];
    uint8_t cr_index;
    uint8_t cr[256];
    uint8_t ar_index;
    uint8_t ar[21];
    bool ar_flip_flop;
    uint8_t fcr;
    uint8_t st01;
    uint8_t dac_state;
    uint8_t dac_sub_index;
    uint8_t dac_read_index;
    uint8_t dac_write_index;
    uint8_t dac_cache[3];
    bool dac_8bit;
    uint8_t palette[768];
    uint32_t latch;

    /* Dispi. */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
    uint32_t bank_offset;
    struct vga_vbe_mode vbe_mode; /* valid while ENABLE has ENABLED */

    /* Display. */
    struct vga_surface surface;
    bool full_update;            /* mode or palette changed */
    int last_kind;               /* what was rendered last (private) */

    struct log_ratelimit rl;
} VGAState;

/**
 * vga_init() - create the VRAM (@vram_size bytes: a power of two in
 * [1 MiB, 256 MiB]; 0 means 16 MiB) and the I/O regions, unmapped.
 * @s: caller storage.
 * @ms: the memory system.
 * @owner: owner of the regions (may be NULL).
 * @vram_size: see above.
 * Return: 0, -EINVAL (size), -ENOMEM, or what memory_region_init_ram()
 * returned (e.g. -EEXIST if a "vga.vram" block exists). Main thread.
 */
int vga_init(VGAState *s, MemorySystem *ms, Object *owner, uint64_t vram_size)
    __attribute__((warn_unused_result));

/** vga_exit() - unmap (vga_unmap_legacy()) and finalise everything. */
void vga_exit(VGAState *s);

/** vga_reset() - all registers to their power-on values (0; ID 0xb0c5). */
void vga_reset(VGAState *s);

/**
 * vga_map_legacy() - map the 0xa0000 window into @mem_root (priority 1,
 * over anything below) and the ports 0x3b0-0x3df and 0x1ce-0x1d0 into
 * @io_root. Either may be NULL. Main thread.
 */
void vga_map_legacy(VGAState *s, MemoryRegion *mem_root, MemoryRegion *io_root);
/** vga_unmap_legacy() - undo vga_map_legacy() (no-op if not mapped). */
void vga_unmap_legacy(VGAState *s);

/**
 * vga_ioport_read() / vga_ioport_write() - a legacy port access; @port is
 * the full port number (0x3b0-0x3df). Thread-safe (takes @lock).
 */
uint8_t vga_ioport_read(VGAState *s, uint32_t port);
void vga_ioport_write(VGAState *s, uint32_t port, uint8_t val);

/**
 * vga_vbe_read_reg() / vga_vbe_write_reg() - dispi register @index (an
 * index past VIDEO_MEMORY_64K reads 0 and ignores writes). Thread-safe.
 */
uint16_t vga_vbe_read_reg(VGAState *s, uint16_t index);
void vga_vbe_write_reg(VGAState *s, uint16_t index, uint16_t val);

/**
 * vga_vbe_ops / vga_ioport_ops - MemoryRegionOps of the dispi registers
 * (index at 0, data at 1 and 2; 1- or 2-byte accesses) and of the legacy
 * ports (offset 0 = port 0x3c0), both with the VGAState as opaque; the PCI
 * glue reuses them for its MMIO BAR.
 */
extern const MemoryRegionOps vga_vbe_ops;
extern const MemoryRegionOps vga_ioport_ops;

/**
 * vga_update_display() - bring the surface up to date.
 * @s: the VGA.
 * @out: what changed (may be NULL).
 * Return: 0, or -ENOMEM (surface allocation). Thread-safe.
 */
int vga_update_display(VGAState *s, struct vga_update *out)
    __attribute__((warn_unused_result));

/**
 * vga_invalidate_display() - make the next update redraw everything.
 */
void vga_invalidate_display(VGAState *s);

/**
 * vga_get_surface() - the surface as of the last vga_update_display();
 * valid until the next one. Not locked: call from the thread that updates.
 */
const struct vga_surface *vga_get_surface(VGAState *s);

/**
 * vga_text_snapshot() - the text screen as UTF-8 (code page 437 mapped to
 * Unicode; NUL shown as a space), one line per row each ended by '\n',
 * trailing spaces removed.
 * @s: the VGA.
 * @info: geometry and cursor (may be NULL).
 * Return: a malloc'd string (free()), or NULL with errno ENOTSUP when the
 * display is not in a text mode, ENOMEM. Thread-safe.
 */
char *vga_text_snapshot(VGAState *s, struct vga_text_info *info);

/**
 * vga_screendump() - redraw the display and write it to @path as an
 * 8-bit RGB PNG (the monitor's "screendump PATH.png"); written to
 * PATH.tmp and renamed.
 * Return: 0, -ENOMEM, -EIO, or -errno of fopen()/rename(). Thread-safe.
 */
int vga_screendump(VGAState *s, const char *path)
    __attribute__((warn_unused_result));

/**
 * vga_png_write() - write @surf to @path as a PNG.
 * Return: 0 or -errno (-EINVAL for an empty surface, -EIO from libpng).
 */
int vga_png_write(const struct vga_surface *surf, const char *path)
    __attribute__((warn_unused_result));

#endif /* XENDM_HW_DISPLAY_VGA_H */
