/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ioreq.c - xen_ioreq_dispatch() and xen_ioreq_drain_buffered() on a
 * memory system with 64 KiB of RAM at 0, a recording device on port 0x100
 * (4 ports) and at MMIO 0xf0000000 (4 KiB), and nothing else.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "xen/ioreq.h"

#define RAM_SIZE 0x10000u
#define DEV_PORT 0x100u
#define DEV_MMIO 0xf0000000ull

struct access {
    bool write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
};

struct fixture {
    MemorySystem *ms;
    MemoryRegion sys, io, ram, dev_io, dev_mmio;
    AddressSpace as_mem, as_io;
    struct xen_ioreq_dispatcher d;
    struct access log[64];
    unsigned nlog;
    uint64_t next_read;      /* what the device answers, incremented */
    unsigned pci_calls;
    uint32_t pci_sbdf, pci_reg;
    unsigned invalidations;
};

static struct fixture *fx;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    struct fixture *f = opaque;
    uint64_t v = f->next_read++;

    if (f->nlog < 64)
        f->log[f->nlog++] = (struct access){ false, addr, size, v };
    return v;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    struct fixture *f = opaque;

    if (f->nlog < 64)
        f->log[f->nlog++] = (struct access){ true, addr, size, val };
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static void pci_cb(void *opaque, uint32_t sbdf, uint32_t reg, unsigned size,
                   bool is_read, uint64_t *data)
{
    struct fixture *f = opaque;

    f->pci_calls++;
    f->pci_sbdf = sbdf;
    f->pci_reg = reg;
    if (is_read)
        *data = 0x12378086u;
}

static void inval_cb(void *opaque)
{
    ((struct fixture *)opaque)->invalidations++;
}

static void setup(void)
{
    fx = calloc(1, sizeof(*fx));
    ck_assert_ptr_nonnull(fx);
    fx->ms = memory_system_new();
    ck_assert_ptr_nonnull(fx->ms);
    memory_region_init(&fx->sys, fx->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&fx->io, fx->ms, NULL, "io", 0x10000);
    ck_assert_int_eq(memory_region_init_ram(&fx->ram, fx->ms, NULL, "ram", RAM_SIZE), 0);
    memory_region_init_io(&fx->dev_io, fx->ms, NULL, &dev_ops, fx, "dev-io", 4);
    memory_region_init_io(&fx->dev_mmio, fx->ms, NULL, &dev_ops, fx, "dev-mmio", 0x1000);
    memory_region_add_subregion(&fx->sys, 0, &fx->ram);
    memory_region_add_subregion(&fx->sys, DEV_MMIO, &fx->dev_mmio);
    memory_region_add_subregion(&fx->io, DEV_PORT, &fx->dev_io);
    address_space_init(&fx->as_mem, fx->ms, &fx->sys, "memory");
    address_space_init(&fx->as_io, fx->ms, &fx->io, "I/O");
    fx->d.as_mem = &fx->as_mem;
    fx->d.as_io = &fx->as_io;
    fx->d.pci_config = pci_cb;
    fx->d.invalidate = inval_cb;
    fx->d.opaque = fx;
    fx->d.rl.burst = 1000;
    fx->next_read = 0x40;
}

static void teardown(void)
{
    address_space_destroy(&fx->as_io);
    address_space_destroy(&fx->as_mem);
    memory_region_del_subregion(&fx->io, &fx->dev_io);
    memory_region_del_subregion(&fx->sys, &fx->dev_mmio);
    memory_region_del_subregion(&fx->sys, &fx->ram);
    memory_region_finalize(&fx->dev_mmio);
    memory_region_finalize(&fx->dev_io);
    memory_region_finalize(&fx->ram);
    memory_region_finalize(&fx->io);
    memory_region_finalize(&fx->sys);
    memory_system_free(fx->ms);
    free(fx);
    fx = NULL;
}

static ioreq_t mkreq(uint8_t type, uint64_t addr, uint32_t size, uint8_t dir,
                     uint64_t data)
{
    ioreq_t r;

    memset(&r, 0, sizeof(r));
    r.type = type;
    r.addr = addr;
    r.size = size;
    r.dir = dir;
    r.data = data;
    r.count = 1;
    return r;
}

static uint8_t *ram(void)
{
    return memory_region_get_ram_ptr(&fx->ram);
}

START_TEST(pio_in_out)
{
    ioreq_t r = mkreq(IOREQ_TYPE_PIO, DEV_PORT + 2, 2, IOREQ_WRITE, 0xabcd);

    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->nlog, 1);
    ck_assert(fx->log[0].write);
    ck_assert_uint_eq(fx->log[0].addr, 2);
    ck_assert_uint_eq(fx->log[0].size, 2);
    ck_assert_uint_eq(fx->log[0].val, 0xabcd);

    r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 4, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, 0x40);
    ck_assert_uint_eq(fx->d.stats.pio, 2);

    /* Nobody at port 0x300: all-ones of the access size. */
    r = mkreq(IOREQ_TYPE_PIO, 0x300, 2, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, 0xffff);
    ck_assert_uint_eq(fx->d.stats.rejected, 0);
}
END_TEST

