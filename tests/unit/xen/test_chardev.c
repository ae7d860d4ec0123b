/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_chardev.c - character backends: socket (fd, server, client, wait),
 * pty, file, null; the write cap and drop counter; input flow control;
 * QEMU-style filenames.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xen/chardev.h"

struct fe {
    GByteArray *rx;
    int connects;
    int disconnects;
    size_t can;            /* what can_receive answers */
};

static size_t fe_can(void *opaque)
{
    return ((struct fe *)opaque)->can;
}

static void fe_rx(void *opaque, const uint8_t *buf, size_t len)
{
    g_byte_array_append(((struct fe *)opaque)->rx, buf, (guint)len);
}

static void fe_conn(void *opaque)
{
    ((struct fe *)opaque)->connects++;
}

static void fe_disc(void *opaque)
{
    ((struct fe *)opaque)->disconnects++;
}

static const struct chardev_handlers fe_handlers = {
    .can_receive = fe_can, .receive = fe_rx, .connected = fe_conn, .disconnected = fe_disc,
};

static void fe_init(struct fe *f)
{
    memset(f, 0, sizeof(*f));
    f->rx = g_byte_array_new();
    f->can = 1u << 20;
}

static void fe_fini(struct fe *f)
{
    g_byte_array_unref(f->rx);
}

