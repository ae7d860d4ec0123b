/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xensim_libs.c - xensim's drop-in libraries, called in-process the
 * way a device model calls them: foreign mappings with per-page errors,
 * accounting, fault injection, resources, ioreq-server ranges, event
 * channels, grants, DM ops observed from the guest side, restriction.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xentoolcore.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/grant_table.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"
#include "tests/unit/xensim_fixture.h"

static struct xsim_fixture fx;

static void setup(void)
{
    xsim_fixture_setup(&fx, 32, 2);
}

static void teardown(void)
{
    unsetenv("XENSIM_FAIL_MAP2");
    unsetenv("XENSIM_FAIL_NOTIFY");
    xsim_fixture_teardown(&fx);
}

static struct xsim_acct acct_of(uint32_t domid)
{
    struct xsim_acct a = { 0 }, *p;
    struct xsim_run run;
    struct xsim_dom *d;

    ck_assert_int_eq(xsim_run_open(&run, fx.dir), 0);
    ck_assert_int_eq(xsim_dom_open(&run, domid, &d), 0);
    xsim_lock(d);
    p = xsim_acct_locked(d, getpid(), false);
    if (p)
        a = *p;
    xsim_unlock(d);
    xsim_dom_close(d);
    return a;
}

START_TEST(foreign_map2_errors)
{
    xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
    struct xsg_guest *g;
    xen_pfn_t pfns[4] = { 0x10, 0x11, 0xa0, 0x12 }; /* 0xa0: VGA hole */
    int err[4];
    uint8_t *p;

    ck_assert_ptr_nonnull(fm);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x11000 + 5, "xyz", 3), 0);
    p = xenforeignmemory_map2(fm, 1, NULL, PROT_READ | PROT_WRITE, 0, 4,
                              pfns, err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(err[0], 0);
    ck_assert_int_eq(err[1], 0);
    ck_assert_int_eq(err[2], -EINVAL);
    ck_assert_int_eq(err[3], 0);
    ck_assert_mem_eq(p + 4096 + 5, "xyz", 3);
    p[3 * 4096] = 0x42; /* shared with the guest's RAM */
    {
        uint8_t b;

        ck_assert_int_eq(xsg_ram_read(g, 0x12000, &b, 1), 0);
        ck_assert_uint_eq(b, 0x42);
    }
    ck_assert_int_eq(acct_of(1).foreign_maps, 1);
    ck_assert_int_eq(acct_of(1).foreign_pages, 4);
    ck_assert_int_eq(xenforeignmemory_unmap(fm, p, 4), 0);
    ck_assert_int_eq(acct_of(1).foreign_maps, 0);
    /* Remapping in place with MAP_FIXED replaces the old mapping. */
    p = xenforeignmemory_map2(fm, 1, NULL, PROT_READ, 0, 2, pfns, err);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_eq(xenforeignmemory_map2(fm, 1, p, PROT_READ, MAP_FIXED, 2,
                                           pfns + 2, err), p);
    ck_assert_int_eq(err[0], -EINVAL);
    ck_assert_int_eq(acct_of(1).foreign_maps, 1);
    ck_assert_int_eq(xenforeignmemory_unmap(fm, p, 2), 0);
    ck_assert_int_eq(acct_of(1).foreign_maps, 0);
    /* map (err NULL): any bad page fails the whole call. */
    ck_assert_ptr_null(xenforeignmemory_map(fm, 1, PROT_READ, 4, pfns, NULL));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(acct_of(1).foreign_maps, 0);
    /* Fault injection: chosen frames, then everything. */
    setenv("XENSIM_FAIL_MAP2", "0x11", 1);
    p = xenforeignmemory_map2(fm, 1, NULL, PROT_READ, 0, 2, pfns, err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(err[0], 0);
    ck_assert_int_ne(err[1], 0);
    xenforeignmemory_unmap(fm, p, 2);
    setenv("XENSIM_FAIL_MAP2", "all", 1);
    ck_assert_ptr_null(xenforeignmemory_map2(fm, 1, NULL, PROT_READ, 0, 1,
                                             pfns, err));
    unsetenv("XENSIM_FAIL_MAP2");
    ck_assert_uint_eq(acct_of(1).map_calls, 6);
    /* No such domain. */
    ck_assert_ptr_null(xenforeignmemory_map2(fm, 7, NULL, PROT_READ, 0, 1,
                                             pfns, err));
    ck_assert_int_eq(errno, ESRCH);
    xsg_detach(g);
    xenforeignmemory_close(fm);
}
END_TEST

START_TEST(populate_and_decrease)
{
    xc_interface *xc = xc_interface_open(NULL, NULL, 0);
    xen_pfn_t vram[2] = { 0xf0000, 0xf0001 };
    xen_pfn_t low[1] = { 0x200 };
    struct xsg_guest *g;

    ck_assert_ptr_nonnull(xc);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    ck_assert(!xsg_ram_populated(g, 0xf0000));
    ck_assert_int_eq(xc_domain_populate_physmap_exact(xc, 1, 2, 0, 0, vram),
                     0);
    ck_assert(xsg_ram_populated(g, 0xf0001));
    ck_assert_int_eq(xc_domain_populate_physmap_exact(xc, 1, 2, 0, 0, vram),
                     -1);
    ck_assert_int_eq(errno, EBUSY);
    ck_assert_int_eq(xc_domain_decrease_reservation_exact(xc, 1, 1, 0, low),
                     0);
    ck_assert(!xsg_ram_populated(g, 0x200));
    ck_assert_int_eq(xc_domain_shutdown(xc, 1, 1), 0);
    {
        struct xsg_obs o;

        xsg_observe(g, &o);
        ck_assert_uint_eq(o.shutdown_count, 1);
        ck_assert_uint_eq(o.shutdown_reason, 1);
    }
    {
        unsigned long v = 0;

        ck_assert_int_eq(xc_set_hvm_param(xc, 1, 5, 77), 0);
        ck_assert_int_eq(xc_get_hvm_param(xc, 1, 5, &v), 0);
        ck_assert_uint_eq(v, 77);
    }
    ck_assert_int_eq(xc_domain_memory_mapping(xc, 1, 0, 0, 1, 1), -1);
    ck_assert_int_eq(errno, ENOSYS);
    xsg_detach(g);
    xc_interface_close(xc);
}
END_TEST

START_TEST(ioreq_server_ranges)
{
    xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
    xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
    xenforeignmemory_resource_handle *res;
    evtchn_port_t bport = 0;
    ioservid_t id, id2;
    void *addr = NULL;

    ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 2, &id), 0);
    ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 0, &id2), 0);
    ck_assert_int_ne(id, id2);
    /* Adjacent ranges merge; overlaps are refused; unmap may split. */
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(dm, 1, id, 0,
                                                                 0x10, 0x17),
                     0);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(dm, 1, id, 0,
                                                                 0x18, 0x1f),
                     0);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(dm, 1, id, 0,
                                                                 0x1c, 0x20),
                     -1);
    ck_assert_int_eq(errno, EEXIST);
    ck_assert_int_eq(xendevicemodel_unmap_io_range_from_ioreq_server(
                         dm, 1, id, 0, 0x14, 0x15), 0);
    ck_assert_int_eq(xendevicemodel_unmap_io_range_from_ioreq_server(
                         dm, 1, id, 0, 0x14, 0x15), -1);
    ck_assert_int_eq(errno, ENOENT);
    /* 256 ranges per type at most. */
    for (uint64_t i = 0; i < 256; i++)
        ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(
                             dm, 1, id, 1, 0x100000 + i * 0x2000,
                             0x100000 + i * 0x2000 + 0xfff), 0);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(
                         dm, 1, id, 1, 0x10000000, 0x10000fff), -1);
    ck_assert_int_eq(errno, ENOSPC);
    ck_assert_int_eq(xendevicemodel_map_pcidev_to_ioreq_server(dm, 1, id, 0, 0,
                                                               32, 0), -1);
    ck_assert_int_eq(errno, EINVAL);
    /* Resource frames: 0 buffered (only with bufioreq), 1 the slots. */
    res = xenforeignmemory_map_resource(fm, 1, XENMEM_resource_ioreq_server,
                                        id, 0, 2, &addr,
                                        PROT_READ | PROT_WRITE, 0);
    ck_assert_ptr_nonnull(res);
    {
        ioreq_t *slot = (ioreq_t *)((uint8_t *)addr + 4096);

        ck_assert_uint_ne(slot[0].vp_eport, 0);
        ck_assert_uint_ne(slot[1].vp_eport, slot[0].vp_eport);
    }
    ck_assert_ptr_null(xenforeignmemory_map_resource(
        fm, 1, XENMEM_resource_ioreq_server, id2, 0, 1, &addr, PROT_READ, 0));
    ck_assert_int_eq(acct_of(1).resource_maps, 1);
    ck_assert_int_eq(xendevicemodel_get_ioreq_server_info(dm, 1, id, NULL,
                                                          NULL, &bport), 0);
    ck_assert_uint_ne(bport, 0);
    ck_assert_int_eq(xenforeignmemory_unmap_resource(fm, res), 0);
    ck_assert_int_eq(acct_of(1).resource_maps, 0);
    /* Legacy path: map_resource refused, gfns from get_info + map. */
    setenv("XENSIM_FAIL_MAP_RESOURCE", "1", 1);
    ck_assert_ptr_null(xenforeignmemory_map_resource(
        fm, 1, XENMEM_resource_ioreq_server, id, 0, 2, &addr, PROT_READ, 0));
    ck_assert_int_eq(errno, EOPNOTSUPP);
    unsetenv("XENSIM_FAIL_MAP_RESOURCE");
    {
        xen_pfn_t gfns[2];
        int err[2];
        ioreq_t *slot;
        uint8_t *pg;

        ck_assert_int_eq(xendevicemodel_get_ioreq_server_info(
                             dm, 1, id, &gfns[1], &gfns[0], &bport), 0);
        pg = xenforeignmemory_map2(fm, 1, NULL, PROT_READ | PROT_WRITE, 0, 2,
                                   gfns, err);
        ck_assert_ptr_nonnull(pg);
        ck_assert_int_eq(err[0], 0);
        ck_assert_int_eq(err[1], 0);
        slot = (ioreq_t *)(pg + 4096);
        ck_assert_uint_ne(slot[0].vp_eport, 0);
        ck_assert_int_eq(xenforeignmemory_unmap(fm, pg, 2), 0);
    }
    ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1, id), 0);
    ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1, id), -1);
    ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1, id2), 0);
    {
        ioservid_t ids[9];

        for (int i = 0; i < 8; i++)
            ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 0,
                                                                &ids[i]), 0);
        ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, 0,
                                                            &ids[8]), -1);
        ck_assert_int_eq(errno, ENOSPC); /* 8 servers per domain */
        for (int i = 0; i < 8; i++)
            ck_assert_int_eq(xendevicemodel_destroy_ioreq_server(dm, 1,
                                                                 ids[i]), 0);
    }
    xendevicemodel_close(dm);
    xenforeignmemory_close(fm);
}
END_TEST

