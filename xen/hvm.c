/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvm.c - bring up and tear down the Xen HVM machine.
 *
 * Order (teardown is the reverse):
 *   1. open xenctrl, devicemodel, foreignmemory and evtchn handles, and
 *      restrict them to the domain first when asked (nothing has touched
 *      guest memory yet);
 *   2. the mapcache, then the memory system with the mapcache as every RAM
 *      block's host ops and the Xen hooks (populate, modified_memory);
 *   3. guest RAM: one RAM_NOALLOC block "xen.ram" whose ram_addr is the
 *      guest physical address, then the xenfv chipset (its VRAM lands
 *      above main RAM), then RAM is mapped through aliases [0, 640K),
 *      [768K, below_4g) and [4G, 4G + above_4g) (the VGA hole in between
 *      belongs to the VGA);
 *   4. the ioreq server and its dispatcher, range registration (listener),
 *      the physmap listener, every PCI function of bus 0 registered;
 *   5. the ioreq thread on the event channel fd (xen/ioreq-thread.c) and a
 *      100 ms buffered-ring poll on the default GMainContext.
 *
 * Set-up and teardown run on the main thread with the device-model lock
 * held; requests are served by the ioreq thread under the same lock.
 */
#include "xen/hvm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include <xentoolcore.h>

#define GiB (1ull << 30)

static int neg_errno(void)
{
    return errno ? -errno : -EIO;
}

static int fail(char **err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char **err, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *err = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- dispatcher callbacks ---- */

static void disp_pci_config(void *opaque, uint32_t sbdf, uint32_t reg,
                            unsigned size, bool is_read, uint64_t *data)
{
    struct xen_hvm *h = opaque;

    if (is_read)
        *data = pci_bus_config_read(&h->machine.bus, sbdf, reg, size);
    else
        pci_bus_config_write(&h->machine.bus, sbdf, reg, (uint32_t)*data,
                             size);
}

static void disp_invalidate(void *opaque)
{
    struct xen_hvm *h = opaque;

    xen_invalidate_map_cache(h->mc);
}

/* ---- the ioreq thread's event source: the ioreq server ---- */

static int thread_next_event(void *opaque)
{
    return xen_ioreq_server_next_event(opaque);
}

static void thread_serve_event(void *opaque, int port)
{
    xen_ioreq_server_serve_event(opaque, (evtchn_port_t)port);
}

static const struct xen_ioreq_thread_ops ioreq_thread_ops = {
    thread_next_event, thread_serve_event,
};

/* The ioreq thread waits in read() on the fd, not in poll(). */
static int evtchn_set_blocking(struct xen_hvm *h, char **err)
{
    int fd = xenevtchn_fd(h->xce);
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return fail(err, neg_errno(), "event channel fd: %s", strerror(errno));
    return 0;
}

/* ---- main loop sources ---- */

/* The timer path: Xen does not notify every buffered write. */
static gboolean on_buffered_timer(gpointer opaque)
{
    struct xen_hvm *h = opaque;

    xen_ioreq_server_poll_buffered(&h->srv);
    return G_SOURCE_CONTINUE;
}

/* ---- RAM ---- */

/*
 * Main RAM: created before the chipset, so that the blocks devices create
 * (VRAM, ROMs) get ram_addr space above it. The block always spans at
 * least [0, 4G + above_4g): its ram_addr is the guest physical address, so
 * the other blocks land beyond all guest RAM and the MMIO hole.
 */
static int ram_create(struct xen_hvm *h, char **err)
{
    uint64_t lowmem = h->cfg.max_ram_below_4g ? h->cfg.max_ram_below_4g
                                              : XEN_HVM_DEFAULT_BELOW_4G;
    uint64_t block_size;
    int rc;

    if (lowmem > XEN_HVM_DEFAULT_BELOW_4G)
        lowmem = XEN_HVM_DEFAULT_BELOW_4G;
    if (h->cfg.ram_size < (1ull << 20))
        return fail(err, -EINVAL, "guest RAM of %" PRIu64 " bytes is too small",
                    h->cfg.ram_size);
    h->below_4g = h->cfg.ram_size < lowmem ? h->cfg.ram_size : lowmem;
    h->above_4g = h->cfg.ram_size - h->below_4g;
    block_size = 4 * GiB + h->above_4g;

    rc = ram_block_add(h->ms, "xen.ram", block_size, block_size, RAM_NOALLOC,
                       NULL, 0, &h->ram_block);
    if (rc)
        return fail(err, rc, "cannot create guest RAM: %s", strerror(-rc));
    memory_region_init_ram_from_block(&h->ram, h->ms, NULL, "xen.ram",
                                      h->ram_block);
    memory_region_init_alias(&h->ram_640k, h->ms, NULL, "xen.ram.640k",
                             &h->ram, 0, 0xa0000);
    if (h->below_4g > 0xc0000)
        memory_region_init_alias(&h->ram_lo, h->ms, NULL, "xen.ram.lo",
                                 &h->ram, 0xc0000, h->below_4g - 0xc0000);
    if (h->above_4g)
        memory_region_init_alias(&h->ram_hi, h->ms, NULL, "xen.ram.hi",
                                 &h->ram, 4 * GiB, h->above_4g);
    return 0;
}

/* Put main RAM into the chipset's memory root (after the chipset). */
static void ram_map(struct xen_hvm *h)
{
    memory_region_transaction_begin(h->ms);
    memory_region_add_subregion(&h->machine.system, 0, &h->ram_640k);
    if (h->below_4g > 0xc0000)
        memory_region_add_subregion(&h->machine.system, 0xc0000, &h->ram_lo);
    if (h->above_4g)
        memory_region_add_subregion(&h->machine.system, 4 * GiB, &h->ram_hi);
    memory_region_transaction_commit(h->ms);
    h->ram_mapped = true;
}

static void ram_unmap(struct xen_hvm *h)
{
    if (h->ram_mapped) {
        memory_region_transaction_begin(h->ms);
        memory_region_del_subregion(&h->machine.system, &h->ram_640k);
        if (h->below_4g > 0xc0000)
            memory_region_del_subregion(&h->machine.system, &h->ram_lo);
        if (h->above_4g)
            memory_region_del_subregion(&h->machine.system, &h->ram_hi);
        memory_region_transaction_commit(h->ms);
        h->ram_mapped = false;
    }
}

static void ram_destroy(struct xen_hvm *h)
{
    if (!h->ram_block)
        return;
    if (h->above_4g)
        memory_region_finalize(&h->ram_hi);
    if (h->below_4g > 0xc0000)
        memory_region_finalize(&h->ram_lo);
    memory_region_finalize(&h->ram_640k);
    memory_region_finalize(&h->ram);
    ram_block_free(h->ram_block);
    h->ram_block = NULL;
}

/* ---- PCI functions ---- */

static int register_pcidevs(struct xen_hvm *h, char **err)
{
    h->pcidevs = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        int rc;

        if (!pci_bus_find_device(&h->machine.bus, (uint8_t)devfn))
            continue;
        rc = xen_ioreq_server_map_pcidev(&h->srv, 0, devfn >> 3, devfn & 7);
        if (rc)
            return fail(err, rc, "cannot register PCI function 00:%02x.%u: %s",
                        devfn >> 3, devfn & 7, strerror(-rc));
        uint16_t d = (uint16_t)devfn;

        g_array_append_val(h->pcidevs, d);
    }
    return 0;
}

