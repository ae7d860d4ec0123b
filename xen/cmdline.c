/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline.c - parse libxl's qemu-xen command line into struct xendm_config.
 *
 * The loop looks every argument up in the option table (cmdline-opts.c),
 * checks key=value lists against the table's key lists (unknown key, bad
 * boolean/number/size: an error naming the option and the key), then runs
 * the option's handler from the const handler table below. Cross-checks
 * that need the whole line (monitors name chardevs, xenfv needs a domid)
 * run at the end. Errors are "-option: what is wrong" strings.
 * Pure parsing: no I/O, no state beyond @cfg.
 */
#include "xen/cmdline.h"
#include "xen/cmdline-private.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

struct parse_ctx {
    struct xendm_config *cfg;
    const struct xendm_option *opt;
    char **err;
    unsigned serial_n;
    unsigned qmp_n;
};

static int G_GNUC_PRINTF(2, 3) fail(struct parse_ctx *pc, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(*pc->err);
    *pc->err = g_strdup_printf("-%s: %s", pc->opt->name, msg);
    return -EINVAL;
}

static const struct xendm_param *find_param(const struct xendm_option *o, const char *key)
{
    for (const struct xendm_param *p = o->params; p && p->name; p++) {
        if (strcmp(p->name, key) == 0)
            return p;
    }
    return NULL;
}

static int check_type(struct parse_ctx *pc, const struct xendm_param *p, const char *v)
{
    bool b;
    uint64_t n;
    int ret;

    switch (p->type) {
    case XENDM_PARAM_BOOL:
        if (keyval_parse_bool(v, &b) < 0)
            return fail(pc, "parameter '%s' expects on/off, not '%s'", p->name, v);
        break;
    case XENDM_PARAM_NUMBER:
        ret = keyval_parse_u64(v, &n);
        if (ret == -ERANGE)
            return fail(pc, "parameter '%s' is too large: '%s'", p->name, v);
        if (ret < 0)
            return fail(pc, "parameter '%s' expects a number, not '%s'", p->name, v);
        break;
    case XENDM_PARAM_SIZE:
        ret = keyval_parse_size(v, 1, &n);
        if (ret == -ERANGE)
            return fail(pc, "parameter '%s' is too large: '%s'", p->name, v);
        if (ret < 0)
            return fail(pc, "parameter '%s' expects a size, not '%s'", p->name, v);
        break;
    case XENDM_PARAM_STRING:
        break;
    }
    return 0;
}

/* Split @val per the option's key list and type-check every key. */
static int parse_kv(struct parse_ctx *pc, const char *val, struct keyval_list *kv)
{
    char *perr = NULL;

    if (keyval_parse(val, pc->opt->implied, kv, &perr) < 0) {
        int ret = fail(pc, "%s in '%s'", perr, val);

        g_free(perr);
        return ret;
    }
    for (size_t i = 0; i < kv->n; i++) {
        const char *key = kv->items[i].key;
        const struct xendm_param *p = find_param(pc->opt, key);

        /* QEMU's legacy "noflag" for flag=off. */
        if (!p && g_str_has_prefix(key, "no") && strcmp(kv->items[i].value, "on") == 0) {
            p = find_param(pc->opt, key + 2);
            if (p && p->type == XENDM_PARAM_BOOL) {
                g_autofree char *real = g_strdup(key + 2);

                keyval_remove(kv, key);
                keyval_set(kv, real, "off");
                i = (size_t)-1;      /* order changed: recheck from the start */
                continue;
            }
            p = NULL;
        }
        if (!p) {
            int ret;

            if (pc->opt->any_param)
                continue;
            ret = fail(pc, "unknown parameter '%s'", key);
            keyval_list_clear(kv);
            return ret;
        }
        if (check_type(pc, p, kv->items[i].value) < 0) {
            keyval_list_clear(kv);
            return -EINVAL;
        }
    }
    return 0;
}

static bool kv_bool(const struct keyval_list *kv, const char *key, bool dflt)
{
    const char *v = keyval_get(kv, key);
    bool b = dflt;

    if (v && keyval_parse_bool(v, &b) < 0)
        return dflt;           /* already type-checked */
    return b;
}

