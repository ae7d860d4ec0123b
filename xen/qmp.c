/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.c - QMP protocol: framing, negotiation, dispatch, events (qmp.h).
 *
 * Data structures: the server keeps a hash table name -> struct qmp_cmd
 * and an array of monitors. Each monitor has a small splitter that cuts
 * the input byte stream into top-level JSON values by tracking nesting
 * depth and string/escape state (the same idea as QEMU's JSON streamer),
 * so a command may arrive in pieces or several at once. A complete value
 * goes to json-glib; any error is answered with GenericError and the
 * splitter restarts. Bytes outside a value that are not whitespace are
 * "junk": one error reply, then skipped up to the end of the line; a 0xff
 * byte (never valid UTF-8) resets the splitter silently, as in QEMU.
 *
 * A client that does not read its replies is cut off once QMP_OUTPUT_CAP
 * bytes are queued. Disconnecting from inside the receive callback is
 * deferred until the input loop ends (@in_receive/@kill).
 *
 * Threading: main-loop thread only.
 */
#include "xen/qmp.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util/log.h"

struct qmp_cmd {
    qmp_command_fn *fn;
    void *opaque;
};

struct qmp_splitter {
    GString *buf;
    int depth;
    bool in_str;
    bool esc;
    bool junk;
};

struct qmp_monitor {
    struct qmp_server *qmp;
    struct chardev *chr;
    bool pretty;
    bool negotiated;
    bool in_receive;
    bool kill;
    struct qmp_splitter sp;
    struct log_ratelimit err_rl;
};

struct qmp_server {
    struct qmp_version version;
    GHashTable *cmds;           /* char * -> struct qmp_cmd * */
    GPtrArray *monitors;        /* struct qmp_monitor * */
    const struct qmp_runstate_ops *ops;
    void *ops_opaque;
};

static const char *const class_names[] = {
    [QMP_ERROR_GENERIC] = "GenericError",
    [QMP_ERROR_COMMAND_NOT_FOUND] = "CommandNotFound",
    [QMP_ERROR_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [QMP_ERROR_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

const char *qmp_error_class_name(enum qmp_error_class cls)
{
    if ((size_t)cls < G_N_ELEMENTS(class_names))
        return class_names[cls];
    return "GenericError";
}

int qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...)
{
    va_list ap;

    g_free(err->desc);
    err->cls = cls;
    va_start(ap, fmt);
    err->desc = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* ---- server ---------------------------------------------------------- */

struct qmp_server *qmp_server_new(const struct qmp_version *version)
{
    struct qmp_server *qmp = g_new0(struct qmp_server, 1);

    qmp->version = *version;
    qmp->version.package = g_strdup(version->package ? version->package : "");
    qmp->cmds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    qmp->monitors = g_ptr_array_new();
    return qmp;
}

static void monitor_free(struct qmp_monitor *mon)
{
    chardev_set_handlers(mon->chr, NULL, NULL);
    g_string_free(mon->sp.buf, TRUE);
    g_free(mon);
}

void qmp_server_free(struct qmp_server *qmp)
{
    if (!qmp)
        return;
    for (guint i = 0; i < qmp->monitors->len; i++)
        monitor_free(g_ptr_array_index(qmp->monitors, i));
    g_ptr_array_unref(qmp->monitors);
    g_hash_table_unref(qmp->cmds);
    g_free((char *)qmp->version.package);
    g_free(qmp);
}

int qmp_server_register(struct qmp_server *qmp, const char *name, qmp_command_fn *fn,
                        void *opaque)
{
    struct qmp_cmd *c;

    if (strcmp(name, "qmp_capabilities") == 0 || g_hash_table_contains(qmp->cmds, name))
        return -EEXIST;
    c = g_new0(struct qmp_cmd, 1);
    c->fn = fn;
    c->opaque = opaque;
    g_hash_table_insert(qmp->cmds, g_strdup(name), c);
    return 0;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **qmp_server_command_names(const struct qmp_server *qmp)
{
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_ptr_array_add(names, g_strdup("qmp_capabilities"));
    g_hash_table_iter_init(&it, qmp->cmds);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(names, g_strdup(key));
    g_ptr_array_sort(names, cmp_str);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

const struct qmp_version *qmp_server_version(const struct qmp_server *qmp)
{
    return &qmp->version;
}

void qmp_server_set_runstate_ops(struct qmp_server *qmp, const struct qmp_runstate_ops *ops,
                                 void *opaque)
{
    qmp->ops = ops;
    qmp->ops_opaque = opaque;
}

const struct qmp_runstate_ops *qmp_server_runstate_ops(const struct qmp_server *qmp,
                                                       void **opaque)
{
    *opaque = qmp->ops_opaque;
    return qmp->ops;
}

/* ---- output ---------------------------------------------------------- */

static char *node_to_text(JsonNode *node, bool pretty)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_pretty(gen, pretty);
    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

static void monitor_send(struct qmp_monitor *mon, JsonNode *node)
{
    g_autofree char *text = node_to_text(node, mon->pretty);
    g_autofree char *line = g_strconcat(text, "\r\n", NULL);
    int ret;

    log_trace("qmp %s <- %s", chardev_label(mon->chr), text);
    ret = chardev_write_msg(mon->chr, line, strlen(line));
    if (ret == -ENOBUFS) {
        log_warn_rl(&mon->err_rl, "qmp %s: client does not read its replies; disconnecting",
                    chardev_label(mon->chr));
        if (mon->in_receive)
            mon->kill = true;
        else
            chardev_disconnect(mon->chr);
    }
}

static JsonNode *error_node(const struct qmp_error *err, JsonNode *id)
{
    JsonObject *o = json_object_new(), *e = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    /* Descriptions may quote client input: keep the reply valid UTF-8. */
    g_autofree char *desc = g_utf8_make_valid(err->desc ? err->desc : "", -1);

    json_object_set_string_member(e, "class", qmp_error_class_name(err->cls));
    json_object_set_string_member(e, "desc", desc);
    json_object_set_object_member(o, "error", e);
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    json_node_take_object(n, o);
    return n;
}

static JsonNode *return_node(JsonNode *ret, JsonNode *id)
{
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    if (!ret) {
        ret = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(ret, json_object_new());
    }
    json_object_set_member(o, "return", ret);
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    json_node_take_object(n, o);
    return n;
}

void qmp_server_emit_event(struct qmp_server *qmp, const char *name, JsonNode *data)
{
    JsonObject *o = json_object_new(), *ts = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    gint64 now = g_get_real_time();

    json_object_set_string_member(o, "event", name);
    if (data)
        json_object_set_member(o, "data", data);
    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(o, "timestamp", ts);
    json_node_take_object(n, o);
    log_debug("qmp event %s", name);
    for (guint i = 0; i < qmp->monitors->len; i++) {
        struct qmp_monitor *mon = g_ptr_array_index(qmp->monitors, i);

        if (mon->negotiated && chardev_is_connected(mon->chr))
            monitor_send(mon, n);
    }
    json_node_unref(n);
}

/* ---- dispatch -------------------------------------------------------- */

static JsonNode *greeting(const struct qmp_server *qmp)
{
    JsonObject *o = json_object_new(), *q = json_object_new(), *v = json_object_new(),
               *qemu = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_object_set_int_member(qemu, "micro", qmp->version.micro);
    json_object_set_int_member(qemu, "minor", qmp->version.minor);
    json_object_set_int_member(qemu, "major", qmp->version.major);
    json_object_set_object_member(v, "qemu", qemu);
    json_object_set_string_member(v, "package", qmp->version.package);
    json_object_set_object_member(q, "version", v);
    json_object_set_array_member(q, "capabilities", json_array_new());
    json_object_set_object_member(o, "QMP", q);
    json_node_take_object(n, o);
    return n;
}

static int do_capabilities(bool *negotiated, JsonObject *args, struct qmp_error *err)
{
    static const char *const allowed[] = { "enable", NULL };
    JsonNode *en;

    if (qmp_args_check(args, allowed, err) < 0)
        return -EINVAL;
    en = json_object_get_member(args, "enable");
    if (en) {
        JsonArray *a;

        if (!JSON_NODE_HOLDS_ARRAY(en))
            return qmp_error_set(err, QMP_ERROR_GENERIC,
                                 "Invalid parameter type for 'enable', expected: array");
        a = json_node_get_array(en);
        if (json_array_get_length(a) > 0) {
            JsonNode *c = json_array_get_element(a, 0);
            const char *name = JSON_NODE_HOLDS_VALUE(c) &&
                               json_node_get_value_type(c) == G_TYPE_STRING ?
                               json_node_get_string(c) : "?";

            /* No capability is offered, so any request fails. */
            return qmp_error_set(err, QMP_ERROR_GENERIC, "Capability '%s' not available", name);
        }
    }
    *negotiated = true;
    return 0;
}

/* Validate the request envelope. Return: the command name or NULL. */
static const char *check_envelope(JsonNode *root, JsonObject **args, JsonNode **id,
                                  struct qmp_error *err)
{
    JsonObject *o;
    JsonNode *ex, *an;
    GList *members, *l;
    const char *bad = NULL;

    *id = NULL;
    *args = NULL;
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_error_set(err, QMP_ERROR_GENERIC, "QMP input must be a JSON object");
        return NULL;
    }
    o = json_node_get_object(root);
    *id = json_object_get_member(o, "id");
    members = json_object_get_members(o);
    for (l = members; l; l = l->next) {
        if (strcmp(l->data, "execute") && strcmp(l->data, "arguments") && strcmp(l->data, "id")) {
            bad = l->data;
            break;
        }
    }
    g_list_free(members);
    if (bad) {
        if (strcmp(bad, "exec-oob") == 0)
            qmp_error_set(err, QMP_ERROR_GENERIC, "Out-of-band execution is not supported");
        else
            qmp_error_set(err, QMP_ERROR_GENERIC, "QMP input member '%s' is unexpected", bad);
        return NULL;
    }
    ex = json_object_get_member(o, "execute");
    if (!ex) {
        qmp_error_set(err, QMP_ERROR_GENERIC, "QMP input lacks member 'execute'");
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(ex) || json_node_get_value_type(ex) != G_TYPE_STRING) {
        qmp_error_set(err, QMP_ERROR_GENERIC, "QMP input member 'execute' must be a string");
        return NULL;
    }
    an = json_object_get_member(o, "arguments");
    if (an && !JSON_NODE_HOLDS_OBJECT(an)) {
        qmp_error_set(err, QMP_ERROR_GENERIC, "QMP input member 'arguments' must be an object");
        return NULL;
    }
    *args = an ? json_node_get_object(an) : NULL;
    return json_node_get_string(ex);
}

/* Run one parsed request; Return: the reply (new node). */
static JsonNode *dispatch(struct qmp_server *qmp, bool *negotiated, JsonNode *root)
{
    struct qmp_error err = { 0 };
    g_autoptr(JsonObject) empty = json_object_new();
    JsonObject *args;
    JsonNode *id, *ret = NULL, *reply;
    const char *name = check_envelope(root, &args, &id, &err);
    struct qmp_cmd *cmd;
    int rc;

    if (!name)
        goto error;
    if (!args)
        args = empty;
    log_debug("qmp: execute %s", name);
    if (strcmp(name, "qmp_capabilities") == 0) {
        if (*negotiated) {
            qmp_error_set(&err, QMP_ERROR_COMMAND_NOT_FOUND,
                          "Capabilities negotiation is already complete, command ignored");
            goto error;
        }
        if (do_capabilities(negotiated, args, &err) < 0)
            goto error;
        return return_node(NULL, id);
    }
    if (!*negotiated) {
        qmp_error_set(&err, QMP_ERROR_COMMAND_NOT_FOUND,
                      "Expecting capabilities negotiation with 'qmp_capabilities'");
        goto error;
    }
    cmd = g_hash_table_lookup(qmp->cmds, name);
    if (!cmd) {
        qmp_error_set(&err, QMP_ERROR_COMMAND_NOT_FOUND, "The command %s has not been found",
                      name);
        goto error;
    }
    rc = cmd->fn(qmp, args, &ret, &err, cmd->opaque);
    if (rc < 0) {
        if (ret)
            json_node_unref(ret);
        if (!err.desc)
            qmp_error_set(&err, QMP_ERROR_GENERIC, "%s failed", name);
        goto error;
    }
    return return_node(ret, id);
error:
    reply = error_node(&err, id);
    g_free(err.desc);
    return reply;
}

static JsonNode *parse_and_dispatch(struct qmp_server *qmp, bool *negotiated,
                                    const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    struct qmp_error err = { 0 };
    JsonNode *reply;

    if (!json_parser_load_from_data(parser, text, (gssize)len, &gerr) ||
        !json_parser_get_root(parser)) {
        qmp_error_set(&err, QMP_ERROR_GENERIC, "JSON parse error, %s",
                      gerr ? gerr->message : "empty input");
        reply = error_node(&err, NULL);
        g_free(err.desc);
        return reply;
    }
    return dispatch(qmp, negotiated, json_parser_get_root(parser));
}

char *qmp_server_handle_line(struct qmp_server *qmp, const char *json)
{
    bool negotiated = true;
    JsonNode *reply = parse_and_dispatch(qmp, &negotiated, json, strlen(json));
    char *text = node_to_text(reply, false);

    json_node_unref(reply);
    return text;
}

/* ---- input framing --------------------------------------------------- */

static void splitter_reset(struct qmp_splitter *sp)
{
    g_string_truncate(sp->buf, 0);
    sp->depth = 0;
    sp->in_str = sp->esc = false;
}

static void send_parse_error(struct qmp_monitor *mon, const char *what)
{
    struct qmp_error err = { 0 };
    JsonNode *n;

    log_warn_rl(&mon->err_rl, "qmp %s: %s", chardev_label(mon->chr), what);
    qmp_error_set(&err, QMP_ERROR_GENERIC, "JSON parse error, %s", what);
    n = error_node(&err, NULL);
    monitor_send(mon, n);
    json_node_unref(n);
    g_free(err.desc);
}

static void handle_message(struct qmp_monitor *mon)
{
    JsonNode *reply;

    log_trace("qmp %s -> %s", chardev_label(mon->chr), mon->sp.buf->str);
    reply = parse_and_dispatch(mon->qmp, &mon->negotiated, mon->sp.buf->str, mon->sp.buf->len);
    monitor_send(mon, reply);
    json_node_unref(reply);
}

/* Abandon the current value after an error: skip to the end of the line. */
static void splitter_abort(struct qmp_monitor *mon, const char *what, bool at_newline)
{
    send_parse_error(mon, what);
    splitter_reset(&mon->sp);
    mon->sp.junk = !at_newline;
}

static void feed_byte(struct qmp_monitor *mon, uint8_t c)
{
    struct qmp_splitter *sp = &mon->sp;

    if (c == 0xff) {                  /* resynchronisation request */
        splitter_reset(sp);
        sp->junk = false;
        return;
    }
    if (sp->junk) {
        if (c == '\n')
            sp->junk = false;
        return;
    }
    if (sp->depth == 0) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            return;
        if (c != '{' && c != '[') {
            splitter_abort(mon, "expected a JSON object", false);
            return;
        }
        sp->depth = 1;
        g_string_append_c(sp->buf, (char)c);
        return;
    }
    if (sp->buf->len >= QMP_MAX_MESSAGE) {
        splitter_abort(mon, "message too long", c == '\n');
        return;
    }
    g_string_append_c(sp->buf, (char)c);
    if (sp->in_str) {
        if (sp->esc)
            sp->esc = false;
        else if (c == '\\')
            sp->esc = true;
        else if (c == '"')
            sp->in_str = false;
        else if (c < 0x20)
            splitter_abort(mon, "control character in a string", c == '\n');
        return;
    }
    switch (c) {
    case '"':
        sp->in_str = true;
        break;
    case '{':
    case '[':
        if (++sp->depth > QMP_MAX_DEPTH)
            splitter_abort(mon, "nesting too deep", false);
        break;
    case '}':
    case ']':
        if (--sp->depth == 0) {
            handle_message(mon);
            splitter_reset(sp);
        }
        break;
    default:
        break;
    }
}

static void mon_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct qmp_monitor *mon = opaque;

    mon->in_receive = true;
    for (size_t i = 0; i < len && !mon->kill; i++)
        feed_byte(mon, buf[i]);
    mon->in_receive = false;
    if (mon->kill) {
        mon->kill = false;
        chardev_disconnect(mon->chr);
    }
}

static void mon_connected(void *opaque)
{
    struct qmp_monitor *mon = opaque;
    JsonNode *g;

    log_debug("qmp %s: client connected", chardev_label(mon->chr));
    mon->negotiated = false;
    mon->kill = false;
    splitter_reset(&mon->sp);
    mon->sp.junk = false;
    g = greeting(mon->qmp);
    monitor_send(mon, g);
    json_node_unref(g);
}

static void mon_disconnected(void *opaque)
{
    struct qmp_monitor *mon = opaque;

    log_debug("qmp %s: client disconnected", chardev_label(mon->chr));
    mon->negotiated = false;
    splitter_reset(&mon->sp);
    mon->sp.junk = false;
}

static const struct chardev_handlers mon_handlers = {
    .receive = mon_receive,
    .connected = mon_connected,
    .disconnected = mon_disconnected,
};

struct qmp_monitor *qmp_server_add_monitor(struct qmp_server *qmp, struct chardev *chr,
                                           bool pretty)
{
    struct qmp_monitor *mon = g_new0(struct qmp_monitor, 1);

    mon->qmp = qmp;
    mon->chr = chr;
    mon->pretty = pretty;
    mon->sp.buf = g_string_new(NULL);
    g_ptr_array_add(qmp->monitors, mon);
    chardev_set_write_cap(chr, QMP_OUTPUT_CAP);
    chardev_set_handlers(chr, &mon_handlers, mon);
    return mon;
}

/* ---- argument helpers ------------------------------------------------ */

int qmp_args_check(JsonObject *args, const char *const *allowed, struct qmp_error *err)
{
    GList *members = json_object_get_members(args), *l;
    int ret = 0;

    for (l = members; l && !ret; l = l->next) {
        bool ok = false;

        for (const char *const *a = allowed; a && *a; a++)
            ok |= strcmp(*a, l->data) == 0;
        if (!ok)
            ret = qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' is unexpected",
                                (const char *)l->data);
    }
    g_list_free(members);
    return ret;
}

static JsonNode *get_arg(JsonObject *args, const char *name, bool required, GType type,
                         const char *type_name, struct qmp_error *err, int *rc)
{
    JsonNode *n = json_object_get_member(args, name);

    *rc = 0;
    if (!n) {
        if (required)
            *rc = qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' is missing", name);
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != type) {
        *rc = qmp_error_set(err, QMP_ERROR_GENERIC,
                            "Invalid parameter type for '%s', expected: %s", name, type_name);
        return NULL;
    }
    *rc = 1;
    return n;
}

int qmp_arg_bool(JsonObject *args, const char *name, bool required, bool *out,
                 struct qmp_error *err)
{
    int rc;
    JsonNode *n = get_arg(args, name, required, G_TYPE_BOOLEAN, "boolean", err, &rc);

    if (n)
        *out = json_node_get_boolean(n);
    return rc;
}

int qmp_arg_str(JsonObject *args, const char *name, bool required, const char **out,
                struct qmp_error *err)
{
    int rc;
    JsonNode *n = get_arg(args, name, required, G_TYPE_STRING, "string", err, &rc);

    if (n)
        *out = json_node_get_string(n);
    return rc;
}
