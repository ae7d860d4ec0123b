/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ioreq.c - libFuzzer target for xendm's ioreq decoding:
 * xen_ioreq_dispatch() (synchronous slots) and xen_ioreq_drain_buffered()
 * (the buffered ring), fed hostile requests against a memory system like
 * a small guest's: 64 KiB of RAM at 0 (data_is_ptr targets), a RAM hole,
 * more RAM at 1 MiB, a device region on ports and MMIO that accepts 1..8
 * bytes, a register window that only takes 2-byte implementations of
 * 1..4-byte accesses (like the VBE dispi window), and unassigned space
 * everywhere else.
 *
 * Input: a sequence of records, each starting with an opcode byte:
 *   op % 4 == 0, 1: a synchronous request: the next sizeof(ioreq_t) bytes
 *                   are the ioreq_t, verbatim (every field hostile)
 *   op % 4 == 2:    buffered slots: a byte N (0..15 used), N slots of
 *                   sizeof(buf_ioreq_t) bytes written at the write pointer,
 *                   a 16-bit extra advance, then a drain
 *   op % 4 == 3:    a drain with nothing new (pointer juggling: the op's
 *                   high bits move the read pointer back or forward)
 * A truncated record ends the input. One fuzzing process keeps the memory
 * system (built on first use, in the one function-static pointer: libFuzzer's
 * entry point has no context argument); the ring, RAM contents and device
 * state are reset for every input so inputs replay deterministically.
 * Single-threaded.
 *
 * Checked here besides "no crash, no sanitizer report": a read that is not
 * data_is_ptr answers a value that fits its size or all-ones; the drain
 * consumes at most one ring's worth per call; after a drain the ring is
 * empty or the read pointer moved forward.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xen/ioreq.h"

#define RAM_SIZE 0x10000u
#define HIGH_RAM_BASE 0x100000u
#define HIGH_RAM_SIZE 0x4000u
#define DEV_PORT 0x100u
#define DEV_MMIO 0xf0000000ull
#define REGS_MMIO 0xf0001000ull
#define REGS_PORT 0x1ceu

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_machine {
    MemorySystem *ms;
    MemoryRegion sys, io, ram, high_ram, dev_io, dev_mmio, regs_io, regs_mmio;
    AddressSpace as_mem, as_io;
    struct xen_ioreq_dispatcher d;
    buffered_iopage_t *ring;
    uint64_t dev_state[64];
    uint16_t regs[16];
    unsigned idx;
    unsigned invalidations;
};

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    struct fuzz_machine *m = opaque;

    return m->dev_state[(addr >> 3) & 63] ^ addr;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    struct fuzz_machine *m = opaque;

    m->dev_state[(addr >> 3) & 63] = val;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* Index/data register file: 2-byte registers, 1..4-byte accesses. */
static uint64_t regs_read(void *opaque, hwaddr addr, unsigned size)
{
    struct fuzz_machine *m = opaque;

    if (addr == 0)
        return m->idx;
    return m->regs[(addr >> 1) & 15];
}

static void regs_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    struct fuzz_machine *m = opaque;

    if (addr == 0)
        m->idx = (unsigned)val & 15;
    else
        m->regs[(addr >> 1) & 15] = (uint16_t)val;
}

static const MemoryRegionOps regs_ops = {
    .read = regs_read,
    .write = regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};

static void pci_cb(void *opaque, uint32_t sbdf, uint32_t reg, unsigned size,
                   bool is_read, uint64_t *data)
{
    if (is_read)
        *data = sbdf == 0 && reg == 0 ? 0x12378086u : UINT64_MAX;
}

static void inval_cb(void *opaque)
{
    ((struct fuzz_machine *)opaque)->invalidations++;
}

static struct fuzz_machine *machine_get(void)
{
    static struct fuzz_machine *m;