static void unregister_pcidevs(struct xen_hvm *h)
{
    if (!h->pcidevs)
        return;
    for (guint i = 0; i < h->pcidevs->len; i++) {
        uint16_t d = g_array_index(h->pcidevs, uint16_t, i);

        xen_ioreq_server_unmap_pcidev(&h->srv, 0, d >> 3, d & 7);
    }
    g_array_free(h->pcidevs, TRUE);
    h->pcidevs = NULL;
}

/* ---- ranges → ioreq server ---- */

static int range_map(void *opaque, bool is_mmio, uint64_t start, uint64_t last)
{
    return xen_ioreq_server_map_range(opaque, is_mmio, start, last);
}

static int range_unmap(void *opaque, bool is_mmio, uint64_t start,
                       uint64_t last)
{
    return xen_ioreq_server_unmap_range(opaque, is_mmio, start, last);
}

static const struct xen_range_ops range_ops = { range_map, range_unmap };

/* ---- init / destroy ---- */

static int open_handles(struct xen_hvm *h, char **err)
{
    h->xch = xc_interface_open(NULL, NULL, 0);
    if (!h->xch)
        return fail(err, neg_errno(), "cannot open xenctrl: %s", strerror(errno));
    h->dmod = xendevicemodel_open(NULL, 0);
    if (!h->dmod)
        return fail(err, neg_errno(), "cannot open xendevicemodel: %s",
                    strerror(errno));
    h->fmem = xenforeignmemory_open(NULL, 0);
    if (!h->fmem)
        return fail(err, neg_errno(), "cannot open xenforeignmemory: %s",
                    strerror(errno));
    h->xce = xenevtchn_open(NULL, 0);
    if (!h->xce)
        return fail(err, neg_errno(), "cannot open xenevtchn: %s",
                    strerror(errno));
    if (h->cfg.restrict_domid) {
        if (xentoolcore_restrict_all(h->cfg.domid))
            return fail(err, neg_errno(), "cannot restrict to domain %u: %s",
                        h->cfg.domid, strerror(errno));
        log_info("handles restricted to domain %u", h->cfg.domid);
    }
    return 0;
}

