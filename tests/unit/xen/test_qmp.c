/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_qmp.c - QMP over a socketpair: greeting, negotiation, id echo,
 * unknown commands, envelope errors, malformed JSON followed by a good
 * command, split and batched input, events, the built-in commands, a
 * client that never reads.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xen/qmp.h"

struct fake_vm {
    enum qmp_runstate rs;
    int stops, conts, resets, quits;
    bool dirty;
};

static enum qmp_runstate vm_status(void *o)
{
    return ((struct fake_vm *)o)->rs;
}

static int vm_stop(void *o, struct qmp_error *err)
{
    struct fake_vm *vm = o;

    vm->stops++;
    vm->rs = QMP_RUNSTATE_PAUSED;
    return 0;
}

static int vm_cont(void *o, struct qmp_error *err)
{
    struct fake_vm *vm = o;

    vm->conts++;
    vm->rs = QMP_RUNSTATE_RUNNING;
    return 0;
}

static int vm_reset(void *o, struct qmp_error *err)
{
    ((struct fake_vm *)o)->resets++;
    return qmp_error_set(err, QMP_ERROR_DEVICE_NOT_ACTIVE, "reset refused by test");
}

static void vm_quit(void *o)
{
    ((struct fake_vm *)o)->quits++;
}

static int vm_dirty(void *o, bool enable, struct qmp_error *err)
{
    ((struct fake_vm *)o)->dirty = enable;
    return 0;
}

static char *vm_hmp(void *o, const char *line)
{
    if (strcmp(line, "info mtree") == 0)
        return g_strdup("address-space: memory\n");
    return NULL;
}

static const struct qmp_runstate_ops vm_ops = {
    .status = vm_status, .stop = vm_stop, .cont = vm_cont, .system_reset = vm_reset,
    .quit = vm_quit, .set_global_dirty_log = vm_dirty, .hmp = vm_hmp,
};

struct t {
    int sv[2];
    struct chardev *chr;
    struct qmp_server *qmp;
    struct fake_vm vm;
    GString *in;
};

static void t_setup(struct t *t, bool builtins)
{
    g_autofree char *spec_str = NULL;
    struct chardev_spec *spec;
    struct qmp_version v = { 7, 2, 0, "xendm-test" };
    char *err = NULL;

    memset(t, 0, sizeof(*t));
    t->vm.rs = QMP_RUNSTATE_PRELAUNCH;
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, t->sv), 0);
    (void)fcntl(t->sv[1], F_SETFL, O_NONBLOCK);
    spec_str = g_strdup_printf("socket,id=qmp0,fd=%d", t->sv[0]);
    ck_assert_int_eq(chardev_spec_parse(spec_str, &spec, &err), 0);
    t->chr = chardev_open(spec, NULL, &err);
    ck_assert_ptr_nonnull(t->chr);
    chardev_spec_free(spec);
    t->qmp = qmp_server_new(&v);
    if (builtins)
        ck_assert_int_eq(qmp_register_builtins(t->qmp, &vm_ops, &t->vm), 0);
    t->in = g_string_new(NULL);
}

static void t_teardown(struct t *t)
{
    qmp_server_free(t->qmp);
    chardev_close(t->chr);
    if (t->sv[1] >= 0)
        close(t->sv[1]);
    g_string_free(t->in, TRUE);
}

static void t_send(struct t *t, const char *s)
{
    size_t len = strlen(s);

    ck_assert_int_eq(write(t->sv[1], s, len), (ssize_t)len);
}

