/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * local.c - in-process watches of xensim's xenstored.
 *
 * The watches live on a pseudo-connection (srv->local: dom0, no socket),
 * so matching and permission rules are those of clients. Instead of
 * being written to a socket, its events are queued on srv->pending (at
 * most LOCAL_MAX_PENDING; beyond that they are dropped with a warning)
 * and the server thread calls the callbacks one at a time with the lock
 * released (xsd_local_deliver()). srv->delivering names the watch whose
 * callback runs, so xsd_server_unwatch() can wait for it on
 * srv->delivered; events still queued for a removed watch are purged.
 */
#include "stubs/xenstored/private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_MAX_PENDING 65536u

static void local_event_free(struct xsd_local_event *e)
{
    free(e->path);
    free(e->token);
    free(e);
}

void xsd_local_queue(struct xsd_server *srv, const struct xsd_watch *w,
                     const char *path)
{
    struct xsd_local_event *e;

    if (srv->npending >= LOCAL_MAX_PENDING) {
        log_warn_rl(&srv->rl, "xenstored: in-process watch '%s' is not "
                    "keeping up; event dropped", w->path);
        return;
    }
    e = calloc(1, sizeof(*e));
    if (!e)
        return;
    e->watch = w;
    e->path = strdup(path);
    e->token = strdup(w->token);
    if (!e->path || !e->token) {
        local_event_free(e);
        return;
    }
    *srv->pending_tail = e;
    srv->pending_tail = &e->next;
    srv->npending++;
}

void xsd_local_deliver(struct xsd_server *srv)
{
    while (srv->pending) {
        struct xsd_local_event *e = srv->pending;
        xsd_watch_fn *fn = e->watch->fn;
        void *opaque = e->watch->opaque;

        srv->pending = e->next;
        if (!srv->pending)
            srv->pending_tail = &srv->pending;
        srv->npending--;
        srv->delivering = e->watch;
        pthread_mutex_unlock(&srv->lock);
        fn(opaque, e->path, e->token);
        pthread_mutex_lock(&srv->lock);
        srv->delivering = NULL;
        pthread_cond_broadcast(&srv->delivered);
        local_event_free(e);
    }
}

void xsd_local_fini(struct xsd_server *srv)
{
    while (srv->pending) {
        struct xsd_local_event *e = srv->pending;

        srv->pending = e->next;
        local_event_free(e);
    }
    srv->pending_tail = &srv->pending;
    srv->npending = 0;
}

int xsd_server_watch(struct xsd_server *srv, const char *path,
                     const char *token, xsd_watch_fn *fn, void *opaque)
{
    int r;

    if (!fn)
        return -EINVAL;
    pthread_mutex_lock(&srv->lock);
    r = xsd_watch_add(srv, srv->local, path, token);
    if (!r) {
        srv->local->watches->fn = fn;
        srv->local->watches->opaque = opaque;
        xsd_watch_fire_initial(srv, srv->local);
    }
    pthread_mutex_unlock(&srv->lock);
    xsd_server_kick(srv);
    return r;
}

int xsd_server_unwatch(struct xsd_server *srv, const char *path,
                       const char *token)
{
    struct xsd_watch *w = NULL;
    char *abs;
    int r = xsd_canon(0, path, true, &abs);

    if (r)
        return r;
    pthread_mutex_lock(&srv->lock);
    for (struct xsd_watch **pp = &srv->local->watches; *pp;
         pp = &(*pp)->next) {
        if (!strcmp((*pp)->abs, abs) && !strcmp((*pp)->token, token)) {
            w = *pp;
            *pp = w->next;
            srv->local->nwatches--;
            break;
        }
    }
    if (w) {
        /* Purge its queued events, then wait out a running callback. */
        srv->pending_tail = &srv->pending;
        for (struct xsd_local_event **pp = &srv->pending; *pp;) {
            struct xsd_local_event *e = *pp;

            if (e->watch == w) {
                *pp = e->next;
                srv->npending--;
                local_event_free(e);
            } else {
                pp = &e->next;
                srv->pending_tail = pp;
            }
        }
        while (srv->delivering == w && srv->running &&
               !pthread_equal(pthread_self(), srv->thread))
            pthread_cond_wait(&srv->delivered, &srv->lock);
        free(w->path);
        free(w->abs);
        free(w->token);
        free(w);
    }
    pthread_mutex_unlock(&srv->lock);
    free(abs);
    return w ? 0 : -ENOENT;
}
