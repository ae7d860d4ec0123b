/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xenstored_raw.c - xensim's xenstored on a raw socket: the wire
 * format itself (req_id echo, error strings, DIRECTORY_PART layout,
 * split and pipelined messages) and hostile input (oversized and
 * malformed messages, unknown types, random garbage, floods past the
 * limits on watches, connections and queued output).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "stubs/xenstored/xenstored.h"

struct fixture {
    char dir[64];
    char sock[96];
    struct xsd_server *srv;
};

static struct fixture fx;

static void start(const struct xsd_limits *lim)
{
    strcpy(fx.dir, "/tmp/test_xsdraw.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fx.dir));
    snprintf(fx.sock, sizeof(fx.sock), "%s/socket", fx.dir);
    ck_assert_int_eq(xsd_server_create(fx.sock, lim, &fx.srv), 0);
    ck_assert_int_eq(xsd_server_run_thread(fx.srv), 0);
}

static void setup(void)
{
    start(NULL);
}

static void teardown(void)
{
    xsd_server_free(fx.srv);
    fx.srv = NULL;
    ck_assert_int_eq(rmdir(fx.dir), 0);
}

static int raw_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void send_all(int fd, const void *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        ck_assert_int_gt(n, 0);
        p = (const char *)p + n;
        len -= (size_t)n;
    }
}

static void raw_send(int fd, uint32_t type, uint32_t req, uint32_t tx,
                     const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = { type, req, tx, len };

    send_all(fd, &h, sizeof(h));
    if (len)
        send_all(fd, payload, len);
}

/* Read exactly @len bytes within @ms; Return: 0, or -1 on EOF/timeout. */
static int read_full(int fd, void *p, size_t len, int ms)
{
    while (len) {
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&pf, 1, ms) != 1)
            return -1;
        n = recv(fd, p, len, 0);
        if (n <= 0)
            return -1;
        p = (char *)p + n;
        len -= (size_t)n;
    }
    return 0;
}

/* Receive one message (payload NUL-terminated in @buf). */
static int raw_recv(int fd, struct xsd_sockmsg *h, char *buf, int ms)
{
    if (read_full(fd, h, sizeof(*h), ms))
        return -1;
    ck_assert_uint_le(h->len, XENSTORE_PAYLOAD_MAX);
    if (read_full(fd, buf, h->len, ms))
        return -1;
    buf[h->len] = '\0';
    return 0;
}

/* Send a request and expect a reply of @type with @want as payload
 * (compared as a string). */
static void expect(int fd, uint32_t type, const void *payload, uint32_t len,
                   uint32_t want_type, const char *want)
{
    static uint32_t req = 100;
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1];

    raw_send(fd, type, ++req, 0, payload, len);
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.type, want_type);
    ck_assert_uint_eq(h.req_id, req);
    ck_assert_str_eq(buf, want);
}

#define S(lit) lit, (uint32_t)sizeof(lit)

static bool closed_by_server(int fd)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    char c;

    return poll(&pf, 1, 2000) == 1 && recv(fd, &c, 1, 0) == 0;
}