/* Next line from the server as a JSON object (caller unrefs), or NULL. */
static JsonNode *t_recv(struct t *t)
{
    for (int i = 0; i < 3000; i++) {
        char *nl = strstr(t->in->str, "\r\n");
        char buf[4096];
        ssize_t n;

        if (nl) {
            g_autofree char *line = g_strndup(t->in->str, (gsize)(nl - t->in->str));
            JsonNode *node;

            g_string_erase(t->in, 0, nl - t->in->str + 2);
            node = json_from_string(line, NULL);
            ck_assert_ptr_nonnull(node);
            ck_assert(JSON_NODE_HOLDS_OBJECT(node));
            return node;
        }
        n = read(t->sv[1], buf, sizeof(buf));
        if (n > 0) {
            g_string_append_len(t->in, buf, n);
            continue;
        }
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    return NULL;
}

/* Nothing more arrives within ~30 ms. */
static void t_expect_silence(struct t *t)
{
    char buf[256];

    for (int i = 0; i < 30; i++) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_usleep(1000);
    }
    ck_assert_int_lt(read(t->sv[1], buf, sizeof(buf)), 0);
    ck_assert_uint_eq(t->in->len, 0);
}

static JsonObject *obj(JsonNode *n)
{
    return json_node_get_object(n);
}

static void expect_error(JsonNode *n, const char *cls, const char *desc_part)
{
    JsonObject *e;

    ck_assert_ptr_nonnull(n);
    ck_assert(json_object_has_member(obj(n), "error"));
    e = json_object_get_object_member(obj(n), "error");
    ck_assert_str_eq(json_object_get_string_member(e, "class"), cls);
    if (desc_part && !strstr(json_object_get_string_member(e, "desc"), desc_part))
        ck_abort_msg("desc '%s' lacks '%s'", json_object_get_string_member(e, "desc"), desc_part);
    json_node_unref(n);
}

/* The reply's "return" member (borrowed from @n). */
static JsonNode *ret_of(JsonNode *n)
{
    ck_assert_ptr_nonnull(n);
    if (!json_object_has_member(obj(n), "return"))
        ck_abort_msg("not a return: %s", json_to_string(n, FALSE));
    return json_object_get_member(obj(n), "return");
}

static void expect_empty_return(JsonNode *n)
{
    JsonNode *r = ret_of(n);

    ck_assert(JSON_NODE_HOLDS_OBJECT(r));
    ck_assert_uint_eq(json_object_get_size(json_node_get_object(r)), 0);
    json_node_unref(n);
}

/* Connect the monitor, check the greeting, optionally negotiate. */
static void t_start(struct t *t, bool negotiate)
{
    JsonNode *g;
    JsonObject *q, *ver;

    qmp_server_add_monitor(t->qmp, t->chr, false);
    g = t_recv(t);
    ck_assert_ptr_nonnull(g);
    q = json_object_get_object_member(obj(g), "QMP");
    ck_assert_ptr_nonnull(q);
    ver = json_object_get_object_member(json_object_get_object_member(q, "version"), "qemu");
    ck_assert_int_eq(json_object_get_int_member(ver, "major"), 7);
    ck_assert_int_eq(json_object_get_int_member(ver, "minor"), 2);
    ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(q, "version"),
                                                   "package"), "xendm-test");
    ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(q, "capabilities")), 0);
    json_node_unref(g);
    if (negotiate) {
        t_send(t, "{\"execute\": \"qmp_capabilities\"}\n");
        expect_empty_return(t_recv(t));
    }
}