/* ---- handlers -------------------------------------------------------- */

typedef int opt_handler(struct parse_ctx *pc, const char *val);

static int h_log_level(struct parse_ctx *pc, const char *val)
{
    if (log_parse_level(val, &pc->cfg->log_level) < 0)
        return fail(pc, "unknown level '%s' (err, warn, info, debug, trace)", val);
    return 0;
}

static int h_trace(struct parse_ctx *pc, const char *val)
{
    pc->cfg->trace = true;
    return 0;
}

static int h_xen_domid(struct parse_ctx *pc, const char *val)
{
    uint64_t v;

    if (keyval_parse_u64(val, &v) < 0 || v > XENDM_DOMID_MAX)
        return fail(pc, "bad domain id '%s' (0-%u)", val, XENDM_DOMID_MAX);
    pc->cfg->domid = (uint32_t)v;
    pc->cfg->has_domid = true;
    return 0;
}

static int h_flag(struct parse_ctx *pc, const char *val)
{
    struct xendm_config *c = pc->cfg;
    const char *n = pc->opt->name;

    if (strcmp(n, "xen-domid-restrict") == 0)
        c->domid_restrict = true;
    else if (strcmp(n, "xen-attach") == 0)
        c->xen_attach = true;
    else if (strcmp(n, "S") == 0)
        c->start_paused = true;
    else if (strcmp(n, "nodefaults") == 0)
        c->nodefaults = true;
    else if (strcmp(n, "no-user-config") == 0)
        c->no_user_config = true;
    else if (strcmp(n, "no-shutdown") == 0)
        c->no_shutdown = true;
    else if (strcmp(n, "nographic") == 0)
        c->display_none = true;
    return 0;
}

static int h_machine(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    struct xendm_config *c = pc->cfg;
    const char *type, *accel, *v;
    int ret = -EINVAL;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    type = keyval_get(&kv, "type");
    if (!type) {
        fail(pc, "missing the machine type (xenfv or none)");
        goto out;
    }
    if (strcmp(type, "xenfv") == 0 || strcmp(type, "xenfv-4.2") == 0 ||
        strcmp(type, "xenfv-3.1") == 0) {
        c->machine = XENDM_MACHINE_XENFV;
    } else if (strcmp(type, "none") == 0) {
        c->machine = XENDM_MACHINE_NONE;
    } else if (strcmp(type, "xenpv") == 0) {
        fail(pc, "machine 'xenpv' is not supported (xendm serves HVM guests)");
        goto out;
    } else {
        fail(pc, "unknown machine type '%s' (supported: xenfv, none)", type);
        goto out;
    }
    accel = keyval_get(&kv, "accel");
    if (accel && strcmp(accel, "xen") != 0) {
        fail(pc, "accelerator '%s' is not supported (only accel=xen)", accel);
        goto out;
    }
    g_free(c->accel);
    c->accel = g_strdup(accel);
    c->suppress_vmdesc = kv_bool(&kv, "suppress-vmdesc", c->suppress_vmdesc);
    if (kv_bool(&kv, "igd-passthru", false)) {
        fail(pc, "igd-passthru=on is not supported");
        goto out;
    }
    v = keyval_get(&kv, "max-ram-below-4g");
    if (v) {
        uint64_t sz;

        if (keyval_parse_size(v, 1, &sz) < 0 || sz > (4ull << 30)) {
            fail(pc, "max-ram-below-4g=%s is above 4 GiB", v);
            goto out;
        }
        c->max_ram_below_4g = sz;
    }
    ret = 0;
out:
    keyval_list_clear(&kv);
    return ret;
}

static int h_mem(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    const char *v;
    uint64_t sz = 0;
    int ret = -EINVAL;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    v = keyval_get(&kv, "size");
    if (!v) {
        fail(pc, "missing the size");
        goto out;
    }
    ret = keyval_parse_size(v, 1ull << 20, &sz);
    if (ret < 0 || sz == 0) {
        fail(pc, "bad size '%s'%s", v, ret == -ERANGE ? " (too large)" : "");
        ret = -EINVAL;
        goto out;
    }
    pc->cfg->ram_size = sz;
    v = keyval_get(&kv, "maxmem");
    if (v && (keyval_parse_size(v, 1ull << 20, &pc->cfg->maxmem) < 0 || pc->cfg->maxmem < sz)) {
        fail(pc, "bad maxmem '%s' (must be at least the size)", v);
        ret = -EINVAL;
        goto out;
    }
    ret = 0;
out:
    keyval_list_clear(&kv);
    return ret;
}

