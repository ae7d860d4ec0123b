/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * access.c - one access to one terminating region:
 * memory_region_dispatch_read/write, the unassigned and reservation ops.
 *
 * Value convention: a value is in "bus little-endian" semantics (x86 is the
 * target, so DEVICE_NATIVE_ENDIAN is little-endian): byte i of the access
 * is bits [8i, 8i + 7] of the value. A big-endian device's callbacks see
 * and return values in their own order; the core byte-swaps each piece.
 *
 * Adjusting sizes: an access is checked against ops->valid (sizes,
 * alignment, accepts()); then cut into units of
 * clamp(size, impl.min, impl.max) bytes. Without impl.unaligned the units
 * are aligned, covering the access; every unit is converted to bus bytes,
 * so splitting (larger than impl.max) and widening (smaller than impl.min,
 * or unaligned) share one loop: a read reads each unit and keeps the bytes
 * of the access; a write of a partially covered unit is a read-modify-write
 * of that unit, like byte enables on a real bus keep the other bytes (a
 * device whose reads have side effects declares impl.min_access_size 1
 * and sees the narrow write itself).
 *
 * Re-entrancy: mr->reentrancy_depth is incremented atomically around the
 * device callbacks; an access that finds it non-zero (the device touching
 * its own registers from a callback, or a second thread in the same region
 * at that moment) is refused with MEMTX_ERROR and reads all-ones. The
 * memory core's own unassigned and reservation ops are not guarded (they
 * never re-enter and their regions are shared by every thread).
 *
 * RAM, ROM, ROM devices in romd mode and ram_device regions are served from
 * their RAM block here too (host loads/stores; sized volatile ones for
 * ram_device). Nothing here takes a lock except through the RAM block
 * lookups; callbacks run on the caller's thread. Everything is reachable
 * from a guest: nothing asserts on access parameters.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "memory/access-internal.h"

/* ---- unassigned and reservation ---- */

static MemTxResult unassigned_read(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs)
{
    *data = UINT64_MAX;
    return MEMTX_DECODE_ERROR;
}

static MemTxResult unassigned_write(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs)
{
    return MEMTX_DECODE_ERROR;
}

static bool unassigned_accepts(void *opaque, hwaddr addr, unsigned size,
                               bool is_write, MemTxAttrs attrs)
{
    return false;
}

const MemoryRegionOps unassigned_mem_ops = {
    .read_with_attrs = unassigned_read,
    .write_with_attrs = unassigned_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true,
               .accepts = unassigned_accepts },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static MemTxResult reservation_read(void *opaque, hwaddr addr, uint64_t *data,
                                    unsigned size, MemTxAttrs attrs)
{
    *data = UINT64_MAX;
    return MEMTX_OK;
}

static MemTxResult reservation_write(void *opaque, hwaddr addr, uint64_t data,
                                     unsigned size, MemTxAttrs attrs)
{
    return MEMTX_OK;
}

