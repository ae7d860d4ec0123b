/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xensim_cli.c - `xensim`, the control CLI and toolstack role.
 *
 *   xensim ping|stop|xs-drop               requests to xensimd (ctl.sock)
 *   xensim create DOMID MEM_MB VCPUS       create a domain (via xensimd)
 *   xensim destroy DOMID
 *   xensim info DOMID                      domain state (direct read)
 *   xensim acct DOMID [PID]                mapping accounting
 *   xensim run-dm [-t SECS] [-n] DOMID -- PROG ARGS...
 *        launch a device model like libxl: environment XEN_DOMAIN_ID,
 *        XENSIM_DIR and XENSTORED_PATH; wait for
 *        /local/domain/0/device-model/DOMID/state = running (unless -n);
 *        reap it; report exit status, the domain's shutdown reason and the
 *        DM's outstanding mappings. Exit 0 only if the DM exited 0 without
 *        leaking; 3 = leak, 4 = DM failed, 5 = never reached running.
 *        When the domain shuts down meanwhile (xendevicemodel_shutdown),
 *        the DM is asked to quit like libxl does: QMP quit, SIGTERM after
 *        -k SECS (default 5), SIGKILL after another -k SECS.
 *   xensim qmp-quit DOMID                  QMP "quit" on qmp-libxl-DOMID
 *   xensim kvm-balloon DOMID GFN NR        ask xensim-kvm to give frames back
 *   xensim qemu-args DOMID MEM_MB          print libxl's QEMU command line
 *
 * The run directory is $XENSIM_DIR (or -d DIR before the command).
 * Single-threaded; no state beyond the command being run.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "stubs/xensim/simstate.h"

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int rc = -errno;

        close(fd);
        return rc;
    }
    return fd;
}

static int ctl_request(const struct xsim_run *run, const char *req)
{
    char path[XSIM_RUN_PATH_MAX + 16], reply[512];
    size_t used = 0;
    int fd;

    snprintf(path, sizeof(path), "%s/ctl.sock", run->path);
    fd = unix_connect(path);
    if (fd < 0) {
        fprintf(stderr, "xensim: cannot reach xensimd at %s: %s\n", path,
                strerror(-fd));
        return 1;
    }
    if (write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
        close(fd);
        return 1;
    }
    for (;;) {
        ssize_t n = read(fd, reply + used, sizeof(reply) - 1 - used);

        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == sizeof(reply) - 1)
            break;
    }
    close(fd);
    reply[used] = '\0';
    fputs(reply, stdout);
    return strncmp(reply, "ok", 2) == 0 ? 0 : 1;
}

static int open_dom(const struct xsim_run *run, const char *arg,
                    struct xsim_dom **d)
{
    int rc = xsim_dom_open(run, (uint32_t)strtoul(arg, NULL, 0), d);

    if (rc)
        fprintf(stderr, "xensim: domain %s: %s\n", arg, strerror(-rc));
    return rc;
}

static int cmd_info(const struct xsim_run *run, const char *arg)
{
    struct xsim_dom *d;
    unsigned int servers = 0;

    if (open_dom(run, arg, &d))
        return 1;
    xsim_lock(d);
    for (unsigned int i = 0; i < XSIM_MAX_SERVERS; i++)
        servers += d->sh->servers[i].in_use;
    printf("domid=%u vcpus=%u mem_mb=%llu populated=%llu servers=%u "
           "shutdown=%llu reason=%u\n", d->domid, d->sh->nr_vcpus,
           (unsigned long long)(d->sh->mem_bytes >> 20),
           (unsigned long long)d->sh->populated_count, servers,
           (unsigned long long)d->sh->shutdown_count, d->sh->shutdown_reason);
    xsim_unlock(d);
    xsim_dom_close(d);
    return 0;
}

