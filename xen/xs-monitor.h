/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xs-monitor.h - the device model's xenstore keys: its state, and monitor
 * keys that Debian's xenstore-write / xenstore-read / xenstore-ls drive.
 *
 * Under /local/domain/0/device-model/<domid>/:
 *   state                  "running", "paused", ...
 *   monitor/command        write a monitor command here (watched)
 *   monitor/result         its output (the first part when long)
 *   monitor/result-parts   how many parts the output has (1 when short)
 *   monitor/result-more/N  parts 1..parts-1 of a long output
 *   monitor/status         "ok" or "error: <errno name>"
 *   monitor/seq            bumped after each command's result is written
 *   monitor/stats/...      live counters, refreshed at most once a second
 * See docs/monitor.md.
 */
#ifndef XENDM_XEN_XS_MONITOR_H
#define XENDM_XEN_XS_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "util/log.h"
#include "xen/monitor.h"

struct xs_handle;

/* Bytes of output per xenstore value (the protocol allows 4096 per
 * message, path included). */
#define XEN_XS_MONITOR_PART_MAX 3072u

/**
 * typedef xen_xs_stats_fn - fill @kv with the current counters.
 * @opaque: the pointer given to xen_xs_monitor_set_stats().
 * @kv: append pairs: a key relative to monitor/stats/ ("mapcache/hits"),
 *     then its value; both g_strdup'd (the array frees them).
 */
typedef void xen_xs_stats_fn(void *opaque, GPtrArray *kv);

/**
 * struct xen_xs_monitor - the xenstore binding. Private fields.
 *
 * Main thread only. Not used on a restricted device model (it cannot
 * write xenstore).
 */
struct xen_xs_monitor {
    struct xs_handle *xsh;
    uint32_t domid;
    char *dm_path;
    struct xen_monitor *mon;
    uint64_t seq;
    bool watching;
    int64_t last_stats_us;
    xen_xs_stats_fn *stats;
    void *stats_opaque;
    uint64_t commands;
    struct log_ratelimit rl;
};

/**
 * xen_xs_monitor_open() - connect to xenstore (XENSTORED_PATH etc. are
 * honoured by libxenstore).
 * @x: zero-initialised storage.
 * @domid: the guest whose device model we are.
 * @mon: the command table (not owned).
 * Return: 0 or -errno.
 */
int xen_xs_monitor_open(struct xen_xs_monitor *x, uint32_t domid,
                        struct xen_monitor *mon)
    __attribute__((warn_unused_result));

/**
 * xen_xs_monitor_close() - remove the monitor keys, unwatch, disconnect.
 * Leaves `state` (the toolstack removes the directory). Safe after a
 * failed open.
 */
void xen_xs_monitor_close(struct xen_xs_monitor *x);

/** xen_xs_monitor_set_state() - write device-model/<domid>/state. */
int xen_xs_monitor_set_state(struct xen_xs_monitor *x, const char *state);

/**
 * xen_xs_monitor_start() - create the monitor keys and watch `command`.
 * Return: 0 or -errno.
 */
int xen_xs_monitor_start(struct xen_xs_monitor *x)
    __attribute__((warn_unused_result));

/** xen_xs_monitor_fd() - the fd to poll for watch events. */
int xen_xs_monitor_fd(const struct xen_xs_monitor *x);

/**
 * xen_xs_monitor_handle() - the fd is readable: run each command written
 * since the last call. Return: the number of commands run.
 */
unsigned xen_xs_monitor_handle(struct xen_xs_monitor *x);

/** xen_xs_monitor_set_stats() - where stats/ values come from. */
void xen_xs_monitor_set_stats(struct xen_xs_monitor *x, xen_xs_stats_fn *fn,
                              void *opaque);

/**
 * xen_xs_monitor_refresh_stats() - rewrite stats/ if a second has passed
 * since the last refresh (or @force).
 * @x: the binding.
 * @now_us: the monotonic time (g_get_monotonic_time()).
 * @force: ignore the once-a-second limit.
 * Return: true if the keys were written.
 */
bool xen_xs_monitor_refresh_stats(struct xen_xs_monitor *x, int64_t now_us,
                                  bool force);

#endif /* XENDM_XEN_XS_MONITOR_H */