    if (m)
        return m;
    m = calloc(1, sizeof(*m));
    if (!m)
        abort();
    m->ms = memory_system_new();
    if (!m->ms)
        abort();
    memory_region_init(&m->sys, m->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&m->io, m->ms, NULL, "io", 0x10000);
    if (memory_region_init_ram(&m->ram, m->ms, NULL, "ram", RAM_SIZE) ||
        memory_region_init_ram(&m->high_ram, m->ms, NULL, "high-ram", HIGH_RAM_SIZE))
        abort();
    memory_region_init_io(&m->dev_io, m->ms, NULL, &dev_ops, m, "dev-io", 8);
    memory_region_init_io(&m->dev_mmio, m->ms, NULL, &dev_ops, m, "dev-mmio", 0x1000);
    memory_region_init_io(&m->regs_io, m->ms, NULL, &regs_ops, m, "regs-io", 4);
    memory_region_init_io(&m->regs_mmio, m->ms, NULL, &regs_ops, m, "regs-mmio", 0x20);
    memory_region_add_subregion(&m->sys, 0, &m->ram);
    memory_region_add_subregion(&m->sys, HIGH_RAM_BASE, &m->high_ram);
    memory_region_add_subregion(&m->sys, DEV_MMIO, &m->dev_mmio);
    memory_region_add_subregion(&m->sys, REGS_MMIO, &m->regs_mmio);
    memory_region_add_subregion(&m->io, DEV_PORT, &m->dev_io);
    memory_region_add_subregion(&m->io, REGS_PORT, &m->regs_io);
    address_space_init(&m->as_mem, m->ms, &m->sys, "memory");
    address_space_init(&m->as_io, m->ms, &m->io, "I/O");
    m->d.as_mem = &m->as_mem;
    m->d.as_io = &m->as_io;
    m->d.pci_config = pci_cb;
    m->d.invalidate = inval_cb;
    m->d.opaque = m;
    /* Keep the log quiet: one message per hour is plenty when fuzzing. */
    m->d.rl.burst = 1;
    m->d.rl.interval_ns = 3600ull * 1000000000ull;
    m->ring = calloc(1, sizeof(*m->ring));
    if (!m->ring)
        abort();
    return m;
}

static void machine_reset(struct fuzz_machine *m)
{
    static const uint8_t zero[256];

    memset(m->ring, 0, sizeof(*m->ring));
    memset(m->dev_state, 0, sizeof(m->dev_state));
    memset(m->regs, 0, sizeof(m->regs));
    m->idx = 0;
    for (hwaddr a = 0; a < RAM_SIZE; a += sizeof(zero))
        (void)address_space_write(&m->as_mem, a, MEMTXATTRS_UNSPECIFIED, zero,
                                  sizeof(zero));
}

static void do_sync(struct fuzz_machine *m, const uint8_t *p)
{
    ioreq_t req;

    memcpy(&req, p, sizeof(req));
    const bool plain_read = req.dir == IOREQ_READ && !req.data_is_ptr;
    const uint32_t size = req.size;
    const uint8_t type = req.type;

    xen_ioreq_dispatch(&m->d, &req);
    if (plain_read && (type == IOREQ_TYPE_PIO || type == IOREQ_TYPE_COPY ||
                       type == IOREQ_TYPE_PCI_CONFIG) &&
        size >= 1 && size < 8 && req.data != UINT64_MAX &&
        (req.data >> (8 * size)) != 0)
        abort(); /* a read answered more bits than it asked for */
}

static void do_drain(struct fuzz_machine *m)
{
    uint32_t rp0 = m->ring->read_pointer;
    uint32_t wp = m->ring->write_pointer;
    unsigned n = xen_ioreq_drain_buffered(&m->d, m->ring);

    if (n > IOREQ_BUFFER_SLOT_NUM)
        abort();
    if (m->ring->read_pointer != wp && m->ring->read_pointer == rp0 &&
        wp - rp0 <= IOREQ_BUFFER_SLOT_NUM)
        abort(); /* a non-empty, sane ring made no progress */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_machine *m = machine_get();
    size_t pos = 0;

    machine_reset(m);
    while (pos < size) {
        uint8_t op = data[pos++];

        switch (op & 3) {
        case 0:
        case 1:
            if (size - pos < sizeof(ioreq_t))
                return 0;
            do_sync(m, data + pos);
            pos += sizeof(ioreq_t);
            break;
        case 2: {
            if (pos >= size)
                return 0;
            unsigned n = data[pos++] & 15;
            uint32_t wp = m->ring->write_pointer;

            if (size - pos < n * sizeof(buf_ioreq_t) + 2)
                return 0;
            for (unsigned i = 0; i < n; i++) {
                memcpy(&m->ring->buf_ioreq[(wp + i) % IOREQ_BUFFER_SLOT_NUM],
                       data + pos, sizeof(buf_ioreq_t));
                pos += sizeof(buf_ioreq_t);
            }
            uint16_t extra = (uint16_t)(data[pos] | data[pos + 1] << 8);

            pos += 2;
            m->ring->write_pointer = wp + n + (extra > 0x7ff ? 0 : extra);
            do_drain(m);
            break;
        }
        default:
            /* Move the read pointer by a signed amount: rewinds and
             * pointers running past the writer. */
            m->ring->read_pointer += (uint32_t)(int32_t)((int8_t)op >> 2);
            do_drain(m);
            break;
        }
    }
    return 0;
}
