/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev.c - character backends on the GLib main loop (see chardev.h).
 *
 * Data structures: one struct chardev per backend with up to three fd
 * sources on its GMainContext: @listen_src (a socket server waiting for a
 * client; removed while a client is connected, so clients queue in the
 * kernel backlog one at a time), @in_src (readable input) and @out_src
 * (only while output is queued). Output that the peer cannot take at once
 * goes to @outbuf (bytes [out_head, len) pending), bounded by @cap; the
 * rest is dropped and counted in @dropped.
 *
 * A pty keeps its slave side open (in raw mode) so the master never sees
 * hang-ups while no terminal is attached: output then fills the kernel
 * buffer and, beyond it, the cap.
 *
 * Threading: one thread at a time (xendm: the device-model lock's holder);
 * @ctx's callbacks run on the thread iterating it. A source added from
 * another thread wakes @ctx (GLib does that). Callbacks may call
 * chardev_write*() and chardev_disconnect() but not chardev_close().
 */
#include "xen/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#include "util/log.h"

struct chardev {
    struct chardev_spec spec;
    GMainContext *ctx;
    int listen_fd;
    int in_fd;
    int out_fd;
    bool is_socket;          /* in_fd == out_fd is a socket: use send() */
    bool own_io_fds;         /* close in_fd/out_fd on disconnect/close */
    bool created_path;       /* we bound spec.path: unlink it at close */
    bool connected;
    bool input_paused;
    bool output_broken;      /* write error: discard until reconnect */
    int stdio_flags[2];      /* saved O_NONBLOCK state of fds 0 and 1 */
    int pty_slave_fd;
    char *pty_name;
    char *sock_path;         /* address for chardev_filename() */
    GSource *listen_src;
    GSource *in_src;
    GSource *out_src;
    GByteArray *outbuf;
    size_t out_head;
    size_t cap;
    uint64_t dropped;
    struct chardev_handlers h;
    void *opaque;
    bool frontend;
    struct log_ratelimit drop_rl;
};

static void source_remove(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static GSource *fd_watch(struct chardev *chr, int fd, GIOCondition cond,
                         GUnixFDSourceFunc fn)
{
    GSource *src = g_unix_fd_source_new(fd, cond);

    g_source_set_callback(src, (GSourceFunc)(void (*)(void))fn, chr, NULL);
    g_source_attach(src, chr->ctx);
    return src;
}

static int set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0)
        return -errno;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    if (fcntl(fd, F_SETFL, fl) < 0)
        return -errno;
    return 0;
}

/* ---- output ---------------------------------------------------------- */

static size_t pending(const struct chardev *chr)
{
    return chr->outbuf->len - chr->out_head;
}

/* Write once without blocking. Return: bytes written, 0 on EAGAIN, -errno. */
static ssize_t raw_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    ssize_t n;

    do {
        if (chr->is_socket)
            n = send(chr->out_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        else
            n = write(chr->out_fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    return n;
}

static void mark_broken(struct chardev *chr, int err)
{
    if (!chr->output_broken)
        log_warn("chardev %s: write failed (%s); discarding output",
                 chr->spec.id, strerror(-err));
    chr->output_broken = true;
    g_byte_array_set_size(chr->outbuf, 0);
    chr->out_head = 0;
    source_remove(&chr->out_src);
}

static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque);

/* Push queued bytes; arm or disarm the writable watch. */
static void flush_some(struct chardev *chr)
{
    while (pending(chr)) {
        ssize_t n = raw_write(chr, chr->outbuf->data + chr->out_head, pending(chr));

        if (n < 0) {
            mark_broken(chr, (int)n);
            return;
        }
        if (n == 0)
            break;
        chr->out_head += (size_t)n;
    }
    if (!pending(chr)) {
        g_byte_array_set_size(chr->outbuf, 0);
        chr->out_head = 0;
        source_remove(&chr->out_src);
    } else {
        if (chr->out_head > chr->outbuf->len / 2) {
            g_byte_array_remove_range(chr->outbuf, 0, (guint)chr->out_head);
            chr->out_head = 0;
        }
        if (!chr->out_src)
            chr->out_src = fd_watch(chr, chr->out_fd, G_IO_OUT, out_ready);
    }
}

static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    flush_some(opaque);
    return G_SOURCE_CONTINUE;
}