START_TEST(event_channels)
{
    xenevtchn_handle *a = xenevtchn_open(NULL, 0);
    xenevtchn_handle *b = xenevtchn_open(NULL, 0);
    struct pollfd pfd;
    int pa, pb, unb;

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    /* b offers an unbound port to dom0 itself; a binds to it. */
    unb = xenevtchn_bind_unbound_port(b, 0);
    ck_assert_int_gt(unb, 0);
    pa = xenevtchn_bind_interdomain(a, 0, (evtchn_port_t)unb);
    ck_assert_int_gt(pa, 0);
    pb = unb;
    ck_assert_int_eq(xenevtchn_notify(a, (evtchn_port_t)pa), 0);
    pfd = (struct pollfd){ .fd = xenevtchn_fd(b), .events = POLLIN };
    ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
    ck_assert_int_eq(xenevtchn_pending(b), pb);
    /* Masked until unmask: a second notify is remembered, not delivered. */
    ck_assert_int_eq(xenevtchn_notify(a, (evtchn_port_t)pa), 0);
    ck_assert_int_eq(poll(&pfd, 1, 50), 0);
    ck_assert_int_eq(xenevtchn_unmask(b, (evtchn_port_t)pb), 0);
    ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
    ck_assert_int_eq(xenevtchn_pending(b), pb);
    ck_assert_int_eq(xenevtchn_unmask(b, (evtchn_port_t)pb), 0);
    /* Fault injection. */
    setenv("XENSIM_FAIL_NOTIFY", "1", 1);
    ck_assert_int_eq(xenevtchn_notify(a, (evtchn_port_t)pa), -1);
    ck_assert_int_eq(errno, EIO);
    unsetenv("XENSIM_FAIL_NOTIFY");
    /* Unbinding one end leaves the other unbound: notify fails. */
    ck_assert_int_eq(xenevtchn_unbind(b, (evtchn_port_t)pb), 0);
    ck_assert_int_eq(xenevtchn_notify(a, (evtchn_port_t)pa), 0);
    ck_assert_int_eq(xenevtchn_unbind(a, (evtchn_port_t)pa), 0);
    ck_assert_int_eq(xenevtchn_notify(a, (evtchn_port_t)pa), -1);
    xenevtchn_close(a);
    xenevtchn_close(b);
}
END_TEST

