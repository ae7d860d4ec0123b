/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xs-monitor.c - state and monitor keys in xenstore.
 *
 * A watch on monitor/command wakes the main loop; the command is read, run
 * through the shared command table, and answered by writing result (split
 * into parts of XEN_XS_MONITOR_PART_MAX bytes at line ends when long),
 * result-parts, status, then seq, and finally clearing command. Clients
 * wait for seq to change. Our own clearing write fires the watch again;
 * an empty command is ignored. Stats are written in one transaction, at
 * most once a second.
 */
#include "xen/xs-monitor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define WATCH_TOKEN "xendm-monitor"

static char *key(const struct xen_xs_monitor *x, const char *rel)
{
    return g_strdup_printf("%s/%s", x->dm_path, rel);
}

static int xs_put(struct xen_xs_monitor *x, xs_transaction_t t,
                  const char *rel, const char *val)
{
    g_autofree char *path = key(x, rel);

    if (!xs_write(x->xsh, t, path, val, strlen(val)))
        return errno ? -errno : -EIO;
    return 0;
}

int xen_xs_monitor_open(struct xen_xs_monitor *x, uint32_t domid,
                        struct xen_monitor *mon)
{
    x->xsh = xs_open(0);
    if (!x->xsh) {
        int err = errno ? -errno : -EIO;

        log_err("xenstore: cannot connect: %s", strerror(-err));
        return err;
    }
    x->domid = domid;
    x->mon = mon;
    x->dm_path = g_strdup_printf("/local/domain/0/device-model/%u", domid);
    return 0;
}

void xen_xs_monitor_close(struct xen_xs_monitor *x)
{
    if (x->xsh) {
        g_autofree char *cmd = key(x, "monitor/command");
        g_autofree char *dir = key(x, "monitor");

        if (x->watching)
            xs_unwatch(x->xsh, cmd, WATCH_TOKEN);
        if (x->watching)
            xs_rm(x->xsh, XBT_NULL, dir);
        xs_close(x->xsh);
    }
    x->xsh = NULL;
    x->watching = false;
    g_free(x->dm_path);
    x->dm_path = NULL;
}

int xen_xs_monitor_set_state(struct xen_xs_monitor *x, const char *state)
{
    int err = xs_put(x, XBT_NULL, "state", state);

    if (err)
        log_err("xenstore: cannot write %s/state: %s", x->dm_path,
                strerror(-err));
    return err;
}

int xen_xs_monitor_start(struct xen_xs_monitor *x)
{
    g_autofree char *cmd = key(x, "monitor/command");
    int err;

    err = xs_put(x, XBT_NULL, "monitor/result", "");
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/result-parts", "0");
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/status", "");
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/seq", "0");
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/command", "");
    if (err) {
        log_err("xenstore: cannot create the monitor keys: %s", strerror(-err));
        return err;
    }
    if (!xs_watch(x->xsh, cmd, WATCH_TOKEN)) {
        err = errno ? -errno : -EIO;
        log_err("xenstore: cannot watch %s: %s", cmd, strerror(-err));
        return err;
    }
    x->watching = true;
    return 0;
}

int xen_xs_monitor_fd(const struct xen_xs_monitor *x)
{
    return xs_fileno(x->xsh);
}

/* Split @text into parts of at most PART_MAX bytes, at line ends where
 * a line allows it. */
static GPtrArray *split_parts(const char *text)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    size_t len = strlen(text), pos = 0;

    while (pos < len || parts->len == 0) {
        size_t n = len - pos;

        if (n > XEN_XS_MONITOR_PART_MAX) {
            n = XEN_XS_MONITOR_PART_MAX;
            for (size_t i = n; i > XEN_XS_MONITOR_PART_MAX / 2; i--) {
                if (text[pos + i - 1] == '\n') {
                    n = i;
                    break;
                }
            }
        }
        g_ptr_array_add(parts, g_strndup(text + pos, n));
        pos += n;
        if (n == 0)
            break;
    }
    return parts;
}