START_TEST(greeting_and_negotiation)
{
    struct t t;

    t_setup(&t, true);
    t_start(&t, false);
    t_send(&t, "{\"execute\": \"query-status\", \"id\": 1}\n");
    expect_error(t_recv(&t), "CommandNotFound", "Expecting capabilities negotiation");
    t_send(&t, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n");
    expect_error(t_recv(&t), "GenericError", "Capability 'oob' not available");
    t_send(&t, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"bogus\": 1}}\n");
    expect_error(t_recv(&t), "GenericError", "Parameter 'bogus' is unexpected");
    t_send(&t, "{\"execute\": \"qmp_capabilities\"}\n");
    expect_empty_return(t_recv(&t));
    t_send(&t, "{\"execute\": \"qmp_capabilities\"}\n");
    expect_error(t_recv(&t), "CommandNotFound", "already complete");
    t_teardown(&t);
}
END_TEST

START_TEST(id_echo_and_unknown)
{
    static const char *const ids[] = { "42", "\"libxl-7\"", "{\"a\":[1,2]}", "null" };
    struct t t;

    t_setup(&t, true);
    t_start(&t, true);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *cmd = g_strdup_printf("{\"execute\": \"query-vnc\", \"id\": %s}\n", ids[i]);
        JsonNode *r, *id, *want = json_from_string(ids[i], NULL);

        t_send(&t, cmd);
        r = t_recv(&t);
        id = json_object_get_member(obj(r), "id");
        ck_assert_ptr_nonnull(id);
        ck_assert(json_node_equal(id, want));
        ck_assert(!json_object_get_boolean_member(json_node_get_object(ret_of(r)), "enabled"));
        json_node_unref(r);
        json_node_unref(want);
    }
    t_send(&t, "{\"execute\": \"frobnicate\", \"id\": \"x1\"}\n");
    {
        JsonNode *r = t_recv(&t);

        ck_assert_str_eq(json_object_get_string_member(obj(r), "id"), "x1");
        expect_error(r, "CommandNotFound", "The command frobnicate has not been found");
    }
    t_teardown(&t);
}
END_TEST

START_TEST(envelope_errors)
{
    struct t t;

    t_setup(&t, true);
    t_start(&t, true);
    t_send(&t, "{\"arguments\": {}}\n");
    expect_error(t_recv(&t), "GenericError", "lacks member 'execute'");
    t_send(&t, "{\"execute\": 42}\n");
    expect_error(t_recv(&t), "GenericError", "'execute' must be a string");
    t_send(&t, "{\"execute\": \"query-status\", \"arguments\": [1]}\n");
    expect_error(t_recv(&t), "GenericError", "'arguments' must be an object");
    t_send(&t, "[1, 2]\n");
    expect_error(t_recv(&t), "GenericError", "must be a JSON object");
    t_send(&t, "{\"execute\": \"query-status\", \"extra\": 1}\n");
    expect_error(t_recv(&t), "GenericError", "'extra' is unexpected");
    t_send(&t, "{\"exec-oob\": \"query-status\"}\n");
    expect_error(t_recv(&t), "GenericError", "Out-of-band");
    t_send(&t, "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}\n");
    expect_error(t_recv(&t), "GenericError", "Parameter 'x' is unexpected");
    t_teardown(&t);
}
END_TEST

START_TEST(malformed_json_then_good)
{
    struct t t;
    JsonNode *r;

    t_setup(&t, true);
    t_start(&t, true);
    t_send(&t, "{\"execute\": }\n");
    expect_error(t_recv(&t), "GenericError", "JSON parse error");
    t_send(&t, "{\"execute\": \"query-status\", \"id\": 2}\n");
    r = t_recv(&t);
    ck_assert_str_eq(json_object_get_string_member(json_node_get_object(ret_of(r)), "status"),
                     "prelaunch");
    json_node_unref(r);
    /* Junk outside an object: one error, rest of the line skipped. */
    t_send(&t, "hello world } ] {{{\n{\"execute\": \"query-vnc\", \"id\": 3}\n");
    expect_error(t_recv(&t), "GenericError", "JSON parse error");
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 3);
    json_node_unref(r);
    /* An unterminated string cut by a newline. */
    t_send(&t, "{\"execute\": \"query-st\n{\"execute\": \"query-vnc\", \"id\": 4}\n");
    expect_error(t_recv(&t), "GenericError", "control character");
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 4);
    json_node_unref(r);
    /* 0xff resynchronises silently. */
    t_send(&t, "{\"execute\": {{{\xff{\"execute\": \"query-vnc\", \"id\": 5}");
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 5);
    json_node_unref(r);
    /* Too deep. */
    {
        GString *deep = g_string_new("{\"execute\": \"x\", \"arguments\": ");
        for (int i = 0; i < QMP_MAX_DEPTH + 5; i++)
            g_string_append(deep, "{\"a\":");
        g_string_append(deep, "1\n{\"execute\": \"query-vnc\", \"id\": 6}\n");
        t_send(&t, deep->str);
        g_string_free(deep, TRUE);
    }
    expect_error(t_recv(&t), "GenericError", "nesting too deep");
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 6);
    json_node_unref(r);
    t_expect_silence(&t);
    t_teardown(&t);
}
END_TEST