START_TEST(wire_basics)
{
    int fd = raw_connect(fx.sock);
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1];

    expect(fd, XS_WRITE, "/k\0value", 8, XS_WRITE, "OK");
    expect(fd, XS_READ, S("/k"), XS_READ, "value");
    expect(fd, XS_READ, S("/missing"), XS_ERROR, "ENOENT");
    expect(fd, XS_GET_PERMS, S("/k"), XS_GET_PERMS, "n0");
    expect(fd, XS_SET_PERMS, S("/k\0b3\0r4"), XS_SET_PERMS, "OK");
    raw_send(fd, XS_GET_PERMS, 1, 0, S("/k"));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.len, 6);
    ck_assert_mem_eq(buf, "b3\0r4\0", 6);
    expect(fd, XS_GET_DOMAIN_PATH, S("12"), XS_GET_DOMAIN_PATH,
           "/local/domain/12");
    expect(fd, XS_GET_DOMAIN_PATH, S("x1"), XS_ERROR, "EINVAL");
    expect(fd, XS_IS_DOMAIN_INTRODUCED, S("3"), XS_IS_DOMAIN_INTRODUCED, "F");
    expect(fd, XS_INTRODUCE, S("3\0" "99\0" "5"), XS_INTRODUCE, "OK");
    expect(fd, XS_IS_DOMAIN_INTRODUCED, S("3"), XS_IS_DOMAIN_INTRODUCED, "T");
    expect(fd, XS_WATCH, S("/r\0t"), XS_WATCH, "OK");
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.type, XS_WATCH_EVENT);
    expect(fd, XS_RESET_WATCHES, S(""), XS_RESET_WATCHES, "OK");
    /* no event any more: the next message is the write's reply */
    expect(fd, XS_WRITE, "/r/x\0v", 6, XS_WRITE, "OK");
    expect(fd, XS_RESET_WATCHES, "", 0, XS_RESET_WATCHES, "OK");
    expect(fd, XS_CONTROL, "", 0, XS_ERROR, "EINVAL");
    expect(fd, XS_SET_TARGET, S("3\0" "4"), XS_SET_TARGET, "OK");
    expect(fd, XS_CONTROL, S("print\0hello"), XS_CONTROL, "OK");
    /* the transaction id comes back as a decimal string */
    raw_send(fd, XS_TRANSACTION_START, 7, 0, S(""));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.type, XS_TRANSACTION_START);
    ck_assert_uint_eq(h.req_id, 7);
    ck_assert_uint_gt(strtoul(buf, NULL, 10), 0);
    raw_send(fd, XS_TRANSACTION_END, 8, (uint32_t)strtoul(buf, NULL, 10),
             S("X"));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_str_eq(buf, "EINVAL");
    close(fd);
}
END_TEST

START_TEST(malformed_requests)
{
    int fd = raw_connect(fx.sock);
    char many[1024];
    uint32_t n = 0;

    /* strings must be NUL-terminated */
    expect(fd, XS_READ, "/k", 2, XS_ERROR, "EINVAL");
    expect(fd, XS_WRITE, "/nonul", 6, XS_ERROR, "EINVAL");
    expect(fd, XS_READ, "", 0, XS_ERROR, "EINVAL");
    /* wrong argument counts */
    expect(fd, XS_READ, S("/a\0/b"), XS_ERROR, "EINVAL");
    expect(fd, XS_WATCH, S("/a"), XS_ERROR, "EINVAL");
    expect(fd, XS_SET_PERMS, S("/"), XS_ERROR, "EINVAL");
    expect(fd, XS_SET_PERMS, S("/\0q1"), XS_ERROR, "EINVAL");
    expect(fd, XS_SET_PERMS, S("/\0r"), XS_ERROR, "EINVAL");
    expect(fd, XS_SET_PERMS, S("/\0r99999999"), XS_ERROR, "EINVAL");
    /* too many permission entries */
    n += (uint32_t)sprintf(many, "/tool") + 1;
    for (int i = 0; i < 100; i++)
        n += (uint32_t)sprintf(many + n, "r%d", i) + 1;
    expect(fd, XS_SET_PERMS, many, n, XS_ERROR, "EINVAL");
    /* types a client must not send, and unknown ones */
    expect(fd, XS_WATCH_EVENT, S("/a\0t"), XS_ERROR, "EINVAL");
    expect(fd, XS_ERROR, S("EINVAL"), XS_ERROR, "EINVAL");
    expect(fd, XS_TYPE_COUNT, S(""), XS_ERROR, "EINVAL");
    expect(fd, 0xdeadbeef, S(""), XS_ERROR, "EINVAL");
    /* bad paths */
    expect(fd, XS_READ, S("//"), XS_ERROR, "EINVAL");
    expect(fd, XS_MKDIR, S("/a/"), XS_ERROR, "EINVAL");
    expect(fd, XS_WRITE, S("/a b\0x"), XS_ERROR, "EINVAL");
    expect(fd, XS_WATCH, S("/a/\0t"), XS_ERROR, "EINVAL");
    expect(fd, XS_DIRECTORY_PART, S("/\0abc"), XS_ERROR, "EINVAL");
    expect(fd, XS_DIRECTORY_PART, S("/\0" "1"), XS_ERROR, "EINVAL");
    expect(fd, XS_INTRODUCE, S("0\0" "1\0" "1"), XS_ERROR, "EINVAL");
    expect(fd, XS_TRANSACTION_START, S(""), XS_TRANSACTION_START, "1");
    /* a transaction inside a transaction */
    raw_send(fd, XS_TRANSACTION_START, 1, 1, S(""));
    {
        struct xsd_sockmsg h;
        char buf[XENSTORE_PAYLOAD_MAX + 1];

        ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
        ck_assert_str_eq(buf, "EBUSY");
    }
    /* still alive and answering */
    expect(fd, XS_READ, S("/tool"), XS_READ, "");
    close(fd);
}
END_TEST

