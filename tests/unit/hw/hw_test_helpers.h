/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hw_test_helpers.h - a test rig for the PCI core and the chipset suites:
 * a memory system with the two address spaces, bus 0 with mechanism #1 on
 * ports, a platform recorder, and guest-style port/memory accessors.
 */
#ifndef XENDM_TESTS_HW_HELPERS_H
#define XENDM_TESTS_HW_HELPERS_H

#include <check.h>
#include <stdint.h>

#include "hw/pci.h"
#include "hw/platform.h"
#include "memory/memory.h"

/**
 * struct HwRig - everything a device test needs. The bus decodes BARs into
 * @system / @io directly (no priority containers; the machine tests use
 * hw/xenfv.h for those).
 */
typedef struct HwRig {
    MemorySystem *ms;
    MemoryRegion system;
    MemoryRegion io;
    AddressSpace as_mem;
    AddressSpace as_io;
    PlatformRecorder rec;
    PCIBus bus;
    PCIHost host;
} HwRig;

/** hw_rig_init() - build the rig (asserts on failure). */
void hw_rig_init(HwRig *r);
/** hw_rig_fini() - tear it down; devices must have exited. */
void hw_rig_fini(HwRig *r);

/* Guest-style accesses (assert nothing; return what the guest sees). */
uint32_t io_in(AddressSpace *as, uint16_t port, unsigned size);
void io_out(AddressSpace *as, uint16_t port, uint32_t val, unsigned size);
uint64_t mem_ld(AddressSpace *as, uint64_t addr, unsigned size);
void mem_st(AddressSpace *as, uint64_t addr, uint64_t val, unsigned size);

/** cfg_port_read() - mechanism #1: latch 0xcf8, access 0xcfc + (reg & 3). */
uint32_t cfg_port_read(AddressSpace *io, uint8_t devfn, uint32_t reg,
                       unsigned size);
/** cfg_port_write() - the write counterpart. */
void cfg_port_write(AddressSpace *io, uint8_t devfn, uint32_t reg,
                    uint32_t val, unsigned size);

/** hw_quiet_logs() - drop log output below err (guest-triggered noise). */
void hw_quiet_logs(void);

/** hw_run_suite() - run @s and return the process exit code. */
int hw_run_suite(Suite *s);

/** A deterministic PRNG for hostile tests (xorshift64). */
uint64_t hw_rand(uint64_t *state);

#endif
