/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.h - how devices reach the hypervisor: interrupts and power.
 *
 * Devices never talk to Xen. What they need from it — driving an ISA IRQ,
 * a PCI INTx line, a PIRQ link route, a power-off or reboot — goes through a
 * Platform: an ops table + opaque that xen/ implements with libxendevicemodel
 * (xendevicemodel_set_isa_irq_level, _set_pci_intx_level,
 * _set_pci_link_route, _shutdown) and that tests replace with a
 * PlatformRecorder.
 *
 * Threading: the platform functions may be called from any thread (the
 * ioreq thread, or an I/O worker completing a request); implementations
 * must be thread-safe. The recorder is (mutex). Callbacks must not call back
 * into devices.
 */
#ifndef XENDM_HW_PLATFORM_H
#define XENDM_HW_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/irq.h"

/**
 * enum platform_shutdown_reason - what a guest-requested power event is.
 * @PLATFORM_SHUTDOWN_POWEROFF: ACPI S5 (SHUTDOWN_poweroff).
 * @PLATFORM_SHUTDOWN_REBOOT: reset control 0xcf9 / port 0x92
 *                            (SHUTDOWN_reboot).
 */
enum platform_shutdown_reason {
    PLATFORM_SHUTDOWN_POWEROFF = 0,
    PLATFORM_SHUTDOWN_REBOOT = 1,
};

/**
 * struct PlatformOps - the hypervisor calls devices need. Every member may
 * be NULL (the call is then dropped, logged at debug level). Each returns
 * 0 or -errno; devices log failures (rate-limited) and carry on.
 * @set_isa_irq_level: drive ISA IRQ @irq (0-15) to @level.
 * @set_pci_intx_level: drive INTx pin @intx (0 = INTA .. 3 = INTD) of PCI
 *        device @device (slot, 0-31) on @bus of @segment to @level. Xen
 *        swizzles (slot + pin) onto a PIRQ link itself.
 * @set_pci_link_route: route PIRQ link @link (0-3 = PIRQA-D) to ISA IRQ
 *        @irq (0 disables the link).
 * @shutdown: ask the hypervisor to power off or reboot the domain; issued
 *        before the access that caused it completes.
 */
typedef struct PlatformOps {
    int (*set_isa_irq_level)(void *opaque, uint8_t irq, unsigned level);
    int (*set_pci_intx_level)(void *opaque, uint16_t segment, uint8_t bus,
                              uint8_t device, uint8_t intx, unsigned level);
    int (*set_pci_link_route)(void *opaque, uint8_t link, uint8_t irq);
    int (*shutdown)(void *opaque, enum platform_shutdown_reason reason);
} PlatformOps;

/**
 * struct Platform - an ops table bound to its opaque. Owned by the machine
 * (devices keep a const pointer to it).
 * @ops: the calls; NULL means every call is dropped.
 * @opaque: passed to every op.
 */
typedef struct Platform {
    const PlatformOps *ops;
    void *opaque;
} Platform;

/**
 * platform_set_isa_irq_level() - drive ISA IRQ @irq to @level.
 * @p: the platform (NULL: dropped).
 * Return: 0 or -errno from the ops (-ENOSYS when not provided).
 */
int platform_set_isa_irq_level(const Platform *p, uint8_t irq,
                               unsigned level);
/**
 * platform_set_pci_intx_level() - drive PCI INTx (see PlatformOps).
 * Return: 0 or -errno (-ENOSYS when not provided).
 */
int platform_set_pci_intx_level(const Platform *p, uint16_t segment,
                                uint8_t bus, uint8_t device, uint8_t intx,
                                unsigned level);
/**
 * platform_set_pci_link_route() - route PIRQ @link to ISA @irq (0 = off).
 * Return: 0 or -errno (-ENOSYS when not provided).
 */
int platform_set_pci_link_route(const Platform *p, uint8_t link, uint8_t irq);
/**
 * platform_shutdown() - request power-off or reboot of the domain.
 * Return: 0 or -errno (-ENOSYS when not provided).
 */
