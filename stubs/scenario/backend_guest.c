/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend_guest.c - the default scenario backend: every member forwards to
 * the stubs/guest/guest.h function of the same name, with the struct
 * xsg_guest as opaque pointer. No state of its own; guest.h's threading
 * rules apply unchanged.
 *
 * Kept in its own object so programs and tests that never call
 * xsg_scenario_backend_guest() do not link the guest library.
 */
#include "stubs/scenario/scenario.h"

static unsigned int be_nr_vcpus(void *o)
{
    return xsg_nr_vcpus(o);
}

static void be_set_timeout_ms(void *o, unsigned int ms)
{
    xsg_set_timeout_ms(o, ms);
}

static int be_last_server(void *o, unsigned int vcpu)
{
    return xsg_last_server(o, vcpu);
}

static int be_pio_read(void *o, unsigned int vcpu, uint16_t port,
                       unsigned int size, uint32_t *val)
{
    return xsg_pio_read(o, vcpu, port, size, val);
}

static int be_pio_write(void *o, unsigned int vcpu, uint16_t port,
                        unsigned int size, uint32_t val)
{
    return xsg_pio_write(o, vcpu, port, size, val);
}

static int be_pio_rep(void *o, unsigned int vcpu, uint16_t port,
                      unsigned int size, uint32_t count, bool df, bool dir_read,
                      uint64_t gpa)
{
    return xsg_pio_rep(o, vcpu, port, size, count, df, dir_read, gpa);
}

static int be_mmio_read(void *o, unsigned int vcpu, uint64_t addr,
                        unsigned int size, uint64_t *val)
{
    return xsg_mmio_read(o, vcpu, addr, size, val);
}

static int be_mmio_write(void *o, unsigned int vcpu, uint64_t addr,
                         unsigned int size, uint64_t val)
{
    return xsg_mmio_write(o, vcpu, addr, size, val);
}

static int be_mmio_rep(void *o, unsigned int vcpu, uint64_t addr,
                       unsigned int size, uint32_t count, bool df,
                       bool dir_read, uint64_t gpa)
{
    return xsg_mmio_rep(o, vcpu, addr, size, count, df, dir_read, gpa);
}

static int be_pci_cfg_read(void *o, unsigned int vcpu, uint8_t bus,
                           uint8_t dev, uint8_t fn, uint8_t reg,
                           unsigned int size, uint32_t *val)
{
    return xsg_pci_cfg_read(o, vcpu, bus, dev, fn, reg, size, val);
}

static int be_pci_cfg_write(void *o, unsigned int vcpu, uint8_t bus,
                            uint8_t dev, uint8_t fn, uint8_t reg,
                            unsigned int size, uint32_t val)
{
    return xsg_pci_cfg_write(o, vcpu, bus, dev, fn, reg, size, val);
}

static int be_ram_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    return xsg_ram_read(o, gpa, buf, len);
}

static int be_ram_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    return xsg_ram_write(o, gpa, buf, len);
}

static int be_ram_fill(void *o, uint64_t gpa, uint8_t byte, size_t len)
{
    return xsg_ram_fill(o, gpa, byte, len);
}

static bool be_ram_populated(void *o, uint64_t gfn)
{
    return xsg_ram_populated(o, gfn);
}

static int be_grant(void *o, uint32_t ref, uint64_t gfn, uint32_t to_domid,
                    bool readonly)
{
    return xsg_grant(o, ref, gfn, to_domid, readonly);
}

static int be_grant_end(void *o, uint32_t ref)
{
    return xsg_grant_end(o, ref);
}

static int be_balloon_out(void *o, unsigned int vcpu, uint64_t gfn,
                          uint64_t nr)
{
    return xsg_balloon_out(o, vcpu, gfn, nr);
}

static int be_balloon_in(void *o, uint64_t gfn, uint64_t nr)
{
    return xsg_balloon_in(o, gfn, nr);
}

static int be_wait_servers(void *o, unsigned int n, unsigned int timeout_ms)
{
    return xsg_wait_servers(o, n, timeout_ms);
}

static void be_observe(void *o, struct xsg_obs *obs)
{
    xsg_observe(o, obs);
}

static int be_raw_ioreq(void *o, unsigned int vcpu, unsigned int server,
                        ioreq_t *req, uint8_t state)
{
    return xsg_raw_ioreq(o, vcpu, server, req, state);
}

static int be_raw_buffered(void *o, unsigned int server,
                           const buf_ioreq_t *slots, unsigned int n,
                           uint32_t extra)
{
    return xsg_raw_buffered(o, server, slots, n, extra);
}

static int be_raw_buffered_ptrs(void *o, unsigned int server, uint32_t *rp,
                                uint32_t *wp)
{
    return xsg_raw_buffered_ptrs(o, server, rp, wp);
}

void xsg_scenario_backend_guest(struct xsg_scenario_backend *be,
                                struct xsg_guest *g)
{
    *be = (struct xsg_scenario_backend){
        .opaque = g,
        .nr_vcpus = be_nr_vcpus,
        .set_timeout_ms = be_set_timeout_ms,
        .last_server = be_last_server,
        .pio_read = be_pio_read,
        .pio_write = be_pio_write,
        .pio_rep = be_pio_rep,
        .mmio_read = be_mmio_read,
        .mmio_write = be_mmio_write,
        .mmio_rep = be_mmio_rep,
        .pci_cfg_read = be_pci_cfg_read,
        .pci_cfg_write = be_pci_cfg_write,
        .ram_read = be_ram_read,
        .ram_write = be_ram_write,
        .ram_fill = be_ram_fill,
        .ram_populated = be_ram_populated,
        .grant = be_grant,
        .grant_end = be_grant_end,
        .balloon_out = be_balloon_out,
        .balloon_in = be_balloon_in,
        .wait_servers = be_wait_servers,
        .observe = be_observe,
        .raw_ioreq = be_raw_ioreq,
        .raw_buffered = be_raw_buffered,
        .raw_buffered_ptrs = be_raw_buffered_ptrs,
    };
}
