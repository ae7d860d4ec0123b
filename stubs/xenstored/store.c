/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c - the node store, permissions and transactions of xensim's
 * xenstored.
 *
 * The committed store is a hash table from absolute path to struct
 * xsd_node; each node keeps its children's names (in creation order) so
 * the tree can be walked. Every node stored gets a new generation from
 * the server's counter.
 *
 * A transaction is an overlay: the first time it touches a path it copies
 * the committed node (or notes its absence) together with the node's
 * generation; later reads and writes use the copy. On commit every path
 * touched must still carry the generation seen, otherwise the commit fails
 * with EAGAIN (someone changed what the transaction read or wrote); if
 * all match, the modified copies replace the committed nodes and the
 * events recorded during the transaction fire.
 *
 * Operations go through four primitives (node_get, node_put, node_del on
 * a struct xsd_ctx), so the same code runs with and without transaction.
 * Everything here runs under srv->lock.
 */
#include "stubs/xenstored/private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
           c == '@';
}

int xsd_canon(uint32_t domid, const char *in, bool allow_special, char **out)
{
    size_t inlen = strlen(in);
    char *abs;

    if (in[0] == '@') {
        if (!allow_special || inlen > XENSTORE_REL_PATH_MAX)
            return -EINVAL;
        for (size_t i = 1; i < inlen; i++)
            if (!valid_char(in[i]) || in[i] == '/')
                return -EINVAL;
        abs = strdup(in);
    } else if (in[0] == '/') {
        if (inlen > XENSTORE_ABS_PATH_MAX)
            return -EINVAL;
        abs = strdup(in);
    } else {
        if (inlen == 0 || inlen > XENSTORE_REL_PATH_MAX)
            return -EINVAL;
        if (asprintf(&abs, "/local/domain/%u/%s", domid, in) < 0)
            abs = NULL;
    }
    if (!abs)
        return -ENOMEM;
    if (abs[0] == '/') {
        size_t len = strlen(abs);
        bool ok = len <= XENSTORE_ABS_PATH_MAX && !strstr(abs, "//") &&
                  (len == 1 || abs[len - 1] != '/');

        for (size_t i = 0; ok && i < len; i++)
            ok = valid_char(abs[i]);
        if (!ok) {
            free(abs);
            return -EINVAL;
        }
    }
    *out = abs;
    return 0;
}

uint32_t xsd_perm_for(const struct xsd_ctx *ctx, const struct xsd_perm *perms,
                      uint32_t nperms)
{
    if (ctx->priv || perms[0].domid == ctx->domid)
        return XSD_PERM_BOTH | XSD_PERM_OWNER;
    for (uint32_t i = 1; i < nperms; i++)
        if (perms[i].domid == ctx->domid)
            return perms[i].perm;
    return perms[0].perm;
}

int xsd_perms_parse(const char *const *strs, unsigned int n,
                    struct xsd_perm **out)
{
    struct xsd_perm *p;

    if (n == 0 || n > XSD_MAX_PERMS)
        return -EINVAL;
    p = calloc(n, sizeof(*p));
    if (!p)
        return -ENOMEM;
    for (unsigned int i = 0; i < n; i++) {
        const char *s = strs[i];
        char *end;
        unsigned long id;

        switch (s[0]) {
        case 'n': p[i].perm = XSD_PERM_NONE; break;
        case 'r': p[i].perm = XSD_PERM_READ; break;
        case 'w': p[i].perm = XSD_PERM_WRITE; break;
        case 'b': p[i].perm = XSD_PERM_BOTH; break;
        default: free(p); return -EINVAL;
        }
        errno = 0;
        id = strtoul(s + 1, &end, 10);
        if (s[1] < '0' || s[1] > '9' || *end || errno || id > UINT16_MAX) {
            free(p);
            return -EINVAL;
        }
        p[i].domid = (uint32_t)id;
    }
    *out = p;
    return 0;
}

int xsd_perms_format(const struct xsd_perm *perms, uint32_t n, char *buf,
                     size_t size)
{
    static const char letters[] = "nrwb";
    size_t off = 0;

    for (uint32_t i = 0; i < n; i++) {
        int r = snprintf(buf + off, size - off, "%c%u",
                         letters[perms[i].perm & 3], perms[i].domid);

        if (r < 0 || (size_t)r + 1 > size - off)
            return -E2BIG;
        off += (size_t)r + 1; /* keep the NUL as separator */
    }
    return (int)off;
}

