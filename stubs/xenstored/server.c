/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server.c - sockets, connections, the poll loop and the public API of
 * xensim's xenstored.
 *
 * Data: a list of listening sockets (the main one, dom0, and one per
 * xsd_server_add_domain_socket()) and a list of client connections, each
 * with an input buffer for the message being received and an output
 * buffer of queued replies and watch events.
 *
 * Threading: one mutex (srv->lock) guards all server state. The server
 * thread holds it except while blocked in poll(). The public helpers take
 * it from any thread and then kick the loop through an eventfd so queued
 * output is flushed and new sockets are polled. Objects created or freed
 * while poll() runs are harmless: each listener/connection remembers its
 * slot in the pollfd array (-1 when created after the array was built)
 * and freed objects are simply no longer in the lists when the loop
 * looks at the results.
 *
 * Robustness: a header announcing more than XENSTORE_PAYLOAD_MAX bytes,
 * EOF or a socket error closes the connection; a client that does not
 * read its replies stops being read (back-pressure); one that lets watch
 * events pile up past limits.max_out_bytes is dropped. At most 64
 * requests are handled per connection per loop iteration, so one busy
 * client cannot starve the others.
 *
 * Each loop iteration first runs queued in-process watch callbacks
 * (local.c, lock dropped around each call), then flushes output, reaps
 * dead connections, polls, accepts and reads.
 */
#include "stubs/xenstored/private.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define HDR_LEN sizeof(struct xsd_sockmsg)
/* Stop reading a client's requests while this much output is queued. */
#define OUT_SOFT_LIMIT (64u * 1024)
#define MSGS_PER_ROUND 64

void xsd_server_kick(struct xsd_server *srv)
{
    uint64_t one = 1;

    if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
        /* EAGAIN: the counter is already non-zero, the loop wakes. */
    }
}

int xsd_conn_send(struct xsd_server *srv, struct xsd_conn *c, uint32_t type,
                  uint32_t req_id, uint32_t tx_id, const void *data,
                  size_t len, bool is_event)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = req_id,
                               .tx_id = tx_id, .len = (uint32_t)len };
    size_t pending = c->out_len - c->out_off;

    if (c->dead)
        return -EPIPE;
    if (is_event && pending + HDR_LEN + len > srv->limits.max_out_bytes) {
        log_warn_rl(&srv->rl, "xenstored: dom%u does not read its watch "
                    "events; dropping the connection", c->domid);
        c->dead = true;
        return -ENOBUFS;
    }
    if (c->out_off) {
        memmove(c->out, c->out + c->out_off, pending);
        c->out_off = 0;
        c->out_len = pending;
    }
    if (c->out_len + HDR_LEN + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        uint8_t *p;

        while (cap < c->out_len + HDR_LEN + len)
            cap *= 2;
        p = realloc(c->out, cap);
        if (!p) {
            c->dead = true;
            return -ENOMEM;
        }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, &hdr, HDR_LEN);
    if (len)
        memcpy(c->out + c->out_len + HDR_LEN, data, len);
    c->out_len += HDR_LEN + len;
    return 0;
}