/* Run the default context until *@flag >= @want or ~2 s pass. */
static void pump_until(const int *flag, int want)
{
    for (int i = 0; i < 2000 && *flag < want; i++) {
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
}

static void pump_rx(struct fe *f, guint want)
{
    for (int i = 0; i < 2000 && f->rx->len < want; i++) {
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
}

static void pump_for(int ms)
{
    for (int i = 0; i < ms; i++) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_usleep(1000);
    }
}

static struct chardev *open_spec(const char *str)
{
    struct chardev_spec *spec = NULL;
    struct chardev *chr;
    char *err = NULL;

    if (chardev_spec_parse(str, &spec, &err) < 0)
        ck_abort_msg("parse '%s': %s", str, err);
    chr = chardev_open(spec, NULL, &err);
    if (!chr)
        ck_abort_msg("open '%s': %s", str, err);
    chardev_spec_free(spec);
    return chr;
}

static struct chardev *open_fd(int fd)
{
    g_autofree char *s = g_strdup_printf("socket,id=t,fd=%d", fd);

    return open_spec(s);
}

START_TEST(fd_socket_roundtrip)
{
    int sv[2];
    struct fe f;
    struct chardev *chr;
    char buf[16];
    g_autofree char *fname = NULL;

    fe_init(&f);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    chr = open_fd(sv[0]);
    ck_assert(chardev_is_connected(chr));
    ck_assert(!chardev_frontend_open(chr));
    chardev_set_handlers(chr, &fe_handlers, &f);
    ck_assert_int_eq(f.connects, 1);            /* already connected */
    ck_assert(chardev_frontend_open(chr));
    ck_assert_uint_eq(chardev_write(chr, "hello", 5), 5);
    ck_assert_int_eq(read(sv[1], buf, sizeof(buf)), 5);
    ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
    ck_assert_int_eq(write(sv[1], "abc", 3), 3);
    ck_assert_int_eq(write(sv[1], "def", 3), 3);
    pump_rx(&f, 6);
    ck_assert_uint_eq(f.rx->len, 6);
    ck_assert_int_eq(memcmp(f.rx->data, "abcdef", 6), 0);
    fname = chardev_filename(chr);
    ck_assert_str_eq(fname, "unix:");
    /* Peer goes away: disconnected, and writes are discarded. */
    close(sv[1]);
    pump_until(&f.disconnects, 1);
    ck_assert_int_eq(f.disconnects, 1);
    ck_assert(!chardev_is_connected(chr));
    ck_assert_uint_eq(chardev_write(chr, "x", 1), 1);
    ck_assert_int_eq(chardev_write_msg(chr, "x", 1), -ENOTCONN);
    chardev_close(chr);
    fe_fini(&f);
}
END_TEST

/* A peer that does not read: bounded queue, drops counted, order kept. */
START_TEST(write_cap_and_drops)
{
    int sv[2], sz = 4096;
    struct chardev *chr;
    uint8_t chunk[1000];
    uint64_t total = 0, accepted = 0, got = 0;
    GByteArray *in = g_byte_array_new();

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    chr = open_fd(sv[0]);
    chardev_set_write_cap(chr, 8192);
    for (int i = 0; i < 1000; i++) {
        for (size_t j = 0; j < sizeof(chunk); j++)
            chunk[j] = (uint8_t)(total + j);
        accepted += chardev_write(chr, chunk, sizeof(chunk));
        total += sizeof(chunk);
        ck_assert_uint_le(chardev_queued(chr), 8192);
    }
    ck_assert_uint_gt(chardev_dropped(chr), 0);
    ck_assert_uint_eq(chardev_dropped(chr) + accepted, total);
    ck_assert_uint_lt(accepted, 64 * 1024);     /* kernel buffers + cap, not 1 MB */
    /* Whole message or nothing. */
    ck_assert_int_eq(chardev_write_msg(chr, chunk, 9000), -ENOBUFS);
    ck_assert_uint_eq(chardev_dropped(chr) + accepted, total + 9000);
    /* The reader catches up: exactly the accepted bytes arrive. */
    (void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 3000 && got < accepted; i++) {
        uint8_t buf[8192];
        ssize_t n = read(sv[1], buf, sizeof(buf));

        if (n > 0) {
            g_byte_array_append(in, buf, (guint)n);
            got += (uint64_t)n;
        }
        g_main_context_iteration(NULL, FALSE);
        if (n <= 0)
            g_usleep(500);
    }
    ck_assert_uint_eq(got, accepted);
    ck_assert_uint_eq(chardev_queued(chr), 0);
    /* The first bytes are the unbroken start of the stream. */
    for (size_t j = 0; j < 1000; j++)
        ck_assert_uint_eq(in->data[j], (uint8_t)j);
    /* Once drained, a message fits again. */
    ck_assert_int_eq(chardev_write_msg(chr, chunk, 100), 0);
    chardev_close(chr);
    close(sv[1]);
    g_byte_array_unref(in);
}
END_TEST

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

START_TEST(unix_server_one_client_at_a_time)
{
    g_autofree char *dir = g_dir_make_tmp("xendm-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "s.sock", NULL);
    g_autofree char *spec = g_strdup_printf("socket,id=mon,path=%s,server=on,wait=off", path);
    g_autofree char *want = NULL;
    struct chardev *chr = open_spec(spec);
    struct fe f;
    struct stat st;
    char *fname;
    int c1, c2;
    char buf[8];

    fe_init(&f);
    chardev_set_handlers(chr, &fe_handlers, &f);
    ck_assert_int_eq(f.connects, 0);
    fname = chardev_filename(chr);
    want = g_strdup_printf("disconnected:unix:%s,server=on", path);
    ck_assert_str_eq(fname, want);
    g_free(fname);
    c1 = connect_unix(path);
    pump_until(&f.connects, 1);
    ck_assert_int_eq(f.connects, 1);
    fname = chardev_filename(chr);
    ck_assert_str_eq(fname, want + strlen("disconnected:"));
    g_free(fname);
    /* A second client waits in the backlog until the first leaves. */
    c2 = connect_unix(path);
    pump_for(50);
    ck_assert_int_eq(f.connects, 1);
    ck_assert_int_eq(write(c2, "two", 3), 3);
    ck_assert_int_eq(write(c1, "one", 3), 3);
    pump_rx(&f, 3);
    ck_assert_uint_eq(f.rx->len, 3);
    ck_assert_int_eq(memcmp(f.rx->data, "one", 3), 0);
    close(c1);
    pump_until(&f.connects, 2);
    ck_assert_int_eq(f.disconnects, 1);
    ck_assert_int_eq(f.connects, 2);
    pump_rx(&f, 6);
    ck_assert_int_eq(memcmp(f.rx->data + 3, "two", 3), 0);
    chardev_write(chr, "hi", 2);
    ck_assert_int_eq(read(c2, buf, sizeof(buf)), 2);
    /* Dropping the client from our side: the server listens again. */
    chardev_disconnect(chr);
    ck_assert_int_eq(f.disconnects, 2);
    ck_assert_int_eq(read(c2, buf, sizeof(buf)), 0);
    close(c2);
    chardev_close(chr);
    ck_assert_int_eq(stat(path, &st), -1);      /* socket path removed */
    rmdir(dir);
    fe_fini(&f);
}
END_TEST

static gpointer late_connect(gpointer path)
{
    g_usleep(50000);
    return GINT_TO_POINTER(connect_unix(path));
}

START_TEST(unix_server_wait_and_client)
{
    g_autofree char *dir = g_dir_make_tmp("xendm-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "w.sock", NULL);
    g_autofree char *spec = g_strdup_printf("socket,id=w,path=%s,server=on", path);
    g_autofree char *cspec = NULL;
    GThread *t = g_thread_new("client", late_connect, path);
    struct chardev *srv = open_spec(spec), *cli;
    struct fe f;
    int c;

    /* wait=on (the default): open returned only once a client came. */
    ck_assert(chardev_is_connected(srv));
    c = GPOINTER_TO_INT(g_thread_join(t));
    close(c);
    chardev_close(srv);

    /* Client mode connects to a listening socket. */
    cspec = g_strdup_printf("socket,id=s2,path=%s,server=on,wait=off", path);
    srv = open_spec(cspec);
    g_free(cspec);
    cspec = g_strdup_printf("socket,id=c,path=%s", path);
    cli = open_spec(cspec);
    fe_init(&f);
    chardev_set_handlers(srv, &fe_handlers, &f);
    ck_assert(chardev_is_connected(cli));
    chardev_write(cli, "ping", 4);
    pump_rx(&f, 4);
    ck_assert_uint_eq(f.rx->len, 4);
    g_free(cspec);
    cspec = chardev_filename(cli);
    ck_assert(g_str_has_prefix(cspec, "unix:"));
    ck_assert(!strstr(cspec, "server"));
    chardev_close(cli);
    chardev_close(srv);
    rmdir(dir);
    fe_fini(&f);
}
END_TEST

START_TEST(pty_backend)
{
    struct chardev *chr = open_spec("pty,id=serial0");
    const char *name = chardev_pty_name(chr);
    g_autofree char *fname = chardev_filename(chr);
    g_autofree char *want = NULL;
    struct fe f;
    char buf[16];
    int s;

    ck_assert_ptr_nonnull(name);
    want = g_strdup_printf("pty:%s", name);
    ck_assert_str_eq(fname, want);
    fe_init(&f);
    chardev_set_handlers(chr, &fe_handlers, &f);
    s = open(name, O_RDWR | O_NOCTTY);
    ck_assert_int_ge(s, 0);
    ck_assert_uint_eq(chardev_write(chr, "boot\n", 5), 5);
    ck_assert_int_eq(read(s, buf, sizeof(buf)), 5);     /* raw: no echo, no CRLF */
    ck_assert_int_eq(memcmp(buf, "boot\n", 5), 0);
    ck_assert_int_eq(write(s, "k", 1), 1);
    pump_rx(&f, 1);
    ck_assert_uint_eq(f.rx->len, 1);
    ck_assert_int_eq(f.rx->data[0], 'k');
    close(s);
    /* Nobody attached: still no hang-up storm, writes go on. */
    pump_for(20);
    ck_assert_uint_eq(chardev_write(chr, "more", 4), 4);
    chardev_close(chr);
    fe_fini(&f);
}
END_TEST

START_TEST(file_and_null)
{
    g_autofree char *dir = g_dir_make_tmp("xendm-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out.log", NULL);
    g_autofree char *spec = g_strdup_printf("file,id=f,path=%s", path);
    g_autofree char *contents = NULL;
    g_autofree char *fname = NULL;
    struct chardev *chr = open_spec(spec);
    gsize len;

    chardev_write(chr, "first\n", 6);
    chardev_close(chr);
    chr = open_spec(spec);                          /* truncates */
    chardev_write(chr, "second\n", 7);
    fname = chardev_filename(chr);
    chardev_close(chr);
    ck_assert(g_file_get_contents(path, &contents, &len, NULL));
    ck_assert_str_eq(contents, "second\n");
    g_free(contents);
    g_free(spec);
    spec = g_strdup_printf("file,id=f,path=%s,append=on", path);
    chr = open_spec(spec);
    chardev_write(chr, "third\n", 6);
    chardev_close(chr);
    ck_assert(g_file_get_contents(path, &contents, &len, NULL));
    ck_assert_str_eq(contents, "second\nthird\n");
    ck_assert(g_str_has_prefix(fname, "file:"));
    unlink(path);
    rmdir(dir);

    chr = open_spec("null,id=n");
    ck_assert_uint_eq(chardev_write(chr, "x", 1), 1);
    ck_assert_int_eq(chardev_write_msg(chr, "x", 1), 0);
    g_free(fname);
    fname = chardev_filename(chr);
    ck_assert_str_eq(fname, "null");
    ck_assert_str_eq(chardev_label(chr), "n");
    chardev_close(chr);
}
END_TEST

START_TEST(input_flow_control)
{
    int sv[2];
    struct fe f;
    struct chardev *chr;

    fe_init(&f);
    f.can = 2;
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    chr = open_fd(sv[0]);
    chardev_set_handlers(chr, &fe_handlers, &f);
    ck_assert_int_eq(write(sv[1], "abcdef", 6), 6);
    pump_rx(&f, 2);
    f.can = 0;                         /* frontend full */
    pump_for(30);
    ck_assert_uint_eq(f.rx->len, 2);
    f.can = 100;
    chardev_resume_input(chr);
    pump_rx(&f, 6);
    ck_assert_uint_eq(f.rx->len, 6);
    ck_assert_int_eq(memcmp(f.rx->data, "abcdef", 6), 0);
    chardev_close(chr);
    close(sv[1]);
    fe_fini(&f);
}
END_TEST

START_TEST(open_errors)
{
    struct chardev_spec *spec = NULL;
    char *err = NULL;
    int fd = open("/dev/null", O_RDONLY);
    g_autofree char *s = g_strdup_printf("socket,id=bad,fd=%d", fd);

    ck_assert_int_eq(chardev_spec_parse(s, &spec, &err), 0);
    ck_assert_ptr_null(chardev_open(spec, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "chardev 'bad'"));
    ck_assert_ptr_nonnull(strstr(err, "not a socket"));
    g_free(err);
    chardev_spec_free(spec);
    close(fd);
    ck_assert_int_eq(chardev_spec_parse("socket,id=c,path=/nonexistent/dir/s", &spec, &err), 0);
    ck_assert_ptr_null(chardev_open(spec, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/s"));
    g_free(err);
    chardev_spec_free(spec);
    ck_assert_int_eq(chardev_spec_parse_legacy("vc", "serial0", &spec, &err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "unsupported device 'vc'"));
    g_free(err);
    ck_assert_int_eq(chardev_spec_parse("socket,id=x,path=/a,wait=off", &spec, &err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "server=on"));
    g_free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xen_chardev");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, fd_socket_roundtrip);
    tcase_add_test(tc, write_cap_and_drops);
    tcase_add_test(tc, unix_server_one_client_at_a_time);
    tcase_add_test(tc, unix_server_wait_and_client);
    tcase_add_test(tc, pty_backend);
    tcase_add_test(tc, file_and_null);
    tcase_add_test(tc, input_flow_control);
    tcase_add_test(tc, open_errors);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