void xsd_node_free(struct xsd_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->value);
    free(n->perms);
    free(n->children);
    free(n);
}

static void *memdup(const void *src, size_t len)
{
    void *p;

    if (len == 0)
        return NULL;
    p = malloc(len);
    if (p)
        memcpy(p, src, len);
    return p;
}

static struct xsd_node *node_new(const char *path, const void *value,
                                 size_t len, const struct xsd_perm *perms,
                                 uint32_t nperms)
{
    struct xsd_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->path = strdup(path);
    n->value = memdup(value, len);
    n->len = (uint32_t)len;
    n->perms = memdup(perms, nperms * sizeof(*perms));
    n->nperms = nperms;
    if (!n->path || (len && !n->value) || !n->perms) {
        xsd_node_free(n);
        return NULL;
    }
    return n;
}

static struct xsd_node *node_dup(const struct xsd_node *o)
{
    struct xsd_node *n = node_new(o->path, o->value, o->len, o->perms,
                                  o->nperms);

    if (!n)
        return NULL;
    n->children = memdup(o->children, o->childlen);
    n->childlen = o->childlen;
    n->gen = o->gen;
    if (o->childlen && !n->children) {
        xsd_node_free(n);
        return NULL;
    }
    return n;
}

static uint32_t owner_count(struct xsd_server *srv, uint32_t domid)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(srv->owners,
                                                GUINT_TO_POINTER(domid)));
}

static void owner_add(struct xsd_server *srv, const struct xsd_node *n, int d)
{
    uint32_t c = owner_count(srv, n->perms[0].domid) + (uint32_t)d;

    if (c)
        g_hash_table_insert(srv->owners, GUINT_TO_POINTER(n->perms[0].domid),
                            GUINT_TO_POINTER(c));
    else
        g_hash_table_remove(srv->owners, GUINT_TO_POINTER(n->perms[0].domid));
}

/* Store @n (owned) in the committed store, replacing its path's node. */
static void main_put(struct xsd_server *srv, struct xsd_node *n)
{
    struct xsd_node *old = g_hash_table_lookup(srv->nodes, n->path);

    if (old)
        owner_add(srv, old, -1);
    owner_add(srv, n, 1);
    n->gen = ++srv->gen;
    g_hash_table_replace(srv->nodes, n->path, n);
}

static void main_del(struct xsd_server *srv, const char *path)
{
    struct xsd_node *old = g_hash_table_lookup(srv->nodes, path);

    if (old) {
        owner_add(srv, old, -1);
        g_hash_table_remove(srv->nodes, path);
    }
}

static void txnode_free(void *p)
{
    struct xsd_txnode *tn = p;

    xsd_node_free(tn->node);
    free(tn);
}

/* The transaction's entry for @path, created on first access (at most
 * limits.max_tx_nodes paths per transaction: -ENOSPC beyond). */
static int tx_entry(struct xsd_ctx *ctx, const char *path,
                    struct xsd_txnode **out)
{
    struct xsd_txnode *tn = g_hash_table_lookup(ctx->tx->nodes, path);
    const struct xsd_node *cur;

    if (tn) {
        *out = tn;
        return 0;
    }
    if (g_hash_table_size(ctx->tx->nodes) >= ctx->srv->limits.max_tx_nodes)
        return -ENOSPC;
    tn = calloc(1, sizeof(*tn));
    if (!tn)
        return -ENOMEM;
    cur = g_hash_table_lookup(ctx->srv->nodes, path);
    if (cur) {
        tn->node = node_dup(cur);
        if (!tn->node) {
            free(tn);
            return -ENOMEM;
        }
        tn->base_gen = cur->gen;
    }
    g_hash_table_insert(ctx->tx->nodes, g_strdup(path), tn);
    *out = tn;
    return 0;
}

static int node_get(struct xsd_ctx *ctx, const char *path,
                    const struct xsd_node **out)
{
    struct xsd_txnode *tn;
    int r;

    if (!ctx->tx) {
        *out = g_hash_table_lookup(ctx->srv->nodes, path);
        return 0;
    }
    r = tx_entry(ctx, path, &tn);
    if (r)
        return r;
    *out = tn->node;
    return 0;
}