static bool can_output(const struct chardev *chr)
{
    return chr->connected && chr->out_fd >= 0 && !chr->output_broken;
}

static void count_drop(struct chardev *chr, size_t n)
{
    chr->dropped += n;
    log_warn_rl(&chr->drop_rl, "chardev %s: peer too slow, dropped %zu bytes (%llu in total)",
                chr->spec.id, n, (unsigned long long)chr->dropped);
}

size_t chardev_write(struct chardev *chr, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0, room;

    if (chr->spec.backend == CHARDEV_NULL)
        return len;
    if (!can_output(chr) || len == 0)
        return len;              /* nobody listening: discarded */
    if (!pending(chr)) {
        ssize_t n = raw_write(chr, p, len);

        if (n < 0) {
            mark_broken(chr, (int)n);
            return len;
        }
        done = (size_t)n;
    }
    if (done == len)
        return len;
    room = chr->cap > pending(chr) ? chr->cap - pending(chr) : 0;
    if (room > len - done)
        room = len - done;
    g_byte_array_append(chr->outbuf, p + done, (guint)room);
    done += room;
    if (done < len)
        count_drop(chr, len - done);
    flush_some(chr);
    return done;
}

int chardev_write_msg(struct chardev *chr, const void *buf, size_t len)
{
    size_t done = 0;

    if (chr->spec.backend == CHARDEV_NULL)
        return 0;
    if (!can_output(chr))
        return -ENOTCONN;
    if (pending(chr) && pending(chr) + len > chr->cap) {
        count_drop(chr, len);
        return -ENOBUFS;
    }
    if (!pending(chr)) {
        ssize_t n = raw_write(chr, buf, len);

        if (n < 0) {
            mark_broken(chr, (int)n);
            return (int)n;
        }
        done = (size_t)n;
    }
    /* Queued whole even beyond the cap when it is the only one pending. */
    if (done < len)
        g_byte_array_append(chr->outbuf, (const uint8_t *)buf + done, (guint)(len - done));
    flush_some(chr);
    return 0;
}

void chardev_set_write_cap(struct chardev *chr, size_t cap)
{
    chr->cap = cap;
}

uint64_t chardev_dropped(const struct chardev *chr)
{
    return chr->dropped;
}

size_t chardev_queued(const struct chardev *chr)
{
    return pending(chr);
}

/* ---- input and connection state -------------------------------------- */

static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque);
static gboolean listen_ready(gint fd, GIOCondition cond, gpointer opaque);

static void start_input(struct chardev *chr)
{
    if (chr->in_fd >= 0 && !chr->in_src && !chr->input_paused)
        chr->in_src = fd_watch(chr, chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, in_ready);
}

static void set_connected(struct chardev *chr)
{
    chr->connected = true;
    chr->output_broken = false;
    start_input(chr);
    if (chr->frontend && chr->h.connected)
        chr->h.connected(chr->opaque);
}

/* Drop the current peer of a socket chardev; a server listens again. */
static void drop_peer(struct chardev *chr, bool notify)
{
    bool was = chr->connected;

    source_remove(&chr->in_src);
    source_remove(&chr->out_src);
    if (chr->own_io_fds && chr->in_fd >= 0)
        close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
    chr->connected = false;
    chr->input_paused = false;
    g_byte_array_set_size(chr->outbuf, 0);
    chr->out_head = 0;
    if (chr->listen_fd >= 0 && !chr->listen_src)
        chr->listen_src = fd_watch(chr, chr->listen_fd, G_IO_IN, listen_ready);
    if (was && notify && chr->frontend && chr->h.disconnected)
        chr->h.disconnected(chr->opaque);
}

void chardev_disconnect(struct chardev *chr)
{
    if (chr->spec.backend == CHARDEV_SOCKET && chr->connected)
        drop_peer(chr, true);
}