START_TEST(split_and_batched)
{
    static const char cmd[] = "{\"execute\": \"query-status\", \"id\": \"split\"}";
    struct t t;
    JsonNode *r;

    t_setup(&t, true);
    t_start(&t, true);
    for (size_t i = 0; i < sizeof(cmd) - 1; i++) {
        char one[2] = { cmd[i], 0 };

        t_send(&t, one);
        for (int k = 0; k < 3; k++)
            g_main_context_iteration(NULL, FALSE);
    }
    r = t_recv(&t);
    ck_assert_str_eq(json_object_get_string_member(obj(r), "id"), "split");
    json_node_unref(r);
    /* Three in one write, with braces and quotes inside strings. */
    t_send(&t, "{\"execute\":\"query-vnc\",\"id\":\"a}\\\"{\"}{\"execute\":\"stop\",\"id\":2}"
               "  {\"execute\":\"query-status\",\"id\":3}");
    r = t_recv(&t);
    ck_assert_str_eq(json_object_get_string_member(obj(r), "id"), "a}\"{");
    json_node_unref(r);
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 2);
    json_node_unref(r);
    r = t_recv(&t);
    ck_assert_int_eq(json_object_get_int_member(obj(r), "id"), 3);
    ck_assert_str_eq(json_object_get_string_member(json_node_get_object(ret_of(r)), "status"),
                     "paused");
    json_node_unref(r);
    ck_assert_int_eq(t.vm.stops, 1);
    t_teardown(&t);
}
END_TEST

START_TEST(events)
{
    struct t t;
    JsonNode *r, *data;
    JsonObject *ts;

    t_setup(&t, true);
    t_start(&t, false);
    /* Not negotiated yet: no events. */
    qmp_server_emit_event(t.qmp, "STOP", NULL);
    t_expect_silence(&t);
    t_send(&t, "{\"execute\": \"qmp_capabilities\"}\n");
    expect_empty_return(t_recv(&t));
    data = json_from_string("{\"guest\": false, \"reason\": \"host-qmp-quit\"}", NULL);
    qmp_server_emit_event(t.qmp, "SHUTDOWN", data);
    r = t_recv(&t);
    ck_assert_str_eq(json_object_get_string_member(obj(r), "event"), "SHUTDOWN");
    ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(obj(r), "data"),
                                                   "reason"), "host-qmp-quit");
    ts = json_object_get_object_member(obj(r), "timestamp");
    ck_assert_int_gt(json_object_get_int_member(ts, "seconds"), 1600000000);
    ck_assert_int_lt(json_object_get_int_member(ts, "microseconds"), 1000000);
    json_node_unref(r);
    qmp_server_emit_event(t.qmp, "RESUME", NULL);
    r = t_recv(&t);
    ck_assert_str_eq(json_object_get_string_member(obj(r), "event"), "RESUME");
    ck_assert(!json_object_has_member(obj(r), "data"));
    json_node_unref(r);
    t_teardown(&t);
}
END_TEST

static JsonNode *call(struct t *t, const char *json)
{
    g_autofree char *line = g_strconcat(json, "\n", NULL);

    t_send(t, line);
    return t_recv(t);
}

