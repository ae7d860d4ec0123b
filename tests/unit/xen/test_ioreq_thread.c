/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ioreq_thread.c - the ioreq thread against a fake event source: a
 * pipe of ints read with a blocking read(), as the event channel fd is.
 * Served events are recorded with whether the device-model lock was held.
 * Covers: order and locking, waiting for the lock, stopping while idle,
 * with an event in hand and during the error back-off, back-off instead of
 * spinning, stray signals, and the stop signal's disposition restored.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xen/ioreq-thread.h"

#define MAX_EVENTS 256

struct fake {
    int pipe[2];
    int fail_errno;            /* next_event fails with it when non-zero */
    int next_calls;            /* atomic */
    int served;                /* atomic */
    int events[MAX_EVENTS];
    bool locked[MAX_EVENTS];
    pthread_mutex_t *lock;
};

static int fake_next(void *opaque)
{
    struct fake *f = opaque;
    int ev;
    ssize_t n;

    __atomic_add_fetch(&f->next_calls, 1, __ATOMIC_RELAXED);
    if (f->fail_errno)
        return -f->fail_errno;
    n = read(f->pipe[0], &ev, sizeof(ev));
    if (n < 0)
        return -errno;
    return n == sizeof(ev) ? ev : -EIO;
}

static void fake_serve(void *opaque, int ev)
{
    struct fake *f = opaque;
    int i = __atomic_load_n(&f->served, __ATOMIC_RELAXED);

    if (i < MAX_EVENTS) {
        f->events[i] = ev;
        /* Held by this thread: another trylock must fail. */
        f->locked[i] = pthread_mutex_trylock(f->lock) == EBUSY;
    }
    __atomic_store_n(&f->served, i + 1, __ATOMIC_RELEASE);
}

static const struct xen_ioreq_thread_ops fake_ops = { fake_next, fake_serve };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    ck_assert_int_eq(pipe(f->pipe), 0);
    f->lock = &lock;
}

static void fake_fini(struct fake *f)
{
    close(f->pipe[0]);
    close(f->pipe[1]);
}

static void send_event(struct fake *f, int ev)
{
    ck_assert_int_eq(write(f->pipe[1], &ev, sizeof(ev)), (ssize_t)sizeof(ev));
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Wait (up to 10 s: valgrind is slow) until @n events were served. */
static bool wait_served(struct fake *f, int n)
{
    double end = now_s() + 10;

    while (__atomic_load_n(&f->served, __ATOMIC_ACQUIRE) < n && now_s() < end)
        sleep_ms(1);
    return __atomic_load_n(&f->served, __ATOMIC_ACQUIRE) >= n;
}

static void stop(struct xen_ioreq_thread *t)
{
    pthread_mutex_lock(&lock);
    xen_ioreq_thread_stop(t);
    pthread_mutex_unlock(&lock);
}

START_TEST(serves_in_order_under_the_lock)
{
    struct xen_ioreq_thread t = { 0 };
    struct fake f;

    fake_init(&f);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    for (int i = 0; i < 200; i++)
        send_event(&f, i * 3);
    ck_assert(wait_served(&f, 200));
    for (int i = 0; i < 200; i++) {
        ck_assert_int_eq(f.events[i], i * 3);
        ck_assert(f.locked[i]);
    }
    ck_assert_uint_eq(t.errors, 0);
    stop(&t);
    ck_assert(!t.started);
    ck_assert_int_eq(f.served, 200);
    fake_fini(&f);
}
END_TEST

START_TEST(waits_for_the_lock)
{
    struct xen_ioreq_thread t = { 0 };
    struct fake f;

    fake_init(&f);
    pthread_mutex_lock(&lock);          /* as the main thread outside poll */
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    send_event(&f, 7);
    sleep_ms(100);
    ck_assert_int_eq(__atomic_load_n(&f.served, __ATOMIC_ACQUIRE), 0);
    pthread_mutex_unlock(&lock);        /* the main loop goes to sleep */
    ck_assert(wait_served(&f, 1));
    ck_assert_int_eq(f.events[0], 7);
    stop(&t);
    fake_fini(&f);
}
END_TEST

START_TEST(stop_while_idle_restores_the_signal)
{
    struct xen_ioreq_thread t = { 0 };
    struct sigaction before, during, after;
    struct fake f;
    double t0;

    fake_init(&f);
    ck_assert_int_eq(sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, NULL, &before), 0);
    /* Without a lock or ops nothing starts, and nothing changes. */
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, NULL), -EINVAL);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, NULL, &f, &lock), -EINVAL);
    ck_assert(!t.started);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    ck_assert_int_eq(sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, NULL, &during), 0);
    ck_assert(during.sa_handler != before.sa_handler);
    ck_assert(!(during.sa_flags & SA_RESTART));
    sleep_ms(50);                       /* blocked in read() by now */
    t0 = now_s();
    stop(&t);
    ck_assert_msg(now_s() - t0 < 5, "stop took %.3f s", now_s() - t0);
    ck_assert_int_eq(sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, NULL, &after), 0);
    ck_assert(after.sa_handler == before.sa_handler);
    ck_assert_int_eq(f.served, 0);
    /* Stopping twice, or a thread never started, is a no-op. */
    stop(&t);
    fake_fini(&f);
}
END_TEST

