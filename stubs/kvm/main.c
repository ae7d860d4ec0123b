/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - xensim-kvm: run a xensim domain's vCPUs on /dev/kvm.
 *
 *   xensim-kvm [-d RUN_DIR] (--kernel BZIMAGE [--initrd FILE] | --flat IMAGE)
 *              [--append CMDLINE]
 *              [--reserve-top KB] [--kvmclock] [--io-timeout MS]
 *              [--wait SECS] [--log-level LEVEL] DOMID
 *
 * The domain exists already (`xensim create`) and its device model is
 * started by the toolstack's role (`xensim run-dm`); like libxl, this
 * waits for /local/domain/0/device-model/DOMID/state = running before it
 * unpauses (boots) the domain, then runs until the domain shuts down.
 * While it runs, dom<N>/kvm-ctl.sock takes `balloon-out GFN NR` (the
 * guest giving NR frames back, as a balloon driver would: frames freed,
 * INVALIDATE sent to the device models; `xensim kvm-balloon`).
 * Exit: 0 poweroff, 2 reboot (also a triple fault), 3 crash or another
 * reason, 1 an error before the guest ran (one line on stderr).
 */
#include <errno.h>
#include <pthread.h>
#include <getopt.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>
#include <stdint.h>
#include <xen/sched.h>

#include "stubs/kvm/kvm.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xensim-kvm [options] DOMID\n"
            "Boot a Linux kernel on a xensim domain with KVM vCPUs; port I/O and\n"
            "MMIO exits become ioreqs for the domain's device model.\n"
            "  -d, --run-dir DIR     xensim run directory (default $XENSIM_DIR)\n"
            "  -k, --kernel FILE     bzImage to boot (required)\n"
            "  -i, --initrd FILE     initramfs\n"
            "  -f, --flat FILE       instead of a kernel: a flat 32-bit image run\n"
            "                        at 1 MiB in protected mode, EBX = command line\n"
            "  -a, --append CMDLINE  kernel command line\n"
            "      --reserve-top KB  keep KB at the top of low RAM out of the e820\n"
            "                        map (a window `balloon` tests may take back)\n"
            "      --kvmclock        show KVM's paravirtual CPUID leaves (kvmclock)\n"
            "      --io-timeout MS   wait this long for a device model's answer\n"
            "                        (default 30000; then all-ones)\n"
            "      --wait SECS       wait this long for the device model to be\n"
            "                        running (default 60)\n"
            "      --log-level L     err, warn, info (default), debug, trace\n"
            "      --spin-us US      poll this long for a device model's answer\n"
            "                        before sleeping (default 50)\n"
            "      --echo-port PORT  answer 1-byte accesses to PORT in the vCPU\n"
            "                        thread (a scratch register, no ioreq): the\n"
            "                        floor of the PIO benchmark\n"
            "      --check           say whether this host's /dev/kvm is usable\n"
            "                        (exit 0) or why not (exit 1), and stop\n"
            "  -h, --help            this text\n"
            "Exit status: 0 poweroff, 2 reboot, 3 crash or other, 1 error.\n");
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return -EINVAL;
    *out = (unsigned int)v;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libxl's readiness test: the device model's state key says "running". */
static int wait_dm_running(uint32_t domid, unsigned int secs)
{
    char path[80];
    double end = now_s() + secs;
    struct xs_handle *xs = NULL;

    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state", domid);
    while (now_s() < end) {
        unsigned int len = 0;
        char *v;

        if (!xs)
            xs = xs_open(0);
        if (xs) {
            v = xs_read(xs, XBT_NULL, path, &len);
            if (v && !strcmp(v, "running")) {
                free(v);
                xs_close(xs);
                return 0;
            }
            free(v);
        }
        usleep(20000);
    }
    if (xs)
        xs_close(xs);
    fprintf(stderr, "xensim-kvm: the device model of domain %u is not running "
                    "after %u s (%s is not \"running\"%s)\n",
            domid, secs, path, xs ? "" : "; cannot reach xenstored: is "
                                         "XENSTORED_PATH set?");
    return -ETIMEDOUT;
}