START_TEST(grants)
{
    xengnttab_handle *gt = xengnttab_open(NULL, 0);
    struct xsg_guest *g;
    uint32_t refs[2] = { 5, 6 };
    xengnttab_grant_copy_segment_t seg;
    char out[8] = { 0 };
    uint8_t *p;

    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x50000, "grant!", 6), 0);
    ck_assert_ptr_null(xengnttab_map_domain_grant_refs(gt, 1, 1, refs,
                                                       PROT_READ));
    ck_assert_int_eq(xsg_grant(g, 5, 0x50, 0, false), 0);
    ck_assert_int_eq(xsg_grant(g, 6, 0x51, 0, true), 0);
    ck_assert_int_eq(xsg_grant(g, 6, 0x52, 0, true), -EBUSY);
    ck_assert_ptr_null(xengnttab_map_domain_grant_refs(
        gt, 2, 1, refs, PROT_READ | PROT_WRITE)); /* 6 is read-only */
    ck_assert_int_eq(errno, EACCES);
    p = xengnttab_map_domain_grant_refs(gt, 2, 1, refs, PROT_READ);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, "grant!", 6);
    ck_assert_int_eq(xsg_grant_end(g, 5), -EBUSY);
    ck_assert_int_eq(acct_of(1).grant_maps, 1);
    ck_assert_int_eq(xengnttab_unmap(gt, p, 2), 0);
    ck_assert_int_eq(acct_of(1).grant_maps, 0);
    ck_assert_int_eq(xsg_grant_end(g, 5), 0);
    ck_assert_int_eq(xsg_grant(g, 5, 0x50, 0, false), 0);
    memset(&seg, 0, sizeof(seg));
    seg.source.foreign.ref = 5;
    seg.source.foreign.domid = 1;
    seg.source.foreign.offset = 1;
    seg.dest.virt = out;
    seg.len = 5;
    seg.flags = GNTCOPY_source_gref;
    ck_assert_int_eq(xengnttab_grant_copy(gt, 1, &seg), 0);
    ck_assert_int_eq(seg.status, GNTST_okay);
    ck_assert_str_eq(out, "rant!");
    seg.flags = GNTCOPY_dest_gref;
    seg.dest.foreign.ref = 6;
    seg.dest.foreign.domid = 1;
    seg.dest.foreign.offset = 0;
    seg.source.virt = out;
    ck_assert_int_eq(xengnttab_grant_copy(gt, 1, &seg), 0);
    ck_assert_int_eq(seg.status, GNTST_permission_denied);
    xsg_detach(g);
    xengnttab_close(gt);
}
END_TEST