START_TEST(builtins)
{
    struct t t;
    JsonNode *r;
    JsonArray *a;
    bool found_run_with = false, found_qc = false;

    t_setup(&t, true);
    t_start(&t, true);
    r = call(&t, "{\"execute\": \"query-status\"}");
    ck_assert(!json_object_get_boolean_member(json_node_get_object(ret_of(r)), "running"));
    json_node_unref(r);
    expect_empty_return(call(&t, "{\"execute\": \"cont\"}"));
    r = call(&t, "{\"execute\": \"query-status\"}");
    ck_assert(json_object_get_boolean_member(json_node_get_object(ret_of(r)), "running"));
    ck_assert_str_eq(json_object_get_string_member(json_node_get_object(ret_of(r)), "status"),
                     "running");
    json_node_unref(r);
    expect_error(call(&t, "{\"execute\": \"system_reset\"}"), "DeviceNotActive", "refused by test");
    ck_assert_int_eq(t.vm.resets, 1);
    expect_error(call(&t, "{\"execute\": \"xen-set-global-dirty-log\"}"), "GenericError",
                 "Parameter 'enable' is missing");
    expect_error(call(&t, "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": 1}}"),
                 "GenericError", "expected: boolean");
    expect_empty_return(call(&t, "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": true}}"));
    ck_assert(t.vm.dirty);

    r = call(&t, "{\"execute\": \"query-commands\"}");
    a = json_node_get_array(ret_of(r));
    ck_assert_uint_eq(json_array_get_length(a), 13);
    for (guint i = 0; i < json_array_get_length(a); i++)
        found_qc |= strcmp(json_object_get_string_member(json_array_get_object_element(a, i), "name"),
                           "query-command-line-options") == 0;
    ck_assert(found_qc);
    json_node_unref(r);

    r = call(&t, "{\"execute\": \"query-command-line-options\"}");
    a = json_node_get_array(ret_of(r));
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);

        ck_assert_str_ne(json_object_get_string_member(o, "option"), "incoming");
        if (strcmp(json_object_get_string_member(o, "option"), "run-with") == 0) {
            JsonArray *p = json_object_get_array_member(o, "parameters");

            found_run_with = true;
            ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(p, 0), "name"), "user");
            ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(p, 1), "name"), "chroot");
        }
    }
    ck_assert(found_run_with);
    json_node_unref(r);
    r = call(&t, "{\"execute\": \"query-command-line-options\", \"arguments\": {\"option\": \"machine\"}}");
    a = json_node_get_array(ret_of(r));
    ck_assert_uint_eq(json_array_get_length(a), 1);
    json_node_unref(r);
    expect_error(call(&t, "{\"execute\": \"query-command-line-options\", \"arguments\": {\"option\": \"nope\"}}"),
                 "GenericError", "invalid option name: nope");

    r = call(&t, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info version\"}}");
    ck_assert_str_eq(json_node_get_string(ret_of(r)), "7.2.0 (xendm-test)\n");
    json_node_unref(r);
    r = call(&t, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \" info mtree \"}}");
    ck_assert_str_eq(json_node_get_string(ret_of(r)), "address-space: memory\n");
    json_node_unref(r);
    r = call(&t, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"bogus 1\"}}");
    ck_assert_str_eq(json_node_get_string(ret_of(r)), "unknown command: 'bogus'\n");
    json_node_unref(r);
    r = call(&t, "{\"execute\": \"query-chardev\"}");
    ck_assert_uint_eq(json_array_get_length(json_node_get_array(ret_of(r))), 0);
    json_node_unref(r);
    r = call(&t, "{\"execute\": \"query-version\"}");
    ck_assert_int_eq(json_object_get_int_member(json_object_get_object_member(
        json_node_get_object(ret_of(r)), "qemu"), "major"), 7);
    json_node_unref(r);
    expect_empty_return(call(&t, "{\"execute\": \"quit\", \"id\": 9}"));
    ck_assert_int_eq(t.vm.quits, 1);
    t_teardown(&t);
}
END_TEST

