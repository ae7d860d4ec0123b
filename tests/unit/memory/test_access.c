/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_access.c - memory_region_dispatch_read/write: valid/impl rules,
 * splitting, widening, endianness, accepts(), attributes, re-entrancy,
 * unassigned/reservation, and RAM/ROM/ROM device/ram_device regions.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "tests/unit/memory/access_helpers.h"
#include "util/log.h"

#define U MEMTXATTRS_UNSPECIFIED

static MemorySystem *ms;

static void setup(void)
{
    ms = memory_system_new();
    ck_assert_ptr_nonnull(ms);
    log_set_level(LOG_LEVEL_ERR);
}

static void teardown(void)
{
    memory_system_free(ms);
    ms = NULL;
    log_set_level(LOG_LEVEL_INFO);
}

START_TEST(split_le_pieces_in_order)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 8, false, 1, 1, false,
                 DEVICE_LITTLE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x8, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, le_bytes(&d.regs[8], 4));
    ck_assert_uint_eq(d.n, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(d.log[i].addr, 8 + i);
        ck_assert_uint_eq(d.log[i].size, 1);
    }
    d.n = 0;
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0x10,
                                                   0x1122334455667788ull, 8, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 8);
    ck_assert_uint_eq(d.log[0].val, 0x88);
    ck_assert_uint_eq(d.log[7].val, 0x11);
    ck_assert_uint_eq(le_bytes(&d.regs[0x10], 8), 0x1122334455667788ull);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(split_be_pieces_by_endianness)
{
    struct testdev d;
    uint64_t v;

    /* 8-byte access, device implements 2-byte big-endian accesses. */
    testdev_init(&d, ms, "dev", 0x100, 1, 8, false, 1, 2, false,
                 DEVICE_BIG_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x20, &v, 8, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 4);
    ck_assert_uint_eq(d.log[0].addr, 0x20);
    ck_assert_uint_eq(d.log[0].size, 2);
    /* The device's first piece holds bus bytes 0-1 in its own order. */
    ck_assert_uint_eq(d.log[0].val, (uint64_t)d.regs[0x20] << 8 | d.regs[0x21]);
    ck_assert_uint_eq(v, le_bytes(&d.regs[0x20], 8));

    d.n = 0;
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0x40,
                                                   0x0807060504030201ull, 8, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 4);
    ck_assert_uint_eq(d.log[0].addr, 0x40);
    ck_assert_uint_eq(d.log[0].val, 0x0102);  /* bytes 01 02, big-endian */
    ck_assert_uint_eq(d.log[3].val, 0x0708);
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(d.regs[0x40 + i], i + 1);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(big_endian_register_value)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_BIG_ENDIAN, false);
    d.regs[0] = 0x11; d.regs[1] = 0x22; d.regs[2] = 0x33; d.regs[3] = 0x44;
    /* The device returns 0x11223344; the bus (little-endian) sees
     * byte 0 = 0x11, i.e. the value 0x44332211. */
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.log[0].val, 0x11223344);
    ck_assert_uint_eq(v, 0x44332211);
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 4, 0xaabbccdd, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.log[1].val, 0xddccbbaa);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(native_is_little)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_NATIVE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 4, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.log[0].val, v);
    ck_assert_uint_eq(v, le_bytes(&d.regs[4], 4));
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(widen_read_and_rmw_write)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 4, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x6, &v, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.log[0].addr, 0x4);       /* containing aligned unit */
    ck_assert_uint_eq(d.log[0].size, 4);
    ck_assert_uint_eq(v, d.regs[6]);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x6, &v, 2, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, le_bytes(&d.regs[6], 2));

    d.n = 0;
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0x9, 0xab, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 2);                   /* read, then write back */
    ck_assert(!d.log[0].is_write);
    ck_assert(d.log[1].is_write);
    ck_assert_uint_eq(d.log[1].addr, 0x8);
    ck_assert_uint_eq(d.log[1].size, 4);
    ck_assert_uint_eq(d.regs[9], 0xab);
    ck_assert_uint_eq(d.regs[8], 0x18);           /* neighbours kept */
    ck_assert_uint_eq(d.regs[10], 0x1a);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(widen_big_endian)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 4, 4, false,
                 DEVICE_BIG_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x5, &v, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, d.regs[5]);
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0x6, 0xbeef, 2, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.regs[6], 0xef);
    ck_assert_uint_eq(d.regs[7], 0xbe);
    ck_assert_uint_eq(d.regs[5], 0x15);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(unaligned_split_into_aligned_units)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, true, 4, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x2, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_uint_eq(d.log[0].addr, 0);
    ck_assert_uint_eq(d.log[1].addr, 4);
    ck_assert_uint_eq(v, le_bytes(&d.regs[2], 4));
    d.n = 0;
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0x13, 0xa1a2a3a4, 4,
                                                   U), MEMTX_OK);
    ck_assert_uint_eq(le_bytes(&d.regs[0x13], 4), 0xa1a2a3a4);
    ck_assert_uint_eq(d.regs[0x12], 0x22);
    ck_assert_uint_eq(d.regs[0x17], 0x27);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(impl_unaligned_passes_through)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, true, 1, 4, true,
                 DEVICE_LITTLE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0x3, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.log[0].addr, 3);
    ck_assert_uint_eq(d.log[0].size, 4);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(valid_rules_refuse)
{
    struct testdev d;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 2, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    /* Too large, too small, unaligned, odd size: refused, all-ones. */
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 8, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 1, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xff);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 2, &v, 4, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xffffffff);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 3, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 2, 0, 4, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(d.n, 0);
    /* accepts() refusing. */
    d.refuse = true;
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xffffffff);
    ck_assert_uint_eq(d.n, 0);
    d.refuse = false;
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 1);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(default_sizes)
{
    struct testdev d;
    uint64_t v;

    /* valid 0/0 means 1..4; impl 0/0 means 1..4. */
    testdev_init(&d, ms, "dev", 0x100, 0, 0, false, 0, 0, false,
                 DEVICE_LITTLE_ENDIAN, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 8, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 1, &v, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.n, 2);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(with_attrs_results_and_attrs)
{
    struct testdev d;
    uint64_t v;
    MemTxAttrs a = { .secure = 1, .requester_id = 0x1234 };

    testdev_init(&d, ms, "dev", 0x100, 1, 8, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, true);
    d.result = MEMTX_ACCESS_ERROR;
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 8, a),
                      MEMTX_ACCESS_ERROR);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_uint_eq(d.last_attrs.requester_id, 0x1234);
    ck_assert(d.last_attrs.secure);
    d.result = MEMTX_OK;
    ck_assert_uint_eq(memory_region_dispatch_write(&d.mr, 0, 7, 4, a),
                      MEMTX_OK);
    ck_assert_uint_eq(d.regs[0], 7);
    memory_region_finalize(&d.mr);
}
END_TEST

