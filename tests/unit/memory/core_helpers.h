/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core_helpers.h - small helpers shared by the core half's memory suites
 * (render, listener, dispatch, mtree).
 */
#ifndef XENDM_TESTS_MEMORY_CORE_HELPERS_H
#define XENDM_TESTS_MEMORY_CORE_HELPERS_H

#include <check.h>

#include "memory/memory.h"

/** core_io_ops - ops of a register block reading 0x11 per byte. */
extern const MemoryRegionOps core_io_ops;

/** core_io_init() - an I/O region named @name of @size bytes on @ms. */
void core_io_init(MemoryRegion *mr, MemorySystem *ms, const char *name,
                  uint64_t size);

/**
 * fv_string() - the current FlatView of @as, one range per line:
 * "start-last name+offset[ ro][ nv][ romd]\n" (hex, no leading zeros).
 * Return: malloc'd text (free()).
 */
char *fv_string(AddressSpace *as);

/** ck_assert_fv() - the FlatView of @as is exactly @expected. */
#define ck_assert_fv(as, expected)                                           \
    do {                                                                      \
        char *fv_s_ = fv_string(as);                                          \
        ck_assert_str_eq(fv_s_, (expected));                                  \
        free(fv_s_);                                                          \
    } while (0)

/** core_run_suite() - run @s and return the process exit code. */
int core_run_suite(Suite *s);

#endif
