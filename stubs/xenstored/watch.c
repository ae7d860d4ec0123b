/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch.c - watches and watch events of xensim's xenstored.
 *
 * Each connection keeps a singly linked list of its watches (bounded by
 * limits.max_watches). A change fires every watch whose path is the
 * changed path or one of its ancestors; a removal also fires the watches
 * registered exactly on each removed descendant. Special watches
 * ("@introduceDomain", "@releaseDomain") match only their own name.
 * Unprivileged connections only get events for nodes they may read, and
 * no special events. Events of a transaction are recorded and fired on
 * commit. Events are queued on the connection's output; a connection
 * whose queue grows past its limit is marked dead (see server.c).
 * Everything here runs under srv->lock.
 */
#include "stubs/xenstored/private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void watch_free(struct xsd_watch *w)
{
    free(w->path);
    free(w->abs);
    free(w->token);
    free(w);
}

static void send_event(struct xsd_server *srv, struct xsd_conn *c,
                       const struct xsd_watch *w, const char *path)
{
    char buf[XENSTORE_ABS_PATH_MAX + XENSTORE_PAYLOAD_MAX + 2];
    size_t plen, tlen;

    if (w->strip && strlen(path) > w->strip)
        path += w->strip;
    if (c->local) {
        xsd_local_queue(srv, w, path);
        return;
    }
    plen = strlen(path) + 1;
    tlen = strlen(w->token) + 1;
    if (plen + tlen > XENSTORE_PAYLOAD_MAX)
        return; /* the registration bounded both; cannot happen */
    memcpy(buf, path, plen);
    memcpy(buf + plen, w->token, tlen);
    xsd_conn_send(srv, c, XS_WATCH_EVENT, 0, 0, buf, plen + tlen, true);
}

int xsd_watch_add(struct xsd_server *srv, struct xsd_conn *c,
                  const char *path, const char *token)
{
    struct xsd_watch *w;
    char *abs;
    int r;

    if (strlen(path) + strlen(token) + 2 > XENSTORE_PAYLOAD_MAX)
        return -EINVAL;
    r = xsd_canon(c->domid, path, true, &abs);
    if (r)
        return r;
    for (w = c->watches; w; w = w->next) {
        if (!strcmp(w->abs, abs) && !strcmp(w->token, token)) {
            free(abs);
            return -EEXIST;
        }
    }
    if (c->nwatches >= srv->limits.max_watches) {
        free(abs);
        return -E2BIG;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        free(abs);
        return -ENOMEM;
    }
    w->abs = abs;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        watch_free(w);
        return -ENOMEM;
    }
    if (path[0] != '/' && path[0] != '@')
        w->strip = strlen(abs) - strlen(path);
    w->next = c->watches;
    c->watches = w;
    c->nwatches++;
    return 0;
}

int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token)
{
    char *abs;
    int r = xsd_canon(c->domid, path, true, &abs);

    if (r)
        return r;
    for (struct xsd_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct xsd_watch *w = *pp;

        if (!strcmp(w->abs, abs) && !strcmp(w->token, token)) {
            *pp = w->next;
            watch_free(w);
            c->nwatches--;
            free(abs);
            return 0;
        }
    }
    free(abs);
    return -ENOENT;
}

void xsd_watch_free_all(struct xsd_conn *c)
{
    while (c->watches) {
        struct xsd_watch *w = c->watches;

        c->watches = w->next;
        watch_free(w);
    }
    c->nwatches = 0;
}

/* Is @path equal to @dir or below it? */
static bool is_at_or_below(const char *path, const char *dir)
{
    size_t l = strlen(dir);

    if (!strcmp(dir, "/"))
        return path[0] == '/';
    return !strncmp(path, dir, l) && (path[l] == '\0' || path[l] == '/');
}

static void fire_conn(struct xsd_server *srv, struct xsd_conn *c,
                      const char *path, const struct xsd_perm *perms,
                      uint32_t nperms, bool exact)
{
    struct xsd_ctx cc = { .srv = srv, .domid = c->domid, .priv = c->priv };
    bool special = path[0] == '@';

    if (c->dead)
        return;
    if (special ? !c->priv
                : !(xsd_perm_for(&cc, perms, nperms) & XSD_PERM_READ))
        return;
    for (struct xsd_watch *w = c->watches; w && !c->dead; w = w->next) {
        bool hit = (exact || special) ? !strcmp(w->abs, path)
                                      : w->abs[0] == '/' &&
                                            is_at_or_below(path, w->abs);

        if (hit)
            send_event(srv, c, w, path);
    }
}

void xsd_fire(struct xsd_server *srv, const char *path,
              const struct xsd_perm *perms, uint32_t nperms, bool exact)
{
    for (struct xsd_conn *c = srv->conns; c; c = c->next)
        fire_conn(srv, c, path, perms, nperms, exact);
    if (srv->local)
        fire_conn(srv, srv->local, path, perms, nperms, exact);
}

void xsd_event(struct xsd_ctx *ctx, const char *path,
               const struct xsd_perm *perms, uint32_t nperms, bool exact)
{
    struct xsd_tx *tx = ctx->tx;
    struct xsd_event *e;

    if (!tx) {
        xsd_fire(ctx->srv, path, perms, nperms, exact);
        return;
    }
    e = calloc(1, sizeof(*e));
    if (!e)
        return;
    e->path = strdup(path);
    e->perms = malloc(nperms * sizeof(*perms));
    if (!e->path || !e->perms) {
        free(e->path);
        free(e->perms);
        free(e);
        return;
    }
    memcpy(e->perms, perms, nperms * sizeof(*perms));
    e->nperms = nperms;
    e->exact = exact;
    *tx->events_tail = e;
    tx->events_tail = &e->next;
    tx->nevents++;
}

void xsd_watch_fire_initial(struct xsd_server *srv, struct xsd_conn *c)
{
    /* The newest watch is at the head of the list. */
    if (c->watches)
        send_event(srv, c, c->watches, c->watches->abs);
}
