/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvm-platform.c - what the chipset and the memory core ask of Xen.
 *
 *  - PlatformOps: IRQ levels, PCI link routes and power events become
 *    device-model ops on the domain. A power-off or reboot is sent to Xen
 *    synchronously, inside the access that requested it, so it happens
 *    before that ioreq completes.
 *  - Memory hooks: a RAM block other than main RAM (VRAM, ROMs) gets guest
 *    frames at gfn = ram_addr >> 12 when it is created, and is mapped once,
 *    whole and locked (non-dma), right away: a foreign mapping names the
 *    frames themselves, so it stays valid when the block is later moved to
 *    a BAR. While global dirty logging is on, device-model writes to guest
 *    RAM are reported with modified_memory (ram_addr translated to where
 *    the frames currently are).
 *  - The physmap listener moves such a block's frames to the guest address
 *    where a RAM section of it appears (a framebuffer BAR) and back when
 *    it disappears, pins their cache attribute, and, for sections whose
 *    region logs VGA writes, fetches dirty bits with track_dirty_vram.
 *
 * Main thread, except modified_memory and the IRQ calls, which a device
 * worker thread may make: the physmap table is read under physmap_lock.
 */
#include "xen/hvm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)

static int neg_errno(void)
{
    return errno ? -errno : -EIO;
}

/* ---- PlatformOps ---- */

static int plat_isa_irq(void *opaque, uint8_t irq, unsigned level)
{
    struct xen_hvm *h = opaque;

    if (xendevicemodel_set_isa_irq_level(h->dmod, h->cfg.domid, irq, level)) {
        int err = neg_errno();

        __atomic_fetch_add(&h->irq_errors, 1, __ATOMIC_RELAXED);
        return err;
    }
    return 0;
}

static int plat_pci_intx(void *opaque, uint16_t segment, uint8_t bus,
                         uint8_t device, uint8_t intx, unsigned level)
{
    struct xen_hvm *h = opaque;

    if (xendevicemodel_set_pci_intx_level(h->dmod, h->cfg.domid, segment, bus,
                                          device, intx, level)) {
        int err = neg_errno();

        __atomic_fetch_add(&h->irq_errors, 1, __ATOMIC_RELAXED);
        return err;
    }
    return 0;
}

static int plat_link_route(void *opaque, uint8_t link, uint8_t irq)
{
    struct xen_hvm *h = opaque;

    if (xendevicemodel_set_pci_link_route(h->dmod, h->cfg.domid, link, irq))
        return neg_errno();
    return 0;
}

static int plat_shutdown(void *opaque, enum platform_shutdown_reason reason)
{
    struct xen_hvm *h = opaque;
    bool reboot = reason == PLATFORM_SHUTDOWN_REBOOT;
    int err = 0;

    log_info("guest asked for %s", reboot ? "a reboot" : "power-off");
    if (xendevicemodel_shutdown(h->dmod, h->cfg.domid,
                                reboot ? SHUTDOWN_reboot : SHUTDOWN_poweroff)) {
        err = neg_errno();
        log_err("cannot tell Xen about the guest's %s: %s",
                reboot ? "reboot" : "power-off", strerror(-err));
    }
    if (h->cfg.on_shutdown)
        h->cfg.on_shutdown(h->cfg.opaque, reboot);
    return err;
}

/* ---- memory hooks ---- */

static int hook_block_added(void *opaque, RAMBlock *block)
{
    struct xen_hvm *h = opaque;
    uint64_t nr = (block->max_length + PAGE_SIZE - 1) >> PAGE_SHIFT;
    xen_pfn_t *gfns;

    if (block->flags & RAM_NOALLOC)
        return 0;                    /* main RAM: the toolstack's frames */
    gfns = calloc(nr, sizeof(*gfns));
    if (!gfns)
        return -ENOMEM;
    for (uint64_t i = 0; i < nr; i++)
        gfns[i] = (block->offset >> PAGE_SHIFT) + i;
    if (xc_domain_populate_physmap_exact(h->xch, h->cfg.domid, nr, 0, 0, gfns)) {
        int err = neg_errno();

        free(gfns);
        h->populate_errors++;
        log_err("cannot populate %" PRIu64 " frames for %s at gfn 0x%" PRIx64
                ": %s", nr, block->idstr, block->offset >> PAGE_SHIFT,
                strerror(-err));
        return err;
    }
    free(gfns);
    /* Map it now, whole and locked, while the frames are at ram_addr. */
    if (!qemu_map_ram_ptr(h->ms, block, 0)) {
        log_err("cannot map %s through the mapcache", block->idstr);
        return -ENOMEM;
    }
    return 0;
}

