/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ranges.c - the ranges registered with the ioreq server follow the
 * FlatViews: RAM skipped, moved regions unregistered then registered,
 * failures counted, everything unregistered at the end.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/ranges.h"

#define MAX_RANGES 32

struct range {
    bool mmio;
    uint64_t start, last;
};

struct recorder {
    struct range live[MAX_RANGES];
    unsigned n;
    unsigned calls;
    int fail_next;         /* error to return from the next map */
    char trace[512];       /* "+m:a-b -p:c-d ..." */
};

static void trace(struct recorder *r, char op, bool mmio, uint64_t s, uint64_t l)
{
    size_t len = strlen(r->trace);

    snprintf(r->trace + len, sizeof(r->trace) - len, "%c%c:%llx-%llx ", op,
             mmio ? 'm' : 'p', (unsigned long long)s, (unsigned long long)l);
}

static int rec_map(void *opaque, bool mmio, uint64_t start, uint64_t last)
{
    struct recorder *r = opaque;

    r->calls++;
    if (r->fail_next) {
        int e = r->fail_next;

        r->fail_next = 0;
        return e;
    }
    ck_assert_uint_lt(r->n, MAX_RANGES);
    r->live[r->n++] = (struct range){ mmio, start, last };
    trace(r, '+', mmio, start, last);
    return 0;
}

static int rec_unmap(void *opaque, bool mmio, uint64_t start, uint64_t last)
{
    struct recorder *r = opaque;

    r->calls++;
    for (unsigned i = 0; i < r->n; i++) {
        if (r->live[i].mmio == mmio && r->live[i].start == start &&
            r->live[i].last == last) {
            r->live[i] = r->live[--r->n];
            trace(r, '-', mmio, start, last);
            return 0;
        }
    }
    return -ENOENT;
}

static const struct xen_range_ops rec_ops = { rec_map, rec_unmap };

static bool has(struct recorder *r, bool mmio, uint64_t start, uint64_t last)
{
    for (unsigned i = 0; i < r->n; i++)
        if (r->live[i].mmio == mmio && r->live[i].start == start &&
            r->live[i].last == last)
            return true;
    return false;
}

static uint64_t rd(void *o, hwaddr a, unsigned s) { return 0; }
static void wr(void *o, hwaddr a, uint64_t v, unsigned s) { }
static const MemoryRegionOps ops = {
    .read = rd, .write = wr, .endianness = DEVICE_LITTLE_ENDIAN,
};

START_TEST(follow_flatview)
{
    MemorySystem *ms = memory_system_new();
    MemoryRegion sys, io, ram, bar, uart, vga;
    AddressSpace as_mem, as_io;
    struct xen_ranges xr;
    struct recorder rec;

    memset(&xr, 0, sizeof(xr));
    memset(&rec, 0, sizeof(rec));
    memory_region_init(&sys, ms, NULL, "system", UINT64_MAX);
    memory_region_init(&io, ms, NULL, "io", 0x10000);
    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x100000), 0);
    memory_region_init_io(&bar, ms, NULL, &ops, NULL, "bar", 0x1000);
    memory_region_init_io(&vga, ms, NULL, &ops, NULL, "vga", 0x20000);
    memory_region_init_io(&uart, ms, NULL, &ops, NULL, "uart", 8);
    memory_region_add_subregion(&sys, 0, &ram);
    memory_region_add_subregion_overlap(&sys, 0xa0000, &vga, 1);
    memory_region_add_subregion(&io, 0x3f8, &uart);
    address_space_init(&as_mem, ms, &sys, "memory");
    address_space_init(&as_io, ms, &io, "I/O");

    /* Registering replays what exists: VGA over RAM, the UART; not RAM. */
    xen_ranges_register(&xr, ms, &as_mem, &as_io, &rec_ops, &rec);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert(has(&rec, true, 0xa0000, 0xbffff));
    ck_assert(has(&rec, false, 0x3f8, 0x3ff));
    ck_assert_uint_eq(xr.mapped_mmio, 1);
    ck_assert_uint_eq(xr.mapped_pio, 1);

    /* A BAR appears, then moves: the old range goes before the new one. */
    memory_region_add_subregion(&sys, 0xf0000000, &bar);
    ck_assert(has(&rec, true, 0xf0000000, 0xf0000fff));
    rec.trace[0] = '\0';
    memory_region_set_address(&bar, 0xe0000000);
    ck_assert_str_eq(rec.trace, "-m:f0000000-f0000fff +m:e0000000-e0000fff ");
    ck_assert_uint_eq(rec.n, 3);

    /* Disabled: gone. A failing registration is counted, not fatal. */
    memory_region_set_enabled(&bar, false);
    ck_assert(!has(&rec, true, 0xe0000000, 0xe0000fff));
    rec.fail_next = -ENOSPC;
    memory_region_set_enabled(&bar, true);
    ck_assert_uint_eq(xr.errors, 1);
    ck_assert(!has(&rec, true, 0xe0000000, 0xe0000fff));

    /* Unregistering removes everything we registered. */
    xen_ranges_unregister(&xr);
    ck_assert_uint_eq(rec.n, 0);

    address_space_destroy(&as_io);
    address_space_destroy(&as_mem);
    memory_region_del_subregion(&sys, &bar);
    memory_region_del_subregion(&sys, &vga);
    memory_region_del_subregion(&sys, &ram);
    memory_region_del_subregion(&io, &uart);
    memory_region_finalize(&bar);
    memory_region_finalize(&vga);
    memory_region_finalize(&uart);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    memory_region_finalize(&sys);
    memory_system_free(ms);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ranges");
    TCase *tc = tcase_create("listener");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, follow_flatview);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
