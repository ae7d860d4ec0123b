/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * private.h - xensim xenstored internals shared by store.c, watch.c,
 * ops.c and server.c. Every function here runs with srv->lock held.
 */
#ifndef XENDM_STUBS_XENSTORED_PRIVATE_H
#define XENDM_STUBS_XENSTORED_PRIVATE_H

#include <errno.h> /* before xs_wire.h: it defines xsd_errors[] then */
#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "stubs/xenstored/xenstored.h"
#include "util/log.h"

/* Internal access bit: owner (or privileged) may change perms. */
#define XSD_PERM_OWNER 4u

/**
 * struct xsd_node - one node of the store (or a transaction's copy).
 * @path: absolute canonical path (owned).
 * @value: the value (owned, may be NULL when @len is 0).
 * @len: value length.
 * @perms: permission list, owner first (owned, @nperms >= 1).
 * @nperms: entries in @perms.
 * @children: child names, each NUL-terminated, concatenated in creation
 *            order (owned, may be NULL when @childlen is 0).
 * @childlen: bytes in @children.
 * @gen: generation the node got when last stored in the main store.
 */
struct xsd_node {
    char *path;
    uint8_t *value;
    uint32_t len;
    struct xsd_perm *perms;
    uint32_t nperms;
    char *children;
    uint32_t childlen;
    uint64_t gen;
};

/**
 * struct xsd_txnode - a transaction's view of one path.
 * @node: its copy of the node, NULL if absent (owned).
 * @base_gen: the main store's generation of the path at first access
 *            (0: the node did not exist).
 * @modified: the transaction changed the path.
 */
struct xsd_txnode {
    struct xsd_node *node;
    uint64_t base_gen;
    bool modified;
};

/**
 * struct xsd_event - a watch event a transaction fires on commit.
 * @next: list link.
 * @path: absolute path of the change (owned).
 * @perms: the node's perms at the change, for read checks (owned).
 * @nperms: entries in @perms.
 * @exact: only watches on exactly @path fire (removed descendants).
 */
struct xsd_event {
    struct xsd_event *next;
    char *path;
    struct xsd_perm *perms;
    uint32_t nperms;
    bool exact;
};

/**
 * struct xsd_tx - an open transaction.
 * @next: link in the connection's list.
 * @id: the id the client uses in xsd_sockmsg.tx_id.
 * @nodes: path -> struct xsd_txnode, every path read or written.
 * @events: events to fire on commit, in order; @events_tail appends.
 * @created: nodes the transaction created (limit accounting).
 * @nevents: entries in @events.
 */
struct xsd_tx {
    struct xsd_tx *next;
    uint32_t id;
    GHashTable *nodes;
    struct xsd_event *events;
    struct xsd_event **events_tail;
    uint32_t created;
    uint32_t nevents;
};

/**
 * struct xsd_watch - a registered watch.
 * @next: link in the connection's list.
 * @path: the path as the client gave it (reported back if relative).
 * @abs: canonical absolute path, or the special name ("@...").
 * @token: the client's token.
 * @strip: bytes to strip from event paths (relative watches), else 0.
 * @fn, @opaque: the callback of an in-process watch (local.c), else NULL.
 */
struct xsd_watch {
    struct xsd_watch *next;
    char *path;
    char *abs;
    char *token;
    size_t strip;
    xsd_watch_fn *fn;
    void *opaque;
};

/**
 * struct xsd_local_event - an event for an in-process watch, waiting for
 * the server thread to call its callback.
 * @next: list link. @watch: the watch (events are purged when it goes).
 * @path: event path (owned). @token: copy of the token (owned).
 */
struct xsd_local_event {
    struct xsd_local_event *next;
    const struct xsd_watch *watch;
    char *path;
    char *token;
};

/**
 * struct xsd_conn - a client connection.
 * @next: link in srv->conns.
 * @fd: the socket (non-blocking).
 * @domid: identity; @priv: dom0 privileges.
 * @local: the in-process pseudo-connection (fd -1) of local.c.
 * @dead: to be closed by the server loop (protocol error, EOF, overflow).
 * @pollidx: slot in the loop's pollfd array, -1 if not polled yet.
 * @hdr: the message header being received; @in: its payload;
 * @in_got: bytes of header+payload received so far.
 * @out: queued output; @out_len bytes valid, @out_off already sent.
 * @out_cap: allocated size of @out.
 * @watches: registered watches; @nwatches their number.
 * @txs: open transactions; @ntxs their number.
 */
struct xsd_conn {
    struct xsd_conn *next;
    int fd;
    uint32_t domid;
    bool priv;
    bool local;
    bool dead;
    int pollidx;
    struct xsd_sockmsg hdr;
    uint8_t in[XENSTORE_PAYLOAD_MAX + 1];
    size_t in_got;
    uint8_t *out;
    size_t out_len;
    size_t out_off;
    size_t out_cap;
    struct xsd_watch *watches;
    uint32_t nwatches;
    struct xsd_tx *txs;
    uint32_t ntxs;
};

