/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * expect.c - parsing of `expect ...` lines: `expect error [ERRNO]`, which
 * only arms the parser so the next command carries @expect_errno, and the
 * observation expectations (shutdown, IRQ lines, MSI, ...), which become
 * XSG_OP_EXPECT commands with an optional `within MS`.
 *
 * Threading: none; works on one struct parser.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/scenario/private.h"
#include "stubs/scenario/scenario.h"

static int level_arg(struct parser *p, uint64_t *v)
{
    const char *w = NULL;
    int ret = xsg_sp_need_word(p, "high|low", &w);

    if (ret)
        return ret;
    if (!strcmp(w, "high") || !strcmp(w, "1"))
        *v = 1;
    else if (!strcmp(w, "low") || !strcmp(w, "0"))
        *v = 0;
    else
        return xsg_sp_perr(p, "%s: expected high or low, got '%s'", p->what, w);
    return 0;
}

static int parse_obs(struct parser *p, struct xsg_scenario_cmd *c)
{
    const char *w = NULL;
    int ret = xsg_sp_need_word(p, "what to expect", &w);

    if (ret)
        return ret;
    if (!strcmp(w, "shutdown")) {
        p->what = "expect shutdown";
        c->obs = XSG_OBS_SHUTDOWN;
        if (xsg_sp_accept(p, "count")) {
            c->obs = XSG_OBS_SHUTDOWN_COUNT;
            return xsg_sp_number(p, "N", &c->value);
        }
        ret = xsg_sp_need_word(p, "REASON", &w);
        if (ret)
            return ret;
        if (!strcmp(w, "none")) {
            c->value = XSG_SCENARIO_NONE;
            return 0;
        }
        for (const struct xsg_scenario_name *n = xsg_scenario_shutdown_names; n->name; n++) {
            if (!strcmp(w, n->name)) {
                c->value = n->value;
                return 0;
            }
        }
        if (!xsg_sp_str_to_u64(w, &c->value) && c->value <= UINT32_MAX)
            return 0;
        return xsg_sp_perr(p, "expect shutdown: unknown reason '%s' (poweroff, reboot, "
                    "suspend, crash, watchdog, soft_reset, none or a number)", w);
    }
    if (!strcmp(w, "isa-irq")) {
        p->what = "expect isa-irq";
        c->obs = XSG_OBS_ISA_IRQ;
        ret = xsg_sp_number_max(p, "IRQ", 15, &c->addr);
        return ret ? ret : level_arg(p, &c->value);
    }
    if (!strcmp(w, "pci-intx")) {
        const char *pin = NULL;

        p->what = "expect pci-intx";
        c->obs = XSG_OBS_PCI_INTX;
        ret = xsg_sp_number_max(p, "DEV", 31, &c->addr);
        if (!ret)
            ret = xsg_sp_need_word(p, "PIN", &pin);
        if (ret)
            return ret;
        if (!strncmp(pin, "INT", 3))
            pin += 3;
        if (pin[0] >= 'A' && pin[0] <= 'D' && !pin[1])
            c->count = (uint64_t)(pin[0] - 'A');
        else if (pin[0] >= '0' && pin[0] <= '3' && !pin[1])
            c->count = (uint64_t)(pin[0] - '0');
        else
            return xsg_sp_perr(p, "expect pci-intx: bad PIN '%s' (A-D or 0-3)", pin);
        return level_arg(p, &c->value);
    }
    if (!strcmp(w, "link-route")) {
        p->what = "expect link-route";
        c->obs = XSG_OBS_LINK_ROUTE;
        ret = xsg_sp_number_max(p, "LINK", 3, &c->addr);
        return ret ? ret : xsg_sp_number_max(p, "IRQ", 0xff, &c->value);
    }
    if (!strcmp(w, "msi")) {
        p->what = "expect msi";
        if (xsg_sp_accept(p, "count"))
            c->obs = XSG_OBS_MSI_COUNT;
        else if (xsg_sp_accept(p, "addr"))
            c->obs = XSG_OBS_MSI_ADDR;
        else if (xsg_sp_accept(p, "data"))
            c->obs = XSG_OBS_MSI_DATA;
        else
            return xsg_sp_perr(p, "expect msi: expected count, addr or data");
        return xsg_sp_number(p, "VALUE", &c->value);
    }
    if (!strcmp(w, "modified")) {
        p->what = "expect modified";
        if (xsg_sp_accept(p, "calls"))
            c->obs = XSG_OBS_MODIFIED_CALLS;
        else if (xsg_sp_accept(p, "pages"))
            c->obs = XSG_OBS_MODIFIED_PAGES;
        else
            return xsg_sp_perr(p, "expect modified: expected calls or pages");
        return xsg_sp_number(p, "N", &c->value);
    }
    if (!strcmp(w, "pinned") || !strcmp(w, "populated")) {
        p->what = w[1] == 'i' ? "expect pinned" : "expect populated";
        c->obs = w[1] == 'i' ? XSG_OBS_PINNED : XSG_OBS_POPULATED;
        return xsg_sp_number(p, "N", &c->value);
    }
    if (!strcmp(w, "frame")) {
        p->what = "expect frame";
        c->obs = XSG_OBS_FRAME;
        ret = xsg_sp_number(p, "GFN", &c->addr);
        if (ret)
            return ret;
        if (xsg_sp_accept(p, "populated"))
            c->value = 1;
        else if (xsg_sp_accept(p, "unpopulated"))
            c->value = 0;
        else
            return xsg_sp_perr(p, "expect frame: expected populated or unpopulated");
        return 0;
    }
    if (!strcmp(w, "server")) {
        p->what = "expect server";
        c->obs = XSG_OBS_SERVER;
        if (xsg_sp_accept(p, "none")) {
            c->value = XSG_SCENARIO_NONE;
            return 0;
        }
        return xsg_sp_number_max(p, "ID", 0xffff, &c->value);
    }
    return xsg_sp_perr(p, "expect: unknown expectation '%s'", w);
}

int xsg_sp_parse_expect(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    int ret;

    if (xsg_sp_accept(p, "error")) {
        const char *w = NULL;

        p->what = "expect error";
        if (p->pending)
            return xsg_sp_pending_unmet(p);
        p->pending_errno = XSG_SCENARIO_ANY_ERROR;
        if (xsg_sp_more(p)) {
            ret = xsg_sp_need_word(p, "ERRNO", &w);
            if (ret)
                return ret;
            p->pending_errno = xsg_scenario_errno_value(w);
            if (!p->pending_errno)
                return xsg_sp_perr(p, "expect error: unknown errno name '%s'", w);
        }
        p->pending = true;
        p->pending_line = p->line;
        return 0;
    }
    ret = xsg_sp_new_cmd(p, XSG_OP_EXPECT, &c);
    if (!ret)
        ret = parse_obs(p, c);
    if (!ret && xsg_sp_accept(p, "within")) {
        uint64_t ms;

        ret = xsg_sp_number_max(p, "MS", UINT32_MAX, &ms);
        c->within_ms = (unsigned int)ms;
    }
    return ret;
}
