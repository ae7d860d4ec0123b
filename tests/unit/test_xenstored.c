/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xenstored.c - xensim's xenstored driven through Debian's real
 * libxenstore (xs_open with XENSTORED_PATH pointing at a temp socket):
 * every node operation, permissions for a domU connection, watches
 * (including the special ones), transactions and their conflicts,
 * DIRECTORY_PART fallback, domain operations and the dom0 helper API.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "stubs/xenstored/xenstored.h"

struct fixture {
    char dir[64];
    char sock[96];
    struct xsd_server *srv;
};

static struct fixture fx;

static void setup(void)
{
    strcpy(fx.dir, "/tmp/test_xsd.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fx.dir));
    snprintf(fx.sock, sizeof(fx.sock), "%s/socket", fx.dir);
    ck_assert_int_eq(xsd_server_create(fx.sock, NULL, &fx.srv), 0);
    ck_assert_int_eq(xsd_server_run_thread(fx.srv), 0);
}

static void teardown(void)
{
    xsd_server_free(fx.srv);
    fx.srv = NULL;
    ck_assert_int_eq(rmdir(fx.dir), 0); /* the sockets were unlinked */
}

static struct xs_handle *open_at(const char *path)
{
    struct xs_handle *h;

    setenv("XENSTORED_PATH", path, 1);
    h = xs_open(0);
    unsetenv("XENSTORED_PATH");
    ck_assert_ptr_nonnull(h);
    return h;
}

/* A connection of domain @domid through its own socket. */
static struct xs_handle *open_domain(uint32_t domid)
{
    char path[160];

    ck_assert_int_eq(xsd_server_add_domain_socket(fx.srv, domid, path,
                                                  sizeof(path)), 0);
    return open_at(path);
}

static char *rd(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    unsigned int len;

    return xs_read(h, t, path, &len);
}

static void assert_value(struct xs_handle *h, const char *path,
                         const char *want)
{
    char *v = rd(h, XBT_NULL, path);

    ck_assert_msg(v, "%s: read failed (errno %d)", path, errno);
    ck_assert_str_eq(v, want);
    free(v);
}

static void assert_read_errno(struct xs_handle *h, const char *path, int err)
{
    char *v = rd(h, XBT_NULL, path);

    ck_assert_msg(!v, "%s: read succeeded with '%s'", path, v ? v : "");
    ck_assert_int_eq(errno, err);
}

static bool wr(struct xs_handle *h, const char *path, const char *v)
{
    return xs_write(h, XBT_NULL, path, v, (unsigned int)strlen(v));
}

/* Next watch event within @ms, as "path|token"; "" if none came. */
static const char *next_event(struct xs_handle *h, int ms, char *buf,
                              size_t size)
{
    struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
    char **ev = xs_check_watch(h);

    if (!ev && poll(&p, 1, ms) == 1)
        ev = xs_check_watch(h);
    buf[0] = '\0';
    if (ev) {
        snprintf(buf, size, "%s|%s", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
        free(ev);
    }
    return buf;
}

START_TEST(read_write_mkdir_rm)
{
    struct xs_handle *h = open_at(fx.sock);
    unsigned int n, len;
    char **names, *v;

    ck_assert(wr(h, "/a/b/c", "hello"));
    assert_value(h, "/a/b/c", "hello");
    assert_value(h, "/a/b", ""); /* parents created implicitly */
    ck_assert(xs_write(h, XBT_NULL, "/bin", "x\0y", 3));
    v = xs_read(h, XBT_NULL, "/bin", &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(v, "x\0y", 3);
    free(v);
    ck_assert(wr(h, "/a/b/c", "again"));
    assert_value(h, "/a/b/c", "again");
    ck_assert(xs_mkdir(h, XBT_NULL, "/a/d"));
    ck_assert(xs_mkdir(h, XBT_NULL, "/a/d")); /* exists: fine */
    names = xs_directory(h, XBT_NULL, "/a", &n);
    ck_assert_ptr_nonnull(names);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(names[0], "b");
    ck_assert_str_eq(names[1], "d");
    free(names);
    names = xs_directory(h, XBT_NULL, "/", &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(names[0], "tool");
    free(names);
    ck_assert(xs_rm(h, XBT_NULL, "/a"));
    assert_read_errno(h, "/a/b/c", ENOENT);
    assert_read_errno(h, "/a", ENOENT);
    ck_assert(xs_rm(h, XBT_NULL, "/a")); /* missing, parent exists */
    ck_assert(!xs_rm(h, XBT_NULL, "/a/b"));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert(!xs_rm(h, XBT_NULL, "/"));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(xs_directory(h, XBT_NULL, "/nope", &n));
    ck_assert_int_eq(errno, ENOENT);
    /* Bad names */
    ck_assert(!wr(h, "/bad//name", "1"));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!wr(h, "/trailing/", "1"));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!wr(h, "/sp ace", "1"));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!wr(h, "@special", "1"));
    ck_assert_int_eq(errno, EINVAL);
    xs_close(h);
}
END_TEST

START_TEST(relative_paths_and_domain_path)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *d = open_domain(7);
    char *p;

    p = xs_get_domain_path(h, 7);
    ck_assert_str_eq(p, "/local/domain/7");
    free(p);
    /* dom0's relative paths live under /local/domain/0 */
    ck_assert(wr(h, "rel/key", "0"));
    assert_value(h, "/local/domain/0/rel/key", "0");
    /* give dom7 its home, as the toolstack does */
    ck_assert(xs_mkdir(h, XBT_NULL, "/local/domain/7"));
    struct xs_permissions perm = { .id = 7, .perms = XS_PERM_NONE };
    ck_assert(xs_set_permissions(h, XBT_NULL, "/local/domain/7", &perm, 1));
    ck_assert(wr(d, "data/x", "42"));
    assert_value(h, "/local/domain/7/data/x", "42");
    assert_value(d, "data/x", "42");
    xs_close(d);
    xs_close(h);
}
END_TEST

