/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xenstored.h - xensim's in-process xenstore daemon.
 *
 * A small xenstored that speaks the wire protocol of xen/io/xs_wire.h
 * (struct xsd_sockmsg + payload) on Unix sockets, so the real libxenstore
 * (xs_open() with XENSTORED_PATH set) and Debian's xenstore-* tools work
 * against it.
 *
 * Connection identity:
 *  - every connection accepted on the main socket (the path given to
 *    xsd_server_create()) is dom0, which is privileged;
 *  - xsd_server_add_domain_socket(srv, N, ...) creates a second socket,
 *    "<main path>.d<N>"; connections accepted there act as domain N:
 *    unprivileged (for N != 0), relative paths resolve under
 *    /local/domain/N, and every access is checked against node perms.
 *    A restricted device model or a guest agent of domain N connects there
 *    (XENSTORED_PATH=<main path>.d<N>). Such a socket lives until the
 *    server is freed; releasing domain N does not close it or its
 *    connections.
 *
 * Threading: one mutex per server guards the store, the connections and
 * the watches. xsd_server_run_thread() starts the server's own thread (a
 * poll loop); every other public function may be called from any thread,
 * before, while or after the thread runs, except xsd_server_free().
 * None of these functions is for the ioreq path (they take the lock and
 * may allocate). Callbacks of in-process watches (xsd_server_watch()) run
 * on the server thread, without the lock.
 *
 * Typical embedding (xensim):
 *   xsd_server_create("/run/xensim/xenstored", NULL, &srv);
 *   xsd_server_run_thread(srv);
 *   setenv("XENSTORED_PATH", "/run/xensim/xenstored", 1);   (for clients)
 *   xsd_server_introduce_domain(srv, 1);
 *   xsd_server_write(srv, "/local/domain/1/name", "guest", 5);
 *   xsd_server_watch(srv, "/local/domain/0/device-model/1/state", "dm",
 *                    on_dm_state, ctx);
 *   ...
 *   xsd_server_free(srv);
 *
 * Errors: functions return 0 or a negative errno, with the same errno the
 * daemon would send a client (-ENOENT, -EACCES, -EINVAL, -ENOSPC, ...).
 */
#ifndef XENDM_STUBS_XENSTORED_H
#define XENDM_STUBS_XENSTORED_H

#include <stddef.h>
#include <stdint.h>

struct xsd_server;

/**
 * struct xsd_limits - resource limits against hostile clients.
 * @max_nodes: nodes in the whole store (the root included).
 * @max_nodes_per_domain: nodes an unprivileged domain may own.
 * @max_watches: watches per connection.
 * @max_transactions: open transactions per connection.
 * @max_tx_nodes: paths one transaction may read or write.
 * @max_connections: client connections per server.
 * @max_out_bytes: queued output per connection; a client that lets more
 *                 pile up (by not reading its watch events) is dropped.
 *
 * A zero field means its default (see xsd_server_create()).
 */
struct xsd_limits {
    uint32_t max_nodes;
    uint32_t max_nodes_per_domain;
    uint32_t max_watches;
    uint32_t max_transactions;
    uint32_t max_tx_nodes;
    uint32_t max_connections;
    uint32_t max_out_bytes;
};

/**
 * enum xsd_perm_bits - access bits of one permission entry.
 * @XSD_PERM_NONE: "n" in the Xen format.
 * @XSD_PERM_READ: "r".
 * @XSD_PERM_WRITE: "w".
 * @XSD_PERM_BOTH: "b" (read and write).
 */
enum xsd_perm_bits {
    XSD_PERM_NONE = 0,
    XSD_PERM_READ = 1,
    XSD_PERM_WRITE = 2,
    XSD_PERM_BOTH = 3,
};

/**
 * struct xsd_perm - one entry of a node's permission list.
 * @domid: the domain the entry is about.
 * @perm: enum xsd_perm_bits.
 *
 * As in Xen, the first entry names the owner (who may do everything)
 * and, through its @perm, what every domain not listed may do.
 */
struct xsd_perm {
    uint32_t domid;
    uint32_t perm;
};

/**
 * xsd_server_create() - create a server listening on a Unix socket.
 * @path: socket path (an existing socket file there is replaced).
 * @limits: resource limits, or NULL for the defaults (65536 nodes,
 *          1000 nodes per domain, 128 watches and 10 transactions per
 *          connection, 1024 paths per transaction, 64 connections,
 *          1 MiB of queued output).
 * @out: where the new server goes.
 *
 * The store starts with "/", "/tool" and "/tool/xenstored" (perms "n0").
 * Nothing is served until xsd_server_run_thread().
 * Return: 0, or -errno (socket path too long, bind failure, ...).
 */
int xsd_server_create(const char *path, const struct xsd_limits *limits,
                      struct xsd_server **out)
    __attribute__((warn_unused_result));

/**
 * xsd_server_free() - stop the thread, close every connection and
 * socket, unlink the socket files and free the server.
 * @srv: the server, or NULL.
 *
 * Must not race with other calls on @srv.
 */
void xsd_server_free(struct xsd_server *srv);

/**
 * xsd_server_run_thread() - serve clients from a new thread.
 * @srv: the server (its thread must not be running).
 * Return: 0, -EBUSY if already running, or -errno from pthread_create.
 */
int xsd_server_run_thread(struct xsd_server *srv)
    __attribute__((warn_unused_result));

/**
 * xsd_server_stop() - stop and join the server's thread.
 * @srv: the server. Connections stay open (and are served again by a
 *       later xsd_server_run_thread()). No-op if not running.
 */