static void answer(struct xen_xs_monitor *x, const char *output, int rc)
{
    g_autoptr(GPtrArray) parts = split_parts(output);
    g_autofree char *more = key(x, "monitor/result-more");
    g_autofree char *nparts = g_strdup_printf("%u", parts->len);
    g_autofree char *status =
        rc == 0 ? g_strdup("ok") : g_strdup_printf("error: %s", strerror(-rc));
    g_autofree char *seq = NULL;
    int err;

    xs_rm(x->xsh, XBT_NULL, more);
    err = xs_put(x, XBT_NULL, "monitor/result", g_ptr_array_index(parts, 0));
    for (guint i = 1; !err && i < parts->len; i++) {
        g_autofree char *rel = g_strdup_printf("monitor/result-more/%u", i);

        err = xs_put(x, XBT_NULL, rel, g_ptr_array_index(parts, i));
    }
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/result-parts", nparts);
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/status", status);
    x->seq++;
    seq = g_strdup_printf("%" PRIu64, x->seq);
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/seq", seq);
    if (!err)
        err = xs_put(x, XBT_NULL, "monitor/command", "");
    if (err)
        log_err_rl(&x->rl, "xenstore: cannot write a monitor result: %s",
                   strerror(-err));
}

unsigned xen_xs_monitor_handle(struct xen_xs_monitor *x)
{
    g_autofree char *cmd_path = key(x, "monitor/command");
    unsigned ran = 0;
    char **vec;

    while ((vec = xs_check_watch(x->xsh)) != NULL) {
        bool ours = strcmp(vec[XS_WATCH_TOKEN], WATCH_TOKEN) == 0 &&
                    strcmp(vec[XS_WATCH_PATH], cmd_path) == 0;
        unsigned int len = 0;
        char *line;

        free(vec);
        if (!ours)
            continue;
        line = xs_read(x->xsh, XBT_NULL, cmd_path, &len);
        if (!line)
            continue;
        if (len > 0 && line[0] != '\0') {
            g_autoptr(GString) out = g_string_new(NULL);
            int rc = xen_monitor_execute(x->mon, line, out);

            log_info("monitor: '%s' (%s)", line, rc ? "failed" : "ok");
            answer(x, out->str, rc);
            x->commands++;
            ran++;
        }
        free(line);
    }
    return ran;
}

void xen_xs_monitor_set_stats(struct xen_xs_monitor *x, xen_xs_stats_fn *fn,
                              void *opaque)
{
    x->stats = fn;
    x->stats_opaque = opaque;
}

bool xen_xs_monitor_refresh_stats(struct xen_xs_monitor *x, int64_t now_us,
                                  bool force)
{
    g_autoptr(GPtrArray) kv = NULL;

    if (!x->stats || !x->xsh)
        return false;
    if (!force && x->last_stats_us != 0 && now_us - x->last_stats_us < 1000000)
        return false;
    x->last_stats_us = now_us;

    kv = g_ptr_array_new_with_free_func(g_free);
    x->stats(x->stats_opaque, kv);
    for (int attempt = 0; attempt < 3; attempt++) {
        xs_transaction_t t = xs_transaction_start(x->xsh);
        int err = 0;

        if (t == XBT_NULL)
            break;
        for (guint i = 0; !err && i + 1 < kv->len; i += 2) {
            g_autofree char *rel = g_strdup_printf(
                "monitor/stats/%s", (const char *)g_ptr_array_index(kv, i));

            err = xs_put(x, t, rel, g_ptr_array_index(kv, i + 1));
        }
        if (xs_transaction_end(x->xsh, t, err != 0) && !err)
            return true;
        if (err || errno != EAGAIN) {
            log_err_rl(&x->rl, "xenstore: cannot write stats: %s",
                       strerror(err ? -err : errno));
            return false;
        }
    }
    return false;
}
