/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xendm.c - the device-model process: set-up, run state, main loop,
 * teardown (see xendm.h).
 *
 * struct xendm owns the parsed config, the chardevs (an array in
 * -chardev order, which query-chardev reports) and the QMP server. QMP's
 * built-in commands reach the process through xendm_runstate_ops below;
 * the Xen parts (xendm-machine.c) hook into the same places.
 *
 * The main loop is the default GMainContext iterated by hand (prepare,
 * query, poll, check, dispatch) rather than g_main_loop_run(): the only
 * way to drop the device-model lock around the poll and nowhere else.
 * GLib's own sources and wake-ups work unchanged, so a source added from
 * the ioreq thread (an idle callback, a chardev watch) wakes the poll.
 */
#include "xen/xendm.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib-unix.h>

#include "util/log.h"

/* ---- QMP runstate callbacks ------------------------------------------ */

static enum qmp_runstate rs_status(void *opaque)
{
    struct xendm *dm = opaque;

    return dm->runstate;
}

static int rs_stop(void *opaque, struct qmp_error *err)
{
    struct xendm *dm = opaque;

    if (dm->runstate == QMP_RUNSTATE_RUNNING)
        xendm_set_runstate(dm, QMP_RUNSTATE_PAUSED);
    return 0;
}

static int rs_cont(void *opaque, struct qmp_error *err)
{
    struct xendm *dm = opaque;

    if (dm->runstate == QMP_RUNSTATE_SHUTDOWN)
        return qmp_error_set(err, QMP_ERROR_GENERIC,
                             "Resetting the Virtual Machine is required");
    if (dm->runstate != QMP_RUNSTATE_RUNNING)
        xendm_set_runstate(dm, QMP_RUNSTATE_RUNNING);
    return 0;
}

static JsonNode *reason_data(bool guest, const char *reason)
{
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_object_set_boolean_member(o, "guest", guest);
    json_object_set_string_member(o, "reason", reason);
    json_node_take_object(n, o);
    return n;
}

static int rs_system_reset(void *opaque, struct qmp_error *err)
{
    struct xendm *dm = opaque;

    log_info("system reset requested over QMP");
    xendm_machine_reset(dm);
    qmp_server_emit_event(dm->qmp, "RESET", reason_data(false, "host-qmp-system-reset"));
    return 0;
}

static void rs_quit(void *opaque)
{
    xendm_request_quit(opaque, "host-qmp-quit");
}

static int rs_dirty_log(void *opaque, bool enable, struct qmp_error *err)
{
    struct xendm *dm = opaque;

    /* While on, DM writes to guest RAM are reported with modified_memory. */
    dm->global_dirty_log = enable;
    xendm_machine_set_dirty_log(dm, enable);
    log_info("global dirty log %s", enable ? "on" : "off");
    return 0;
}

static char *rs_hmp(void *opaque, const char *cmdline)
{
    struct xendm *dm = opaque;
    GString *out;

    if (!xen_monitor_knows(&dm->mon, cmdline))
        return NULL;            /* QMP answers unknown commands itself */
    out = g_string_new(NULL);
    xen_monitor_execute(&dm->mon, cmdline, out);
    return g_string_free(out, FALSE);
}

/* "log level [LEVEL]": show or change the threshold at run time; "trace"
 * shows every ioreq. */
static int cmd_log_level(void *opaque, const char *args, GString *out)
{
    static const char *const names[] = { "err", "warn", "info", "debug", "trace" };
    enum log_level level;

    if (args[0]) {
        if (log_parse_level(args, &level) < 0) {
            g_string_append_printf(out, "log level: unknown level '%s' "
                                   "(err, warn, info, debug, trace)\n", args);
            return -EINVAL;
        }
        log_set_level(level);
    }
    g_string_append_printf(out, "log level %s\n", names[log_get_level()]);
    return 0;
}

static struct chardev *rs_chardev_at(void *opaque, unsigned i)
{
    struct xendm *dm = opaque;

    return i < dm->chardevs->len ? g_ptr_array_index(dm->chardevs, i) : NULL;
}

static const struct qmp_runstate_ops xendm_runstate_ops = {
    .status = rs_status,
    .stop = rs_stop,
    .cont = rs_cont,
    .system_reset = rs_system_reset,
    .quit = rs_quit,
    .set_global_dirty_log = rs_dirty_log,
    .hmp = rs_hmp,
    .chardev_at = rs_chardev_at,
};

/* ---- run state ------------------------------------------------------- */

void xendm_set_runstate(struct xendm *dm, enum qmp_runstate rs)
{
    enum qmp_runstate old = dm->runstate;

    if (old == rs)
        return;
    dm->runstate = rs;
    log_info("run state %s -> %s", qmp_runstate_name(old), qmp_runstate_name(rs));
    if (old == QMP_RUNSTATE_RUNNING)
        qmp_server_emit_event(dm->qmp, "STOP", NULL);
    else if (rs == QMP_RUNSTATE_RUNNING)
        qmp_server_emit_event(dm->qmp, "RESUME", NULL);
    xendm_machine_runstate_changed(dm);
}

/* Runs from the main loop, so that a QMP "quit" reply goes out first. */
static gboolean quit_now(gpointer opaque)
{
    struct xendm *dm = opaque;

    dm->quit_source = 0;
    qmp_server_emit_event(dm->qmp, "SHUTDOWN", reason_data(false, dm->quit_reason));
    dm->loop_done = true;
    return G_SOURCE_REMOVE;
}

void xendm_request_quit(struct xendm *dm, const char *reason)
{
    if (dm->quit_requested)
        return;
    dm->quit_requested = true;
    dm->quit_reason = reason;
    log_info("quitting (%s)", reason);
    dm->quit_source = g_idle_add(quit_now, dm);
}

