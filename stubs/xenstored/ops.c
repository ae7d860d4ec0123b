/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.c - one xenstore request: argument parsing, dispatch by type,
 * reply.
 *
 * server.c has received the header into c->hdr and hdr.len (<=
 * XENSTORE_PAYLOAD_MAX) payload bytes into c->in (one spare byte is NUL).
 * Arguments are NUL-terminated strings; a request whose strings are not
 * terminated, or that has the wrong number of them, gets EINVAL. Errors
 * go back as XS_ERROR with the errno's name, as the real daemon does.
 * Everything here runs under srv->lock.
 */
#include "stubs/xenstored/private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS (XSD_MAX_PERMS + 1)
/* Events a transaction may queue for its commit. */
#define MAX_TX_EVENTS 4096

static void send_error(struct xsd_server *srv, struct xsd_conn *c, int err)
{
    const char *name = "EIO";

    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
        if (xsd_errors[i].errnum == err) {
            name = xsd_errors[i].errstring;
            break;
        }
    }
    xsd_conn_send(srv, c, XS_ERROR, c->hdr.req_id, c->hdr.tx_id, name,
                  strlen(name) + 1, false);
}

static void send_reply(struct xsd_server *srv, struct xsd_conn *c,
                       const void *data, size_t len)
{
    xsd_conn_send(srv, c, c->hdr.type, c->hdr.req_id, c->hdr.tx_id, data,
                  len, false);
}

static void send_str(struct xsd_server *srv, struct xsd_conn *c,
                     const char *s)
{
    send_reply(srv, c, s, strlen(s) + 1);
}

/* Split the payload into its NUL-terminated strings; Return: their count
 * (0 for an empty payload), or -1 if the payload does not end with a NUL
 * or has too many. */
static int split_args(const uint8_t *p, uint32_t len, const char **argv)
{
    int n = 0;

    if (len == 0)
        return 0;
    if (p[len - 1] != '\0')
        return -1;
    for (uint32_t off = 0; off < len;) {
        if (n == MAX_ARGS)
            return -1;
        argv[n++] = (const char *)p + off;
        off += (uint32_t)strlen((const char *)p + off) + 1;
    }
    return n;
}

static int parse_domid(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9')
        return -EINVAL;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*end || errno || v > UINT16_MAX)
        return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