static int get_count(struct parse_ctx *pc, const struct keyval_list *kv, const char *key,
                     uint32_t *out)
{
    const char *v = keyval_get(kv, key);
    uint64_t n;

    if (!v)
        return 0;
    if (keyval_parse_u64(v, &n) < 0 || n < 1 || n > XENDM_MAX_VCPUS)
        return fail(pc, "%s=%s is out of range (1-%d)", key, v, XENDM_MAX_VCPUS);
    *out = (uint32_t)n;
    return 0;
}

static int h_smp(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    uint32_t cpus = 0, maxcpus = 0;
    int ret;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    ret = get_count(pc, &kv, "cpus", &cpus);
    if (!ret)
        ret = get_count(pc, &kv, "maxcpus", &maxcpus);
    keyval_list_clear(&kv);
    if (ret)
        return ret;
    if (!cpus && !maxcpus)
        return fail(pc, "missing the number of vCPUs");
    if (!maxcpus)
        maxcpus = cpus;
    if (!cpus)
        cpus = maxcpus;
    if (maxcpus < cpus)
        return fail(pc, "maxcpus=%u is below cpus=%u", maxcpus, cpus);
    pc->cfg->smp_cpus = cpus;
    pc->cfg->smp_maxcpus = maxcpus;
    return 0;
}

static int h_name(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    g_free(pc->cfg->name);
    pc->cfg->name = g_strdup(keyval_get(&kv, "guest"));
    keyval_list_clear(&kv);
    return 0;
}

static bool valid_boot_order(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < 'a' || *s > 'p')
            return false;
    }
    return true;
}

static int h_boot(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    struct xendm_config *c = pc->cfg;
    const char *order, *once;
    int ret = 0;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    order = keyval_get(&kv, "order");
    once = keyval_get(&kv, "once");
    if (order && !valid_boot_order(order))
        ret = fail(pc, "bad boot order '%s' (letters a-p, e.g. cdn)", order);
    else if (once && !valid_boot_order(once))
        ret = fail(pc, "bad boot order '%s' (letters a-p, e.g. cdn)", once);
    if (!ret) {
        if (order) {
            g_free(c->boot_order);
            c->boot_order = g_strdup(order);
        }
        if (once) {
            g_free(c->boot_once);
            c->boot_once = g_strdup(once);
        }
        c->boot_menu = kv_bool(&kv, "menu", c->boot_menu);
    }
    keyval_list_clear(&kv);
    return ret;
}

static int h_device(struct parse_ctx *pc, const char *val)
{
    struct xendm_device_cfg *d = g_new0(struct xendm_device_cfg, 1);

    if (parse_kv(pc, val, &d->props) < 0) {
        xendm_device_cfg_free(d);
        return -EINVAL;
    }
    d->driver = g_strdup(keyval_get(&d->props, "driver"));
    keyval_remove(&d->props, "driver");
    if (!d->driver) {
        xendm_device_cfg_free(d);
        return fail(pc, "missing the driver name");
    }
    g_ptr_array_add(pc->cfg->devices, d);
    return 0;
}

static bool one_of(const char *v, const char *const *set)
{
    for (; *set; set++) {
        if (strcmp(v, *set) == 0)
            return true;
    }
    return false;
}

