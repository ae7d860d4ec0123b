/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq-thread.c - the ioreq thread (see ioreq-thread.h).
 *
 * Why a thread: a vCPU waits for every synchronous ioreq, so its round
 * trip is the device model's latency. A main-loop iteration per event
 * (GLib's prepare/query/check over every source, the timeout computation)
 * costs a fifth of a round trip. The thread does the least a device model
 * can: a blocking read() of the pending port (no poll() before it), the
 * answer, the notify, the unmask; it takes the device-model lock around
 * the answer only. What an event is, and how it is served, comes from
 * struct xen_ioreq_thread_ops (xen/hvm.c: the ioreq server).
 *
 * Locking: the main thread holds the device-model lock at all times except
 * while it sleeps in poll() (xendm.c), so the lock is uncontended on the
 * fast path and everything the main loop dispatches (QMP, the monitor,
 * timers, chardev input) is serialised with the requests the thread
 * serves, exactly as when both ran on one thread.
 *
 * Stopping: a blocking read() can only be interrupted by a signal. The
 * stopper sets @stop and signals the thread while holding the lock, so the
 * signal lands in the read (EINTR: no SA_RESTART), in the wait for the lock
 * (glibc restarts it), or just before the read — that last race is closed
 * by signalling again every 10 ms until the thread is joined.
 */
#include "xen/ioreq-thread.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* Back-off after an event channel failure, so a broken fd is not spun on. */
#define IOREQ_THREAD_ERROR_BACKOFF_NS (100 * 1000 * 1000L)
/* How long the stopper waits for the thread before signalling again. */
#define IOREQ_THREAD_STOP_RETRY_NS (10 * 1000 * 1000L)

static void on_stop_signal(int sig)
{
    (void)sig;                  /* only there to interrupt read() */
}

static bool stopping(struct xen_ioreq_thread *t)
{
    return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

static void *ioreq_thread_main(void *opaque)
{
    struct xen_ioreq_thread *t = opaque;
    sigset_t only_stop;

    sigfillset(&only_stop);
    sigdelset(&only_stop, XEN_IOREQ_THREAD_STOP_SIGNAL);
    pthread_sigmask(SIG_SETMASK, &only_stop, NULL);

    while (!stopping(t)) {
        int ev = t->ops->next_event(t->opaque);
        bool failed = false;

        if (ev == -EINTR)
            continue;
        pthread_mutex_lock(t->dm_lock);
        if (ev >= 0) {
            t->ops->serve_event(t->opaque, ev);
        } else {
            t->errors++;
            log_err_rl(&t->rl, "event channel: %s; retrying in 100 ms",
                       strerror(-ev));
            failed = true;
        }
        pthread_mutex_unlock(t->dm_lock);
        if (failed) {
            struct timespec ts = { 0, IOREQ_THREAD_ERROR_BACKOFF_NS };

            nanosleep(&ts, NULL);       /* the stop signal cuts it short */
        }
    }
    return NULL;
}

int xen_ioreq_thread_start(struct xen_ioreq_thread *t,
                           const struct xen_ioreq_thread_ops *ops,
                           void *opaque, pthread_mutex_t *dm_lock)
{
    struct sigaction sa;
    sigset_t all, old;
    int rc;

    if (!ops || !ops->next_event || !ops->serve_event || !dm_lock)
        return -EINVAL;
    t->ops = ops;
    t->opaque = opaque;
    t->dm_lock = dm_lock;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;     /* no SA_RESTART: read() → EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, &sa, &t->old_action) < 0)
        return errno ? -errno : -EIO;
    /* The thread starts with every signal blocked (then opens its own). */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&t->tid, NULL, ioreq_thread_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, &t->old_action, NULL);
        return -rc;
    }
    t->started = true;
    return 0;
}

void xen_ioreq_thread_stop(struct xen_ioreq_thread *t)
{
    if (!t->started)
        return;
    __atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
    for (;;) {
        struct timespec deadline;
        int rc;

        pthread_kill(t->tid, XEN_IOREQ_THREAD_STOP_SIGNAL);
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += IOREQ_THREAD_STOP_RETRY_NS;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_mutex_unlock(t->dm_lock);
        rc = pthread_timedjoin_np(t->tid, NULL, &deadline);
        pthread_mutex_lock(t->dm_lock);
        if (rc == 0)
            break;
    }
    sigaction(XEN_IOREQ_THREAD_STOP_SIGNAL, &t->old_action, NULL);
    t->started = false;
}
