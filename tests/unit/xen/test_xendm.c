/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xendm.c - the process skeleton: set-up from a parsed command line,
 * run state transitions driven through QMP, query-chardev, xenfv without
 * a hypervisor and with devices the chipset lacks,
 * quit ending the main loop, two instances side by side.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "xen/xendm.h"

static int setup(struct xendm *dm, const char *const *args)
{
    struct xendm_config cfg;
    GPtrArray *argv = g_ptr_array_new();
    char *err = NULL;
    int ret;

    g_ptr_array_add(argv, (char *)"xendm");
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    xendm_config_init(&cfg);
    ret = xendm_cmdline_parse(&cfg, (int)argv->len, (char *const *)argv->pdata, NULL, &err);
    g_ptr_array_free(argv, TRUE);
    if (ret)
        ck_abort_msg("parse: %s", err);
    ret = xendm_init(dm, &cfg, &err);
    if (ret)
        ck_abort_msg("init: %s", err);
    return 0;
}

#define SETUP(dm, ...) setup((dm), (const char *const[]){ __VA_ARGS__, NULL })

static char *status(struct xendm *dm)
{
    char *r = qmp_server_handle_line(dm->qmp, "{\"execute\": \"query-status\"}");
    JsonNode *n = json_from_string(r, NULL);
    char *s = g_strdup(json_object_get_string_member(
        json_object_get_object_member(json_node_get_object(n), "return"), "status"));

    json_node_unref(n);
    g_free(r);
    return s;
}

static void run_cmd(struct xendm *dm, const char *cmd, const char *want_reply)
{
    g_autofree char *line = g_strdup_printf("{\"execute\": \"%s\"}", cmd);
    g_autofree char *r = qmp_server_handle_line(dm->qmp, line);

    ck_assert_str_eq(r, want_reply);
}

#define ASSERT_STATUS(dm, want) do { \
        char *s_ = status(dm); \
        ck_assert_str_eq(s_, want); \
        g_free(s_); \
    } while (0)

START_TEST(runstate_transitions)
{
    struct xendm dm;
    char *err = NULL;

    SETUP(&dm, "-S", "-machine", "none,accel=xen", "-chardev", "null,id=n0",
          "-serial", "null");
    ck_assert_int_eq(xendm_setup_machine(&dm, &err), 0);
    ASSERT_STATUS(&dm, "prelaunch");
    run_cmd(&dm, "stop", "{\"return\":{}}");       /* no-op before launch */
    ASSERT_STATUS(&dm, "prelaunch");
    run_cmd(&dm, "cont", "{\"return\":{}}");
    ASSERT_STATUS(&dm, "running");
    run_cmd(&dm, "stop", "{\"return\":{}}");
    ASSERT_STATUS(&dm, "paused");
    ck_assert_int_eq(dm.runstate, QMP_RUNSTATE_PAUSED);
    run_cmd(&dm, "cont", "{\"return\":{}}");
    ck_assert_int_eq(dm.runstate, QMP_RUNSTATE_RUNNING);
    run_cmd(&dm, "query-chardev",
            "{\"return\":[{\"label\":\"n0\",\"filename\":\"null\",\"frontend-open\":false},"
            "{\"label\":\"serial0\",\"filename\":\"null\",\"frontend-open\":false}]}");
    ck_assert_ptr_nonnull(xendm_find_chardev(&dm, "serial0"));
    ck_assert_ptr_null(xendm_find_chardev(&dm, "serial1"));
    ck_assert(!dm.global_dirty_log);
    {
        g_autofree char *r = qmp_server_handle_line(dm.qmp,
            "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": true}}");
        ck_assert_str_eq(r, "{\"return\":{}}");
    }
    ck_assert(dm.global_dirty_log);
    xendm_destroy(&dm);
}
END_TEST

START_TEST(running_without_S_and_quit)
{
    struct xendm dm;
    char *err = NULL;

    SETUP(&dm, "-machine", "none");
    ck_assert_int_eq(xendm_setup_machine(&dm, &err), 0);
    ASSERT_STATUS(&dm, "running");
    /* quit answers first; the loop then ends from an idle callback. */
    run_cmd(&dm, "quit", "{\"return\":{}}");
    ck_assert(dm.quit_requested);
    ck_assert_int_eq(xendm_run(&dm), 0);
    xendm_destroy(&dm);
}
END_TEST

START_TEST(xenfv_without_hypervisor)
{
    struct xendm dm;
    char *err = NULL;

    /* No Xen (and no xensim run directory): a clear error, and the
     * half-built machine is undone. */
    g_unsetenv("XENSIM_DIR");
    SETUP(&dm, "-xen-domid", "4", "-machine", "xenfv", "-m", "64");
    ck_assert_int_lt(xendm_setup_machine(&dm, &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "cannot open xenctrl"));
    ck_assert_ptr_null(dm.hvm);
    g_free(err);
    xendm_destroy(&dm);
}
END_TEST