int platform_shutdown(const Platform *p, enum platform_shutdown_reason reason);
/** platform_shutdown_reason_name() - "poweroff" / "reboot" / "?". */
const char *platform_shutdown_reason_name(enum platform_shutdown_reason reason);

/**
 * platform_isa_irq_line() - make @line drive ISA IRQ @irq of @p: each
 * irq_set_level() calls platform_set_isa_irq_level(). The UART (IRQ 4) and
 * IDE (14/15) get such lines from the machine.
 * @p: the platform; must outlive the line.
 * @line: the line to initialise.
 * @irq: the ISA IRQ number.
 */
void platform_isa_irq_line(const Platform *p, IRQLine *line, uint8_t irq);

/* ------------------------------------------------------------------ */
/* Recorder for tests                                                   */
/* ------------------------------------------------------------------ */

/** enum platform_event_type - which call a PlatformEvent records. */
enum platform_event_type {
    PLATFORM_EV_ISA_IRQ,
    PLATFORM_EV_PCI_INTX,
    PLATFORM_EV_LINK_ROUTE,
    PLATFORM_EV_SHUTDOWN,
};

/**
 * struct PlatformEvent - one recorded platform call.
 * @type: which call.
 * @segment, @bus, @device, @intx: PCI_INTX arguments.
 * @irq: ISA_IRQ irq, or LINK_ROUTE irq.
 * @link: LINK_ROUTE link.
 * @level: ISA_IRQ / PCI_INTX level.
 * @reason: SHUTDOWN reason.
 */
typedef struct PlatformEvent {
    enum platform_event_type type;
    uint16_t segment;
    uint8_t bus, device, intx;
    uint8_t irq;
    uint8_t link;
    unsigned level;
    enum platform_shutdown_reason reason;
} PlatformEvent;

/** Events a PlatformRecorder keeps (older ones are counted, not kept). */
#define PLATFORM_RECORDER_MAX 256

/**
 * struct PlatformRecorder - a Platform for tests recording every call.
 * @platform: bound to the recorder by platform_recorder_init(); give
 *            &rec->platform to devices.
 * @ev: the first PLATFORM_RECORDER_MAX events, in call order.
 * @n_ev: how many events were recorded in total (may exceed the array).
 * @isa_level: current level of each ISA IRQ.
 * @intx_level: current level of [device][intx] on bus 0 segment 0.
 * @link_route: last route of each PIRQ link (0 until set).
 * @shutdowns: number of shutdown calls; @last_shutdown the last reason.
 * @fail_errno: when non-zero, every op records and returns -@fail_errno
 *              (to test error paths).
 * @lock: protects all of the above.
 */
typedef struct PlatformRecorder {
    Platform platform;
    PlatformEvent ev[PLATFORM_RECORDER_MAX];
    unsigned n_ev;
    unsigned isa_level[16];
    unsigned intx_level[32][4];
    uint8_t link_route[4];
    unsigned shutdowns;
    enum platform_shutdown_reason last_shutdown;
    int fail_errno;
    pthread_mutex_t lock;
} PlatformRecorder;

/** platform_recorder_init() - zero @rec and bind @rec->platform to it. */
void platform_recorder_init(PlatformRecorder *rec);
/** platform_recorder_destroy() - release @rec's lock. */
void platform_recorder_destroy(PlatformRecorder *rec);
/**
 * platform_recorder_count() - Return: recorded events of @type (only the
 * kept ones, see PLATFORM_RECORDER_MAX). Thread-safe.
 */
unsigned platform_recorder_count(PlatformRecorder *rec,
                                 enum platform_event_type type);
/**
 * platform_recorder_last() - copy the last event of @type into *@out.
 * Return: true if there was one.
 */
bool platform_recorder_last(PlatformRecorder *rec,
                            enum platform_event_type type, PlatformEvent *out);
/** platform_recorder_reset() - forget all events and levels. */
void platform_recorder_reset(PlatformRecorder *rec);

#endif /* XENDM_HW_PLATFORM_H */