static int drive_fill(struct parse_ctx *pc, struct xendm_drive_cfg *d)
{
    static const char *const ifaces[] = { "ide", "none", NULL };
    static const char *const medias[] = { "disk", "cdrom", NULL };
    static const char *const caches[] = { "writeback", "writethrough", "none", "directsync",
                                          "unsafe", NULL };
    const struct keyval_list *kv = &d->props;
    const char *v;

    d->file = g_strdup(keyval_get(kv, "file"));
    d->iface = g_strdup(keyval_get(kv, "if") ? keyval_get(kv, "if") : "ide");
    d->media = g_strdup(keyval_get(kv, "media") ? keyval_get(kv, "media") : "disk");
    d->format = g_strdup(keyval_get(kv, "format"));
    d->cache = g_strdup(keyval_get(kv, "cache"));
    d->id = g_strdup(keyval_get(kv, "id"));
    d->readonly = kv_bool(kv, "readonly", false);
    d->index = -1;
    if (!one_of(d->iface, ifaces))
        return fail(pc, "if=%s is not supported (ide or none)", d->iface);
    if (!one_of(d->media, medias))
        return fail(pc, "media=%s is not valid (disk or cdrom)", d->media);
    if (d->cache && !one_of(d->cache, caches))
        return fail(pc, "cache=%s is not valid (writeback, writethrough, none, directsync, unsafe)",
                    d->cache);
    if (d->file && !d->file[0]) {
        g_free(d->file);
        d->file = NULL;
    }
    if (!d->file && strcmp(d->media, "disk") == 0)
        return fail(pc, "a disk needs file=");
    v = keyval_get(kv, "index");
    if (v) {
        uint64_t idx;

        if (keyval_parse_u64(v, &idx) < 0 || idx > 3)
            return fail(pc, "index=%s is out of range (0-3 for IDE)", v);
        d->index = (int)idx;
    }
    if (strcmp(d->iface, "none") == 0 && !d->id)
        return fail(pc, "if=none needs id= (for -device ...,drive=ID)");
    return 0;
}

static int h_drive(struct parse_ctx *pc, const char *val)
{
    struct xendm_drive_cfg *d = g_new0(struct xendm_drive_cfg, 1);

    if (parse_kv(pc, val, &d->props) < 0 || drive_fill(pc, d) < 0) {
        xendm_drive_cfg_free(d);
        return -EINVAL;
    }
    g_ptr_array_add(pc->cfg->drives, d);
    return 0;
}

static int h_global(struct parse_ctx *pc, const char *val)
{
    const char *dot = strchr(val, '.'), *eq = strchr(val, '=');

    if (!dot || !eq || dot == val || eq < dot + 2)
        return fail(pc, "expected DRIVER.PROPERTY=VALUE, not '%s'", val);
    g_ptr_array_add(pc->cfg->globals, g_strdup(val));
    return 0;
}

static int h_vga(struct parse_ctx *pc, const char *val)
{
    static const char *const types[] = { "std", "cirrus", "none", NULL };

    if (!one_of(val, types))
        return fail(pc, "'%s' is not supported (std, cirrus or none)", val);
    g_free(pc->cfg->vga);
    pc->cfg->vga = g_strdup(val);
    return 0;
}

static int add_chardev(struct parse_ctx *pc, struct chardev_spec *s)
{
    if (xendm_config_find_chardev(pc->cfg, s->id)) {
        int ret = fail(pc, "duplicate chardev id '%s'", s->id);

        chardev_spec_free(s);
        return ret;
    }
    g_ptr_array_add(pc->cfg->chardevs, s);
    return 0;
}

static int h_chardev(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    struct chardev_spec *s;
    char *perr = NULL;

    if (parse_kv(pc, val, &kv) < 0)      /* unknown keys, bad booleans */
        return -EINVAL;
    keyval_list_clear(&kv);
    if (chardev_spec_parse(val, &s, &perr) < 0) {
        int ret = fail(pc, "%s", perr);

        g_free(perr);
        return ret;
    }
    return add_chardev(pc, s);
}

static void add_mon(struct parse_ctx *pc, const char *chardev, bool pretty)
{
    struct xendm_mon_cfg *m = g_new0(struct xendm_mon_cfg, 1);

    m->chardev = g_strdup(chardev);
    m->pretty = pretty;
    g_ptr_array_add(pc->cfg->monitors, m);
}

static int h_mon(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    const char *chr, *mode;
    int ret = 0;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    chr = keyval_get(&kv, "chardev");
    mode = keyval_get(&kv, "mode");
    if (!chr)
        ret = fail(pc, "missing chardev=");
    else if (!mode || strcmp(mode, "control") != 0)
        ret = fail(pc, "mode=%s (HMP) is not supported; use mode=control (QMP)",
                   mode ? mode : "readline");
    else
        add_mon(pc, chr, kv_bool(&kv, "pretty", false));
    keyval_list_clear(&kv);
    return ret;
}

