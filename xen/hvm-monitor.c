/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvm-monitor.c - monitor commands and stats/ keys of the Xen machine:
 * info mtree [-f|-d], info mapcache, info ioreq, info pci.
 *
 * Main thread only; the counters read here are updated on the same thread
 * (the ioreq path) or atomically (mapcache statistics take its lock).
 */
#include "xen/hvm.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static void append_text(void *opaque, const char *text)
{
    g_string_append(opaque, text);
}

static int cmd_mtree(void *opaque, const char *args, GString *out)
{
    struct xen_hvm *h = opaque;
    unsigned flags = 0;
    g_auto(GStrv) words = g_strsplit_set(args, " \t", -1);

    for (guint i = 0; words[i]; i++) {
        if (!words[i][0])
            continue;
        if (strcmp(words[i], "-f") == 0)
            flags |= MTREE_FLATVIEW;
        else if (strcmp(words[i], "-d") == 0)
            flags |= MTREE_FLATVIEW | MTREE_DISPATCH;
        else if (strcmp(words[i], "-o") == 0)
            flags |= MTREE_OWNER;
        else if (strcmp(words[i], "-D") == 0)
            flags |= MTREE_DISABLED;
        else {
            g_string_append_printf(out, "info mtree: unknown option '%s' "
                                   "(use -f, -d, -o, -D)\n", words[i]);
            return -EINVAL;
        }
    }
    mtree_info(h->ms, flags, append_text, out);
    return 0;
}

static void mapcache_kv(const MapCacheStats *st,
                        void (*put)(void *ctx, const char *k, uint64_t v),
                        void *ctx)
{
    put(ctx, "hits", st->hits);
    put(ctx, "mru-hits", st->mru_hits);
    put(ctx, "misses", st->misses);
    put(ctx, "maps", st->maps);
    put(ctx, "unmaps", st->unmaps);
    put(ctx, "remaps", st->remaps);
    put(ctx, "evictions", st->evictions);
    put(ctx, "invalidations", st->invalidations);
    put(ctx, "live-entries", st->live_entries);
    put(ctx, "locked", st->locked);
    put(ctx, "locked-dma", st->locked_dma);
    put(ctx, "dummy", st->dummy);
    put(ctx, "mapped-bytes", st->mapped_bytes);
    put(ctx, "max-mapped-bytes", st->max_mapped_bytes);
    put(ctx, "failures", st->failures);
    put(ctx, "lock-overflows", st->lock_overflows);
    put(ctx, "unknown-unlocks", st->unknown_unlocks);
    put(ctx, "locked-dma-warnings", st->dma_warnings);
}

static void put_text(void *ctx, const char *k, uint64_t v)
{
    g_string_append_printf(ctx, "  %-20s %" PRIu64 "\n", k, v);
}

static int cmd_mapcache(void *opaque, const char *args, GString *out)
{
    struct xen_hvm *h = opaque;
    MapCacheStats st;

    xen_map_cache_get_stats(h->mc, &st);
    g_string_append_printf(out, "mapcache: %u buckets of %u KiB\n",
                           st.nr_buckets, (1u << st.bucket_shift) >> 10);
    mapcache_kv(&st, put_text, out);
    return 0;
}

struct ioreq_count {
    const char *name;
    uint64_t value;
};

static unsigned ioreq_counts(struct xen_hvm *h, struct ioreq_count *c)
{
    const struct xen_ioreq_stats *s = &h->disp.stats;
    const struct xen_ioreq_server_stats *ss = &h->srv.stats;
    unsigned n = 0;

    c[n++] = (struct ioreq_count){ "pio", s->pio };
    c[n++] = (struct ioreq_count){ "copy", s->copy };
    c[n++] = (struct ioreq_count){ "pci-config", s->pci_config };
    c[n++] = (struct ioreq_count){ "invalidate", s->invalidate };
    c[n++] = (struct ioreq_count){ "timeoffset", s->timeoffset };
    c[n++] = (struct ioreq_count){ "buffered", s->buffered };
    c[n++] = (struct ioreq_count){ "rejected", s->rejected };
    c[n++] = (struct ioreq_count){ "buffered-rejected", s->buffered_rejected };
    c[n++] = (struct ioreq_count){ "access-errors", s->access_errors };
    c[n++] = (struct ioreq_count){ "events", ss->events };
    c[n++] = (struct ioreq_count){ "slot-errors", ss->slot_errors };
    c[n++] = (struct ioreq_count){ "unknown-ports", ss->unknown_ports };
    c[n++] = (struct ioreq_count){ "notify-errors", ss->notify_errors };
    c[n++] = (struct ioreq_count){ "evtchn-errors", h->ioreq_thread.errors };
    return n;
}