START_TEST(mmio_8_bytes)
{
    ioreq_t r = mkreq(IOREQ_TYPE_COPY, DEV_MMIO + 8, 8, IOREQ_WRITE,
                      0x1122334455667788ull);

    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->nlog, 1);
    ck_assert_uint_eq(fx->log[0].size, 8);
    ck_assert_uint_eq(fx->log[0].val, 0x1122334455667788ull);
    r = mkreq(IOREQ_TYPE_COPY, DEV_MMIO, 8, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, 0x40);
    ck_assert_uint_eq(fx->d.stats.copy, 2);
}
END_TEST

START_TEST(rep_outs_and_ins)
{
    ioreq_t r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 1, IOREQ_WRITE, 0x2000);

    memcpy(ram() + 0x2000, "xendm", 5);
    r.data_is_ptr = 1;
    r.count = 5;
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->nlog, 5);
    for (unsigned i = 0; i < 5; i++) {
        ck_assert_uint_eq(fx->log[i].addr, 0);   /* the port does not step */
        ck_assert_uint_eq(fx->log[i].val, (uint8_t)"xendm"[i]);
    }

    /* rep insw with DF: items land at 0x3000, 0x2ffe, 0x2ffc. */
    r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 2, IOREQ_READ, 0x3000);
    r.data_is_ptr = 1;
    r.df = 1;
    r.count = 3;
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(ram()[0x3000], 0x40);
    ck_assert_uint_eq(ram()[0x2ffe], 0x41);
    ck_assert_uint_eq(ram()[0x2ffc], 0x42);
    ck_assert_uint_eq(r.data, 0x3000);       /* pointer requests keep data */
}
END_TEST

START_TEST(rep_movs_steps_mmio)
{
    ioreq_t r = mkreq(IOREQ_TYPE_COPY, DEV_MMIO + 0x10, 4, IOREQ_WRITE, 0x100);

    for (unsigned i = 0; i < 16; i++)
        ram()[0x100 + i] = (uint8_t)i;
    r.data_is_ptr = 1;
    r.count = 4;
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->nlog, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(fx->log[i].addr, 0x10 + 4 * i);
        ck_assert_uint_eq(fx->log[i].val,
                          0x03020100u + 0x04040404u * i);
    }
}
END_TEST

START_TEST(hostile_sizes_counts_types)
{
    static const uint32_t bad_sizes[] = { 0, 3, 16, 0xffffffffu };
    ioreq_t r;

    for (unsigned i = 0; i < 4; i++) {
        r = mkreq(IOREQ_TYPE_COPY, DEV_MMIO, bad_sizes[i], IOREQ_READ, 5);
        xen_ioreq_dispatch(&fx->d, &r);
        ck_assert_uint_eq(r.data, UINT64_MAX);
    }
    r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 8, IOREQ_READ, 0); /* 8-byte port */
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, UINT64_MAX);

    r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 1, IOREQ_WRITE, 0);
    r.count = 0;
    xen_ioreq_dispatch(&fx->d, &r);
    r.count = 0xffffffffu;
    r.data_is_ptr = 1;
    xen_ioreq_dispatch(&fx->d, &r);

    r = mkreq(0x77, DEV_PORT, 1, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, UINT64_MAX);

    ck_assert_uint_eq(fx->nlog, 0);              /* the device saw nothing */
    ck_assert_uint_eq(fx->d.stats.rejected, 8);
}
END_TEST

START_TEST(pointer_outside_ram)
{
    /* rep insb of 4 items downwards from 0x1: 0x1, 0x0, then wraps to
     * 2^64-1, which is not RAM: the string stops there. */
    ioreq_t r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 1, IOREQ_READ, 0x1);

    r.data_is_ptr = 1;
    r.df = 1;
    r.count = 4;
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(ram()[1], 0x40);
    ck_assert_uint_eq(ram()[0], 0x41);
    ck_assert_uint_eq(fx->nlog, 3);        /* third item read, then faulted */
    ck_assert_uint_eq(fx->d.stats.access_errors, 1);

    /* rep outsl from beyond RAM: nothing reaches the device. */
    fx->nlog = 0;
    r = mkreq(IOREQ_TYPE_PIO, DEV_PORT, 4, IOREQ_WRITE, RAM_SIZE + 0x1000);
    r.data_is_ptr = 1;
    r.count = 8;
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->nlog, 0);
    ck_assert_uint_eq(fx->d.stats.access_errors, 2);
}
END_TEST

