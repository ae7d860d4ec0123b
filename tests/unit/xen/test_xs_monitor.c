/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xs_monitor.c - the monitor keys through a real libxenstore
 * connection to xensim's xenstored: a command written by another client is
 * run, its result, status and seq appear; long output is split; stats are
 * refreshed at most once a second; close removes the keys.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "stubs/xenstored/xenstored.h"
#include "xen/xs-monitor.h"

#define DM "/local/domain/0/device-model/7"

static struct xsd_server *srv;
static char sock[128];
static char dir[64];

static void start_server(void)
{
    strcpy(dir, "/tmp/xsmon.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof(sock), "%s/socket", dir);
    ck_assert_int_eq(xsd_server_create(sock, NULL, &srv), 0);
    ck_assert_int_eq(xsd_server_run_thread(srv), 0);
    setenv("XENSTORED_PATH", sock, 1);
}

static void stop_server(void)
{
    xsd_server_free(srv);
    srv = NULL;
    unlink(sock);
    rmdir(dir);
}

static char *rd(struct xs_handle *h, const char *path)
{
    unsigned int len;
    char *v = xs_read(h, XBT_NULL, path, &len);

    return v;
}

static int echo_cmd(void *opaque, const char *args, GString *out)
{
    g_string_append_printf(out, "echo:%s\n", args);
    return 0;
}

static int big_cmd(void *opaque, const char *args, GString *out)
{
    for (int i = 0; i < 400; i++)
        g_string_append_printf(out, "line %03d of a long answer\n", i);
    return 0;
}

static int fail_cmd(void *opaque, const char *args, GString *out)
{
    g_string_append(out, "it went wrong\n");
    return -EIO;
}

static void stats_fn(void *opaque, GPtrArray *kv)
{
    int *calls = opaque;

    (*calls)++;
    g_ptr_array_add(kv, g_strdup("ioreq/pio"));
    g_ptr_array_add(kv, g_strdup_printf("%d", 10 * *calls));
}

/* Wait until the monitor's fd is readable, then let it handle. */
static unsigned pump(struct xen_xs_monitor *x)
{
    struct pollfd p = { .fd = xen_xs_monitor_fd(x), .events = POLLIN };
    unsigned ran = 0;

    for (int i = 0; i < 50 && ran == 0; i++) {
        if (poll(&p, 1, 100) > 0)
            ran += xen_xs_monitor_handle(x);
    }
    return ran;
}

START_TEST(command_round_trip)
{
    struct xen_monitor mon;
    struct xen_xs_monitor x;
    struct xs_handle *client;
    char *v;
    int stats_calls = 0;

    start_server();
    memset(&x, 0, sizeof(x));
    xen_monitor_init(&mon);
    ck_assert_int_eq(xen_monitor_register(&mon, "echo", "TEXT", "say it", echo_cmd, NULL), 0);
    ck_assert_int_eq(xen_monitor_register(&mon, "info big", NULL, "long", big_cmd, NULL), 0);
    ck_assert_int_eq(xen_monitor_register(&mon, "fail", NULL, "fails", fail_cmd, NULL), 0);
    ck_assert_int_eq(xen_monitor_register(&mon, "echo", NULL, "dup", echo_cmd, NULL), -EEXIST);
    ck_assert_int_eq(xen_xs_monitor_open(&x, 7, &mon), 0);
    ck_assert_int_eq(xen_xs_monitor_set_state(&x, "running"), 0);
    ck_assert_int_eq(xen_xs_monitor_start(&x), 0);

    client = xs_open(0);
    ck_assert_ptr_nonnull(client);
    v = rd(client, DM "/state");
    ck_assert_str_eq(v, "running");
    free(v);

    ck_assert(xs_write(client, XBT_NULL, DM "/monitor/command", "echo  hi there", 14));
    ck_assert_uint_eq(pump(&x), 1);
    v = rd(client, DM "/monitor/result");
    ck_assert_str_eq(v, "echo:hi there\n");
    free(v);
    v = rd(client, DM "/monitor/seq");
    ck_assert_str_eq(v, "1");
    free(v);
    v = rd(client, DM "/monitor/status");
    ck_assert_str_eq(v, "ok");
    free(v);
    v = rd(client, DM "/monitor/command");
    ck_assert_str_eq(v, "");                 /* cleared for the next one */
    free(v);

    /* Long output: parts of at most 3 KiB, reassembled equal. */
    ck_assert(xs_write(client, XBT_NULL, DM "/monitor/command", "info big", 8));
    ck_assert_uint_eq(pump(&x), 1);
    {
        g_autoptr(GString) all = g_string_new(NULL);
        g_autoptr(GString) want = g_string_new(NULL);
        char *n = rd(client, DM "/monitor/result-parts");
        int parts = atoi(n);

        free(n);
        ck_assert_int_gt(parts, 1);
        v = rd(client, DM "/monitor/result");
        ck_assert_uint_le(strlen(v), XEN_XS_MONITOR_PART_MAX);
        g_string_append(all, v);
        free(v);
        for (int i = 1; i < parts; i++) {
            g_autofree char *p = g_strdup_printf(DM "/monitor/result-more/%d", i);

            v = rd(client, p);
            ck_assert_ptr_nonnull(v);
            g_string_append(all, v);
            free(v);
        }
        big_cmd(NULL, "", want);
        ck_assert_str_eq(all->str, want->str);
    }

    /* Unknown and failing commands say so. */
    ck_assert(xs_write(client, XBT_NULL, DM "/monitor/command", "frobnicate", 10));
    ck_assert_uint_eq(pump(&x), 1);
    v = rd(client, DM "/monitor/result");
    ck_assert_str_eq(v, "unknown command: 'frobnicate'; try 'help'\n");
    free(v);
    v = rd(client, DM "/monitor/status");
    ck_assert_str_eq(v, "error: No such file or directory");
    free(v);
    ck_assert(xs_write(client, XBT_NULL, DM "/monitor/command", "fail", 4));
    ck_assert_uint_eq(pump(&x), 1);
    v = rd(client, DM "/monitor/status");
    ck_assert_str_eq(v, "error: Input/output error");
    free(v);
    v = rd(client, DM "/monitor/result-parts");
    ck_assert_str_eq(v, "1");
    free(v);

    /* help lists every command. */
    ck_assert(xs_write(client, XBT_NULL, DM "/monitor/command", "help", 4));
    ck_assert_uint_eq(pump(&x), 1);
    v = rd(client, DM "/monitor/result");
    ck_assert_ptr_nonnull(strstr(v, "echo TEXT"));
    ck_assert_ptr_nonnull(strstr(v, "info big"));
    free(v);
    v = rd(client, DM "/monitor/seq");
    ck_assert_str_eq(v, "5");
    free(v);

    /* Stats: at most once a second unless forced. */
    xen_xs_monitor_set_stats(&x, stats_fn, &stats_calls);
    ck_assert(xen_xs_monitor_refresh_stats(&x, 5000000, false));
    ck_assert(!xen_xs_monitor_refresh_stats(&x, 5500000, false));
    ck_assert(xen_xs_monitor_refresh_stats(&x, 6000001, false));
    ck_assert_int_eq(stats_calls, 2);
    v = rd(client, DM "/monitor/stats/ioreq/pio");
    ck_assert_str_eq(v, "20");
    free(v);
    ck_assert(xen_xs_monitor_refresh_stats(&x, 6000002, true));

    xen_xs_monitor_close(&x);
    v = rd(client, DM "/monitor/seq");
    ck_assert_ptr_null(v);                  /* monitor keys removed */
    v = rd(client, DM "/state");
    ck_assert_str_eq(v, "running");         /* state left to the toolstack */
    free(v);
    xs_close(client);
    xen_monitor_destroy(&mon);
    stop_server();
}
END_TEST

START_TEST(no_xenstore)
{
    struct xen_monitor mon;
    struct xen_xs_monitor x;

    memset(&x, 0, sizeof(x));
    xen_monitor_init(&mon);
    setenv("XENSTORED_PATH", "/nonexistent/xenstored-socket", 1);
    ck_assert_int_lt(xen_xs_monitor_open(&x, 7, &mon), 0);
    xen_xs_monitor_close(&x);               /* safe after a failed open */
    xen_monitor_destroy(&mon);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xs_monitor");
    TCase *tc = tcase_create("keys");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, command_round_trip);
    tcase_add_test(tc, no_xenstore);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