static int cmd_echo(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                    struct qmp_error *err, void *opaque)
{
    static const char *const allowed[] = { "text", NULL };
    const char *text = NULL;

    (*(int *)opaque)++;
    if (qmp_args_check(args, allowed, err) < 0 || qmp_arg_str(args, "text", true, &text, err) < 0)
        return -EINVAL;
    *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(*ret, text);
    return 0;
}

START_TEST(registration_and_no_ops)
{
    struct t t;
    int calls = 0;
    JsonNode *r;
    char *reply;

    t_setup(&t, false);
    ck_assert_int_eq(qmp_server_register(t.qmp, "echo", cmd_echo, &calls), 0);
    ck_assert_int_eq(qmp_server_register(t.qmp, "echo", cmd_echo, &calls), -EEXIST);
    ck_assert_int_eq(qmp_server_register(t.qmp, "qmp_capabilities", cmd_echo, &calls), -EEXIST);
    ck_assert_int_eq(qmp_register_builtins(t.qmp, NULL, NULL), 0);
    ck_assert_int_eq(qmp_register_builtins(t.qmp, NULL, NULL), -EEXIST);
    t_start(&t, true);
    r = call(&t, "{\"execute\": \"echo\", \"arguments\": {\"text\": \"hi\"}}");
    ck_assert_str_eq(json_node_get_string(ret_of(r)), "hi");
    json_node_unref(r);
    expect_error(call(&t, "{\"execute\": \"echo\"}"), "GenericError", "Parameter 'text' is missing");
    ck_assert_int_eq(calls, 2);
    /* Without runstate callbacks the built-ins fail cleanly. */
    expect_error(call(&t, "{\"execute\": \"stop\"}"), "GenericError", "not available");
    expect_error(call(&t, "{\"execute\": \"query-status\"}"), "GenericError", "not available");
    reply = qmp_server_handle_line(t.qmp, "{\"execute\": \"echo\", \"arguments\": {\"text\": \"x\"}, \"id\": 1}");
    ck_assert_str_eq(reply, "{\"return\":\"x\",\"id\":1}");
    g_free(reply);
    t_teardown(&t);
}
END_TEST