START_TEST(pci_config_and_control)
{
    ioreq_t r = mkreq(IOREQ_TYPE_PCI_CONFIG, (0x0008ull << 32) | 0, 4,
                      IOREQ_READ, 0);

    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(r.data, 0x12378086u);
    ck_assert_uint_eq(fx->pci_sbdf, 8);
    ck_assert_uint_eq(fx->pci_reg, 0);

    r = mkreq(IOREQ_TYPE_PCI_CONFIG, (0x0008ull << 32) | 0x2, 4, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);          /* crosses a dword */
    ck_assert_uint_eq(r.data, UINT64_MAX);
    r = mkreq(IOREQ_TYPE_PCI_CONFIG, (0x0008ull << 32) | 0x1, 2, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);          /* a word at 0xcfd: allowed */
    ck_assert_uint_eq(fx->pci_reg, 1);
    ck_assert_uint_eq(r.data, 0x8086u);
    r = mkreq(IOREQ_TYPE_PCI_CONFIG, (0x0008ull << 32) | 0x1000, 1, IOREQ_READ, 0);
    xen_ioreq_dispatch(&fx->d, &r);          /* past extended config space */
    ck_assert_uint_eq(fx->pci_calls, 2);
    ck_assert_uint_eq(fx->d.stats.rejected, 2);

    r = mkreq(IOREQ_TYPE_INVALIDATE, 0, 0, IOREQ_WRITE, 0);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->invalidations, 1);
    r = mkreq(IOREQ_TYPE_TIMEOFFSET, 0, 8, IOREQ_WRITE, 12345);
    xen_ioreq_dispatch(&fx->d, &r);
    ck_assert_uint_eq(fx->d.stats.timeoffset, 1);
    ck_assert_uint_eq(fx->nlog, 0);
}
END_TEST

static void push(buffered_iopage_t *p, uint8_t type, uint8_t dir,
                 uint8_t size_code, uint32_t addr, uint32_t data)
{
    buf_ioreq_t *s = &p->buf_ioreq[p->write_pointer % IOREQ_BUFFER_SLOT_NUM];

    memset(s, 0, sizeof(*s));
    s->type = type;
    s->dir = dir;
    s->size = size_code;
    s->addr = addr;
    s->data = data;
    p->write_pointer++;
}

START_TEST(buffered_ring)
{
    buffered_iopage_t *p = calloc(1, sizeof(*p));

    ck_assert_ptr_nonnull(p);
    /* Pointers near the 32-bit wrap, as after a long uptime. */
    p->read_pointer = p->write_pointer = 0xfffffffeu;
    push(p, IOREQ_TYPE_PIO, IOREQ_WRITE, 0, DEV_PORT, 0x5a);
    push(p, IOREQ_TYPE_COPY, IOREQ_WRITE, 2, 0x1000, 0xdeadbeef);
    push(p, IOREQ_TYPE_COPY, IOREQ_WRITE, 3, 0x2000, 0x55667788); /* low */
    push(p, IOREQ_TYPE_COPY, IOREQ_WRITE, 3, 0x2000, 0x11223344); /* high */
    push(p, IOREQ_TYPE_COPY, IOREQ_READ, 2, 0x3000, 1);   /* reads refused */
    push(p, 0x77, IOREQ_WRITE, 0, 0x3000, 1);             /* bad type */
    ck_assert_uint_eq(xen_ioreq_drain_buffered(&fx->d, p), 6);
    ck_assert_uint_eq(p->read_pointer, p->write_pointer);
    ck_assert_uint_eq(fx->nlog, 1);
    ck_assert_uint_eq(fx->log[0].val, 0x5a);
    ck_assert_uint_eq(*(uint32_t *)(ram() + 0x1000), 0xdeadbeef);
    ck_assert_uint_eq(*(uint64_t *)(ram() + 0x2000), 0x1122334455667788ull);
    ck_assert_uint_eq(fx->d.stats.buffered, 3);
    ck_assert_uint_eq(fx->d.stats.buffered_rejected, 2);

    /* A torn pair: only the low half was published. */
    push(p, IOREQ_TYPE_COPY, IOREQ_WRITE, 3, 0x4000, 0x1);
    ck_assert_uint_eq(xen_ioreq_drain_buffered(&fx->d, p), 1);
    ck_assert_uint_eq(*(uint64_t *)(ram() + 0x4000), 0);
    ck_assert_uint_eq(fx->d.stats.buffered_rejected, 3);

    /* Overrun: pointers more than a ring apart are resynchronised. */
    p->write_pointer = p->read_pointer + 2000;
    ck_assert_uint_eq(xen_ioreq_drain_buffered(&fx->d, p), 0);
    ck_assert_uint_eq(p->read_pointer, p->write_pointer);

    /* A full ring takes one call; the next call finds it empty. */
    for (unsigned i = 0; i < IOREQ_BUFFER_SLOT_NUM; i++)
        push(p, IOREQ_TYPE_COPY, IOREQ_WRITE, 0, 0x5000 + (i % 64), i);
    ck_assert_uint_eq(xen_ioreq_drain_buffered(&fx->d, p), IOREQ_BUFFER_SLOT_NUM);
    ck_assert_uint_eq(xen_ioreq_drain_buffered(&fx->d, p), 0);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ioreq");
    TCase *tc = tcase_create("dispatch");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pio_in_out);
    tcase_add_test(tc, mmio_8_bytes);
    tcase_add_test(tc, rep_outs_and_ins);
    tcase_add_test(tc, rep_movs_steps_mmio);
    tcase_add_test(tc, hostile_sizes_counts_types);
    tcase_add_test(tc, pointer_outside_ram);
    tcase_add_test(tc, pci_config_and_control);
    tcase_add_test(tc, buffered_ring);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