START_TEST(path_length_limits)
{
    int fd = raw_connect(fx.sock);
    static char msg[XENSTORE_PAYLOAD_MAX];
    uint32_t n;

    msg[0] = '/';
    memset(msg + 1, 'a', XENSTORE_ABS_PATH_MAX); /* one too long */
    n = XENSTORE_ABS_PATH_MAX + 2;
    msg[n - 1] = '\0';
    expect(fd, XS_WRITE, msg, n, XS_ERROR, "EINVAL");
    msg[XENSTORE_ABS_PATH_MAX] = '\0'; /* exactly the maximum */
    expect(fd, XS_WRITE, msg, XENSTORE_ABS_PATH_MAX + 1, XS_WRITE, "OK");
    /* the largest payload: path + value = 4096 */
    memset(msg, 'v', sizeof(msg));
    memcpy(msg, "/big", 5);
    expect(fd, XS_WRITE, msg, XENSTORE_PAYLOAD_MAX, XS_WRITE, "OK");
    close(fd);
}
END_TEST

START_TEST(oversized_message_drops_connection)
{
    int fd = raw_connect(fx.sock);
    int ok = raw_connect(fx.sock);
    struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

    send_all(fd, &h, sizeof(h));
    ck_assert(closed_by_server(fd));
    close(fd);
    /* others are unaffected */
    expect(ok, XS_READ, S("/tool"), XS_READ, "");
    h.len = 0xffffffff;
    fd = raw_connect(fx.sock);
    send_all(fd, &h, sizeof(h));
    ck_assert(closed_by_server(fd));
    close(fd);
    close(ok);
}
END_TEST

START_TEST(split_and_pipelined_messages)
{
    int fd = raw_connect(fx.sock);
    char wire[256];
    struct xsd_sockmsg h = { XS_WRITE, 42, 0, 7 };
    struct xsd_sockmsg r;
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t n = 0;

    /* one byte at a time */
    memcpy(wire, &h, sizeof(h));
    memcpy(wire + sizeof(h), "/s\0abcd", 7);
    for (size_t i = 0; i < sizeof(h) + 7; i++) {
        send_all(fd, wire + i, 1);
        usleep(1000);
    }
    ck_assert_int_eq(raw_recv(fd, &r, buf, 2000), 0);
    ck_assert_uint_eq(r.req_id, 42);
    ck_assert_str_eq(buf, "OK");
    /* three requests in one send, answered in order */
    for (uint32_t i = 0; i < 3; i++) {
        h = (struct xsd_sockmsg){ XS_READ, 50 + i, 0, 3 };
        memcpy(wire + n, &h, sizeof(h));
        memcpy(wire + n + sizeof(h), "/s", 3);
        n += sizeof(h) + 3;
    }
    send_all(fd, wire, n);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_int_eq(raw_recv(fd, &r, buf, 2000), 0);
        ck_assert_uint_eq(r.req_id, 50 + i);
        ck_assert_str_eq(buf, "abcd");
    }
    /* EOF in the middle of a message is just a disconnect */
    send_all(fd, wire, 5);
    close(fd);
    fd = raw_connect(fx.sock);
    expect(fd, XS_READ, S("/s"), XS_READ, "abcd");
    close(fd);
}
END_TEST

START_TEST(directory_part_layout)
{
    int fd = raw_connect(fx.sock);
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t glen;

    expect(fd, XS_WRITE, S("/d/aa"), XS_WRITE, "OK");
    expect(fd, XS_WRITE, S("/d/b"), XS_WRITE, "OK");
    raw_send(fd, XS_DIRECTORY_PART, 1, 0, S("/d\0" "0"));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.type, XS_DIRECTORY_PART);
    glen = strlen(buf) + 1; /* generation */
    ck_assert_uint_gt(glen, 1);
    ck_assert_uint_eq(h.len, glen + 6);
    ck_assert_mem_eq(buf + glen, "aa\0b\0\0", 6);
    raw_send(fd, XS_DIRECTORY_PART, 2, 0, S("/d\0" "3"));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.len, glen + 3);
    ck_assert_mem_eq(buf + glen, "b\0\0", 3);
    raw_send(fd, XS_DIRECTORY_PART, 3, 0, S("/d\0" "99"));
    ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
    ck_assert_uint_eq(h.len, glen + 1);
    close(fd);
}
END_TEST

