/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctrl.c - xensim's libxenctrl.so.4.17 (the part device models use).
 *
 * Real behaviour: interface open/close, populate_physmap(_exact),
 * decrease_reservation(_exact) (frames punched; no invalidate, as Xen only
 * sends one when the guest itself gives memory back), domain_shutdown,
 * HVM params, domain_getinfo. The passthrough calls a device model imports
 * for link compatibility fail with ENOSYS. After xentoolcore_restrict_all()
 * the handle is dead (like libxencall's dup2 of /dev/null): every call
 * fails with EBADF.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xen/sched.h>

#include "stubs/lib/simlib.h"

struct xc_interface_core {
    xsim_tc_ah tc_ah;
    struct xsim_domcache dc;
    int restricted;
};

static int xc_restrict_cb(xsim_tc_ah *ah, uint16_t domid)
{
    ((xc_interface *)ah)->restricted = 1;
    return 0;
}

xc_interface *xc_interface_open(xentoollog_logger *logger,
                                xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    xc_interface *xch = calloc(1, sizeof(*xch));
    int rc;

    if (!xch)
        return NULL;
    rc = xsim_domcache_init(&xch->dc, NULL);
    if (rc) {
        free(xch);
        errno = -rc;
        return NULL;
    }
    xch->tc_ah.restrict_callback = xc_restrict_cb;
    xentoolcore__register_active_handle(&xch->tc_ah);
    return xch;
}

int xc_interface_close(xc_interface *xch)
{
    if (!xch)
        return 0;
    xentoolcore__deregister_active_handle(&xch->tc_ah);
    xsim_domcache_fini(&xch->dc);
    free(xch);
    return 0;
}

static struct xsim_dom *xc_dom(xc_interface *xch, uint32_t domid)
{
    if (xch->restricted) {
        errno = EBADF;
        return NULL;
    }
    return xsim_domcache_get(&xch->dc, domid);
}

static int xc_fail(int e)
{
    errno = e;
    return -1;
}

static int populate(xc_interface *xch, uint32_t domid, unsigned long nr,
                    unsigned int order, xen_pfn_t *ext, int exact)
{
    struct xsim_dom *d = xc_dom(xch, domid);
    unsigned long i;
    int rc = 0;

    if (!d)
        return -1;
    if (order > 18)
        return xc_fail(EINVAL);
    xsim_lock(d);
    if (exact) {
        for (i = 0; i < nr && !rc; i++)
            for (uint64_t k = 0; k < (1ull << order); k++)
                if (xsim_populated_locked(d, ext[i] + k))
                    rc = -EBUSY;
    }
    for (i = 0; i < nr && !rc; i++)
        rc = xsim_populate_locked(d, ext[i], 1ull << order, false);
    xsim_unlock(d);
    if (rc)
        return xc_fail(-rc);
    return exact ? 0 : (int)nr;
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
                                     unsigned long nr_extents,
                                     unsigned int extent_order,
                                     unsigned int mem_flags,
                                     xen_pfn_t *extent_start)
{
    return populate(xch, domid, nr_extents, extent_order, extent_start, 1);
}

int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid,
                               unsigned long nr_extents,
                               unsigned int extent_order,
                               unsigned int mem_flags,
                               xen_pfn_t *extent_start)
{
    return populate(xch, domid, nr_extents, extent_order, extent_start, 0);
}

int xc_domain_decrease_reservation(xc_interface *xch, uint32_t domid,
                                   unsigned long nr_extents,
                                   unsigned int extent_order,
                                   xen_pfn_t *extent_start)
{
    struct xsim_dom *d = xc_dom(xch, domid);
    unsigned long i;
    int64_t rc = 0;

    if (!d)
        return -1;
    if (extent_order > 18)
        return xc_fail(EINVAL);
    xsim_lock(d);
    for (i = 0; i < nr_extents; i++) {
        rc = xsim_depopulate_locked(d, extent_start[i], 1ull << extent_order);
        if (rc < 0)
            break;
    }
    xsim_unlock(d);
    if (rc < 0)
        return xc_fail((int)-rc);
    return (int)nr_extents;
}

int xc_domain_decrease_reservation_exact(xc_interface *xch, uint32_t domid,
                                         unsigned long nr_extents,
                                         unsigned int extent_order,
                                         xen_pfn_t *extent_start)
{
    int rc = xc_domain_decrease_reservation(xch, domid, nr_extents,
                                            extent_order, extent_start);

    return rc < 0 ? rc : 0;
}

int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
    struct xsim_dom *d = xc_dom(xch, domid);

    if (!d)
        return -1;
    if (reason < 0 || reason > SHUTDOWN_MAX)
        return xc_fail(EINVAL);
    xsim_lock(d);
    d->sh->shutdown_count++;
    d->sh->shutdown_reason = (uint32_t)reason;
    xsim_unlock(d);
    return 0;
}