static void adopt_client(struct chardev *chr, int fd)
{
    chr->in_fd = chr->out_fd = fd;
    chr->is_socket = true;
    chr->own_io_fds = true;
    set_connected(chr);
}

static gboolean listen_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    struct chardev *chr = opaque;
    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (c < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            log_warn("chardev %s: accept: %s", chr->spec.id, strerror(errno));
        return G_SOURCE_CONTINUE;
    }
    source_remove(&chr->listen_src);     /* one client at a time */
    log_debug("chardev %s: client connected", chr->spec.id);
    adopt_client(chr, c);
    return G_SOURCE_CONTINUE;
}

static void input_eof(struct chardev *chr)
{
    if (chr->spec.backend == CHARDEV_SOCKET) {
        log_debug("chardev %s: client disconnected", chr->spec.id);
        drop_peer(chr, true);
    } else {
        /* stdin closed (or pty error): stop reading, keep writing. */
        source_remove(&chr->in_src);
        chr->in_fd = -1;
    }
}

static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    struct chardev *chr = opaque;
    uint8_t buf[4096];
    size_t want = sizeof(buf);
    ssize_t n;

    if (chr->frontend && chr->h.can_receive) {
        size_t can = chr->h.can_receive(chr->opaque);

        if (can == 0) {
            chr->input_paused = true;
            source_remove(&chr->in_src);
            return G_SOURCE_CONTINUE;
        }
        if (can < want)
            want = can;
    }
    do {
        n = read(fd, buf, want);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        if (chr->frontend && chr->h.receive)
            chr->h.receive(chr->opaque, buf, (size_t)n);
        return G_SOURCE_CONTINUE;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return G_SOURCE_CONTINUE;
    if (n < 0 && chr->spec.backend != CHARDEV_SOCKET)
        log_warn("chardev %s: read: %s", chr->spec.id, strerror(errno));
    input_eof(chr);
    return G_SOURCE_CONTINUE;
}

void chardev_resume_input(struct chardev *chr)
{
    if (!chr->input_paused)
        return;
    chr->input_paused = false;
    if (chr->connected)
        start_input(chr);
}

void chardev_set_handlers(struct chardev *chr, const struct chardev_handlers *h,
                          void *opaque)
{
    if (h) {
        chr->h = *h;
        chr->opaque = opaque;
        chr->frontend = true;
    } else {
        memset(&chr->h, 0, sizeof(chr->h));
        chr->opaque = NULL;
        chr->frontend = false;
    }
    if (chr->frontend && chr->connected && chr->h.connected)
        chr->h.connected(chr->opaque);
}

/* ---- opening --------------------------------------------------------- */

static int open_unix_path(struct chardev *chr, char **err)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *path = chr->spec.path;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        *err = g_strdup_printf("socket path '%s' is too long (max %zu bytes)",
                               path, sizeof(sa.sun_path) - 1);
        return -ENAMETOOLONG;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto sys_fail;
    if (chr->spec.server) {
        struct stat st;

        /* Replace a stale socket left by an earlier run, nothing else. */
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
            goto sys_fail;
        chr->created_path = true;
        chr->listen_fd = fd;
    } else {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            goto sys_fail;
        if (set_nonblock(fd, true) < 0)
            goto sys_fail;
        chr->in_fd = chr->out_fd = fd;
        chr->is_socket = true;
        chr->own_io_fds = true;
    }
    chr->sock_path = g_strdup(path);
    return 0;
sys_fail: {
        int e = errno;

        *err = g_strdup_printf("socket '%s': %s", path, strerror(e));
        if (fd >= 0)
            close(fd);
        return -e;
    }
}

