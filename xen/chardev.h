/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev.h - character backends on the GLib main loop.
 *
 * A chardev connects a frontend (a QMP monitor, a UART) to a byte stream:
 * a Unix socket (server or client, or an inherited fd), the process's
 * stdio, a file, a pseudo-terminal, or nothing (null). Frontends write
 * bytes and get callbacks for received bytes and for connect/disconnect.
 *
 * Writes never block: what the peer cannot take now is buffered up to a
 * cap; beyond the cap bytes are dropped and counted, so a guest flooding
 * a UART toward a slow reader neither stalls nor grows memory without
 * bound. Message-based frontends (QMP) use chardev_write_msg(), which
 * queues a whole message or nothing.
 *
 * Threading: a chardev belongs to the thread running its GMainContext;
 * every function and callback runs there.
 */
#ifndef XENDM_XEN_CHARDEV_H
#define XENDM_XEN_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/** enum chardev_backend - kinds of character backend. */
enum chardev_backend {
    CHARDEV_NULL,
    CHARDEV_SOCKET,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_PTY,
};

/** CHARDEV_DEFAULT_WRITE_CAP - bytes buffered for a slow peer by default. */
#define CHARDEV_DEFAULT_WRITE_CAP (64u * 1024u)

/**
 * struct chardev_spec - a parsed backend description (from -chardev,
 * -serial, -qmp). All strings owned; free with chardev_spec_free().
 * @id: label (the -chardev id=).
 * @backend: the kind.
 * @path: socket or file path (NULL for an fd socket and other kinds).
 * @fd: inherited socket fd, or -1.
 * @server: socket: listen (true) or connect.
 * @wait: socket server: block at start-up until a client connects.
 * @append: file: append instead of truncating.
 * @signal: stdio: let ^C raise SIGINT (stored; xendm never changes the tty).
 */
struct chardev_spec {
    char *id;
    enum chardev_backend backend;
    char *path;
    int fd;
    bool server;
    bool wait;
    bool append;
    bool signal;
};

/**
 * chardev_spec_parse() - parse a -chardev argument.
 * @str: e.g. "socket,id=m,path=/run/q.sock,server=on,wait=off".
 * @out: where the new spec goes (caller frees).
 * @err: on failure a message naming the bad part (g_free()).
 * Return: 0, or -EINVAL.
 */
int chardev_spec_parse(const char *str, struct chardev_spec **out, char **err)
    __attribute__((warn_unused_result));

/**
 * chardev_spec_parse_legacy() - parse a -serial / -qmp style device string.
 * @str: "pty", "stdio", "null", "file:PATH", "unix:PATH[,server][,nowait]",
 *       "unix:PATH,server=on,wait=off". ("none" and "chardev:ID" are
 *       handled by the caller.)
 * @id: the label to give it (copied).
 * @out: the new spec. @err: as chardev_spec_parse().
 * Return: 0, or -EINVAL.
 */
int chardev_spec_parse_legacy(const char *str, const char *id,
                              struct chardev_spec **out, char **err)
    __attribute__((warn_unused_result));

/** chardev_spec_free() - free @spec (NULL is fine). */
void chardev_spec_free(struct chardev_spec *spec);

/** chardev_backend_name() - Return: "socket", "pty", ... for @b. */
const char *chardev_backend_name(enum chardev_backend b);

struct chardev;

/**
 * struct chardev_handlers - frontend callbacks; every member optional.
 * @can_receive: how many bytes the frontend can take now; 0 pauses input
 *               until chardev_resume_input(). NULL: unlimited.
 * @receive: bytes arrived (at most what can_receive allowed).
 * @connected: a peer connected (socket client accepted or connected).
 * @disconnected: the peer went away.
 */
struct chardev_handlers {
    size_t (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void (*connected)(void *opaque);
    void (*disconnected)(void *opaque);
};

/**
 * chardev_open() - create and open a backend.
 * @spec: the description (copied).
 * @ctx: the main context to run on (NULL: the default one).
 * @err: on failure a message naming the chardev and the cause (g_free()).
 *
 * A socket server listens (and with @spec->wait blocks until a first
 * client connects); an fd socket is adopted (listening or connected);
 * a pty is created and its name logged.
 * Return: the chardev, or NULL.
 */
struct chardev *chardev_open(const struct chardev_spec *spec, GMainContext *ctx,
                             char **err) __attribute__((warn_unused_result));

/**
 * chardev_close() - close everything, flush what can be flushed without
 * blocking for long (at most ~100 ms), unlink a socket path it created.
 * @chr: the chardev (NULL is fine). No callbacks run.
 */
void chardev_close(struct chardev *chr);

/**
 * chardev_set_handlers() - attach a frontend.
 * @chr: the chardev. @h: callbacks (copied; NULL detaches).
 * @opaque: passed to the callbacks.
 *
 * If a peer is already connected, @h->connected runs before this returns.
 */
void chardev_set_handlers(struct chardev *chr, const struct chardev_handlers *h,
                          void *opaque);

/**
 * chardev_write() - send bytes; never blocks.
 * @chr: the chardev. @buf: bytes. @len: their number.
 *
 * With no peer connected the bytes are discarded (like a serial line with
 * nothing attached). Bytes beyond the write cap are dropped and counted.
 * Return: the number of bytes accepted (sent or queued).
 */
size_t chardev_write(struct chardev *chr, const void *buf, size_t len);

/**
 * chardev_write_msg() - send a whole message or nothing.
 * @chr: the chardev. @buf: bytes. @len: their number.
 * Return: 0; -ENOTCONN with no peer; -ENOBUFS if it does not fit under
 * the cap (nothing queued, the drop counter counts @len).
 */
int chardev_write_msg(struct chardev *chr, const void *buf, size_t len);

/**
 * chardev_set_write_cap() - set the output buffer cap in bytes.
 * @chr: the chardev. @cap: the cap (0: drop whatever cannot be sent now).
 */
void chardev_set_write_cap(struct chardev *chr, size_t cap);

/** chardev_dropped() - Return: bytes dropped because of the cap so far. */
uint64_t chardev_dropped(const struct chardev *chr);

/** chardev_queued() - Return: bytes waiting in the output buffer. */
size_t chardev_queued(const struct chardev *chr);

/** chardev_is_connected() - Return: true if a peer can receive bytes. */
bool chardev_is_connected(const struct chardev *chr);

/**
 * chardev_disconnect() - drop the current socket client (the server keeps
 * listening). Runs the disconnected callback. No-op for other kinds.
 * @chr: the chardev.
 */
void chardev_disconnect(struct chardev *chr);

/**
 * chardev_resume_input() - restart reading after can_receive returned 0.
 * @chr: the chardev.
 */
void chardev_resume_input(struct chardev *chr);

/** chardev_label() - Return: the id (borrowed). */
const char *chardev_label(const struct chardev *chr);

/** chardev_get_backend() - Return: the kind of @chr. */
enum chardev_backend chardev_get_backend(const struct chardev *chr);

/**
 * chardev_filename() - describe @chr the way QEMU's query-chardev does:
 * "unix:/p,server=on", "disconnected:unix:/p,server=on", "pty:/dev/pts/3",
 * "stdio", "file:/p", "null".
 * @chr: the chardev.
 * Return: a new string (g_free()).
 */
char *chardev_filename(const struct chardev *chr);

/** chardev_frontend_open() - Return: true if a frontend is attached. */
bool chardev_frontend_open(const struct chardev *chr);

/** chardev_pty_name() - Return: the pty slave path (borrowed) or NULL. */
const char *chardev_pty_name(const struct chardev *chr);

#endif /* XENDM_XEN_CHARDEV_H */
