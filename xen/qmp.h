/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.h - the QEMU Machine Protocol over chardevs, with json-glib.
 *
 * A qmp_server holds the command table and the monitors (one per chardev).
 * Each monitor greets a newly connected client, insists on
 * qmp_capabilities first, then dispatches {"execute": NAME, "arguments":
 * {...}, "id": ANY} to the registered handlers and writes {"return": ...}
 * or {"error": {"class": ..., "desc": ...}} with the id echoed. Input is a
 * byte stream: several commands in one read and one command split across
 * reads both work; malformed JSON gets a GenericError reply and the
 * connection stays usable. Events go to every negotiated monitor.
 *
 * Threading: everything on the main-loop thread that runs the chardevs.
 */
#ifndef XENDM_XEN_QMP_H
#define XENDM_XEN_QMP_H

#include <stdbool.h>
#include <stdint.h>

#include <json-glib/json-glib.h>

#include "xen/chardev.h"

/** QMP_MAX_MESSAGE - longest accepted input message, bytes. */
#define QMP_MAX_MESSAGE (1u << 20)
/** QMP_MAX_DEPTH - deepest accepted nesting of objects/arrays. */
#define QMP_MAX_DEPTH 128
/** QMP_OUTPUT_CAP - replies queued for a client that does not read. */
#define QMP_OUTPUT_CAP (4u << 20)

/** enum qmp_error_class - QMP error classes (QEMU's names). */
enum qmp_error_class {
    QMP_ERROR_GENERIC,
    QMP_ERROR_COMMAND_NOT_FOUND,
    QMP_ERROR_DEVICE_NOT_ACTIVE,
    QMP_ERROR_DEVICE_NOT_FOUND,
};

/**
 * struct qmp_error - an error a command handler reports.
 * @cls: the class.
 * @desc: human-readable text (owned; set with qmp_error_set()).
 */
struct qmp_error {
    enum qmp_error_class cls;
    char *desc;
};

/**
 * qmp_error_set() - fill @err (replacing an earlier description).
 * @err: the error. @cls: its class. @fmt: printf format for the text.
 * Return: -EINVAL, for "return qmp_error_set(...)" in handlers.
 */
int qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/** qmp_error_class_name() - Return: "GenericError", "CommandNotFound", ... */
const char *qmp_error_class_name(enum qmp_error_class cls);

/**
 * struct qmp_version - what the greeting and query-version report.
 * @major: QEMU-compatible version libxl compares against (major).
 * @minor: ... minor.
 * @micro: ... micro.
 * @package: free text, e.g. "xendm 0.1.0".
 */
struct qmp_version {
    int major;
    int minor;
    int micro;
    const char *package;
};

struct qmp_server;
struct qmp_monitor;

/**
 * typedef qmp_command_fn - a command handler.
 * @qmp: the server.
 * @args: the "arguments" object (never NULL; empty when absent). Borrowed.
 * @ret: on success, the return value (new reference; NULL means {}).
 * @err: on failure, the error to report.
 * @opaque: the pointer given at registration.
 * Return: 0 on success, negative after filling @err.
 */
typedef int qmp_command_fn(struct qmp_server *qmp, JsonObject *args, JsonNode **ret,
                           struct qmp_error *err, void *opaque);

/**
 * qmp_server_new() - create an empty server.
 * @version: copied (the package string too).
 * Return: the server (free with qmp_server_free()).
 */
struct qmp_server *qmp_server_new(const struct qmp_version *version);

/**
 * qmp_server_free() - detach from every chardev and free. The chardevs
 * stay open (their owner closes them). NULL is fine.
 */
void qmp_server_free(struct qmp_server *qmp);

/**
 * qmp_server_register() - add a command.
 * @qmp: the server. @name: command name (copied).
 * @fn: handler. @opaque: passed to it.
 * Return: 0, or -EEXIST if @name is taken ("qmp_capabilities" is built in).
 */
int qmp_server_register(struct qmp_server *qmp, const char *name, qmp_command_fn *fn,
                        void *opaque) __attribute__((warn_unused_result));

/**
 * qmp_server_command_names() - Return: the command names, sorted, in a new
 * NULL-terminated array (g_strfreev()).
 * @qmp: the server.
 */
char **qmp_server_command_names(const struct qmp_server *qmp);

/** qmp_server_version() - Return: the version given at creation. */
const struct qmp_version *qmp_server_version(const struct qmp_server *qmp);

/**
 * qmp_server_add_monitor() - serve QMP on @chr.
 * @qmp: the server. @chr: the chardev (not owned; must outlive the server
 *       or be removed first). @pretty: pretty-print replies.
 *
 * Takes over @chr's handlers and raises its write cap to QMP_OUTPUT_CAP.
 * A client already connected gets the greeting at once.
 * Return: the monitor (owned by the server).
 */
struct qmp_monitor *qmp_server_add_monitor(struct qmp_server *qmp, struct chardev *chr,
                                           bool pretty);