/* A client that sends but never reads is cut off instead of growing memory. */
START_TEST(client_not_reading)
{
    struct t t;
    int sz = 4096;
    GString *flood = g_string_new(NULL);

    t_setup(&t, true);
    setsockopt(t.sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(t.sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    t_start(&t, true);
    chardev_set_write_cap(t.chr, 2000);
    for (int i = 0; i < 200; i++)
        g_string_append(flood, "{\"execute\": \"query-command-line-options\"}");
    (void)fcntl(t.sv[1], F_SETFL, 0);
    for (size_t off = 0; off < flood->len && chardev_is_connected(t.chr);) {
        ssize_t n = send(t.sv[1], flood->str + off, flood->len - off, MSG_DONTWAIT);

        if (n > 0)
            off += (size_t)n;
        for (int k = 0; k < 10; k++)
            g_main_context_iteration(NULL, FALSE);
    }
    for (int k = 0; k < 100 && chardev_is_connected(t.chr); k++)
        g_main_context_iteration(NULL, FALSE);
    ck_assert(!chardev_is_connected(t.chr));
    ck_assert_uint_gt(chardev_dropped(t.chr), 0);
    g_string_free(flood, TRUE);
    t_teardown(&t);
}
END_TEST

/* Random bytes never crash the server, and it recovers after a resync. */
START_TEST(random_garbage_then_recovery)
{
    struct t t;
    GRand *rnd = g_rand_new_with_seed(12345);

    t_setup(&t, true);
    t_start(&t, true);
    for (int round = 0; round < 50; round++) {
        guint len = (guint)g_rand_int_range(rnd, 1, 400);
        g_autofree char *junk = g_malloc(len + 1);
        g_autofree char *good = g_strdup_printf("\xff\n{\"execute\": \"query-vnc\", \"id\": %d}\n",
                                                round);
        bool seen = false;

        for (guint i = 0; i < len; i++) {
            static const char alphabet[] = "{}[]\"\\:, \nabc01\x01\xfe";

            junk[i] = g_rand_boolean(rnd) ? alphabet[g_rand_int_range(rnd, 0, sizeof(alphabet) - 1)]
                                          : (char)g_rand_int_range(rnd, 0, 256);
        }
        ck_assert_int_eq(write(t.sv[1], junk, len), (ssize_t)len);
        t_send(&t, good);
        for (int k = 0; k < 1000 && !seen; k++) {
            JsonNode *r = t_recv(&t);
            JsonNode *id;

            ck_assert_ptr_nonnull(r);
            id = json_object_get_member(obj(r), "id");
            if (id && JSON_NODE_HOLDS_VALUE(id) && json_node_get_value_type(id) == G_TYPE_INT64 &&
                json_node_get_int(id) == round) {
                ck_assert(json_object_has_member(obj(r), "return"));
                seen = true;
            }
            json_node_unref(r);
        }
        ck_assert(seen);
        ck_assert(chardev_is_connected(t.chr));
    }
    g_rand_free(rnd);
    t_teardown(&t);
}
END_TEST

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    (void)fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* A new client on a server socket is greeted and must negotiate again. */
START_TEST(reconnect_renegotiates)
{
    g_autofree char *dir = g_dir_make_tmp("xendm-qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "q.sock", NULL);
    g_autofree char *spec_str = g_strdup_printf("socket,id=m,path=%s,server=on,wait=off", path);
    struct qmp_version v = { 7, 2, 0, "xendm-test" };
    struct chardev_spec *spec;
    struct t t;
    char *err = NULL;

    memset(&t, 0, sizeof(t));
    t.vm.rs = QMP_RUNSTATE_RUNNING;
    t.in = g_string_new(NULL);
    ck_assert_int_eq(chardev_spec_parse(spec_str, &spec, &err), 0);
    t.chr = chardev_open(spec, NULL, &err);
    chardev_spec_free(spec);
    t.qmp = qmp_server_new(&v);
    ck_assert_int_eq(qmp_register_builtins(t.qmp, &vm_ops, &t.vm), 0);
    qmp_server_add_monitor(t.qmp, t.chr, false);
    for (int round = 0; round < 2; round++) {
        JsonNode *g;

        t.sv[1] = unix_connect(path);
        g = t_recv(&t);
        ck_assert(json_object_has_member(obj(g), "QMP"));
        json_node_unref(g);
        t_send(&t, "{\"execute\": \"query-status\"}\n");
        expect_error(t_recv(&t), "CommandNotFound", "Expecting capabilities");
        t_send(&t, "{\"execute\": \"qmp_capabilities\"}\n");
        expect_empty_return(t_recv(&t));
        /* A half-sent command must not leak into the next session. */
        t_send(&t, "{\"execute\": \"query-");
        for (int k = 0; k < 5; k++)
            g_main_context_iteration(NULL, FALSE);
        close(t.sv[1]);
        for (int k = 0; k < 100 && chardev_is_connected(t.chr); k++) {
            if (!g_main_context_iteration(NULL, FALSE))
                g_usleep(1000);
        }
        g_string_truncate(t.in, 0);
    }
    t.sv[1] = -1;
    t_teardown(&t);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xen_qmp");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, greeting_and_negotiation);
    tcase_add_test(tc, id_echo_and_unknown);
    tcase_add_test(tc, envelope_errors);
    tcase_add_test(tc, malformed_json_then_good);
    tcase_add_test(tc, split_and_batched);
    tcase_add_test(tc, events);
    tcase_add_test(tc, builtins);
    tcase_add_test(tc, registration_and_no_ops);
    tcase_add_test(tc, client_not_reading);
    tcase_add_test(tc, reconnect_renegotiates);
    tcase_add_test(tc, random_garbage_then_recovery);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
