/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.c - xensim-guest: run guest scenarios against a xensim domain.
 *
 *   xensim-guest [OPTIONS] run FILE...      (FILE "-" is stdin)
 *   xensim-guest [OPTIONS] exec 'COMMAND'...
 *   xensim-guest --check FILE...
 *
 * Every input is parsed before anything runs (a malformed file is reported
 * as file:line and nothing touches the domain); then the guest is attached
 * once and the scenarios run in order. Exit status: 0 success, 1 a failed
 * expectation or any error, 2 a usage error.
 *
 * Single-threaded except for the threads xsg_scenario_run() starts for
 * `parallel` blocks.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/guest/guest.h"
#include "stubs/scenario/scenario.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define TRY "Try 'xensim-guest --help'.\n"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: xensim-guest [OPTIONS] run FILE...\n"
            "       xensim-guest [OPTIONS] exec 'COMMAND'...\n"
            "       xensim-guest --check FILE...\n"
            "\n"
            "Play a xensim domain's vCPUs from scenario files (see\n"
            "docs/scenarios.md). FILE '-' reads standard input; each exec\n"
            "argument is one scenario line.\n"
            "\n"
            "Options:\n"
            "  -d, --run-dir DIR   xensim run directory (default: $XENSIM_DIR)\n"
            "  -D, --domid N       domain to attach to (default: 1)\n"
            "  -t, --timeout MS    how long a vCPU waits for a device model\n"
            "                      (default: the guest library's, 5000)\n"
            "  -T, --trace         print each command before it runs\n"
            "  -q, --quiet         do not print echo text and read results\n"
            "  -c, --check         parse the FILEs only, run nothing\n"
            "  -h, --help          this text\n"
            "  -V, --version       print the version\n"
            "\n"
            "Exit status: 0 success, 1 failed expectation or error, 2 usage.\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
    char *end;

    if (!*s || *s == '-')
        return -EINVAL;
    errno = 0;
    *v = strtoul(s, &end, 0);
    if (errno || *end || *v > max)
        return -EINVAL;
    return 0;
}

/* Join exec arguments into one text, one argument per line. */
static char *join_lines(int n, char **args, size_t *len)
{
    size_t total = 0;
    char *t, *o;

    for (int i = 0; i < n; i++)
        total += strlen(args[i]) + 1;
    t = o = malloc(total + 1);
    if (!t)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(args[i]);

        memcpy(o, args[i], l);
        o += l;
        *o++ = '\n';
    }
    *o = '\0';
    *len = total;
    return t;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'd' },
        { "domid", required_argument, NULL, 'D' },
        { "timeout", required_argument, NULL, 't' },
        { "trace", no_argument, NULL, 'T' },
        { "quiet", no_argument, NULL, 'q' },
        { "check", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *run_dir = NULL, *mode;
    unsigned long domid = 1, timeout = 0;
    bool check = false, quiet = false, trace = false;
    struct xsg_scenario **scs = NULL;
    struct xsg_scenario_backend be;
    struct xsg_scenario_opts ropts;
    struct xsg_guest *g = NULL;
    char err[1024];
    int nfiles, opt, status = 0, ret;
    char **files;

    while ((opt = getopt_long(argc, argv, "+d:D:t:TqchV", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            run_dir = optarg;
            break;
        case 'D':
            if (parse_uint(optarg, 0x7fef, &domid)) {
                fprintf(stderr, "xensim-guest: bad domid '%s'\n%s", optarg, TRY);
                return EXIT_USAGE;
            }
            break;
        case 't':
            if (parse_uint(optarg, UINT_MAX, &timeout) || !timeout) {
                fprintf(stderr, "xensim-guest: bad timeout '%s'\n%s", optarg, TRY);
                return EXIT_USAGE;
            }
            break;
        case 'T':
            trace = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'c':
            check = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("xensim-guest %s\n", XENDM_VERSION);
            return 0;
        default:
            fputs(TRY, stderr);
            return EXIT_USAGE;
        }
    }

    if (check) {
        mode = "run";
        files = argv + optind;
        nfiles = argc - optind;
        /* accept an optional "run" after --check */
        if (nfiles && !strcmp(files[0], "run")) {
            files++;
            nfiles--;
        }
    } else {
        if (optind >= argc) {
            fprintf(stderr, "xensim-guest: missing command (run or exec)\n%s", TRY);
            return EXIT_USAGE;
        }
        mode = argv[optind];
        if (strcmp(mode, "run") && strcmp(mode, "exec")) {
            fprintf(stderr, "xensim-guest: unknown command '%s'\n%s", mode, TRY);
            return EXIT_USAGE;
        }
        files = argv + optind + 1;
        nfiles = argc - optind - 1;
    }
    if (nfiles < 1) {
        fprintf(stderr, "xensim-guest: %s needs at least one %s\n%s",
                check ? "--check" : mode, strcmp(mode, "exec") ? "FILE" : "COMMAND", TRY);
        return EXIT_USAGE;
    }

    /* Parse everything first. */
    if (!strcmp(mode, "exec")) {
        size_t len;
        char *text = join_lines(nfiles, files, &len);

        scs = calloc(1, sizeof(*scs));
        if (!text || !scs) {
            free(text);
            free(scs);
            fprintf(stderr, "xensim-guest: out of memory\n");
            return EXIT_FAIL;
        }
        ret = xsg_scenario_parse("exec", text, len, &scs[0], err, sizeof(err));
        free(text);
        if (ret) {
            fprintf(stderr, "%s\n", err);
            free(scs);
            return EXIT_FAIL;
        }
        nfiles = 1;
    } else {
        scs = calloc((size_t)nfiles, sizeof(*scs));
        if (!scs) {
            fprintf(stderr, "xensim-guest: out of memory\n");
            return EXIT_FAIL;
        }
        for (int i = 0; i < nfiles; i++) {
            if (xsg_scenario_parse_file(files[i], &scs[i], err, sizeof(err))) {
                fprintf(stderr, "%s\n", err);
                status = EXIT_FAIL;
            }
        }
    }
    if (status || check)
        goto out;

    ret = xsg_attach(run_dir, (uint32_t)domid, &g);
    if (ret) {
        const char *dir = run_dir ? run_dir : getenv("XENSIM_DIR");

        fprintf(stderr, "xensim-guest: cannot attach to domain %lu in %s: %s\n",
                domid, dir ? dir : "$XENSIM_DIR (unset)", strerror(-ret));
        status = EXIT_FAIL;
        goto out;
    }
    if (timeout)
        xsg_set_timeout_ms(g, (unsigned int)timeout);
    xsg_scenario_backend_guest(&be, g);
    ropts = (struct xsg_scenario_opts){ .out = quiet && !trace ? NULL : stdout,
                                        .trace = trace };
    for (int i = 0; i < nfiles && !status; i++) {
        if (xsg_scenario_run(scs[i], &be, &ropts, err, sizeof(err))) {
            fprintf(stderr, "%s\n", err);
            status = EXIT_FAIL;
        }
    }
    xsg_detach(g);
out:
    for (int i = 0; i < nfiles; i++)
        xsg_scenario_free(scs[i]);
    free(scs);
    return status;
}
