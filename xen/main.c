/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the xendm program: parse the command line, set up, run.
 * All state lives in one struct xendm on main()'s stack.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"
#include "xen/cmdline.h"
#include "xen/xendm.h"

int main(int argc, char **argv)
{
    struct xendm_config cfg;
    struct xendm dm;
    char *err = NULL;
    int rc;

    xendm_config_init(&cfg);
    if (xendm_cmdline_parse(&cfg, argc, argv, getenv("XEN_DOMAIN_ID"), &err) < 0) {
        fprintf(stderr, "xendm: %s\nTry 'xendm --help' for the list of options.\n", err);
        g_free(err);
        xendm_config_clear(&cfg);
        return 1;
    }
    if (cfg.show_help || cfg.show_version) {
        if (cfg.show_help)
            xendm_cmdline_usage(stdout, "xendm");
        else
            printf("xendm %s (QMP-compatible with QEMU %d.%d.%d)\n", XENDM_VERSION,
                   XENDM_QEMU_COMPAT_MAJOR, XENDM_QEMU_COMPAT_MINOR, XENDM_QEMU_COMPAT_MICRO);
        xendm_config_clear(&cfg);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    log_set_level(cfg.trace ? LOG_LEVEL_TRACE : cfg.log_level);
    /* Peers of sockets, pipes and ptys may go away at any time. */
    signal(SIGPIPE, SIG_IGN);

    if (xendm_init(&dm, &cfg, &err) < 0 || xendm_setup_machine(&dm, &err) < 0) {
        fprintf(stderr, "xendm: %s\n", err);
        g_free(err);
        xendm_destroy(&dm);
        return 1;
    }
    rc = xendm_run(&dm);
    xendm_destroy(&dm);
    return rc;
}
