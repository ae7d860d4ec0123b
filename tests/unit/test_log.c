/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log.c - level filter, sink capture and rate limiting of util/log. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct capture {
    int count;
    char last[256];
};

static void capture_sink(void *opaque, enum log_level level, const char *msg)
{
    struct capture *c = opaque;

    c->count++;
    snprintf(c->last, sizeof(c->last), "%d:%s", (int)level, msg);
}

START_TEST(level_filter)
{
    struct capture c = { 0 };

    log_set_sink(capture_sink, &c);
    log_set_level(LOG_LEVEL_WARN);
    log_info("dropped %d", 1);
    ck_assert_int_eq(c.count, 0);
    log_warn("kept %d\n", 2);
    ck_assert_int_eq(c.count, 1);
    ck_assert_str_eq(c.last, "1:kept 2");
    log_set_level(LOG_LEVEL_DEBUG);
    log_debug("dbg");
    ck_assert_int_eq(c.count, 2);
    log_set_sink(NULL, NULL);
    log_set_level(LOG_LEVEL_INFO);
}
END_TEST

START_TEST(parse_level)
{
    enum log_level l;

    ck_assert_int_eq(log_parse_level("debug", &l), 0);
    ck_assert_int_eq(l, LOG_LEVEL_DEBUG);
    ck_assert_int_eq(log_parse_level("loud", &l), -EINVAL);
}
END_TEST

START_TEST(ratelimit_burst)
{
    struct capture c = { 0 };
    struct log_ratelimit rl = { .burst = 3, .interval_ns = 3600000000000ull };
    int emitted = 0;

    log_set_sink(capture_sink, &c);
    for (int i = 0; i < 100; i++)
        emitted += log_warn_rl(&rl, "flood %d", i);
    ck_assert_int_eq(emitted, 3);
    ck_assert_int_eq(c.count, 3);
    ck_assert_uint_eq(rl.suppressed, 97);
    /* A new window reports the suppressed count first. */
    rl.interval_ns = 1; /* every call now opens a new window */
    ck_assert(log_warn_rl(&rl, "again"));
    ck_assert_int_eq(c.count, 5);
    ck_assert_uint_eq(rl.suppressed, 0);
    log_set_sink(NULL, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, level_filter);
    tcase_add_test(tc, parse_level);
    tcase_add_test(tc, ratelimit_burst);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
