/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rw.c - accesses through an address space: address_space_rw and friends,
 * write_rom, set, access_valid, and the ld/st family.
 *
 * Every operation takes a reference on the address space's current
 * FlatView for its duration (so a concurrent commit cannot free the
 * regions it reaches) and walks the range piece by piece with
 * address_space_translate() (which follows IOMMUs and clamps each piece to
 * its section):
 *  - RAM (and ROM devices in romd mode, for reads) is copied with memcpy
 *    through the RAM block (host memory or the mapcache seam), and written
 *    bytes are marked dirty for the clients logging the region;
 *  - ROM ignores writes (the piece is skipped);
 *  - anything else (I/O, ram_device, unassigned, ROM device writes) gets
 *    accesses through memory_region_dispatch_*(), each of the largest size
 *    the region allows for the *remaining* length and the alignment: MMIO
 *    accesses are not clamped to the section, because a register may
 *    overlap the next one (a 4-byte register at 0xcf8 shadowed at 0xcf9 by
 *    a 1-byte one still gets a 4-byte access at 0xcf8).
 * Errors of the pieces are ORed; failed reads fill with all-ones.
 *
 * Thread-safe: may run on the ioreq thread and on worker threads.
 */
#include <inttypes.h>
#include <string.h>

#include "memory/access-internal.h"

enum rw_mode {
    RW_NORMAL,
    RW_WRITE_ROM,   /* stores into ROM too; I/O pieces are skipped */
};

/* The piece of @len bytes at @addr served by @mr at @xlat (plen @l). */
/*
 * The first section of @fv whose last byte is >= @addr, into @sec.
 * Return: false when there is none.
 */
static bool fv_find(FlatView *fv, hwaddr addr, MemoryRegionSection *sec)
{
    unsigned lo = 0, hi = flatview_nr_ranges(fv);

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        hwaddr last;

        flatview_range_section(fv, mid, sec);
        last = sec->size == UINT64_MAX ? UINT64_MAX
                                       : sec->offset_within_address_space +
                                             sec->size - 1;
        if (last < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < flatview_nr_ranges(fv) && flatview_range_section(fv, lo, sec);
}

/*
 * Bytes from @addr to the end of @fv's section containing it (or to the
 * next section in a gap), at most @max (and at least 1).
 */
static hwaddr section_remaining(FlatView *fv, hwaddr addr, hwaddr max)
{
    MemoryRegionSection sec;
    hwaddr end;

    if (!fv_find(fv, addr, &sec)) {
        return max;
    }
    if (sec.offset_within_address_space > addr) {
        end = sec.offset_within_address_space - addr;          /* gap */
    } else if (sec.size == UINT64_MAX) {
        end = 0 - addr;                                        /* 0: 2^64 */
    } else {
        end = sec.offset_within_address_space + sec.size - addr;
    }
    return end == 0 || end > max ? max : end;
}

bool memory_section_readonly(FlatView *fv, hwaddr addr, const MemoryRegion *mr)
{
    MemoryRegionSection sec;

    if (mr->readonly) {
        return true;
    }
    /* The rendered flag (inherited from a read-only alias or container)
     * applies when @addr's section in @fv is @mr itself, i.e. when the
     * translation did not walk through an IOMMU into another view. */
    return fv_find(fv, addr, &sec) && sec.mr == mr &&
           sec.offset_within_address_space <= addr && sec.readonly;
}

static MemTxResult rw_piece(FlatView *fv, hwaddr addr, MemoryRegion *mr,
                            hwaddr xlat, hwaddr *l, hwaddr len, uint8_t *buf,
                            bool is_write, enum rw_mode mode,
                            MemTxAttrs attrs)
{
    ram_addr_t off;
    RAMBlock *block;

    if (mode == RW_WRITE_ROM) {
        block = memory_region_ram_block_offset(mr, xlat, &off);
        if (!block || (mr->type != MR_RAM && mr->type != MR_ROM_DEVICE)) {
            /* Skip the I/O section (translation does not clamp MMIO to
             * it) and continue after it. */
            *l = section_remaining(fv, addr, *l);
            return MEMTX_OK;
        }
        if (ram_block_rw(mr->ms, block, off, buf, *l, true) < 0) {
            return MEMTX_DECODE_ERROR;
        }
        memory_region_set_dirty(mr, xlat, *l);
        return MEMTX_OK;
    }
    if (memory_access_is_direct(mr, is_write) &&
        !(is_write && memory_section_readonly(fv, addr, mr))) {
        block = memory_region_ram_block_offset(mr, xlat, &off);
        if (!block || ram_block_rw(mr->ms, block, off, buf, *l, is_write) < 0) {
            if (!is_write) {
                memset(buf, 0xff, *l);
            }
            return MEMTX_DECODE_ERROR;
        }
        if (is_write) {
            memory_region_write_dirty(mr, xlat, *l);
        }
        return MEMTX_OK;
    }
    if (is_write && mr->type == MR_RAM) {
        return MEMTX_OK;                /* ROM: the write is ignored */
    }
    if (mr->ms && mr == &mr->ms->io_mem_unassigned) {
        /* A gap: the piece at once (translation clamps gaps to the next
         * section), so large accesses to nothing stay cheap; but only up
         * to a page end, as a refused IOMMU translation is not clamped to
         * its page and the next page may be mapped. */
        hwaddr page_left = TARGET_PAGE_SIZE - (addr & ~TARGET_PAGE_MASK);

        if (*l > page_left) {
            *l = page_left;
        }
        if (!is_write) {
            memset(buf, 0xff, *l);
        }
        log_debug("memory: unassigned %s of %" PRIu64 " bytes at 0x%" PRIx64,
                  is_write ? "write" : "read", (uint64_t)*l, addr);
        return MEMTX_DECODE_ERROR;
    }

    /* I/O: one access, sized by what remains (not clamped to *l),
     * except for device RAM which must stay inside its section. */
    unsigned size = memory_access_size(mr, mr->type == MR_RAM_DEVICE ? *l : len,
                                       xlat);
    uint64_t val;
    MemTxResult r;

    if (is_write) {
        val = memory_ldn_le_p(buf, size);
        r = memory_region_dispatch_write(mr, xlat, val, size, attrs);
    } else {
        r = memory_region_dispatch_read(mr, xlat, &val, size, attrs);
        memory_stn_le_p(buf, size, val);
    }
    *l = size;
    return r;
}

static MemTxResult as_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                         uint8_t *buf, hwaddr len, bool is_write,
                         enum rw_mode mode)
{
    MemTxResult r = MEMTX_OK;
    FlatView *fv;