START_TEST(watch_limit)
{
    int fd = raw_connect(fx.sock);
    char p[32];
    int ok = 0;
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1];

    for (int i = 0; i < 130; i++) {
        int n = snprintf(p, sizeof(p), "/w%d", i);

        p[n + 1] = 't';
        p[n + 2] = '\0';
        raw_send(fd, XS_WATCH, (uint32_t)i, 0, p, (uint32_t)n + 3);
        ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
        if (h.type == XS_WATCH) {
            ok++;
            /* the initial event */
            ck_assert_int_eq(raw_recv(fd, &h, buf, 2000), 0);
            ck_assert_uint_eq(h.type, XS_WATCH_EVENT);
        } else {
            ck_assert_str_eq(buf, "E2BIG");
        }
    }
    ck_assert_int_eq(ok, 128);
    close(fd);
}
END_TEST

START_TEST(unread_events_drop_the_client)
{
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    int lazy, fd;

    xsd_server_free(fx.srv);
    ck_assert_int_eq(rmdir(fx.dir), 0);
    start(&(struct xsd_limits){ .max_out_bytes = 8192 });
    lazy = raw_connect(fx.sock);
    fd = raw_connect(fx.sock);
    expect(fd, XS_READ, S("/tool"), XS_READ, ""); /* both accepted */
    expect(lazy, XS_WATCH, S("/\0t"), XS_WATCH, "OK");
    ck_assert_int_eq(raw_recv(lazy, &h, buf, 2000), 0); /* initial event */
    ck_assert_uint_eq(h.type, XS_WATCH_EVENT);
    /* from now on it reads nothing: the socket buffer, then the queue
     * fill up and the server gives up on it */
    for (int i = 0; i < 20000 && xsd_server_connection_count(fx.srv) == 2;
         i++)
        ck_assert_int_eq(xsd_server_write(fx.srv, "/flood", "x", 1), 0);
    for (int i = 0; i < 200 && xsd_server_connection_count(fx.srv) == 2; i++)
        usleep(10000);
    ck_assert_uint_eq(xsd_server_connection_count(fx.srv), 1);
    expect(fd, XS_READ, S("/flood"), XS_READ, "x");
    close(lazy);
    close(fd);
}
END_TEST

START_TEST(connection_limit)
{
    int fds[3];

    xsd_server_free(fx.srv);
    ck_assert_int_eq(rmdir(fx.dir), 0);
    start(&(struct xsd_limits){ .max_connections = 2 });
    for (int i = 0; i < 3; i++)
        fds[i] = raw_connect(fx.sock);
    expect(fds[0], XS_READ, S("/tool"), XS_READ, "");
    expect(fds[1], XS_READ, S("/tool"), XS_READ, "");
    ck_assert(closed_by_server(fds[2]));
    for (int i = 0; i < 3; i++)
        close(fds[i]);
}
END_TEST

START_TEST(random_garbage_survives)
{
    uint32_t seed = 12345;
    int fd = raw_connect(fx.sock);
    static uint8_t payload[XENSTORE_PAYLOAD_MAX];

    for (int i = 0; i < 3000; i++) {
        uint32_t type, len, tx;

        seed = seed * 1103515245u + 12345u;
        type = (seed >> 16) % (XS_TYPE_COUNT + 2);
        seed = seed * 1103515245u + 12345u;
        len = (seed >> 8) % 64;
        tx = (seed & 7) == 0 ? 1 : 0;
        for (uint32_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly path-ish bytes, some NULs */
            payload[j] = (uint8_t)"/ab0@\0rnwb1"[(seed >> 16) % 11];
        }
        if (type == XS_RESET_WATCHES && (seed & 1))
            type = XS_RM; /* keep some watches around */
        raw_send(fd, type, (uint32_t)i, tx, payload, len);
        if (i % 500 == 499) {
            /* drain: replies and events */
            struct xsd_sockmsg h;
            char buf[XENSTORE_PAYLOAD_MAX + 1];

            while (raw_recv(fd, &h, buf, 200) == 0)
                ;
        }
    }
    close(fd);
    fd = raw_connect(fx.sock);
    expect(fd, XS_WRITE, S("/alive\0yes"), XS_WRITE, "OK");
    expect(fd, XS_READ, S("/alive"), XS_READ, "yes");
    close(fd);
}
END_TEST

