/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xendm.h - the device-model process: one struct xendm per instance.
 *
 * Life cycle: xendm_init() (chardevs, QMP monitors and commands) →
 * xendm_setup_machine() (the Xen side: -machine none runs QMP alone,
 * xenfv builds the machine) → xendm_run() (the main loop until QMP quit,
 * SIGTERM or SIGINT) → xendm_destroy().
 *
 * Threading: one main thread runs all of the above and the default
 * GMainContext; with xenfv, an ioreq thread (xen/ioreq-thread.h) answers
 * the guest's requests. The device-model lock (@lock) serialises the two:
 * the main thread takes it in xendm_init() and holds it throughout, except
 * while its main loop sleeps in poll(); the ioreq thread takes it around
 * each request. So every main-loop callback, and every device, runs under
 * the lock, one thread at a time: "the device-model thread" in comments
 * elsewhere (hw/, memory/) means whichever of the two holds the lock.
 */
#ifndef XENDM_XEN_XENDM_H
#define XENDM_XEN_XENDM_H

#include <pthread.h>
#include <stdbool.h>

#include <glib.h>

#include "xen/chardev.h"
#include "xen/cmdline.h"
#include "xen/monitor.h"
#include "xen/qmp.h"

struct xen_hvm;
struct xen_xs_monitor;

/** XENDM_QEMU_COMPAT_MAJOR - QEMU version reported to libxl (QMP greeting). */
#define XENDM_QEMU_COMPAT_MAJOR 7
/** XENDM_QEMU_COMPAT_MINOR - see XENDM_QEMU_COMPAT_MAJOR. */
#define XENDM_QEMU_COMPAT_MINOR 2
/** XENDM_QEMU_COMPAT_MICRO - see XENDM_QEMU_COMPAT_MAJOR. */
#define XENDM_QEMU_COMPAT_MICRO 0

/**
 * struct xendm - one device-model process instance.
 * @cfg: the parsed command line (owned).
 * @lock: the device-model lock (see above).
 * @loop_done: xendm_run()'s loop ends after the current iteration.
 * @chardevs: the open chardevs (struct chardev *, owned), in -chardev order.
 * @qmp: the QMP server (owned).
 * @runstate: prelaunch (-S), running, paused.
 * @global_dirty_log: QMP xen-set-global-dirty-log state.
 * @quit_requested: the main loop is ending (or will end at once).
 * @quit_reason: the SHUTDOWN event's reason (static string).
 * @quit_source: the idle source that ends the loop, or 0.
 * @exit_code: what xendm_run() returns.
 * @sig_sources: SIGTERM and SIGINT source ids (0 when not installed).
 * @mon: the human monitor's commands (QMP human-monitor-command and the
 *       xenstore monitor keys).
 * @hvm: the Xen machine (xenfv only; owned).
 * @xs: the xenstore binding (xenfv, not restricted; owned).
 * @xs_source: its fd source id.
 * @stats_timer: the once-a-second stats refresh.
 * @serial_chr: the chardev COM1 is connected to (borrowed from @chardevs).
 */
struct xendm {
    struct xendm_config cfg;
    pthread_mutex_t lock;
    bool loop_done;
    GPtrArray *chardevs;
    struct qmp_server *qmp;
    enum qmp_runstate runstate;
    bool global_dirty_log;
    bool quit_requested;
    const char *quit_reason;
    guint quit_source;
    int exit_code;
    guint sig_sources[2];
    struct xen_monitor mon;
    struct xen_hvm *hvm;
    struct xen_xs_monitor *xs;
    guint xs_source;
    guint stats_timer;
    struct chardev *serial_chr;
};

/**
 * xendm_init() - open the chardevs and QMP monitors of @cfg.
 * @dm: the instance to fill (zeroed by this function).
 * @cfg: the parsed command line; its contents move into @dm (@cfg is left
 *       empty and needs no clearing).
 * @err: on failure a message (g_free()).
 * On failure call xendm_destroy() anyway.
 * Return: 0, or -errno.
 */
int xendm_init(struct xendm *dm, struct xendm_config *cfg, char **err)
    __attribute__((warn_unused_result));

/**
 * xendm_setup_machine() - the Xen side of the machine.
 * @dm: the instance. @err: on failure a message (g_free()).
 *
 * "-machine none" (libxl's probe) needs nothing: QMP alone runs. xenfv
 * builds the Xen machine (xen/hvm.h), the monitor commands, and unless
 * restricted the xenstore keys (state, monitor); then applies -run-with
 * chroot=/user=. Defined in xendm-machine.c.
 * Return: 0, or -errno.
 */
int xendm_setup_machine(struct xendm *dm, char **err) __attribute__((warn_unused_result));

/**
 * xendm_run() - run the main loop until quit, SIGTERM or SIGINT.
 * @dm: the instance.
 *
 * The default GMainContext, iterated by hand so that the device-model lock
 * is dropped around poll() alone.
 * Return: the exit code (0 for an orderly quit).
 */
int xendm_run(struct xendm *dm);

/**
 * xendm_request_quit() - end the main loop after the current event.
 * @dm: the instance. @reason: QMP SHUTDOWN reason ("host-qmp-quit",
 *      "host-signal").
 */
void xendm_request_quit(struct xendm *dm, const char *reason);

/**
 * xendm_set_runstate() - change the run state and emit STOP / RESUME.
 * @dm: the instance. @rs: the new state.
 */
void xendm_set_runstate(struct xendm *dm, enum qmp_runstate rs);

/**
 * xendm_find_chardev() - Return: the open chardev labelled @id, or NULL.
 * @dm: the instance. @id: the label.
 */
struct chardev *xendm_find_chardev(const struct xendm *dm, const char *id);

/**
 * xendm_teardown_machine() - undo xendm_setup_machine() (safe if it never
 * ran or failed half-way). Called by xendm_destroy().
 * @dm: the instance.
 */
void xendm_teardown_machine(struct xendm *dm);

/**
 * xendm_machine_runstate_changed() - tell the machine about a run state
 * change (the xenstore state key follows it).
 * @dm: the instance.
 */
void xendm_machine_runstate_changed(struct xendm *dm);

/** xendm_machine_reset() - reset the chipset (QMP system_reset). */
void xendm_machine_reset(struct xendm *dm);

/** xendm_machine_set_dirty_log() - QMP xen-set-global-dirty-log. */
void xendm_machine_set_dirty_log(struct xendm *dm, bool enable);

/**
 * xendm_destroy() - close everything @dm owns (after a failed init too),
 * then release and destroy the device-model lock.
 * @dm: the instance.
 */
void xendm_destroy(struct xendm *dm);

#endif /* XENDM_XEN_XENDM_H */