/* The control socket, dom<N>/kvm-ctl.sock: one command line per
 * connection, one answer line back (`xensim kvm-balloon`). */
static int ctl_open(struct xkvm *k, struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (fd < 0 || (size_t)snprintf(sa->sun_path, sizeof(sa->sun_path),
                                   "%s/kvm-ctl.sock", k->dom->dir) >=
                      sizeof(sa->sun_path)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unlink(sa->sun_path);
    if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 4) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void ctl_serve(struct xkvm *k, int lfd)
{
    char line[128], out[160];
    unsigned long long gfn, nr;
    ssize_t n;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), rc;
    struct pollfd p = { .events = POLLIN };

    if (fd < 0)
        return;
    p.fd = fd;
    if (poll(&p, 1, 1000) <= 0 || (n = read(fd, line, sizeof(line) - 1)) <= 0) {
        close(fd);
        return;
    }
    line[n] = '\0';
    if (sscanf(line, "balloon-out %llx %llu", &gfn, &nr) == 2 && nr &&
        nr <= (1u << 20)) {
        /* decrease_reservation from the guest: frames go, then Xen's
         * INVALIDATE to every server through vCPU 0's slot. */
        rc = xsg_balloon_out(k->g, 0, gfn, nr);
        snprintf(out, sizeof(out), rc ? "err %s\n" : "ok\n", strerror(-rc));
        log_info("xensim-kvm: balloon-out gfn 0x%llx + %llu: %s", gfn, nr,
                 rc ? strerror(-rc) : "done");
    } else {
        snprintf(out, sizeof(out), "err unknown command (balloon-out GFN_HEX NR)\n");
    }
    if (write(fd, out, strlen(out)) < 0)
        log_debug("xensim-kvm: control answer lost");
    close(fd);
}