void xsd_server_stop(struct xsd_server *srv);

/**
 * xsd_server_path() - Return: the main socket's path (owned by @srv).
 * @srv: the server.
 */
const char *xsd_server_path(const struct xsd_server *srv);

/**
 * xsd_server_add_domain_socket() - create the socket of domain @domid.
 * @srv: the server.
 * @domid: the identity connections on the new socket get (domid 0 gives a
 *         second privileged socket).
 * @path_out: if not NULL, receives the socket path ("<main>.d<domid>").
 * @path_size: size of @path_out.
 * Return: 0, -EEXIST if that socket exists, -ENAMETOOLONG (path too
 *         long for a socket, or for @path_size: nothing is created then),
 *         or -errno.
 */
int xsd_server_add_domain_socket(struct xsd_server *srv, uint32_t domid,
                                 char *path_out, size_t path_size)
    __attribute__((warn_unused_result));

/**
 * xsd_server_write() - write a node as dom0 (like XS_WRITE).
 * @srv: the server.
 * @path: absolute path; missing parents are created.
 * @value: the bytes (need not be NUL-terminated).
 * @len: their number.
 * Watches fire as for a client's write. Return: 0 or -errno.
 */
int xsd_server_write(struct xsd_server *srv, const char *path,
                     const void *value, size_t len);

/**
 * xsd_server_read() - read a node as dom0.
 * @srv: the server.
 * @path: absolute path.
 * @value: receives a malloc()ed copy, NUL-terminated (the terminator is
 *         not counted); the caller frees it.
 * @len: if not NULL, receives the value's length.
 * Return: 0 or -errno (-ENOENT).
 */
int xsd_server_read(struct xsd_server *srv, const char *path,
                    char **value, size_t *len);

/**
 * xsd_server_mkdir() - create a node with an empty value if missing.
 * @srv: the server.
 * @path: absolute path.
 * Return: 0 or -errno.
 */
int xsd_server_mkdir(struct xsd_server *srv, const char *path);

/**
 * xsd_server_rm() - remove a node and everything below it.
 * @srv: the server.
 * @path: absolute path.
 * Return: 0 (also when the node is missing but its parent exists),
 *         -ENOENT, -EINVAL for "/".
 */
int xsd_server_rm(struct xsd_server *srv, const char *path);

/**
 * xsd_server_set_perms() - replace a node's permission list.
 * @srv: the server.
 * @path: absolute path of an existing node.
 * @perms: the entries, owner first.
 * @n: their number (1..XSD_MAX_PERMS).
 * Return: 0 or -errno.
 */
int xsd_server_set_perms(struct xsd_server *srv, const char *path,
                         const struct xsd_perm *perms, unsigned int n);

/** XSD_MAX_PERMS - most entries a permission list may have. */
#define XSD_MAX_PERMS 64

/**
 * xsd_server_introduce_domain() - mark @domid introduced; fires
 * "@introduceDomain" watches.
 * @srv: the server.
 * @domid: the domain (not 0).
 * Return: 0, or -EINVAL.
 */
int xsd_server_introduce_domain(struct xsd_server *srv, uint32_t domid);

/**
 * xsd_server_release_domain() - forget @domid; fires "@releaseDomain".
 * @srv: the server.
 * @domid: an introduced domain.
 * Return: 0, or -ENOENT if it was not introduced.
 */
int xsd_server_release_domain(struct xsd_server *srv, uint32_t domid);

/**
 * typedef xsd_watch_fn - callback of an in-process watch.
 * @opaque: as given to xsd_server_watch().
 * @path: the changed path (or the watch's own path for the initial event,
 *        or "@introduceDomain"/"@releaseDomain").
 * @token: the watch's token.
 *
 * Runs on the server thread without the server lock: it may call the
 * other xsd_server_* functions (not xsd_server_stop/free). It should be
 * quick; clients wait meanwhile.
 */
typedef void xsd_watch_fn(void *opaque, const char *path, const char *token);

/**
 * xsd_server_watch() - watch @path from inside the process, as dom0.
 * @srv: the server.
 * @path: absolute path (relative: under /local/domain/0) or "@..." name.
 * @token: distinguishes watches on one path.
 * @fn: called for the initial event and for every change at or below
 *      @path, on the server thread once it runs.
 * @opaque: passed to @fn.
 * Return: 0, -EEXIST (same @path and @token), -E2BIG (too many), -EINVAL.
 */
int xsd_server_watch(struct xsd_server *srv, const char *path,
                     const char *token, xsd_watch_fn *fn, void *opaque);

/**
 * xsd_server_unwatch() - remove an in-process watch.
 * @srv: the server.
 * @path, @token: as given to xsd_server_watch().
 *
 * When it returns, the callback is not running (unless called from that
 * callback) and will not be called again for this watch; events still
 * queued for it are dropped.
 * Return: 0 or -ENOENT.
 */
int xsd_server_unwatch(struct xsd_server *srv, const char *path,
                       const char *token);

/**
 * xsd_server_drop_connections() - close every client connection (fault
 * injection: clients see EOF; their watches and transactions are gone).
 * @srv: the server. The listening sockets and in-process watches stay.
 * Return: the number of connections closed.
 */
unsigned int xsd_server_drop_connections(struct xsd_server *srv);

/**
 * xsd_server_connection_count() - Return: open client connections.
 * @srv: the server.
 */
unsigned int xsd_server_connection_count(struct xsd_server *srv);

#endif /* XENDM_STUBS_XENSTORED_H */