struct writer {
    struct xsd_server *srv;
    int id;
    int errors;
};

static void *writer_thread(void *opaque)
{
    struct writer *w = opaque;
    char path[64], val[16], *got;

    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/conc/t%d/k%d", w->id, i);
        snprintf(val, sizeof(val), "%d", i);
        if (xsd_server_write(w->srv, path, val, strlen(val)))
            w->errors++;
        if (xsd_server_read(w->srv, path, &got, NULL)) {
            w->errors++;
            continue;
        }
        w->errors += strcmp(got, val) != 0;
        free(got);
        if (xsd_server_introduce_domain(w->srv, (uint32_t)(100 + w->id)) ||
            xsd_server_release_domain(w->srv, (uint32_t)(100 + w->id)))
            w->errors++;
    }
    return NULL;
}

START_TEST(concurrent_api_and_clients)
{
    struct writer w[3];
    pthread_t th[3];
    int watcher = raw_connect(fx.sock);
    int fd = raw_connect(fx.sock);
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX + 1], msg[64];
    int events = 0;

    expect(watcher, XS_WATCH, S("/conc\0t"), XS_WATCH, "OK");
    ck_assert_int_eq(raw_recv(watcher, &h, buf, 2000), 0);
    for (int i = 0; i < 3; i++) {
        w[i] = (struct writer){ .srv = fx.srv, .id = i };
        ck_assert_int_eq(pthread_create(&th[i], NULL, writer_thread, &w[i]),
                         0);
    }
    for (int i = 0; i < 300; i++) {
        int n = snprintf(msg, sizeof(msg), "/conc/client/k%d", i);

        msg[n + 1] = 'v';
        expect(fd, XS_WRITE, msg, (uint32_t)n + 2, XS_WRITE, "OK");
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].errors, 0);
    }
    while (raw_recv(watcher, &h, buf, 500) == 0) {
        ck_assert_uint_eq(h.type, XS_WATCH_EVENT);
        ck_assert_str_eq(buf + strlen(buf) + 1, "t");
        events++;
    }
    ck_assert_int_eq(events, 4 * 300);
    close(fd);
    close(watcher);
}
END_TEST

START_TEST(create_errors)
{
    char path[256];
    struct xsd_server *s2 = NULL;
    FILE *f;

    memset(path, 'x', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    ck_assert_int_eq(xsd_server_create(path, NULL, &s2), -ENAMETOOLONG);
    /* a file that is not a socket is left alone */
    snprintf(path, sizeof(path), "%s/file", fx.dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(xsd_server_create(path, NULL, &s2), -EEXIST);
    ck_assert_ptr_null(s2);
    ck_assert_int_eq(unlink(path), 0);
    /* one domain socket per domain */
    ck_assert_int_eq(xsd_server_add_domain_socket(fx.srv, 3, path,
                                                  sizeof(path)), 0);
    ck_assert_int_eq(xsd_server_add_domain_socket(fx.srv, 3, NULL, 0),
                     -EEXIST);
    ck_assert_int_eq(xsd_server_add_domain_socket(fx.srv, 3000, path, 4),
                     -ENAMETOOLONG);
    ck_assert_int_eq(xsd_server_add_domain_socket(fx.srv, 3000, NULL, 0), 0);
    ck_assert_str_eq(xsd_server_path(fx.srv), fx.sock);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xenstored_raw");
    TCase *tc = tcase_create("wire");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, wire_basics);
    tcase_add_test(tc, malformed_requests);
    tcase_add_test(tc, path_length_limits);
    tcase_add_test(tc, oversized_message_drops_connection);
    tcase_add_test(tc, split_and_pipelined_messages);
    tcase_add_test(tc, directory_part_layout);
    tcase_add_test(tc, watch_limit);
    tcase_add_test(tc, unread_events_drop_the_client);
    tcase_add_test(tc, connection_limit);
    tcase_add_test(tc, random_garbage_survives);
    tcase_add_test(tc, concurrent_api_and_clients);
    tcase_add_test(tc, create_errors);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
