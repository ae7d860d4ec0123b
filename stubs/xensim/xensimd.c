/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xensimd.c - the xensim daemon: one per run directory.
 *
 * It owns the run directory's control plane: it creates dom0 at start,
 * runs the xenstored (stubs/xenstored, own thread) on
 * $XENSIM_DIR/xenstored.sock, and serves control requests on
 * $XENSIM_DIR/ctl.sock: one text line in, one line out ("ok ..." or
 * "err <errno> <text>"). Requests:
 *   ping | create DOMID MEM_MB VCPUS | destroy DOMID | xs-drop | stop
 * Creating a domain writes its files (simstate.c) and the xenstore nodes
 * libxl would (/local/domain/N/{name,domid}, /local/domain/0/device-model/N,
 * per-domain xenstored socket, @introduceDomain). The ioreq data path never
 * passes through here: device models and the guest side share the
 * domain's state file and talk over event-channel sockets directly.
 *
 * Threading: the control loop is single-threaded (poll over the listening
 * socket, one client at a time, and a signalfd for SIGTERM/SIGINT); the
 * xenstored runs its own thread and is only called through its
 * thread-safe dom0 helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "stubs/xensim/simstate.h"
#include "stubs/xenstored/xenstored.h"

/**
 * struct xsimd - the daemon instance.
 * @run: the run directory.
 * @xsd: the xenstored.
 * @lfd: listening control socket.
 * @sfd: signalfd.
 * @stop: set by the stop request.
 */
struct xsimd {
    struct xsim_run run;
    struct xsd_server *xsd;
    int lfd;
    int sfd;
    int stop;
};

static int xs_put(struct xsimd *d, const char *path, const char *val)
{
    return xsd_server_write(d->xsd, path, val, strlen(val));
}

static int xs_perms(struct xsimd *d, const char *path, uint32_t domid)
{
    struct xsd_perm p[2] = { { 0, XSD_PERM_NONE }, { domid, XSD_PERM_READ } };

    return xsd_server_set_perms(d->xsd, path, p, 2);
}

static int do_create(struct xsimd *d, uint32_t domid, uint64_t mem_mb,
                     uint32_t vcpus, char *reply, size_t len)
{
    char path[128], val[64];
    int rc;

    if (domid == 0)
        return -EINVAL;
    rc = xsim_dom_create(&d->run, domid, mem_mb << 20, vcpus);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    rc = xsd_server_mkdir(d->xsd, path);
    if (!rc)
        rc = xs_perms(d, path, domid);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    snprintf(val, sizeof(val), "guest%u", domid);
    if (!rc)
        rc = xs_put(d, path, val);
    snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
    snprintf(val, sizeof(val), "%u", domid);
    if (!rc)
        rc = xs_put(d, path, val);
    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u", domid);
    if (!rc)
        rc = xsd_server_mkdir(d->xsd, path);
    if (!rc)
        rc = xs_perms(d, path, domid);
    if (!rc) {
        char sock[600];

        rc = xsd_server_add_domain_socket(d->xsd, domid, sock, sizeof(sock));
        if (rc == -EEXIST)
            rc = 0;
    }
    if (!rc)
        rc = xsd_server_introduce_domain(d->xsd, domid);
    if (rc) {
        xsim_dom_destroy(&d->run, domid);
        return rc;
    }
    snprintf(reply, len, "ok created %u", domid);
    return 0;
}

static int do_destroy(struct xsimd *d, uint32_t domid)
{
    char path[128];

    if (domid == 0)
        return -EINVAL;
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xsd_server_rm(d->xsd, path);
    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u", domid);
    xsd_server_rm(d->xsd, path);
    xsd_server_release_domain(d->xsd, domid);
    return xsim_dom_destroy(&d->run, domid);
}

static void handle_line(struct xsimd *d, char *line, char *reply, size_t len)
{
    unsigned long a = 0, b = 0, c = 0;
    char cmd[32];
    int n, rc = 0;

    n = sscanf(line, "%31s %lu %lu %lu", cmd, &a, &b, &c);
    snprintf(reply, len, "ok");
    if (n < 1) {
        rc = -EINVAL;
    } else if (strcmp(cmd, "ping") == 0) {
        snprintf(reply, len, "ok xensimd %.200s", d->run.path);
    } else if (strcmp(cmd, "create") == 0 && n == 4) {
        rc = do_create(d, (uint32_t)a, b, (uint32_t)c, reply, len);
    } else if (strcmp(cmd, "destroy") == 0 && n == 2) {
        rc = do_destroy(d, (uint32_t)a);
    } else if (strcmp(cmd, "xs-drop") == 0) {
        snprintf(reply, len, "ok dropped %u",
                 xsd_server_drop_connections(d->xsd));
    } else if (strcmp(cmd, "stop") == 0) {
        d->stop = 1;
    } else {
        rc = -EINVAL;
    }
    if (rc)
        snprintf(reply, len, "err %d %s", -rc, strerror(-rc));
}