START_TEST(reentrancy_refused)
{
    struct testdev d, other;
    uint64_t v;

    testdev_init(&d, ms, "dev", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    testdev_init(&other, ms, "other", 0x100, 1, 4, false, 1, 4, false,
                 DEVICE_LITTLE_ENDIAN, false);
    /* Re-entering its own region: refused, not recursed. */
    d.reenter = &d.mr;
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.reenter_result, MEMTX_ERROR);
    ck_assert_uint_eq(d.reenter_val, 0xff);
    ck_assert_uint_eq(d.n, 1);
    /* Another device may be accessed from a callback. */
    d.reenter = &other.mr;
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    ck_assert_uint_eq(d.reenter_result, MEMTX_OK);
    ck_assert_uint_eq(d.reenter_val, other.regs[0]);
    /* The guard is released afterwards. */
    ck_assert_uint_eq(d.mr.reentrancy_depth, 0);
    ck_assert_uint_eq(memory_region_dispatch_read(&d.mr, 0, &v, 4, U),
                      MEMTX_OK);
    memory_region_finalize(&d.mr);
    memory_region_finalize(&other.mr);
}
END_TEST

START_TEST(unassigned_and_reservation)
{
    MemoryRegion nops, resv, cont;
    uint64_t v = 0;

    memory_region_init_io(&nops, ms, NULL, NULL, NULL, "no-ops", 0x100);
    ck_assert_uint_eq(memory_region_dispatch_read(&nops, 0, &v, 4, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xffffffff);
    ck_assert_uint_eq(memory_region_dispatch_read(&nops, 0, &v, 8, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_uint_eq(memory_region_dispatch_write(&nops, 0, 1, 2, U),
                      MEMTX_DECODE_ERROR);

    memory_region_init_reservation(&resv, ms, NULL, "resv", 0x1000);
    ck_assert_uint_eq(memory_region_dispatch_read(&resv, 0x10, &v, 2, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, 0xffff);
    ck_assert_uint_eq(memory_region_dispatch_write(&resv, 0x10, 1, 4, U),
                      MEMTX_OK);

    /* A container does not terminate: all-ones, decode error. */
    memory_region_init(&cont, ms, NULL, "cont", 0x1000);
    ck_assert_uint_eq(memory_region_dispatch_read(&cont, 0, &v, 1, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xff);
    memory_region_finalize(&nops);
    memory_region_finalize(&resv);
    memory_region_finalize(&cont);
}
END_TEST

START_TEST(ram_rom_dispatch)
{
    MemoryRegion ram, rom;
    uint8_t *p;
    uint64_t v;

    ck_assert_int_eq(memory_region_init_ram(&ram, ms, NULL, "ram", 0x2000), 0);
    p = memory_region_get_ram_ptr(&ram);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(memory_region_dispatch_write(&ram, 0x100,
                                                   0x0102030405060708ull, 8, U),
                      MEMTX_OK);
    ck_assert_uint_eq(p[0x100], 0x08);
    ck_assert_uint_eq(p[0x107], 0x01);
    ck_assert_uint_eq(memory_region_dispatch_read(&ram, 0x101, &v, 2, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, 0x0607);
    /* Beyond the end of RAM: refused, no host access. */
    ck_assert_uint_eq(memory_region_dispatch_read(&ram, 0x1ffe, &v, 4, U),
                      MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0xffffffff);

    ck_assert_int_eq(memory_region_init_rom(&rom, ms, NULL, "rom", 0x1000), 0);
    p = memory_region_get_ram_ptr(&rom);
    p[0] = 0x5a;
    ck_assert_uint_eq(memory_region_dispatch_write(&rom, 0, 0xff, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(p[0], 0x5a);               /* ROM ignores writes */
    ck_assert_uint_eq(memory_region_dispatch_read(&rom, 0, &v, 1, U),
                      MEMTX_OK);
    ck_assert_uint_eq(v, 0x5a);
    memory_region_finalize(&ram);
    memory_region_finalize(&rom);
}
END_TEST

static uint64_t romdev_read(void *opaque, hwaddr addr, unsigned size)
{
    (*(int *)opaque)++;
    return 0xabcd;
}

static void romdev_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    (*(int *)opaque) += 100;
}

static const MemoryRegionOps romdev_ops = {
    .read = romdev_read,
    .write = romdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

START_TEST(rom_device_romd)
{
    MemoryRegion rd;
    int calls = 0;
    uint8_t *p;
    uint64_t v;

    ck_assert_int_eq(memory_region_init_rom_device(&rd, ms, NULL, &romdev_ops,
                                                   &calls, "flash", 0x1000), 0);
    p = memory_region_get_ram_ptr(&rd);
    p[4] = 0x77;
    ck_assert_uint_eq(memory_region_dispatch_read(&rd, 4, &v, 1, U), MEMTX_OK);
    ck_assert_uint_eq(v, 0x77);                  /* romd: from RAM */
    ck_assert_int_eq(calls, 0);
    ck_assert_uint_eq(memory_region_dispatch_write(&rd, 4, 1, 1, U), MEMTX_OK);
    ck_assert_int_eq(calls, 100);                /* writes: to the ops */
    ck_assert_uint_eq(p[4], 0x77);
    memory_region_rom_device_set_romd(&rd, false);
    ck_assert_uint_eq(memory_region_dispatch_read(&rd, 4, &v, 2, U), MEMTX_OK);
    ck_assert_uint_eq(v, 0xabcd);                /* romd off: to the ops */
    ck_assert_int_eq(calls, 101);
    memory_region_finalize(&rd);
}
END_TEST

START_TEST(ram_device_sized_access)
{
    MemoryRegion rd;
    uint32_t backing[4] = { 0x11223344, 0x55667788, 0, 0 };
    uint64_t v;

    memory_region_init_ram_device_ptr(&rd, ms, NULL, "bar", sizeof(backing),
                                      backing);
    ck_assert(memory_region_is_ram_device(&rd));
    ck_assert_uint_eq(memory_region_dispatch_read(&rd, 0, &v, 4, U), MEMTX_OK);
    ck_assert_uint_eq(v, 0x11223344);
    ck_assert_uint_eq(memory_region_dispatch_read(&rd, 0, &v, 8, U), MEMTX_OK);
    ck_assert_uint_eq(v, 0x5566778811223344ull);
    ck_assert_uint_eq(memory_region_dispatch_write(&rd, 8, 0xcafe, 2, U),
                      MEMTX_OK);
    ck_assert_uint_eq(backing[2], 0xcafe);
    ck_assert_uint_eq(memory_region_dispatch_read(&rd, 14, &v, 4, U),
                      MEMTX_DECODE_ERROR);
    memory_region_finalize(&rd);
}
END_TEST

static Suite *access_suite(void)
{
    Suite *s = suite_create("memory-access");
    TCase *tc = tcase_create("dispatch");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, split_le_pieces_in_order);
    tcase_add_test(tc, split_be_pieces_by_endianness);
    tcase_add_test(tc, big_endian_register_value);
    tcase_add_test(tc, native_is_little);
    tcase_add_test(tc, widen_read_and_rmw_write);
    tcase_add_test(tc, widen_big_endian);
    tcase_add_test(tc, unaligned_split_into_aligned_units);
    tcase_add_test(tc, impl_unaligned_passes_through);
    tcase_add_test(tc, valid_rules_refuse);
    tcase_add_test(tc, default_sizes);
    tcase_add_test(tc, with_attrs_results_and_attrs);
    tcase_add_test(tc, reentrancy_refused);
    tcase_add_test(tc, unassigned_and_reservation);
    tcase_add_test(tc, ram_rom_dispatch);
    tcase_add_test(tc, rom_device_romd);
    tcase_add_test(tc, ram_device_sized_access);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(access_suite());
}