/* Store @n (owned, freed on failure). */
static int node_put(struct xsd_ctx *ctx, struct xsd_node *n)
{
    struct xsd_txnode *tn;
    int r;

    if (!ctx->tx) {
        main_put(ctx->srv, n);
        return 0;
    }
    r = tx_entry(ctx, n->path, &tn);
    if (r) {
        xsd_node_free(n);
        return r;
    }
    xsd_node_free(tn->node);
    tn->node = n;
    tn->modified = true;
    return 0;
}

static int node_del(struct xsd_ctx *ctx, const char *path)
{
    struct xsd_txnode *tn;
    int r;

    if (!ctx->tx) {
        main_del(ctx->srv, path);
        return 0;
    }
    r = tx_entry(ctx, path, &tn);
    if (r)
        return r;
    xsd_node_free(tn->node);
    tn->node = NULL;
    tn->modified = true;
    return 0;
}

/* Parent of absolute @path ("/" for top-level nodes); NULL for "/". */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!path[1])
        return NULL;
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int xsd_lookup(struct xsd_ctx *ctx, const char *path, uint32_t want,
               const struct xsd_node **out)
{
    const struct xsd_node *n;
    char *p;
    int r = node_get(ctx, path, &n);

    if (r)
        return r;
    if (n) {
        if ((xsd_perm_for(ctx, n->perms, n->nperms) & want) != want)
            return -EACCES;
        *out = n;
        return 0;
    }
    /* Missing: ENOENT only if the nearest existing ancestor allows the
     * access (reading, or creating below it); otherwise EACCES. */
    p = strdup(path);
    if (!p)
        return -ENOMEM;
    while (!n) {
        char *up = parent_of(p);

        free(p);
        if (!up)
            return -ENOENT; /* no root: cannot happen */
        p = up;
        r = node_get(ctx, p, &n);
        if (r) {
            free(p);
            return r;
        }
    }
    free(p);
    want &= XSD_PERM_BOTH;
    if ((xsd_perm_for(ctx, n->perms, n->nperms) & want) != want)
        return -EACCES;
    return -ENOENT;
}

static int add_child(struct xsd_ctx *ctx, const struct xsd_node *parent,
                     const char *name)
{
    struct xsd_node *p = node_dup(parent);
    size_t nlen = strlen(name) + 1;
    char *c;

    if (!p)
        return -ENOMEM;
    c = realloc(p->children, p->childlen + nlen);
    if (!c) {
        xsd_node_free(p);
        return -ENOMEM;
    }
    memcpy(c + p->childlen, name, nlen);
    p->children = c;
    p->childlen += (uint32_t)nlen;
    return node_put(ctx, p);
}

static int remove_child(struct xsd_ctx *ctx, const struct xsd_node *parent,
                        const char *name)
{
    struct xsd_node *p = node_dup(parent);
    size_t nlen = strlen(name) + 1;

    if (!p)
        return -ENOMEM;
    for (uint32_t off = 0; off < p->childlen;) {
        size_t l = strlen(p->children + off) + 1;

        if (l == nlen && !memcmp(p->children + off, name, nlen)) {
            memmove(p->children + off, p->children + off + l,
                    p->childlen - off - l);
            p->childlen -= (uint32_t)l;
            break;
        }
        off += (uint32_t)l;
    }
    return node_put(ctx, p);
}