/**
 * struct xsd_listener - a listening socket.
 * @next: link in srv->listeners.
 * @fd: the socket; @path: its file (owned); @domid: identity of
 *      connections accepted there; @pollidx: as in struct xsd_conn.
 */
struct xsd_listener {
    struct xsd_listener *next;
    int fd;
    char *path;
    uint32_t domid;
    int pollidx;
};

/**
 * struct xsd_server - the daemon (see xenstored.h).
 * @lock: guards everything below.
 * @nodes: path -> struct xsd_node, the committed store.
 * @owners: domid -> number of nodes it owns.
 * @gen: last generation given to a node.
 * @next_txid: next transaction id (never 0).
 * @domains: introduced domids (domid -> 1).
 * @conns: client connections; @nconns their number.
 * @listeners: listening sockets (first: the main socket).
 * @limits: effective limits.
 * @wake_fd: eventfd that interrupts the loop's poll().
 * @stop: the loop should return.
 * @thread, @running: the server thread (@running under @lock; start and
 *                    stop from one owner thread).
 * @rl: rate limiter for client-triggered warnings.
 * @local: pseudo-connection holding the in-process watches (not in
 *         @conns; never dropped).
 * @pending, @pending_tail, @npending: in-process events to deliver.
 * @delivering: watch whose callback runs now (lock not held), or NULL.
 * @delivered: signalled when @delivering goes back to NULL.
 */
struct xsd_server {
    pthread_mutex_t lock;
    GHashTable *nodes;
    GHashTable *owners;
    uint64_t gen;
    uint32_t next_txid;
    GHashTable *domains;
    struct xsd_conn *conns;
    uint32_t nconns;
    struct xsd_listener *listeners;
    struct xsd_limits limits;
    int wake_fd;
    bool stop;
    pthread_t thread;
    bool running;
    struct log_ratelimit rl;
    struct xsd_conn *local;
    struct xsd_local_event *pending;
    struct xsd_local_event **pending_tail;
    uint32_t npending;
    const struct xsd_watch *delivering;
    pthread_cond_t delivered;
};

/**
 * struct xsd_ctx - who performs an operation, and in which transaction.
 * @srv: the server.
 * @domid: the acting domain; @priv: it is privileged.
 * @tx: the transaction, or NULL for the committed store.
 */
struct xsd_ctx {
    struct xsd_server *srv;
    uint32_t domid;
    bool priv;
    struct xsd_tx *tx;
};

/* ---- store.c: nodes, paths, permissions, operations, transactions ---- */

/**
 * xsd_canon() - check a client path and make it absolute.
 * @domid: the client's domain (relative paths go under /local/domain/N).
 * @in: the path as sent.
 * @allow_special: accept "@name" (watches).
 * @out: receives the malloc()ed canonical path.
 * Return: 0, -EINVAL for a bad name or length, -ENOMEM.
 */
int xsd_canon(uint32_t domid, const char *in, bool allow_special, char **out);

/**
 * xsd_perm_for() - what @ctx may do with a node of these perms.
 * @ctx: the actor. @perms: the node's list (owner first). @nperms: entries.
 * Return: XSD_PERM_* bits, plus XSD_PERM_OWNER for the owner/privileged.
 */
uint32_t xsd_perm_for(const struct xsd_ctx *ctx, const struct xsd_perm *perms,
                      uint32_t nperms);

/**
 * xsd_perms_parse() - parse "r5"-style strings.
 * @strs: the strings. @n: their number (1..XSD_MAX_PERMS).
 * @out: receives a malloc()ed array of @n entries.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int xsd_perms_parse(const char *const *strs, unsigned int n,
                    struct xsd_perm **out);

/**
 * xsd_perms_format() - write perms as NUL-separated strings.
 * @perms: the list. @n: entries. @buf: output. @size: its size.
 * Return: bytes written (each string's NUL included), or -E2BIG.
 */
int xsd_perms_format(const struct xsd_perm *perms, uint32_t n, char *buf,
                     size_t size);

/** xsd_node_free() - free a node and what it owns. @n: node or NULL. */
void xsd_node_free(struct xsd_node *n);

/**
 * xsd_store_init() - create the store with "/", "/tool", "/tool/xenstored".
 * @srv: the server. Return: 0 or -ENOMEM. Undone by xsd_store_fini().
 */
int xsd_store_init(struct xsd_server *srv);

/** xsd_store_fini() - free every node. @srv: the server. */
void xsd_store_fini(struct xsd_server *srv);

/**
 * xsd_lookup() - find a node and check access.
 * @ctx: actor and transaction. @path: canonical path.
 * @want: XSD_PERM_* (and XSD_PERM_OWNER) bits needed.
 * @out: receives the node (owned by the store; valid until the next
 *       change under the lock).
 * Return: 0; -EACCES if denied, also for a missing node whose nearest
 *         existing ancestor does not grant @want; else -ENOENT.
 */
int xsd_lookup(struct xsd_ctx *ctx, const char *path, uint32_t want,
               const struct xsd_node **out);

/**
 * xsd_op_write() - XS_WRITE: set a value, creating missing parents.
 * @ctx: actor. @path: canonical path. @value: bytes. @len: their number.
 * Return: 0 or -errno. Fires watches (at commit inside a transaction).
 */
