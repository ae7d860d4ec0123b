/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_xensim_rtt.c - the ioreq round-trip floor on xensim.
 *
 * Measures, in one run: (1) a raw two-process eventfd ping-pong (each side
 * blocks in poll(), like an event loop), and (2) guest-side PIO reads
 * answered by xensim-responder (a device model on the drop-in libraries:
 * slot protocol + event channels, no daemon on the path). The two are
 * interleaved over several rounds and each keeps its best round (the
 * machine is shared and noisy). Prints "name value unit" lines and the
 * ratio (2)/(1); target >= 0.8.
 * Usage: bench_xensim_rtt [ROUND_TRIPS [ROUNDS]]   (default 5000, 9)
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void efd_wait(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint64_t v;

    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
    if (read(fd, &v, sizeof(v)) != sizeof(v))
        _exit(1);
}

static void efd_kick(int fd)
{
    uint64_t v = 1;

    if (write(fd, &v, sizeof(v)) != sizeof(v))
        _exit(1);
}

static double eventfd_rate(long n)
{
    int ping = eventfd(0, 0), pong = eventfd(0, 0);
    double t0, t1;
    pid_t pid;

    pid = fork();
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            efd_wait(ping);
            efd_kick(pong);
        }
        _exit(0);
    }
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        efd_kick(ping);
        efd_wait(pong);
    }
    t1 = now_s();
    waitpid(pid, NULL, 0);
    close(ping);
    close(pong);
    return (double)n / (t1 - t0);
}

/*
 * The reference runs in a helper process forked at startup, before the
 * guest side is attached: it stays a single-threaded process (the guest
 * side runs a helper thread, and glibc's read/write/poll wrappers cost
 * more in a process that has ever had threads, also in its fork()ed
 * children), so the reference does not move with the guest side's
 * threading. Requests: a long n over @req; answers: a double over @ans.
 */
struct ref {
    pid_t pid;
    int req, ans;
};

static int ref_start(struct ref *r)
{
    int q[2], a[2];

    if (pipe2(q, O_CLOEXEC) != 0 || pipe2(a, O_CLOEXEC) != 0)
        return -1;
    r->pid = fork();
    if (r->pid < 0)
        return -1;
    if (r->pid == 0) {
        long n;

        close(q[1]);
        close(a[0]);
        while (read(q[0], &n, sizeof(n)) == sizeof(n) && n > 0) {
            double v = eventfd_rate(n);

            if (write(a[1], &v, sizeof(v)) != sizeof(v))
                break;
        }
        _exit(0);
    }
    close(q[0]);
    close(a[1]);
    r->req = q[1];
    r->ans = a[0];
    return 0;
}

static double ref_rate(struct ref *r, long n)
{
    double v;

    if (write(r->req, &n, sizeof(n)) != sizeof(n) ||
        read(r->ans, &v, sizeof(v)) != sizeof(v))
        return 0;
    return v;
}

static void ref_stop(struct ref *r)
{
    close(r->req);
    close(r->ans);
    waitpid(r->pid, NULL, 0);
}

static double guest_rate(struct xsg_guest *g, long n)
{
    double t0, t1;
    uint32_t v;
    long i;

    t0 = now_s();
    for (i = 0; i < n; i++)
        if (xsg_pio_read(g, 0, 0x3f8, 4, &v) != 0)
            return 0;
    t1 = now_s();
    return (double)n / (t1 - t0);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 5000;
    int rounds = argc > 2 ? atoi(argv[2]) : 9;
    char dir[] = "/tmp/xsim-bench-XXXXXX", prog[600], libs[600], cmd[64];
    char exe[512], *bdir;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    double base = 0, sim = 0;
    struct xsim_run run;
    struct xsg_guest *g = NULL;
    struct ref ref;
    uint32_t v;
    pid_t pid;
    int ok = 0;

    if (len <= 0 || n <= 0 || rounds <= 0)
        return 1;
    exe[len] = '\0';
    if (ref_start(&ref) != 0)
        return 1;
    bdir = dirname(dirname(exe)); /* $(B)/bench/NAME */
    if (!mkdtemp(dir) || xsim_run_open(&run, dir) ||
        xsim_dom_create(&run, 0, 0, 1) || xsim_dom_create(&run, 1, 16 << 20, 1))
        return 1;
    setenv("XENSIM_DIR", dir, 1);
    snprintf(prog, sizeof(prog), "%s/xensim-responder", bdir);
    snprintf(libs, sizeof(libs), "%s/stubs/lib", bdir);
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);

        dup2(fd, 1);
        setenv("LD_LIBRARY_PATH", libs, 1);
        execl(prog, prog, "-d", "1", "-q", "-p", "0x3f8:0x3ff", (char *)NULL);
        _exit(127);
    }
    if (xsg_attach(dir, 1, &g) == 0 && xsg_wait_servers(g, 1, 5000) == 0) {
        ok = 1;
        for (int i = 0; i < 1000; i++) /* warm up */
            xsg_pio_read(g, 0, 0x3f8, 1, &v);
        for (int r = 0; r < rounds && ok; r++) {
            double b = ref_rate(&ref, n), s = guest_rate(g, n);

            if (b > base)
                base = b;
            if (s > sim)
                sim = s;
            ok = s > 0;
        }
    }
    xsg_detach(g);
    ref_stop(&ref);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    xsim_dom_destroy(&run, 1);
    xsim_dom_destroy(&run, 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    printf("eventfd_pingpong %.0f roundtrips/s\n", base);
    printf("xensim_ioreq_pio %.0f roundtrips/s\n", sim);
    printf("xensim_ioreq_ratio %.3f ratio\n", base > 0 ? sim / base : 0);
    return ok ? 0 : 1;
}