START_TEST(perms_get_set)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_permissions set[3] = {
        { .id = 3, .perms = XS_PERM_NONE },
        { .id = 4, .perms = XS_PERM_READ },
        { .id = 5, .perms = XS_PERM_READ | XS_PERM_WRITE },
    };
    struct xs_permissions *got;
    unsigned int n;

    ck_assert(wr(h, "/p", "v"));
    got = xs_get_permissions(h, XBT_NULL, "/p", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(got[0].id, 0);
    ck_assert_uint_eq(got[0].perms, XS_PERM_NONE);
    free(got);
    ck_assert(xs_set_permissions(h, XBT_NULL, "/p", set, 3));
    got = xs_get_permissions(h, XBT_NULL, "/p", &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(got[0].id, 3);
    ck_assert_uint_eq(got[1].id, 4);
    ck_assert_uint_eq(got[1].perms, XS_PERM_READ);
    ck_assert_uint_eq(got[2].perms, XS_PERM_READ | XS_PERM_WRITE);
    free(got);
    /* children inherit perms */
    ck_assert(wr(h, "/p/child", "c"));
    got = xs_get_permissions(h, XBT_NULL, "/p/child", &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(got[0].id, 3);
    free(got);
    ck_assert(!xs_set_permissions(h, XBT_NULL, "/missing", set, 1));
    ck_assert_int_eq(errno, ENOENT);
    xs_close(h);
}
END_TEST

START_TEST(domu_permission_denial)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *d = open_domain(5);
    struct xs_permissions ro[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = 5, .perms = XS_PERM_READ },
    };
    struct xs_permissions own = { .id = 5, .perms = XS_PERM_NONE };
    struct xs_permissions give = { .id = 6, .perms = XS_PERM_NONE };
    unsigned int n;

    ck_assert(wr(h, "/secret/key", "s"));
    ck_assert(wr(h, "/shared/key", "r"));
    ck_assert(xs_set_permissions(h, XBT_NULL, "/shared/key", ro, 2));
    /* n0: dom5 may neither read nor learn what exists */
    assert_read_errno(d, "/secret/key", EACCES);
    assert_read_errno(d, "/secret/nothing", EACCES);
    ck_assert_ptr_null(xs_directory(d, XBT_NULL, "/secret", &n));
    ck_assert_int_eq(errno, EACCES);
    ck_assert(!wr(d, "/secret/key", "x"));
    ck_assert_int_eq(errno, EACCES);
    ck_assert(!wr(d, "/secret/new", "x"));
    ck_assert_int_eq(errno, EACCES);
    ck_assert(!xs_rm(d, XBT_NULL, "/secret"));
    ck_assert_int_eq(errno, EACCES);
    ck_assert(!xs_set_permissions(d, XBT_NULL, "/secret", &own, 1));
    ck_assert_int_eq(errno, EACCES);
    /* r5: read yes, write no */
    assert_value(d, "/shared/key", "r");
    ck_assert(!wr(d, "/shared/key", "x"));
    ck_assert_int_eq(errno, EACCES);
    assert_value(h, "/shared/key", "r");
    /* privileged operations */
    ck_assert(!xs_introduce_domain(d, 9, 1, 1));
    ck_assert_int_eq(errno, EACCES);
    /* its own subtree: full control, but it may not give it away */
    ck_assert(xs_mkdir(h, XBT_NULL, "/home5"));
    ck_assert(xs_set_permissions(h, XBT_NULL, "/home5", &own, 1));
    ck_assert(wr(d, "/home5/a/b", "mine"));
    assert_value(d, "/home5/a/b", "mine");
    ck_assert(!xs_set_permissions(d, XBT_NULL, "/home5/a", &give, 1));
    ck_assert_int_eq(errno, EPERM);
    ck_assert(xs_rm(d, XBT_NULL, "/home5/a"));
    assert_read_errno(h, "/home5/a", ENOENT);
    xs_close(d);
    xs_close(h);
}
END_TEST

