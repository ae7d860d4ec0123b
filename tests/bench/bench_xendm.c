/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_xendm.c - xendm's ioreq path and start-up, on xensim, in one run.
 *
 * 1. ioreq round trips per second: guest-side 1-byte PIO reads of the
 *    UART scratch register (0x3ff) answered by xendm (domain 2, started
 *    with libxl's command line), against the same reads answered by
 *    xensim's floor responder (`xensim-responder`, domain 1: slot protocol
 *    and event channels, nothing else). Rounds are interleaved and each
 *    side keeps its best round (the machine is shared and noisy).
 *    Target: xendm / responder >= 0.95.
 * 2. Time from exec to /local/domain/0/device-model/N/state = running and
 *    the resident set size then (VmRSS, after 200 ms more), xendm against
 *    Debian's QEMU (/usr/libexec/xen-qemu-system-i386) with the same
 *    command line on the same xensim, alternating, best time and median
 *    RSS of each. QEMU's column is skipped when it is not installed.
 *
 * Prints "name value unit" lines. Usage:
 *   bench_xendm [ROUND_TRIPS [ROUNDS [STARTS]]]   (default 5000, 9, 5)
 * Needs $(B)/xensimd, xensim, xensim-responder, xendm and the drop-in
 * libraries next to it ($(B)/bench/bench_xendm).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "stubs/guest/guest.h"

#define QEMU_PATH "/usr/libexec/xen-qemu-system-i386"
#define MEM_MB 64
#define MAX_ARGS 96

struct bench {
    char bdir[512];
    char run[64];
    pid_t xensimd;
    int dm_cpu;     /* CPU for device models (-1: any) */
};

/* Pin the calling process to @cpu (ignored when < 0 or not allowed). */
static void pin(int cpu)
{
    cpu_set_t set;

    if (cpu < 0)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof(set), &set);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Run $(B)/xensim ARGS quietly; Return: its exit status or -1. */
static int xensim_cmd(struct bench *b, const char *args)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd), "'%s/xensim' %s >/dev/null 2>&1", b->bdir, args);
    return system(cmd);
}