static uint64_t to_gaddr(struct xen_hvm *h, ram_addr_t start)
{
    uint64_t gaddr = start;

    pthread_mutex_lock(&h->physmap_lock);
    for (unsigned i = 0; i < h->n_physmap; i++) {
        const struct xen_hvm_physmap *p = &h->physmap[i];

        if (start >= p->block->offset && start - p->block->offset < p->size) {
            gaddr = p->gpa + (start - p->block->offset);
            break;
        }
    }
    pthread_mutex_unlock(&h->physmap_lock);
    return gaddr;
}

static void hook_ram_dirtied(void *opaque, ram_addr_t start, ram_addr_t len)
{
    struct xen_hvm *h = opaque;
    uint64_t gaddr = to_gaddr(h, start);
    uint64_t first = gaddr >> PAGE_SHIFT;
    uint64_t last = (gaddr + len - 1) >> PAGE_SHIFT;

    __atomic_fetch_add(&h->modified_calls, 1, __ATOMIC_RELAXED);
    if (xendevicemodel_modified_memory(h->dmod, h->cfg.domid, first,
                                       (uint32_t)(last - first + 1)))
        log_warn_rl(&h->rl, "modified_memory(0x%" PRIx64 ", %" PRIu64
                    "): %s", first, last - first + 1, strerror(errno));
}

void xen_hvm_platform_setup(struct xen_hvm *h)
{
    h->platform_ops = (PlatformOps){
        .set_isa_irq_level = plat_isa_irq,
        .set_pci_intx_level = plat_pci_intx,
        .set_pci_link_route = plat_link_route,
        .shutdown = plat_shutdown,
    };
    h->hooks = (MemorySystemHooks){
        .ram_block_added = hook_block_added,
        .ram_dirtied = hook_ram_dirtied,
        .opaque = h,
    };
    pthread_mutex_init(&h->physmap_lock, NULL);
    h->physmap_lock_ready = true;
}

/* ---- physmap listener ---- */

static struct xen_hvm *from_listener(MemoryListener *l)
{
    return (struct xen_hvm *)((char *)l - offsetof(struct xen_hvm, physmap_listener));
}

/* A section of a RAM block that is not main RAM (VRAM, ROM). */
static RAMBlock *movable_block(struct xen_hvm *h, MemoryRegionSection *s)
{
    RAMBlock *b = s->mr->ram_block;

    if (!memory_region_is_ram(s->mr) || !b || b == h->ram_block ||
        (b->flags & RAM_NOALLOC) || s->offset_within_region != 0 ||
        s->size == UINT64_MAX)
        return NULL;
    return b;
}

static void physmap_add(MemoryListener *l, MemoryRegionSection *s)
{
    struct xen_hvm *h = from_listener(l);
    RAMBlock *b = movable_block(h, s);
    uint64_t gpa = s->offset_within_address_space;
    uint64_t pages = s->size >> PAGE_SHIFT;

    if (!b || pages == 0 || (gpa & (PAGE_SIZE - 1)))
        return;
    if (h->n_physmap == G_N_ELEMENTS(h->physmap)) {
        log_err_rl(&h->rl, "physmap: too many relocated blocks; %s stays "
                   "at its RAM address", b->idstr);
        return;
    }
    if (gpa == b->offset)
        return;
    if (xendevicemodel_relocate_memory(h->dmod, h->cfg.domid, (uint32_t)pages,
                                       b->offset >> PAGE_SHIFT,
                                       gpa >> PAGE_SHIFT)) {
        log_err_rl(&h->rl, "physmap: cannot move %s to 0x%" PRIx64 ": %s",
                   b->idstr, gpa, strerror(errno));
        return;
    }
    if (xendevicemodel_pin_memory_cacheattr(h->dmod, h->cfg.domid,
                                            gpa >> PAGE_SHIFT,
                                            (gpa >> PAGE_SHIFT) + pages - 1,
                                            XEN_DMOP_MEM_CACHEATTR_WB))
        log_warn_rl(&h->rl, "physmap: cannot pin the cache attribute of %s: %s",
                    b->idstr, strerror(errno));
    pthread_mutex_lock(&h->physmap_lock);
    h->physmap[h->n_physmap++] = (struct xen_hvm_physmap){ b, gpa, s->size };
    pthread_mutex_unlock(&h->physmap_lock);
    log_debug("physmap: %s moved to 0x%" PRIx64, b->idstr, gpa);
}