static int open_socket_fd(struct chardev *chr, char **err)
{
    int fd = chr->spec.fd, listening = 0;
    socklen_t len = sizeof(listening);
    struct sockaddr_un sa = { 0 };
    socklen_t salen = sizeof(sa);

    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
        *err = g_strdup_printf("fd=%d is not a socket: %s", fd, strerror(errno));
        return -EBADF;
    }
    if (chr->spec.server && !listening) {
        *err = g_strdup_printf("fd=%d is not a listening socket but server=on", fd);
        return -EINVAL;
    }
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) == 0 && sa.sun_family == AF_UNIX &&
        salen > offsetof(struct sockaddr_un, sun_path) && sa.sun_path[0])
        chr->sock_path = g_strndup(sa.sun_path, sizeof(sa.sun_path));
    else
        chr->sock_path = g_strdup("");
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (set_nonblock(fd, true) < 0) {
        *err = g_strdup_printf("fd=%d: %s", fd, strerror(errno));
        return -EBADF;
    }
    chr->spec.server = listening;
    if (listening) {
        chr->listen_fd = fd;
    } else {
        chr->in_fd = chr->out_fd = fd;
        chr->is_socket = true;
        chr->own_io_fds = true;
    }
    return 0;
}

static int open_pty(struct chardev *chr, char **err)
{
    struct termios tio;
    char name[128];
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0)
        goto fail;
    chr->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (chr->pty_slave_fd < 0)
        goto fail;
    if (tcgetattr(chr->pty_slave_fd, &tio) == 0) {
        cfmakeraw(&tio);
        (void)tcsetattr(chr->pty_slave_fd, TCSANOW, &tio);
    }
    if (set_nonblock(m, true) < 0)
        goto fail;
    chr->in_fd = chr->out_fd = m;
    chr->own_io_fds = true;
    chr->pty_name = g_strdup(name);
    log_info("char device redirected to %s (label %s)", name, chr->spec.id);
    return 0;
fail:
    *err = g_strdup_printf("cannot create a pty: %s", strerror(errno));
    if (m >= 0)
        close(m);
    return -EIO;
}

static int open_backend(struct chardev *chr, char **err)
{
    int ret;

    switch (chr->spec.backend) {
    case CHARDEV_NULL:
        return 0;
    case CHARDEV_SOCKET:
        ret = chr->spec.path ? open_unix_path(chr, err) : open_socket_fd(chr, err);
        if (ret < 0)
            return ret;
        if (chr->listen_fd >= 0 && chr->spec.wait) {
            int c;

            log_info("chardev %s: waiting for a connection on %s", chr->spec.id,
                     chr->sock_path);
            (void)set_nonblock(chr->listen_fd, false);
            do {
                c = accept4(chr->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            } while (c < 0 && errno == EINTR);
            if (c < 0) {
                *err = g_strdup_printf("accept: %s", strerror(errno));
                return -errno;
            }
            (void)set_nonblock(chr->listen_fd, true);
            adopt_client(chr, c);
        } else if (chr->listen_fd >= 0) {
            (void)set_nonblock(chr->listen_fd, true);
            chr->listen_src = fd_watch(chr, chr->listen_fd, G_IO_IN, listen_ready);
        } else {
            set_connected(chr);
        }
        return 0;
    case CHARDEV_STDIO:
        chr->stdio_flags[0] = fcntl(0, F_GETFL);
        chr->stdio_flags[1] = fcntl(1, F_GETFL);
        chr->in_fd = chr->stdio_flags[0] >= 0 ? 0 : -1;
        chr->out_fd = 1;
        if (chr->in_fd >= 0)
            (void)set_nonblock(0, true);
        (void)set_nonblock(1, true);
        set_connected(chr);
        return 0;
    case CHARDEV_FILE: {
        int fl = O_WRONLY | O_CREAT | O_CLOEXEC | (chr->spec.append ? O_APPEND : O_TRUNC);

        chr->out_fd = open(chr->spec.path, fl, 0666);
        if (chr->out_fd < 0) {
            *err = g_strdup_printf("cannot open '%s': %s", chr->spec.path, strerror(errno));
            return -errno;
        }
        chr->own_io_fds = true;
        set_connected(chr);
        return 0;
    }
    case CHARDEV_PTY:
        ret = open_pty(chr, err);
        if (ret == 0)
            set_connected(chr);
        return ret;
    }
    return -EINVAL;
}

struct chardev *chardev_open(const struct chardev_spec *spec, GMainContext *ctx,
                             char **err)
{
    struct chardev *chr = g_new0(struct chardev, 1);
    char *perr = NULL;

    chr->spec = *spec;
    chr->spec.id = g_strdup(spec->id);
    chr->spec.path = g_strdup(spec->path);
    chr->ctx = ctx ? g_main_context_ref(ctx) : NULL;
    chr->listen_fd = chr->in_fd = chr->out_fd = chr->pty_slave_fd = -1;
    chr->stdio_flags[0] = chr->stdio_flags[1] = -1;
    chr->outbuf = g_byte_array_new();
    chr->cap = CHARDEV_DEFAULT_WRITE_CAP;
    if (open_backend(chr, &perr) < 0) {
        *err = g_strdup_printf("chardev '%s': %s", spec->id, perr);
        g_free(perr);
        chardev_close(chr);
        return NULL;
    }
    return chr;
}

/* Best effort: give queued output up to ~100 ms to drain. */
static void final_flush(struct chardev *chr)
{
    gint64 deadline = g_get_monotonic_time() + 100000;

    while (can_output(chr) && pending(chr)) {
        struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };
        gint64 left = deadline - g_get_monotonic_time();

        if (left <= 0 || poll(&pfd, 1, (int)(left / 1000) + 1) <= 0)
            break;
        ssize_t n = raw_write(chr, chr->outbuf->data + chr->out_head, pending(chr));
        if (n <= 0)
            break;
        chr->out_head += (size_t)n;
    }
}

