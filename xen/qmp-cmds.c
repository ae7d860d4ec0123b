/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-cmds.c - the built-in QMP commands (see qmp_register_builtins()).
 *
 * Stateless handlers over the server's runstate callbacks
 * (struct qmp_runstate_ops), so that the Xen parts of the process hook in
 * without QMP knowing about them. query-command-line-options is generated
 * from the command-line option table. Main-loop thread only.
 */
#include "xen/qmp.h"

#include <errno.h>
#include <string.h>

#include "xen/cmdline.h"

static const char *const runstate_names[] = {
    [QMP_RUNSTATE_PRELAUNCH] = "prelaunch",
    [QMP_RUNSTATE_RUNNING] = "running",
    [QMP_RUNSTATE_PAUSED] = "paused",
    [QMP_RUNSTATE_SHUTDOWN] = "shutdown",
    [QMP_RUNSTATE_INTERNAL_ERROR] = "internal-error",
};

const char *qmp_runstate_name(enum qmp_runstate rs)
{
    if ((size_t)rs < G_N_ELEMENTS(runstate_names))
        return runstate_names[rs];
    return "internal-error";
}

static JsonNode *obj_node(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    return n;
}

static JsonNode *arr_node(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(n, a);
    return n;
}

static const struct qmp_runstate_ops *ops_of(struct qmp_server *qmp, void **opaque)
{
    return qmp_server_runstate_ops(qmp, opaque);
}

static int not_available(struct qmp_error *err, const char *what)
{
    return qmp_error_set(err, QMP_ERROR_GENERIC, "%s is not available", what);
}

/* ---- queries --------------------------------------------------------- */

static JsonObject *version_object(const struct qmp_version *v)
{
    JsonObject *o = json_object_new(), *q = json_object_new();

    json_object_set_int_member(q, "micro", v->micro);
    json_object_set_int_member(q, "minor", v->minor);
    json_object_set_int_member(q, "major", v->major);
    json_object_set_object_member(o, "qemu", q);
    json_object_set_string_member(o, "package", v->package);
    return o;
}

static int cmd_query_version(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                             struct qmp_error *err, void *opaque)
{
    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    *ret = obj_node(version_object(qmp_server_version(qmp)));
    return 0;
}

static int cmd_query_commands(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                              struct qmp_error *err, void *opaque)
{
    g_auto(GStrv) names = NULL;
    JsonArray *a;

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    names = qmp_server_command_names(qmp);
    a = json_array_new();
    for (char **n = names; *n; n++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", *n);
        json_array_add_object_element(a, o);
    }
    *ret = arr_node(a);
    return 0;
}

static JsonObject *option_object(const struct xendm_option *opt)
{
    JsonObject *o = json_object_new();
    JsonArray *params = json_array_new();

    json_object_set_string_member(o, "option", opt->name);
    for (const struct xendm_param *p = opt->params; p && p->name; p++) {
        JsonObject *po = json_object_new();

        json_object_set_string_member(po, "name", p->name);
        json_object_set_string_member(po, "type", xendm_param_type_name(p->type));
        if (p->help)
            json_object_set_string_member(po, "help", p->help);
        json_array_add_object_element(params, po);
    }
    json_object_set_array_member(o, "parameters", params);
    return o;
}

static int cmd_query_cmdline_options(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                                     struct qmp_error *err, void *opaque)
{
    static const char *const allowed[] = { "option", NULL };
    const char *only = NULL;
    const struct xendm_option *opts;
    JsonArray *a;
    size_t n;

    if (qmp_args_check(args, allowed, err) < 0 ||
        qmp_arg_str(args, "option", false, &only, err) < 0)
        return -EINVAL;
    if (only) {
        const struct xendm_option *o = xendm_option_find(only);

        if (!o || o->unsupported)
            return qmp_error_set(err, QMP_ERROR_GENERIC, "invalid option name: %s", only);
    }
    opts = xendm_options(&n);
    a = json_array_new();
    for (size_t i = 0; i < n; i++) {
        if (opts[i].unsupported || (only && strcmp(only, opts[i].name) != 0))
            continue;
        json_array_add_object_element(a, option_object(&opts[i]));
    }
    *ret = arr_node(a);
    return 0;
}

static int cmd_query_status(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                            struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);
    enum qmp_runstate rs;
    JsonObject *o;

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    if (!ops || !ops->status)
        return not_available(err, "query-status");
    rs = ops->status(op);
    o = json_object_new();
    json_object_set_boolean_member(o, "running", rs == QMP_RUNSTATE_RUNNING);
    json_object_set_boolean_member(o, "singlestep", FALSE);
    json_object_set_string_member(o, "status", qmp_runstate_name(rs));
    *ret = obj_node(o);
    return 0;
}

static int cmd_query_chardev(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                             struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);
    JsonArray *a;
    struct chardev *chr;

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    a = json_array_new();
    for (unsigned i = 0; ops && ops->chardev_at && (chr = ops->chardev_at(op, i)); i++) {
        JsonObject *o = json_object_new();
        g_autofree char *fname = chardev_filename(chr);

        json_object_set_string_member(o, "label", chardev_label(chr));
        json_object_set_string_member(o, "filename", fname);
        json_object_set_boolean_member(o, "frontend-open", chardev_frontend_open(chr));
        json_array_add_object_element(a, o);
    }
    *ret = arr_node(a);
    return 0;
}