int xc_hvm_param_get(xc_interface *xch, uint32_t dom, uint32_t param,
                     uint64_t *value)
{
    struct xsim_dom *d = xc_dom(xch, dom);

    if (!d)
        return -1;
    if (param >= XSIM_NR_HVM_PARAMS)
        return xc_fail(EINVAL);
    xsim_lock(d);
    *value = d->sh->hvm_params[param];
    xsim_unlock(d);
    return 0;
}

int xc_hvm_param_set(xc_interface *xch, uint32_t dom, uint32_t param,
                     uint64_t value)
{
    struct xsim_dom *d = xc_dom(xch, dom);

    if (!d)
        return -1;
    if (param >= XSIM_NR_HVM_PARAMS)
        return xc_fail(EINVAL);
    xsim_lock(d);
    d->sh->hvm_params[param] = value;
    xsim_unlock(d);
    return 0;
}

int xc_get_hvm_param(xc_interface *xch, uint32_t dom, int param,
                     unsigned long *value)
{
    uint64_t v;
    int rc;

    if (param < 0)
        return xc_fail(EINVAL);
    rc = xc_hvm_param_get(xch, dom, (uint32_t)param, &v);
    if (rc == 0)
        *value = (unsigned long)v;
    return rc;
}

int xc_set_hvm_param(xc_interface *xch, uint32_t dom, int param,
                     unsigned long value)
{
    if (param < 0)
        return xc_fail(EINVAL);
    return xc_hvm_param_set(xch, dom, (uint32_t)param, value);
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
                      unsigned int max_doms, xc_dominfo_t *info)
{
    unsigned int n = 0;

    if (xch->restricted)
        return xc_fail(EBADF);
    for (uint32_t id = first_domid; id < 1024 && n < max_doms; id++) {
        struct xsim_dom *d;

        if (xsim_dom_open(&xch->dc.run, id, &d) != 0)
            continue;
        memset(&info[n], 0, sizeof(info[n]));
        xsim_lock(d);
        info[n].domid = id;
        info[n].hvm = id != 0;
        info[n].running = !d->sh->shutdown_count && !d->sh->dead;
        info[n].shutdown = d->sh->shutdown_count != 0;
        info[n].shutdown_reason = d->sh->shutdown_reason;
        info[n].dying = d->sh->dead;
        info[n].nr_pages = d->sh->populated_count;
        info[n].max_memkb = d->sh->mem_bytes >> 10;
        info[n].nr_online_vcpus = d->sh->nr_vcpus;
        info[n].max_vcpu_id = d->sh->nr_vcpus - 1;
        xsim_unlock(d);
        xsim_dom_close(d);
        n++;
    }
    return (int)n;
}

/* Passthrough and the rest: exported for link compatibility only. */
int xc_domain_bind_pt_pci_irq(xc_interface *xch, uint32_t domid,
                              uint8_t machine_irq, uint8_t bus,
                              uint8_t device, uint8_t intx)
{
    return xc_fail(ENOSYS);
}

int xc_domain_iomem_permission(xc_interface *xch, uint32_t domid,
                               unsigned long first_mfn, unsigned long nr_mfns,
                               uint8_t allow_access)
{
    return xc_fail(ENOSYS);
}

int xc_domain_ioport_mapping(xc_interface *xch, uint32_t domid,
                             uint32_t first_gport, uint32_t first_mport,
                             uint32_t nr_ports, uint32_t add_mapping)
{
    return xc_fail(ENOSYS);
}

int xc_domain_memory_mapping(xc_interface *xch, uint32_t domid,
                             unsigned long first_gfn, unsigned long first_mfn,
                             unsigned long nr_mfns, uint32_t add_mapping)
{
    return xc_fail(ENOSYS);
}

int xc_domain_unbind_msi_irq(xc_interface *xch, uint32_t domid, uint32_t gvec,
                             uint32_t pirq, uint32_t gflags)
{
    return xc_fail(ENOSYS);
}

int xc_domain_unbind_pt_irq(xc_interface *xch, uint32_t domid,
                            uint8_t machine_irq, uint8_t irq_type,
                            uint8_t bus, uint8_t device, uint8_t intx,
                            uint8_t isa_irq)
{
    return xc_fail(ENOSYS);
}

int xc_domain_update_msi_irq(xc_interface *xch, uint32_t domid, uint32_t gvec,
                             uint32_t pirq, uint32_t gflags, uint64_t gtable)
{
    return xc_fail(ENOSYS);
}

int xc_physdev_map_pirq(xc_interface *xch, uint32_t domid, int index,
                        int *pirq)
{
    return xc_fail(ENOSYS);
}

int xc_physdev_map_pirq_msi(xc_interface *xch, uint32_t domid, int index,
                            int *pirq, int devfn, int bus, int entry_nr,
                            uint64_t table_base)
{
    return xc_fail(ENOSYS);
}

int xc_physdev_unmap_pirq(xc_interface *xch, uint32_t domid, int pirq)
{
    return xc_fail(ENOSYS);
}

int xc_domain_add_to_physmap(xc_interface *xch, uint32_t domid,
                             unsigned int space, unsigned long idx,
                             xen_pfn_t gpfn)
{
    return xc_fail(ENOSYS);
}