void chardev_close(struct chardev *chr)
{
    if (!chr)
        return;
    final_flush(chr);
    chr->frontend = false;
    source_remove(&chr->listen_src);
    source_remove(&chr->in_src);
    source_remove(&chr->out_src);
    if (chr->spec.backend == CHARDEV_STDIO) {
        for (int i = 0; i < 2; i++) {
            if (chr->stdio_flags[i] >= 0)
                (void)fcntl(i, F_SETFL, chr->stdio_flags[i]);
        }
    } else if (chr->own_io_fds) {
        if (chr->in_fd >= 0)
            close(chr->in_fd);
        if (chr->out_fd >= 0 && chr->out_fd != chr->in_fd)
            close(chr->out_fd);
    }
    if (chr->listen_fd >= 0)
        close(chr->listen_fd);
    if (chr->pty_slave_fd >= 0)
        close(chr->pty_slave_fd);
    if (chr->created_path)
        unlink(chr->spec.path);
    if (chr->ctx)
        g_main_context_unref(chr->ctx);
    g_byte_array_unref(chr->outbuf);
    g_free(chr->pty_name);
    g_free(chr->sock_path);
    g_free(chr->spec.id);
    g_free(chr->spec.path);
    g_free(chr);
}

/* ---- queries --------------------------------------------------------- */

bool chardev_is_connected(const struct chardev *chr)
{
    return chr->connected;
}

const char *chardev_label(const struct chardev *chr)
{
    return chr->spec.id;
}

enum chardev_backend chardev_get_backend(const struct chardev *chr)
{
    return chr->spec.backend;
}

bool chardev_frontend_open(const struct chardev *chr)
{
    return chr->frontend;
}

const char *chardev_pty_name(const struct chardev *chr)
{
    return chr->pty_name;
}

char *chardev_filename(const struct chardev *chr)
{
    switch (chr->spec.backend) {
    case CHARDEV_SOCKET:
        return g_strdup_printf("%sunix:%s%s", chr->connected ? "" : "disconnected:",
                               chr->sock_path ? chr->sock_path : "",
                               chr->spec.server ? ",server=on" : "");
    case CHARDEV_PTY:
        return g_strdup_printf("pty:%s", chr->pty_name ? chr->pty_name : "");
    case CHARDEV_FILE:
        return g_strdup_printf("file:%s", chr->spec.path);
    case CHARDEV_STDIO:
        return g_strdup("stdio");
    case CHARDEV_NULL:
        break;
    }
    return g_strdup("null");
}
