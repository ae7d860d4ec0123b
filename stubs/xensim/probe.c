/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe.c - xensim-probe: a minimal guest-side tool for xensim's own shell
 * tests (the full CLI and scenario language live in stubs/guest/).
 *
 *   xensim-probe DOMID OP ARGS... [, OP ARGS...]...
 *   ops: wait N              wait until N ioreq servers are enabled
 *        in PORT SIZE        print the value read
 *        out PORT SIZE VAL
 *        pci BUS DEV FN REG SIZE   config read via 0xcf8/0xcfc, print
 *        ramw GPA TEXT       write TEXT into guest RAM
 *        outs PORT GPA COUNT rep outsb from RAM
 *        balloon GFN NR      balloon out (sends invalidate)
 *        pciw BUS DEV FN REG SIZE VAL   config write via 0xcf8/0xcfc
 *        obs                 print ISA IRQ levels, link routes, shutdowns
 * Each result is printed as "OP = 0xVALUE"; errors exit 1 with a message.
 * Runs vCPU 0 only; single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/guest/guest.h"

static unsigned long long num(const char *s)
{
    return strtoull(s, NULL, 0);
}

static int need(int have, int want, const char *op)
{
    if (have < want) {
        fprintf(stderr, "xensim-probe: %s needs %d arguments\n", op, want);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct xsg_guest *g;
    int i = 2, rc;

    if (argc < 3) {
        fprintf(stderr, "usage: xensim-probe DOMID OP ARGS... [, OP ...]\n");
        return 2;
    }
    rc = xsg_attach(NULL, (uint32_t)num(argv[1]), &g);
    if (rc) {
        fprintf(stderr, "xensim-probe: attach: %s\n", strerror(-rc));
        return 1;
    }
    while (i < argc && rc == 0) {
        const char *op = argv[i++];
        int left = argc - i;
        uint32_t v = 0;

        if (!strcmp(op, ",")) {
            continue;
        } else if (!strcmp(op, "wait") && need(left, 1, op)) {
            rc = xsg_wait_servers(g, (unsigned int)num(argv[i]), 10000);
            i += 1;
        } else if (!strcmp(op, "in") && need(left, 2, op)) {
            rc = xsg_pio_read(g, 0, (uint16_t)num(argv[i]),
                              (unsigned int)num(argv[i + 1]), &v);
            if (!rc)
                printf("in %s = 0x%x\n", argv[i], v);
            i += 2;
        } else if (!strcmp(op, "out") && need(left, 3, op)) {
            rc = xsg_pio_write(g, 0, (uint16_t)num(argv[i]),
                               (unsigned int)num(argv[i + 1]),
                               (uint32_t)num(argv[i + 2]));
            i += 3;
        } else if (!strcmp(op, "pci") && need(left, 5, op)) {
            rc = xsg_pci_cfg_read(g, 0, (uint8_t)num(argv[i]),
                                  (uint8_t)num(argv[i + 1]),
                                  (uint8_t)num(argv[i + 2]),
                                  (uint8_t)num(argv[i + 3]),
                                  (unsigned int)num(argv[i + 4]), &v);
            if (!rc)
                printf("pci %s:%s.%s@%s = 0x%x\n", argv[i], argv[i + 1],
                       argv[i + 2], argv[i + 3], v);
            i += 5;
        } else if (!strcmp(op, "ramw") && need(left, 2, op)) {
            rc = xsg_ram_write(g, num(argv[i]), argv[i + 1],
                               strlen(argv[i + 1]));
            i += 2;
        } else if (!strcmp(op, "outs") && need(left, 3, op)) {
            rc = xsg_pio_rep(g, 0, (uint16_t)num(argv[i]), 1,
                             (uint32_t)num(argv[i + 2]), false, false,
                             num(argv[i + 1]));
            i += 3;
        } else if (!strcmp(op, "pciw") && need(left, 6, op)) {
            rc = xsg_pci_cfg_write(g, 0, (uint8_t)num(argv[i]),
                                   (uint8_t)num(argv[i + 1]),
                                   (uint8_t)num(argv[i + 2]),
                                   (uint8_t)num(argv[i + 3]),
                                   (unsigned int)num(argv[i + 4]),
                                   (uint32_t)num(argv[i + 5]));
            i += 6;
        } else if (!strcmp(op, "obs")) {
            struct xsg_obs o;

            xsg_observe(g, &o);
            printf("obs isa_irq=");
            for (int k = 0; k < 16; k++)
                printf("%u", o.isa_irq[k]);
            printf(" link_route=%u,%u,%u,%u shutdowns=%llu reason=%u\n",
                   o.link_route[0], o.link_route[1], o.link_route[2],
                   o.link_route[3], (unsigned long long)o.shutdown_count,
                   o.shutdown_reason);
        } else if (!strcmp(op, "balloon") && need(left, 2, op)) {
            rc = xsg_balloon_out(g, 0, num(argv[i]), num(argv[i + 1]));
            i += 2;
        } else {
            fprintf(stderr, "xensim-probe: bad op '%s'\n", op);
            xsg_detach(g);
            return 2;
        }
        if (rc)
            fprintf(stderr, "xensim-probe: %s: %s\n", op, strerror(-rc));
    }
    xsg_detach(g);
    return rc ? 1 : 0;
}