START_TEST(stop_with_an_event_in_hand)
{
    struct xen_ioreq_thread t = { 0 };
    struct fake f;

    fake_init(&f);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    pthread_mutex_lock(&lock);
    send_event(&f, 42);
    sleep_ms(50);                       /* read it; now waits for the lock */
    xen_ioreq_thread_stop(&t);          /* drops the lock while joining */
    ck_assert_int_eq(f.served, 1);      /* served before it stopped */
    ck_assert_int_eq(f.events[0], 42);
    ck_assert(f.locked[0]);
    pthread_mutex_unlock(&lock);
    fake_fini(&f);
}
END_TEST

START_TEST(failures_back_off_and_stop_promptly)
{
    struct xen_ioreq_thread t = { 0 };
    struct fake f;
    int calls;
    double t0;

    fake_init(&f);
    f.fail_errno = EIO;
    log_set_level(LOG_LEVEL_ERR);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    sleep_ms(450);
    calls = __atomic_load_n(&f.next_calls, __ATOMIC_RELAXED);
    /* 100 ms between attempts: about 5 in 450 ms, never a spin. */
    ck_assert_msg(calls >= 1 && calls <= 6, "%d attempts in 450 ms", calls);
    t0 = now_s();
    stop(&t);                           /* cuts the back-off sleep short */
    ck_assert_msg(now_s() - t0 < 5, "stop took %.3f s", now_s() - t0);
    ck_assert_uint_ge(t.errors, 1);
    ck_assert_int_eq(f.served, 0);
    fake_fini(&f);
}
END_TEST

START_TEST(stray_signals_are_harmless)
{
    struct xen_ioreq_thread t = { 0 };
    struct fake f;

    fake_init(&f);
    ck_assert_int_eq(xen_ioreq_thread_start(&t, &fake_ops, &f, &lock), 0);
    sleep_ms(20);
    /* At the thread (its read() returns EINTR) and at the process. */
    ck_assert_int_eq(pthread_kill(t.tid, XEN_IOREQ_THREAD_STOP_SIGNAL), 0);
    ck_assert_int_eq(kill(getpid(), XEN_IOREQ_THREAD_STOP_SIGNAL), 0);
    sleep_ms(20);
    send_event(&f, 5);
    ck_assert(wait_served(&f, 1));
    ck_assert_int_eq(f.events[0], 5);
    ck_assert_uint_eq(t.errors, 0);
    stop(&t);
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ioreq_thread");
    TCase *tc = tcase_create("thread");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, serves_in_order_under_the_lock);
    tcase_add_test(tc, waits_for_the_lock);
    tcase_add_test(tc, stop_while_idle_restores_the_signal);
    tcase_add_test(tc, stop_with_an_event_in_hand);
    tcase_add_test(tc, failures_back_off_and_stop_promptly);
    tcase_add_test(tc, stray_signals_are_harmless);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