static int legacy_chardev(struct parse_ctx *pc, const char *val, const char *id)
{
    struct chardev_spec *s;
    char *perr = NULL;

    if (chardev_spec_parse_legacy(val, id, &s, &perr) < 0) {
        int ret = fail(pc, "%s", perr);

        g_free(perr);
        return ret;
    }
    return add_chardev(pc, s);
}

static int h_qmp(struct parse_ctx *pc, const char *val)
{
    g_autofree char *id = g_strdup_printf("compat_monitor%u", pc->qmp_n++);

    if (legacy_chardev(pc, val, id) < 0)
        return -EINVAL;
    add_mon(pc, id, false);
    return 0;
}

static int h_serial(struct parse_ctx *pc, const char *val)
{
    struct xendm_serial_cfg *s = g_new0(struct xendm_serial_cfg, 1);
    unsigned n = pc->serial_n++;

    if (g_str_has_prefix(val, "chardev:") && val[8]) {
        s->chardev = g_strdup(val + 8);
    } else if (strcmp(val, "none") != 0) {
        s->chardev = g_strdup_printf("serial%u", n);
        if (legacy_chardev(pc, val, s->chardev) < 0) {
            xendm_serial_cfg_free(s);
            return -EINVAL;
        }
    }
    g_ptr_array_add(pc->cfg->serials, s);
    return 0;
}

static int h_only_none(struct parse_ctx *pc, const char *val)
{
    if (strcmp(val, "none") != 0) {
        if (strcmp(pc->opt->name, "vnc") == 0)
            return fail(pc, "'%s' is not supported: xendm has no display "
                        "(only 'none'; set vnc=0 in the guest's configuration)", val);
        return fail(pc, "'%s' is not supported (only 'none')", val);
    }
    if (strcmp(pc->opt->name, "display") == 0)
        pc->cfg->display_none = true;
    return 0;
}

static int set_str(struct parse_ctx *pc, char **dst, const char *what, const char *v)
{
    if (!v || !*v)
        return fail(pc, "empty %s", what);
    g_free(*dst);
    *dst = g_strdup(v);
    return 0;
}

static int h_run_with(struct parse_ctx *pc, const char *val)
{
    struct keyval_list kv = { 0 };
    const char *user, *root;
    int ret = 0;

    if (parse_kv(pc, val, &kv) < 0)
        return -EINVAL;
    user = keyval_get(&kv, "user");
    root = keyval_get(&kv, "chroot");
    if (user)
        ret = set_str(pc, &pc->cfg->run_as, "user", user);
    if (!ret && root)
        ret = set_str(pc, &pc->cfg->chroot_dir, "chroot directory", root);
    keyval_list_clear(&kv);
    return ret;
}

static int h_runas(struct parse_ctx *pc, const char *val)
{
    return set_str(pc, &pc->cfg->run_as, "user", val);
}

static int h_chroot(struct parse_ctx *pc, const char *val)
{
    return set_str(pc, &pc->cfg->chroot_dir, "chroot directory", val);
}

static const struct {
    const char *name;
    opt_handler *fn;
} handlers[] = {
    { "log-level", h_log_level }, { "trace", h_trace },
    { "xen-domid", h_xen_domid }, { "xen-domid-restrict", h_flag },
    { "xen-attach", h_flag }, { "machine", h_machine }, { "M", h_machine },
    { "m", h_mem }, { "smp", h_smp }, { "name", h_name }, { "S", h_flag },
    { "boot", h_boot }, { "device", h_device }, { "drive", h_drive },
    { "global", h_global }, { "vga", h_vga }, { "chardev", h_chardev },
    { "mon", h_mon }, { "qmp", h_qmp }, { "serial", h_serial },
    { "nodefaults", h_flag }, { "no-user-config", h_flag },
    { "no-shutdown", h_flag }, { "nographic", h_flag },
    { "display", h_only_none }, { "vnc", h_only_none }, { "net", h_only_none },
    { "run-with", h_run_with }, { "runas", h_runas }, { "chroot", h_chroot },
};

