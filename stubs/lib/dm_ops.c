/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dm_ops.c - xensim's libxendevicemodel: the non-ioreq DM ops (interrupts,
 * MSI, dirty VRAM, memory types, relocation, shutdown). Each records its
 * effect in the domain's shared state under the domain lock, validating
 * arguments the way Xen does (EINVAL for out-of-range lines and levels).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/sched.h>

#include "stubs/lib/simlib.h"

/* Internal accessor shared with devicemodel.c. */
struct xsim_dom *xsim_dm_dom(xendevicemodel_handle *h, domid_t domid);

static int op_fail(int e)
{
    errno = e;
    return -1;
}

int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *h, domid_t domid,
                                      uint16_t segment, uint8_t bus,
                                      uint8_t device, uint8_t intx,
                                      unsigned int level)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (segment || bus || device > 31 || intx > 3 || level > 1)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->pci_intx[device][intx] = (uint8_t)level;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return 0;
}

int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *h, domid_t domid,
                                     uint8_t irq, unsigned int level)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (irq > 15 || level > 1)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->isa_irq[irq] = (uint8_t)level;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return 0;
}

int xendevicemodel_set_irq_level(xendevicemodel_handle *h, domid_t domid,
                                 unsigned int irq, unsigned int level)
{
    return op_fail(ENOSYS);
}

int xendevicemodel_set_pci_link_route(xendevicemodel_handle *h, domid_t domid,
                                      uint8_t link, uint8_t irq)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (link > 3 || irq > 15)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->link_route[link] = irq;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return 0;
}

int xendevicemodel_inject_msi(xendevicemodel_handle *h, domid_t domid,
                              uint64_t msi_addr, uint32_t msi_data)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    xsim_lock(d);
    d->sh->msi_ring_addr[d->sh->msi_count % XSIM_MSI_RING] = msi_addr;
    d->sh->msi_ring_data[d->sh->msi_count % XSIM_MSI_RING] = msi_data;
    d->sh->msi_count++;
    d->sh->msi_last_addr = msi_addr;
    d->sh->msi_last_data = msi_data;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return 0;
}

/*
 * With a KVM backend the guest's CPU writes VRAM behind our back (KVM's
 * dirty log sees them, the guest side's RAM writes do not happen): ask the
 * backend to fold KVM's log into vram_dirty and wait for it, 100 ms at
 * most (a dead or stuck backend costs the redraw, not a hang).
 */
static void kvm_fold_dirty(struct xsim_shared *sh)
{
    uint32_t req;
    struct timespec t0, t;

    if (!xsim_kvm_attached(sh))
        return;
    req = __atomic_add_fetch(&sh->vram_sync_req, 1u, __ATOMIC_SEQ_CST);
    xsim_plat_ring(sh);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        uint32_t done = __atomic_load_n(&sh->vram_sync_done, __ATOMIC_ACQUIRE);
        struct timespec ts = { 0, 10 * 1000000L };

        if ((int32_t)(done - req) >= 0)
            return;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
            100)
            return;
        syscall(SYS_futex, &sh->vram_sync_done, FUTEX_WAIT, done, &ts, NULL,
                0);
    }
}

int xendevicemodel_track_dirty_vram(xendevicemodel_handle *h, domid_t domid,
                                    uint64_t first_pfn, uint32_t nr,
                                    unsigned long *dirty_bitmap)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    struct xsim_shared *sh;
    size_t words;

    if (!d)
        return -1;
    if (nr > XSIM_MAX_VRAM_PAGES || first_pfn + nr < first_pfn ||
        first_pfn + nr > XSIM_MAX_GFNS)
        return op_fail(EINVAL);
    sh = d->sh;
    words = (nr + 63) / 64;
    if (nr && sh->vram_nr == nr && sh->vram_first == first_pfn)
        kvm_fold_dirty(sh);
    xsim_lock(d);
    if (nr == 0) {
        sh->vram_nr = 0;
        sh->p2m_gen++;
        xsim_unlock(d);
        xsim_plat_ring(sh);
        return 0;
    }
    for (uint32_t i = 0; i < nr; i++) {
        if (!xsim_populated_locked(d, first_pfn + i)) {
            xsim_unlock(d);
            return op_fail(ENODATA);
        }
    }
    if (sh->vram_first != first_pfn || sh->vram_nr != nr) {
        /* A new range: everything counts as dirty once, as in Xen. */
        sh->vram_first = first_pfn;
        sh->vram_nr = nr;
        sh->p2m_gen++; /* a KVM backend logs the new range's writes */
        xsim_plat_ring(sh);
        memset(sh->vram_dirty, 0, sizeof(sh->vram_dirty));
        memset(dirty_bitmap, 0xff, words * sizeof(unsigned long));
    } else {
        memcpy(dirty_bitmap, sh->vram_dirty, words * sizeof(unsigned long));
        memset(sh->vram_dirty, 0, words * sizeof(uint64_t));
    }
    if (nr % 64)
        dirty_bitmap[words - 1] &= (1ul << (nr % 64)) - 1;
    xsim_unlock(d);
    return 0;
}

int xendevicemodel_modified_memory(xendevicemodel_handle *h, domid_t domid,
                                   uint64_t first_pfn, uint32_t nr)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (first_pfn + nr < first_pfn || first_pfn + nr > XSIM_MAX_GFNS)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->modified_calls++;
    d->sh->modified_pages += nr;
    xsim_unlock(d);
    return 0;
}

