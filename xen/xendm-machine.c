/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xendm-machine.c - the process side of the Xen machine: build it from the
 * command line, publish the xenstore state and monitor keys, drop
 * privileges, and follow run-state changes.
 *
 * Order for xenfv: the machine (xen/hvm.c, which restricts the Xen handles
 * before touching guest memory when -xen-domid-restrict is given), the
 * monitor commands, the xenstore keys (not when restricted: a restricted
 * device model cannot write xenstore), then -run-with chroot=/user=, last,
 * so that everything needing privilege is open by then. Runs on the main
 * thread with the device-model lock held, except on_guest_shutdown(),
 * which the ioreq thread calls (also under the lock).
 */
#include "xen/xendm.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "util/log.h"
#include "xen/hvm.h"
#include "xen/xendm-devices.h"
#include "xen/xs-monitor.h"

static const char *state_name(enum qmp_runstate rs)
{
    switch (rs) {
    case QMP_RUNSTATE_RUNNING:
        return "running";
    case QMP_RUNSTATE_PAUSED:
    case QMP_RUNSTATE_PRELAUNCH:
        return "paused";
    case QMP_RUNSTATE_SHUTDOWN:
        return "shutdown";
    default:
        return "internal-error";
    }
}

void xendm_machine_runstate_changed(struct xendm *dm)
{
    if (dm->xs)
        xen_xs_monitor_set_state(dm->xs, state_name(dm->runstate));
}

void xendm_machine_reset(struct xendm *dm)
{
    if (dm->hvm)
        xenfv_machine_reset(&dm->hvm->machine);
}

void xendm_machine_set_dirty_log(struct xendm *dm, bool enable)
{
    if (dm->hvm)
        xen_hvm_set_global_dirty_log(dm->hvm, enable);
}

static void on_guest_shutdown(void *opaque, bool reboot)
{
    struct xendm *dm = opaque;

    if (dm->cfg.no_shutdown) {
        /* libxl destroys the domain, and us with it. */
        xendm_set_runstate(dm, QMP_RUNSTATE_SHUTDOWN);
        return;
    }
    xendm_request_quit(dm, reboot ? "guest-reset" : "guest-shutdown");
}

static gboolean on_xs(gint fd, GIOCondition cond, gpointer opaque)
{
    struct xendm *dm = opaque;

    xen_xs_monitor_handle(dm->xs);
    return G_SOURCE_CONTINUE;
}

static gboolean on_stats(gpointer opaque)
{
    struct xendm *dm = opaque;

    xen_xs_monitor_refresh_stats(dm->xs, g_get_monotonic_time(), false);
    return G_SOURCE_CONTINUE;
}

static int xenstore_start(struct xendm *dm, char **err)
{
    int rc;

    dm->xs = g_new0(struct xen_xs_monitor, 1);
    rc = xen_xs_monitor_open(dm->xs, dm->cfg.domid, &dm->mon);
    if (!rc)
        rc = xen_xs_monitor_start(dm->xs);
    if (rc) {
        *err = g_strdup_printf("xenstore: %s", strerror(-rc));
        return rc;
    }
    xen_xs_monitor_set_stats(dm->xs, xen_hvm_stats, dm->hvm);
    xen_xs_monitor_refresh_stats(dm->xs, g_get_monotonic_time(), true);
    dm->xs_source = g_unix_fd_add(xen_xs_monitor_fd(dm->xs), G_IO_IN, on_xs, dm);
    dm->stats_timer = g_timeout_add_seconds(1, on_stats, dm);
    /* libxl waits for "running" (with -S it asks QMP instead). */
    rc = xen_xs_monitor_set_state(dm->xs, state_name(dm->runstate));
    if (rc)
        *err = g_strdup_printf("xenstore: cannot write the state key: %s",
                               strerror(-rc));
    return rc;
}

/* -run-with chroot=DIR,user=NAME (or -chroot / -runas). */
static int drop_privileges(struct xendm *dm, char **err)
{
    const struct xendm_config *c = &dm->cfg;
    struct passwd *pw = NULL;

    if (c->run_as) {
        pw = getpwnam(c->run_as);
        if (!pw) {
            *err = g_strdup_printf("-run-with user=%s: no such user", c->run_as);
            return -ENOENT;
        }
    }
    if (c->chroot_dir) {
        if (chroot(c->chroot_dir) != 0 || chdir("/") != 0) {
            int e = errno;

            *err = g_strdup_printf("-run-with chroot=%s: %s", c->chroot_dir,
                                   strerror(e));
            return -e;
        }
        log_info("chrooted to %s", c->chroot_dir);
    }
    if (pw) {
        if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
            setuid(pw->pw_uid) != 0) {
            int e = errno;

            *err = g_strdup_printf("-run-with user=%s: %s", c->run_as,
                                   strerror(e));
            return -e;
        }
        log_info("running as %s (uid %u)", c->run_as, (unsigned)pw->pw_uid);
    }
    return 0;
}

int xendm_setup_machine(struct xendm *dm, char **err)
{
    const struct xendm_config *c = &dm->cfg;
    struct xen_hvm_config hc = { 0 };
    int rc;

    if (c->machine == XENDM_MACHINE_NONE) {
        log_info("machine none: serving QMP only");
        return drop_privileges(dm, err);
    }
    if (!c->has_domid) {
        *err = g_strdup("-machine xenfv needs -xen-domid (or XEN_DOMAIN_ID)");
        return -EINVAL;
    }
    rc = xendm_devices_check(c, &hc.vga, &hc.vga_vram_size,
                             &hc.vga_after_platform, err);
    if (rc)
        return rc;
    hc.domid = c->domid;
    hc.restrict_domid = c->domid_restrict;
    hc.ram_size = c->ram_size;
    hc.max_ram_below_4g = c->max_ram_below_4g;
    hc.nr_vcpus = c->smp_maxcpus ? c->smp_maxcpus : 1;
    hc.no_shutdown = c->no_shutdown;
    hc.on_shutdown = on_guest_shutdown;
    hc.opaque = dm;
    hc.dm_lock = &dm->lock;
    dm->hvm = g_new0(struct xen_hvm, 1);
    rc = xen_hvm_init(dm->hvm, &hc, err);
    if (rc) {
        g_clear_pointer(&dm->hvm, g_free);
        return rc;
    }
    rc = xen_hvm_register_monitor(dm->hvm, &dm->mon);
    if (rc) {
        *err = g_strdup_printf("monitor: %s", strerror(-rc));
        return rc;
    }
    rc = xendm_devices_setup(dm, err);
    if (rc)
        return rc;
    if (c->domid_restrict)
        log_info("restricted: no xenstore keys (state, monitor)");
    else if ((rc = xenstore_start(dm, err)) != 0)
        return rc;
    return drop_privileges(dm, err);
}

void xendm_teardown_machine(struct xendm *dm)
{
    if (dm->stats_timer)
        g_source_remove(dm->stats_timer);
    if (dm->xs_source)
        g_source_remove(dm->xs_source);
    dm->stats_timer = dm->xs_source = 0;
    if (dm->xs) {
        xen_xs_monitor_close(dm->xs);
        g_clear_pointer(&dm->xs, g_free);
    }
    xendm_devices_teardown(dm);
    if (dm->hvm) {
        xen_hvm_destroy(dm->hvm);
        g_clear_pointer(&dm->hvm, g_free);
    }
}