START_TEST(dm_ops_observed)
{
    xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
    struct xsg_guest *g;
    struct xsg_obs o;
    unsigned long bm[2] = { 0, 0 };
    uint8_t b;

    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    ck_assert_int_eq(xendevicemodel_set_isa_irq_level(dm, 1, 4, 1), 0);
    ck_assert_int_eq(xendevicemodel_set_isa_irq_level(dm, 1, 16, 1), -1);
    ck_assert_int_eq(xendevicemodel_set_pci_intx_level(dm, 1, 0, 0, 2, 0, 1),
                     0);
    ck_assert_int_eq(xendevicemodel_set_pci_link_route(dm, 1, 1, 11), 0);
    ck_assert_int_eq(xendevicemodel_inject_msi(dm, 1, 0xfee00000, 0x4031),
                     0);
    ck_assert_int_eq(xendevicemodel_modified_memory(dm, 1, 0x100, 3), 0);
    ck_assert_int_eq(xendevicemodel_pin_memory_cacheattr(dm, 1, 0x100, 0x1ff,
                                                         0), 0);
    xsg_observe(g, &o);
    ck_assert_uint_eq(o.isa_irq[4], 1);
    ck_assert_uint_eq(o.pci_intx[2][0], 1);
    ck_assert_uint_eq(o.link_route[1], 11);
    ck_assert_uint_eq(o.msi_count, 1);
    ck_assert_uint_eq(o.msi_last_data, 0x4031);
    ck_assert_uint_eq(o.modified_pages, 3);
    ck_assert_uint_eq(o.pinned_ranges, 1);
    /* Read-only RAM: guest writes are dropped. */
    ck_assert_int_eq(xsg_ram_write(g, 0x60000, "a", 1), 0);
    ck_assert_int_eq(xendevicemodel_set_mem_type(dm, 1, HVMMEM_ram_ro, 0x60,
                                                 1), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x60000, "b", 1), -EROFS);
    ck_assert_int_eq(xsg_ram_read(g, 0x60000, &b, 1), 0);
    ck_assert_uint_eq(b, 'a');
    ck_assert_int_eq(xendevicemodel_set_mem_type(dm, 1, HVMMEM_ram_rw, 0x60,
                                                 1), 0);
    ck_assert_int_eq(xsg_ram_write(g, 0x60000, "b", 1), 0);
    /* Dirty VRAM: first call all dirty, then only what the guest wrote. */
    ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, 0x400, 70, bm), 0);
    ck_assert_uint_eq(bm[0], ~0ul);
    ck_assert_uint_eq(bm[1], 0x3f);
    ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, 0x400, 70, bm), 0);
    ck_assert_uint_eq(bm[0], 0);
    ck_assert_int_eq(xsg_ram_fill(g, 0x402000, 1, 1), 0);
    ck_assert_int_eq(xsg_ram_fill(g, 0x400000 + 65 * 4096, 1, 1), 0);
    ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, 0x400, 70, bm), 0);
    ck_assert_uint_eq(bm[0], 1ul << 2);
    ck_assert_uint_eq(bm[1], 1ul << 1);
    ck_assert_int_eq(xendevicemodel_track_dirty_vram(dm, 1, 0xa0, 4, bm), -1);
    ck_assert_int_eq(errno, ENODATA);
    /* Relocation moves the frame and its contents. */
    ck_assert_int_eq(xsg_ram_write(g, 0x80000, "move", 4), 0);
    ck_assert_int_eq(xendevicemodel_relocate_memory(dm, 1, 1, 0x80, 0xf8000),
                     0);
    ck_assert(!xsg_ram_populated(g, 0x80));
    {
        char m[4];

        ck_assert_int_eq(xsg_ram_read(g, 0xf8000000ull, m, 4), 0);
        ck_assert_mem_eq(m, "move", 4);
    }
    xsg_detach(g);
    xendevicemodel_close(dm);
}
END_TEST