/* Print accounting of @pid (or every process if @pid is 0). Return: leaks. */
static int report_acct(struct xsim_dom *d, pid_t pid, int clear)
{
    int leaks = 0, found = 0;

    xsim_lock(d);
    for (unsigned int i = 0; i < XSIM_MAX_ACCT; i++) {
        struct xsim_acct *a = &d->sh->acct[i];

        if (!a->pid || (pid && a->pid != pid))
            continue;
        found = 1;
        printf("pid=%d foreign_maps=%lld foreign_pages=%lld "
               "resource_maps=%lld grant_maps=%lld map_calls=%llu", a->pid,
               (long long)a->foreign_maps, (long long)a->foreign_pages,
               (long long)a->resource_maps, (long long)a->grant_maps,
               (unsigned long long)a->map_calls);
        if (a->exit_scanned)
            printf(" exit_live_ram_pages=%lld exit_live_ioreq_pages=%lld",
                   (long long)a->live_ram_pages,
                   (long long)a->live_ioreq_pages);
        printf("\n");
        if (xsim_acct_leaks(a))
            leaks++;
        if (clear)
            memset(a, 0, sizeof(*a));
    }
    if (!found && pid)
        printf("pid=%d foreign_maps=0 foreign_pages=0 resource_maps=0 "
               "grant_maps=0 map_calls=0\n", pid);
    xsim_unlock(d);
    return leaks;
}

static const char *reason_name(uint32_t r)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend",
                                         "crash", "watchdog", "soft_reset" };

    return r < 6 ? names[r] : "unknown";
}

static char *xs_state(struct xs_handle *xs, uint32_t domid)
{
    char path[80];
    unsigned int len;

    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state",
             domid);
    return xs_read(xs, XBT_NULL, path, &len);
}

static int qmp_exchange(int fd, const char *cmd)
{
    char buf[4096];
    ssize_t n;

    if (cmd && write(fd, cmd, strlen(cmd)) < 0)
        return -1;
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };

        if (poll(&pfd, 1, 5000) <= 0)
            return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
            return 0; /* closed: fine after quit */
        buf[n] = '\0';
        if (strstr(buf, "\"return\"") || strstr(buf, "\"QMP\"") ||
            strstr(buf, "\"error\""))
            return 0;
    }
}

