/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.h - the human monitor's command table.
 *
 * One table serves both front ends: the xenstore monitor keys
 * (xen/xs-monitor.h) and QMP's human-monitor-command. A command is a
 * sequence of words ("info mtree"); a line is matched against the longest
 * registered name made of its leading words, and the rest of the line is
 * the command's argument string.
 */
#ifndef XENDM_XEN_MONITOR_H
#define XENDM_XEN_MONITOR_H

#include <stdbool.h>

#include <glib.h>

/**
 * typedef xen_monitor_fn - a command's implementation.
 * @opaque: the pointer given at registration.
 * @args: what follows the command's name, trimmed ("" if nothing).
 * @out: append the command's output here (text, lines ending in \n).
 * Return: 0, or -errno for a failed command (its output explains why).
 */
typedef int xen_monitor_fn(void *opaque, const char *args, GString *out);

/**
 * struct xen_monitor - the command table. Private fields.
 * @cmds: registered commands, sorted by name.
 *
 * Used from the device-model thread only.
 */
struct xen_monitor {
    GPtrArray *cmds;
};

/** xen_monitor_init() - an empty table with the built-in `help`. */
void xen_monitor_init(struct xen_monitor *m);

/** xen_monitor_destroy() - free the table. */
void xen_monitor_destroy(struct xen_monitor *m);

/**
 * xen_monitor_register() - add a command.
 * @m: the table.
 * @name: its words, single-space separated ("info mtree"); copied.
 * @args_help: argument synopsis for `help` ("[-f|-d]"), or NULL; copied.
 * @help: one-line description; copied.
 * @fn: the implementation.
 * @opaque: passed to @fn.
 * Return: 0, or -EEXIST if @name is taken, -EINVAL for an empty name.
 */
int xen_monitor_register(struct xen_monitor *m, const char *name,
                         const char *args_help, const char *help,
                         xen_monitor_fn *fn, void *opaque);

/**
 * xen_monitor_knows() - Return: true if @line names a registered command.
 * @m: the table. @line: a command line.
 */
bool xen_monitor_knows(struct xen_monitor *m, const char *line);

/**
 * xen_monitor_execute() - run one command line.
 * @m: the table.
 * @line: the command line (any whitespace between words).
 * @out: the output is appended here; for an unknown command, a message
 *     naming it and suggesting `help`.
 * Return: 0, -ENOENT for an unknown command, or the command's result.
 */
int xen_monitor_execute(struct xen_monitor *m, const char *line, GString *out);

#endif /* XENDM_XEN_MONITOR_H */
