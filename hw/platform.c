/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.c - the Platform wrappers (NULL-tolerant calls into the ops the
 * xen/ layer provides), ISA IRQ lines bound to a platform, and the
 * PlatformRecorder used by tests.
 *
 * The recorder keeps the first PLATFORM_RECORDER_MAX calls in an array and
 * the current state (levels, routes, shutdowns) under one mutex, so calls
 * from worker threads are recorded safely.
 */
#include <errno.h>
#include <string.h>

#include "hw/platform.h"
#include "util/log.h"

int platform_set_isa_irq_level(const Platform *p, uint8_t irq, unsigned level)
{
    if (!p || !p->ops || !p->ops->set_isa_irq_level) {
        log_debug("platform: isa irq %u level %u dropped", irq, level);
        return -ENOSYS;
    }
    return p->ops->set_isa_irq_level(p->opaque, irq, level);
}

int platform_set_pci_intx_level(const Platform *p, uint16_t segment,
                                uint8_t bus, uint8_t device, uint8_t intx,
                                unsigned level)
{
    if (!p || !p->ops || !p->ops->set_pci_intx_level) {
        log_debug("platform: intx %02x:%02x pin %u level %u dropped", bus,
                  device, intx, level);
        return -ENOSYS;
    }
    return p->ops->set_pci_intx_level(p->opaque, segment, bus, device, intx,
                                      level);
}

int platform_set_pci_link_route(const Platform *p, uint8_t link, uint8_t irq)
{
    if (!p || !p->ops || !p->ops->set_pci_link_route) {
        log_debug("platform: link %u -> irq %u dropped", link, irq);
        return -ENOSYS;
    }
    return p->ops->set_pci_link_route(p->opaque, link, irq);
}

int platform_shutdown(const Platform *p, enum platform_shutdown_reason reason)
{
    if (!p || !p->ops || !p->ops->shutdown) {
        log_debug("platform: shutdown (%s) dropped",
                  platform_shutdown_reason_name(reason));
        return -ENOSYS;
    }
    return p->ops->shutdown(p->opaque, reason);
}

const char *platform_shutdown_reason_name(enum platform_shutdown_reason reason)
{
    switch (reason) {
    case PLATFORM_SHUTDOWN_POWEROFF:
        return "poweroff";
    case PLATFORM_SHUTDOWN_REBOOT:
        return "reboot";
    }
    return "?";
}

static void platform_isa_irq_handler(void *opaque, int n, int level)
{
    const Platform *p = opaque;
    int ret = platform_set_isa_irq_level(p, (uint8_t)n, (unsigned)level);

    if (ret < 0 && ret != -ENOSYS)
        log_debug("platform: set_isa_irq_level(%d, %d): %s", n, level,
                  strerror(-ret));
}

void platform_isa_irq_line(const Platform *p, IRQLine *line, uint8_t irq)
{
    /* The handler only reads the platform; the cast drops const for the
     * generic opaque pointer. */
    irq_line_init(line, platform_isa_irq_handler, (void *)p, irq);
}

/* ------------------------------------------------------------------ */
/* Recorder                                                             */
/* ------------------------------------------------------------------ */

static int rec_add(PlatformRecorder *rec, const PlatformEvent *ev)
{
    if (rec->n_ev < PLATFORM_RECORDER_MAX)
        rec->ev[rec->n_ev] = *ev;
    rec->n_ev++;
    return rec->fail_errno ? -rec->fail_errno : 0;
}

static int rec_isa_irq(void *opaque, uint8_t irq, unsigned level)
{
    PlatformRecorder *rec = opaque;
    PlatformEvent ev = { .type = PLATFORM_EV_ISA_IRQ, .irq = irq,
                         .level = level };
    int ret;

    pthread_mutex_lock(&rec->lock);
    if (irq < 16)
        rec->isa_level[irq] = level;
    ret = rec_add(rec, &ev);
    pthread_mutex_unlock(&rec->lock);
    return ret;
}