START_TEST(watches_fire)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *w = open_at(fx.sock);
    char ev[256];

    ck_assert(xs_watch(w, "/watched", "tok"));
    /* fires once on registration, though the node does not exist */
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/watched|tok");
    ck_assert_str_eq(next_event(w, 50, ev, sizeof(ev)), "");
    ck_assert(wr(h, "/watched/deep/node", "1"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)),
                     "/watched/deep/node|tok");
    ck_assert(wr(h, "/other", "1")); /* outside: nothing */
    ck_assert(wr(h, "/watchedsibling", "1")); /* not below either */
    ck_assert(wr(h, "/watched", "v"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/watched|tok");
    ck_assert(xs_rm(h, XBT_NULL, "/watched"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/watched|tok");
    ck_assert_str_eq(next_event(w, 50, ev, sizeof(ev)), "");
    /* a watch below a removed subtree fires too */
    ck_assert(wr(h, "/tree/leaf", "1"));
    ck_assert(xs_watch(w, "/tree/leaf", "leaf"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/tree/leaf|leaf");
    ck_assert(xs_rm(h, XBT_NULL, "/tree"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/tree/leaf|leaf");
    /* same watch twice: EEXIST; unwatch stops events */
    ck_assert(!xs_watch(w, "/tree/leaf", "leaf"));
    ck_assert_int_eq(errno, EEXIST);
    ck_assert(xs_unwatch(w, "/tree/leaf", "leaf"));
    ck_assert(!xs_unwatch(w, "/tree/leaf", "leaf"));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert(xs_unwatch(w, "/watched", "tok"));
    ck_assert(wr(h, "/tree/leaf", "2"));
    ck_assert(wr(h, "/watched", "2"));
    ck_assert_str_eq(next_event(w, 100, ev, sizeof(ev)), "");
    xs_close(w);
    xs_close(h);
}
END_TEST

START_TEST(watch_root_and_direct_api)
{
    struct xs_handle *w = open_at(fx.sock);
    char ev[256], *v;
    size_t len;

    ck_assert(xs_watch(w, "/", "all"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/|all");
    /* the dom0 helpers fire watches like a client */
    ck_assert_int_eq(xsd_server_write(fx.srv, "/sim/state", "running", 7), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/sim/state|all");
    ck_assert_int_eq(xsd_server_read(fx.srv, "/sim/state", &v, &len), 0);
    ck_assert_str_eq(v, "running");
    ck_assert_uint_eq(len, 7);
    free(v);
    ck_assert_int_eq(xsd_server_mkdir(fx.srv, "/sim/dir"), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/sim/dir|all");
    ck_assert_int_eq(xsd_server_set_perms(fx.srv, "/sim/dir",
                     &(struct xsd_perm){ 3, XSD_PERM_READ }, 1), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/sim/dir|all");
    ck_assert_int_eq(xsd_server_rm(fx.srv, "/sim"), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/sim|all");
    ck_assert_int_eq(xsd_server_read(fx.srv, "/sim/state", &v, &len),
                     -ENOENT);
    ck_assert_int_eq(xsd_server_rm(fx.srv, "/"), -EINVAL);
    ck_assert_int_eq(xsd_server_write(fx.srv, "no//good", "", 0), -EINVAL);
    xs_close(w);
}
END_TEST

START_TEST(domu_watch_needs_read_perm)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *d = open_domain(8);
    struct xs_permissions r8[2] = { { 0, XS_PERM_NONE }, { 8, XS_PERM_READ } };
    char ev[256];

    ck_assert(xs_watch(d, "/w", "t"));
    ck_assert_str_eq(next_event(d, 2000, ev, sizeof(ev)), "/w|t");
    ck_assert(wr(h, "/w/hidden", "1")); /* n0: no event for dom8 */
    ck_assert_str_eq(next_event(d, 100, ev, sizeof(ev)), "");
    ck_assert(wr(h, "/w/visible", "1"));
    ck_assert(xs_set_permissions(h, XBT_NULL, "/w/visible", r8, 2));
    ck_assert_str_eq(next_event(d, 2000, ev, sizeof(ev)), "/w/visible|t");
    /* special watches are for privileged connections */
    ck_assert(xs_watch(d, "@introduceDomain", "i"));
    ck_assert_str_eq(next_event(d, 2000, ev, sizeof(ev)),
                     "@introduceDomain|i");
    ck_assert_int_eq(xsd_server_introduce_domain(fx.srv, 8), 0);
    ck_assert_str_eq(next_event(d, 100, ev, sizeof(ev)), "");
    /* relative watch paths are reported relative */
    ck_assert(xs_mkdir(h, XBT_NULL, "/local/domain/8"));
    ck_assert(xs_set_permissions(h, XBT_NULL, "/local/domain/8",
                                 &(struct xs_permissions){ 8, 0 }, 1));
    ck_assert(xs_watch(d, "device", "rel"));
    ck_assert_str_eq(next_event(d, 2000, ev, sizeof(ev)), "device|rel");
    ck_assert(wr(h, "/local/domain/8/device/vbd", "1"));
    ck_assert_str_eq(next_event(d, 2000, ev, sizeof(ev)), "device/vbd|rel");
    xs_close(d);
    xs_close(h);
}
END_TEST

START_TEST(special_watches)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *w = open_at(fx.sock);
    char ev[256];

    ck_assert(xs_watch(w, "@introduceDomain", "in"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@introduceDomain|in");
    ck_assert(xs_watch(w, "@releaseDomain", "out"));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@releaseDomain|out");
    ck_assert(!xs_is_domain_introduced(h, 4));
    ck_assert(xs_introduce_domain(h, 4, 0x1234, 3));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@introduceDomain|in");
    ck_assert(xs_is_domain_introduced(h, 4));
    ck_assert(xs_is_domain_introduced(h, 0));
    ck_assert(xs_resume_domain(h, 4));
    ck_assert(xs_release_domain(h, 4));
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@releaseDomain|out");
    ck_assert(!xs_is_domain_introduced(h, 4));
    ck_assert(!xs_release_domain(h, 4));
    ck_assert_int_eq(errno, ENOENT);
    /* the helper API fires the same watches */
    ck_assert_int_eq(xsd_server_introduce_domain(fx.srv, 11), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@introduceDomain|in");
    ck_assert_int_eq(xsd_server_release_domain(fx.srv, 11), 0);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "@releaseDomain|out");
    ck_assert_int_eq(xsd_server_release_domain(fx.srv, 11), -ENOENT);
    /* node writes never match special watches */
    ck_assert(wr(h, "/x", "1"));
    ck_assert_str_eq(next_event(w, 100, ev, sizeof(ev)), "");
    xs_close(w);
    xs_close(h);
}
END_TEST

START_TEST(transaction_commit_and_abort)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *o = open_at(fx.sock);
    struct xs_handle *w = open_at(fx.sock);
    xs_transaction_t t;
    char ev[256], *v;

    ck_assert(xs_watch(w, "/t", "t"));
    next_event(w, 2000, ev, sizeof(ev));
    t = xs_transaction_start(h);
    ck_assert_uint_ne(t, XBT_NULL);
    ck_assert(xs_write(h, t, "/t/a", "1", 1));
    /* isolated until commit */
    v = rd(h, t, "/t/a");
    ck_assert_str_eq(v, "1");
    free(v);
    assert_read_errno(o, "/t/a", ENOENT);
    ck_assert_str_eq(next_event(w, 100, ev, sizeof(ev)), "");
    ck_assert(xs_transaction_end(h, t, false));
    assert_value(o, "/t/a", "1");
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/t/a|t");
    /* abort discards */
    t = xs_transaction_start(h);
    ck_assert(xs_write(h, t, "/t/b", "2", 1));
    ck_assert(xs_rm(h, t, "/t/a"));
    ck_assert(xs_transaction_end(h, t, true));
    assert_read_errno(o, "/t/b", ENOENT);
    assert_value(o, "/t/a", "1");
    ck_assert_str_eq(next_event(w, 100, ev, sizeof(ev)), "");
    /* rm inside a transaction */
    t = xs_transaction_start(h);
    ck_assert(xs_rm(h, t, "/t"));
    ck_assert_ptr_null(rd(h, t, "/t/a"));
    ck_assert_int_eq(errno, ENOENT);
    assert_value(h, "/t/a", "1"); /* outside, still there */
    ck_assert(xs_transaction_end(h, t, false));
    assert_read_errno(o, "/t", ENOENT);
    ck_assert_str_eq(next_event(w, 2000, ev, sizeof(ev)), "/t|t");
    /* unknown transaction id */
    ck_assert(!xs_write(h, 999999, "/t", "", 0));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert(!xs_transaction_end(h, 999999, false));
    ck_assert_int_eq(errno, ENOENT);
    xs_close(w);
    xs_close(o);
    xs_close(h);
}
END_TEST

START_TEST(transaction_conflict)
{
    struct xs_handle *h = open_at(fx.sock);
    struct xs_handle *o = open_at(fx.sock);
    xs_transaction_t t1, t2;
    char *v;

    ck_assert(wr(h, "/c/x", "0"));
    ck_assert(wr(h, "/c/y", "0"));
    /* read-then-changed: EAGAIN */
    t1 = xs_transaction_start(h);
    v = rd(h, t1, "/c/x");
    free(v);
    ck_assert(wr(o, "/c/x", "other"));
    ck_assert(xs_write(h, t1, "/c/y", "1", 1));
    ck_assert(!xs_transaction_end(h, t1, false));
    ck_assert_int_eq(errno, EAGAIN);
    assert_value(o, "/c/y", "0"); /* nothing applied */
    /* two transactions writing the same node: the second loses */
    t1 = xs_transaction_start(h);
    t2 = xs_transaction_start(o);
    ck_assert(xs_write(h, t1, "/c/x", "t1", 2));
    ck_assert(xs_write(o, t2, "/c/x", "t2", 2));
    ck_assert(xs_transaction_end(o, t2, false));
    ck_assert(!xs_transaction_end(h, t1, false));
    ck_assert_int_eq(errno, EAGAIN);
    assert_value(h, "/c/x", "t2");
    /* disjoint nodes: both commit */
    t1 = xs_transaction_start(h);
    t2 = xs_transaction_start(o);
    ck_assert(xs_write(h, t1, "/c/x", "a", 1));
    ck_assert(xs_write(o, t2, "/c/y", "b", 1));
    ck_assert(xs_transaction_end(h, t1, false));
    ck_assert(xs_transaction_end(o, t2, false));
    assert_value(h, "/c/x", "a");
    assert_value(h, "/c/y", "b");
    /* a read of a missing node conflicts with its creation */
    t1 = xs_transaction_start(h);
    ck_assert_ptr_null(rd(h, t1, "/c/z"));
    ck_assert(wr(o, "/c/z", "now"));
    ck_assert(!xs_transaction_end(h, t1, false));
    ck_assert_int_eq(errno, EAGAIN);
    xs_close(o);
    xs_close(h);
}
END_TEST

START_TEST(transaction_limit)
{
    struct xs_handle *h = open_at(fx.sock);
    xs_transaction_t t[11];

    for (int i = 0; i < 10; i++) {
        t[i] = xs_transaction_start(h);
        ck_assert_uint_ne(t[i], XBT_NULL);
    }
    ck_assert_uint_eq(xs_transaction_start(h), XBT_NULL);
    ck_assert_int_eq(errno, ENOSPC);
    for (int i = 0; i < 10; i++)
        ck_assert(xs_transaction_end(h, t[i], true));
    t[10] = xs_transaction_start(h);
    ck_assert_uint_ne(t[10], XBT_NULL);
    ck_assert(xs_transaction_end(h, t[10], true));
    xs_close(h);
}
END_TEST

START_TEST(directory_part_fallback)
{
    struct xs_handle *h = open_at(fx.sock);
    char path[64];
    char **names;
    unsigned int n;

    /* 600 names of 12+ bytes: more than one 4096-byte reply */
    for (int i = 0; i < 600; i++) {
        snprintf(path, sizeof(path), "/big/child-%06d", i);
        ck_assert(wr(h, path, "v"));
    }
    names = xs_directory(h, XBT_NULL, "/big", &n);
    ck_assert_msg(names, "directory failed: errno %d", errno);
    ck_assert_uint_eq(n, 600);
    for (unsigned int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "child-%06u", i);
        ck_assert_str_eq(names[i], path);
    }
    free(names);
    xs_close(h);
}
END_TEST

START_TEST(control_and_limits_of_nodes)
{
    struct xsd_limits lim = { .max_nodes = 10, .max_nodes_per_domain = 3,
                              .max_tx_nodes = 5 };
    xs_transaction_t t;
    char sock2[128];
    struct xsd_server *s2;
    struct xs_handle *h, *d;
    char path[32], *r;
    int ok = 0;

    /* a second server in the same process */
    snprintf(sock2, sizeof(sock2), "%s/second", fx.dir);
    ck_assert_int_eq(xsd_server_create(sock2, &lim, &s2), 0);
    ck_assert_int_eq(xsd_server_run_thread(s2), 0);
    h = open_at(sock2);
    r = xs_control_command(h, "check", NULL, 0);
    ck_assert_str_eq(r, "OK");
    free(r);
    ck_assert_ptr_null(xs_control_command(h, "bogus", NULL, 0));
    ck_assert_int_eq(errno, EINVAL);
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "/n%d", i);
        ok += wr(h, path, "1");
    }
    ck_assert_int_eq(ok, 7); /* "/", "/tool", "/tool/xenstored" + 7 */
    ck_assert(!wr(h, "/more", "1"));
    ck_assert_int_eq(errno, ENOSPC);
    /* the first server is independent */
    d = open_at(fx.sock);
    ck_assert(wr(d, "/more", "1"));
    xs_close(d);
    /* per-domain quota */
    ck_assert(xs_rm(h, XBT_NULL, "/n0"));
    ck_assert(xs_rm(h, XBT_NULL, "/n1"));
    ck_assert(xs_rm(h, XBT_NULL, "/n2"));
    ck_assert(xs_rm(h, XBT_NULL, "/n3"));
    ck_assert(xs_set_permissions(h, XBT_NULL, "/n4",
                                 &(struct xs_permissions){ 2, 0 }, 1));
    ck_assert_int_eq(xsd_server_add_domain_socket(s2, 2, path, sizeof(path)),
                     0);
    d = open_at(path);
    ck_assert(wr(d, "/n4/a", "1"));
    ck_assert(wr(d, "/n4/b", "1"));
    ck_assert(!wr(d, "/n4/c", "1")); /* owns /n4, a, b */
    ck_assert_int_eq(errno, ENOSPC);
    xs_close(d);
    /* paths per transaction */
    t = xs_transaction_start(h);
    for (int i = 0; i < 5; i++) {
        static const char *const p5[] = { "/", "/tool", "/n4", "/n5", "/n6" };

        r = rd(h, t, p5[i]);
        ck_assert_ptr_nonnull(r);
        free(r);
    }
    ck_assert_ptr_null(rd(h, t, "/n4/a"));
    ck_assert_int_eq(errno, ENOSPC);
    ck_assert(xs_transaction_end(h, t, true));
    xs_close(h);
    xsd_server_free(s2);
}
END_TEST

START_TEST(drop_connections)
{
    struct xs_handle *h = open_at(fx.sock);
    char *v;

    ck_assert(wr(h, "/k", "1"));
    ck_assert_uint_eq(xsd_server_connection_count(fx.srv), 1);
    ck_assert_uint_eq(xsd_server_drop_connections(fx.srv), 1);
    ck_assert_uint_eq(xsd_server_connection_count(fx.srv), 0);
    v = rd(h, XBT_NULL, "/k");
    ck_assert_ptr_null(v);
    xs_close(h);
    h = open_at(fx.sock);
    assert_value(h, "/k", "1"); /* the store survives */
    xs_close(h);
    /* stop/restart keeps serving */
    xsd_server_stop(fx.srv);
    ck_assert_int_eq(xsd_server_run_thread(fx.srv), 0);
    ck_assert_int_eq(xsd_server_run_thread(fx.srv), -EBUSY);
    h = open_at(fx.sock);
    assert_value(h, "/k", "1");
    xs_close(h);
}
END_TEST

struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int n;
    char log[4096];
    struct xsd_server *srv; /* for the callback that writes */
};

static void record_cb(void *opaque, const char *path, const char *token)
{
    struct recorder *r = opaque;
    size_t used;

    pthread_mutex_lock(&r->lock);
    used = strlen(r->log);
    snprintf(r->log + used, sizeof(r->log) - used, "%s|%s;", path, token);
    r->n++;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* Answers "/req" writes by writing "/ack" from inside the callback. */
static void ack_cb(void *opaque, const char *path, const char *token)
{
    struct recorder *r = opaque;
    char *v;

    if (strcmp(path, "/req") || xsd_server_read(r->srv, "/req", &v, NULL))
        return;
    ck_assert_int_eq(xsd_server_write(r->srv, "/ack", v, strlen(v)), 0);
    free(v);
}

/* Wait until @r saw @n events; Return: its log. */
static const char *wait_events(struct recorder *r, int n)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 3;
    pthread_mutex_lock(&r->lock);
    while (r->n < n &&
           pthread_cond_timedwait(&r->cond, &r->lock, &ts) == 0)
        ;
    pthread_mutex_unlock(&r->lock);
    return r->log;
}

START_TEST(in_process_watches)
{
    static struct recorder rec = { PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_COND_INITIALIZER, 0, "", NULL };
    static struct recorder ack = { PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_COND_INITIALIZER, 0, "", NULL };
    struct xs_handle *h = open_at(fx.sock);
    char *v = NULL;

    rec.n = 0;
    rec.log[0] = '\0';
    ck_assert_int_eq(xsd_server_watch(fx.srv, "/dm", "t", record_cb, &rec),
                     0);
    ck_assert_str_eq(wait_events(&rec, 1), "/dm|t;");
    ck_assert_int_eq(xsd_server_watch(fx.srv, "/dm", "t", record_cb, &rec),
                     -EEXIST);
    ck_assert(wr(h, "/dm/state", "running"));
    ck_assert_str_eq(wait_events(&rec, 2), "/dm|t;/dm/state|t;");
    ck_assert_int_eq(xsd_server_watch(fx.srv, "device-model", "rel",
                                      record_cb, &rec), 0);
    ck_assert(wr(h, "device-model/1/state", "running"));
    ck_assert_str_eq(wait_events(&rec, 4), "/dm|t;/dm/state|t;"
                     "device-model|rel;device-model/1/state|rel;");
    ck_assert_int_eq(xsd_server_watch(fx.srv, "@releaseDomain", "rel",
                                      record_cb, &rec), 0);
    ck_assert(xs_introduce_domain(h, 3, 1, 1));
    ck_assert(xs_release_domain(h, 3));
    ck_assert_str_eq(wait_events(&rec, 6), "/dm|t;/dm/state|t;"
                     "device-model|rel;device-model/1/state|rel;"
                     "@releaseDomain|rel;@releaseDomain|rel;");
    /* survives dropping the clients */
    xsd_server_drop_connections(fx.srv);
    xs_close(h);
    h = open_at(fx.sock);
    /* a callback may use the server */
    ack.srv = fx.srv;
    ck_assert_int_eq(xsd_server_watch(fx.srv, "/req", "a", ack_cb, &ack), 0);
    ck_assert(wr(h, "/req", "ping"));
    for (int i = 0; i < 300 && !v; i++) {
        v = rd(h, XBT_NULL, "/ack");
        if (!v)
            usleep(10000);
    }
    ck_assert_str_eq(v, "ping");
    free(v);
    /* unwatch: no more calls */
    ck_assert_int_eq(xsd_server_unwatch(fx.srv, "/dm", "t"), 0);
    ck_assert_int_eq(xsd_server_unwatch(fx.srv, "/dm", "t"), -ENOENT);
    ck_assert(wr(h, "/dm/state", "stopped"));
    ck_assert(wr(h, "/x", "sync"));
    usleep(100000);
    pthread_mutex_lock(&rec.lock);
    ck_assert_int_eq(rec.n, 6);
    pthread_mutex_unlock(&rec.lock);
    ck_assert_int_eq(xsd_server_unwatch(fx.srv, "/req", "a"), 0);
    xs_close(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xenstored");
    TCase *tc = tcase_create("libxenstore");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, read_write_mkdir_rm);
    tcase_add_test(tc, relative_paths_and_domain_path);
    tcase_add_test(tc, perms_get_set);
    tcase_add_test(tc, domu_permission_denial);
    tcase_add_test(tc, watches_fire);
    tcase_add_test(tc, watch_root_and_direct_api);
    tcase_add_test(tc, domu_watch_needs_read_perm);
    tcase_add_test(tc, special_watches);
    tcase_add_test(tc, transaction_commit_and_abort);
    tcase_add_test(tc, transaction_conflict);
    tcase_add_test(tc, transaction_limit);
    tcase_add_test(tc, directory_part_fallback);
    tcase_add_test(tc, control_and_limits_of_nodes);
    tcase_add_test(tc, drop_connections);
    tcase_add_test(tc, in_process_watches);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