static const char *reason_name(int r)
{
    switch (r) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    case SHUTDOWN_soft_reset: return "soft_reset";
    case -1: return "destroyed";
    default: return "unknown";
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "run-dir", required_argument, NULL, 'd' },
        { "kernel", required_argument, NULL, 'k' },
        { "initrd", required_argument, NULL, 'i' },
        { "flat", required_argument, NULL, 'f' },
        { "append", required_argument, NULL, 'a' },
        { "reserve-top", required_argument, NULL, 'r' },
        { "kvmclock", no_argument, NULL, 'c' },
        { "io-timeout", required_argument, NULL, 't' },
        { "wait", required_argument, NULL, 'w' },
        { "log-level", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { "check", no_argument, NULL, 'C' },
        { "echo-port", required_argument, NULL, 'e' },
        { "spin-us", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    struct xkvm_opts o = { .append = "", .io_timeout_ms = 30000, .spin_us = 50 };
    const char *run_dir = NULL;
    unsigned int domid, wait_s = 60;
    struct xkvm *k;
    enum log_level lvl;
    double t0;
    sigset_t sigs;
    struct sockaddr_un ctl_sa;
    int c, rc, reason, ctl;

    while ((c = getopt_long(argc, argv, "d:k:i:f:a:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': run_dir = optarg; break;
        case 'k': o.kernel = optarg; break;
        case 'i': o.initrd = optarg; break;
        case 'f': o.flat = optarg; break;
        case 'a': o.append = optarg; break;
        case 'c': o.kvm_leaves = true; break;
        case 'r':
            if (parse_uint(optarg, 1u << 22, &o.reserve_top_kb)) {
                fprintf(stderr, "xensim-kvm: bad --reserve-top '%s'\n", optarg);
                return 1;
            }
            break;
        case 't':
            if (parse_uint(optarg, 3600000, &o.io_timeout_ms) || !o.io_timeout_ms) {
                fprintf(stderr, "xensim-kvm: bad --io-timeout '%s'\n", optarg);
                return 1;
            }
            break;
        case 'w':
            if (parse_uint(optarg, 86400, &wait_s)) {
                fprintf(stderr, "xensim-kvm: bad --wait '%s'\n", optarg);
                return 1;
            }
            break;
        case 'l':
            if (log_parse_level(optarg, &lvl)) {
                fprintf(stderr, "xensim-kvm: unknown log level '%s'\n", optarg);
                return 1;
            }
            log_set_level(lvl);
            break;
        case 'h': usage(stdout); return 0;
        case 's':
            if (parse_uint(optarg, 10000, &o.spin_us)) {
                fprintf(stderr, "xensim-kvm: bad --spin-us '%s'\n", optarg);
                return 1;
            }
            break;
        case 'e': {
            unsigned int port;

            if (parse_uint(optarg, 0xffff, &port) || !port) {
                fprintf(stderr, "xensim-kvm: bad --echo-port '%s'\n", optarg);
                return 1;
            }
            o.echo_port = (uint16_t)port;
            break;
        }
        case 'C': {
            char why[160];
            int r = xkvm_probe(why, sizeof(why));

            printf("%s\n", why);
            return r ? 1 : 0;
        }
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc - 1 || parse_uint(argv[optind], 0x7fef, &domid) || !domid) {
        fprintf(stderr, "xensim-kvm: give one domain id (1-32751); see --help\n");
        return 1;
    }
    if (!o.kernel == !o.flat) {
        fprintf(stderr, "xensim-kvm: give --kernel or --flat (one of them); see --help\n");
        return 1;
    }
    if (access(o.kernel ? o.kernel : o.flat, R_OK) != 0) {
        fprintf(stderr, "xensim-kvm: %s %s: %s\n", o.kernel ? "kernel" : "flat image",
                o.kernel ? o.kernel : o.flat, strerror(errno));
        return 1;
    }
    if (o.initrd && access(o.initrd, R_OK) != 0) {
        fprintf(stderr, "xensim-kvm: initrd %s: %s\n", o.initrd, strerror(errno));
        return 1;
    }
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        fprintf(stderr, "xensim-kvm: no usable /dev/kvm (%s)\n", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    rc = xkvm_open(run_dir, domid, &o, &k);
    if (rc)
        return 1;
    t0 = now_s();
    if (wait_dm_running(domid, wait_s) ||
        (o.kernel ? xkvm_boot_linux(k) : xkvm_boot_flat(k))) {
        xkvm_close(k);
        return 1;
    }
    log_info("xensim-kvm: domain %u: %u vCPUs, %llu MiB, device model ready "
             "after %.3f s; booting %s", domid, k->nr_vcpus,
             (unsigned long long)(k->dom->sh->mem_bytes >> 20), now_s() - t0,
             o.kernel ? o.kernel : o.flat);
    /* SIGINT/SIGTERM destroy the domain (taken by sigtimedwait below). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    rc = xkvm_start(k);
    if (rc) {
        log_err("xensim-kvm: cannot start vCPUs: %s", strerror(-rc));
        xkvm_close(k);
        return 1;
    }
    ctl = ctl_open(k, &ctl_sa);
    if (ctl < 0)
        log_warn("xensim-kvm: no control socket: %s", strerror(errno));
    while (!__atomic_load_n(&k->stop, __ATOMIC_SEQ_CST)) {
        struct timespec ts = { 0, 0 };
        struct pollfd p = { .fd = ctl, .events = POLLIN };
        int sig;

        if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
            ctl_serve(k, ctl);
        sig = sigtimedwait(&sigs, NULL, &ts);

        if (sig == SIGINT || sig == SIGTERM) {
            fprintf(stderr, "xensim-kvm: %s: destroying domain %u\n",
                    strsignal(sig), domid);
            __atomic_store_n(&k->stop, 1, __ATOMIC_SEQ_CST);
            xsim_plat_ring(k->dom->sh);
        }
    }
    if (ctl >= 0) {
        close(ctl);
        unlink(ctl_sa.sun_path);
    }
    reason = xkvm_wait(k);
    xkvm_dump(k);
    fprintf(stderr, "xensim-kvm: domain %u ended: %s after %.3f s\n", domid,
            reason_name(reason), now_s() - t0);
    xkvm_close(k);
    return reason == SHUTDOWN_poweroff ? 0 : reason == SHUTDOWN_reboot ? 2 : 3;
}