/* QMP greeting, qmp_capabilities, quit on qmp-libxl-@dom. Return: 0 or -errno. */
static int qmp_quit(const struct xsim_run *run, const char *dom)
{
    char path[XSIM_RUN_PATH_MAX + 32];
    int fd, rc = 0;

    snprintf(path, sizeof(path), "%s/qmp-libxl-%s", run->path, dom);
    fd = unix_connect(path);
    if (fd < 0)
        return fd;
    if (qmp_exchange(fd, NULL) ||
        qmp_exchange(fd, "{\"execute\":\"qmp_capabilities\"}\n") ||
        qmp_exchange(fd, "{\"execute\":\"quit\"}\n"))
        rc = -EPROTO;
    close(fd);
    return rc;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Wait for the device model @pid to exit. Like libxl, which destroys a
 * domain (and its device model) once the domain shuts down (the device
 * model runs with -no-shutdown): when the domain's shutdown count rises
 * above @base, ask the device model to quit over QMP, then SIGTERM after
 * @kill_ms, then SIGKILL after another @kill_ms.
 */
static void reap_dm(const struct xsim_run *run, struct xsim_dom *d, pid_t pid,
                    uint64_t base, unsigned int kill_ms, int *st)
{
    enum { RUNNING, QMP, TERM, KILL } phase = RUNNING;
    uint64_t since = 0;
    char id[16];

    snprintf(id, sizeof(id), "%u", d->domid);
    while (waitpid(pid, st, WNOHANG) != pid) {
        uint64_t count, now = now_ms();
        uint32_t reason;

        if (phase == RUNNING) {
            xsim_lock(d);
            count = d->sh->shutdown_count;
            reason = d->sh->shutdown_reason;
            xsim_unlock(d);
            if (count > base) {
                int q = qmp_quit(run, id);

                printf("dm domain shut down (reason=%s): %s\n",
                       reason_name(reason),
                       q ? "no QMP, sending SIGTERM" : "quit sent over QMP");
                fflush(stdout);
                phase = q ? TERM : QMP;
                if (q)
                    kill(pid, SIGTERM);
                since = now;
            }
        } else if (phase != KILL && now - since >= kill_ms) {
            printf("dm still running after %u ms: %s\n", kill_ms,
                   phase == QMP ? "SIGTERM" : "SIGKILL");
            fflush(stdout);
            kill(pid, phase == QMP ? SIGTERM : SIGKILL);
            phase = phase == QMP ? TERM : KILL;
            since = now;
        }
        poll(NULL, 0, 20);
    }
}

static int cmd_run_dm(const struct xsim_run *run, int argc, char **argv)
{
    char xsp[XSIM_RUN_PATH_MAX + 32], id[16];
    int timeout = 30, wait_running = 1, opt, st = 0, rc = 0;
    unsigned int kill_ms = 5000;
    uint64_t base_shutdowns;
    struct xsim_dom *d;
    uint32_t domid;
    pid_t pid;

    optind = 1;
    while ((opt = getopt(argc, argv, "+t:nk:")) != -1) {
        if (opt == 't')
            timeout = atoi(optarg);
        else if (opt == 'k')
            kill_ms = (unsigned int)(atof(optarg) * 1000);
        else if (opt == 'n')
            wait_running = 0;
        else
            return 2;
    }
    if (optind + 1 >= argc) {
        fprintf(stderr, "usage: xensim run-dm [-t SECS] [-k SECS] [-n] DOMID "
                "-- PROG ARGS...\n");
        return 2;
    }
    if (open_dom(run, argv[optind], &d))
        return 1;
    domid = d->domid;
    xsim_lock(d);
    base_shutdowns = d->sh->shutdown_count;
    xsim_unlock(d);
    optind++;
    if (strcmp(argv[optind], "--") == 0)
        optind++;
    if (optind >= argc)
        return 2;
    snprintf(id, sizeof(id), "%u", domid);
    snprintf(xsp, sizeof(xsp), "%s/xenstored.sock", run->path);
    setenv("XEN_DOMAIN_ID", id, 1);
    setenv("XENSIM_DIR", run->path, 1);
    if (!getenv("XENSTORED_PATH"))
        setenv("XENSTORED_PATH", xsp, 1);
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "xensim: exec %s: %s\n", argv[optind],
                strerror(errno));
        _exit(127);
    }
    printf("dm started pid=%d\n", pid);
    fflush(stdout);
    if (wait_running) {
        struct xs_handle *xs = xs_open(0);
        int running = 0;

        for (int t = 0; xs && t < timeout * 20 && !running; t++) {
            char *v = xs_state(xs, domid);

            running = v && strcmp(v, "running") == 0;
            free(v);
            if (!running) {
                if (waitpid(pid, &st, WNOHANG) == pid) {
                    pid = 0;
                    break;
                }
                poll(NULL, 0, 50);
            }
        }
        if (xs)
            xs_close(xs);
        if (!running) {
            printf("dm never reached state=running\n");
            rc = 5;
            if (pid > 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
            }
            pid = 0;
        } else {
            printf("dm running pid=%d\n", pid);
        }
        fflush(stdout);
    }
    if (pid > 0)
        reap_dm(run, d, pid, base_shutdowns, kill_ms, &st);
    if (WIFEXITED(st)) {
        printf("dm exit status=%d\n", WEXITSTATUS(st));
        if (WEXITSTATUS(st) && !rc)
            rc = 4;
    } else if (WIFSIGNALED(st)) {
        printf("dm killed signal=%d\n", WTERMSIG(st));
        if (!rc)
            rc = 4;
    }
    xsim_lock(d);
    if (d->sh->shutdown_count)
        printf("dm shutdown reason=%s\n", reason_name(d->sh->shutdown_reason));
    else
        printf("dm shutdown reason=none\n");
    xsim_unlock(d);
    if (report_acct(d, pid ? pid : -1, 1)) {
        printf("LEAK: the device model exited with mappings outstanding\n");
        if (!rc || rc == 4)
            rc = 3;
    }
    xsim_dom_close(d);
    return rc;
}

static int cmd_qmp_quit(const struct xsim_run *run, const char *arg)
{
    int rc = qmp_quit(run, arg);

    if (rc == -EPROTO)
        fprintf(stderr, "xensim: QMP exchange failed\n");
    else if (rc)
        fprintf(stderr, "xensim: QMP %s/qmp-libxl-%s: %s\n", run->path, arg,
                strerror(-rc));
    else
        printf("ok quit sent\n");
    return rc ? 1 : 0;
}

/*
 * libxl's device-model command line for an HVM guest (the parts a device
 * model on xensim needs). -smp carries the domain's vCPU count as both
 * the online and the maximum count, as libxl passes them: a device model
 * serves one ioreq slot per possible vCPU. Without the domain (not created
 * yet) -smp is left out, with a warning.
 */
