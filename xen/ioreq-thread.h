/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq-thread.h - serve ioreq events (an ioreq server's event channel)
 * from a thread of their own, under the device-model lock.
 */
#ifndef XENDM_XEN_IOREQ_THREAD_H
#define XENDM_XEN_IOREQ_THREAD_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/log.h"

/**
 * struct xen_ioreq_thread_ops - where events come from and how they are
 * served (xen/hvm.c plugs in the ioreq server; tests plug in fakes).
 * @next_event: block until the next event and return it (>= 0), or
 *     -errno: -EINTR when a signal interrupted the wait (the thread then
 *     checks whether it must stop), anything else is a failure. Called
 *     without the lock.
 * @serve_event: serve an event @next_event returned. Called with the lock.
 */
struct xen_ioreq_thread_ops {
    int (*next_event)(void *opaque);
    void (*serve_event)(void *opaque, int event);
};

/**
 * struct xen_ioreq_thread - the thread that answers ioreqs.
 * @ops: the event source (not owned).
 * @opaque: passed to @ops.
 * @dm_lock: the device-model lock (not owned): held while an event is
 *     served, so devices, the memory system and the main loop's callbacks
 *     never run at the same time as a request.
 * @stop: set (atomically) to end the thread.
 * @old_action: the stop signal's disposition before start (restored).
 * @tid: the thread.
 * @started: @tid is joinable.
 * @errors: failures of @ops->next_event (read under @dm_lock).
 * @rl: rate limiter for those failures' messages.
 *
 * Fields are private.
 */
struct xen_ioreq_thread {
    const struct xen_ioreq_thread_ops *ops;
    void *opaque;
    pthread_mutex_t *dm_lock;
    int stop;
    struct sigaction old_action;
    pthread_t tid;
    bool started;
    uint64_t errors;
    struct log_ratelimit rl;
};

/*
 * XEN_IOREQ_THREAD_STOP_SIGNAL - interrupts the thread's blocking read of
 * the event channel when it is told to stop. While a thread runs, the
 * process has a do-nothing handler for it (so a stray SIGUSR1 from outside
 * is ignored rather than fatal); the old disposition is restored on stop.
 */
#define XEN_IOREQ_THREAD_STOP_SIGNAL SIGUSR1

/**
 * xen_ioreq_thread_start() - start serving events.
 * @t: zero-initialised storage.
 * @ops: the event source; for an ioreq server, next_event is
 *     xen_ioreq_server_next_event() on a blocking event channel fd (a
 *     read() of the pending port) and serve_event is
 *     xen_ioreq_server_serve_event().
 * @opaque: passed to @ops.
 * @dm_lock: the device-model lock. The caller may hold it: the thread then
 *     waits for it before serving the first event.
 *
 * The thread blocks in @ops->next_event without the lock; with an event in
 * hand it takes @dm_lock, serves it, and drops the lock. All signals but
 * %XEN_IOREQ_THREAD_STOP_SIGNAL are blocked on the thread. A failing
 * @ops->next_event is counted, logged (rate-limited) and retried after
 * 100 ms rather than spun on. One thread per process at a time: the
 * signal's disposition is shared.
 * Return: 0, or -errno (nothing is left running; -EINVAL without @ops or
 * @dm_lock).
 */
int xen_ioreq_thread_start(struct xen_ioreq_thread *t,
                           const struct xen_ioreq_thread_ops *ops,
                           void *opaque, pthread_mutex_t *dm_lock)
    __attribute__((warn_unused_result));

/**
 * xen_ioreq_thread_stop() - end the thread and wait for it.
 * @t: a started thread, or zero-initialised storage (then a no-op).
 *
 * Call with @dm_lock held (as every main-thread path holds it). The stop
 * signal is sent only while the lock is held, so it never lands while a
 * request is being served (it interrupts the wait for the next event);
 * the lock is dropped while waiting for the thread, so that one blocked on
 * it with an event in hand can serve it and see the stop, and held again
 * on return. No request is served after this returns.
 */
void xen_ioreq_thread_stop(struct xen_ioreq_thread *t);

#endif /* XENDM_XEN_IOREQ_THREAD_H */
