/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvm.h - the Xen HVM machine: everything between the hypervisor and the
 * xenfv chipset (handles, guest RAM over the mapcache, the ioreq server,
 * ranges, platform calls, VRAM physmap and dirty tracking, monitor
 * commands and stats).
 */
#ifndef XENDM_XEN_HVM_H
#define XENDM_XEN_HVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "xen/ioreq-server.h"   /* first: it sets up the Xen tools headers */

#include <xenctrl.h>

#include <glib.h>

#include "hw/xenfv.h"
#include "mapcache/mapcache.h"
#include "memory/memory.h"
#include "xen/ioreq-thread.h"
#include "xen/monitor.h"
#include "xen/ranges.h"

/* Where guest RAM below 4 GiB ends by default (Xen's HVM_BELOW_4G_RAM_END). */
#define XEN_HVM_DEFAULT_BELOW_4G 0xf0000000ull

/**
 * struct xen_hvm_config - what the machine is built from.
 * @domid: the guest.
 * @restrict_domid: call xentoolcore_restrict_all(@domid) before touching
 *     guest memory (-xen-domid-restrict).
 * @ram_size: guest RAM in bytes (-m).
 * @max_ram_below_4g: RAM above this goes above 4 GiB (0: the default).
 * @nr_vcpus: ioreq slots to serve (-smp maxcpus).
 * @no_shutdown: on guest power-off, stay (paused) instead of quitting
 *     (-no-shutdown; libxl then destroys the domain and us).
 * @vga: the chipset has a std VGA.
 * @vga_vram_size: its VRAM (0: 16 MiB).
 * @vga_after_platform: the VGA came from -device VGA: slot after
 *     xen-platform's (see XenfvMachineConfig).
 * @on_shutdown: called after the hypervisor was told of a guest power-off
 *     or reboot, on the ioreq thread with @dm_lock held; may be NULL.
 * @opaque: passed to @on_shutdown.
 * @dm_lock: the device-model lock (xendm.h): held by the caller of
 *     xen_hvm_init() and xen_hvm_destroy() and by every main-loop callback,
 *     taken by the ioreq thread around each request.
 */
struct xen_hvm_config {
    uint32_t domid;
    bool restrict_domid;
    uint64_t ram_size;
    uint64_t max_ram_below_4g;
    unsigned nr_vcpus;
    bool no_shutdown;
    bool vga;
    uint64_t vga_vram_size;
    bool vga_after_platform;
    void (*on_shutdown)(void *opaque, bool reboot);
    void *opaque;
    pthread_mutex_t *dm_lock;
};

/**
 * struct xen_hvm_physmap - a RAM block (VRAM) moved to a guest address.
 * @block: the block.
 * @gpa: where its frames are now (guest physical).
 * @size: bytes moved.
 */
struct xen_hvm_physmap {
    RAMBlock *block;
    uint64_t gpa;
    uint64_t size;
};

/**
 * struct xen_hvm - one Xen HVM machine. Fields are private (read-only for
 * monitoring, under the device-model lock). Built and torn down on the
 * main thread; requests are served on the ioreq thread.
 */
struct xen_hvm {
    struct xen_hvm_config cfg;
    xc_interface *xch;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    MapCache *mc;
    MemorySystem *ms;
    MemorySystemHooks hooks;
    PlatformOps platform_ops;
    uint64_t below_4g;
    uint64_t above_4g;
    RAMBlock *ram_block;
    MemoryRegion ram, ram_640k, ram_lo, ram_hi;
    bool ram_mapped;
    XenfvMachine machine;
    bool machine_up;
    struct xen_ioreq_dispatcher disp;
    struct xen_ioreq_server srv;
    bool srv_up;
    struct xen_ranges ranges;
    bool ranges_up;
    MemoryListener physmap_listener;
    bool physmap_up;
    pthread_mutex_t physmap_lock;  /* physmap[]: read by DMA workers */
    bool physmap_lock_ready;
    struct xen_hvm_physmap physmap[4];
    unsigned n_physmap;
    GArray *pcidevs;              /* uint16_t devfn registered with Xen */
    struct xen_ioreq_thread ioreq_thread;
    guint buffered_timer;
    uint64_t populate_errors;
    uint64_t modified_calls;
    uint64_t irq_errors;
    uint64_t dirty_vram_errors;
    struct log_ratelimit rl;
};

/**
 * xen_hvm_init() - build the machine and start serving the guest.
 * @h: zero-initialised storage.
 * @cfg: the configuration (copied).
 * @err: on failure, a message (g_free()).
 *
 * Opens the Xen handles (restricting them first if asked), creates the
 * mapcache, the memory system with guest RAM reached through it, the
 * xenfv chipset, the ioreq server, registers ranges and PCI functions,
 * and adds the event channel fd and the buffered-ring timer to the
 * default GMainContext. On failure everything done is undone.
 * Return: 0 or -errno.
 */
int xen_hvm_init(struct xen_hvm *h, const struct xen_hvm_config *cfg,
                 char **err) __attribute__((warn_unused_result));

/** xen_hvm_destroy() - stop serving and free everything; safe after a
 * failed init. Leaves zero outstanding foreign mappings. */
void xen_hvm_destroy(struct xen_hvm *h);

/**
 * xen_hvm_register_monitor() - add `info mtree [-f|-d]`, `info mapcache`,
 * `info ioreq` and `info pci` to @mon.
 * Return: 0 or -errno.
 */
int xen_hvm_register_monitor(struct xen_hvm *h, struct xen_monitor *mon);

/**
 * xen_hvm_stats() - the monitor's stats/ keys (see docs/monitor.md);
 * an xen_xs_stats_fn.
 * @opaque: the struct xen_hvm.
 * @kv: key, value, key, value, ... (g_strdup'd).
 */
void xen_hvm_stats(void *opaque, GPtrArray *kv);

/** xen_hvm_set_global_dirty_log() - start/stop reporting DM writes to
 * guest RAM with modified_memory (migration). */
void xen_hvm_set_global_dirty_log(struct xen_hvm *h, bool enable);

/* hvm-platform.c, used by hvm.c */
void xen_hvm_platform_setup(struct xen_hvm *h);
void xen_hvm_physmap_register(struct xen_hvm *h);
void xen_hvm_physmap_unregister(struct xen_hvm *h);

#endif /* XENDM_XEN_HVM_H */