static void physmap_del(MemoryListener *l, MemoryRegionSection *s)
{
    struct xen_hvm *h = from_listener(l);
    RAMBlock *b = movable_block(h, s);
    uint64_t gpa = s->offset_within_address_space;

    if (!b)
        return;
    for (unsigned i = 0; i < h->n_physmap; i++) {
        struct xen_hvm_physmap p = h->physmap[i];

        if (p.block != b || p.gpa != gpa)
            continue;
        if (xendevicemodel_relocate_memory(h->dmod, h->cfg.domid,
                                           (uint32_t)(p.size >> PAGE_SHIFT),
                                           gpa >> PAGE_SHIFT,
                                           b->offset >> PAGE_SHIFT))
            log_err_rl(&h->rl, "physmap: cannot move %s back: %s", b->idstr,
                       strerror(errno));
        pthread_mutex_lock(&h->physmap_lock);
        h->physmap[i] = h->physmap[--h->n_physmap];
        pthread_mutex_unlock(&h->physmap_lock);
        return;
    }
}

static bool vga_logged(MemoryRegionSection *s)
{
    return memory_region_get_dirty_log_mask(s->mr) & (1u << DIRTY_MEMORY_VGA);
}

static void physmap_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
    struct xen_hvm *h = from_listener(l);
    uint64_t pages = s->size >> PAGE_SHIFT;
    uint64_t gpa = s->offset_within_address_space;
    const size_t bits = 8 * sizeof(unsigned long);
    unsigned long *bitmap;

    if (!movable_block(h, s) || !vga_logged(s) || pages == 0 ||
        pages > UINT32_MAX)
        return;
    bitmap = calloc((pages + bits - 1) / bits, sizeof(unsigned long));
    if (!bitmap)
        return;
    if (xendevicemodel_track_dirty_vram(h->dmod, h->cfg.domid,
                                        gpa >> PAGE_SHIFT, (uint32_t)pages,
                                        bitmap)) {
        if (errno != ENODATA) {
            h->dirty_vram_errors++;
            log_warn_rl(&h->rl, "track_dirty_vram: %s", strerror(errno));
        }
        /* Nothing known: redraw everything. */
        memory_region_set_dirty(s->mr, s->offset_within_region, s->size);
    } else {
        /* One call per run of dirty pages, not per page. */
        for (uint64_t i = 0; i < pages;) {
            uint64_t run = 0;

            while (i + run < pages &&
                   (bitmap[(i + run) / bits] & (1ul << ((i + run) % bits))))
                run++;
            if (run)
                memory_region_set_dirty(s->mr,
                                        s->offset_within_region + (i << PAGE_SHIFT),
                                        run << PAGE_SHIFT);
            i += run ? run : 1;
        }
    }
    free(bitmap);
}

static void physmap_log_stop(MemoryListener *l, MemoryRegionSection *s,
                             int old_mask, int new_mask)
{
    struct xen_hvm *h = from_listener(l);

    if ((old_mask & (1 << DIRTY_MEMORY_VGA)) &&
        !(new_mask & (1 << DIRTY_MEMORY_VGA)) && movable_block(h, s))
        xendevicemodel_track_dirty_vram(h->dmod, h->cfg.domid, 0, 0, NULL);
}

void xen_hvm_physmap_register(struct xen_hvm *h)
{
    h->physmap_listener = (MemoryListener){
        .region_add = physmap_add,
        .region_del = physmap_del,
        .log_sync = physmap_log_sync,
        .log_stop = physmap_log_stop,
        .priority = 5,
        .name = "xen-physmap",
    };
    memory_listener_register(&h->physmap_listener, h->ms, &h->machine.as_mem);
    h->physmap_up = true;
}

void xen_hvm_physmap_unregister(struct xen_hvm *h)
{
    if (h->physmap_up)
        memory_listener_unregister(&h->physmap_listener);
    h->physmap_up = false;
}
