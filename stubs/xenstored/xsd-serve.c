/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xsd-serve.c - run xensim's xenstored on a socket (for scripts and for
 * trying Debian's xenstore-* tools by hand).
 *
 * Usage: xsd-serve --socket PATH [--domain N]...
 * Each --domain N introduces domain N and creates its socket PATH.dN.
 * Prints "ready" on stdout once every socket listens; exits 0 on SIGTERM
 * or SIGINT. The main thread waits for the signal with sigwait(); the
 * server runs in its own thread.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/xenstored/xenstored.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: xsd-serve --socket PATH [--domain N]...\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 's' },
        { "domain", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned long domains[16];
    unsigned int ndomains = 0;
    const char *path = NULL;
    struct xsd_server *srv;
    sigset_t set;
    int opt, sig, r;

    while ((opt = getopt_long(argc, argv, "s:d:h", opts, NULL)) != -1) {
        char *end;

        switch (opt) {
        case 's':
            path = optarg;
            break;
        case 'd':
            if (ndomains == sizeof(domains) / sizeof(domains[0])) {
                fprintf(stderr, "xsd-serve: too many --domain\n");
                return 2;
            }
            errno = 0;
            domains[ndomains] = strtoul(optarg, &end, 10);
            if (*end || errno || domains[ndomains] == 0 ||
                domains[ndomains] > 65535) {
                fprintf(stderr, "xsd-serve: bad domain '%s'\n", optarg);
                return 2;
            }
            ndomains++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!path || optind != argc) {
        usage(stderr);
        return 2;
    }
    /* Block the signals before any thread starts, so sigwait gets them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    r = xsd_server_create(path, NULL, &srv);
    if (r) {
        fprintf(stderr, "xsd-serve: %s: %s\n", path, strerror(-r));
        return 1;
    }
    for (unsigned int i = 0; i < ndomains && !r; i++) {
        r = xsd_server_add_domain_socket(srv, (uint32_t)domains[i], NULL, 0);
        if (!r)
            r = xsd_server_introduce_domain(srv, (uint32_t)domains[i]);
    }
    if (!r)
        r = xsd_server_run_thread(srv);
    if (r) {
        fprintf(stderr, "xsd-serve: %s\n", strerror(-r));
        xsd_server_free(srv);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    xsd_server_free(srv);
    return 0;
}