/**
 * qmp_server_emit_event() - send an event to every negotiated monitor.
 * @qmp: the server. @name: e.g. "STOP".
 * @data: the event data (ownership taken; NULL for none).
 */
void qmp_server_emit_event(struct qmp_server *qmp, const char *name, JsonNode *data);

/**
 * qmp_server_handle_line() - run one message as if a negotiated client sent
 * it, and return the reply text (for tests and internal callers).
 * @qmp: the server. @json: the message.
 * Return: the reply, without the line terminator (g_free()).
 */
char *qmp_server_handle_line(struct qmp_server *qmp, const char *json);

/* ---- argument helpers for handlers ---------------------------------- */

/**
 * qmp_args_check() - reject members of @args not in @allowed.
 * @args: the arguments. @allowed: NULL-terminated names (NULL: none).
 * @err: "Parameter 'x' is unexpected".
 * Return: 0 or -EINVAL.
 */
int qmp_args_check(JsonObject *args, const char *const *allowed, struct qmp_error *err);

/**
 * qmp_arg_bool() - fetch a boolean argument.
 * @args: the arguments. @name: the member. @required: missing is an error.
 * @out: the value (untouched when absent and optional). @err: the error.
 * Return: 1 if present, 0 if absent and optional, -EINVAL on error.
 */
int qmp_arg_bool(JsonObject *args, const char *name, bool required, bool *out,
                 struct qmp_error *err);

/**
 * qmp_arg_str() - fetch a string argument (borrowed); as qmp_arg_bool().
 * @args: the arguments. @name: the member. @required: missing is an error.
 * @out: the value. @err: the error.
 */
int qmp_arg_str(JsonObject *args, const char *name, bool required, const char **out,
                struct qmp_error *err);

/* ---- the built-in commands (qmp-cmds.c) ------------------------------ */

/** enum qmp_runstate - what query-status reports. */
enum qmp_runstate {
    QMP_RUNSTATE_PRELAUNCH,
    QMP_RUNSTATE_RUNNING,
    QMP_RUNSTATE_PAUSED,
    QMP_RUNSTATE_SHUTDOWN,
    QMP_RUNSTATE_INTERNAL_ERROR,
};

/** qmp_runstate_name() - Return: "prelaunch", "running", ... */
const char *qmp_runstate_name(enum qmp_runstate rs);

/**
 * struct qmp_runstate_ops - what the process provides to the built-ins.
 * Every member is optional; a missing one makes its command fail with
 * GenericError ("not available").
 * @status: the current run state.
 * @stop: pause the guest (QMP "stop").
 * @cont: run the guest (QMP "cont"; also from prelaunch).
 * @system_reset: reset the guest.
 * @quit: end the process after this reply is sent.
 * @set_global_dirty_log: start/stop reporting DM writes to guest RAM.
 * @hmp: run a human-monitor command line; return the output (g_free()),
 *       or NULL if the command is unknown.
 * @chardev_at: the i-th chardev for query-chardev, NULL past the end.
 */
struct qmp_runstate_ops {
    enum qmp_runstate (*status)(void *opaque);
    int (*stop)(void *opaque, struct qmp_error *err);
    int (*cont)(void *opaque, struct qmp_error *err);
    int (*system_reset)(void *opaque, struct qmp_error *err);
    void (*quit)(void *opaque);
    int (*set_global_dirty_log)(void *opaque, bool enable, struct qmp_error *err);
    char *(*hmp)(void *opaque, const char *cmdline);
    struct chardev *(*chardev_at)(void *opaque, unsigned i);
};

/**
 * qmp_server_set_runstate_ops() - attach the process's callbacks.
 * @qmp: the server. @ops: callbacks (not copied: must outlive the server).
 * @opaque: passed to them.
 */
void qmp_server_set_runstate_ops(struct qmp_server *qmp, const struct qmp_runstate_ops *ops,
                                 void *opaque);

/**
 * qmp_server_runstate_ops() - Return: the callbacks (NULL if none).
 * @qmp: the server. @opaque: where their opaque pointer goes.
 */
const struct qmp_runstate_ops *qmp_server_runstate_ops(const struct qmp_server *qmp,
                                                       void **opaque);

/**
 * qmp_register_builtins() - register query-version, query-commands,
 * query-command-line-options, query-status, stop, cont, quit,
 * system_reset, query-chardev, query-vnc, xen-set-global-dirty-log and
 * human-monitor-command.
 * @qmp: the server. @ops: the process's callbacks (not copied: must
 *       outlive the server). @opaque: passed to @ops.
 * Return: 0, or -EEXIST if one of the names was taken.
 */
int qmp_register_builtins(struct qmp_server *qmp, const struct qmp_runstate_ops *ops,
                          void *opaque) __attribute__((warn_unused_result));

#endif /* XENDM_XEN_QMP_H */