static void conn_flush(struct xsd_conn *c)
{
    while (!c->dead && c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c->dead = true;
            return;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
}

static void conn_free(struct xsd_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    xsd_watch_free_all(c);
    while (c->txs) {
        struct xsd_tx *tx = c->txs;

        c->txs = tx->next;
        xsd_tx_free(tx);
    }
    free(c->out);
    free(c);
}

/* Free the connections marked dead (all of them if @all). */
static unsigned int reap_conns(struct xsd_server *srv, bool all)
{
    unsigned int n = 0;

    for (struct xsd_conn **pp = &srv->conns; *pp;) {
        struct xsd_conn *c = *pp;

        if (c->dead || all) {
            *pp = c->next;
            conn_free(c);
            srv->nconns--;
            n++;
        } else {
            pp = &c->next;
        }
    }
    return n;
}

static void conn_read(struct xsd_server *srv, struct xsd_conn *c)
{
    for (int msgs = 0; msgs < MSGS_PER_ROUND && !c->dead;) {
        uint8_t *dst;
        size_t want;
        ssize_t n;

        if (c->out_len - c->out_off > OUT_SOFT_LIMIT)
            return;
        if (c->in_got < HDR_LEN) {
            dst = (uint8_t *)&c->hdr + c->in_got;
            want = HDR_LEN - c->in_got;
        } else {
            dst = c->in + (c->in_got - HDR_LEN);
            want = HDR_LEN + c->hdr.len - c->in_got;
        }
        if (want) {
            n = recv(c->fd, dst, want, MSG_DONTWAIT);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            if (n <= 0) {
                c->dead = true;
                return;
            }
            c->in_got += (size_t)n;
            if (c->in_got == HDR_LEN && c->hdr.len > XENSTORE_PAYLOAD_MAX) {
                log_warn_rl(&srv->rl, "xenstored: dom%u sent a %u-byte "
                            "payload; dropping the connection", c->domid,
                            c->hdr.len);
                c->dead = true;
                return;
            }
        }
        if (c->in_got >= HDR_LEN && c->in_got == HDR_LEN + c->hdr.len) {
            c->in[c->hdr.len] = '\0';
            xsd_handle_msg(srv, c);
            c->in_got = 0;
            msgs++;
        }
    }
}

static void accept_conns(struct xsd_server *srv, struct xsd_listener *l)
{
    for (int i = 0; i < 16; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct xsd_conn *c;

        if (fd < 0)
            return;
        if (srv->nconns >= srv->limits.max_connections) {
            log_warn_rl(&srv->rl, "xenstored: too many connections");
            close(fd);
            continue;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        c->domid = l->domid;
        c->priv = l->domid == 0;
        c->pollidx = -1;
        c->next = srv->conns;
        srv->conns = c;
        srv->nconns++;
    }
}

static void *server_thread(void *opaque)
{
    struct xsd_server *srv = opaque;
    struct pollfd *pfd = NULL;
    size_t cap = 0;

    pthread_mutex_lock(&srv->lock);
    while (!srv->stop) {
        size_t n = 1;
        uint64_t cnt;

        xsd_local_deliver(srv);

        for (struct xsd_conn *c = srv->conns; c; c = c->next)
            conn_flush(c);
        reap_conns(srv, false);
        for (struct xsd_listener *l = srv->listeners; l; l = l->next)
            n++;
        n += srv->nconns;
        if (n > cap) {
            struct pollfd *p = realloc(pfd, n * sizeof(*pfd));

            if (!p) {
                log_err("xenstored: out of memory; server thread stops");
                break;
            }
            pfd = p;
            cap = n;
        }
        n = 0;
        pfd[n++] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
        for (struct xsd_listener *l = srv->listeners; l; l = l->next) {
            l->pollidx = (int)n;
            pfd[n++] = (struct pollfd){ .fd = l->fd, .events = POLLIN };
        }
        for (struct xsd_conn *c = srv->conns; c; c = c->next) {
            short ev = 0;

            if (c->out_len - c->out_off <= OUT_SOFT_LIMIT)
                ev |= POLLIN;
            if (c->out_off < c->out_len)
                ev |= POLLOUT;
            c->pollidx = (int)n;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        pthread_mutex_unlock(&srv->lock);
        if (poll(pfd, n, -1) < 0 && errno != EINTR)
            log_err_rl(&srv->rl, "xenstored: poll: %s", strerror(errno));
        pthread_mutex_lock(&srv->lock);
        if ((pfd[0].revents & POLLIN) &&
            read(srv->wake_fd, &cnt, sizeof(cnt)) < 0) {
            /* EAGAIN: another reader drained it; nothing to do */
        }
        for (struct xsd_listener *l = srv->listeners; l; l = l->next)
            if (l->pollidx > 0 && (pfd[l->pollidx].revents & POLLIN))
                accept_conns(srv, l);
        for (struct xsd_conn *c = srv->conns; c; c = c->next) {
            if (c->pollidx > 0 &&
                (pfd[c->pollidx].revents & (POLLIN | POLLHUP | POLLERR)))
                conn_read(srv, c);
        }
        for (struct xsd_listener *l = srv->listeners; l; l = l->next)
            l->pollidx = -1;
        for (struct xsd_conn *c = srv->conns; c; c = c->next)
            c->pollidx = -1;
    }
    pthread_mutex_unlock(&srv->lock);
    free(pfd);
    return NULL;
}

static int listener_add(struct xsd_server *srv, const char *path,
                        uint32_t domid)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct xsd_listener *l, **tail;
    struct stat st;
    int fd, r;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return -EEXIST;
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 16) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    l = calloc(1, sizeof(*l));
    if (!l || !(l->path = strdup(path))) {
        free(l);
        close(fd);
        unlink(path);
        return -ENOMEM;
    }
    l->fd = fd;
    l->domid = domid;
    l->pollidx = -1;
    for (tail = &srv->listeners; *tail; tail = &(*tail)->next)
        ;
    *tail = l;
    return 0;
}

int xsd_server_create(const char *path, const struct xsd_limits *limits,
                      struct xsd_server **out)
{
    static const struct xsd_limits defaults = {
        .max_nodes = 65536, .max_nodes_per_domain = 1000,
        .max_watches = 128, .max_transactions = 10, .max_tx_nodes = 1024,
        .max_connections = 64, .max_out_bytes = 1u << 20,
    };
    struct xsd_server *srv = calloc(1, sizeof(*srv));
    int r;

    if (!srv)
        return -ENOMEM;
    pthread_mutex_init(&srv->lock, NULL);
    srv->limits = defaults;
    if (limits) {
#define LIMIT(f) if (limits->f) srv->limits.f = limits->f
        LIMIT(max_nodes);
        LIMIT(max_nodes_per_domain);
        LIMIT(max_watches);
        LIMIT(max_transactions);
        LIMIT(max_tx_nodes);
        LIMIT(max_connections);
        LIMIT(max_out_bytes);
#undef LIMIT
    }
    pthread_cond_init(&srv->delivered, NULL);
    srv->pending_tail = &srv->pending;
    srv->local = calloc(1, sizeof(*srv->local));
    if (!srv->local) {
        free(srv);
        return -ENOMEM;
    }
    *srv->local = (struct xsd_conn){ .fd = -1, .priv = true, .local = true,
                                     .pollidx = -1 };
    srv->domains = g_hash_table_new(g_direct_hash, g_direct_equal);
    srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    r = srv->wake_fd < 0 ? -errno : xsd_store_init(srv);
    if (!r)
        r = listener_add(srv, path, 0);
    if (r) {
        xsd_server_free(srv);
        return r;
    }
    *out = srv;
    return 0;
}

void xsd_server_free(struct xsd_server *srv)
{
    if (!srv)
        return;
    xsd_server_stop(srv);
    reap_conns(srv, true);
    while (srv->listeners) {
        struct xsd_listener *l = srv->listeners;

        srv->listeners = l->next;
        close(l->fd);
        unlink(l->path);
        free(l->path);
        free(l);
    }
    xsd_local_fini(srv);
    conn_free(srv->local);
    xsd_store_fini(srv);
    if (srv->domains)
        g_hash_table_destroy(srv->domains);
    if (srv->wake_fd >= 0)
        close(srv->wake_fd);
    pthread_cond_destroy(&srv->delivered);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

int xsd_server_run_thread(struct xsd_server *srv)
{
    int r;

    pthread_mutex_lock(&srv->lock);
    if (srv->running) {
        pthread_mutex_unlock(&srv->lock);
        return -EBUSY;
    }
    srv->stop = false;
    r = pthread_create(&srv->thread, NULL, server_thread, srv);
    srv->running = r == 0;
    pthread_mutex_unlock(&srv->lock);
    return -r;
}

void xsd_server_stop(struct xsd_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    if (!srv->running) {
        pthread_mutex_unlock(&srv->lock);
        return;
    }
    srv->stop = true;
    pthread_mutex_unlock(&srv->lock);
    xsd_server_kick(srv);
    pthread_join(srv->thread, NULL);
    pthread_mutex_lock(&srv->lock);
    srv->running = false;
    pthread_mutex_unlock(&srv->lock);
}

const char *xsd_server_path(const struct xsd_server *srv)
{
    return srv->listeners->path;
}

int xsd_server_add_domain_socket(struct xsd_server *srv, uint32_t domid,
                                 char *path_out, size_t path_size)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
    int r;

    pthread_mutex_lock(&srv->lock);
    snprintf(path, sizeof(path), "%s.d%u", srv->listeners->path, domid);
    r = path_out && strlen(path) >= path_size ? -ENAMETOOLONG : 0;
    for (struct xsd_listener *l = srv->listeners; l && !r; l = l->next)
        if (!strcmp(l->path, path))
            r = -EEXIST;
    if (!r)
        r = listener_add(srv, path, domid);
    pthread_mutex_unlock(&srv->lock);
    if (!r && path_out)
        strcpy(path_out, path);
    xsd_server_kick(srv);
    return r;
}

/* Run @fn as dom0 under the lock, then kick the loop to flush events. */
static int as_dom0(struct xsd_server *srv, const char *path,
                   int (*fn)(struct xsd_ctx *, const char *, const void *,
                             size_t),
                   const void *arg, size_t len)
{
    struct xsd_ctx ctx = { .srv = srv, .priv = true };
    char *abs;
    int r = xsd_canon(0, path, false, &abs);

    if (r)
        return r;
    pthread_mutex_lock(&srv->lock);
    r = fn(&ctx, abs, arg, len);
    pthread_mutex_unlock(&srv->lock);
    free(abs);
    xsd_server_kick(srv);
    return r;
}

static int do_write(struct xsd_ctx *ctx, const char *path, const void *v,
                    size_t len)
{
    return xsd_op_write(ctx, path, v, len);
}

static int do_mkdir(struct xsd_ctx *ctx, const char *path, const void *v,
                    size_t len)
{
    return xsd_op_mkdir(ctx, path);
}

static int do_rm(struct xsd_ctx *ctx, const char *path, const void *v,
                 size_t len)
{
    return xsd_op_rm(ctx, path);
}

static int do_set_perms(struct xsd_ctx *ctx, const char *path, const void *v,
                        size_t len)
{
    return xsd_op_set_perms(ctx, path, v, (uint32_t)len);
}

int xsd_server_write(struct xsd_server *srv, const char *path,
                     const void *value, size_t len)
{
    if (len + strlen(path) + 1 > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    return as_dom0(srv, path, do_write, value, len);
}

int xsd_server_mkdir(struct xsd_server *srv, const char *path)
{
    return as_dom0(srv, path, do_mkdir, NULL, 0);
}

int xsd_server_rm(struct xsd_server *srv, const char *path)
{
    return as_dom0(srv, path, do_rm, NULL, 0);
}

int xsd_server_set_perms(struct xsd_server *srv, const char *path,
                         const struct xsd_perm *perms, unsigned int n)
{
    return as_dom0(srv, path, do_set_perms, perms, n);
}

int xsd_server_read(struct xsd_server *srv, const char *path, char **value,
                    size_t *len)
{
    struct xsd_ctx ctx = { .srv = srv, .priv = true };
    const struct xsd_node *n;
    char *abs;
    int r = xsd_canon(0, path, false, &abs);

    if (r)
        return r;
    pthread_mutex_lock(&srv->lock);
    r = xsd_lookup(&ctx, abs, XSD_PERM_READ, &n);
    if (!r) {
        *value = malloc(n->len + 1u);
        if (*value) {
            if (n->len)
                memcpy(*value, n->value, n->len);
            (*value)[n->len] = '\0';
            if (len)
                *len = n->len;
        } else {
            r = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&srv->lock);
    free(abs);
    return r;
}

int xsd_server_introduce_domain(struct xsd_server *srv, uint32_t domid)
{
    static const struct xsd_perm none = { 0, XSD_PERM_NONE };

    if (domid == 0 || domid > UINT16_MAX)
        return -EINVAL;
    pthread_mutex_lock(&srv->lock);
    if (g_hash_table_add(srv->domains, GUINT_TO_POINTER(domid)))
        xsd_fire(srv, "@introduceDomain", &none, 1, true);
    pthread_mutex_unlock(&srv->lock);
    xsd_server_kick(srv);
    return 0;
}

int xsd_server_release_domain(struct xsd_server *srv, uint32_t domid)
{
    static const struct xsd_perm none = { 0, XSD_PERM_NONE };
    int r = -ENOENT;

    pthread_mutex_lock(&srv->lock);
    if (g_hash_table_remove(srv->domains, GUINT_TO_POINTER(domid))) {
        xsd_fire(srv, "@releaseDomain", &none, 1, true);
        r = 0;
    }
    pthread_mutex_unlock(&srv->lock);
    xsd_server_kick(srv);
    return r;
}

unsigned int xsd_server_drop_connections(struct xsd_server *srv)
{
    unsigned int n;

    pthread_mutex_lock(&srv->lock);
    n = reap_conns(srv, true);
    pthread_mutex_unlock(&srv->lock);
    xsd_server_kick(srv);
    return n;
}

unsigned int xsd_server_connection_count(struct xsd_server *srv)
{
    unsigned int n = 0;

    pthread_mutex_lock(&srv->lock);
    for (struct xsd_conn *c = srv->conns; c; c = c->next)
        n += !c->dead;
    pthread_mutex_unlock(&srv->lock);
    return n;
}