static int rec_intx(void *opaque, uint16_t segment, uint8_t bus,
                    uint8_t device, uint8_t intx, unsigned level)
{
    PlatformRecorder *rec = opaque;
    PlatformEvent ev = { .type = PLATFORM_EV_PCI_INTX, .segment = segment,
                         .bus = bus, .device = device, .intx = intx,
                         .level = level };
    int ret;

    pthread_mutex_lock(&rec->lock);
    if (segment == 0 && bus == 0 && device < 32 && intx < 4)
        rec->intx_level[device][intx] = level;
    ret = rec_add(rec, &ev);
    pthread_mutex_unlock(&rec->lock);
    return ret;
}

static int rec_route(void *opaque, uint8_t link, uint8_t irq)
{
    PlatformRecorder *rec = opaque;
    PlatformEvent ev = { .type = PLATFORM_EV_LINK_ROUTE, .link = link,
                         .irq = irq };
    int ret;

    pthread_mutex_lock(&rec->lock);
    if (link < 4)
        rec->link_route[link] = irq;
    ret = rec_add(rec, &ev);
    pthread_mutex_unlock(&rec->lock);
    return ret;
}

static int rec_shutdown(void *opaque, enum platform_shutdown_reason reason)
{
    PlatformRecorder *rec = opaque;
    PlatformEvent ev = { .type = PLATFORM_EV_SHUTDOWN, .reason = reason };
    int ret;

    pthread_mutex_lock(&rec->lock);
    rec->shutdowns++;
    rec->last_shutdown = reason;
    ret = rec_add(rec, &ev);
    pthread_mutex_unlock(&rec->lock);
    return ret;
}

static const PlatformOps platform_recorder_ops = {
    .set_isa_irq_level = rec_isa_irq,
    .set_pci_intx_level = rec_intx,
    .set_pci_link_route = rec_route,
    .shutdown = rec_shutdown,
};

void platform_recorder_init(PlatformRecorder *rec)
{
    memset(rec, 0, sizeof(*rec));
    pthread_mutex_init(&rec->lock, NULL);
    rec->platform.ops = &platform_recorder_ops;
    rec->platform.opaque = rec;
}

void platform_recorder_destroy(PlatformRecorder *rec)
{
    pthread_mutex_destroy(&rec->lock);
}

unsigned platform_recorder_count(PlatformRecorder *rec,
                                 enum platform_event_type type)
{
    unsigned n = 0, kept;

    pthread_mutex_lock(&rec->lock);
    kept = rec->n_ev < PLATFORM_RECORDER_MAX ? rec->n_ev
                                             : PLATFORM_RECORDER_MAX;
    for (unsigned i = 0; i < kept; i++)
        if (rec->ev[i].type == type)
            n++;
    pthread_mutex_unlock(&rec->lock);
    return n;
}

bool platform_recorder_last(PlatformRecorder *rec,
                            enum platform_event_type type, PlatformEvent *out)
{
    bool found = false;
    unsigned kept;

    pthread_mutex_lock(&rec->lock);
    kept = rec->n_ev < PLATFORM_RECORDER_MAX ? rec->n_ev
                                             : PLATFORM_RECORDER_MAX;
    for (unsigned i = kept; i-- > 0;) {
        if (rec->ev[i].type == type) {
            *out = rec->ev[i];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&rec->lock);
    return found;
}

void platform_recorder_reset(PlatformRecorder *rec)
{
    pthread_mutex_lock(&rec->lock);
    rec->n_ev = 0;
    memset(rec->ev, 0, sizeof(rec->ev));
    memset(rec->isa_level, 0, sizeof(rec->isa_level));
    memset(rec->intx_level, 0, sizeof(rec->intx_level));
    memset(rec->link_route, 0, sizeof(rec->link_route));
    rec->shutdowns = 0;
    rec->last_shutdown = PLATFORM_SHUTDOWN_POWEROFF;
    pthread_mutex_unlock(&rec->lock);
}