int xendevicemodel_modified_memory_bulk(
    xendevicemodel_handle *h, domid_t domid,
    struct xen_dm_op_modified_memory_extent extents[], uint32_t nr)
{
    for (uint32_t i = 0; i < nr; i++) {
        if (extents[i].nr > UINT32_MAX)
            return op_fail(EINVAL);
        if (xendevicemodel_modified_memory(h, domid, extents[i].first_pfn,
                                           (uint32_t)extents[i].nr) != 0)
            return -1;
    }
    return 0;
}

static int memtype_set_locked(struct xsim_shared *sh, uint64_t first,
                              uint64_t nr, uint32_t type)
{
    uint64_t last = first + nr - 1;
    struct xsim_memtype keep[XSIM_MAX_MEMTYPES * 2 + 1];
    uint32_t n = 0;

    for (uint32_t i = 0; i < sh->nr_memtypes; i++) {
        struct xsim_memtype m = sh->memtypes[i];
        uint64_t mlast = m.first + m.nr - 1;

        if (mlast < first || m.first > last) {
            keep[n++] = m;
            continue;
        }
        if (m.first < first)
            keep[n++] = (struct xsim_memtype){ m.first, first - m.first,
                                                m.type, 0 };
        if (mlast > last)
            keep[n++] = (struct xsim_memtype){ last + 1, mlast - last, m.type,
                                                0 };
    }
    if (type != HVMMEM_ram_rw)
        keep[n++] = (struct xsim_memtype){ first, nr, type, 0 };
    if (n > XSIM_MAX_MEMTYPES)
        return -ENOSPC;
    memcpy(sh->memtypes, keep, n * sizeof(keep[0]));
    sh->nr_memtypes = n;
    return 0;
}

int xendevicemodel_set_mem_type(xendevicemodel_handle *h, domid_t domid,
                                hvmmem_type_t mem_type, uint64_t first_pfn,
                                uint32_t nr)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    int rc;

    if (!d)
        return -1;
    if (nr == 0)
        return 0;
    if (first_pfn + nr < first_pfn || first_pfn + nr > XSIM_MAX_GFNS)
        return op_fail(EINVAL);
    if (mem_type != HVMMEM_ram_rw && mem_type != HVMMEM_ram_ro)
        return op_fail(EINVAL);
    xsim_lock(d);
    for (uint32_t i = 0; i < nr; i++) {
        if (!xsim_populated_locked(d, first_pfn + i)) {
            xsim_unlock(d);
            return op_fail(EINVAL);
        }
    }
    rc = memtype_set_locked(d->sh, first_pfn, nr, (uint32_t)mem_type);
    d->sh->p2m_gen++;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return rc ? op_fail(-rc) : 0;
}

int xendevicemodel_inject_event(xendevicemodel_handle *h, domid_t domid,
                                int vcpu, uint8_t vector, uint8_t type,
                                uint32_t error_code, uint8_t insn_len,
                                uint64_t extra)
{
    return op_fail(ENOSYS);
}

int xendevicemodel_shutdown(xendevicemodel_handle *h, domid_t domid,
                            unsigned int reason)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (reason > SHUTDOWN_MAX)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->shutdown_count++;
    d->sh->shutdown_reason = reason;
    xsim_unlock(d);
    xsim_plat_ring(d->sh);
    return 0;
}

/*
 * XENMAPSPACE_gmfn_range, like Xen: each source gfn's frame moves to the
 * destination gfn (a frame there is freed), the source becomes
 * unpopulated. Nothing is copied, so foreign mappings of the frames stay
 * valid and see the guest's accesses at the new gfns. Stops at the first
 * unpopulated source (frames before it stay moved, as in Xen).
 */
int xendevicemodel_relocate_memory(xendevicemodel_handle *h, domid_t domid,
                                   uint32_t size, uint64_t src_gfn,
                                   uint64_t dst_gfn)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);
    int rc = 0;

    if (!d)
        return -1;
    if (src_gfn + size < src_gfn || src_gfn + size > XSIM_MAX_GFNS ||
        dst_gfn + size < dst_gfn || dst_gfn + size > XSIM_MAX_GFNS)
        return op_fail(EINVAL);
    xsim_lock(d);
    for (uint32_t i = 0; i < size && !rc; i++)
        rc = xsim_relocate_locked(d, src_gfn + i, dst_gfn + i);
    xsim_unlock(d);
    if (rc == -ENOENT)
        rc = -EINVAL;
    return rc ? op_fail(-rc) : 0;
}

int xendevicemodel_pin_memory_cacheattr(xendevicemodel_handle *h,
                                        domid_t domid, uint64_t start,
                                        uint64_t end, uint32_t type)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    if (start > end)
        return op_fail(EINVAL);
    xsim_lock(d);
    d->sh->pinned_ranges++;
    xsim_unlock(d);
    return 0;
}

int xendevicemodel_nr_vcpus(xendevicemodel_handle *h, domid_t domid,
                            unsigned int *vcpus)
{
    struct xsim_dom *d = xsim_dm_dom(h, domid);

    if (!d)
        return -1;
    *vcpus = d->sh->nr_vcpus;
    return 0;
}