int xsd_op_write(struct xsd_ctx *ctx, const char *path, const void *value,
                 size_t len);

/** xsd_op_mkdir() - XS_MKDIR (no-op if the node exists). As xsd_op_write(). */
int xsd_op_mkdir(struct xsd_ctx *ctx, const char *path);

/**
 * xsd_op_rm() - XS_RM: remove a subtree.
 * @ctx: actor. @path: canonical path.
 * Return: 0 (also for a missing node with an existing parent), -ENOENT,
 *         -EINVAL for "/", -EACCES.
 */
int xsd_op_rm(struct xsd_ctx *ctx, const char *path);

/**
 * xsd_op_set_perms() - XS_SET_PERMS (owner or privileged only).
 * @ctx: actor. @path: canonical path. @perms: new list. @n: entries.
 * Return: 0, -EACCES, -EPERM (an unprivileged owner changing the owner),
 *         -EINVAL, -ENOENT.
 */
int xsd_op_set_perms(struct xsd_ctx *ctx, const char *path,
                     const struct xsd_perm *perms, uint32_t n);

/** xsd_tx_new() - an empty transaction. @id: its id. Return: it or NULL. */
struct xsd_tx *xsd_tx_new(uint32_t id);

/** xsd_tx_free() - discard a transaction. @tx: it, or NULL. */
void xsd_tx_free(struct xsd_tx *tx);

/**
 * xsd_tx_commit() - apply @tx if nothing it touched changed meanwhile.
 * @srv: the server. @tx: the transaction (still freed by the caller).
 * Return: 0 (changes applied, events fired) or -EAGAIN (nothing applied).
 */
int xsd_tx_commit(struct xsd_server *srv, struct xsd_tx *tx);

/* ---- watch.c: watches and events ---- */

/**
 * xsd_watch_add() - XS_WATCH for connection @c.
 * @srv: the server. @c: the connection. @path: path or "@special".
 * @token: the client's token.
 * Return: 0, -EEXIST (same path and token), -E2BIG (too many), -EINVAL.
 */
int xsd_watch_add(struct xsd_server *srv, struct xsd_conn *c,
                  const char *path, const char *token);

/**
 * xsd_watch_del() - XS_UNWATCH. @c: the connection. @path, @token: as
 * registered. Return: 0 or -ENOENT (or -EINVAL).
 */
int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token);

/** xsd_watch_free_all() - drop every watch of @c. */
void xsd_watch_free_all(struct xsd_conn *c);

/**
 * xsd_watch_fire_initial() - queue the registration event of @c's newest
 * watch. @srv: the server. @c: the connection.
 */
void xsd_watch_fire_initial(struct xsd_server *srv, struct xsd_conn *c);

/**
 * xsd_event() - a node changed: fire now, or at commit in a transaction.
 * @ctx: actor and transaction. @path: canonical path of the change.
 * @perms, @nperms: the node's perms (who may see the event).
 * @exact: only watches on exactly @path (removed descendants).
 */
void xsd_event(struct xsd_ctx *ctx, const char *path,
               const struct xsd_perm *perms, uint32_t nperms, bool exact);

/** xsd_fire() - queue events for every matching watch; see xsd_event(). */
void xsd_fire(struct xsd_server *srv, const char *path,
              const struct xsd_perm *perms, uint32_t nperms, bool exact);

/* ---- local.c: in-process watches ---- */

/**
 * xsd_local_queue() - queue an event for in-process watch @w.
 * @srv: the server. @w: the watch. @path: the path to report.
 */
void xsd_local_queue(struct xsd_server *srv, const struct xsd_watch *w,
                     const char *path);

/**
 * xsd_local_deliver() - call the callbacks of queued events, dropping the
 * lock around each call. Server thread only.
 * @srv: the server (locked).
 */
void xsd_local_deliver(struct xsd_server *srv);

/** xsd_local_fini() - free pending events. @srv: the server. */
void xsd_local_fini(struct xsd_server *srv);

/* ---- ops.c ---- */

/**
 * xsd_handle_msg() - answer the request in @c->hdr / @c->in.
 * @srv: the server. @c: the connection (a reply is always queued, unless
 *       the connection dies).
 */
void xsd_handle_msg(struct xsd_server *srv, struct xsd_conn *c);

/* ---- server.c ---- */

/** xsd_server_kick() - wake the server loop (any thread, lock or not). */
void xsd_server_kick(struct xsd_server *srv);

/**
 * xsd_conn_send() - queue one message on @c.
 * @srv: the server. @c: the connection. @type, @req_id, @tx_id: header.
 * @data, @len: payload. @is_event: a watch event, subject to
 *              limits.max_out_bytes (the connection is marked dead past it).
 * Return: 0, -EPIPE (dead), -ENOBUFS (dropped), -ENOMEM.
 */
int xsd_conn_send(struct xsd_server *srv, struct xsd_conn *c, uint32_t type,
                  uint32_t req_id, uint32_t tx_id, const void *data,
                  size_t len, bool is_event);

#endif /* XENDM_STUBS_XENSTORED_PRIVATE_H */