/* Create @path and its missing ancestors; the caller checked access. */
static int create_node(struct xsd_ctx *ctx, const char *path,
                       const void *value, size_t len)
{
    struct xsd_server *srv = ctx->srv;
    const struct xsd_node *parent = NULL;
    char *missing[XENSTORE_ABS_PATH_MAX / 2 + 1];
    unsigned int nmiss = 0;
    uint32_t used, owner;
    int r = 0;

    missing[nmiss++] = strdup(path);
    if (!missing[0])
        return -ENOMEM;
    while (!parent) {
        char *up = parent_of(missing[nmiss - 1]);

        if (!up) {
            r = -ENOENT;
            goto out;
        }
        r = node_get(ctx, up, &parent);
        if (r || parent) {
            free(up);
            if (r)
                goto out;
            break;
        }
        missing[nmiss++] = up;
    }
    used = g_hash_table_size(srv->nodes) + (ctx->tx ? ctx->tx->created : 0);
    if (used + nmiss > srv->limits.max_nodes) {
        r = -ENOSPC;
        goto out;
    }
    owner = ctx->priv ? parent->perms[0].domid : ctx->domid;
    if (!ctx->priv &&
        owner_count(srv, owner) + (ctx->tx ? ctx->tx->created : 0) + nmiss >
            srv->limits.max_nodes_per_domain) {
        r = -ENOSPC;
        goto out;
    }
    /* Top-down: each new node inherits its parent's perms; what an
     * unprivileged domain creates, it owns. */
    while (nmiss) {
        char *name = missing[nmiss - 1];
        bool leaf = nmiss == 1;
        struct xsd_node *n = node_new(name, leaf ? value : NULL,
                                      leaf ? len : 0, parent->perms,
                                      parent->nperms);

        if (!n) {
            r = -ENOMEM;
            goto out;
        }
        n->perms[0].domid = owner;
        r = add_child(ctx, parent, strrchr(name, '/') + 1);
        if (!r)
            r = node_put(ctx, n);
        else
            xsd_node_free(n);
        if (r)
            goto out;
        if (ctx->tx)
            ctx->tx->created++;
        r = node_get(ctx, name, &parent);
        if (r)
            goto out;
        free(name);
        nmiss--;
    }
out:
    while (nmiss)
        free(missing[--nmiss]);
    return r;
}

int xsd_op_write(struct xsd_ctx *ctx, const char *path, const void *value,
                 size_t len)
{
    const struct xsd_node *n;
    struct xsd_node *copy;
    int r = xsd_lookup(ctx, path, XSD_PERM_WRITE, &n);

    if (r == -ENOENT) {
        r = create_node(ctx, path, value, len);
    } else if (r == 0) {
        copy = node_dup(n);
        if (!copy)
            return -ENOMEM;
        free(copy->value);
        copy->value = memdup(value, len);
        copy->len = (uint32_t)len;
        if (len && !copy->value) {
            xsd_node_free(copy);
            return -ENOMEM;
        }
        r = node_put(ctx, copy);
    }
    if (r)
        return r;
    r = node_get(ctx, path, &n);
    if (!r && n)
        xsd_event(ctx, path, n->perms, n->nperms, false);
    return r;
}

int xsd_op_mkdir(struct xsd_ctx *ctx, const char *path)
{
    const struct xsd_node *n;
    int r = xsd_lookup(ctx, path, XSD_PERM_WRITE, &n);

    if (r != -ENOENT)
        return r;
    r = create_node(ctx, path, NULL, 0);
    if (r)
        return r;
    r = node_get(ctx, path, &n);
    if (!r && n)
        xsd_event(ctx, path, n->perms, n->nperms, false);
    return r;
}

/* Delete @path's subtree (not its entry in the parent); depth-first. */
static int delete_tree(struct xsd_ctx *ctx, const char *path,
                       unsigned int depth)
{
    const struct xsd_node *n;
    struct xsd_node *copy;
    int r = node_get(ctx, path, &n);

    if (r || !n)
        return r;
    if (depth > XENSTORE_ABS_PATH_MAX / 2)
        return -E2BIG; /* cannot happen with valid paths */
    copy = node_dup(n); /* @n dies in node_del(); keep what we need */
    if (!copy)
        return -ENOMEM;
    for (uint32_t off = 0; off < copy->childlen;) {
        const char *name = copy->children + off;
        char *child;

        off += (uint32_t)strlen(name) + 1;
        if (asprintf(&child, "%s%s%s", path, path[1] ? "/" : "", name) < 0) {
            r = -ENOMEM;
            break;
        }
        r = delete_tree(ctx, child, depth + 1);
        free(child);
        if (r)
            break;
    }
    if (!r) {
        if (depth)
            xsd_event(ctx, path, copy->perms, copy->nperms, true);
        r = node_del(ctx, path);
    }
    xsd_node_free(copy);
    return r;
}