START_TEST(restrict_all)
{
    xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
    xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
    xc_interface *xc = xc_interface_open(NULL, NULL, 0);
    xen_pfn_t pfn = 0x10;
    unsigned long v;
    int err;
    void *p;

    ck_assert_int_eq(xentoolcore_restrict_all(1), 0);
    p = xenforeignmemory_map2(fm, 1, NULL, PROT_READ, 0, 1, &pfn, &err);
    ck_assert_ptr_nonnull(p);
    xenforeignmemory_unmap(fm, p, 1);
    ck_assert_ptr_null(xenforeignmemory_map2(fm, 0, NULL, PROT_READ, 0, 1,
                                             &pfn, &err));
    ck_assert_int_eq(errno, EPERM);
    ck_assert_int_eq(xendevicemodel_set_isa_irq_level(dm, 0, 1, 1), -1);
    ck_assert_int_eq(errno, EPERM);
    ck_assert_int_eq(xc_get_hvm_param(xc, 1, 1, &v), -1);
    ck_assert_int_eq(errno, EBADF);
    xc_interface_close(xc);
    xendevicemodel_close(dm);
    xenforeignmemory_close(fm);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("xensim_libs");
    TCase *tc = tcase_create("libs");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, foreign_map2_errors);
    tcase_add_test(tc, populate_and_decrease);
    tcase_add_test(tc, ioreq_server_ranges);
    tcase_add_test(tc, event_channels);
    tcase_add_test(tc, grants);
    tcase_add_test(tc, dm_ops_observed);
    tcase_add_test(tc, restrict_all);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