START_TEST(xenfv_refuses_unknown_devices)
{
    static const char *const bad[][2] = {
        { "-device", "e1000,netdev=n0" },
        { "-vga", "cirrus" },
        { "-device", "VGA,vgamem_mb=3" },
        { "-drive", "file=/x.img,if=ide,index=0,media=cdrom" },
        { "-drive", "file=/x.img,if=ide,index=0,media=disk,format=qcow2" },
    };
    static const char *const want[] = {
        "-device e1000: not supported", "-vga cirrus", "vgamem_mb=3",
        "media=cdrom", "format=qcow2",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct xendm dm;
        char *err = NULL;

        SETUP(&dm, "-xen-domid", "4", "-machine", "xenfv", bad[i][0], bad[i][1]);
        ck_assert_int_lt(xendm_setup_machine(&dm, &err), 0);
        ck_assert_msg(strstr(err, want[i]), "'%s' lacks '%s'", err, want[i]);
        g_free(err);
        xendm_destroy(&dm);
    }
}
END_TEST

START_TEST(log_level_at_run_time)
{
    struct xendm dm;
    char *r;

    SETUP(&dm, "-machine", "none");
    r = qmp_server_handle_line(dm.qmp, "{\"execute\": \"human-monitor-command\", "
                               "\"arguments\": {\"command-line\": \"log level debug\"}}");
    ck_assert_str_eq(r, "{\"return\":\"log level debug\\n\"}");
    g_free(r);
    ck_assert_int_eq(log_get_level(), LOG_LEVEL_DEBUG);
    r = qmp_server_handle_line(dm.qmp, "{\"execute\": \"human-monitor-command\", "
                               "\"arguments\": {\"command-line\": \"log level loud\"}}");
    ck_assert_ptr_nonnull(strstr(r, "unknown level 'loud'"));
    g_free(r);
    ck_assert_int_eq(log_get_level(), LOG_LEVEL_DEBUG);
    /* A command the table does not know is QMP's to answer. */
    ck_assert(xen_monitor_knows(&dm.mon, "  log   level"));
    ck_assert(!xen_monitor_knows(&dm.mon, "frobnicate now"));
    ck_assert(!xen_monitor_knows(&dm.mon, ""));
    r = qmp_server_handle_line(dm.qmp, "{\"execute\": \"human-monitor-command\", "
                               "\"arguments\": {\"command-line\": \"frobnicate now\"}}");
    ck_assert_ptr_nonnull(strstr(r, "unknown command: 'frobnicate'"));
    g_free(r);
    log_set_level(LOG_LEVEL_INFO);
    xendm_destroy(&dm);
}
END_TEST

START_TEST(two_instances_and_failed_init)
{
    g_autofree char *dir = g_dir_make_tmp("xendm-dm-XXXXXX", NULL);
    g_autofree char *p1 = g_build_filename(dir, "a.sock", NULL);
    g_autofree char *p2 = g_build_filename(dir, "b.sock", NULL);
    g_autofree char *c1 = g_strdup_printf("socket,id=m,path=%s,server=on,wait=off", p1);
    g_autofree char *c2 = g_strdup_printf("socket,id=m,path=%s,server=on,wait=off", p2);
    struct xendm a, b, bad;
    struct xendm_config cfg;
    char *err = NULL;
    const char *argv[] = { "xendm", "-machine", "none", "-chardev",
                           "socket,id=x,path=/nonexistent/dir/s,server=on,wait=off", NULL };
    struct stat st;

    SETUP(&a, "-S", "-machine", "none", "-chardev", c1, "-mon", "chardev=m,mode=control");
    SETUP(&b, "-machine", "none", "-chardev", c2, "-mon", "chardev=m,mode=control");
    ASSERT_STATUS(&a, "prelaunch");
    ASSERT_STATUS(&b, "running");
    ck_assert_int_eq(stat(p1, &st), 0);
    ck_assert_int_eq(stat(p2, &st), 0);
    xendm_destroy(&a);
    xendm_destroy(&b);
    ck_assert_int_eq(stat(p1, &st), -1);
    rmdir(dir);

    xendm_config_init(&cfg);
    ck_assert_int_eq(xendm_cmdline_parse(&cfg, 5, (char *const *)argv, NULL, &err), 0);
    ck_assert_int_lt(xendm_init(&bad, &cfg, &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "chardev 'x'"));
    g_free(err);
    xendm_destroy(&bad);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xen_xendm");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, runstate_transitions);
    tcase_add_test(tc, running_without_S_and_quit);
    tcase_add_test(tc, xenfv_without_hypervisor);
    tcase_add_test(tc, log_level_at_run_time);
    tcase_add_test(tc, xenfv_refuses_unknown_devices);
    tcase_add_test(tc, two_instances_and_failed_init);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