static struct xsd_tx *find_tx(struct xsd_conn *c, uint32_t id)
{
    for (struct xsd_tx *t = c->txs; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

static int do_directory_part(struct xsd_server *srv, struct xsd_conn *c,
                             const struct xsd_node *n, const char *offstr)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    char *end;
    unsigned long off;
    size_t glen, len = 0, max;

    errno = 0;
    off = strtoul(offstr, &end, 10);
    if (offstr[0] < '0' || offstr[0] > '9' || *end || errno)
        return -EINVAL;
    glen = (size_t)snprintf(buf, sizeof(buf), "%llu",
                            (unsigned long long)n->gen) + 1;
    max = sizeof(buf) - glen - 1;
    if (off < n->childlen) {
        /* Whole names only: off must start one. */
        if (off && n->children[off - 1] != '\0')
            return -EINVAL;
        while (off + len < n->childlen) {
            size_t l = strlen(n->children + off + len) + 1;

            if (len + l > max)
                break;
            len += l;
        }
        memcpy(buf + glen, n->children + off, len);
    }
    if (off + len >= n->childlen)
        buf[glen + len++] = '\0'; /* end of the list */
    send_reply(srv, c, buf, glen + len);
    return 0;
}

/* Requests that read or write nodes (and may run in a transaction). */
static int node_request(struct xsd_server *srv, struct xsd_conn *c,
                        int argc, const char **argv)
{
    struct xsd_ctx ctx = { .srv = srv, .domid = c->domid, .priv = c->priv };
    uint32_t type = c->hdr.type;
    const struct xsd_node *n;
    struct xsd_perm *perms;
    char buf[XENSTORE_PAYLOAD_MAX];
    char *path;
    int r;

    if (c->hdr.tx_id) {
        ctx.tx = find_tx(c, c->hdr.tx_id);
        if (!ctx.tx)
            return -ENOENT;
        if (type != XS_READ && type != XS_DIRECTORY &&
            type != XS_DIRECTORY_PART && type != XS_GET_PERMS &&
            ctx.tx->nevents >= MAX_TX_EVENTS)
            return -ENOSPC;
    }
    if (argc < 1)
        return -EINVAL;
    r = xsd_canon(c->domid, argv[0], false, &path);
    if (r)
        return r;
    switch (type) {
    case XS_READ:
    case XS_DIRECTORY:
    case XS_GET_PERMS:
    case XS_DIRECTORY_PART:
        r = argc == (type == XS_DIRECTORY_PART ? 2 : 1) ? 0 : -EINVAL;
        if (!r)
            r = xsd_lookup(&ctx, path, XSD_PERM_READ, &n);
        if (r)
            break;
        if (type == XS_READ) {
            send_reply(srv, c, n->value, n->len);
        } else if (type == XS_DIRECTORY) {
            if (n->childlen > XENSTORE_PAYLOAD_MAX)
                r = -E2BIG;
            else
                send_reply(srv, c, n->children, n->childlen);
        } else if (type == XS_GET_PERMS) {
            r = xsd_perms_format(n->perms, n->nperms, buf, sizeof(buf));
            if (r > 0) {
                send_reply(srv, c, buf, (size_t)r);
                r = 0;
            }
        } else {
            r = do_directory_part(srv, c, n, argv[1]);
        }
        break;
    case XS_WRITE: {
        size_t plen = strlen(argv[0]) + 1;

        r = xsd_op_write(&ctx, path, c->in + plen, c->hdr.len - plen);
        break;
    }
    case XS_MKDIR:
        r = argc == 1 ? xsd_op_mkdir(&ctx, path) : -EINVAL;
        break;
    case XS_RM:
        r = argc == 1 ? xsd_op_rm(&ctx, path) : -EINVAL;
        break;
    case XS_SET_PERMS:
        r = xsd_perms_parse(argv + 1, (unsigned int)argc - 1, &perms);
        if (r)
            break;
        r = xsd_op_set_perms(&ctx, path, perms, (uint32_t)argc - 1);
        free(perms);
        break;
    default:
        r = -EINVAL;
    }
    free(path);
    if (!r && type != XS_READ && type != XS_DIRECTORY &&
        type != XS_GET_PERMS && type != XS_DIRECTORY_PART)
        send_str(srv, c, "OK");
    return r;
}

static int tx_request(struct xsd_server *srv, struct xsd_conn *c, int argc,
                      const char **argv)
{
    struct xsd_tx *tx, **pp;
    char buf[16];
    int r = 0;

    if (c->hdr.type == XS_TRANSACTION_START) {
        if (c->hdr.tx_id)
            return -EBUSY;
        if (c->ntxs >= srv->limits.max_transactions)
            return -ENOSPC;
        if (++srv->next_txid == 0)
            srv->next_txid = 1;
        tx = xsd_tx_new(srv->next_txid);
        if (!tx)
            return -ENOMEM;
        tx->next = c->txs;
        c->txs = tx;
        c->ntxs++;
        snprintf(buf, sizeof(buf), "%u", tx->id);
        send_str(srv, c, buf);
        return 0;
    }
    if (argc != 1 || (strcmp(argv[0], "T") && strcmp(argv[0], "F")))
        return -EINVAL;
    for (pp = &c->txs; *pp && (*pp)->id != c->hdr.tx_id; pp = &(*pp)->next)
        ;
    tx = *pp;
    if (!tx || !c->hdr.tx_id)
        return -ENOENT;
    *pp = tx->next;
    c->ntxs--;
    if (argv[0][0] == 'T')
        r = xsd_tx_commit(srv, tx);
    xsd_tx_free(tx);
    if (!r)
        send_str(srv, c, "OK");
    return r;
}

static int domain_request(struct xsd_server *srv, struct xsd_conn *c,
                          int argc, const char **argv)
{
    static const struct xsd_perm none = { 0, XSD_PERM_NONE };
    uint32_t type = c->hdr.type, domid;
    void *key;
    char buf[32];
    bool known;

    if (argc < 1 || parse_domid(argv[0], &domid))
        return -EINVAL;
    key = GUINT_TO_POINTER(domid);
    known = domid == 0 || g_hash_table_contains(srv->domains, key);
    switch (type) {
    case XS_GET_DOMAIN_PATH:
        snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
        send_str(srv, c, buf);
        return 0;
    case XS_IS_DOMAIN_INTRODUCED:
        send_str(srv, c, known ? "T" : "F");
        return 0;
    default:
        break;
    }
    if (!c->priv)
        return -EACCES;
    switch (type) {
    case XS_INTRODUCE:
        if (argc != 3 || domid == 0)
            return -EINVAL;
        if (!known) {
            g_hash_table_add(srv->domains, key);
            xsd_fire(srv, "@introduceDomain", &none, 1, true);
        }
        break;
    case XS_RELEASE:
        if (argc != 1 || domid == 0)
            return -EINVAL;
        if (!known)
            return -ENOENT;
        g_hash_table_remove(srv->domains, key);
        xsd_fire(srv, "@releaseDomain", &none, 1, true);
        break;
    case XS_RESUME:
        if (!known)
            return -ENOENT;
        break;
    case XS_SET_TARGET:
        if (argc != 2 || parse_domid(argv[1], &domid))
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    send_str(srv, c, "OK");
    return 0;
}

static int control_request(struct xsd_server *srv, struct xsd_conn *c,
                           int argc, const char **argv)
{
    if (!c->priv)
        return -EACCES;
    if (argc < 1)
        return -EINVAL;
    if (!strcmp(argv[0], "check") || !strcmp(argv[0], "log") ||
        !strcmp(argv[0], "logfile") || !strcmp(argv[0], "memreport")) {
        send_str(srv, c, "OK");
    } else if (!strcmp(argv[0], "print")) {
        log_info("xenstored: %s", argc > 1 ? argv[1] : "");
        send_str(srv, c, "OK");
    } else if (!strcmp(argv[0], "help")) {
        send_str(srv, c, "check\nhelp\nlog\nlogfile\nmemreport\nprint\n");
    } else {
        return -EINVAL;
    }
    return 0;
}

void xsd_handle_msg(struct xsd_server *srv, struct xsd_conn *c)
{
    const char *argv[MAX_ARGS];
    int argc = split_args(c->in, c->hdr.len, argv);
    int r;

    if (argc < 0 && c->hdr.type != XS_WRITE &&
        c->hdr.type != XS_TRANSACTION_START) {
        send_error(srv, c, EINVAL);
        return;
    }
    switch (c->hdr.type) {
    case XS_WRITE:
        /* path NUL value: the value may hold anything */
        if (!memchr(c->in, '\0', c->hdr.len)) {
            r = -EINVAL;
            break;
        }
        argv[0] = (const char *)c->in;
        r = node_request(srv, c, 1, argv);
        break;
    case XS_READ:
    case XS_DIRECTORY:
    case XS_DIRECTORY_PART:
    case XS_GET_PERMS:
    case XS_MKDIR:
    case XS_RM:
    case XS_SET_PERMS:
        r = node_request(srv, c, argc, argv);
        break;
    case XS_WATCH:
    case XS_UNWATCH:
        if (argc < 2) {
            r = -EINVAL;
        } else if (c->hdr.type == XS_UNWATCH) {
            r = xsd_watch_del(c, argv[0], argv[1]);
            if (!r)
                send_str(srv, c, "OK");
        } else {
            r = xsd_watch_add(srv, c, argv[0], argv[1]);
            if (!r) {
                send_str(srv, c, "OK");
                xsd_watch_fire_initial(srv, c);
            }
        }
        break;
    case XS_TRANSACTION_START:
    case XS_TRANSACTION_END:
        r = tx_request(srv, c, argc, argv);
        break;
    case XS_INTRODUCE:
    case XS_RELEASE:
    case XS_GET_DOMAIN_PATH:
    case XS_IS_DOMAIN_INTRODUCED:
    case XS_RESUME:
    case XS_SET_TARGET:
        r = domain_request(srv, c, argc, argv);
        break;
    case XS_RESET_WATCHES:
        xsd_watch_free_all(c);
        while (c->txs) {
            struct xsd_tx *tx = c->txs;

            c->txs = tx->next;
            xsd_tx_free(tx);
        }
        c->ntxs = 0;
        send_str(srv, c, "OK");
        r = 0;
        break;
    case XS_CONTROL:
        r = control_request(srv, c, argc, argv);
        break;
    default:
        log_warn_rl(&srv->rl, "xenstored: dom%u sent unknown type %u",
                    c->domid, c->hdr.type);
        r = -EINVAL;
    }
    if (r)
        send_error(srv, c, r);
}