    if (len == 0) {
        return MEMTX_OK;
    }
    fv = address_space_get_flatview(as);
    while (len > 0) {
        hwaddr xlat, l = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l,
                                                   is_write, attrs);

        if (l == 0 || l > len) {
            l = l ? len : 1;            /* defensive: always progress */
        }
        r |= rw_piece(fv, addr, mr, xlat, &l, len, buf, is_write, mode,
                      attrs);
        buf += l;
        addr += l;
        len -= l;
    }
    flatview_unref(fv);
    return r;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    return as_rw(as, addr, attrs, buf, len, is_write, RW_NORMAL);
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len)
{
    return as_rw(as, addr, attrs, buf, len, false, RW_NORMAL);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf, hwaddr len)
{
    /* Writes only read from @buf. */
    return as_rw(as, addr, attrs, (uint8_t *)(uintptr_t)buf, len, true,
                 RW_NORMAL);
}

MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len)
{
    return as_rw(as, addr, attrs, (uint8_t *)(uintptr_t)buf, len, true,
                 RW_WRITE_ROM);
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs)
{
    uint8_t fill[512];
    MemTxResult r = MEMTX_OK;

    memset(fill, c, sizeof(fill));
    while (len > 0) {
        hwaddr l = len < sizeof(fill) ? len : sizeof(fill);

        r |= address_space_write(as, addr, attrs, fill, l);
        addr += l;
        len -= l;
    }
    return r;
}

bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
                                bool is_write, MemTxAttrs attrs)
{
    bool ok = true;
    FlatView *fv = address_space_get_flatview(as);

    while (len > 0 && ok) {
        hwaddr xlat, l = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l,
                                                   is_write, attrs);

        if (l == 0 || l > len) {
            l = l ? len : 1;
        }
        switch (mr->type) {
        case MR_RAM:
        case MR_RAM_DEVICE:
            break;                      /* memory (ROM ignores writes) */
        case MR_ROM_DEVICE:
            if (!is_write && mr->romd_mode) {
                break;
            }
            /* fall through */
        case MR_IO:
        case MR_RESERVATION:
            l = memory_access_size(mr, len, xlat);
            ok = memory_region_access_valid(mr, xlat, (unsigned)l, is_write,
                                            attrs);
            break;
        default:
            ok = false;
            break;
        }
        addr += l;
        len -= l;
    }
    flatview_unref(fv);
    return ok;
}

/* ---- loads and stores ---- */

static uint64_t ld(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                   MemTxResult *result, unsigned size, bool big)
{
    uint8_t b[8];
    MemTxResult r = as_rw(as, addr, attrs, b, size, false, RW_NORMAL);
    uint64_t v = memory_ldn_le_p(b, size);

    if (big) {
        switch (size) {
        case 2: v = __builtin_bswap16((uint16_t)v); break;
        case 4: v = __builtin_bswap32((uint32_t)v); break;
        case 8: v = __builtin_bswap64(v); break;
        default: break;
        }
    }
    if (result) {
        *result = r;
    }
    return v;
}

static void st(AddressSpace *as, hwaddr addr, uint64_t v, MemTxAttrs attrs,
               MemTxResult *result, unsigned size, bool big)
{
    uint8_t b[8];
    MemTxResult r;

    if (big) {
        switch (size) {
        case 2: v = __builtin_bswap16((uint16_t)v); break;
        case 4: v = __builtin_bswap32((uint32_t)v); break;
        case 8: v = __builtin_bswap64(v); break;
        default: break;
        }
    }
    memory_stn_le_p(b, size, v);
    r = as_rw(as, addr, attrs, b, size, true, RW_NORMAL);
    if (result) {
        *result = r;
    }
}

uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result)
{
    return (uint32_t)ld(as, addr, attrs, result, 1, false);
}

uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *result)
{
    return (uint32_t)ld(as, addr, attrs, result, 2, false);
}

uint32_t address_space_lduw_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *result)
{
    return (uint32_t)ld(as, addr, attrs, result, 2, true);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    return (uint32_t)ld(as, addr, attrs, result, 4, false);
}

uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    return (uint32_t)ld(as, addr, attrs, result, 4, true);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    return ld(as, addr, attrs, result, 8, false);
}

uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    return ld(as, addr, attrs, result, 8, true);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 1, false);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 2, false);
}

void address_space_stw_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 2, true);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 4, false);
}

void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 4, true);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 8, false);
}

void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    st(as, addr, val, attrs, result, 8, true);
}