int xen_hvm_init(struct xen_hvm *h, const struct xen_hvm_config *cfg,
                 char **err)
{
    MapCacheConfig mcc = { 0 };
    XenfvMachineConfig mcfg = { 0 };
    int rc;

    h->cfg = *cfg;
    if (h->cfg.nr_vcpus == 0)
        h->cfg.nr_vcpus = 1;
    xen_hvm_platform_setup(h);

    rc = open_handles(h, err);
    if (rc)
        goto out;

    mcc.domid = h->cfg.domid;
    mcc.fmem = h->fmem;
    rc = xen_map_cache_init(&mcc, &h->mc);
    if (rc) {
        fail(err, rc, "cannot create the mapcache: %s", strerror(-rc));
        goto out;
    }
    h->ms = memory_system_new();
    if (!h->ms) {
        rc = fail(err, -ENOMEM, "out of memory");
        goto out;
    }
    memory_system_set_default_ram_host_ops(h->ms, xen_map_cache_host_ops(h->mc));
    memory_system_set_hooks(h->ms, &h->hooks);

    rc = ram_create(h, err);
    if (rc)
        goto out;
    mcfg.ms = h->ms;
    mcfg.platform_ops = &h->platform_ops;
    mcfg.platform_opaque = h;
    mcfg.vga = h->cfg.vga;
    mcfg.vga_vram_size = h->cfg.vga_vram_size;
    mcfg.vga_after_platform = h->cfg.vga_after_platform;
    rc = xenfv_machine_init(&h->machine, &mcfg);
    if (rc) {
        fail(err, rc, "cannot build the xenfv chipset: %s", strerror(-rc));
        goto out;
    }
    h->machine_up = true;
    ram_map(h);

    h->disp.as_io = &h->machine.as_io;
    h->disp.as_mem = &h->machine.as_mem;
    h->disp.pci_config = disp_pci_config;
    h->disp.invalidate = disp_invalidate;
    h->disp.opaque = h;
    rc = xen_ioreq_server_start(&h->srv, h->dmod, h->fmem, h->xce,
                                h->cfg.domid, h->cfg.nr_vcpus, &h->disp);
    if (rc) {
        fail(err, rc, "cannot start the ioreq server: %s", strerror(-rc));
        goto out;
    }
    h->srv_up = true;
    xen_ranges_register(&h->ranges, h->ms, &h->machine.as_mem,
                        &h->machine.as_io, &range_ops, &h->srv);
    h->ranges_up = true;
    xen_hvm_physmap_register(h);
    rc = register_pcidevs(h, err);
    if (rc)
        goto out;

    rc = evtchn_set_blocking(h, err);
    if (rc)
        goto out;
    rc = xen_ioreq_thread_start(&h->ioreq_thread, &ioreq_thread_ops, &h->srv,
                                h->cfg.dm_lock);
    if (rc) {
        fail(err, rc, "cannot start the ioreq thread: %s", strerror(-rc));
        goto out;
    }
    h->buffered_timer = g_timeout_add(100, on_buffered_timer, h);
    log_info("domain %u: %" PRIu64 " MiB below 4G, %" PRIu64 " MiB above, "
             "%u vCPU slot(s)", h->cfg.domid, h->below_4g >> 20,
             h->above_4g >> 20, h->cfg.nr_vcpus);
    return 0;

out:
    xen_hvm_destroy(h);
    return rc;
}

void xen_hvm_destroy(struct xen_hvm *h)
{
    if (h->buffered_timer)
        g_source_remove(h->buffered_timer);
    h->buffered_timer = 0;
    xen_ioreq_thread_stop(&h->ioreq_thread);
    if (h->srv_up)
        unregister_pcidevs(h);
    xen_hvm_physmap_unregister(h);
    if (h->ranges_up)
        xen_ranges_unregister(&h->ranges);
    h->ranges_up = false;
    if (h->srv_up)
        xen_ioreq_server_stop(&h->srv);
    h->srv_up = false;
    ram_unmap(h);
    if (h->machine_up)
        xenfv_machine_finalize(&h->machine);
    h->machine_up = false;
    ram_destroy(h);
    if (h->ms)
        memory_system_free(h->ms);
    h->ms = NULL;
    if (h->mc)
        xen_map_cache_destroy(h->mc);
    h->mc = NULL;
    if (h->xce)
        xenevtchn_close(h->xce);
    if (h->fmem)
        xenforeignmemory_close(h->fmem);
    if (h->dmod)
        xendevicemodel_close(h->dmod);
    if (h->xch)
        xc_interface_close(h->xch);
    h->xce = NULL;
    h->fmem = NULL;
    h->dmod = NULL;
    h->xch = NULL;
    if (h->physmap_lock_ready) {
        pthread_mutex_destroy(&h->physmap_lock);
        h->physmap_lock_ready = false;
    }
}

void xen_hvm_set_global_dirty_log(struct xen_hvm *h, bool enable)
{
    if (enable)
        memory_global_dirty_log_start(h->ms);
    else
        memory_global_dirty_log_stop(h->ms);
}