int xsd_op_rm(struct xsd_ctx *ctx, const char *path)
{
    const struct xsd_node *n, *parent;
    struct xsd_perm *perms;
    uint32_t nperms;
    char *up;
    int r;

    if (!strcmp(path, "/"))
        return -EINVAL;
    r = xsd_lookup(ctx, path, XSD_PERM_WRITE, &n);
    up = parent_of(path);
    if (!up)
        return -ENOMEM;
    if (r == -ENOENT) {
        /* Removing a missing node is fine if its parent exists. */
        r = node_get(ctx, up, &parent);
        free(up);
        return r ? r : parent ? 0 : -ENOENT;
    }
    if (r) {
        free(up);
        return r;
    }
    nperms = n->nperms;
    perms = memdup(n->perms, nperms * sizeof(*perms));
    r = perms ? delete_tree(ctx, path, 0) : -ENOMEM;
    if (!r)
        r = node_get(ctx, up, &parent);
    if (!r && parent)
        r = remove_child(ctx, parent, strrchr(path, '/') + 1);
    if (!r)
        xsd_event(ctx, path, perms, nperms, false);
    free(perms);
    free(up);
    return r;
}

int xsd_op_set_perms(struct xsd_ctx *ctx, const char *path,
                     const struct xsd_perm *perms, uint32_t n)
{
    const struct xsd_node *node;
    struct xsd_node *copy;
    struct xsd_perm *np;
    int r = xsd_lookup(ctx, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &node);

    if (r)
        return r;
    if (n == 0 || n > XSD_MAX_PERMS)
        return -EINVAL;
    for (uint32_t i = 0; i < n; i++)
        if (perms[i].perm > XSD_PERM_BOTH)
            return -EINVAL;
    /* An unprivileged owner may not give the node away. */
    if (!ctx->priv && perms[0].domid != node->perms[0].domid)
        return -EPERM;
    copy = node_dup(node);
    np = memdup(perms, n * sizeof(*perms));
    if (!copy || !np) {
        xsd_node_free(copy);
        free(np);
        return -ENOMEM;
    }
    free(copy->perms);
    copy->perms = np;
    copy->nperms = n;
    r = node_put(ctx, copy);
    if (!r)
        xsd_event(ctx, path, perms, n, false);
    return r;
}

struct xsd_tx *xsd_tx_new(uint32_t id)
{
    struct xsd_tx *tx = calloc(1, sizeof(*tx));

    if (!tx)
        return NULL;
    tx->id = id;
    tx->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      txnode_free);
    tx->events_tail = &tx->events;
    return tx;
}

void xsd_tx_free(struct xsd_tx *tx)
{
    if (!tx)
        return;
    g_hash_table_destroy(tx->nodes);
    while (tx->events) {
        struct xsd_event *e = tx->events;

        tx->events = e->next;
        free(e->path);
        free(e->perms);
        free(e);
    }
    free(tx);
}

int xsd_tx_commit(struct xsd_server *srv, struct xsd_tx *tx)
{
    GHashTableIter it;
    gpointer key, val;

    g_hash_table_iter_init(&it, tx->nodes);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const struct xsd_txnode *tn = val;
        const struct xsd_node *cur = g_hash_table_lookup(srv->nodes, key);

        if ((cur ? cur->gen : 0) != tn->base_gen)
            return -EAGAIN;
    }
    g_hash_table_iter_init(&it, tx->nodes);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        struct xsd_txnode *tn = val;

        if (!tn->modified)
            continue;
        if (tn->node) {
            main_put(srv, tn->node);
            tn->node = NULL;
        } else {
            main_del(srv, key);
        }
    }
    for (struct xsd_event *e = tx->events; e; e = e->next)
        xsd_fire(srv, e->path, e->perms, e->nperms, e->exact);
    return 0;
}

int xsd_store_init(struct xsd_server *srv)
{
    static const struct xsd_perm root_perm = { 0, XSD_PERM_NONE };
    struct xsd_ctx ctx = { .srv = srv, .priv = true };
    struct xsd_node *root;

    srv->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)xsd_node_free);
    srv->owners = g_hash_table_new(g_direct_hash, g_direct_equal);
    root = node_new("/", NULL, 0, &root_perm, 1);
    if (!root)
        return -ENOMEM;
    main_put(srv, root);
    return xsd_op_mkdir(&ctx, "/tool/xenstored");
}

void xsd_store_fini(struct xsd_server *srv)
{
    if (srv->nodes)
        g_hash_table_destroy(srv->nodes);
    if (srv->owners)
        g_hash_table_destroy(srv->owners);
}