/* Fork and exec @argv with the drop-in libraries, output to /dev/null. */
static pid_t spawn(struct bench *b, char *const argv[])
{
    char libs[600];
    pid_t pid;

    snprintf(libs, sizeof(libs), "%s/stubs/lib", b->bdir);
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);

        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        pin(b->dm_cpu);
        setenv("LD_LIBRARY_PATH", libs, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void reap(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* argv for a device model: PROG + `xensim qemu-args DOMID MEM_MB`. */
static int dm_argv(struct bench *b, const char *prog, unsigned domid,
                   char *buf, size_t len, char *argv[MAX_ARGS])
{
    char cmd[700];
    FILE *p;
    size_t n;
    int argc = 0;

    snprintf(cmd, sizeof(cmd), "'%s/xensim' qemu-args %u %u", b->bdir, domid, MEM_MB);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    n = fread(buf, 1, len - 1, p);
    pclose(p);
    buf[n] = '\0';
    argv[argc++] = (char *)prog;
    for (char *save = NULL, *t = strtok_r(buf, " \n", &save); t && argc < MAX_ARGS - 1;
         t = strtok_r(NULL, " \n", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    return argc > 1 ? 0 : -1;
}

/* Poll the state key until "running"; Return: seconds, or -1 on timeout. */
static double wait_running(struct xs_handle *xs, unsigned domid, pid_t pid,
                           double t0, double timeout_s)
{
    char path[80];

    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state", domid);
    while (now_s() - t0 < timeout_s) {
        unsigned int len;
        char *v = xs_read(xs, XBT_NULL, path, &len);
        int running = v && strcmp(v, "running") == 0;

        free(v);
        if (running)
            return now_s() - t0;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        sleep_ms(1);
    }
    return -1;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static double guest_rate(struct xsg_guest *g, long n)
{
    double t0 = now_s();
    uint32_t v;

    for (long i = 0; i < n; i++)
        if (xsg_pio_read(g, 0, 0x3ff, 1, &v) != 0)
            return 0;
    return (double)n / (now_s() - t0);
}

/* One start of @prog on a fresh domain @domid: time to running and RSS. */
static int start_once(struct bench *b, struct xs_handle *xs, const char *prog,
                      unsigned domid, double *secs, long *rss)
{
    char buf[4096], args[64], *argv[MAX_ARGS];
    pid_t pid;
    double t0;

    snprintf(args, sizeof(args), "create %u %u 1", domid, MEM_MB);
    if (xensim_cmd(b, args) != 0 || dm_argv(b, prog, domid, buf, sizeof(buf), argv))
        return -1;
    t0 = now_s();
    pid = spawn(b, argv);
    *secs = wait_running(xs, domid, pid, t0, 30);
    if (*secs >= 0) {
        sleep_ms(200);
        *rss = rss_kib(pid);
    }
    reap(pid);
    snprintf(args, sizeof(args), "destroy %u", domid);
    xensim_cmd(b, args);
    return *secs >= 0 && *rss > 0 ? 0 : -1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

static int bench_start(struct bench *b, int starts)
{
    char xendm[600];
    int have_qemu = access(QEMU_PATH, X_OK) == 0;
    double best_x = 1e9, best_q = 1e9;
    long rss_x[16], rss_q[16];
    struct xs_handle *xs = xs_open(0);
    unsigned domid = 10;
    int ok = 1;

    if (!xs) {
        fprintf(stderr, "bench_xendm: cannot open xenstore\n");
        return -1;
    }
    if (starts > 16)
        starts = 16;
    snprintf(xendm, sizeof(xendm), "%s/xendm", b->bdir);
    if (!have_qemu)
        printf("# QEMU column skipped: %s not installed (apt-get install qemu-system-xen)\n",
               QEMU_PATH);
    for (int i = 0; i < starts && ok; i++) {
        double s;

        ok = start_once(b, xs, xendm, domid++, &s, &rss_x[i]) == 0;
        if (ok && s < best_x)
            best_x = s;
        if (ok && have_qemu) {
            ok = start_once(b, xs, QEMU_PATH, domid++, &s, &rss_q[i]) == 0;
            if (ok && s < best_q)
                best_q = s;
        }
    }
    xs_close(xs);
    if (!ok) {
        fprintf(stderr, "bench_xendm: a device model did not reach state=running\n");
        return -1;
    }
    qsort(rss_x, (size_t)starts, sizeof(long), cmp_long);
    printf("xendm_start_to_running %.1f ms\n", best_x * 1e3);
    printf("xendm_rss_after_start %ld KiB\n", rss_x[starts / 2]);
    if (have_qemu) {
        qsort(rss_q, (size_t)starts, sizeof(long), cmp_long);
        printf("qemu_start_to_running %.1f ms\n", best_q * 1e3);
        printf("qemu_rss_after_start %ld KiB\n", rss_q[starts / 2]);
        printf("start_time_ratio_xendm_vs_qemu %.3f\n", best_x / best_q);
        printf("rss_ratio_xendm_vs_qemu %.3f\n", (double)rss_x[starts / 2] / (double)rss_q[starts / 2]);
    }
    return 0;
}

static int bench_rtt(struct bench *b, long n, int rounds)
{
    char resp[600], xendm[600], buf[4096], *argv[MAX_ARGS];
    char *rargv[] = { resp, "-d", "1", "-q", "-p", "0x3f8:0x3ff", NULL };
    struct xsg_guest *g1 = NULL, *g2 = NULL;
    struct xs_handle *xs = xs_open(0);
    double floor_rate = 0, dm_rate = 0;
    pid_t rpid = -1, dpid = -1;
    uint32_t v;
    int ok = 0;

    if (!xs)
        return -1;
    snprintf(resp, sizeof(resp), "%s/xensim-responder", b->bdir);
    snprintf(xendm, sizeof(xendm), "%s/xendm", b->bdir);
    if (xensim_cmd(b, "create 1 64 1") || xensim_cmd(b, "create 2 64 1") ||
        dm_argv(b, xendm, 2, buf, sizeof(buf), argv))
        goto out;
    rpid = spawn(b, rargv);
    dpid = spawn(b, argv);
    if (wait_running(xs, 2, dpid, now_s(), 30) < 0 ||
        xsg_attach(b->run, 1, &g1) || xsg_attach(b->run, 2, &g2) ||
        xsg_wait_servers(g1, 1, 5000) || xsg_wait_servers(g2, 1, 5000))
        goto out;
    for (int i = 0; i < 1000; i++) { /* warm up both */
        xsg_pio_read(g1, 0, 0x3ff, 1, &v);
        xsg_pio_read(g2, 0, 0x3ff, 1, &v);
    }
    ok = 1;
    for (int r = 0; r < rounds && ok; r++) {
        double f = guest_rate(g1, n), d = guest_rate(g2, n);

        if (f > floor_rate)
            floor_rate = f;
        if (d > dm_rate)
            dm_rate = d;
        ok = f > 0 && d > 0;
    }
out:
    xsg_detach(g1);
    xsg_detach(g2);
    reap(dpid);
    reap(rpid);
    xs_close(xs);
    xensim_cmd(b, "destroy 2");
    xensim_cmd(b, "destroy 1");
    if (!ok) {
        fprintf(stderr, "bench_xendm: round-trip measurement failed\n");
        return -1;
    }
    printf("responder_ioreq_rtt %.0f /s\n", floor_rate);
    printf("xendm_ioreq_rtt %.0f /s\n", dm_rate);
    printf("xendm_vs_responder_ratio %.3f\n", dm_rate / floor_rate);
    printf("xendm_vs_responder_target_met %d\n", dm_rate / floor_rate >= 0.95);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 5000;
    int rounds = argc > 2 ? atoi(argv[2]) : 9;
    int starts = argc > 3 ? atoi(argv[3]) : 5;
    char exe[512], sock[128], xs_path[128], cmd[128];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    struct bench b;
    int rc = 1;

    if (len <= 0 || n <= 0 || rounds <= 0 || starts <= 0)
        return 2;
    exe[len] = '\0';
    memset(&b, 0, sizeof(b));
    b.dm_cpu = -1;
    snprintf(b.bdir, sizeof(b.bdir), "%s", dirname(dirname(exe))); /* $(B)/bench/NAME */
    snprintf(b.run, sizeof(b.run), "/tmp/xendm-bench-XXXXXX");
    if (!mkdtemp(b.run))
        return 1;
    snprintf(xs_path, sizeof(xs_path), "%s/xenstored.sock", b.run);
    snprintf(sock, sizeof(sock), "%s/ctl.sock", b.run);
    setenv("XENSIM_DIR", b.run, 1);
    setenv("XENSTORED_PATH", xs_path, 1);
    {
        char prog[600];
        char *dargv[] = { prog, NULL };

        snprintf(prog, sizeof(prog), "%s/xensimd", b.bdir);
        b.xensimd = spawn(&b, dargv);
    }
    for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++)
        sleep_ms(25);
    if (access(sock, F_OK) != 0) {
        fprintf(stderr, "bench_xendm: xensimd did not start\n");
        goto out;
    }
    /* Round trips: guest side and device model pinned to one CPU, so a
     * round trip costs two context switches plus the device model's own
     * work, which is what is compared. Unpinned, the scheduler's placement
     * flips whole runs between that and a cross-CPU mode ~10x slower on a
     * 2-vCPU VM (halt/IPI wake-up latency, the same for either device
     * model); BENCH_CROSS_CPU=1 measures that mode (DM on CPU 1). */
    pin(0);
    b.dm_cpu = getenv("BENCH_CROSS_CPU") && sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 1 : 0;
    if (bench_rtt(&b, n, rounds) == 0) {
        b.dm_cpu = -1;
        if (bench_start(&b, starts) == 0)
            rc = 0;
    }
out:
    reap(b.xensimd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b.run);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