/* ---- set-up ---------------------------------------------------------- */

struct chardev *xendm_find_chardev(const struct xendm *dm, const char *id)
{
    for (guint i = 0; i < dm->chardevs->len; i++) {
        struct chardev *chr = g_ptr_array_index(dm->chardevs, i);

        if (strcmp(chardev_label(chr), id) == 0)
            return chr;
    }
    return NULL;
}

static void close_chardev(gpointer p)
{
    chardev_close(p);
}

int xendm_init(struct xendm *dm, struct xendm_config *cfg, char **err)
{
    struct qmp_version v = {
        .major = XENDM_QEMU_COMPAT_MAJOR,
        .minor = XENDM_QEMU_COMPAT_MINOR,
        .micro = XENDM_QEMU_COMPAT_MICRO,
        .package = "xendm-" XENDM_VERSION,
    };
    int ret;

    memset(dm, 0, sizeof(*dm));
    pthread_mutex_init(&dm->lock, NULL);
    pthread_mutex_lock(&dm->lock);
    dm->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    dm->chardevs = g_ptr_array_new_with_free_func(close_chardev);
    dm->runstate = dm->cfg.start_paused ? QMP_RUNSTATE_PRELAUNCH : QMP_RUNSTATE_RUNNING;
    xen_monitor_init(&dm->mon);
    ret = xen_monitor_register(&dm->mon, "log level", "[err|warn|info|debug|trace]",
                               "show or set the log threshold (trace: every ioreq)",
                               cmd_log_level, dm);
    if (ret < 0) {
        *err = g_strdup("monitor: duplicate command");
        return ret;
    }
    dm->qmp = qmp_server_new(&v);
    ret = qmp_register_builtins(dm->qmp, &xendm_runstate_ops, dm);
    if (ret < 0) {
        *err = g_strdup("QMP: duplicate built-in command");
        return ret;
    }
    for (guint i = 0; i < dm->cfg.chardevs->len; i++) {
        const struct chardev_spec *s = g_ptr_array_index(dm->cfg.chardevs, i);
        struct chardev *chr = chardev_open(s, NULL, err);

        if (!chr)
            return -EIO;
        g_ptr_array_add(dm->chardevs, chr);
    }
    for (guint i = 0; i < dm->cfg.monitors->len; i++) {
        const struct xendm_mon_cfg *m = g_ptr_array_index(dm->cfg.monitors, i);
        struct chardev *chr = xendm_find_chardev(dm, m->chardev);

        if (!chr) {          /* the parser checked; keep the invariant */
            *err = g_strdup_printf("-mon: chardev '%s' is not defined", m->chardev);
            return -EINVAL;
        }
        qmp_server_add_monitor(dm->qmp, chr, m->pretty);
    }
    return 0;
}

/* ---- main loop ------------------------------------------------------- */

static gboolean on_signal(gpointer opaque)
{
    xendm_request_quit(opaque, "host-signal");
    return G_SOURCE_CONTINUE;
}

/* One iteration; the lock is dropped while sleeping in poll() only. */
static void loop_iterate(struct xendm *dm, GMainContext *ctx, GArray *fds)
{
    gint max_prio, timeout, n;

    g_main_context_prepare(ctx, &max_prio);
    while ((n = g_main_context_query(ctx, max_prio, &timeout,
                                     (GPollFD *)(void *)fds->data,
                                     (gint)fds->len)) > (gint)fds->len)
        g_array_set_size(fds, (guint)n);
    pthread_mutex_unlock(&dm->lock);
    g_poll((GPollFD *)(void *)fds->data, (guint)n, timeout);
    pthread_mutex_lock(&dm->lock);
    g_main_context_check(ctx, max_prio, (GPollFD *)(void *)fds->data, n);
    g_main_context_dispatch(ctx);
}

int xendm_run(struct xendm *dm)
{
    GMainContext *ctx = g_main_context_default();
    GArray *fds = g_array_sized_new(FALSE, TRUE, sizeof(GPollFD), 16);

    g_array_set_size(fds, 16);
    if (!g_main_context_acquire(ctx)) {
        log_err("the main context is owned by another thread");
        g_array_free(fds, TRUE);
        return 1;
    }
    dm->sig_sources[0] = g_unix_signal_add(SIGTERM, on_signal, dm);
    dm->sig_sources[1] = g_unix_signal_add(SIGINT, on_signal, dm);
    log_info("xendm %s running (%s%s)", XENDM_VERSION,
             dm->cfg.machine == XENDM_MACHINE_NONE ? "machine none" : "machine xenfv",
             dm->runstate == QMP_RUNSTATE_PRELAUNCH ? ", paused until QMP cont" : "");
    while (!dm->loop_done)
        loop_iterate(dm, ctx, fds);
    g_main_context_release(ctx);
    g_array_free(fds, TRUE);
    return dm->exit_code;
}

void xendm_destroy(struct xendm *dm)
{
    xendm_teardown_machine(dm);
    if (dm->quit_source)
        g_source_remove(dm->quit_source);
    dm->quit_source = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(dm->sig_sources); i++) {
        if (dm->sig_sources[i])
            g_source_remove(dm->sig_sources[i]);
        dm->sig_sources[i] = 0;
    }
    /* Monitors detach before their chardevs close; replies still flush. */
    g_clear_pointer(&dm->qmp, qmp_server_free);
    g_clear_pointer(&dm->chardevs, g_ptr_array_unref);
    xen_monitor_destroy(&dm->mon);
    if (dm->cfg.chardevs)
        xendm_config_clear(&dm->cfg);
    pthread_mutex_unlock(&dm->lock);
    pthread_mutex_destroy(&dm->lock);
}