static int cmd_ioreq(void *opaque, const char *args, GString *out)
{
    struct xen_hvm *h = opaque;
    struct ioreq_count c[16];
    unsigned n = ioreq_counts(h, c);

    g_string_append_printf(out, "ioreq server %u of domain %u, %u vCPU slot(s), "
                           "%u MMIO and %u port ranges registered\n",
                           h->srv.id, h->cfg.domid, h->cfg.nr_vcpus,
                           h->ranges.mapped_mmio, h->ranges.mapped_pio);
    for (unsigned i = 0; i < n; i++)
        g_string_append_printf(out, "  %-18s %" PRIu64 "\n", c[i].name,
                               c[i].value);
    return 0;
}

static int cmd_pci(void *opaque, const char *args, GString *out)
{
    struct xen_hvm *h = opaque;

    for (unsigned devfn = 0; devfn < 256; devfn++) {
        PCIDevice *d = pci_bus_find_device(&h->machine.bus, (uint8_t)devfn);
        uint8_t pin;

        if (!d)
            continue;
        pin = d->config[PCI_INTERRUPT_PIN];
        g_string_append_printf(out,
                               "  Bus 0, device %2u, function %u: %s\n"
                               "    class %04x prog-if %02x, id %04x:%04x rev %02x\n",
                               devfn >> 3, devfn & 7,
                               d->info && d->info->name ? d->info->name : "?",
                               pci_get_word(&d->config[PCI_CLASS_DEVICE]),
                               d->config[PCI_CLASS_PROG],
                               pci_get_word(&d->config[PCI_VENDOR_ID]),
                               pci_get_word(&d->config[PCI_VENDOR_ID + 2]),
                               d->config[PCI_REVISION_ID]);
        if (pin)
            g_string_append_printf(out, "    IRQ %u, pin %c\n",
                                   d->config[PCI_INTERRUPT_LINE], 'A' + pin - 1);
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            const PCIIORegion *r = &d->bars[i];

            if (!r->size)
                continue;
            if (r->addr == PCI_BAR_UNMAPPED)
                g_string_append_printf(out, "    BAR%d: %s, %" PRIu64
                                       " bytes, not mapped\n", i,
                                       (r->type & PCI_BASE_ADDRESS_SPACE_IO) ? "I/O" : "memory",
                                       r->size);
            else
                g_string_append_printf(out, "    BAR%d: %s at 0x%" PRIx64
                                       " [0x%" PRIx64 "]%s\n", i,
                                       (r->type & PCI_BASE_ADDRESS_SPACE_IO) ? "I/O" : "memory",
                                       r->addr, r->addr + r->size - 1,
                                       (r->type & PCI_BASE_ADDRESS_MEM_PREFETCH) ? " prefetchable" : "");
        }
    }
    return 0;
}

int xen_hvm_register_monitor(struct xen_hvm *h, struct xen_monitor *mon)
{
    int rc;

    rc = xen_monitor_register(mon, "info mtree", "[-f|-d] [-o] [-D]",
                              "the memory region tree (-f: FlatViews, "
                              "-d: with dispatch)", cmd_mtree, h);
    if (!rc)
        rc = xen_monitor_register(mon, "info mapcache", NULL,
                                  "mapcache counters", cmd_mapcache, h);
    if (!rc)
        rc = xen_monitor_register(mon, "info ioreq", NULL,
                                  "ioreq counts by type and slot errors",
                                  cmd_ioreq, h);
    if (!rc)
        rc = xen_monitor_register(mon, "info pci", NULL,
                                  "PCI functions, BARs and IRQs", cmd_pci, h);
    return rc;
}

static void put_kv(void *ctx, const char *k, uint64_t v)
{
    GPtrArray *kv = ctx;

    g_ptr_array_add(kv, g_strdup_printf("mapcache/%s", k));
    g_ptr_array_add(kv, g_strdup_printf("%" PRIu64, v));
}

void xen_hvm_stats(void *opaque, GPtrArray *kv)
{
    struct xen_hvm *h = opaque;
    struct ioreq_count c[16];
    unsigned n = ioreq_counts(h, c);
    MapCacheStats st;

    for (unsigned i = 0; i < n; i++) {
        g_ptr_array_add(kv, g_strdup_printf("ioreq/%s", c[i].name));
        g_ptr_array_add(kv, g_strdup_printf("%" PRIu64, c[i].value));
    }
    xen_map_cache_get_stats(h->mc, &st);
    mapcache_kv(&st, put_kv, kv);
}