static opt_handler *find_handler(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(handlers); i++) {
        if (strcmp(handlers[i].name, name) == 0)
            return handlers[i].fn;
    }
    return NULL;
}

/* ---- whole-line checks ----------------------------------------------- */

static int final_checks(struct parse_ctx *pc, const char *env_domid)
{
    struct xendm_config *c = pc->cfg;
    static const struct xendm_option env_opt = { .name = "xen-domid" };

    if (!c->has_domid && env_domid && *env_domid) {
        uint64_t v;

        if (keyval_parse_u64(env_domid, &v) < 0 || v > XENDM_DOMID_MAX) {
            *pc->err = g_strdup_printf("XEN_DOMAIN_ID: bad domain id '%s'", env_domid);
            return -EINVAL;
        }
        c->domid = (uint32_t)v;
        c->has_domid = true;
    }
    for (guint i = 0; i < c->monitors->len; i++) {
        const struct xendm_mon_cfg *m = g_ptr_array_index(c->monitors, i);

        pc->opt = xendm_option_find("mon");
        if (!xendm_config_find_chardev(c, m->chardev))
            return fail(pc, "chardev '%s' is not defined (add -chardev ...,id=%s)",
                        m->chardev, m->chardev);
        for (guint j = 0; j < i; j++) {
            const struct xendm_mon_cfg *o = g_ptr_array_index(c->monitors, j);

            if (strcmp(o->chardev, m->chardev) == 0)
                return fail(pc, "chardev '%s' already has a monitor", m->chardev);
        }
    }
    for (guint i = 0; i < c->serials->len; i++) {
        const struct xendm_serial_cfg *s = g_ptr_array_index(c->serials, i);

        pc->opt = xendm_option_find("serial");
        if (s->chardev && !xendm_config_find_chardev(c, s->chardev))
            return fail(pc, "chardev '%s' is not defined", s->chardev);
    }
    pc->opt = &env_opt;
    if (c->machine == XENDM_MACHINE_XENFV && !c->has_domid)
        return fail(pc, "missing: machine xenfv serves a domain (give -xen-domid or XEN_DOMAIN_ID)");
    if (c->domid_restrict && !c->has_domid)
        return fail(pc, "missing: -xen-domid-restrict needs the domain id");
    return 0;
}

/* ---- the loop -------------------------------------------------------- */

int xendm_cmdline_parse(struct xendm_config *cfg, int argc, char *const argv[],
                        const char *env_domid, char **err)
{
    struct parse_ctx pc = { .cfg = cfg, .err = err };

    *err = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *name, *val = NULL;
        g_autofree char *key = NULL;
        const struct xendm_option *o;
        opt_handler *fn;

        if (arg[0] != '-' || arg[1] == '\0') {
            *err = g_strdup_printf("unexpected argument '%s' (options start with '-'; "
                                   "disks are given with -drive)", arg);
            return -EINVAL;
        }
        name = arg + 1 + (arg[1] == '-');
        key = g_strdup(name);
        o = xendm_option_find(key);
        if (!o && strchr(key, '=')) {
            /* --opt=value */
            *strchr(key, '=') = '\0';
            o = xendm_option_find(key);
            if (o && o->metavar)
                val = name + strlen(key) + 1;
            else
                o = NULL;
        }
        if (!o) {
            *err = g_strdup_printf("%s: unknown option (see --help)", arg);
            return -EINVAL;
        }
        pc.opt = o;
        if (o->unsupported)
            return fail(&pc, "%s", o->unsupported);
        if (strcmp(o->name, "help") == 0) {
            cfg->show_help = true;
            return 0;
        }
        if (strcmp(o->name, "version") == 0) {
            cfg->show_version = true;
            return 0;
        }
        if (o->metavar && !val) {
            if (i + 1 >= argc)
                return fail(&pc, "missing value (%s)", o->metavar);
            val = argv[++i];
        }
        fn = find_handler(o->name);
        if (!fn)
            return fail(&pc, "not handled (internal error)");
        if (fn(&pc, val) < 0)
            return -EINVAL;
    }
    return final_checks(&pc, env_domid);
}
