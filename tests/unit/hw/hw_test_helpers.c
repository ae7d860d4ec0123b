/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hw_test_helpers.c - see hw_test_helpers.h. */
#include <stdlib.h>

#include "tests/unit/hw/hw_test_helpers.h"
#include "util/log.h"

void hw_rig_init(HwRig *r)
{
    r->ms = memory_system_new();
    ck_assert_ptr_nonnull(r->ms);
    memory_region_init(&r->system, r->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&r->io, r->ms, NULL, "io", 0x10000);
    address_space_init(&r->as_mem, r->ms, &r->system, "memory");
    address_space_init(&r->as_io, r->ms, &r->io, "I/O");
    platform_recorder_init(&r->rec);
    ck_assert_int_eq(pci_bus_init(&r->bus, r->ms, &r->system, &r->io,
                                  &r->rec.platform), 0);
    ck_assert_int_eq(pci_host_init(&r->host, r->ms, &r->bus, &r->io), 0);
}

void hw_rig_fini(HwRig *r)
{
    pci_host_exit(&r->host);
    pci_bus_exit(&r->bus);
    address_space_destroy(&r->as_mem);
    address_space_destroy(&r->as_io);
    memory_region_finalize(&r->system);
    memory_region_finalize(&r->io);
    memory_system_free(r->ms);
    platform_recorder_destroy(&r->rec);
}

uint32_t io_in(AddressSpace *as, uint16_t port, unsigned size)
{
    switch (size) {
    case 1:
        return address_space_ldub(as, port, MEMTXATTRS_UNSPECIFIED, NULL);
    case 2:
        return address_space_lduw_le(as, port, MEMTXATTRS_UNSPECIFIED, NULL);
    default:
        return address_space_ldl_le(as, port, MEMTXATTRS_UNSPECIFIED, NULL);
    }
}

void io_out(AddressSpace *as, uint16_t port, uint32_t val, unsigned size)
{
    switch (size) {
    case 1:
        address_space_stb(as, port, val, MEMTXATTRS_UNSPECIFIED, NULL);
        break;
    case 2:
        address_space_stw_le(as, port, val, MEMTXATTRS_UNSPECIFIED, NULL);
        break;
    default:
        address_space_stl_le(as, port, val, MEMTXATTRS_UNSPECIFIED, NULL);
        break;
    }
}

uint64_t mem_ld(AddressSpace *as, uint64_t addr, unsigned size)
{
    switch (size) {
    case 1:
        return address_space_ldub(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
    case 2:
        return address_space_lduw_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
    case 4:
        return address_space_ldl_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
    default:
        return address_space_ldq_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
    }
}

void mem_st(AddressSpace *as, uint64_t addr, uint64_t val, unsigned size)
{
    switch (size) {
    case 1:
        address_space_stb(as, addr, (uint32_t)val, MEMTXATTRS_UNSPECIFIED, NULL);
        break;
    case 2:
        address_space_stw_le(as, addr, (uint32_t)val, MEMTXATTRS_UNSPECIFIED,
                             NULL);
        break;
    case 4:
        address_space_stl_le(as, addr, (uint32_t)val, MEMTXATTRS_UNSPECIFIED,
                             NULL);
        break;
    default:
        address_space_stq_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
        break;
    }
}

static uint32_t cf8_of(uint8_t devfn, uint32_t reg)
{
    return PCI_HOST_CONFIG_ENABLE | ((uint32_t)devfn << 8) | (reg & 0xfc);
}

uint32_t cfg_port_read(AddressSpace *io, uint8_t devfn, uint32_t reg,
                       unsigned size)
{
    io_out(io, PCI_HOST_CONFIG_ADDR_PORT, cf8_of(devfn, reg), 4);
    return io_in(io, (uint16_t)(PCI_HOST_CONFIG_DATA_PORT + (reg & 3)), size);
}

void cfg_port_write(AddressSpace *io, uint8_t devfn, uint32_t reg,
                    uint32_t val, unsigned size)
{
    io_out(io, PCI_HOST_CONFIG_ADDR_PORT, cf8_of(devfn, reg), 4);
    io_out(io, (uint16_t)(PCI_HOST_CONFIG_DATA_PORT + (reg & 3)), val, size);
}

static void hw_null_sink(void *opaque, enum log_level level, const char *msg)
{
}

void hw_quiet_logs(void)
{
    log_set_sink(hw_null_sink, NULL);
}

int hw_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

uint64_t hw_rand(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}