static int cmd_query_vnc(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                         struct qmp_error *err, void *opaque)
{
    JsonObject *o;

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    o = json_object_new();
    json_object_set_boolean_member(o, "enabled", FALSE);
    *ret = obj_node(o);
    return 0;
}

/* ---- actions --------------------------------------------------------- */

static int cmd_stop(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                    struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    if (!ops || !ops->stop)
        return not_available(err, "stop");
    return ops->stop(op, err);
}

static int cmd_cont(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                    struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    if (!ops || !ops->cont)
        return not_available(err, "cont");
    return ops->cont(op, err);
}

static int cmd_system_reset(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                            struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    if (!ops || !ops->system_reset)
        return not_available(err, "system_reset");
    return ops->system_reset(op, err);
}

static int cmd_quit(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                    struct qmp_error *err, void *opaque)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);

    if (qmp_args_check(args, NULL, err) < 0)
        return -EINVAL;
    if (!ops || !ops->quit)
        return not_available(err, "quit");
    ops->quit(op);
    return 0;
}

static int cmd_dirty_log(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                         struct qmp_error *err, void *opaque)
{
    static const char *const allowed[] = { "enable", NULL };
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);
    bool enable = false;

    if (qmp_args_check(args, allowed, err) < 0 ||
        qmp_arg_bool(args, "enable", true, &enable, err) < 0)
        return -EINVAL;
    if (!ops || !ops->set_global_dirty_log)
        return not_available(err, "xen-set-global-dirty-log");
    return ops->set_global_dirty_log(op, enable, err);
}

/* The human monitor commands QMP itself can answer. */
static char *hmp_builtin(struct qmp_server *qmp, const char *line)
{
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);
    const struct qmp_version *v = qmp_server_version(qmp);

    if (strcmp(line, "info status") == 0) {
        if (!ops || !ops->status)
            return NULL;
        return g_strdup_printf("VM status: %s\n", qmp_runstate_name(ops->status(op)));
    }
    if (strcmp(line, "info version") == 0)
        return g_strdup_printf("%d.%d.%d (%s)\n", v->major, v->minor, v->micro, v->package);
    if (strcmp(line, "info chardev") == 0) {
        GString *s = g_string_new(NULL);
        struct chardev *chr;

        for (unsigned i = 0; ops && ops->chardev_at && (chr = ops->chardev_at(op, i)); i++) {
            g_autofree char *fname = chardev_filename(chr);

            g_string_append_printf(s, "%s: filename=%s\n", chardev_label(chr), fname);
        }
        return g_string_free(s, FALSE);
    }
    return NULL;
}

static int cmd_hmp(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                   struct qmp_error *err, void *opaque)
{
    static const char *const allowed[] = { "command-line", "cpu-index", NULL };
    void *op;
    const struct qmp_runstate_ops *ops = ops_of(qmp, &op);
    const char *raw = NULL;
    g_autofree char *line = NULL;
    char *out = NULL;

    if (qmp_args_check(args, allowed, err) < 0 ||
        qmp_arg_str(args, "command-line", true, &raw, err) < 0)
        return -EINVAL;
    line = g_strstrip(g_strdup(raw));
    if (line[0] == '\0')
        out = g_strdup("");
    if (!out)
        out = hmp_builtin(qmp, line);
    if (!out && ops && ops->hmp)
        out = ops->hmp(op, line);
    if (!out && strcmp(line, "help") == 0)
        out = g_strdup("info chardev -- show the character devices\n"
                       "info status -- show the run state\n"
                       "info version -- show the version\n");
    if (!out) {
        g_autofree char *word = g_strdup(line);

        word[strcspn(word, " ")] = '\0';
        out = g_strdup_printf("unknown command: '%s'\n", word);
    }
    *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(*ret, out);
    g_free(out);
    return 0;
}

static const struct {
    const char *name;
    qmp_command_fn *fn;
} builtins[] = {
    { "query-version", cmd_query_version },
    { "query-commands", cmd_query_commands },
    { "query-command-line-options", cmd_query_cmdline_options },
    { "query-status", cmd_query_status },
    { "query-chardev", cmd_query_chardev },
    { "query-vnc", cmd_query_vnc },
    { "stop", cmd_stop },
    { "cont", cmd_cont },
    { "system_reset", cmd_system_reset },
    { "quit", cmd_quit },
    { "xen-set-global-dirty-log", cmd_dirty_log },
    { "human-monitor-command", cmd_hmp },
};

int qmp_register_builtins(struct qmp_server *qmp, const struct qmp_runstate_ops *ops,
                          void *opaque)
{
    qmp_server_set_runstate_ops(qmp, ops, opaque);
    for (size_t i = 0; i < G_N_ELEMENTS(builtins); i++) {
        int ret = qmp_server_register(qmp, builtins[i].name, builtins[i].fn, NULL);

        if (ret < 0)
            return ret;
    }
    return 0;
}