static void serve_client(struct xsimd *d, int cfd)
{
    char line[256], reply[300];
    size_t used = 0;

    for (;;) {
        struct pollfd pfd = { .fd = cfd, .events = POLLIN };
        ssize_t n;
        char *nl;

        if (poll(&pfd, 1, 2000) <= 0)
            return;
        n = read(cfd, line + used, sizeof(line) - 1 - used);
        if (n <= 0)
            return;
        used += (size_t)n;
        line[used] = '\0';
        nl = strchr(line, '\n');
        if (nl || used == sizeof(line) - 1) {
            if (nl)
                *nl = '\0';
            handle_line(d, line, reply, sizeof(reply));
            strcat(reply, "\n");
            if (write(cfd, reply, strlen(reply)) < 0)
                return;
            return;
        }
    }
}

static int listen_ctl(struct xsimd *d)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock",
                         d->run.path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    unlink(sa.sun_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(fd, 16) != 0) {
        int rc = -errno;

        close(fd);
        return rc;
    }
    return fd;
}

static int start(struct xsimd *d, const char *dir)
{
    char path[XSIM_RUN_PATH_MAX + 32];
    sigset_t ss;
    int rc;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "xensimd: mkdir %s: %s\n", dir, strerror(errno));
        return -errno;
    }
    rc = xsim_run_open(&d->run, dir);
    if (rc)
        return rc;
    rc = xsim_dom_create(&d->run, 0, 0, 1);
    if (rc && rc != -EEXIST) {
        fprintf(stderr, "xensimd: dom0: %s\n", strerror(-rc));
        return rc;
    }
    snprintf(path, sizeof(path), "%s/xenstored.sock", d->run.path);
    rc = xsd_server_create(path, NULL, &d->xsd);
    if (rc) {
        fprintf(stderr, "xensimd: xenstored: %s\n", strerror(-rc));
        return rc;
    }
    rc = xs_put(d, "/local/domain/0/name", "Domain-0");
    if (!rc)
        rc = xs_put(d, "/local/domain/0/domid", "0");
    if (!rc)
        rc = xsd_server_mkdir(d->xsd, "/local/domain/0/device-model");
    if (!rc)
        rc = xsd_server_run_thread(d->xsd);
    if (rc) {
        fprintf(stderr, "xensimd: xenstored setup: %s\n", strerror(-rc));
        return rc;
    }
    d->lfd = listen_ctl(d);
    if (d->lfd < 0) {
        fprintf(stderr, "xensimd: ctl.sock: %s\n", strerror(-d->lfd));
        return d->lfd;
    }
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    d->sfd = signalfd(-1, &ss, SFD_CLOEXEC);
    return d->sfd < 0 ? -errno : 0;
}

static void shutdown_all(struct xsimd *d)
{
    char path[XSIM_RUN_PATH_MAX + 32];

    if (d->xsd) {
        xsd_server_stop(d->xsd);
        xsd_server_free(d->xsd);
    }
    if (d->lfd >= 0) {
        close(d->lfd);
        snprintf(path, sizeof(path), "%s/ctl.sock", d->run.path);
        unlink(path);
    }
    if (d->sfd >= 0)
        close(d->sfd);
}

int main(int argc, char **argv)
{
    struct xsimd d = { .lfd = -1, .sfd = -1 };
    const char *dir = getenv("XENSIM_DIR");
    int opt;

    while ((opt = getopt(argc, argv, "d:h")) != -1) {
        if (opt == 'd') {
            dir = optarg;
        } else {
            fprintf(stderr, "usage: xensimd [-d RUN_DIR]  (default "
                    "$XENSIM_DIR)\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    if (!dir || !*dir) {
        fprintf(stderr, "xensimd: no run directory (-d or XENSIM_DIR)\n");
        return 2;
    }
    if (start(&d, dir) != 0) {
        shutdown_all(&d);
        return 1;
    }
    printf("xensimd ready %s\n", d.run.path);
    fflush(stdout);
    while (!d.stop) {
        struct pollfd pfd[2] = { { .fd = d.lfd, .events = POLLIN },
                                 { .fd = d.sfd, .events = POLLIN } };

        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[1].revents)
            break;
        if (pfd[0].revents & POLLIN) {
            int cfd = accept4(d.lfd, NULL, NULL, SOCK_CLOEXEC);

            if (cfd >= 0) {
                serve_client(&d, cfd);
                close(cfd);
            }
        }
    }
    shutdown_all(&d);
    return 0;
}