static int cmd_qemu_args(const struct xsim_run *run, const char *dom,
                         const char *mem)
{
    const char *p = run->path;
    char smp[64] = "";
    struct xsim_dom *d = NULL;
    char *end;
    unsigned long domid = strtoul(dom, &end, 0);

    if (*dom && !*end && domid < 0x7ff0 &&
        xsim_dom_open(run, (uint32_t)domid, &d) == 0) {
        snprintf(smp, sizeof(smp), "-smp %u,maxcpus=%u ", d->sh->nr_vcpus,
                 d->sh->nr_vcpus);
        xsim_dom_close(d);
    } else {
        fprintf(stderr, "xensim: qemu-args: domain %s not found, -smp left "
                "out\n", dom);
    }
    printf("-xen-domid %s -no-shutdown "
           "-chardev socket,id=libxl-cmd,path=%s/qmp-libxl-%s,server=on,"
           "wait=off -mon chardev=libxl-cmd,mode=control "
           "-chardev socket,id=libxenstat-cmd,path=%s/qmp-libxenstat-%s,"
           "server=on,wait=off -mon chardev=libxenstat-cmd,mode=control "
           "-nodefaults -no-user-config -name guest%s -vnc none "
           "-display none -serial file:%s/serial-%s.log "
           "-machine xenfv,suppress-vmdesc=on %s-m %s -net none\n",
           dom, p, dom, p, dom, dom, p, dom, smp, mem);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: xensim [-d RUN_DIR] COMMAND ...\n"
            "  ping | stop | xs-drop\n"
            "  create DOMID MEM_MB VCPUS | destroy DOMID\n"
            "  info DOMID | acct DOMID [PID]\n"
            "  run-dm [-t SECS] [-k SECS] [-n] DOMID -- PROG ARGS...\n"
            "  qmp-quit DOMID | qemu-args DOMID MEM_MB\n"
            "  kvm-balloon DOMID GFN_HEX NR   a KVM-run guest gives NR frames back\n");
}

/* Ask the xensim-kvm running DOMID to balloon out NR frames from GFN. */
static int cmd_kvm_balloon(const struct xsim_run *run, const char *domid,
                           const char *gfn, const char *nr)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char buf[200];
    ssize_t n;
    int fd;

    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom%s/kvm-ctl.sock",
                         run->path, domid) >= sizeof(sa.sun_path))
        return 1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "xensim: no xensim-kvm runs domain %s (%s: %s)\n", domid,
                sa.sun_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    snprintf(buf, sizeof(buf), "balloon-out %s %s\n", gfn, nr);
    if (write(fd, buf, strlen(buf)) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
        fprintf(stderr, "xensim: kvm-balloon: no answer\n");
        close(fd);
        return 1;
    }
    close(fd);
    buf[n] = '\0';
    fputs(buf, stdout);
    return strncmp(buf, "ok", 2) ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct xsim_run run;
    const char *dir = NULL;
    const char *cmd;
    char req[128];

    if (argc > 2 && strcmp(argv[1], "-d") == 0) {
        dir = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) {
        usage();
        return 2;
    }
    cmd = argv[1];
    if (xsim_run_open(&run, dir) != 0)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(cmd, "ping") || !strcmp(cmd, "stop") ||
        !strcmp(cmd, "xs-drop"))
        return ctl_request(&run, cmd);
    if (!strcmp(cmd, "create") && argc == 5) {
        snprintf(req, sizeof(req), "create %s %s %s", argv[2], argv[3],
                 argv[4]);
        return ctl_request(&run, req);
    }
    if (!strcmp(cmd, "destroy") && argc == 3) {
        snprintf(req, sizeof(req), "destroy %s", argv[2]);
        return ctl_request(&run, req);
    }
    if (!strcmp(cmd, "info") && argc == 3)
        return cmd_info(&run, argv[2]);
    if (!strcmp(cmd, "acct") && (argc == 3 || argc == 4)) {
        struct xsim_dom *d;
        int leaks;

        if (open_dom(&run, argv[2], &d))
            return 1;
        leaks = report_acct(d, argc == 4 ? atoi(argv[3]) : 0, 0);
        xsim_dom_close(d);
        return leaks ? 3 : 0;
    }
    if (!strcmp(cmd, "run-dm"))
        return cmd_run_dm(&run, argc - 1, argv + 1);
    if (!strcmp(cmd, "qmp-quit") && argc == 3)
        return cmd_qmp_quit(&run, argv[2]);
    if (!strcmp(cmd, "kvm-balloon") && argc == 5)
        return cmd_kvm_balloon(&run, argv[2], argv[3], argv[4]);
    if (!strcmp(cmd, "qemu-args") && argc == 4)
        return cmd_qemu_args(&run, argv[2], argv[3]);
    usage();
    return 2;
}