const MemoryRegionOps reservation_mem_ops = {
    .read_with_attrs = reservation_read,
    .write_with_attrs = reservation_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

/* ---- small helpers ---- */

uint64_t memory_ldn_le_p(const void *p, unsigned size)
{
    const uint8_t *b = p;
    uint64_t v = 0;

    for (unsigned i = 0; i < size && i < 8; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

void memory_stn_le_p(void *p, unsigned size, uint64_t v)
{
    uint8_t *b = p;

    for (unsigned i = 0; i < size && i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static uint64_t bswap_n(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v & 0xff;
    }
}

static bool is_pow2_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static const MemoryRegionOps *region_ops(const MemoryRegion *mr)
{
    if (mr->ops) {
        return mr->ops;
    }
    return mr->type == MR_RESERVATION ? &reservation_mem_ops
                                      : &unassigned_mem_ops;
}

bool memory_access_is_direct(const MemoryRegion *mr, bool is_write)
{
    if (is_write) {
        return mr->type == MR_RAM && mr->ram_block && !mr->readonly;
    }
    return mr->ram_block && (mr->type == MR_RAM ||
                             (mr->type == MR_ROM_DEVICE && mr->romd_mode));
}

unsigned memory_access_size(const MemoryRegion *mr, uint64_t l, hwaddr addr)
{
    unsigned max = 8;
    unsigned size = 8;

    if (mr->type != MR_RAM_DEVICE && mr->type != MR_RAM) {
        const MemoryRegionOps *ops = region_ops(mr);

        max = ops->valid.max_access_size ? ops->valid.max_access_size : 4;
        if (!ops->valid.unaligned) {
            hwaddr align = addr & (0 - addr);

            if (align && align < max) {
                max = (unsigned)align;
            }
        }
    }
    if (max > 8) {
        max = 8;
    }
    if (l < max) {
        max = l ? (unsigned)l : 1;
    }
    while (size > max) {
        size >>= 1;
    }
    return size;
}

bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
                                bool is_write, MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = region_ops(mr);
    unsigned vmin = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
    unsigned vmax = ops->valid.max_access_size ? ops->valid.max_access_size : 4;

    if (!is_pow2_size(size) || size < vmin || size > vmax) {
        return false;
    }
    if (!ops->valid.unaligned && (addr & (size - 1))) {
        return false;
    }
    if (ops->valid.accepts &&
        !ops->valid.accepts(mr->opaque, addr, size, is_write, attrs)) {
        return false;
    }
    return true;
}

static void log_refused(MemoryRegion *mr, const char *why, hwaddr addr,
                        unsigned size, bool is_write)
{
    MemorySystem *ms = mr->ms;

    if (region_ops(mr) == &unassigned_mem_ops) {
        log_debug("memory: unassigned %s of %u bytes at 0x%" PRIx64,
                  is_write ? "write" : "read", size, addr);
        return;
    }
    if (ms) {
        log_warn_rl(&ms->access_rl,
                    "memory: %s %s of %u bytes at %s+0x%" PRIx64 " refused",
                    why, is_write ? "write" : "read", size,
                    mr->name ? mr->name : "?", addr);
    }
}

/* ---- device callbacks, one unit at a time ---- */

static MemTxResult call_read(MemoryRegion *mr, const MemoryRegionOps *ops,
                             hwaddr addr, uint64_t *v, unsigned unit,
                             MemTxAttrs attrs)
{
    MemTxResult r = MEMTX_OK;

    *v = 0;
    if (ops->read_with_attrs) {
        r = ops->read_with_attrs(mr->opaque, addr, v, unit, attrs);
    } else if (ops->read) {
        *v = ops->read(mr->opaque, addr, unit);
    } else {
        *v = UINT64_MAX;
        r = MEMTX_DECODE_ERROR;
    }
    *v &= size_mask(unit);
    if (ops->endianness == DEVICE_BIG_ENDIAN) {
        *v = bswap_n(*v, unit);
    }
    return r;
}

static MemTxResult call_write(MemoryRegion *mr, const MemoryRegionOps *ops,
                              hwaddr addr, uint64_t v, unsigned unit,
                              MemTxAttrs attrs)
{
    v &= size_mask(unit);
    if (ops->endianness == DEVICE_BIG_ENDIAN) {
        v = bswap_n(v, unit);
    }
    if (ops->write_with_attrs) {
        return ops->write_with_attrs(mr->opaque, addr, v, unit, attrs);
    }
    if (ops->write) {
        ops->write(mr->opaque, addr, v, unit);
        return MEMTX_OK;
    }
    return MEMTX_DECODE_ERROR;
}

static unsigned clamp_impl(unsigned v, unsigned dflt)
{
    if (!v) {
        v = dflt;
    }
    return is_pow2_size(v) ? v : dflt;
}

/*
 * Split/widen an access of @size bytes at @addr into device units;
 * @bytes holds the bus bytes (in for writes, out for reads).
 */
static MemTxResult access_adjusted(MemoryRegion *mr, const MemoryRegionOps *ops,
                                   hwaddr addr, uint8_t *bytes, unsigned size,
                                   bool is_write, MemTxAttrs attrs)
{
    unsigned imin = clamp_impl(ops->impl.min_access_size, 1);
    unsigned imax = clamp_impl(ops->impl.max_access_size, 4);
    unsigned unit = size;
    unsigned rel, span;
    hwaddr base;
    MemTxResult r = MEMTX_OK;

    if (imax < imin) {
        imax = imin;
    }
    if (unit > imax) {
        unit = imax;
    }
    if (unit < imin) {
        unit = imin;
    }
    rel = ops->impl.unaligned ? 0 : (unsigned)(addr & (unit - 1));
    base = addr - rel;
    span = rel + size;
    for (unsigned k = 0; k * unit < span; k++) {
        hwaddr pa = base + (hwaddr)k * unit;
        unsigned lo = k * unit;            /* piece's first byte, from base */
        uint64_t v = 0;
        bool partial = lo < rel || lo + unit > span;

        if (!is_write || partial) {
            MemTxResult rr = call_read(mr, ops, pa, &v, unit, attrs);

            /* A failed read of a read-modify-write still writes. */
            if (!is_write) {
                r |= rr;
            }
        }
        for (unsigned j = 0; j < unit; j++) {
            unsigned pos = lo + j;

            if (pos < rel || pos >= span) {
                continue;
            }
            if (is_write) {
                v &= ~(0xffull << (8 * j));
                v |= (uint64_t)bytes[pos - rel] << (8 * j);
            } else {
                bytes[pos - rel] = (uint8_t)(v >> (8 * j));
            }
        }
        if (is_write) {
            r |= call_write(mr, ops, pa, v, unit, attrs);
        }
    }
    return r;
}

/* ---- RAM-backed regions ---- */

/* A refused access: reads are all-ones. */
static MemTxResult refuse(uint64_t *val, bool is_write, MemTxResult r)
{
    if (!is_write) {
        *val = UINT64_MAX;
    }
    return r;
}

typedef uint16_t una16 __attribute__((aligned(1), may_alias));
typedef uint32_t una32 __attribute__((aligned(1), may_alias));
typedef uint64_t una64 __attribute__((aligned(1), may_alias));

/* A sized host load/store of device memory (never a memcpy). */
static void ram_device_access(void *host, uint64_t *val, unsigned size,
                              bool is_write)
{
    switch (size) {
    case 1:
        if (is_write) {
            *(volatile uint8_t *)host = (uint8_t)*val;
        } else {
            *val = *(volatile uint8_t *)host;
        }
        break;
    case 2:
        if (is_write) {
            *(volatile una16 *)host = (uint16_t)*val;
        } else {
            *val = *(volatile una16 *)host;
        }
        break;
    case 4:
        if (is_write) {
            *(volatile una32 *)host = (uint32_t)*val;
        } else {
            *val = *(volatile una32 *)host;
        }
        break;
    default:
        if (is_write) {
            *(volatile una64 *)host = *val;
        } else {
            *val = *(volatile una64 *)host;
        }
        break;
    }
}

static MemTxResult ram_access(MemoryRegion *mr, hwaddr addr, uint64_t *val,
                              unsigned size, bool is_write)
{
    ram_addr_t off;
    RAMBlock *block = memory_region_ram_block_offset(mr, addr, &off);
    uint8_t buf[8];

    if (!block || addr >= mr->size || mr->size - addr < size) {
        log_refused(mr, "out-of-range RAM", addr, size, is_write);
        return refuse(val, is_write, MEMTX_DECODE_ERROR);
    }
    if (mr->type == MR_RAM_DEVICE) {
        uint64_t len = size;
        void *host = qemu_ram_ptr_length(mr->ms, block, off, &len, false);

        if (!host || len < size) {
            return refuse(val, is_write, MEMTX_DECODE_ERROR);
        }
        if (is_write) {
            uint64_t v = *val;

            /* The device's bytes are in host order: on a little-endian
             * host a bus value is stored as is. */
            memory_stn_le_p(buf, size, v);
            memcpy(&v, buf, sizeof(v));
            ram_device_access(host, &v, size, true);
        } else {
            uint64_t v = 0;

            ram_device_access(host, &v, size, false);
            memcpy(buf, &v, sizeof(buf));
            *val = memory_ldn_le_p(buf, size);
        }
        return MEMTX_OK;
    }
    if (is_write) {
        memory_stn_le_p(buf, size, *val);
    }
    if (ram_block_rw(mr->ms, block, off, buf, size, is_write) < 0) {
        return refuse(val, is_write, MEMTX_DECODE_ERROR);
    }
    if (is_write) {
        memory_region_write_dirty(mr, addr, size);
    } else {
        *val = memory_ldn_le_p(buf, size);
    }
    return MEMTX_OK;
}

/* ---- dispatch ---- */

static MemTxResult dispatch(MemoryRegion *mr, hwaddr addr, uint64_t *val,
                            unsigned size, MemTxAttrs attrs, bool is_write)
{
    const MemoryRegionOps *ops;
    uint8_t bytes[8];
    MemTxResult r;
    bool guard;

    while (mr->type == MR_ALIAS && mr->alias) {
        addr += mr->alias_offset;
        mr = mr->alias;
    }
    if (!is_pow2_size(size)) {
        log_refused(mr, "bad-size", addr, size, is_write);
        return refuse(val, is_write, MEMTX_DECODE_ERROR);
    }
    switch (mr->type) {
    case MR_RAM:
        if (is_write && mr->readonly) {
            return MEMTX_OK;            /* ROM: writes are ignored */
        }
        return ram_access(mr, addr, val, size, is_write);
    case MR_RAM_DEVICE:
        return ram_access(mr, addr, val, size, is_write);
    case MR_ROM_DEVICE:
        if (!is_write && mr->romd_mode) {
            return ram_access(mr, addr, val, size, false);
        }
        break;
    case MR_IO:
    case MR_RESERVATION:
        break;
    default:
        /* Containers, IOMMUs: nothing terminates here. */
        if (mr->ms) {
            mr = &mr->ms->io_mem_unassigned;
        }
        log_refused(mr, "non-terminating", addr, size, is_write);
        return refuse(val, is_write, MEMTX_DECODE_ERROR);
    }

    ops = region_ops(mr);
    if (!memory_region_access_valid(mr, addr, size, is_write, attrs)) {
        log_refused(mr, "invalid", addr, size, is_write);
        return refuse(val, is_write, MEMTX_DECODE_ERROR);
    }
    /* The core's own ops never re-enter; their regions are shared. */
    guard = ops != &reservation_mem_ops && ops != &unassigned_mem_ops;
    if (guard &&
        __atomic_fetch_add(&mr->reentrancy_depth, 1, __ATOMIC_ACQUIRE) != 0) {
        __atomic_fetch_sub(&mr->reentrancy_depth, 1, __ATOMIC_RELEASE);
        log_refused(mr, "re-entrant", addr, size, is_write);
        return refuse(val, is_write, MEMTX_ERROR);
    }
    if (is_write) {
        memory_stn_le_p(bytes, size, *val);
    }
    r = access_adjusted(mr, ops, addr, bytes, size, is_write, attrs);
    if (guard) {
        __atomic_fetch_sub(&mr->reentrancy_depth, 1, __ATOMIC_RELEASE);
    }
    if (!is_write) {
        *val = memory_ldn_le_p(bytes, size);
    }
    return r;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *pval, unsigned size,
                                        MemTxAttrs attrs)
{
    uint64_t v = 0;
    MemTxResult r = dispatch(mr, addr, &v, size, attrs, false);

    *pval = v & size_mask(is_pow2_size(size) ? size : 8);
    return r;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t val, unsigned size,
                                         MemTxAttrs attrs)
{
    return dispatch(mr, addr, &val, size, attrs, true);
}
